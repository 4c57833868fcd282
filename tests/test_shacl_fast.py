"""kg.shacl_fast gives pySHACL's verdicts, and validate_batch the Problems pySHACL gave.

Differential tests: the same data graph (``kg.validate.data_graph``: triples plus the ontology)
is validated by :mod:`kg.shacl_fast` and by pySHACL as policykg ran it before
(``pyshacl.validate(graph, shacl_graph=shapes_graph(), inference="none", advanced=True,
allow_warnings=True)``), and every result must be the same: focus node, result path, source
constraint component, message, value, severity and source shape. The data graphs are every case
of ``tests/shapes/``, batches from ``benchmarks.generate`` (valid as generated, and broken by a
seeded mutator that applies many kinds of mistakes), and a table of awkward lexical forms. Shapes
using a feature the validator does not implement are refused when they are compiled.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import warnings
from pathlib import Path

import pyshacl
import pytest
import rdflib
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Store, Triple, parse
from pyshacl.errors import ReportableRuntimeError
from pyshacl.graph_abstraction import to_rdf
from rdflib import RDF, SH

from benchmarks.generate import generate
from kg import shacl_fast
from kg.entries import Batch, SourceGraph, collect_inputs, parse_batch, vocabulary
from kg.errors import Problem
from kg.shacl_fast import UnsupportedShape, compile_shapes
from kg.validate import data_graph, shapes_graph, validate_batch

CASES_DIR = Path(__file__).parent / "shapes"
CASE_BASE = "https://w3id.org/policykg/tests/shapes/"
EX_TEST_CASE = NamedNode("https://w3id.org/policykg/tests#TestCase")
EX_EXPECT = NamedNode("https://w3id.org/policykg/tests#expect")
PK = "https://w3id.org/policykg/ontology#"
ID = "https://w3id.org/policykg/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = NamedNode(str(RDF.type))
RDFS_LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SKOS_IN_SCHEME = NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
DCTERMS_ISSUED = NamedNode("http://purl.org/dc/terms/issued")
ORDERED = {NamedNode(PK + "since"), NamedNode(PK + "until"), NamedNode(PK + "startDate"), NamedNode(PK + "endDate")}


def pk(name: str) -> NamedNode:
    return NamedNode(PK + name)


def typed(lexical: str, datatype: str) -> Literal:
    return Literal(lexical, datatype=NamedNode(XSD + datatype))


# ---------------------------------------------------------------------------------------- the two validators


def pyshacl_report(graph: Store) -> rdflib.Graph:
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes_graph(), inference="none", advanced=True,
                                    allow_warnings=True)
    return report


def pyshacl_results(report: rdflib.Graph) -> set[tuple]:
    """Each result of a pySHACL report, as kg.shacl_fast's results are compared with it."""
    results = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        (message,) = report.objects(result, SH.resultMessage)
        results.add((report.value(result, SH.focusNode), report.value(result, SH.resultPath),
                     report.value(result, SH.sourceConstraintComponent), str(message),
                     report.value(result, SH.value), report.value(result, SH.resultSeverity),
                     report.value(result, SH.sourceShape)))
    return results


def fast_results(graph: Store, plan: shacl_fast.ShapesPlan | None = None) -> set[tuple]:
    """kg.shacl_fast's results, in the rdflib terms pySHACL reports (its own conversion)."""
    return {(to_rdf(r.focus), to_rdf(r.path), to_rdf(r.component), r.message, to_rdf(r.value),
             to_rdf(r.severity), to_rdf(r.source_shape))
            for r in shacl_fast.validate(graph, plan=plan)}


def assert_same(graph: Store) -> set[tuple]:
    """Both validators give the same results on ``graph``; they are returned."""
    expected = pyshacl_results(pyshacl_report(graph))
    found = fast_results(graph)
    assert found == expected, (f"pySHACL only: {sorted(map(str, expected - found))}\n"
                               f"kg.shacl_fast only: {sorted(map(str, found - expected))}")
    return found


# ---------------------------------------------------------------------------------------- tests/shapes


def case_triples(path: Path) -> list[Triple]:
    """A case file's data: its triples but the test case and its expectations."""
    triples = [Triple(q.subject, q.predicate, q.object)
               for q in parse(path=str(path), format=RdfFormat.TURTLE, base_iri=CASE_BASE + path.stem)]
    test = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == EX_TEST_CASE}
    expectations = {t.object for t in triples if t.subject in test and t.predicate == EX_EXPECT}
    return [t for t in triples if t.subject not in test | expectations]


