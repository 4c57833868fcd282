"""Answers kept until the next write (api/cache.py), on a real server: the same answer and ETag
while nothing changes, 304 for a matching If-None-Match, the new answer right after a write; and
the same request asked by many at once answered once."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from api.cache import ResponseCache
from kg.store import Store
from test_api_entries import AUTH, ENTRY, SECOND, YAML

JSON = {"Accept": "application/json"}


def sources(url: str, **headers: str) -> httpx.Response:
    return httpx.get(url + "/sources", headers={**JSON, **headers})


def test_a_kept_answer_is_the_same_until_a_write_changes_it(writable_server):
    url = writable_server
    assert httpx.post(url + "/entries", content=ENTRY, headers={**YAML, **AUTH}).status_code == 201
    first, again = sources(url), sources(url)
    assert first.status_code == again.status_code == 200
    assert first.json()["total"] == 1 and again.content == first.content
    assert first.headers["etag"] == again.headers["etag"]
    unchanged = sources(url, **{"If-None-Match": first.headers["etag"]})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == first.headers["etag"]
    assert sources(url, **{"If-None-Match": '"something-else"'}).status_code == 200

    assert httpx.post(url + "/entries", content=SECOND, headers={**YAML, **AUTH}).status_code == 201
    after = sources(url, **{"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.json()["total"] == 2
    assert after.headers["etag"] != first.headers["etag"]
    assert httpx.delete(url + "/sources/later-report", headers=AUTH).status_code == 200
    assert sources(url).json()["total"] == 1


def test_answers_differ_by_accept_and_errors_are_not_kept(writable_server):
    url = writable_server
    assert httpx.post(url + "/entries", content=ENTRY, headers={**YAML, **AUTH}).status_code == 201
    turtle = httpx.get(url + "/id/actor/china", headers={"Accept": "text/turtle"})
    jsonld = httpx.get(url + "/id/actor/china", headers={"Accept": "application/ld+json"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert turtle.headers["etag"] != jsonld.headers["etag"]
    missing = httpx.get(url + "/actors/nobody-at-all", headers=JSON)
    assert missing.status_code == 404 and "etag" not in missing.headers
    # The instance's own state is never kept.
    health = httpx.get(url + "/-/health")
    assert health.status_code == 200 and "etag" not in health.headers


def test_a_dump_is_written_once_per_revision_then_sent_from_disk(writable_server):
    url = writable_server
    assert httpx.post(url + "/entries", content=ENTRY, headers={**YAML, **AUTH}).status_code == 201
    streamed, from_disk = httpx.get(url + "/dumps/policykg.nq"), httpx.get(url + "/dumps/policykg.nq")
    assert streamed.status_code == from_disk.status_code == 200
    assert "content-length" not in streamed.headers  # streamed from the engine, and kept
    assert int(from_disk.headers["content-length"]) == len(from_disk.content)  # the kept file
    assert from_disk.content == streamed.content
    assert from_disk.headers["content-type"].startswith("application/n-quads")
    head = httpx.head(url + "/dumps/policykg.nq")
    assert head.status_code == 200 and head.content == b""

    assert httpx.post(url + "/entries", content=SECOND, headers={**YAML, **AUTH}).status_code == 201
    after = httpx.get(url + "/dumps/policykg.nq")
    assert "content-length" not in after.headers  # a new revision: streamed again
    assert b"later-report" in after.content and b"later-report" not in from_disk.content
    assert set(from_disk.content.splitlines()) < set(after.content.splitlines())


def _counting_app(store: Store, status: int):
    """A real app whose one route waits until ``release`` is set, counting how often it runs."""
    release, calls = asyncio.Event(), []

    async def page(request):
        calls.append(request.url.path)
        await release.wait()
        return PlainTextResponse(f"answer {len(calls)}", status_code=status)

    app = Starlette(routes=[Route("/page", page)])
    app.state.store = store
    app.add_middleware(ResponseCache, max_bytes=2**20)
    return app, release, calls


@pytest.mark.parametrize("status", [200, 404])
def test_the_same_request_asked_at_once_is_answered_once(status):
    async def ask_five() -> tuple[list[httpx.Response], list[str]]:
        with Store() as store:
            app, release, calls = _counting_app(store, status)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
                asking = [asyncio.create_task(client.get("/page")) for _ in range(5)]
                for _ in range(500):
                    await asyncio.sleep(0.01)
                    if calls or any(a.done() for a in asking):
                        break
                await asyncio.sleep(0.05)  # the four others have arrived and wait
                release.set()
                return list(await asyncio.gather(*asking)), calls

    answers, calls = asyncio.run(ask_five())
    assert {a.status_code for a in answers} == {status}
    if status == 200:  # kept: the four others got the first answer, and no query of their own
        assert len(calls) == 1 and {a.text for a in answers} == {"answer 1"}
        assert len({a.headers["etag"] for a in answers}) == 1
    else:  # not kept: each waited for the first, then asked for itself
        assert len(calls) == 5 and "etag" not in answers[0].headers
