"""The SHACL shapes (``shapes/policykg-shapes.ttl``) and their W3C-style test cases.

Each file in ``tests/shapes/`` is one case: its data and, in the file itself, the expected outcome
as triples of a small test vocabulary ``ex: <https://w3id.org/policykg/tests#>``::

    <> a ex:TestCase ; ex:conforms false ;
        ex:expect [ ex:focus <…/statement/…> ; ex:path pk:speaker ;
                    ex:component sh:MinCountConstraintComponent ;
                    ex:value <…> ;                       # optional
                    ex:messageContains "exactly one speaker" ] .

``X-valid.ttl`` must conform with no result at all; ``X-invalid.ttl`` must give exactly the
expected results (SHACL §3.6 validation report: sh:focusNode, sh:resultPath,
sh:sourceConstraintComponent, sh:value, sh:resultMessage) — no more, no fewer.

Validation runs in pySHACL, the reference that ``kg.shacl_fast`` (what ``kg.validate`` uses)
must agree with (``tests/test_shacl_fast.py`` runs these cases through both):
``pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True,
allow_warnings=True)``, where ``data`` holds the case's triples
plus the ontology's (``kg.resources.ontology_files()``), so that sh:class follows rdfs:subClassOf.
Should ontology/ hold no Turtle, a minimal stand-in (``ONTOLOGY_STAND_IN`` below) takes its place;
``test_stand_in_agrees_with_ontology`` checks it against the real ontology whenever that exists.

Every case also runs on a bare ``pyoxigraph.Store`` (pyshacl's native Oxigraph path), and must
report the same as on an rdflib Graph.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from pyshacl.entrypoints import meta_validate
from rdflib import RDF, RDFS, SH, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.resources import ontology_files, resource_path

CASES_DIR = Path(__file__).parent / "shapes"
SHAPES_FILE = resource_path("shapes", "policykg-shapes.ttl")
EX = Namespace("https://w3id.org/policykg/tests#")
PK = Namespace("https://w3id.org/policykg/ontology#")
PKSH = Namespace("https://w3id.org/policykg/shapes#")
ORG = Namespace("http://www.w3.org/ns/org#")
CASE_BASE = "https://w3id.org/policykg/tests/shapes/"
BACKENDS = ("rdflib", "pyoxigraph")

# What the shapes need from the ontology, stated as the vocabulary spec states it. Used only while
# ontology/ holds no Turtle; test_stand_in_agrees_with_ontology keeps it honest afterwards.
ONTOLOGY_STAND_IN = """
@prefix pk:   <https://w3id.org/policykg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org:  <http://www.w3.org/ns/org#> .

pk:Person rdfs:subClassOf pk:Actor .
pk:Organization rdfs:subClassOf pk:Actor , org:Organization .
pk:State rdfs:subClassOf pk:Organization .
pk:GovernmentBody rdfs:subClassOf pk:Organization .
pk:InternationalOrganization rdfs:subClassOf pk:Organization .
pk:NewsOrganization rdfs:subClassOf pk:Organization .
pk:Group rdfs:subClassOf pk:Actor .
pk:Resolution rdfs:subClassOf pk:PolicyInstrument .
pk:PolicyMeasure rdfs:subClassOf pk:PolicyInstrument .
pk:Adoption rdfs:subClassOf pk:Event .
pk:Announcement rdfs:subClassOf pk:Event .
pk:PressBriefing rdfs:subClassOf pk:Event .
pk:Negotiation rdfs:subClassOf pk:Event .
pk:Topic rdfs:subClassOf skos:Concept .

pk:supports skos:inScheme pk:Stances .
pk:opposes skos:inScheme pk:Stances .
pk:neutral skos:inScheme pk:Stances .
pk:calls_for skos:inScheme pk:Stances .
pk:day skos:inScheme pk:DatePrecisions .
pk:month skos:inScheme pk:DatePrecisions .
pk:year skos:inScheme pk:DatePrecisions .
pk:exactly skos:inScheme pk:CountQualifiers .
pk:moreThan skos:inScheme pk:CountQualifiers .
pk:atLeast skos:inScheme pk:CountQualifiers .
pk:approximately skos:inScheme pk:CountQualifiers .
pk:consensus skos:inScheme pk:AdoptionMethods .
pk:recordedVote skos:inScheme pk:AdoptionMethods .
pk:proposed skos:inScheme pk:InstrumentStatuses .
pk:underConsideration skos:inScheme pk:InstrumentStatuses .
pk:adopted skos:inScheme pk:InstrumentStatuses .
pk:inForce skos:inScheme pk:InstrumentStatuses .
pk:withdrawn skos:inScheme pk:InstrumentStatuses .
"""


# ---------------------------------------------------------------------------------------- helpers


@functools.cache
def shapes_graph() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


@functools.cache
def ontology_graph() -> Graph:
    """The ontology's triples (or the stand-in while ontology/ is empty)."""
    graph = Graph()
    files = ontology_files()
    for path in files:
        graph.parse(path, format="turtle")
    if not files:
        graph.parse(data=ONTOLOGY_STAND_IN, format="turtle")
    return graph


