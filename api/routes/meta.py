"""Instance metadata under the reserved ``/-/`` prefix."""

from __future__ import annotations

import platform

import pyoxigraph
from fastapi import APIRouter

import kg
from api.deps import StoreDep

router = APIRouter(prefix="/-", tags=["instance"])


@router.get("/health", operation_id="health")
def health(store: StoreDep) -> dict:
    """The store is reachable; how much it holds."""
    figures = store.stats()
    return {"status": "ok", "quads": figures["quads"], "graphs": figures["graphs"]}


@router.get("/version", operation_id="version")
def version() -> dict:
    """Versions of policykg and the engine underneath."""
    return {"policykg": kg.__version__, "pyoxigraph": pyoxigraph.__version__ if hasattr(pyoxigraph, "__version__")
            else "unknown", "python": platform.python_version()}
