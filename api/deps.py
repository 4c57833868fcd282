"""Dependencies shared by the routers.

They are ``async`` though they wait on nothing: FastAPI runs a plain ``def`` dependency in its
thread pool, a hop between threads per dependency and request (measured by hand: /sparql
answered ASK {} in 1.85 ms at the median once these no longer hopped, 2.2 ms before).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from api.settings import Settings
from kg import history
from kg.history import parse_moment
from kg.store import Store


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]


async def get_read_store(
    request: Request,
    as_of: Annotated[str | None, Query(
        max_length=40, examples=["2024-07-05"],
        description="answer from the graph as it stood then: a date (the end of that day, UTC) or a "
                    "date-time with its offset (docs/history.md)")] = None,
) -> Store:
    """The store, or with ``as_of`` the graph as it stood then (:func:`kg.history.as_of`)."""
    store = request.app.state.store
    if as_of is None:
        return store
    moment = parse_moment(as_of, name="as_of")
    return await run_in_threadpool(history.as_of, store, moment)


ReadDep = Annotated[Store, Depends(get_read_store)]


async def require_token(request: Request, settings: SettingsDep) -> str:
    """Writes need ``Authorization: Bearer <POLICYKG_TOKEN>``; none are allowed when it is unset.
    The writer's name (``POLICYKG_TOKEN_NAME``), recorded with each version it writes."""
    if not settings.token:
        raise HTTPException(403, "writes are disabled on this server (POLICYKG_TOKEN is not set)")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), settings.token.encode()):
        raise HTTPException(401, "a valid bearer token is needed to write",
                            headers={"WWW-Authenticate": 'Bearer realm="policykg"'})
    return settings.token_name


WriterDep = Annotated[str, Depends(require_token)]