@pytest.mark.parametrize("path", sorted(CASES_DIR.glob("*.ttl")), ids=lambda p: p.stem)
def test_shape_case_agrees_with_pyshacl(path: Path) -> None:
    """Each W3C-style case: no result for a valid one, the same results for an invalid one."""
    found = assert_same(data_graph(case_triples(path)))
    assert bool(found) == path.stem.endswith("-invalid")


# ---------------------------------------------------------------------------------------- generated batches


@functools.cache
def generated(seed: int, tmp: Path) -> Batch:
    """A generated batch of 40 statements (and its registry), as ``policykg load`` parses it."""
    out = tmp / f"generated-{seed}"
    generate(40, seed, out, nquads=False)
    return parse_batch(collect_inputs([out / "entries", out / "curator"]))


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpora")


def odd_values() -> list[Literal | NamedNode | BlankNode]:
    """Values of the wrong kind, type or form for some property (a fresh blank node each time)."""
    return [
        typed("2024-13-45", "date"), typed("2024-02-30", "date"), typed("2024-7-1", "date"),
        typed("20240701", "date"), typed("2024-W27-1", "date"), typed("2024-07-01T10:00:00", "date"),
        typed("2024-07-01Z", "date"), typed("2024-07-01+05:00", "date"), typed("-2024-07-01", "date"),
        typed("12024-07-01", "date"), typed("2019-03-04", "date"),
        typed("2024-07-01", "dateTime"), typed("2024-07-01T25:00:00", "dateTime"),
        typed("2024-07-01T10:00:00Z", "dateTime"), typed("2024-07-01 10:00", "dateTime"),
        typed("2024-07-01T10:00:00.1234567-04:00", "dateTime"), typed("2024-07-01T24:00:00", "dateTime"),
        typed("1_000", "integer"), typed(" 12 ", "integer"), typed("-5", "integer"), typed("abc", "integer"),
        typed("+7", "integer"), typed("٣", "integer"), typed("193", "nonNegativeInteger"),
        typed("-1", "nonNegativeInteger"), typed(" 5", "nonNegativeInteger"), typed("1.5", "decimal"),
        typed("TRUE", "boolean"), typed("1", "boolean"), typed("yes", "boolean"),
        typed("ftp://example.org/x", "anyURI"), typed("https://example.org/x", "anyURI"),
        typed("https://example.org/x", "string"), Literal("https://example.org/y"),
        Literal("A/RES/78/311"), Literal("A/RES/78/311\n"), Literal("78/311"),
        Literal("A/RES/78/311", language="en"), Literal("day", language="en"), Literal("opposes"),
        Literal("a label", language="EN"), Literal("un libellé", language="fr"), Literal(""),
        typed("2024-07-01", "gYear"),
        NamedNode("http://www.wikidata.org/entity/Q148"), NamedNode("https://www.wikidata.org/wiki/Q148"),
        NamedNode(ID + "actor/nobody"), NamedNode(ID + "statement/0000000000000000"), pk("day"), pk("year"),
        pk("supports"), pk("opposes"), pk("Topics"), pk("Stances"), pk("consensus"), pk("exactly"),
        pk("adopted"), BlankNode(),
    ]


def iso_date(term: Literal | NamedNode | BlankNode) -> dt.date | None:
    """The date of a well-formed plain xsd:date literal."""
    if isinstance(term, Literal) and term.datatype == NamedNode(XSD + "date"):
        try:
            return dt.date.fromisoformat(term.value)
        except ValueError:
            return None
    return None