def canonical(term: Node | None) -> Node | None:
    """RDF 1.1 reads a simple literal as xsd:string: rdflib keeps the two apart, Oxigraph does not."""
    if isinstance(term, Literal) and term.datatype is None and term.language is None:
        return Literal(str(term), datatype=XSD.string)
    return term


@dataclass(frozen=True)
class Expected:
    focus: Node
    path: Node
    component: Node
    value: Node | None
    contains: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    name: str
    conforms: bool
    data: Graph
    expected: tuple[Expected, ...]


@dataclass(frozen=True)
class Result:
    """One sh:ValidationResult, reduced to what the curator's report and these tests use."""

    focus: Node
    path: Node | None
    component: Node
    value: Node | None
    messages: tuple[str, ...]
    source_shape: Node
    source_constraint: Node | None
    severity: Node

    def key(self) -> tuple:
        return (self.focus, self.path, self.component, self.value, self.messages, self.source_shape,
                self.source_constraint, self.severity)


def case_names(kind: str) -> list[str]:
    return sorted(p.name.removesuffix(".ttl") for p in CASES_DIR.glob(f"*-{kind}.ttl"))


@functools.cache
def load_case(name: str) -> Case:
    """Split a case file into its data and its expected outcome."""
    whole = Graph().parse(CASES_DIR / f"{name}.ttl", format="turtle", publicID=CASE_BASE + name)
    (test,) = whole.subjects(RDF.type, EX.TestCase)
    expectations = list(whole.objects(test, EX.expect))
    expected = tuple(
        Expected(
            focus=whole.value(e, EX.focus),
            path=whole.value(e, EX.path),
            component=whole.value(e, EX.component),
            value=canonical(whole.value(e, EX.value)),
            contains=tuple(sorted(str(m) for m in whole.objects(e, EX.messageContains))),
        )
        for e in expectations
    )
    data = Graph()
    for triple in whole:
        if triple[0] != test and triple[0] not in expectations:
            data.add(triple)
    conforms = whole.value(test, EX.conforms)
    assert isinstance(conforms, Literal), f"{name}: ex:conforms is missing"
    return Case(name, bool(conforms.toPython()), data, expected)


