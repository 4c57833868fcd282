"""Hostile and heavy queries against a real server: timeouts answer with an error and stop the
engine's work, heavy queries do not starve a simple lookup, and a saturated server says 503.

No assertion here is about wall-clock time: each is about the order of events (the lookup was
answered while the heavy queries were still running) or about what the engine process did (its
CPU time, read from ``/proc``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import TOKEN, data_store, running_server
from test_api_entries import SECOND
from test_api_sparql import _cpu_seconds, _engine_pid, _in_background, _wait_until_busy, assert_problem, send

MAX_QUERIES = 5
TIMEOUT = 5
_NUMBERS = " ".join(str(i) for i in range(100))
HEAVY = {
    "cartesian join": ("SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
                       'FILTER(CONCAT(STR(?c), STR(?f), STR(?i)) = "never") }'),
    "REGEX over every literal": ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(isLiteral(?c) "
                                 '&& REGEX(CONCAT(STR(?c), STR(?f), STR(?i)), "(a|b|.)*zzzq$", "i")) }'),
    "unbounded property paths": ("SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:p>|!<urn:x:p>)* ?b . "
                                 "?c (<urn:x:p>|!<urn:x:p>)* ?d . ?e (<urn:x:p>|!<urn:x:p>)* ?f }"),
    "cartesian count": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
}
VALUES_PRODUCT = ("SELECT (COUNT(*) AS ?n) WHERE { "
                  + " ".join(f"VALUES ?{v} {{ {_NUMBERS} }}" for v in "abcde") + " }")
"""10^10 rows from nothing: heavy on an empty store too (the guard does not count VALUES data)."""


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A server over an on-disk copy of the data, a 5 s timeout and at most 5 queries at once."""
    location = data_store(tmp_path_factory.mktemp("busy") / "store")
    with running_server(str(location), POLICYKG_QUERY_TIMEOUT=str(TIMEOUT),
                        POLICYKG_MAX_CONCURRENT_QUERIES=str(MAX_QUERIES)) as url:
        yield url, location


def _start_heavy(url: str, queries: list[str]) -> list[tuple[threading.Thread, dict]]:
    return [_in_background(url, f"# heavy {i}\n{query}") for i, query in enumerate(queries)]


def _assert_all_stopped(started: list[tuple[threading.Thread, dict]]) -> list[int]:
    """Each heavy query ended with an error: 504 past its timeout, or 503 (Retry-After) when the
    engine was stopped under it to end another one (kg.engine); never an answer."""
    statuses = []
    for thread, answer in started:
        thread.join()
        response = answer["response"]
        statuses.append(response.status_code)
        body = assert_problem(response, response.status_code)
        assert "results" not in body and "boolean" not in body
        if response.status_code == 503:
            assert body["type"].endswith("/engine-unavailable") and response.headers["retry-after"].isdigit()
        else:
            assert response.status_code == 504 and body["type"].endswith("/query-timeout"), body
    assert 504 in statuses, statuses
    return statuses


def _engine_cpu(location: Path) -> float:
    """CPU seconds of the engine now serving ``location`` (0 when none runs)."""
    try:
        return _cpu_seconds(_engine_pid(location))
    except (AssertionError, FileNotFoundError):
        return 0.0


@pytest.mark.slow
def test_four_heavy_queries_do_not_starve_a_simple_lookup(busy_server, reliability):
    url, location = busy_server
    started = _start_heavy(url, list(HEAVY.values()))
    for thread, _ in started:
        _wait_until_busy(_engine_pid(location), thread)
    lookup = httpx.get(url + "/actors", params={"q": "china"}, timeout=60)
    ask = send(url, "ASK { ?s ?p ?o }", timeout=60)
    still_running = [thread.is_alive() for thread, _ in started]
    assert lookup.status_code == 200 and lookup.json()["items"][0]["label"] == "China", lookup.text
    assert ask.json()["boolean"] is True
    assert all(still_running), "the heavy queries ended before the lookup was answered"
    stopped = _assert_all_stopped(started)
    reliability.record("hostile query", f"{len(HEAVY)} heavy queries at once ({', '.join(HEAVY)}), then a "
                       "REST lookup and an `ASK`", tried=len(started) + 2, lost="nothing",
                       outcome=f"the lookup and the `ASK` answered while all {len(started)} ran; the "
                       f"{len(stopped)} heavy ones ended in 504 or 503, none in an answer")


