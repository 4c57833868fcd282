"""One error shape for every error: RFC 9457 ``application/problem+json``.

Domain errors from :mod:`kg` are mapped to HTTP here and nowhere else::

    NotFound → 404 · ConfigError → 422 · EntryError, ValidationFailed → 422 (with ``errors``)
    QueryRefused → 400 · QueryError → 400 · QueryTimeout → 504 · StoreFull → 507 ·
    StoreLocked, EngineError → 503
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import (
    ConfigError,
    EngineError,
    KgError,
    NotFound,
    QueryError,
    QueryRefused,
    QueryTimeout,
    StoreFull,
    _ProblemsError,
)

PROBLEM = "application/problem+json"
TYPE_BASE = "https://w3id.org/policykg/problems/"


def problem(status: int, detail: str, *, kind: str | None = None, instance: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem response."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _status_of(exc: KgError) -> tuple[int, str]:
    if isinstance(exc, NotFound):
        return 404, "not-found"
    if isinstance(exc, _ProblemsError):
        return 422, "invalid-entries"
    if isinstance(exc, ConfigError):
        return 422, "invalid-parameter"
    if isinstance(exc, QueryTimeout):
        return 504, "query-timeout"
    if isinstance(exc, QueryRefused):
        return 400, "query-refused"
    if isinstance(exc, QueryError):
        return 400, "query-error"
    if isinstance(exc, StoreFull):
        return 507, "store-full"
    if isinstance(exc, EngineError):
        return 503, "engine-unavailable"
    return 500, "internal"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem response."""

    @app.exception_handler(KgError)
    async def kg_error(request: Request, exc: KgError) -> JSONResponse:
        status, kind = _status_of(exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, _ProblemsError):
            extra["errors"] = [
                {"file": p.file, "entry": p.entry, "field": p.field, "message": p.message, "line": p.line}
                for p in exc.problems
            ]
        headers = {"Retry-After": "5"} if status == 503 else None
        detail = f"{len(extra['errors'])} problem(s) in the entries; nothing was written" if extra else str(exc)
        return problem(status, detail, kind=kind,
                       instance=request.url.path, headers=headers, **extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), instance=request.url.path,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(part) for part in err.get("loc", ())[1:]) or str(err.get("loc")),
             "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, kind="invalid-parameter", instance=request.url.path, errors=errors)
