"""Access: CORS for reads only, security headers on HTML pages, no stack traces in answers, and the
write token never in an answer or a log."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from api import Settings, create_app
from api.html import CSP
from conftest import ROOT, TOKEN
from kg.engine import free_port

ORIGIN = "https://elsewhere.example"
ENTRY = (ROOT / "data" / "ap-2024-07-02-un-ai-resolutions.yaml").read_bytes()


def _preflight(url: str, path: str, method: str) -> httpx.Response:
    return httpx.options(url + path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": method,
                                              "Access-Control-Request-Headers": "authorization, content-type"})


@pytest.mark.parametrize(("path", "method"), [("/sparql", "GET"), ("/sparql", "POST"), ("/actors", "GET"),
                                              ("/id/actor/china", "GET"), ("/dumps/policykg.nq", "HEAD")])
def test_reads_are_open_to_every_origin(server, path, method, reliability):
    preflight = _preflight(server, path, method)
    assert preflight.status_code == 200, preflight.text
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert method in preflight.headers["access-control-allow-methods"]
    answer = httpx.get(server + "/actors", params={"q": "china"}, headers={"Origin": ORIGIN})
    assert answer.headers["access-control-allow-origin"] == "*"
    reliability.record("access", "a read from another origin (GET, HEAD, a query by POST)", tried=1,
                       lost="nothing", outcome="preflight and answer allow every origin")


@pytest.mark.parametrize(("path", "method"), [("/entries", "POST"), ("/sources/anything", "DELETE"),
                                              ("/sparql", "PUT"), ("/entries", "PUT")])
def test_writes_are_not_open_to_other_origins(writable_server, path, method, reliability):
    preflight = _preflight(writable_server, path, method)
    assert preflight.status_code >= 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-methods" not in preflight.headers
    # sent anyway (a "simple" request needs no preflight): the browser is given no CORS headers
    answer = httpx.request(method, writable_server + path, content=ENTRY,
                           headers={"Origin": ORIGIN, "Content-Type": "application/yaml",
                                    "Authorization": f"Bearer {TOKEN}"})
    assert "access-control-allow-origin" not in answer.headers
    reliability.record("access", "a write from another origin, with the token (preflight, then sent anyway)",
                       tried=1, lost="nothing", outcome="preflight refused; no CORS headers on the answer, so "
                       "the page cannot read it")


def _style_hash(page: str) -> str:
    css = re.search(r"<style>(.*?)</style>", page, re.S).group(1)  # type: ignore[union-attr]
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("path", ["/", "/id/actor/china", "/ontology"])
def test_html_pages_carry_the_security_headers(server, path, reliability):
    page = httpx.get(server + path, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-frame-options"] == "DENY"
    csp = page.headers["content-security-policy"]
    assert csp == CSP
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert _style_hash(page.text) in csp  # the inline stylesheet is the one the policy allows
    assert "<script" not in page.text
    reliability.record("access", "an HTML page", tried=1, lost="nothing",
                       outcome="`nosniff`, `no-referrer`, `X-Frame-Options: DENY` and a Content-Security-Policy "
                       "allowing its one stylesheet by hash; no script")


def test_every_answer_is_nosniff_and_api_docs_keep_their_cdn(server):
    for response in (httpx.get(server + "/actors"), httpx.get(server + "/nowhere"),
                     httpx.get(server + "/sparql", params={"query": "SELECT"})):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "content-security-policy" not in response.headers  # not a page
    docs = httpx.get(server + "/docs")
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"


def test_an_internal_error_is_a_problem_without_a_stack_trace(reliability):
    import uvicorn

    app = create_app(Settings(store=":memory:"))

    @app.get("/-/fail")
    def fail() -> None:  # an error no handler knows, as a bug would raise
        raise RuntimeError("secret detail from deep inside /srv/policykg/kg/store.py")

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive()
            time.sleep(0.02)
        answer = httpx.get(f"http://127.0.0.1:{port}/-/fail")
    finally:
        server.should_exit = True
        thread.join()
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"].endswith("/internal") and body["status"] == 500
    leaks = ("Traceback", "secret detail", "store.py", "RuntimeError", 'File "')
    for leak in leaks:
        assert leak not in answer.text
    reliability.record("access", "an error no handler knows, raised by a route", tried=1, lost="nothing",
                       outcome=f"500 `internal` problem; none of {len(leaks)} traces of it (message, file, "
                       "traceback) in the answer")


@contextmanager
def logged_server(store: Path, log: Path) -> Iterator[str]:
    """``policykg serve`` with everything it prints going to ``log``."""
    url = f"http://127.0.0.1:{(port := free_port())}"
    command = [str(Path(sys.executable).with_name("policykg")), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--store", str(store)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "POLICYKG_TOKEN": TOKEN, "POLICYKG_MAX_BODY": "200000"})
        try:
            for _ in range(1500):
                assert proc.poll() is None, log.read_text()
                try:
                    if httpx.get(url + "/-/health", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.02)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@pytest.mark.slow
def test_the_token_never_appears_in_answers_or_logs(tmp_path, reliability):
    store, log = tmp_path / "store", tmp_path / "server.log"
    near_miss = TOKEN[:-1] + "X"
    answers = []
    with logged_server(store, log) as url:
        def post(token: str, content: bytes, **kwargs: object) -> httpx.Response:
            answer = httpx.post(url + "/entries", content=content, timeout=120, **kwargs,  # type: ignore[arg-type]
                                headers={"Content-Type": "application/yaml", "Authorization": f"Bearer {token}"})
            answers.append(answer)
            return answer

        assert post(near_miss, ENTRY).status_code == 401
        assert post(TOKEN + " extra", ENTRY).status_code == 401
        assert post(TOKEN, b"source: [unclosed").status_code == 422
        assert post(TOKEN, ENTRY * 300).status_code == 413
        assert post(TOKEN, ENTRY, params={"name": "bad name!"}).status_code == 422
        assert post(TOKEN, ENTRY).status_code == 201
        answers.append(httpx.delete(url + "/sources/nothing-here", headers={"Authorization": f"Bearer {TOKEN}"}))
        answers.append(httpx.get(url + "/sparql", params={"query": "SELECT ?x {", "token": TOKEN},
                                 headers={"Authorization": f"Bearer {TOKEN}"}))
        loaded = subprocess.run([str(Path(sys.executable).with_name("policykg")), "load", str(ROOT / "data"),
                                 "--server", url, "--token", near_miss], capture_output=True, text=True, timeout=120)
        assert loaded.returncode == 1
    texts = [answer.text for answer in answers] + [loaded.stdout, loaded.stderr, log.read_text()]
    texts += [path.read_text(errors="replace") for path in store.glob("*.log")]
    for text in texts:
        assert TOKEN not in text and near_miss not in text
    reliability.record("access", "the write token, a near miss and one with extra text, in writes, a bad query "
                       "and `policykg load --server`", tried=len(answers) + 1, lost="nothing",
                       outcome=f"wrong tokens 401; neither token in any of {len(texts)} answers, outputs and logs")


@pytest.mark.parametrize(("path", "allowed"), [("/sources/x", "DELETE, GET, HEAD"), ("/sparql", "GET, HEAD, POST"),
                                               ("/entries", "POST"), ("/actors", "GET, HEAD")])
def test_a_405_names_every_method_of_the_path(server, path, allowed, reliability):
    answer = httpx.request("OPTIONS", server + path)  # no preflight: a method no route takes
    assert answer.status_code == 405 and answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["allow"] == allowed
    reliability.record("access", "a method no route of the path takes", tried=1, lost="nothing",
                       outcome="405 problem whose `Allow` names every method of the path")