def make_data_graph(case_data: Graph, backend: str):
    """The case's triples plus the ontology's, in the requested kind of graph."""
    if backend == "pyoxigraph":
        store = pyoxigraph.Store()
        for graph in (ontology_graph(), case_data):
            store.load(graph.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    graph = Graph()
    graph += ontology_graph()
    graph += case_data
    return graph


def validate(data_graph) -> tuple[bool, list[Result]]:
    """Validate as policykg does; return conformance and the results."""
    conforms, report, _ = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    results = []
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for r in report.objects(report_node, SH.result):
            results.append(
                Result(
                    focus=report.value(r, SH.focusNode),
                    path=report.value(r, SH.resultPath),
                    component=report.value(r, SH.sourceConstraintComponent),
                    value=canonical(report.value(r, SH.value)),
                    messages=tuple(sorted(str(m) for m in report.objects(r, SH.resultMessage))),
                    source_shape=report.value(r, SH.sourceShape),
                    source_constraint=report.value(r, SH.sourceConstraint),
                    severity=report.value(r, SH.resultSeverity),
                )
            )
    return conforms, results


@functools.cache
def outcome(name: str, backend: str = "rdflib") -> tuple[bool, tuple[Result, ...]]:
    conforms, results = validate(make_data_graph(load_case(name).data, backend))
    return conforms, tuple(sorted(results, key=lambda r: tuple(map(str, r.key()))))


def describe(results) -> str:
    return "\n".join(
        f"  focus={r.focus} path={r.path} component={r.component} value={r.value!r} messages={list(r.messages)}"
        for r in results
    ) or "  (none)"


# ---------------------------------------------------------------------------------------- the cases


@pytest.mark.parametrize("name", case_names("valid"))
def test_valid_case_conforms(name):
    case = load_case(name)
    assert case.conforms and not case.expected, f"{name}: a valid case expects no results"
    conforms, results = outcome(name)
    assert conforms and not results, f"{name} should conform, got:\n{describe(results)}"


@pytest.mark.parametrize("name", case_names("invalid"))
def test_invalid_case_gives_exactly_the_expected_results(name):
    case = load_case(name)
    assert not case.conforms and case.expected, f"{name}: an invalid case must expect results"
    conforms, results = outcome(name)
    assert not conforms
    unmatched = list(results)
    for exp in case.expected:
        found = [
            r for r in unmatched
            if (r.focus, r.path, r.component) == (exp.focus, exp.path, exp.component)
            and (exp.value is None or r.value == exp.value)
        ]
        assert found, (
            f"{name}: no result for focus={exp.focus} path={exp.path} component={exp.component} "
            f"value={exp.value!r}; got:\n{describe(results)}"
        )
        result = found[0]
        unmatched.remove(result)
        for words in exp.contains:
            assert any(words in m for m in result.messages), f"{name}: {words!r} not in {result.messages}"
        assert result.severity == SH.Violation
    assert not unmatched, f"{name}: unexpected results:\n{describe(unmatched)}"


@pytest.mark.parametrize("name", case_names("valid") + case_names("invalid"))
def test_oxigraph_data_graph_gives_the_same_results(name):
    """pyshacl on a pyoxigraph store reports exactly what it reports on an rdflib Graph."""
    assert outcome(name, "pyoxigraph") == outcome(name, "rdflib")


def test_valid_and_invalid_cases_come_in_pairs():
    valid = {n.removesuffix("-valid") for n in case_names("valid") if not n.startswith("article-")}
    invalid = {n.removesuffix("-invalid") for n in case_names("invalid")}
    assert valid == invalid, f"unpaired: {sorted(valid ^ invalid)}"
    assert len(valid) >= 50


def test_every_constraint_is_exercised_by_an_invalid_case():
    """Each named property shape and SPARQL constraint makes at least one invalid case fail."""
    g = shapes_graph()
    constraints = {s for s in g.objects(None, SH.property) if isinstance(s, URIRef)}
    constraints |= {s for s in g.objects(None, SH.sparql) if isinstance(s, URIRef)}
    hit = set()
    for name in case_names("invalid"):
        for r in outcome(name)[1]:
            hit.add(r.source_constraint if r.source_constraint is not None else r.source_shape)
    assert constraints - hit == set(), f"never exercised: {sorted(map(str, constraints - hit))}"


def test_case_files_use_policykg_iris():
    for name in case_names("valid") + case_names("invalid"):
        for s in load_case(name).data.subjects():
            assert str(s).startswith("https://w3id.org/policykg/id/"), f"{name}: subject {s}"


# ---------------------------------------------------------------------------------------- the shapes file


def test_shapes_parse_and_cover_every_data_class():
    g = shapes_graph()
    targets = set(g.objects(None, SH.targetClass))
    assert targets == {
        PK.Statement, PK.Provision, PK.Position, PK.PolicyInstrument, PK.Resolution, PK.PolicyMeasure,
        PK.Event, PK.Topic, PK.Actor, ORG.Membership, ORG.Role, PK.Source, PK.Report,
    }
    for shape in g.subjects(SH.targetClass, None):
        assert str(shape).startswith(str(PKSH)) and str(shape).endswith("Shape"), shape


def test_every_property_shape_and_sparql_constraint_has_a_message():
    g = shapes_graph()
    constraints = set(g.objects(None, SH.property)) | set(g.objects(None, SH.sparql))
    assert len(constraints) > 60
    missing = [str(c) for c in constraints if not any(m.language == "en" for m in g.objects(c, SH.message))]
    assert not missing, f"no English sh:message: {missing}"


def test_every_result_names_a_field():
    """Results must carry sh:resultPath, so node shapes hold no constraint of their own,
    and every SPARQL constraint projects ?path."""
    g = shapes_graph()
    allowed = {RDF.type, RDFS.label, RDFS.comment, SH.targetClass, SH.property, SH.sparql}
    for shape in g.subjects(RDF.type, SH.NodeShape):
        extra = {p for p in g.predicates(shape, None)} - allowed
        assert not extra, f"{shape} has node-level constraints {extra}: their results would have no path"
    for constraint in g.objects(None, SH.sparql):
        select = str(g.value(constraint, SH.select))
        assert "?path" in select.split("WHERE")[0], f"{constraint} does not project ?path"
        assert g.value(constraint, SH.prefixes) == URIRef("https://w3id.org/policykg/shapes")


def test_property_shapes_are_named_after_their_node_shape():
    g = shapes_graph()
    for node_shape in g.subjects(SH.targetClass, None):
        for constraint in list(g.objects(node_shape, SH.property)) + list(g.objects(node_shape, SH.sparql)):
            assert str(constraint).startswith(f"{node_shape}-"), constraint


def test_every_reference_is_an_iri():
    """Property shapes that check a class or a concept (references to other things) also require an IRI."""
    g = shapes_graph()
    for shape in set(g.subjects(SH["class"], None)) | set(g.subjects(SH["in"], None)):
        assert g.value(shape, SH.nodeKind) == SH.IRI, shape


def test_concept_lists_are_the_ontology_schemes():
    """Each sh:in list holds exactly the members of one concept scheme of the ontology."""
    g, ontology = shapes_graph(), ontology_graph()
    lists = {shape: frozenset(Collection(g, head)) for shape, head in g.subject_objects(SH["in"])}
    assert len(lists) == 11
    for shape, concepts in lists.items():
        schemes = set.intersection(*(set(ontology.objects(c, SKOS.inScheme)) for c in concepts))
        assert len(schemes) == 1, f"{shape}: {sorted(concepts)} are not the members of one scheme"
        (scheme,) = schemes
        members = frozenset(ontology.subjects(SKOS.inScheme, scheme))
        assert concepts == members, f"{shape}: sh:in {sorted(concepts)} but {scheme} has {sorted(members)}"


def test_shapes_conform_to_shacl_shacl():
    conforms, _, text = meta_validate(shapes_graph(), inference="none")
    assert conforms, text


def test_validate_with_meta_shacl_flag():
    data = make_data_graph(load_case("statement-speaker-valid").data, "rdflib")
    conforms, _, text = pyshacl.validate(
        data, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True, meta_shacl=True
    )
    assert conforms, text


# ---------------------------------------------------------------------------------------- the ontology


@pytest.mark.skipif(not ontology_files(), reason="ontology/ has no Turtle yet: the stand-in is in use")
def test_stand_in_agrees_with_ontology():
    """Every subclass link and scheme membership the shapes rely on is stated by the ontology."""
    ontology = ontology_graph()
    stand_in = Graph().parse(data=ONTOLOGY_STAND_IN, format="turtle")
    missing = [t for t in stand_in if t not in ontology]
    assert not missing, f"the ontology lacks: {missing}"


# ---------------------------------------------------------------------------------------- regressions

REGRESSION_PREFIXES = """
@prefix pk:     <https://w3id.org/policykg/ontology#> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix actor:  <https://w3id.org/policykg/id/actor/> .
@prefix res:    <https://w3id.org/policykg/id/resolution/> .
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_concept_given_as_text_is_reported_not_raised(backend):
    """pyshacl 0.40.1 on a pyoxigraph.Store raised TypeError when a nested shape (sh:node) met a
    literal; the concept checks are sh:in lists, so a text value gets a message on every backend."""
    data = Graph().parse(format="turtle", data=REGRESSION_PREFIXES + """
        res:a-res-78-311 a pk:Resolution ; pk:adoptionMethod "consensus"@en .
    """)
    conforms, results = validate(make_data_graph(data, backend))
    assert not conforms
    assert {(r.path, r.component) for r in results} == {
        (PK.adoptionMethod, SH.InConstraintComponent), (PK.adoptionMethod, SH.NodeKindConstraintComponent)}


@pytest.mark.parametrize("backend", BACKENDS)
def test_counts_read_back_from_a_store_conform(backend):
    """Oxigraph stores "193"^^xsd:nonNegativeInteger as "193"^^xsd:integer (and so do other triple
    stores): store nodes validated with a batch must still conform; negative counts must not."""
    data = Graph().parse(format="turtle", data=REGRESSION_PREFIXES + """
        actor:un-general-assembly a pk:InternationalOrganization ;
            rdfs:label "United Nations General Assembly"@en ; pk:memberCount "193"^^xsd:nonNegativeInteger .
        actor:united-nations a pk:InternationalOrganization ;
            rdfs:label "United Nations"@en ; pk:memberCount 193 .
        res:a-res-78-265 a pk:Resolution ; pk:sponsorCount -123 .
    """)
    conforms, results = validate(make_data_graph(data, backend))
    assert [(r.focus, r.path, r.component) for r in results] == [
        (URIRef("https://w3id.org/policykg/id/resolution/a-res-78-265"), PK.sponsorCount, SH.OrConstraintComponent)]


# ---------------------------------------------------------------------------------------- speed


def test_article_fixture_with_each_backend(record_property):
    """The whole article validates on every backend; timings are recorded, not asserted."""
    name = "article-ap-2024-07-02-un-ai-resolutions-valid"
    data = load_case(name).data
    for backend in BACKENDS:
        graph = make_data_graph(data, backend)
        start = time.perf_counter()
        conforms, results = validate(graph)
        record_property(f"seconds_{backend}", round(time.perf_counter() - start, 3))
        assert conforms and not results, f"{backend}:\n{describe(results)}"
