"""A statement as a nanopublication and as a schema.org ClaimReview, through the CLI and a real
server (issue 7 §4).

The data is the bundled article and ``tests/fixtures/tracking/interchange.trig`` (made for the
tests): four statements of an invented outlet carrying curation terms. What the answers must
hold is read from the fixture file itself (parsed here with pyoxigraph) and from the server's
own REST lookups, not written out again.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple

from conftest import data_store, running_server
from kg.interchange import DCTERMS, NP, PK, PROV, RDF_TYPE, RDFS_LABEL, SCHEMA
from kg.iris import Iris
from test_cli import DATA, run

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "tracking" / "interchange.trig"
IRIS = Iris()
SOURCE_SLUG = "example-wire-2024-07-03-un-ai"
SOURCE = IRIS.entity("source", SOURCE_SLUG)
GRAPH = IRIS.graph(SOURCE_SLUG)
REVIEWED, DISPUTED, RETRACTED, UNRATED = (
    IRIS.hashed("statement", SOURCE_SLUG, entry).rsplit("/", 1)[1]
    for entry in ("fu-reviewed", "fu-disputed", "fu-retracted", "fu-unrated"))
NOWHERE = "0123456789abcdef"  # well formed, in no store

SDO = rdflib.Namespace(SCHEMA)


def statement(digits: str) -> str:
    return IRIS.entity("statement", digits)


@pytest.fixture(scope="module")
def fixture_triples() -> set[Triple]:
    """Every triple of the fixture file, as written."""
    return {Triple(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(path=FIXTURE, format=RdfFormat.TRIG)}


def about(triples: set[Triple], subject: str) -> set[Triple]:
    return {t for t in triples if t.subject == NamedNode(subject)}


def value(triples: set[Triple], subject: str, predicate: str) -> pyoxigraph.Literal | NamedNode:
    (found,) = [t.object for t in triples if t.subject == NamedNode(subject) and t.predicate.value == predicate]
    return found


@pytest.fixture(scope="module")
def cli_store(tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("interchange-cli") / "store"
    out = run("load", str(DATA), str(FIXTURE), store=store)
    assert f"loaded {SOURCE_SLUG}" in out.stdout
    return store


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[httpx.Client]:
    location = data_store(tmp_path_factory.mktemp("interchange-served") / "store", FIXTURE)
    with running_server(str(location)) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


def graphs_of(quads: list[Quad]) -> dict[str, set[Triple]]:
    found: dict[str, set[Triple]] = {}
    for q in quads:
        found.setdefault(q.graph_name.value, set()).add(Triple(q.subject, q.predicate, q.object))
    return found


# --- the nanopublication ---------------------------------------------------------------------------


def test_nanopub_trig_from_the_cli_has_four_linked_graphs(cli_store, fixture_triples):
    out = run("export", "--nanopub", REVIEWED, store=cli_store).stdout.encode()
    graphs = graphs_of(list(pyoxigraph.parse(out, format=RdfFormat.TRIG)))
    this = f"https://w3id.org/policykg/statements/{REVIEWED}/nanopub"
    head, assertion, provenance, pubinfo = (this + part for part in ("#Head", "#assertion", "#provenance", "#pubinfo"))
    assert set(graphs) == {head, assertion, provenance, pubinfo}
    assert graphs[head] == {
        Triple(NamedNode(this), RDF_TYPE, NamedNode(NP + "Nanopublication")),
        Triple(NamedNode(this), NamedNode(NP + "hasAssertion"), NamedNode(assertion)),
        Triple(NamedNode(this), NamedNode(NP + "hasProvenance"), NamedNode(provenance)),
        Triple(NamedNode(this), NamedNode(NP + "hasPublicationInfo"), NamedNode(pubinfo)),
    }

    # The assertion: the statement exactly as the fixture states it, and the names of what it
    # refers to (as the bundled data gives them).
    said = graphs[assertion]
    assert about(said, statement(REVIEWED)) == about(fixture_triples, statement(REVIEWED))
    assert Triple(NamedNode(IRIS.entity("actor", "fu-cong")), RDFS_LABEL, Literal("Fu Cong", language="en")) in said
    assert Triple(NamedNode(IRIS.entity("actor", "china")), RDF_TYPE, NamedNode(PK + "State")) in said
    assert Triple(NamedNode(IRIS.entity("resolution", "a-res-78-311")), NamedNode(PK + "symbol"),
                  Literal("A/RES/78/311")) in said

    # The provenance: derived from the source and its graph; the source as the fixture describes
    # it; the graph's record in the meta graph — the checksum is the fixture file's own.
    prov = graphs[provenance]
    derived = {t.object.value for t in prov if t.subject == NamedNode(assertion)
               and t.predicate == NamedNode(PROV + "wasDerivedFrom")}
    assert derived == {SOURCE, GRAPH}
    assert about(fixture_triples, SOURCE) <= prov
    publisher = value(fixture_triples, SOURCE, DCTERMS + "publisher")
    assert about(fixture_triples, publisher.value) <= prov
    digest = "sha256:" + hashlib.sha256(FIXTURE.read_bytes()).hexdigest()
    assert value(prov, GRAPH, PK + "graphOf") == NamedNode(SOURCE)
    assert value(prov, GRAPH, PK + "checksum") == Literal(digest)
    assert value(prov, GRAPH, PK + "loadedFrom") == Literal(FIXTURE.name)
    recorded = value(prov, GRAPH, PK + "recordedAt")

    # The publication info: made when the graph was recorded, by policykg, under the data's licence.
    info = graphs[pubinfo]
    assert value(info, this, DCTERMS + "created") == recorded
    assert value(info, this, DCTERMS + "license") == NamedNode("https://creativecommons.org/licenses/by/4.0/")
    assert value(info, this, DCTERMS + "creator") == NamedNode("https://w3id.org/policykg/")


def test_nanopub_formats_and_file_from_the_cli_hold_the_same_quads(cli_store, tmp_path):
    trig = set(pyoxigraph.parse(run("export", "--nanopub", REVIEWED, store=cli_store).stdout.encode(),
                                format=RdfFormat.TRIG))
    assert len(trig) > 30
    for fmt, rdf in (("nquads", RdfFormat.N_QUADS), ("jsonld", RdfFormat.JSON_LD)):
        out = run("export", "--nanopub", statement(REVIEWED), "--format", fmt, store=cli_store).stdout.encode()
        assert set(pyoxigraph.parse(out, format=rdf)) == trig, fmt
    written = tmp_path / "np.trig"
    run("export", "--nanopub", REVIEWED, "-o", str(written), store=cli_store)
    assert set(pyoxigraph.parse(path=written, format=RdfFormat.TRIG)) == trig


@pytest.mark.parametrize(("args", "names"), [
    (["--nanopub", NOWHERE], f"no statement '{NOWHERE}'"),
    (["--nanopub", "not-a-statement"], "16 hex digits"),
    (["--claimreview", NOWHERE], f"no statement '{NOWHERE}'"),
    (["--nanopub", REVIEWED, "--format", "turtle"], "--format turtle"),
    (["--claimreview", REVIEWED, "--format", "trig"], "--format trig"),
    (["--nanopub", REVIEWED, "--graph", SOURCE_SLUG], "--graph"),
    (["--nanopub", REVIEWED, "--claimreview", REVIEWED], "--nanopub and --claimreview"),
])
def test_the_cli_refuses_what_is_wrong_with_status_1_and_writes_nothing(cli_store, tmp_path, args, names):
    written = tmp_path / "out.trig"
    result = run("export", *args, "-o", str(written), store=cli_store, check=False)
    assert result.returncode == 1, result.stderr
    assert names in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_nanopub_over_http_by_content_negotiation(client, cli_store):
    from_cli = set(pyoxigraph.parse(run("export", "--nanopub", REVIEWED, "--format", "nquads",
                                        store=cli_store).stdout.encode(), format=RdfFormat.N_QUADS))
    for accept, fmt in ((None, RdfFormat.TRIG), ("*/*", RdfFormat.TRIG),
                        ("application/n-quads", RdfFormat.N_QUADS),
                        ("text/turtle;q=0.5, application/ld+json", RdfFormat.JSON_LD)):
        answer = client.get(f"/statements/{REVIEWED}/nanopub", headers={"Accept": accept} if accept else {})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(fmt.media_type)
        assert "Accept" in answer.headers["vary"]
        quads = set(pyoxigraph.parse(answer.content, format=fmt))
        # The same nanopublication as the CLI's (from its own store: only the load times differ).
        differ = {q.predicate.value for q in quads ^ from_cli}
        assert differ <= {PK + "recordedAt", DCTERMS + "created"}, (accept, quads ^ from_cli)


def test_nanopub_unknown_statement_404_wrong_accept_406(client):
    for slug in (NOWHERE, "not-a-statement"):
        answer = client.get(f"/statements/{slug}/nanopub")
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        assert slug in answer.json()["detail"]
    refused = client.get(f"/statements/{REVIEWED}/nanopub", headers={"Accept": "text/turtle"})
    assert refused.status_code == 406
    assert "application/trig" in refused.json()["detail"]


# --- the ClaimReview -------------------------------------------------------------------------------


def claimreview_graph(text: str) -> rdflib.Graph:
    with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated API
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="rdflib")
        return rdflib.Graph().parse(data=text, format="json-ld")


def test_claimreview_over_http_parses_to_the_claim_and_its_rating(client, fixture_triples):
    answer = client.get(f"/statements/{REVIEWED}/claimreview")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/ld+json")
    g = claimreview_graph(answer.text)
    review = rdflib.URIRef(f"https://w3id.org/policykg/statements/{REVIEWED}/claimreview")
    claim = rdflib.URIRef(statement(REVIEWED))
    speaker = rdflib.URIRef(IRIS.entity("actor", "fu-cong"))
    source = rdflib.URIRef(SOURCE)
    quote = value(fixture_triples, statement(REVIEWED), PK + "quote").value
    confidence = float(value(fixture_triples, statement(REVIEWED), PK + "attributionConfidence").value)
    url = value(fixture_triples, SOURCE, SCHEMA + "url").value
    issued = value(fixture_triples, SOURCE, DCTERMS + "issued").value

    assert (review, rdflib.RDF.type, SDO.ClaimReview) in g
    assert (review, SDO.url, review) in g
    assert g.value(review, SDO.claimReviewed).toPython() == quote
    assert (review, SDO.itemReviewed, claim) in g
    assert (claim, rdflib.RDF.type, SDO.Claim) in g
    assert (claim, SDO.author, speaker) in g and (speaker, rdflib.RDF.type, SDO.Person) in g
    assert str(g.value(speaker, SDO.name)) == "Fu Cong"
    assert (claim, SDO.sourceOrganization, rdflib.URIRef(IRIS.entity("actor", "china"))) in g
    assert str(g.value(claim, SDO.datePublished)) == "2024-07-01"
    assert (claim, SDO.appearance, source) in g and (claim, SDO.firstAppearance, source) in g
    assert (source, SDO.url, rdflib.URIRef(url)) in g
    assert str(g.value(source, SDO.datePublished)) == issued
    assert str(g.value(g.value(source, SDO.publisher), SDO.name)) == "Example Wire"
    # What is reviewed is the attribution, and the answer says so.
    assert str(g.value(review, SDO.reviewAspect)) == "attribution"
    assert "not review whether what was said is true" in str(g.value(review, SDO.reviewBody))
    rating = g.value(review, SDO.reviewRating)
    assert (rating, rdflib.RDF.type, SDO.Rating) in g
    assert g.value(rating, SDO.ratingValue).toPython() == confidence
    assert (g.value(rating, SDO.worstRating).toPython(), g.value(rating, SDO.bestRating).toPython()) == (0, 1)
    assert str(g.value(rating, SDO.alternateName)) == "Attribution reviewed"
    assert "not the truth" in str(g.value(rating, SDO.ratingExplanation))


@pytest.mark.parametrize(("digits", "name", "explained"), [
    (DISPUTED, "Attribution disputed", "Curation status: disputed"),
    (RETRACTED, "Attribution retracted", "retracted on 2024-07-10"),
])
def test_claimreview_rating_follows_the_curation(client, fixture_triples, digits, name, explained):
    g = claimreview_graph(client.get(f"/statements/{digits}/claimreview").text)
    review = rdflib.URIRef(f"https://w3id.org/policykg/statements/{digits}/claimreview")
    rating = g.value(review, SDO.reviewRating)
    assert str(g.value(rating, SDO.alternateName)) == name
    assert explained in str(g.value(rating, SDO.ratingExplanation))
    confidence = [t.object.value for t in about(fixture_triples, statement(digits))
                  if t.predicate.value == PK + "attributionConfidence"]
    assert [str(v) for v in g.objects(rating, SDO.ratingValue)] == confidence
    corrections = {t.object.value for t in about(fixture_triples, statement(digits))
                   if t.predicate.value == PK + "correctedBy"}
    assert {str(c) for c in g.objects(rdflib.URIRef(statement(digits)), SDO.correction)} == corrections


def test_claimreview_of_a_draft_says_it_is_not_reviewed_from_the_cli(cli_store, fixture_triples):
    out = run("export", "--claimreview", UNRATED, store=cli_store).stdout
    g = claimreview_graph(out)
    review = rdflib.URIRef(f"https://w3id.org/policykg/statements/{UNRATED}/claimreview")
    assert (review, rdflib.RDF.type, SDO.ClaimReview) in g
    rating = g.value(review, SDO.reviewRating)
    assert str(g.value(rating, SDO.alternateName)) == "Attribution not yet reviewed"
    assert g.value(rating, SDO.ratingValue) is None  # no confidence given
    quotes = {t.object.value for t in about(fixture_triples, statement(UNRATED)) if t.predicate.value == PK + "quote"}
    assert {str(t) for t in g.objects(rdflib.URIRef(statement(UNRATED)), SDO.text)} == quotes
    assert str(g.value(review, SDO.claimReviewed)) == " … ".join(sorted(quotes))  # no paraphrase to prefer


def test_claimreview_of_the_bundled_data_matches_its_lookup(client):
    digits = IRIS.hashed("statement", "ap-2024-07-02-un-ai-resolutions", "fu-complementary").rsplit("/", 1)[1]
    looked_up = client.get(f"/statements/{digits}").json()
    g = claimreview_graph(client.get(f"/statements/{digits}/claimreview",
                                     headers={"Accept": "application/json"}).text)
    review = rdflib.URIRef(f"https://w3id.org/policykg/statements/{digits}/claimreview")
    claim = rdflib.URIRef(looked_up["id"])
    assert (review, SDO.itemReviewed, claim) in g
    assert (claim, SDO.author, rdflib.URIRef(looked_up["speaker"]["id"])) in g
    assert (claim, SDO.appearance, rdflib.URIRef(looked_up["source"]["id"])) in g
    # Two quoted fragments and a paraphrase: the paraphrase is what is reviewed, the fragments the text.
    assert len(looked_up["quote"]) == 2
    assert [str(g.value(review, SDO.claimReviewed))] == looked_up["paraphrase"]
    assert {str(t) for t in g.objects(claim, SDO.text)} == set(looked_up["quote"])
    publisher = g.value(rdflib.URIRef(looked_up["source"]["id"]), SDO.publisher)
    assert str(g.value(publisher, SDO.name)) == "Associated Press"


def test_claimreview_unknown_statement_404_wrong_accept_406(client):
    assert client.get(f"/statements/{NOWHERE}/claimreview").status_code == 404
    refused = client.get(f"/statements/{REVIEWED}/claimreview", headers={"Accept": "text/turtle"})
    assert refused.status_code == 406
    assert refused.headers["content-type"] == "application/problem+json"
    assert "application/ld+json" in refused.json()["detail"]


def test_claimreview_json_is_the_same_from_the_cli_and_the_server(client, cli_store):
    from_cli = json.loads(run("export", "--claimreview", DISPUTED, store=cli_store).stdout)
    from_server = client.get(f"/statements/{DISPUTED}/claimreview").json()
    from_cli.pop("datePublished"), from_server.pop("datePublished")  # when each store recorded it
    assert from_cli == from_server
