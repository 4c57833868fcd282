"""Instance metadata under the reserved ``/-/`` prefix."""

from __future__ import annotations

import platform

import pyoxigraph
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

import kg
from api.deps import StoreDep
from api.routes import ui

router = APIRouter(tags=["instance"])


@router.get("/", operation_id="home", response_class=HTMLResponse)
def home(store: StoreDep, request: Request) -> HTMLResponse:
    """The front page: a search box over actors, statements, resolutions and policy measures;
    what the graph holds; the latest sources; links to the SPARQL endpoint, the REST API, the
    dataset description and the dumps."""
    return HTMLResponse(ui.home(request, store))


router.add_api_route("/", home, methods=["HEAD"], include_in_schema=False, response_class=HTMLResponse)


@router.get("/-/health", operation_id="health", responses={200: {"content": {"application/json": {
    "example": {"status": "ok", "quads": 731, "graphs": 1}}}}})
def health(store: StoreDep) -> dict:
    """The store is reachable; how much it holds."""
    return {"status": "ok", **store.counts()}


@router.get("/-/version", operation_id="version", responses={200: {"content": {"application/json": {
    "example": {"policykg": "0.1.0", "pyoxigraph": "0.5.13", "python": "3.11.7"}}}}})
def version() -> dict:
    """Versions of policykg and the engine underneath."""
    return {"policykg": kg.__version__, "pyoxigraph": pyoxigraph.__version__ if hasattr(pyoxigraph, "__version__")
            else "unknown", "python": platform.python_version()}
