"""Bad input, fuzzed: a corpus of malformed files and hostile strings through every entry point —
the CLI loader, ``POST /entries`` and every REST parameter. Each gets a specific 4xx (a problem
naming what is wrong and where) or exit status 1, and the store is unchanged (its quads compared
before and after). The corpus is written out below, plus strings drawn from a seeded generator.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pytest

from conftest import ROOT, TOKEN, data_store, running_server

GOOD = (ROOT / "data" / "ap-2024-07-02-un-ai-resolutions.yaml").read_text(encoding="utf-8")
HEAD = "source: {id: fuzz, title: Fuzz, publisher: associated-press, issued: 2024-07-02}\n"
PK = "@prefix pk: <https://w3id.org/policykg/ontology#> .\n"


def _deep(opening: str, closing: str, depth: int) -> str:
    return opening * depth + closing * depth


FILES: dict[str, bytes] = {
    # YAML entries: syntax, types, dates, references, limits
    "unclosed.yaml": b"source: [\n",
    "tabs.yaml": b"source:\n\tid: x\n",
    "not-utf8.yaml": HEAD.encode() + b"statements: [{id: s, paraphrase: \"\xff\xfe\"}]\n",
    "empty.yaml": b"",
    "null.yaml": b"~\n",
    "top-level-list.yaml": b"- source: {id: x}\n",
    "python-tag.yaml": b"source: !!python/object/apply:os.system [\"echo pwned\"]\n",
    "billion-laughs.yaml": (b"a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                            + b"".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n".encode()
                                       for p, c in zip("abcdefgh", "bcdefghi"))
                            + HEAD.encode()),
    "deep.yaml": ("source: " + _deep("[", "]", 5000) + "\n").encode(),
    "wrong-types.yaml": b"source: {id: 5, title: [1, 2], publisher: {}, issued: yesterday}\n",
    "wrong-date.yaml": HEAD.replace("2024-07-02", "2024-02-30").encode(),
    "datetime-for-date.yaml": HEAD.replace("2024-07-02", "2024-07-02T25:61:00").encode(),
    "section-not-a-list.yaml": (HEAD + "statements: not a list\n").encode(),
    "unknown-section.yaml": (HEAD + "rumours: [{id: r}]\n").encode(),
    "iri-with-space.yaml": (HEAD + "statements: [{id: s, speaker: 'http://example.org/a b', "
                            "date: 2024-07-01, paraphrase: x}]\n").encode(),
    "iri-with-control.yaml": (HEAD + 'statements: [{id: s, speaker: "http://example.org/a\\u0001b", '
                              "date: 2024-07-01, paraphrase: x}]\n").encode(),
    "slug-with-unicode.yaml": HEAD.replace("id: fuzz", "id: fu\u200bzz").encode(),
    "huge-literal.yaml": HEAD.replace("title: Fuzz", "title: " + "x" * 200_000).encode(),
    "reserved-field.yaml": (HEAD + "statements: [{id: s, speaker: fu-cong, date: 2024-07-01, paraphrase: x, "
                            "checksum: forged}]\n").encode(),
    # JSON entries
    "unclosed.json": b'{"source": {"id": "x"',
    "deep.json": ('{"source": ' + _deep("[", "]", 50_000) + "}").encode(),
    "array.json": b"[]",
    "nan.json": b'{"source": {"id": "x", "title": NaN}}',
    # Turtle, TriG, N-Triples, N-Quads
    "unterminated.ttl": (PK + '<https://w3id.org/policykg/id/source/t> a pk:Source ; pk:x "abc .\n').encode(),
    "iri-with-space.ttl": b"<https://w3id.org/policykg/id/source/a b> a <https://w3id.org/policykg/ontology#Source> .\n",
    "iri-with-control.ttl": b"<https://w3id.org/policykg/id/source/a\x01> a <https://w3id.org/policykg/ontology#Source> .\n",
    "unknown-prefix.ttl": b"nope:a nope:b nope:c .\n",
    "no-source.ttl": b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n",
    "bad-datatype.ttl": (PK + '<https://w3id.org/policykg/id/source/t> pk:x "2024-02-30"'
                         '^^<http://www.w3.org/2001/XMLSchema#date> .\n').encode(),
    "broken.trig": b"GRAPH <https://w3id.org/policykg/graph/x> { <http://x/a> <http://x/b> <http://x/c> \n",
    "foreign-graph.trig": b"<urn:x:g> { <http://x/a> <http://x/b> <http://x/c> . }\n",
    "broken.nt": b"<http://x/a> <http://x/b> .\n",
    "broken.nq": b"<http://x/a> <http://x/b> <http://x/c> <http://x/g> <http://x/h> .\n",
    # JSON-LD
    "unclosed.jsonld": b'{"@id": ',
    "remote-context.jsonld": b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://x/a", "name": "x"}',
    "deep.jsonld": ('{"@id": "http://x/a", "http://x/p": ' + _deep('{"@list": [', "]}", 5000) + "}").encode(),
    "id-with-space.jsonld": b'{"@id": "https://w3id.org/policykg/id/source/a b", "@type": "https://w3id.org/policykg/ontology#Source"}',
    "bad-vocab.jsonld": b'{"@context": {"@vocab": 5}, "@id": "http://x/a", "p": 1}',
}
RDF_XML = {  # through the CLI only (POST /entries takes no RDF/XML)
    "deep.rdf": (b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                 b'xmlns:p="http://x/"><rdf:Description rdf:about="http://x/a">'
                 + b"<p:p><rdf:Description>" * 60_000 + b"</rdf:Description></p:p>" * 60_000
                 + b"</rdf:Description></rdf:RDF>"),
    "entity.rdf": (b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]>\n'
                   b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:p="http://x/">'
                   b'<rdf:Description rdf:about="http://x/a"><p:p>&e;</p:p></rdf:Description></rdf:RDF>'),
}
MEDIA = {".yaml": "application/yaml", ".json": "application/json", ".ttl": "text/turtle",
         ".trig": "application/trig", ".nt": "application/n-triples", ".nq": "application/n-quads",
         ".jsonld": "application/ld+json"}

FIXED_STRINGS = [
    "", " ", "a b", "http://example.org/a b", "http://example.org/a\x00", "\x00", "\x01\x1f\x7f", "\t\n\r",
    "<script>alert(1)</script>", "' OR 1=1 --", '"} } DROP ALL #', "> } ; INSERT DATA { <a> <b> <c> } #",
    "\\", "%00", "%ZZ", "../../etc/passwd", "javascript:alert(1)", "a" * 2000, "\u202eevil", "\u200b",
    "e\u0301" * 50, "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\ufeff", "\uffff", "\U0001d518\U0001d52b",
    "0", "-1", "1e309", "NaN", "9" * 40, "2024-02-30", "2024-13-01", "0000-00-00", "2024-07-01T00:00:00Z",
    "${jndi:ldap://127.0.0.1/a}", "{{7*7}}", "?s ?p ?o", "<http://example.org/>", "_:b0", "pk:", "pk:Statement",
    "actor/", "/", "//", "actor/../../x", "urn:x:\x07",
]
RAW_QUERY_VALUES = ["%FF", "%C0%AF", "%ED%A0%80", "%", "%E2%82"]
"""Percent-escapes that are not UTF-8, sent as they are."""


def hostile_strings(seed: int = 6, count: int = 15) -> list[str]:
    """The fixed strings and ``count`` more drawn from control characters, syntax and Unicode."""
    rng = random.Random(seed)
    alphabet = ("\x00\x01\x08\x0b\x1b\x7f\x85\xa0\u2028\u2029\ufffe\U0010ffff<>{}[]()\"'`\\/?#&=%;:., \t\n"
                "aZ09-_é漢\u0301\u202e")
    drawn = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(count)]
    return FIXED_STRINGS + drawn


def quads(url: str) -> set[str]:
    answer = httpx.get(url + "/sparql", params={"query": "# quads\nSELECT ?g ?s ?p ?o { GRAPH ?g { ?s ?p ?o } }"},
                       headers={"Accept": "text/tab-separated-values"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return set(answer.text.splitlines())


@pytest.fixture(scope="module")
def loaded_server(tmp_path_factory) -> Iterator[str]:
    """A server over an on-disk copy of the data, writes allowed with TOKEN."""
    with running_server(str(data_store(tmp_path_factory.mktemp("hostile") / "store"))) as url:
        yield url


def assert_specific(answer: httpx.Response, *statuses: int) -> dict:
    assert answer.status_code in statuses, (str(answer.url)[:300], answer.status_code, answer.text[:500])
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == answer.status_code and body["detail"].strip()
    return body


def test_every_malformed_file_is_refused_by_post_entries_and_nothing_is_written(loaded_server, reliability):
    before = quads(loaded_server)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(timeout=120) as client:
        for name, data in FILES.items():
            media = MEDIA[Path(name).suffix]
            answer = client.post(loaded_server + "/entries", content=data, params={"name": name},
                                 headers={**auth, "Content-Type": media})
            body = assert_specific(answer, 422)
            assert body["errors"], name
            assert all(error["file"] == name and error["message"] for error in body["errors"]), body
        # a body in another syntax than its Content-Type says
        for media in MEDIA.values():
            answer = client.post(loaded_server + "/entries", content=b"\x00\x01 not this syntax {[<",
                                 params={"name": "mislabelled"}, headers={**auth, "Content-Type": media})
            assert_specific(answer, 422)
        multipart = client.post(loaded_server + "/entries", headers=auth,
                                files=[("file", ("good.yaml", GOOD.encode())), ("file", ("deep.json", FILES["deep.json"]))])
        assert_specific(multipart, 422)  # one bad file: the good one is not written either
    assert quads(loaded_server) == before
    reliability.record("hostile input", "malformed files through `POST /entries` (YAML, JSON, Turtle, TriG, "
                       "N-Triples, N-Quads, JSON-LD)", tried=len(FILES), lost="nothing",
                       outcome="each 422 with `errors` naming the file; the store's quads unchanged")
    reliability.record("hostile input", "`POST /entries` bodies in another syntax than their `Content-Type`, "
                       "and a batch of a good file and a bad one", tried=len(MEDIA) + 1, lost="nothing",
                       outcome="each 422, the good file not written either; the store's quads unchanged")


def test_the_remote_context_is_named_in_the_problem(loaded_server):
    answer = httpx.post(loaded_server + "/entries", content=FILES["remote-context.jsonld"],
                        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/ld+json"})
    body = assert_specific(answer, 422)
    assert "remote @context" in body["errors"][0]["message"]


@pytest.mark.slow
def test_every_malformed_file_fails_the_cli_loader_with_exit_1_and_writes_nothing(tmp_path, reliability):
    from kg.load import load_paths
    from kg.store import Store

    location = tmp_path / "store"
    with Store(location) as store:
        load_paths([ROOT / "data"], store)
        before = set(store)
    # Four loaders at a time, each on its own copy of the store (a store has one owner).
    shards = [tmp_path / f"store-{k}" for k in range(4)]
    for shard in shards:
        shutil.copytree(location, shard)
    policykg = str(Path(sys.executable).with_name("policykg"))
    cases = list({**FILES, **RDF_XML}.items())

    def load(k: int) -> list[tuple[str, subprocess.CompletedProcess]]:
        done = []
        for name, data in cases[k::len(shards)]:
            path = tmp_path / name
            path.write_bytes(data)
            done.append((name, subprocess.run([policykg, "load", str(path), "--store", str(shards[k])],
                                              capture_output=True, text=True, timeout=120)))
        return done

    with ThreadPoolExecutor(len(shards)) as pool:
        results = [pair for found in pool.map(load, range(len(shards))) for pair in found]
    assert len(results) == len(cases)
    for name, done in results:
        assert done.returncode == 1, (name, done.stdout, done.stderr)
        assert name in done.stderr and "nothing was written" in done.stderr, (name, done.stderr)
        assert "Traceback" not in done.stderr
    for shard in shards:
        with Store(shard) as store:
            assert set(store) == before
    reliability.record("hostile input", "malformed files through `policykg load` (those above and RDF/XML)",
                       tried=len(results), lost="nothing", outcome="each exit 1 naming the file with \"nothing "
                       "was written\", no traceback; the store's quads unchanged")


def _rest_parameters(url: str) -> list[tuple[str, str, str]]:
    """(path template, parameter, where) of every GET operation's parameters, from the OpenAPI."""
    spec = httpx.get(url + "/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if path not in ("/sparql", "/history/sparql"):  # SPARQL text: tests/test_hostile_queries.py
                found.append((path, parameter["name"], parameter["in"]))
    return found


EXAMPLE_PATH = {"slug": "china", "kind": "actor", "extension": "ttl", "filename": "policykg.nq", "number": "1"}
"""A valid value for the path parameters not being fuzzed."""
EXAMPLE_QUERY = {"/timeline": {"about": "a-res-78-311"},
                 "/positions/history": {"holder": "china", "target": "us-treasury-outbound-investment-rule"},
                 "/positions/changes": {"holder": "china"}, "/positions/contradictions": {"holder": "china"}}
"""What an operation needs besides the parameter being fuzzed (the timeline: actor or about; the
positions over time: holder, and for the history target)."""


@pytest.mark.slow
def test_every_rest_parameter_refuses_hostile_strings_specifically(loaded_server, reliability):
    before = quads(loaded_server)
    parameters = _rest_parameters(loaded_server)
    assert len(parameters) > 30, parameters
    strings = hostile_strings()
    answered = refused = raw_sent = 0
    with httpx.Client(timeout=60) as client:
        for path, name, where in parameters:
            for value in strings:
                if where == "path":
                    if not value or "/" in value:
                        continue  # no segment, or several (%2F is decoded): another URL, not this parameter
                    target = loaded_server + path.format(**{**EXAMPLE_PATH, name: quote(value, safe="")})
                else:
                    query = {**EXAMPLE_QUERY.get(path, {}), name: value}
                    target = f"{loaded_server}{path.format(**EXAMPLE_PATH)}?{urlencode(query)}"
                answer = client.get(target, headers={"Accept": "application/json"})
                if answer.status_code == 200:
                    answered += 1  # text to look for, or a value that names something: a real answer
                    continue
                refused += 1
                body = assert_specific(answer, 404, 406, 422)
                if answer.status_code == 422:
                    assert name in body["detail"] or name.rstrip("_") in body["detail"], (target, body)
            if where == "query":
                for raw in RAW_QUERY_VALUES:
                    answer = client.get(f"{loaded_server}{path.format(**EXAMPLE_PATH)}?{name}={raw}")
                    raw_sent += 1
                    assert answer.status_code in (200, 400, 404, 422), (path, name, raw, answer.text)
                    assert answer.status_code == 200 or answer.headers["content-type"].startswith(
                        "application/problem+json")
    assert refused > answered > 0
    assert quads(loaded_server) == before
    operations = len({path for path, _, _ in parameters})
    reliability.record("hostile input", f"{len(strings)} hostile strings ({len(FIXED_STRINGS)} written out, "
                       f"the rest seeded) in each of {len(parameters)} REST parameters of {operations} "
                       "operations", tried=answered + refused, lost="nothing",
                       outcome=f"{answered:,} answered 200, {refused:,} refused with 404, 406 or 422 naming the "
                       "parameter; never a 500; the store's quads unchanged")
    reliability.record("hostile input", "percent-escapes that are not UTF-8 in each REST query parameter",
                       tried=raw_sent, lost="nothing", outcome="200, or 400, 404 or 422 with a problem; never a 500")


def test_hostile_strings_are_seeded():
    assert hostile_strings() == hostile_strings()
    assert len(set(hostile_strings())) > 50
    assert json.dumps(hostile_strings())  # every one is text


@pytest.fixture
def recording_http_server() -> Iterator[tuple[str, list[str]]]:
    """A JSON-LD context served on 127.0.0.1, and the paths it was asked for."""
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            asked.append(self.path)
            body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/context.jsonld", asked
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def test_a_remote_jsonld_context_is_never_fetched(loaded_server, recording_http_server, tmp_path, reliability):
    context_url, asked = recording_http_server
    assert httpx.get(context_url).status_code == 200 and asked == ["/context.jsonld"]  # it answers
    asked.clear()
    document = json.dumps({"@context": context_url, "@id": "https://w3id.org/policykg/id/source/x",
                           "name": "x"}).encode()
    answer = httpx.post(loaded_server + "/entries", content=document, params={"name": "remote.jsonld"},
                        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/ld+json"})
    body = assert_specific(answer, 422)
    assert body["errors"][0]["field"] == "@context" and "remote @context" in body["errors"][0]["message"]
    path = tmp_path / "remote.jsonld"
    path.write_bytes(document)
    done = subprocess.run([str(Path(sys.executable).with_name("policykg")), "validate", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "remote @context" in done.stderr, done.stderr
    assert asked == []
    reliability.record("hostile input", "a JSON-LD file whose `@context` is a URL served on 127.0.0.1, through "
                       "`POST /entries` and `policykg validate`", tried=2, lost="nothing",
                       outcome="422 and exit 1 naming the remote `@context`; the context was never asked for")


def test_a_batch_of_more_files_than_allowed_is_refused(loaded_server, reliability):
    from api.routes.entries import MAX_FILES

    before = quads(loaded_server)
    files = [("file", (f"f{i}.yaml", GOOD.encode())) for i in range(MAX_FILES + 1)]
    answer = httpx.post(loaded_server + "/entries", files=files, headers={"Authorization": f"Bearer {TOKEN}"},
                        timeout=120)
    body = assert_specific(answer, 400)
    assert str(MAX_FILES) in body["detail"]
    assert quads(loaded_server) == before
    reliability.record("hostile input", f"a batch of {len(files)} files through `POST /entries`", tried=1,
                       lost="nothing", outcome=f"400 naming the limit ({MAX_FILES}); the store's quads unchanged")


def test_entry_limits_name_the_entry_field_and_line():
    from kg.entries import MAX_LITERAL, MAX_NESTING, NamedInput, parse_batch
    from kg.errors import EntryError

    long_quote = HEAD + f"statements:\n  - {{id: s, quote: {'x' * (MAX_LITERAL + 1)}}}\n"
    with pytest.raises(EntryError) as caught:
        parse_batch([NamedInput("long.yaml", long_quote.encode())])
    [problem] = [p for p in caught.value.problems if "limit" in p.message]
    assert (problem.file, problem.entry, problem.field, problem.line) == ("long.yaml", "s", "quote", 3)
    assert f"{MAX_LITERAL:,}" in problem.message
    deep = b'{"source": {"id": "x"},\n "statements": ' + b"[" * MAX_NESTING + b"]" * MAX_NESTING + b"}"
    with pytest.raises(EntryError) as caught:
        parse_batch([NamedInput("deep.json", deep)])
    assert [(p.line, p.message) for p in caught.value.problems] == [
        (2, f"arrays and objects nest more than {MAX_NESTING} deep")]
