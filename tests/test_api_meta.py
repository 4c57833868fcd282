"""The front page, instance metadata, the OpenAPI, and the one error shape."""

from __future__ import annotations

import httpx
import pytest


def test_front_page_links_everything(server):
    page = httpx.get(server + "/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for path in ("/sparql", "/docs", "/void", "/ontology", "/dumps/policykg.trig"):
        assert f'href="{path}"' in page.text
        assert httpx.get(server + path).status_code == 200, path


def test_health_and_version(server):
    assert httpx.get(server + "/-/health").json() == {"status": "ok", "quads": 738, "graphs": 1}
    assert set(httpx.get(server + "/-/version").json()) == {"policykg", "pyoxigraph", "python"}


def test_openapi_every_operation_has_an_id_and_a_documented_answer(server):
    spec = httpx.get(server + "/openapi.json").json()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            assert operation.get("operationId"), (path, method)
            assert operation.get("summary") or operation.get("description"), (path, method)
    assert httpx.get(server + "/docs").status_code == 200


@pytest.mark.parametrize("method,path,status", [
    ("get", "/no-such-route", 404),
    ("get", "/actors/no-such-actor", 404),
    ("get", "/statements?from=not-a-date", 422),
    ("get", "/sparql?query=SELECT", 400),
    ("put", "/sparql", 405),
    ("post", "/entries", 401),
    ("get", "/id/actor/nobody", 404),
    ("get", "/dumps/nothing.trig", 404),
])
def test_one_error_shape(server, method, path, status):
    answer = httpx.request(method, server + path)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == status