class Mutator:
    """Seeded mistakes of many kinds, made to a batch's triples."""

    def __init__(self, triples: list[Triple], rng: random.Random):
        self.triples = list(dict.fromkeys(triples))
        self.rng = rng
        subjects = sorted({t.subject.value for t in self.triples if isinstance(t.subject, NamedNode)})
        self.entities = [NamedNode(s) for s in rng.sample(subjects, 12)]
        self.predicates = sorted({t.predicate.value for t in self.triples}) + [
            PK + "until", PK + "endDate", PK + "memberCount", PK + "symbol", "http://www.w3.org/2002/07/owl#sameAs",
            "https://schema.org/url", "http://www.w3.org/2004/02/skos/core#altLabel", PK + "location"]

    def of(self, predicate: str) -> list[Triple]:
        return [t for t in self.triples if t.predicate.value == predicate]

    def replace(self, old: Triple, new: Triple) -> None:
        self.triples[self.triples.index(old)] = new

    def value_for(self, predicate: NamedNode) -> Literal | NamedNode | BlankNode:
        values = odd_values() + self.entities
        if predicate in ORDERED:  # pySHACL raises on a blank node in sh:lessThanOrEquals
            values = [v for v in values if not isinstance(v, BlankNode)]
        if predicate == RDF_TYPE:  # and on a literal type of a value that sh:class checks
            values = [v for v in values if not isinstance(v, Literal)]
        return self.rng.choice(values)

    def mutate(self) -> str:
        rng, kind = self.rng, self.rng.choice(MUTATIONS)
        triple = rng.choice(self.triples)
        if kind == "drop":
            self.triples.remove(triple)
        elif kind == "replace object":
            self.replace(triple, Triple(triple.subject, triple.predicate, self.value_for(triple.predicate)))
        elif kind == "add value":
            predicate = NamedNode(rng.choice(self.predicates))
            self.triples.append(Triple(triple.subject, predicate, self.value_for(predicate)))
        elif kind == "duplicate value":
            other = rng.choice(self.of(triple.predicate.value))
            if not (triple.predicate in ORDERED and isinstance(other.object, BlankNode)):
                self.triples.append(Triple(triple.subject, triple.predicate, other.object))
        elif kind == "retype":
            typed_triples = self.of(RDF_TYPE.value)
            old = rng.choice(typed_triples)
            self.replace(old, Triple(old.subject, RDF_TYPE, rng.choice(typed_triples).object))
        elif kind == "untype":
            self.triples.remove(rng.choice(self.of(RDF_TYPE.value)))
        elif kind == "as provision":
            statement = rng.choice([t for t in self.of(RDF_TYPE.value) if t.object == pk("Statement")])
            self.replace(statement, Triple(statement.subject, RDF_TYPE, pk("Provision")))
            self.triples.append(Triple(statement.subject, NamedNode("http://purl.org/dc/terms/isPartOf"),
                                       rng.choice(self.entities)))
        elif kind == "blank node":
            node, blank = triple.subject, BlankNode()
            if not any(t.object == node and t.predicate in ORDERED for t in self.triples):
                self.triples = [Triple(blank if t.subject == node else t.subject, t.predicate,
                                       blank if t.object == node else t.object) for t in self.triples]
        elif kind == "dated after its source":
            self.date_after_source()
        elif kind == "ends before it starts":
            self.end_before_start()
        elif kind == "evidence by another":
            evidence = rng.choice(self.of(PK + "evidence"))
            statements = [t.subject for t in self.of(RDF_TYPE.value) if t.object == pk("Statement")]
            self.replace(evidence, Triple(evidence.subject, evidence.predicate, rng.choice(statements)))
        elif kind == "second label":
            label = rng.choice(self.of(RDFS_LABEL.value))
            language = rng.choice([label.object.language or "en", (label.object.language or "en").upper(), "de"])
            self.triples.append(Triple(label.subject, RDFS_LABEL, Literal("another name", language=language)))
        elif kind == "out of scheme":
            self.triples.remove(rng.choice(self.of(SKOS_IN_SCHEME.value)))
        return kind

    def end_before_start(self) -> None:
        starts = {t: day for t in self.of(PK + "since") + self.of(PK + "startDate") if (day := iso_date(t.object))}
        start = self.rng.choice(sorted(starts, key=str))
        end = NamedNode(PK + ("until" if start.predicate == pk("since") else "endDate"))
        earlier = starts[start] - dt.timedelta(days=self.rng.randint(0, 3))
        self.triples = [t for t in self.triples if not (t.subject == start.subject and t.predicate == end)]
        self.triples.append(Triple(start.subject, end, self.rng.choice(
            [typed(earlier.isoformat(), "date"), typed(earlier.isoformat() + "T00:00:00", "dateTime"),
             Literal(earlier.isoformat()), self.value_for(end)])))

    def date_after_source(self) -> None:
        issued = {t.subject: iso_date(t.object) for t in self.of(DCTERMS_ISSUED.value) if iso_date(t.object)}
        sources = {t.subject: issued[t.object] for t in self.of(PK + "source") if t.object in issued}
        date = self.rng.choice([t for t in self.of(PK + "date") if t.subject in sources])
        later = sources[date.subject] + dt.timedelta(days=self.rng.randint(1, 9))
        self.replace(date, Triple(date.subject, date.predicate, self.rng.choice(
            [typed(later.isoformat(), "date"), typed(later.isoformat() + "T10:00:00Z", "dateTime"),
             typed(later.isoformat() + "T23:30:00-04:00", "dateTime"), typed(later.isoformat() + "Z", "date")])))


