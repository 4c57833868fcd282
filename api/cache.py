"""Answers to reads kept until the store changes: ``ResponseCache``, and on disk for the
dumps, ``DumpFiles``.

A lookup's answer depends on the request and on the store's contents only, and on the embedded
engine every write goes through this process's :class:`kg.store.Store`, whose ``revision``
moves with each one. So a ``GET`` answered ``200`` is kept under its request and the revision,
and given again as it was until a write moves the revision: a repeated lookup costs no query.
A request that arrives while the same one is being answered waits for that answer rather than
asking the engine again.
Every kept answer carries an ``ETag`` (the revision and a digest of the body), so a client that
sends it back in ``If-None-Match`` gets ``304 Not Modified``.

What is not kept: any method but ``GET``/``HEAD``, the dumps (``/dumps/``: streamed and large),
the instance metadata (``/-/``), answers over :data:`MAX_ENTRY` bytes or other than ``200``, and
everything when the store is an engine given by URL (others may write to it) or when
``POLICYKG_CACHE_MB`` is 0. Oldest-used answers go first when the cache is full.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.store import Store

MAX_ENTRY = 2_000_000
"""The largest answer kept, in bytes."""

UNCACHED_PREFIXES = ("/-/", "/dumps/", "/entries")
KEY_HEADERS = (b"accept", b"host", b"x-forwarded-host", b"x-forwarded-proto")
"""The request headers an answer may depend on (content negotiation, absolute links)."""


@dataclass(frozen=True)
class _Kept:
    revision: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


class ResponseCache:
    """ASGI middleware keeping ``200`` answers to reads for as long as the store's revision holds."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes
        self._kept: OrderedDict[tuple[object, ...], _Kept] = OrderedDict()
        self._computing: dict[tuple[object, ...], tuple[str, asyncio.Event]] = {}
        self._size = 0
        self.hits = self.misses = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        store = getattr(scope["app"].state, "store", None) if scope["type"] == "http" else None
        if (store is None or not store.exclusive or self.max_bytes <= 0
                or scope["method"] not in ("GET", "HEAD") or scope["path"].startswith(UNCACHED_PREFIXES)):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = (scope["method"], scope["path"], scope["query_string"], *(headers.get(h) for h in KEY_HEADERS))
        revision = store.revision
        if await self._replayed(key, revision, headers.get(b"if-none-match"), send):
            return
        leader = self._computing.get(key)
        if leader is not None and leader[0] == revision:
            # The same request is being answered: wait for that answer instead of asking the
            # engine again (a busy page asked by many at once costs one query, not one each);
            # if it was not kept (an error, or a write came meanwhile), ask as usual.
            await leader[1].wait()
            if await self._replayed(key, revision, headers.get(b"if-none-match"), send):
                return
        self.misses += 1
        done = asyncio.Event()
        self._computing[key] = (revision, done)
        try:
            await self._record(key, revision, store, scope, receive, send)
        finally:
            done.set()
            if self._computing.get(key, (None, None))[1] is done:
                del self._computing[key]

    async def _replayed(self, key: tuple[object, ...], revision: str, if_none_match: bytes | None,
                        send: Send) -> bool:
        """Send the answer kept for ``key`` at ``revision``, if there is one."""
        kept = self._kept.get(key)
        if kept is None or kept.revision != revision:
            return False
        self._kept.move_to_end(key)
        self.hits += 1
        if if_none_match is not None and kept.etag in [t.strip() for t in if_none_match.split(b",")]:
            headers = [(k, v) for k, v in kept.headers if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
        else:
            await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
            await send({"type": "http.response.body", "body": kept.body})
        return True

    async def _record(self, key: tuple[object, ...], revision: str, store: Store, scope: Scope,
                      receive: Receive, send: Send) -> None:
        """Pass the answer on; keep it if it is a whole ``200`` small enough, computed while no
        write happened. The start is held back until the body is known (the ETag goes in it)."""
        start: Message | None = None
        parts: list[bytes] = []
        passing = False  # not kept: messages go straight through

        async def capture(message: Message) -> None:
            nonlocal start, passing
            if passing or message["type"] not in ("http.response.start", "http.response.body"):
                await send(message)
            elif message["type"] == "http.response.start":
                start = message
                if message["status"] != 200:
                    passing = True
                    await send(message)
            else:
                assert start is not None
                parts.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(key, revision, store, start, b"".join(parts), send)
                elif sum(map(len, parts)) > MAX_ENTRY:
                    passing = True
                    await send(start)
                    await send({"type": "http.response.body", "body": b"".join(parts), "more_body": True})

        await self.app(scope, receive, capture)

    async def _finish(self, key: tuple[object, ...], revision: str, store: Store, start: Message,
                      body: bytes, send: Send) -> None:
        headers = [(k, v) for k, v in start["headers"] if k != b"etag"]
        if len(body) <= MAX_ENTRY and store.revision == revision:  # no write meanwhile
            etag = f'"{revision}-{hashlib.sha256(body).hexdigest()[:16]}"'.encode()
            headers.append((b"etag", etag))
            self._put(key, _Kept(revision, headers, body, etag))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _put(self, key: tuple[object, ...], kept: _Kept) -> None:
        old = self._kept.pop(key, None)
        if old is not None:
            self._size -= len(old.body)
        self._kept[key] = kept
        self._size += len(kept.body)
        while self._size > self.max_bytes and self._kept:
            _, dropped = self._kept.popitem(last=False)
            self._size -= len(dropped.body)



class DumpFiles:
    """Dump files written once per store revision, then sent from disk.

    The first request for a dump after a write streams it from the engine and, as it goes, into
    a file in ``directory``; when the stream ends whole and no write happened meanwhile, the
    file is kept, and later requests get it by ``sendfile`` (flat memory, disk speed). Files of
    older revisions go when a newer one is kept.
    """

    def __init__(self, directory: Path):
        self.directory = directory

    def kept(self, revision: str, filename: str) -> Path | None:
        """The file of this dump at this revision, if it was written whole."""
        path = self.directory / f"{revision}.{filename}"
        return path if path.is_file() else None

    def tee(self, chunks: Iterator[bytes], store: Store, revision: str, filename: str) -> Iterator[bytes]:
        """``chunks`` passed on, and written to the dump's file for ``revision``."""
        target = self.directory / f"{revision}.{filename}"
        partial = self.directory / f".{uuid.uuid4().hex}.part"
        whole = False
        try:
            with partial.open("wb") as out:
                for chunk in chunks:
                    out.write(chunk)
                    yield chunk
            whole = True
        finally:
            if whole and store.revision == revision:
                partial.replace(target)
                for old in self.directory.iterdir():
                    if not old.name.startswith((f"{revision}.", ".")):
                        old.unlink(missing_ok=True)
            else:
                partial.unlink(missing_ok=True)
