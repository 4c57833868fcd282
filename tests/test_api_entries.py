"""Token-guarded writes through a real server: authorisation, validation reports, atomicity."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from conftest import TOKEN, running_server

ROOT = Path(__file__).resolve().parent.parent
ENTRY = (ROOT / "data" / "ap-2024-07-02-un-ai-resolutions.yaml").read_bytes()
AUTH = {"Authorization": f"Bearer {TOKEN}"}
YAML = {"Content-Type": "application/yaml"}

SECOND = b"""\
source: {id: later-report, title: A later report, publisher: associated-press, issued: 2024-07-05}
statements:
  - {id: again, speaker: fu-cong, onBehalfOf: china, date: 2024-07-04, paraphrase: Fu said it again,
     about: us-treasury-outbound-investment-rule}
"""


def quads(url: str) -> set[str]:
    answer = httpx.get(url + "/sparql", params={"query": "SELECT ?g ?s ?p ?o { GRAPH ?g { ?s ?p ?o } }"},
                       headers={"Accept": "text/tab-separated-values"})
    assert answer.status_code == 200, answer.text
    return set(answer.text.splitlines())


def test_writes_need_the_token(writable_server):
    assert httpx.post(writable_server + "/entries", content=ENTRY, headers=YAML).status_code == 401
    wrong = httpx.post(writable_server + "/entries", content=ENTRY, headers={**YAML, "Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["content-type"] == "application/problem+json"
    assert httpx.get(writable_server + "/-/health").json()["quads"] == 0


def test_post_entries_then_again_unchanged_then_delete(writable_server):
    first = httpx.post(writable_server + "/entries", content=ENTRY, headers={**YAML, **AUTH})
    assert first.status_code == 201, first.text
    assert first.json()["loaded"] == ["ap-2024-07-02-un-ai-resolutions"] and first.json()["triples"] == 725
    again = httpx.post(writable_server + "/entries", content=ENTRY, headers={**YAML, **AUTH})
    assert again.json()["unchanged"] == ["ap-2024-07-02-un-ai-resolutions"]
    second = httpx.post(writable_server + "/entries", content=SECOND, headers={**YAML, **AUTH})
    assert second.status_code == 201, second.text  # references entities of the first source
    gone = httpx.delete(writable_server + "/sources/later-report", headers=AUTH)
    assert gone.status_code == 200
    assert httpx.delete(writable_server + "/sources/later-report", headers=AUTH).status_code == 404
    assert httpx.get(writable_server + "/-/health").json()["graphs"] == 1


def test_invalid_entries_422_with_the_report_and_nothing_written(writable_server):
    httpx.post(writable_server + "/entries", content=ENTRY, headers={**YAML, **AUTH}).raise_for_status()
    before = quads(writable_server)
    bad = SECOND.replace(b"date: 2024-07-04", b"date: 2024-07-09").replace(b"speaker: fu-cong", b"speaker: nobody")
    answer = httpx.post(writable_server + "/entries", content=bad, headers={**YAML, **AUTH},
                        params={"name": "later.yaml"})
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["status"] == 422 and problem["errors"]
    assert {"file": "later.yaml", "entry": "again", "field": "speaker"}.items() <= problem["errors"][0].items()
    assert quads(writable_server) == before


def test_a_multipart_batch_with_one_bad_file_writes_nothing(writable_server):
    bad = SECOND.replace(b"paraphrase: Fu said it again,", b"")
    files = [("file", ("entry.yaml", ENTRY)), ("file", ("later.yaml", bad))]
    answer = httpx.post(writable_server + "/entries", files=files, headers=AUTH)
    assert answer.status_code == 422, answer.text
    assert any(e["entry"] == "again" for e in answer.json()["errors"])
    assert httpx.get(writable_server + "/-/health").json()["quads"] == 0
    good = [("file", ("entry.yaml", ENTRY)), ("file", ("later.yaml", SECOND))]
    assert httpx.post(writable_server + "/entries", files=good, headers=AUTH).json()["loaded"] == [
        "ap-2024-07-02-un-ai-resolutions", "later-report"]


def test_turtle_body_and_unsupported_type(writable_server):
    ttl = b"""@prefix pk: <https://w3id.org/policykg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/policykg/id/source/t> a pk:Source ; dcterms:title "T"@en ;
  dcterms:publisher <https://w3id.org/policykg/id/actor/p> ; dcterms:issued "2024-07-02"^^xsd:date .
<https://w3id.org/policykg/id/actor/p> a pk:NewsOrganization ; rdfs:label "P"@en .
"""
    answer = httpx.post(writable_server + "/entries", content=ttl, headers={"Content-Type": "text/turtle", **AUTH})
    assert answer.status_code == 201 and answer.json()["loaded"] == ["t"], answer.text
    other = httpx.post(writable_server + "/entries", content=b"x", headers={"Content-Type": "text/plain", **AUTH})
    assert other.status_code == 415


def test_writes_disabled_without_a_token_and_body_limit():
    with running_server(":memory:", POLICYKG_TOKEN="", POLICYKG_MAX_BODY="2000") as url:
        disabled = httpx.post(url + "/entries", content=SECOND, headers={**YAML, **AUTH})
        assert disabled.status_code == 403
        huge = httpx.post(url + "/entries", content=ENTRY, headers={**YAML, **AUTH})
        assert huge.status_code == 413 and huge.json()["status"] == 413


def test_cli_loads_through_the_server_and_explains_a_locked_store(tmp_path):
    location = tmp_path / "store"
    policykg = str(Path(sys.executable).with_name("policykg"))
    with running_server(str(location)) as url:
        locked = subprocess.run([policykg, "load", str(ROOT / "data"), "--store", str(location)],
                                capture_output=True, text=True, timeout=60)
        assert locked.returncode == 1 and "policykg load --server" in locked.stderr
        through = subprocess.run([policykg, "load", str(ROOT / "data"), "--server", url, "--token", TOKEN],
                                 capture_output=True, text=True, timeout=60)
        assert through.returncode == 0, through.stderr
        assert "loaded ap-2024-07-02-un-ai-resolutions" in through.stdout
        refused = subprocess.run([policykg, "load", str(ROOT / "data"), "--server", url, "--token", "wrong"],
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode == 1 and "401" in refused.stderr
        assert httpx.get(url + "/-/health").json()["graphs"] == 1


@pytest.mark.parametrize("method", ["put", "patch"])
def test_entries_only_takes_post(writable_server, method):
    assert getattr(httpx, method)(writable_server + "/entries", content=ENTRY, headers=AUTH).status_code == 405