MUTATIONS = (
    "drop", "drop", "replace object", "replace object", "replace object", "add value", "add value",
    "duplicate value", "retype", "untype", "as provision", "blank node", "dated after its source",
    "ends before it starts", "evidence by another", "second label", "out of scheme",
)


def old_problems(report: rdflib.Graph, batch: Batch) -> list[Problem]:
    """What validate_batch made of pySHACL's report before kg.shacl_fast."""
    vocab = vocabulary()
    problems = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage) or "does not conform to the shapes"
        field = vocab.field_of(str(path)) if isinstance(path, rdflib.URIRef) else ""
        origin = batch.origins.get(str(focus))
        if origin is not None:
            problems.add(Problem(origin.file, origin.entry, field, str(message), origin.line))
        elif isinstance(focus, rdflib.BNode):
            problems.add(Problem("(batch)", "a blank node", field, str(message)))
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.entry, p.field, p.message))


def split_registry(batch: Batch, triples: list[Triple]) -> tuple[Batch, list[Triple]]:
    """The registry's triples as store context (as if loaded before), the rest as the batch."""
    registry = {t for s in batch.sources if s.slug == "bench-registry" for t in s.triples}
    sources = [SourceGraph("mutated", "https://w3id.org/policykg/graph/mutated", "mutated.yaml", "",
                           [t for t in triples if t not in registry])]
    origins = {iri: ref for iri, ref in batch.origins.items() if "bench-registry" not in ref.file}
    return Batch(sources, origins), [t for t in triples if t in registry]


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_batch_agrees_with_pyshacl(seed: int, corpus_dir: Path) -> None:
    """Generated data conforms, for both."""
    batch = generated(seed, corpus_dir)
    assert assert_same(data_graph(batch.triples())) == set()
    assert validate_batch(batch) == []


@pytest.mark.parametrize("seed", range(10))
def test_mutated_batch_agrees_with_pyshacl(seed: int, corpus_dir: Path) -> None:
    """Sixteen seeded mistakes: the same results, and validate_batch (the registry read as store
    context) gives exactly the Problems it gave with pySHACL."""
    rng = random.Random(seed)
    original = generated(1 + seed % 2, corpus_dir)
    mutator = Mutator(list(original.triples()), rng)
    kinds = [mutator.mutate() for _ in range(16)]
    graph = data_graph(mutator.triples)
    report = pyshacl_report(graph)
    expected = pyshacl_results(report)
    found = fast_results(graph)
    assert found == expected, (f"mutations {kinds}\npySHACL only: {sorted(map(str, expected - found))}\n"
                               f"kg.shacl_fast only: {sorted(map(str, found - expected))}")
    assert len({r[2] for r in found}) >= 3, f"mutations {kinds} broke too little: {found}"
    batch, context = split_registry(original, mutator.triples)
    assert validate_batch(batch, context=context) == old_problems(report, batch)


@pytest.mark.parametrize(("kind", "predicates"), [
    ("Statement", ["date", "quote"]), ("State", ["memberCount"]),
    ("Resolution", ["symbol", "sponsorCount", "binding", "adoptedOn"]), ("NewsArticle", []),
])
def test_lexical_forms_agree_with_pyshacl(kind: str, predicates: list[str]) -> None:
    """Every awkward literal on the literal-valued properties of a statement, an actor, a resolution
    and a source: sh:datatype, sh:or, sh:minInclusive, sh:pattern and messages that quote values."""
    source = NamedNode(ID + "source/s")
    triples = [Triple(source, RDF_TYPE, pk("NewsArticle")), Triple(source, DCTERMS_ISSUED, typed("2024-07-01", "date"))]
    for i, value in enumerate(v for v in odd_values() if isinstance(v, Literal)):
        node = NamedNode(f"{ID}{kind.lower()}/{i}")
        triples += [Triple(node, RDF_TYPE, pk(kind)), Triple(node, pk("source"), source)]
        triples += [Triple(node, pk(predicate), value) for predicate in predicates]
        if kind == "NewsArticle":
            triples.append(Triple(node, NamedNode("https://schema.org/url"), value))
    assert_same(data_graph(triples))