@pytest.mark.slow
def test_a_saturated_server_answers_503_with_retry_after(busy_server, reliability):
    url, _ = busy_server
    started = _start_heavy(url, [HEAVY["cartesian count"]] * (MAX_QUERIES + 2))
    for thread, _ in started:
        thread.join()
    busy = [answer["response"] for _, answer in started if answer["response"].status_code == 503
            and answer["response"].json()["type"].endswith("/server-busy")]
    assert len(busy) >= 2, [answer["response"].text for _, answer in started]
    for response in busy:
        assert_problem(response, 503, "POLICYKG_MAX_CONCURRENT_QUERIES")
        assert response.headers["retry-after"].isdigit()
    stopped = _assert_all_stopped([(thread, answer) for thread, answer in started if answer["response"] not in busy])
    # the slots are given back: the server answers again
    assert send(url, "# after\nASK { ?s ?p ?o }").json()["boolean"] is True
    reliability.record("hostile query", f"{len(started)} heavy queries at once on a server with {MAX_QUERIES} "
                       "slots", tried=len(started), lost="nothing",
                       outcome=f"{len(busy)} refused at once with 503 `server-busy` and `Retry-After`, "
                       f"{len(stopped)} ended in 504 or 503; then the server answered again")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["cartesian join", "unbounded property paths"])  # hang-up; engine stopped
def test_a_stopped_query_stops_using_cpu(busy_server, kind, reliability):
    url, location = busy_server
    before = _engine_cpu(location)
    response = send(url, f"# stop the {kind}\n{HEAVY[kind]}", timeout=60)
    assert_problem(response, 504, "timeout")
    time.sleep(2)  # a moment for the engine to notice the hang-up, or for its stop
    settled = _engine_cpu(location)
    assert settled == 0.0 or settled - before > 1  # stopped, or it had worked hard on the query
    time.sleep(3)
    assert _engine_cpu(location) - settled < 0.3, "the engine kept working on a stopped query"
    assert send(url, f"# after the {kind}\nASK {{ ?s ?p ?o }}").json()["boolean"] is True  # all still there
    reliability.record("hostile query", f"a query past the timeout ({kind})", tried=1, lost="nothing",
                       outcome="504; then the engine " + ("was stopped" if settled == 0.0 else "stopped working on "
                       "it") + " (under 0.3 CPU s in the next 3 s), and the next query was answered")


@pytest.mark.slow
def test_rest_lookups_and_sparql_share_the_slots(tmp_path, reliability):
    location = data_store(tmp_path / "store")
    with running_server(str(location), POLICYKG_QUERY_TIMEOUT="3", POLICYKG_MAX_CONCURRENT_QUERIES="1",
                        POLICYKG_TOKEN=TOKEN) as url:
        thread, answer = _in_background(url, HEAVY["cartesian join"])
        _wait_until_busy(_engine_pid(location), thread)  # the engine works on it: it holds the one slot
        lookup = httpx.get(url + "/actors", params={"q": "china"}, timeout=60)
        query = send(url, "ASK { ?s ?p ?o }", timeout=60)
        # A write's look-ups have slots of their own (kg.engine.writer_lane): readers cannot starve it.
        write = httpx.post(url + "/entries", content=SECOND, timeout=60, params={"name": "later.yaml"},
                           headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"})
        assert thread.is_alive()
        for refused in (lookup, query):
            body = assert_problem(refused, 503, "POLICYKG_MAX_CONCURRENT_QUERIES")
            assert body["type"].endswith("/server-busy") and refused.headers["retry-after"] == "1"
        assert write.status_code == 201, write.text
        assert write.json()["loaded"] == ["later-report"]
        thread.join()
        assert_problem(answer["response"], 504, "timeout")
        assert httpx.get(url + "/actors", params={"q": "china"}).json()["items"][0]["label"] == "China"
    reliability.record("hostile query", "a REST lookup, an `ASK` and a write while a heavy query holds the only slot",
                       tried=3, lost="nothing", outcome="the lookup and the query 503 `server-busy` with "
                       "`Retry-After: 1`, a write beside them committed (201: writes have slots of their own); "
                       "the heavy one ended in 504; the lookup then answered")


def test_the_cli_query_stops_at_its_timeout_with_exit_1(reliability):
    policykg = str(Path(sys.executable).with_name("policykg"))
    done = subprocess.run([policykg, "query", VALUES_PRODUCT, "--store", ":memory:", "--timeout", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "timeout" in done.stderr and done.stdout == ""
    reliability.record("hostile query", "`policykg query --timeout 1` over 10^10 rows of `VALUES`", tried=1,
                       lost="nothing", outcome="exit 1, the timeout named, nothing on stdout")
