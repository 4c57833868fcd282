"""Linked data through a real server: /id/ pages by content negotiation, the vocabulary files,
/void, and dumps re-imported into rdflib.

The expected data comes from a second, independent store loaded from the same ``data/`` files
(``reference``): the served store must answer with exactly what the entry files say.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple
from rdflib.compare import isomorphic

from api.html import Linker, entity_page
from kg.describe import Description, ontology_triples
from kg.iris import DEFAULT_BASE_IRI, HASHED_KINDS, KINDS, Iris
from kg.load import load_paths
from kg.resources import ontology_files
from kg.store import Store

ROOT = Path(__file__).resolve().parent.parent
BASE = DEFAULT_BASE_IRI
GRAPH_BASE = Iris().graph_base
META = Iris().meta_graph
SOURCE = "ap-2024-07-02-un-ai-resolutions"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
PK = "https://w3id.org/policykg/ontology#"
RDF_ACCEPTS = {
    "text/turtle": RdfFormat.TURTLE,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
}
TWINS = {"ttl": RdfFormat.TURTLE, "jsonld": RdfFormat.JSON_LD, "nt": RdfFormat.N_TRIPLES, "rdf": RdfFormat.RDF_XML}
DUMPS = {"trig": "trig", "nq": "nquads", "jsonld": "json-ld"}  # dataset formats → rdflib parser


@pytest.fixture(scope="module")
def reference() -> Iterator[Store]:
    """The bundled data, loaded into a store of our own."""
    with Store() as store:
        load_paths([ROOT / "data"], store)
        yield store


@pytest.fixture(scope="module")
def examples(reference: Store) -> dict[str, tuple[str, set[str]]]:
    """kind → (slug, its rdf:type IRIs) for one entity of each kind."""
    rows = reference.select("SELECT ?s ?type WHERE { ?s a ?type } ORDER BY ?s")
    found: dict[str, tuple[str, set[str]]] = {}
    for row in rows:
        iri = row["s"].value
        if not iri.startswith(BASE):
            continue
        kind, _, slug = iri[len(BASE):].partition("/")
        if kind in found and found[kind][0] != slug:
            continue
        found.setdefault(kind, (slug, set()))[1].add(row["type"].value)
    return found


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


def _triples(body: bytes, fmt: RdfFormat) -> set[Triple]:
    return {Triple(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(body, fmt)}


def _rdflib(data: bytes, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib 7.6 warns about its own use of default_context
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        dataset.parse(data=data, format=fmt)
    return dataset


def _graphs(dataset: rdflib.Dataset) -> dict[str, rdflib.Graph]:
    """Graph name → its triples, for the non-empty graphs."""
    out: dict[str, rdflib.Graph] = {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        for s, p, o, g in dataset.quads((None, None, None, None)):
            name = str(g.identifier if isinstance(g, rdflib.Graph) else g)
            out.setdefault(name, rdflib.Graph()).add((s, p, o))
    return out


def _reference_graphs(store: Store) -> dict[str, rdflib.Graph]:
    nquads = b"".join(store.export_chunks(RdfFormat.N_QUADS))
    return _graphs(_rdflib(nquads, "nquads"))


def _without_record_times(graph: rdflib.Graph) -> set:
    return {t for t in graph if str(t[1]) != PK + "recordedAt"}


def _problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.html_lang: str | None = None
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_lang = values.get("lang")
        if tag == "script" and values.get("type") != "application/ld+json":  # JSON-LD is data, not run
            self.scripts += 1
        if tag in ("a", "link") and values.get("href"):
            self.hrefs.append(values["href"] or "")


def _links(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


# --- /id/{kind}/{slug} ----------------------------------------------------------------------------


# data/ reports nothing a second time, so it has no pk:Report: tests/test_tracking_curation.py
# dereferences one.
DATA_KINDS = tuple(kind for kind in KINDS if kind != "report")


def test_there_is_an_example_of_every_kind(examples):
    assert set(examples) == set(DATA_KINDS)
    for kind in sorted(set(HASHED_KINDS) & set(DATA_KINDS)):
        assert re.fullmatch(r"[0-9a-f]{16}", examples[kind][0]), kind


@pytest.mark.parametrize("kind", DATA_KINDS)
def test_every_kind_in_every_rdf_format(client, examples, kind):
    slug, types = examples[kind]
    iri = NamedNode(f"{BASE}{kind}/{slug}")
    for accept, fmt in RDF_ACCEPTS.items():
        response = client.get(f"/id/{kind}/{slug}", headers={"Accept": accept})
        assert response.status_code == 200, (accept, response.text)
        assert response.headers["content-type"].split(";")[0] == fmt.media_type
        assert "Accept" in response.headers["vary"]
        assert response.headers["content-location"] == f"/id/{kind}/{slug}.{fmt.file_extension}"
        triples = _triples(response.content, fmt)
        for type_iri in types:
            assert Triple(iri, NamedNode(RDF_TYPE), NamedNode(type_iri)) in triples, (accept, type_iri)


@pytest.mark.parametrize("kind", DATA_KINDS)
def test_every_kind_as_html(client, examples, reference, kind):
    slug, _ = examples[kind]
    response = client.get(f"/id/{kind}/{slug}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    links = _links(page)
    assert links.html_lang == "en" and links.scripts == 0
    for ext in TWINS:
        assert f"/id/{kind}/{slug}.{ext}" in links.hrefs
    label = reference.select("SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
                             substitutions={"s": NamedNode(f"{BASE}{kind}/{slug}")})
    if label:
        assert f"<h1>{escape(label[0]['l'].value)}</h1>" in page


def test_json_is_answered_with_json_ld_in_our_context(client):
    response = client.get("/id/actor/china", headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/ld+json"
    document = response.json()
    assert document["@context"]["label"] == "rdfs:label"
    nodes = document.get("@graph", [document])
    china = next(n for n in nodes if n["id"] == BASE + "actor/china")
    assert china["label"] == "China" and china["type"] == "State"


def test_default_is_turtle(client):
    for accept in (None, "*/*"):
        response = client.get("/id/actor/china", headers={"Accept": accept} if accept else {})
        assert response.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("ext", [*TWINS, "html"])
def test_suffix_twins(client, ext):
    response = client.get(f"/id/resolution/a-res-78-311.{ext}", headers={"Accept": "image/png"})
    assert response.status_code == 200
    if ext == "html":
        assert response.headers["content-type"].startswith("text/html")
        assert "A/RES/78/311" in response.text
    else:
        fmt = TWINS[ext]
        assert response.headers["content-type"].split(";")[0] == fmt.media_type
        assert Triple(NamedNode(BASE + "resolution/a-res-78-311"), NamedNode(RDF_TYPE),
                      NamedNode(PK + "Resolution")) in _triples(response.content, fmt)


def test_negotiated_and_twin_answers_agree(client):
    negotiated = client.get("/id/actor/fu-cong", headers={"Accept": "application/n-triples"})
    twin = client.get("/id/actor/fu-cong.nt")
    assert _triples(negotiated.content, RdfFormat.N_TRIPLES) == _triples(twin.content, RdfFormat.N_TRIPLES)
    assert 'rel="alternate"' in negotiated.headers["link"] and "/id/actor/fu-cong.ttl" in negotiated.headers["link"]


def test_the_host_header_does_not_change_the_iris(client):
    usual = client.get("/id/actor/china", headers={"Accept": "application/n-triples"})
    elsewhere = client.get("/id/actor/china", headers={"Accept": "application/n-triples", "Host": "example.org"})
    assert elsewhere.status_code == 200
    assert _triples(elsewhere.content, RdfFormat.N_TRIPLES) == _triples(usual.content, RdfFormat.N_TRIPLES)
    assert b"example.org" not in elsewhere.content
    page = client.get("/id/actor/china.html", headers={"Host": "example.org"}).text
    assert "example.org" not in page and f"<code>{BASE}actor/china</code>" in page


def test_what_the_description_holds(client, reference):
    """Own triples, labels of what it links to, and what links to it (with their triples)."""
    triples = _triples(client.get("/id/statement/" + _statement_slug(reference) + ".nt").content,
                       RdfFormat.N_TRIPLES)
    statement = NamedNode(BASE + "statement/" + _statement_slug(reference))
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    own = {t for t in triples if t.subject == statement}
    expected_own = set(reference.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", substitutions={"s": statement}))
    assert own == expected_own
    fu_cong = NamedNode(BASE + "actor/fu-cong")
    assert Triple(fu_cong, label, Literal("Fu Cong", language="en")) in triples
    positions = {t.subject for t in triples if t.object == statement and t.predicate == NamedNode(PK + "evidence")}
    assert positions, "the positions citing the statement are in its description"
    for position in positions:
        assert any(t.subject == position and t.predicate == NamedNode(PK + "stance") for t in triples)


def _statement_slug(reference: Store) -> str:
    """A statement by Fu Cong that a position cites as evidence."""
    rows = reference.select(
        "SELECT ?s WHERE { ?s <https://w3id.org/policykg/ontology#speaker> ?who . "
        "?p <https://w3id.org/policykg/ontology#evidence> ?s } ORDER BY ?s LIMIT 1",
        substitutions={"who": NamedNode(BASE + "actor/fu-cong")})
    return rows[0]["s"].value.rsplit("/", 1)[1]


def test_html_pages_link_to_pages_that_exist(client):
    page = client.get("/id/actor/fu-cong", headers={"Accept": "text/html"}).text
    hrefs = sorted({h for h in _links(page).hrefs if h.startswith("/id/")})
    assert "/id/actor/china" in hrefs and any(h.startswith("/id/statement/") for h in hrefs)
    for href in hrefs:
        assert client.get(href, headers={"Accept": "text/html"}).status_code == 200, href
    assert "/ontology#Person" in _links(page).hrefs


def test_html_shows_statements_and_positions(client):
    page = client.get("/id/actor/china.html").text
    assert 'id="timeline"' in page and 'id="positions"' in page  # an actor's page (api/pages.py)
    assert "<blockquote>" in page
    assert "&#x27;" in page or "’" in page  # text is escaped, curly quotes kept


def test_source_page_links_its_dumps(client):
    page = client.get(f"/id/source/{SOURCE}.html").text
    for ext in ("trig", "nq", "ttl", "jsonld"):
        assert f'href="/dumps/{SOURCE}.{ext}"' in page


def test_html_escapes_markup():
    """Rendering escapes every value and never links a non-http IRI (rendering unit test)."""
    iris = Iris()
    entity = NamedNode(iris.entity("actor", "x"))
    hostile = '<script>alert("x")</script> & "quotes"'
    loop = pyoxigraph.BlankNode("loop")
    description = Description(entity.value, (
        Triple(entity, NamedNode(RDF_TYPE), NamedNode(PK + "Person")),
        Triple(entity, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal(hostile, language="en")),
        Triple(entity, NamedNode("http://www.w3.org/2002/07/owl#sameAs"), NamedNode("javascript:alert(1)")),
        Triple(entity, NamedNode(PK + "paraphrase"), Literal("a</td><img src=x onerror=alert(1)>")),
        Triple(entity, NamedNode(PK + "about"), loop),
        Triple(loop, NamedNode(PK + "about"), loop),  # a blank node cycle is rendered, not followed forever
        Triple(loop, NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), Literal("<b>loop</b>")),
    ))
    page = entity_page(description, Linker(iris, ""), twin="/id/actor/x")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert 'href="javascript:' not in page
    assert _links(page).scripts == 0


@pytest.mark.parametrize("path", ["/id/actor/nobody", "/id/nokind/china", "/id/graph/meta",
                                  "/id/actor/China", "/id/actor/china.xyz", "/id/statement/0000000000000000"])
def test_unknown_entities_are_404_problems(client, path):
    body = _problem(client.get(path, headers={"Accept": "text/turtle"}), 404)
    assert body["instance"] == path


def test_unacceptable_format_is_406(client):
    _problem(client.get("/id/actor/china", headers={"Accept": "image/png"}), 406)


# --- vocabulary files -----------------------------------------------------------------------------


def test_ontology_by_negotiation_and_suffix(client):
    statement_class = Triple(NamedNode(PK + "Statement"), NamedNode(RDF_TYPE),
                             NamedNode("http://www.w3.org/2002/07/owl#Class"))
    default = client.get("/ontology")
    assert default.headers["content-type"].startswith("text/turtle")
    assert statement_class in _triples(default.content, RdfFormat.TURTLE)
    for accept, fmt in RDF_ACCEPTS.items():
        response = client.get("/ontology", headers={"Accept": accept})
        assert statement_class in _triples(response.content, fmt), accept
    for ext, fmt in TWINS.items():
        assert statement_class in _triples(client.get(f"/ontology.{ext}").content, fmt), ext
    files = rdflib.Graph()
    for path in ontology_files():
        files.parse(path, format="turtle")
    assert isomorphic(rdflib.Graph().parse(data=default.content, format="turtle"), files)


def test_ontology_html_lists_the_terms(client):
    page = client.get("/ontology", headers={"Accept": "text/html"}).text
    assert _links(page).html_lang == "en"
    for name in ("Statement", "speaker", "onBehalfOf", "supports"):
        assert f'id="{name}"' in page
    _problem(client.get("/ontology.xyz"), 404)


def test_shapes(client):
    shape = Triple(NamedNode("https://w3id.org/policykg/shapes#StatementShape"), NamedNode(RDF_TYPE),
                   NamedNode("http://www.w3.org/ns/shacl#NodeShape"))
    assert shape in _triples(client.get("/shapes").content, RdfFormat.TURTLE)
    for accept, fmt in RDF_ACCEPTS.items():
        assert shape in _triples(client.get("/shapes", headers={"Accept": accept}).content, fmt), accept
    assert shape in _triples(client.get("/shapes.nt").content, RdfFormat.N_TRIPLES)


def test_context(client):
    response = client.get("/context.jsonld")
    assert response.headers["content-type"] == "application/ld+json"
    assert response.json()["@context"]["speaker"]["@id"] == "pk:speaker"


# --- /void ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def void(client) -> set[Triple]:
    response = client.get("/void")
    assert response.headers["content-type"].startswith("text/turtle")
    return _triples(response.content, RdfFormat.TURTLE)


def _objects(triples: set[Triple], subject: str, predicate: str) -> list:
    return [t.object for t in triples if t.subject == NamedNode(subject) and t.predicate == NamedNode(predicate)]


DATASET = "https://w3id.org/policykg/void#dataset"


def test_void_sizes_match_the_store(void, reference):
    quads = list(reference)
    in_sources = [q for q in quads if q.graph_name.value.startswith(GRAPH_BASE) and q.graph_name.value != META]
    assert _objects(void, DATASET, VOID + "triples") == [Literal(str(len(in_sources)), datatype=NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))]
    statements = reference.select("SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c }",
                                  substitutions={"c": NamedNode(PK + "Statement")})[0]["n"].value
    partitions = _objects(void, DATASET, VOID + "classPartition")
    statement_partition = [p for p in partitions if NamedNode(PK + "Statement") in _objects(void, p.value, VOID + "class")]
    assert len(statement_partition) == 1
    assert _objects(void, statement_partition[0].value, VOID + "entities")[0].value == statements
    entities = {q.subject.value for q in in_sources if q.subject.value.startswith(BASE)}
    assert int(_objects(void, DATASET, VOID + "entities")[0].value) == len(entities)
    subset = _objects(void, DATASET, VOID + "subset")
    assert subset == [NamedNode(GRAPH_BASE + SOURCE)]
    assert int(_objects(void, subset[0].value, VOID + "triples")[0].value) == len(in_sources)


def test_void_describes_access_licence_and_time(void, client):
    assert _objects(void, DATASET, VOID + "sparqlEndpoint") == [NamedNode("https://w3id.org/policykg/sparql")]
    licence = _objects(void, DATASET, DCTERMS + "license")
    ontology_licence = [t.object for t in ontology_triples()
                        if t.subject == NamedNode("https://w3id.org/policykg/ontology")
                        and t.predicate == NamedNode(DCTERMS + "license")]
    assert licence == ontology_licence == [NamedNode("https://creativecommons.org/licenses/by/4.0/")]
    assert NamedNode("https://w3id.org/policykg/ontology") in _objects(void, DATASET, VOID + "vocabulary")
    # dcterms:modified is the latest load recorded in the meta graph of the served store
    served = _graphs(_rdflib(client.get("/dumps/policykg.nq").content, "nquads"))[META]
    recorded = max(dt.datetime.fromisoformat(str(o).replace("Z", "+00:00"))
                   for o in served.objects(None, rdflib.URIRef(PK + "recordedAt")))
    modified = _objects(void, DATASET, DCTERMS + "modified")[0]
    assert dt.datetime.fromisoformat(modified.value.replace("Z", "+00:00")) == recorded
    last_modified = parsedate_to_datetime(client.get("/void").headers["last-modified"])
    assert last_modified == recorded.replace(microsecond=0)


def test_void_lists_every_dump_and_they_download(void, client, server):
    dumps = {o.value for o in _objects(void, DATASET, VOID + "dataDump")}
    expected = {f"https://w3id.org/policykg/dumps/policykg.{ext}" for ext in ("trig", "nq", "ttl", "jsonld")}
    assert dumps == expected
    per_source = {o.value for o in _objects(void, GRAPH_BASE + SOURCE, VOID + "dataDump")}
    assert per_source == {f"https://w3id.org/policykg/dumps/{SOURCE}.{ext}" for ext in ("trig", "nq", "ttl", "jsonld")}
    for distribution in _objects(void, DATASET, DCAT + "distribution"):
        url = _objects(void, distribution.value, DCAT + "downloadURL")[0].value
        media = _objects(void, distribution.value, DCAT + "mediaType")[0].value
        assert url in dumps
        response = client.get(url.replace("https://w3id.org/policykg", server))
        assert response.status_code == 200
        assert media.endswith("/" + response.headers["content-type"].split(";")[0])
    notes = {_objects(void, d.value, DCTERMS + "description")[0].value
             for d in _objects(void, DATASET, DCAT + "distribution")}
    assert any("union of the source graphs" in note for note in notes)


@pytest.mark.parametrize("accept,fmt", [("application/ld+json", RdfFormat.JSON_LD),
                                        ("application/n-triples", RdfFormat.N_TRIPLES),
                                        ("application/rdf+xml", RdfFormat.RDF_XML)])
def test_void_in_other_formats(client, void, accept, fmt):
    assert _triples(client.get("/void", headers={"Accept": accept}).content, fmt) == void


# --- dumps ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", DUMPS)
def test_whole_dump_reimports_with_its_named_graphs(client, reference, ext):
    response = client.get(f"/dumps/policykg.{ext}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="policykg.{ext}"'
    # streamed from the engine, or (asked before) sent from the file kept then: test_api_cache.py
    assert (response.headers.get("transfer-encoding") == "chunked"
            or int(response.headers["content-length"]) == len(response.content))
    parsedate_to_datetime(response.headers["last-modified"])
    got = _graphs(_rdflib(response.content, DUMPS[ext]))
    expected = _reference_graphs(reference)
    assert set(got) == set(expected) == {GRAPH_BASE + SOURCE, META}
    assert isomorphic(got[GRAPH_BASE + SOURCE], expected[GRAPH_BASE + SOURCE])
    # the meta graph is the served store's own record: the same but for the time of loading
    assert _without_record_times(got[META]) == _without_record_times(expected[META])


def test_whole_dump_matches_the_served_store_quad_for_quad(client):
    served = _graphs(_rdflib(client.get("/dumps/policykg.nq").content, "nquads"))
    for ext in ("trig", "jsonld"):
        got = _graphs(_rdflib(client.get(f"/dumps/policykg.{ext}").content, DUMPS[ext]))
        assert {g: set(t) for g, t in got.items()} == {g: set(t) for g, t in served.items()}, ext


def test_turtle_dump_is_the_union_of_the_source_graphs(client, reference):
    response = client.get("/dumps/policykg.ttl")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    expected = _reference_graphs(reference)
    union = rdflib.Graph()
    for name, triples in expected.items():
        if name != META:
            for triple in triples:
                union.add(triple)
    assert isomorphic(graph, union)


@pytest.mark.parametrize("ext", [*DUMPS, "ttl"])
def test_per_source_dump(client, reference, ext):
    response = client.get(f"/dumps/{SOURCE}.{ext}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{SOURCE}.{ext}"'
    expected = _reference_graphs(reference)
    if ext == "ttl":
        graph = rdflib.Graph().parse(data=response.content, format="turtle")
        assert isomorphic(graph, expected[GRAPH_BASE + SOURCE])
        return
    got = _graphs(_rdflib(response.content, DUMPS[ext]))
    assert set(got) == {GRAPH_BASE + SOURCE, META}
    assert isomorphic(got[GRAPH_BASE + SOURCE], expected[GRAPH_BASE + SOURCE])
    assert _without_record_times(got[META]) == _without_record_times(expected[META])


@pytest.mark.parametrize("name", ["no-such-source.trig", "meta.nq", "policykg.xml", "policykg", "Bad_Slug.ttl"])
def test_unknown_dumps_are_404_problems(client, name):
    _problem(client.get(f"/dumps/{name}"), 404)


def test_shapes_have_no_html_twin(client):
    _problem(client.get("/shapes.html"), 404)


@pytest.mark.parametrize("fmt", [RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.N_QUADS])
def test_batched_serialisation_concatenates_into_one_document(reference, fmt):
    """Dumps serialised by pyoxigraph are streamed in batches; their concatenation parses whole."""
    from kg.store import _serialized_chunks

    blank = pyoxigraph.BlankNode()
    quads = [*reference, pyoxigraph.Quad(NamedNode(BASE + "actor/china"), NamedNode(PK + "about"), blank,
                                         NamedNode(GRAPH_BASE + SOURCE)),
             pyoxigraph.Quad(blank, NamedNode(RDF_TYPE), NamedNode(PK + "Topic"), NamedNode(GRAPH_BASE + SOURCE))]
    items = quads if fmt.supports_datasets else [Triple(q.subject, q.predicate, q.object) for q in quads]
    chunks = list(_serialized_chunks(items, fmt, batch=50))
    assert len(chunks) > 10
    parsed = list(pyoxigraph.parse(b"".join(chunks), fmt))
    assert len({str(q) for q in parsed}) == len({str(q) for q in (quads if fmt.supports_datasets else parsed)})
    blanks = {q.subject for q in parsed if isinstance(q.subject, pyoxigraph.BlankNode)}
    assert len(blanks) == 1  # one blank node, whichever batches it appears in


def test_description_caps_what_links_to_it(reference):
    from kg.describe import describe

    china = BASE + "actor/china"
    whole = describe(reference, china)
    capped = describe(reference, china, max_incoming=2)
    assert capped.incoming_total == whole.incoming_total > 2
    assert len({t.subject for t in capped.incoming()}) == 2
    page = entity_page(capped, Linker(Iris(), ""), twin="/id/actor/china")
    assert f"Showing 2 of the {whole.incoming_total} things that link here" in page


@pytest.mark.parametrize("kind", DATA_KINDS)
def test_all_formats_say_the_same(client, examples, kind):
    slug, _ = examples[kind]
    graphs = {}
    for ext, fmt in {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}.items():
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated API
            warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
            graphs[ext] = rdflib.Graph().parse(data=client.get(f"/id/{kind}/{slug}.{ext}").content, format=fmt)
    for ext, graph in graphs.items():
        assert isomorphic(graph, graphs["nt"]), ext


@pytest.mark.parametrize("path", ["/id/actor/china", "/id/actor/china.html", "/ontology", "/void",
                                  "/context.jsonld", f"/dumps/{SOURCE}.nq"])
def test_head_answers_like_get_without_a_body(client, path):
    head, get = client.head(path), client.get(path)
    assert head.status_code == get.status_code == 200
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.content == b""
    assert client.head("/id/actor/nobody").status_code == 404