ORDERED_VALUES = [
    typed("2019-03-04", "date"), typed("2024-07-01", "date"), typed("2024-07-01Z", "date"),
    typed("2024-07-01T10:00:00", "date"), typed("2024-W27-1", "date"), typed("2024-13-45", "date"),
    typed("2024-07-01T10:00:00Z", "dateTime"), typed("2024-07-01", "gYear"), typed("5", "integer"),
    Literal("2024-07-01"), Literal("2024", language="en"), NamedNode(ID + "actor/a"), NamedNode(ID + "actor/b"),
]


@pytest.mark.parametrize("since", ORDERED_VALUES, ids=str)
def test_order_of_values_agrees_with_pyshacl(since: Literal | NamedNode) -> None:
    """sh:lessThanOrEquals between values of every kind pySHACL can compare."""
    triples = []
    for j, until in enumerate(ORDERED_VALUES):
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            try:
                to_rdf(since) <= to_rdf(until)
            except (TypeError, DeprecationWarning):  # see test_values_pyshacl_cannot_order_are_violations
                continue
        node = NamedNode(f"{ID}position/{j}")
        triples += [Triple(node, RDF_TYPE, pk("Position")), Triple(node, pk("since"), since),
                    Triple(node, pk("until"), until)]
    assert_same(data_graph(triples))


def test_values_rdflib_reads_as_one_are_counted_once() -> None:
    """pySHACL counts values as rdflib reads them (a Python set of rdflib terms), and rdflib writes
    "2024-07-01Z"^^xsd:date as "2024-07-01" and "1_000"^^xsd:integer as "1000"."""
    resolution, other = NamedNode(ID + "resolution/a-res-1"), NamedNode(ID + "resolution/a-res-2")
    found = assert_same(data_graph([
        Triple(resolution, RDF_TYPE, pk("Resolution")), Triple(other, RDF_TYPE, pk("Resolution")),
        Triple(resolution, pk("adoptedOn"), typed("2024-07-01", "date")),
        Triple(resolution, pk("adoptedOn"), typed("2024-07-01Z", "date")),
        Triple(resolution, pk("sponsorCount"), typed("1000", "integer")),
        Triple(resolution, pk("sponsorCount"), typed("1_000", "integer")),
        Triple(other, pk("adoptedOn"), typed("2024-07-01", "date")),
        Triple(other, pk("adoptedOn"), typed("2024-07-02", "date")),
    ]))
    assert {(r[0], r[2]) for r in found} == {(rdflib.URIRef(other.value), SH.MaxCountConstraintComponent)}


def test_unicode_iris_and_blank_nodes_agree_with_pyshacl() -> None:
    """Focus nodes and values are IRIs beyond ASCII and blank nodes as well."""
    statement, actor, blank = NamedNode(ID + "statement/déclaration-ü"), NamedNode(ID + "actor/李"), BlankNode()
    found = assert_same(data_graph([
        Triple(statement, RDF_TYPE, pk("Statement")), Triple(statement, pk("speaker"), actor),
        Triple(statement, pk("onBehalfOf"), blank), Triple(actor, RDF_TYPE, pk("Person")),
        Triple(blank, RDF_TYPE, pk("State")), Triple(blank, RDFS_LABEL, Literal("État", language="fr")),
        Triple(blank, RDFS_LABEL, Literal("Etat", language="FR")),
    ]))
    assert {str(r[0]) for r in found} == {statement.value, actor.value, blank.value}


