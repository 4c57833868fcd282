"""The FastAPI application: ``create_app(settings)``.

Every URL the service answers, by router (``api/routes/``):

==========================  =====================================================
``/sparql``                 SPARQL 1.1 Protocol, read-only; service description
``/actors`` ``/statements`` ``/positions`` ``/resolutions`` ``/sources`` ``/timeline``
                            REST lookups (JSON)
``/statements/{slug}/nanopub`` ``/statements/{slug}/claimreview``
                            one statement as a nanopublication, as a ClaimReview
``/id/{kind}/{slug}``       linked data by content negotiation
``/ontology`` ``/shapes`` ``/context.jsonld`` ``/void`` ``/dumps/…``
                            vocabulary, description, dumps
``/entries``                token-guarded writes; ``DELETE /sources/{slug}``
``/`` ``/search`` ``/query``   the browser interface (HTML; ``/id/…`` pages too)
``/-/health`` ``/-/version``  instance metadata
``/docs`` ``/openapi.json``   OpenAPI
==========================  =====================================================
"""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import import_module
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import kg
from api import errors
from api.cache import DumpFiles, ResponseCache
from api.html import CSP
from api.settings import Settings, get_settings
from kg.errors import KgError
from kg.store import Store
from kg.validate import warm_up

log = logging.getLogger(__name__)

ROUTERS = ("meta", "sparql", "rest", "history", "interchange", "linked_data", "entries", "extract", "ui")


class BodyLimit:
    """Refuse request bodies over ``max_body`` bytes with 413, by header and while streaming."""

    def __init__(self, app: ASGIApp, max_body: int):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = errors.problem(413, f"the request body is larger than {self.max_body} bytes "
                                  "(POLICYKG_MAX_BODY)", kind="body-too-large", instance=scope.get("path"))
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


def _count(store: Store) -> None:
    try:
        store.counts()
    except KgError as error:  # the engine is down or slow: /-/health will say so itself
        log.warning("counting the store's quads at start failed: %s", error)


class ReadOnlyCors:
    """CORS for reads only: GET and HEAD anywhere and POST to ``/sparql`` (a query) are open to
    every origin; a write (``POST /entries``, ``DELETE``) gets no CORS headers, and its preflight
    is refused, so a page on another origin cannot send one."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=["*"], allow_methods=["GET", "HEAD", "POST"],
                                   allow_headers=["*"], expose_headers=["Link"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        read = scope["type"] == "http" and _is_read(scope)
        await (self.cors if read else self.app)(scope, receive, send)


def _is_read(scope: Scope) -> bool:
    method = scope["method"]
    if method == "OPTIONS":  # a preflight names the method it asks for
        method = dict(scope["headers"]).get(b"access-control-request-method", b"").decode("latin-1").upper()
    return method in ("GET", "HEAD") or (method == "POST" and scope["path"] == "/sparql")


SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
            "frame-ancestors 'none'")
"""FastAPI's own pages, /docs and /redoc, load their scripts from a CDN: only they are allowed it."""


class SecurityHeaders:
    """``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer`` on every answer;
    on HTML pages also a Content-Security-Policy allowing only this server (:data:`api.html.CSP`)
    and ``X-Frame-Options: DENY``."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *SECURITY_HEADERS]
                if dict(headers).get(b"content-type", b"").startswith(b"text/html"):
                    docs = scope["path"].startswith(("/docs", "/redoc"))
                    headers += [(b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
                                (b"x-frame-options", b"DENY")]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.store_location, base_iri=settings.base_iri, query_timeout=settings.query_timeout,
                      max_queries=settings.max_concurrent_queries)
        app.state.store = store
        warm_up()  # the first POST /entries then pays for its own batch only
        # Counting reads every quad (seconds at a million statements): done now, beside the
        # first requests, so that /-/health finds the figures ready (Store.counts keeps them).
        threading.Thread(target=_count, args=(store,), name="policykg-counts", daemon=True).start()
        with tempfile.TemporaryDirectory(prefix="policykg-dumps-") as dumps:
            app.state.dump_files = DumpFiles(Path(dumps))
            try:
                yield
            finally:
                store.close()

    app = FastAPI(
        title="policykg",
        version=kg.__version__,
        summary="A knowledge graph of policy claims: who said what, when, on whose behalf.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    errors.install(app)
    generate_openapi = app.openapi
    app.openapi = lambda: errors.document(generate_openapi())  # type: ignore[method-assign]
    for name in ROUTERS:
        module = import_module(f"api.routes.{name}")
        app.include_router(module.router)
    app.add_middleware(ResponseCache, max_bytes=settings.cache_mb * 2**20)  # innermost: after errors
    app.add_middleware(ReadOnlyCors)
    app.add_middleware(BodyLimit, max_body=settings.max_body)
    app.add_middleware(SecurityHeaders)
    return app
