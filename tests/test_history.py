"""Record time (kg/history.py, docs/history.md): every write of a source is a version, kept whole;
who wrote it and why; the graph as it stood at a moment, through the CLI and a real server.

The corrected copy of the first article's entry file is made here, for the tests: its one change
(a hyphen dropped from a quote) is invented, not reporting.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import ROOT, TOKEN, running_server
from kg.history import version_iri, version_quads, versions
from kg.load import load_paths
from kg.store import Store

POLICYKG = str(Path(sys.executable).with_name("policykg"))
SLUG = "ap-2024-07-02-un-ai-resolutions"
ORIGINAL = (ROOT / "data" / f"{SLUG}.yaml").read_text(encoding="utf-8")
OLD, NEW = "great and far-reaching", "great and far reaching"
CORRECTED = ORIGINAL.replace(OLD, NEW)
QUOTES = 'SELECT ?q WHERE { ?s <https://w3id.org/policykg/ontology#quote> ?q FILTER(CONTAINS(?q, "great")) }'


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([POLICYKG, *args], capture_output=True, text=True, timeout=300)


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{SLUG}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def quotes_as_of(store: Path, moment: str) -> list[str]:
    done = run("query", QUOTES, "--store", str(store), "--format", "json", "--as-of", moment)
    assert done.returncode == 0, done.stderr
    return [row["q"]["value"] for row in json.loads(done.stdout)["results"]["bindings"]]


def test_versions_through_the_cli(tmp_path):
    store = tmp_path / "store"
    assert run("load", str(write(tmp_path / "v1", ORIGINAL)), "--store", str(store), "--by", "desk-a",
               "-m", "first reading").returncode == 0
    time.sleep(1.1)  # record times have whole seconds: the two versions must not share one
    done = run("load", str(write(tmp_path / "v2", CORRECTED)), "--store", str(store), "--by", "desk-b",
               "--message", "a quote corrected")
    assert done.returncode == 0, done.stderr
    listed = run("history", SLUG, "--store", str(store), "--format", "json")
    assert listed.returncode == 0, listed.stderr
    first, second = json.loads(listed.stdout)
    graph = f"https://w3id.org/policykg/graph/{SLUG}"
    assert (first["version"], first["recordedBy"], first["changeNote"]) == (1, "desk-a", "first reading")
    assert (second["version"], second["recordedBy"], second["changeNote"]) == (2, "desk-b", "a quote corrected")
    assert first["id"] == version_iri(graph, 1) and first["tripleCount"] == second["tripleCount"] == 725
    assert first["checksum"] != second["checksum"] and first["recordedAt"] < second["recordedAt"]

    # A past version, whole, named by its own IRI.
    trig = run("history", SLUG, "--version", "1", "--store", str(store))
    quads = list(ox.parse(trig.stdout.encode(), format=ox.RdfFormat.TRIG))
    assert len(quads) == 725 and {q.graph_name.value for q in quads} == {first["id"]}
    assert any(q.object.value == OLD for q in quads) and not any(q.object.value == NEW for q in quads)

    # The graph as it stood: before anything, at the first version, now.
    assert quotes_as_of(store, "2020-01-01") == []
    assert quotes_as_of(store, first["recordedAt"]) == [OLD]
    assert quotes_as_of(store, second["recordedAt"]) == [NEW]
    current = run("query", QUOTES, "--store", str(store), "--format", "json")
    assert [b["q"]["value"] for b in json.loads(current.stdout)["results"]["bindings"]] == [NEW]

    # Named queries too; and the store (with its versions) checks out.
    named = run("query", "@statements_by_speaker", "-p", "speaker=fu-cong", "--store", str(store), "--format", "csv",
                "--as-of", first["recordedAt"])
    assert named.returncode == 0 and OLD in named.stdout
    verified = run("verify", "--store", str(store))
    assert verified.returncode == 0 and verified.stdout.startswith("ok"), verified.stdout + verified.stderr


def test_cli_errors_name_what_is_wrong(tmp_path):
    store = tmp_path / "store"
    run("load", str(ROOT / "data"), "--store", str(store))
    for args, message in ((("history", "no-such-source"), "no source 'no-such-source'"),
                          (("history", SLUG, "--version", "7"), "has no version 7"),
                          (("history", SLUG, "--format", "trig"), "'trig' is not a format here"),
                          (("query", QUOTES, "--as-of", "last tuesday"), "--as-of 'last tuesday'")):
        done = run(*args, "--store", str(store))
        assert done.returncode != 0 and message in done.stderr, (args, done.stderr)


def test_a_failed_write_adds_no_version_and_a_store_without_versions_gets_them(tmp_path):
    location = tmp_path / "store"
    with Store(location, keep_history=False) as store:  # as a store written before versions were kept
        load_paths([ROOT / "data"], store)
    with Store(location) as store:
        (implicit,) = [v.as_json() for v in versions(store, SLUG)]
        assert implicit["version"] == 1 and implicit["tripleCount"] == 725
        broken = write(tmp_path / "bad", CORRECTED.replace("speaker: fu-cong", "speaker: nobody-known", 1))
        with pytest.raises(Exception, match="nobody-known"):
            load_paths([broken], store)
        load_paths([write(tmp_path / "v2", CORRECTED)], store)
        assert [v.number for v in versions(store, SLUG)] == [1, 2]
        assert all(v.recorded for v in versions(store, SLUG))
        old = {q.object.value for q in version_quads(store, SLUG, 1)}
        assert OLD in old and NEW not in old
    with Store(location) as store:  # kept on disk
        assert [v.number for v in versions(store, SLUG)] == [1, 2]
        assert len(version_quads(store, SLUG, 2)) == 725


def test_versions_and_as_of_through_a_server(tmp_path):
    location = tmp_path / "store"
    with running_server(str(location), POLICYKG_TOKEN_NAME="newsroom-desk") as url:
        auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"}
        first = httpx.post(url + "/entries", content=ORIGINAL.encode(), headers=auth,
                           params={"name": f"{SLUG}.yaml", "message": "first reading"})
        assert first.status_code == 201, first.text
        time.sleep(1.1)
        second = httpx.post(url + "/entries", content=CORRECTED.encode(), headers=auth,
                            params={"name": f"{SLUG}.yaml", "message": "a quote corrected"})
        assert second.status_code == 201, second.text
        listed = httpx.get(f"{url}/sources/{SLUG}/history").json()
        v1, v2 = listed["items"]
        assert (v1["recordedBy"], v1["changeNote"], v2["changeNote"]) == ("newsroom-desk", "first reading",
                                                                           "a quote corrected")
        trig = httpx.get(f"{url}/sources/{SLUG}/versions/1")
        assert trig.status_code == 200 and trig.headers["content-type"].startswith("application/trig")
        assert OLD in trig.text and NEW not in trig.text
        nquads = httpx.get(f"{url}/sources/{SLUG}/versions/2", headers={"Accept": "application/n-quads"})
        assert f"<{v2['id']}>" in nquads.text and NEW in nquads.text
        assert httpx.get(f"{url}/sources/{SLUG}/versions/1", headers={"Accept": "image/png"}).status_code == 406
        missing = httpx.get(f"{url}/sources/{SLUG}/versions/3")
        assert missing.status_code == 404 and "has no version 3" in missing.json()["detail"]

        def quotes(**params: str) -> list[str]:
            answer = httpx.get(url + "/statements", params={"speaker": "fu-cong", "limit": "100", **params})
            assert answer.status_code == 200, answer.text
            return [quote for item in answer.json()["items"] for quote in item.get("quote", []) if "great" in quote]

        assert quotes() == [NEW]
        assert quotes(as_of=v1["recordedAt"]) == [OLD]

        # The versions are named graphs of /history/sparql: a SPARQL user's own as-of query.
        by_hand = f"SELECT ?q FROM <{v1['id']}> WHERE {{ ?s <https://w3id.org/policykg/ontology#quote> ?q " \
                  'FILTER(CONTAINS(?q, "great")) }'
        answer = httpx.post(url + "/history/sparql", data={"query": by_hand},
                            headers={"Accept": "application/sparql-results+json"})
        assert [b["q"]["value"] for b in answer.json()["results"]["bindings"]] == [OLD]
        graphs = httpx.get(url + "/history/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"},
                           headers={"Accept": "text/csv"}).text.split()
        assert sorted(graphs[1:]) == [v1["id"], v2["id"]]
        refused = httpx.get(url + "/history/sparql", params={"query": "SELECT * { SERVICE <http://example.org/> {} }"})
        assert refused.status_code == 400 and "SERVICE is refused" in refused.json()["detail"]
        assert httpx.post(url + "/history/sparql", data={"update": "DROP ALL"}).status_code == 400
        before = httpx.get(url + "/statements", params={"speaker": "fu-cong", "as_of": "2020-01-01"})
        assert before.status_code == 404  # nobody of that name was in the graph then
        bad = httpx.get(url + "/statements", params={"speaker": "fu-cong", "as_of": "yesterday"})
        assert bad.status_code == 422 and "as_of 'yesterday'" in bad.json()["detail"]

        time.sleep(1.1)
        gone = httpx.delete(f"{url}/sources/{SLUG}", headers=auth, params={"message": "withdrawn"})
        assert gone.status_code == 200
        *_, deletion = httpx.get(f"{url}/sources/{SLUG}/history").json()["items"]
        assert deletion["deleted"] and deletion["version"] == 3 and deletion["changeNote"] == "withdrawn"
        assert quotes(as_of=v2["recordedAt"]) == [NEW]
        now = httpx.get(url + "/statements", params={"speaker": "fu-cong"})
        assert now.status_code == 404 and "nothing with id 'fu-cong'" in now.json()["detail"]
        health = httpx.get(url + "/-/health").json()
        assert health["status"] == "ok"