@pytest.mark.parametrize(("since", "until"), [
    (typed("2024-13-45", "date"), typed("2024-07-01", "date")),
    (typed("2024-07-01", "date"), typed("2024-13-45", "date")),
    (BlankNode("b"), typed("2024-07-01", "date")),
], ids=["ill-formed first", "ill-formed second", "blank node"])
def test_values_pyshacl_cannot_order_are_violations(since: Literal | BlankNode, until: Literal) -> None:
    """rdflib cannot order an ill-formed date against another date: pySHACL raises TypeError, or
    passes the pair on NotImplemented's truth value (a DeprecationWarning, an error here); on a blank
    node it raises. kg.shacl_fast reports the pair, as SHACL's SPARQL ``<=`` makes it an error."""
    node = NamedNode(ID + "position/p")
    graph = data_graph([Triple(node, RDF_TYPE, pk("Position")), Triple(node, pk("since"), since),
                        Triple(node, pk("until"), until)])
    with warnings.catch_warnings(), pytest.raises((TypeError, DeprecationWarning, ReportableRuntimeError)):
        warnings.simplefilter("error", DeprecationWarning)
        pyshacl_report(graph)
    assert any(r.component.value == str(SH.LessThanOrEqualsConstraintComponent) and r.focus == node
               for r in shacl_fast.validate(graph))


def test_literal_type_of_a_value_is_not_a_class() -> None:
    """pySHACL raises TypeError when a value that sh:class checks has a literal rdf:type (on a
    pyoxigraph store); kg.shacl_fast reports the value as not an instance, as SHACL says."""
    statement, speaker = NamedNode(ID + "statement/s"), NamedNode(ID + "actor/a")
    graph = data_graph([Triple(statement, RDF_TYPE, pk("Statement")), Triple(statement, pk("speaker"), speaker),
                        Triple(speaker, RDF_TYPE, Literal("Person"))])
    with pytest.raises(TypeError):
        pyshacl_report(graph)
    assert any(r.focus == statement and r.value == speaker and r.component.value == str(SH.ClassConstraintComponent)
               for r in shacl_fast.validate(graph))


# ---------------------------------------------------------------------------------------- other shapes


SHAPES_PREFIXES = """
@prefix sh:   <http://www.w3.org/ns/shacl#> .
@prefix pk:   <https://w3id.org/policykg/ontology#> .
@prefix pksh: <https://w3id.org/policykg/shapes#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex:   <https://example.org/> .
"""


def test_severity_and_custom_shapes_agree_with_pyshacl() -> None:
    """A shape's sh:severity reaches its results (validate_batch keeps only Violations)."""
    shapes = rdflib.Graph().parse(format="turtle", data=SHAPES_PREFIXES + """
        ex:TopicShape a sh:NodeShape ; sh:targetClass pk:Topic ; sh:severity sh:Warning ;
            sh:property [ sh:path rdfs:label ; sh:minCount 2 ; sh:message "two labels, please"@en ;
                          sh:severity sh:Info ] ;
            sh:property [ sh:path rdfs:comment ; sh:minCount 1 ; sh:nodeKind sh:Literal ;
                          sh:message "a comment"@en ] .
    """)
    graph = data_graph([Triple(NamedNode(ID + "topic/ai"), RDF_TYPE, pk("Topic")),
                        Triple(NamedNode(ID + "topic/ai"), RDFS_LABEL, Literal("AI", language="en"))])
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    found = fast_results(graph, compile_shapes(shapes))
    assert found == pyshacl_results(report)
    assert {str(r[5]) for r in found} == {str(SH.Info), str(SH.Violation)}


