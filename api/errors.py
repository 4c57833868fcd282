"""One error shape for every error: RFC 9457 ``application/problem+json``.

Domain errors from :mod:`kg` are mapped to HTTP here and nowhere else::

    NotFound → 404 · ConfigError → 422 · EntryError, ValidationFailed → 422 (with ``errors``)
    QueryRefused → 400 · QueryError → 400 · QueryTimeout → 504 · StoreFull → 507 ·
    EngineBusy, StoreLocked, EngineError → 503 (with ``Retry-After``) · anything else → 500,
    its traceback in the server's log, not the answer
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import (
    ConfigError,
    EngineBusy,
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


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
SERVER_ERRORS = ("the engine is busy (503 server-busy) or restarting (503 engine-unavailable), both with "
                 "Retry-After; the query ran past POLICYKG_QUERY_TIMEOUT (504); an internal error (500)")


def document(openapi: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every error answer declared as what it is, a problem: 406 where
    an operation negotiates its format, ``5XX`` on every operation (idempotent).

    >>> doc = {"paths": {"/x": {"get": {"responses": {"200": {}, "404": {"description": "gone"}}}}},
    ...        "components": {"schemas": {}}}
    >>> sorted(document(doc)["paths"]["/x"]["get"]["responses"]["404"]["content"])
    ['application/problem+json']
    """
    openapi.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for operations in openapi["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            ok = next((r for status, r in responses.items() if status.startswith("2")), {})
            if len(ok.get("content", {})) > 1:
                responses.setdefault("406", {"description": "none of the formats offered is acceptable"})
            responses.setdefault("5XX", {"description": SERVER_ERRORS})
            for status, response in responses.items():
                if not status.startswith("2"):
                    example = response.get("content", {}).get(PROBLEM, {}).get("example")
                    response["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"},
                                                     **({"example": example} if example else {})}}
    return openapi


def allowed_methods(request: Request) -> str:
    """The methods the OpenAPI document gives the request's path (for a 405's ``Allow``)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), request.url.path):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods | ({"HEAD"} if "GET" in methods else set())))


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
    if isinstance(exc, EngineBusy):
        return 503, "server-busy"
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
        headers = {"Retry-After": "1" if isinstance(exc, EngineBusy) else "5"} if status == 503 else None
        detail = f"{len(extra['errors'])} problem(s) in the entries; nothing was written" if extra else str(exc)
        return problem(status, detail, kind=kind,
                       instance=request.url.path, headers=headers, **extra)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # The traceback goes to the server's log (uvicorn prints it), never into the answer.
        return problem(500, "an internal error: it has been logged on the server", kind="internal",
                       instance=request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405 and exc.detail == "Method Not Allowed":  # the router's: one route's methods
            headers = {"Allow": allowed_methods(request)}
        return problem(exc.status_code, str(exc.detail), instance=request.url.path, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(part) for part in err.get("loc", ())[1:]) or str(err.get("loc")),
             "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem(422, detail, kind="invalid-parameter", instance=request.url.path, errors=errors)