UNSUPPORTED = {
    "sh:node": "pksh:StatementShape-speaker sh:node pksh:ActorShape .",
    "sh:targetNode": "pksh:TopicShape sh:targetNode pk:Topics .",
    "sh:targetSubjectsOf": "ex:S a sh:NodeShape ; sh:targetSubjectsOf pk:speaker .",
    "inverse path": "ex:S a sh:NodeShape ; sh:targetClass pk:Actor ; sh:property [ "
                    "sh:path [ sh:inversePath pk:speaker ] ; sh:maxCount 1 ; sh:message \"m\" ] .",
    "sequence path": "ex:S a sh:NodeShape ; sh:targetClass pk:Actor ; sh:property [ "
                     "sh:path ( pk:speaker rdfs:label ) ; sh:maxCount 1 ; sh:message \"m\" ] .",
    "sh:minLength": "pksh:ResolutionShape-symbol sh:minLength 3 .",
    "sh:flags": "pksh:ResolutionShape-symbol sh:flags \"i\" .",
    "sh:languageIn": "pksh:TopicShape-label sh:languageIn ( \"en\" ) .",
    "sh:equals": "pksh:PositionShape-since sh:equals pk:until .",
    "sh:closed": "pksh:TopicShape sh:closed true .",
    "sh:deactivated": "pksh:StatementShape-speaker sh:deactivated true .",
    "sh:not": "pksh:StatementShape-about sh:not [ sh:datatype xsd:string ] .",
    "sh:qualifiedValueShape": "pksh:StatementShape-about sh:qualifiedValueShape [ sh:class pk:Topic ] ; "
                              "sh:qualifiedMinCount 1 .",
    "unchecked sh:datatype": "pksh:ResolutionShape-sponsorCount sh:datatype xsd:float .",
    "second sh:datatype": "pksh:EventShape-location sh:datatype xsd:anyURI .",
    "sh:minInclusive on a property shape": "pksh:ResolutionShape-sponsorCount sh:minInclusive 0 .",
    "sh:maxInclusive in an sh:or member": "ex:S a sh:NodeShape ; sh:targetClass pk:Actor ; sh:property [ "
                                          "sh:path pk:memberCount ; sh:message \"m\" ; "
                                          "sh:or ( [ sh:datatype xsd:integer ; sh:maxInclusive 9 ] ) ] .",
    "sh:in with a literal": "ex:S a sh:NodeShape ; sh:targetClass pk:Actor ; sh:property [ sh:path pk:status ; "
                            "sh:in ( \"x\" ) ; sh:message \"m\" ] .",
    "no sh:message": "ex:S a sh:NodeShape ; sh:targetClass pk:Actor ; sh:property [ sh:path pk:status ; "
                     "sh:maxCount 1 ] .",
    "a message on a node shape": "pksh:TopicShape sh:message \"m\"@en .",
    "implicit class target": "pksh:TopicShape a rdfs:Class .",
    "a node shape without target": "ex:S a sh:NodeShape ; sh:property pksh:TopicShape-label .",
    "a property shape with a target": "pksh:TopicShape-label sh:targetClass pk:Topic .",
    "an empty sh:or": "ex:S a sh:NodeShape ; sh:targetClass pk:Actor ; sh:property [ sh:path pk:status ; "
                      "sh:or () ; sh:message \"m\" ] .",
    "a boolean sh:maxCount": "ex:S a sh:NodeShape ; sh:targetClass pk:Actor ; sh:property [ sh:path pk:status ; "
                             "sh:maxCount true ; sh:message \"m\" ] .",
    "sh:ask": "pksh:TopicShape sh:sparql [ sh:ask \"ASK { $this ?p ?o }\" ; sh:message \"m\" ] .",
    "OPTIONAL in sh:select": "pksh:TopicShape sh:sparql [ sh:message \"m\" ; sh:select "
                             "\"SELECT $this WHERE { OPTIONAL { $this ?p ?o } }\" ] .",
    "LIMIT in sh:select": "pksh:TopicShape sh:sparql [ sh:message \"m\" ; sh:select "
                          "\"SELECT $this WHERE { $this ?p ?o } LIMIT 1\" ] .",
    "sh:select without $this": "pksh:TopicShape sh:sparql [ sh:message \"m\" ; sh:select "
                               "\"SELECT ?x WHERE { ?x ?p ?o }\" ] .",
    "sh:select that does not parse": "pksh:TopicShape sh:sparql [ sh:message \"m\" ; sh:select "
                                     "\"SELECT $this WHERE { $this pk:x }\" ] .",
    "sh:sparql on a property shape": "pksh:TopicShape-label sh:sparql pksh:StatementShape-quoteOrParaphrase .",
    "a SHACL rule": "pksh:TopicShape sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate pk:x ; "
                    "sh:object sh:this ] .",
}


def test_policykg_shapes_compile() -> None:
    """Every shape, property shape and SPARQL constraint of shapes/ is in the plan."""
    plan = compile_shapes(shapes_graph())
    assert len(plan.node_shapes) == 13
    assert sum(len(shape.properties) for shape in plan.node_shapes) == 87
    assert sum(len(shape.sparql) for shape in plan.node_shapes) == 9


@pytest.mark.parametrize("feature", sorted(UNSUPPORTED))
def test_unsupported_feature_is_refused(feature: str) -> None:
    """policykg's shapes plus one feature kg.shacl_fast does not implement do not compile."""
    shapes = rdflib.Graph()
    shapes += shapes_graph()
    shapes.parse(format="turtle", data=SHAPES_PREFIXES + UNSUPPORTED[feature])
    with pytest.raises(UnsupportedShape):
        compile_shapes(shapes)
