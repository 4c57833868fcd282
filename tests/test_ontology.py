"""The ontology: its header, its terms, its quality checks, and HermiT's verdict (kg.reason)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import owlready2
import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from kg import reason
from kg.errors import EngineError, EntryError
from kg.namespaces import DCTERMS, FOAF, ORG, OWL, PK, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from kg.resources import ontology_files, resource_path

ONTOLOGY_IRI = URIRef("https://w3id.org/policykg/ontology")
VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")
VANN_URI = URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")
CHECKS = sorted(resource_path("ontology", "checks").glob("*-violation.rq"))

PREFIXES = """\
@prefix pk:   <https://w3id.org/policykg/ontology#> .
@prefix ex:   <https://example.org/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""



# rdflib 7.6's own TriG and N-Quads parsers use the ConjunctiveGraph API it deprecates.
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:ConjunctiveGraph is deprecated, use Dataset instead:DeprecationWarning"
    ),
    pytest.mark.filterwarnings(
        "ignore:Dataset.default_context is deprecated, use Dataset.default_graph instead"
        ":DeprecationWarning"
    ),
]


def needs_java(test):
    """Mark a test that runs HermiT: marker ``java``, skipped where Java is missing."""
    skip = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")
    return pytest.mark.java(skip(test))


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


def pk_terms(graph: Graph) -> list[URIRef]:
    return sorted(
        {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and s in PK}
    )


def write(tmp_path: Path, name: str, turtle: str) -> Path:
    path = tmp_path / name
    path.write_text(PREFIXES + turtle, encoding="utf-8")
    return path


# --- header ----------------------------------------------------------------------------------


def test_header_has_version_licence_prefix_and_date(ontology: Graph):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(
        "https://w3id.org/policykg/ontology/0.1.0"
    )
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert ontology.value(ONTOLOGY_IRI, VANN_PREFIX) == Literal("pk")
    assert str(ontology.value(ONTOLOGY_IRI, VANN_URI)) == str(PK)
    modified = ontology.value(ONTOLOGY_IRI, DCTERMS.modified)
    assert modified == Literal("2026-11-25", datatype=XSD.date)
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.creator) == Literal("policykg maintainers")


def test_only_one_file_declares_the_ontology(ontology: Graph):
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


# --- terms -------------------------------------------------------------------------------------

# The terms DESIGN.md fixes ("queries written by users and by the tests depend on them").
DESIGN_TERMS = {
    OWL.Class: [
        "Actor", "Person", "Organization", "State", "GovernmentBody", "InternationalOrganization",
        "Group", "Statement", "Position", "PolicyInstrument", "Resolution", "PolicyMeasure",
        "Event", "Topic", "Source",
    ],
    OWL.ObjectProperty: [
        "speaker", "onBehalfOf", "datePrecision", "about", "occasion", "source", "holder",
        "stance", "target", "evidence", "adoptedBy", "adoptionMethod", "sponsor", "issuedBy",
        "status", "affects",
    ],
    OWL.DatatypeProperty: [
        "date", "quote", "paraphrase", "since", "until", "symbol", "adoptedOn", "sponsorCount",
        "binding", "announcedOn",
    ],
    SKOS.ConceptScheme: ["Stances"],
    PK.Stance: ["supports", "opposes", "neutral", "calls_for"],
}


@pytest.mark.parametrize(
    ("kind", "name"), [(kind, name) for kind, names in DESIGN_TERMS.items() for name in names]
)
def test_design_fixed_term_exists(ontology: Graph, kind: URIRef, name: str):
    assert (PK[name], RDF.type, kind) in ontology


ALIGNMENTS = [
    (PK.Actor, RDFS.subClassOf, PROV.Agent),
    (PK.Actor, RDFS.subClassOf, FOAF.Agent),
    (PK.Person, RDFS.subClassOf, PK.Actor),
    (PK.Person, RDFS.subClassOf, FOAF.Person),
    (PK.Person, RDFS.subClassOf, SCHEMA.Person),
    (PK.Person, RDFS.subClassOf, PROV.Person),
    (PK.Organization, RDFS.subClassOf, PK.Actor),
    (PK.Organization, RDFS.subClassOf, ORG.Organization),
    (PK.Organization, RDFS.subClassOf, FOAF.Organization),
    (PK.Organization, RDFS.subClassOf, PROV.Organization),
    (PK.State, RDFS.subClassOf, PK.Organization),
    (PK.GovernmentBody, RDFS.subClassOf, PK.Organization),
    (PK.InternationalOrganization, RDFS.subClassOf, PK.Organization),
    (PK.NewsOrganization, RDFS.subClassOf, PK.Organization),
    (PK.Group, RDFS.subClassOf, PK.Actor),
    (PK.Group, RDFS.subClassOf, FOAF.Group),
    (PK.Statement, RDFS.subClassOf, PROV.Entity),
    (PK.Provision, RDFS.subClassOf, PROV.Entity),
    (PK.Position, RDFS.subClassOf, PROV.Entity),
    (PK.PolicyInstrument, RDFS.subClassOf, PROV.Entity),
    (PK.Resolution, RDFS.subClassOf, PK.PolicyInstrument),
    (PK.PolicyMeasure, RDFS.subClassOf, PK.PolicyInstrument),
    (PK.Event, RDFS.subClassOf, PROV.Activity),
    (PK.Adoption, RDFS.subClassOf, PK.Event),
    (PK.Announcement, RDFS.subClassOf, PK.Event),
    (PK.PressBriefing, RDFS.subClassOf, PK.Event),
    (PK.Negotiation, RDFS.subClassOf, PK.Event),
    (PK.Topic, RDFS.subClassOf, SKOS.Concept),
    (PK.Source, RDFS.subClassOf, PROV.Entity),
    (PK.SourceGraph, RDFS.subClassOf, PROV.Entity),
    (PK.Stance, RDFS.subClassOf, SKOS.Concept),
    (PK.DatePrecision, RDFS.subClassOf, SKOS.Concept),
    (PK.CountQualifier, RDFS.subClassOf, SKOS.Concept),
    (PK.AdoptionMethod, RDFS.subClassOf, SKOS.Concept),
    (PK.InstrumentStatus, RDFS.subClassOf, SKOS.Concept),
    (PK.speaker, RDFS.subPropertyOf, PROV.wasAttributedTo),
    (PK.about, RDFS.subPropertyOf, DCTERMS.subject),
    (PK.source, RDFS.subPropertyOf, PROV.wasDerivedFrom),
    (PK.source, RDFS.subPropertyOf, DCTERMS.source),
    (PK.evidence, RDFS.subPropertyOf, PROV.wasDerivedFrom),
    (PK.leadSponsor, RDFS.subPropertyOf, PK.sponsor),
    (PK.recordedAt, RDFS.subPropertyOf, PROV.generatedAtTime),
]


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: f"{t[0].split('#')[-1]}-{t[2]}")
def test_alignment(ontology: Graph, triple):
    assert triple in ontology


RANGES = {
    PK.date: None,  # xsd:date ⊔ xsd:dateTime, checked below
    PK.since: XSD.date, PK.until: XSD.date, PK.adoptedOn: XSD.date, PK.announcedOn: XSD.date,
    PK.startDate: XSD.date, PK.endDate: XSD.date,
    PK.sponsorCount: XSD.nonNegativeInteger, PK.memberCount: XSD.nonNegativeInteger,
    PK.tripleCount: XSD.nonNegativeInteger,
    PK.binding: XSD.boolean, PK.symbol: XSD.string, PK.location: XSD.string,
    PK.recordedAt: XSD.dateTime, PK.loadedFrom: XSD.string, PK.checksum: XSD.string,
    SCHEMA.url: XSD.anyURI,
    PK.speaker: PK.Actor, PK.stance: PK.Stance, PK.datePrecision: PK.DatePrecision,
    PK.sponsorCountQualifier: PK.CountQualifier, PK.adoptionMethod: PK.AdoptionMethod,
    PK.status: PK.InstrumentStatus, PK.source: PK.Source, PK.evidence: PK.Statement,
    PK.occasion: PK.Event, PK.graphOf: PK.Source,
}


@pytest.mark.parametrize("prop", list(RANGES), ids=lambda p: str(p).split("#")[-1].split("/")[-1])
def test_range(ontology: Graph, prop: URIRef):
    if RANGES[prop] is not None:
        assert ontology.value(prop, RDFS.range) == RANGES[prop]


def test_date_accepts_date_or_datetime(ontology: Graph):
    rows = ontology.query(
        """SELECT ?member WHERE {
             pk:date rdfs:range ?range . ?range a rdfs:Datatype ;
               owl:unionOf/rdf:rest*/rdf:first ?member }""",
        initNs={"pk": PK, "rdfs": RDFS, "owl": OWL, "rdf": RDF},
    )
    assert {row.member for row in rows} == {XSD.date, XSD.dateTime}


def test_date_domain_is_statement_or_event(ontology: Graph):
    rows = ontology.query(
        """SELECT ?member WHERE {
             pk:date rdfs:domain ?domain . ?domain owl:unionOf/rdf:rest*/rdf:first ?member }""",
        initNs={"pk": PK, "rdfs": RDFS, "owl": OWL, "rdf": RDF},
    )
    assert {row.member for row in rows} == {PK.Statement, PK.Event}


def test_person_is_disjoint_with_organization_and_group(ontology: Graph):
    rows = ontology.query(
        """SELECT ?axiom WHERE {
             ?axiom a owl:AllDisjointClasses ; owl:members ?list .
             ?list rdf:rest*/rdf:first pk:Person .
             ?list rdf:rest*/rdf:first pk:Organization .
             ?list rdf:rest*/rdf:first pk:Group . }""",
        initNs={"pk": PK, "owl": OWL, "rdf": RDF},
    )
    assert len(rows) == 1


def test_speaker_is_functional(ontology: Graph):
    assert (PK.speaker, RDF.type, OWL.FunctionalProperty) in ontology
    assert (PK.speaker, RDF.type, OWL.ObjectProperty) in ontology


def test_every_pk_term_is_labelled_defined_and_attributed(ontology: Graph):
    terms = pk_terms(ontology)
    assert len(terms) > 90
    for term in terms:
        labels = [o for o in ontology.objects(term, RDFS.label) if o.language == "en"]
        definitions = list(ontology.objects(term, RDFS.comment)) + list(
            ontology.objects(term, SKOS.definition)
        )
        assert labels, f"{term} has no English rdfs:label"
        assert definitions, f"{term} has neither rdfs:comment nor skos:definition"
        assert (term, RDFS.isDefinedBy, ONTOLOGY_IRI) in ontology, f"{term} lacks rdfs:isDefinedBy"


SCHEMES = {
    PK.Stances: (PK.Stance, {"supports", "opposes", "neutral", "calls_for"}),
    PK.DatePrecisions: (PK.DatePrecision, {"day", "month", "year"}),
    PK.CountQualifiers: (PK.CountQualifier, {"exactly", "moreThan", "atLeast", "approximately"}),
    PK.AdoptionMethods: (PK.AdoptionMethod, {"consensus", "recordedVote"}),
    PK.InstrumentStatuses: (
        PK.InstrumentStatus,
        {"proposed", "underConsideration", "adopted", "inForce", "withdrawn"},
    ),
    PK.Topics: (PK.Topic, set()),
}


@pytest.mark.parametrize("scheme", list(SCHEMES), ids=lambda s: s.split("#")[-1])
def test_concept_scheme_members(ontology: Graph, scheme: URIRef):
    cls, names = SCHEMES[scheme]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
    members = set(ontology.subjects(SKOS.inScheme, scheme))
    assert members == {PK[name] for name in names}
    for concept in members:
        assert (concept, RDF.type, cls) in ontology
        assert (concept, RDF.type, SKOS.Concept) in ontology
        assert (concept, SKOS.topConceptOf, scheme) in ontology
        assert ontology.value(concept, SKOS.prefLabel) is not None
        assert ontology.value(concept, SKOS.definition) is not None


# --- quality checks (ontology/checks/*-violation.rq must return no rows) -----------------------


def test_there_are_quality_checks():
    assert len(CHECKS) >= 8


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_quality_check_finds_nothing(ontology: Graph, check: Path):
    rows = list(ontology.query(check.read_text(encoding="utf-8")))
    assert rows == [], "\n".join(" ".join(str(v) for v in row) for row in rows)


# One invalid case per check: the check must catch it.
BROKEN = {
    "term-without-label-violation": "pk:Thing a owl:Class ; rdfs:label 'thing' .",
    "term-without-definition-violation": "pk:Thing a owl:Class ; rdfs:comment 'no language tag' .",
    "term-without-defined-by-violation": (
        "ex:Other a owl:Class ; rdfs:isDefinedBy <https://w3id.org/policykg/ontology> ."
    ),
    "label-language-violation": "pk:Actor rdfs:label 'agent'@en .",
    "punned-term-violation": "ex:p a owl:ObjectProperty , owl:DatatypeProperty .",
    "undeclared-term-violation": "ex:C a owl:Class ; rdfs:subClassOf ex:Undeclared .",
    "property-signature-violation": "pk:thing a owl:DatatypeProperty ; rdfs:domain pk:Statement .",
    "concept-scheme-violation": "pk:maybe a skos:Concept ; skos:inScheme pk:Stances .",
}


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_quality_check_catches_its_violation(check: Path):
    assert check.stem in BROKEN, f"add an invalid case for {check.name} to BROKEN"
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    graph.parse(data=PREFIXES + BROKEN[check.stem], format="turtle")
    assert list(graph.query(check.read_text(encoding="utf-8")))


# --- HermiT ------------------------------------------------------------------------------------


@needs_java
def test_ontology_is_consistent_with_hermit():
    report = reason.check()
    assert report.consistent, report.message
    assert report.unsatisfiable == ()
    assert report.inconsistent_individuals == ()
    assert report.ok


@needs_java
def test_valid_data_is_consistent(tmp_path: Path):
    data = write(
        tmp_path,
        "valid.ttl",
        """
        ex:fu-cong a pk:Person ; rdfs:label "Fu Cong"@en .
        ex:china a pk:State ; owl:sameAs <http://www.wikidata.org/entity/Q148> .
        ex:briefing a pk:PressBriefing ; pk:date "2024-07-01"^^xsd:date ; pk:datePrecision pk:day .
        ex:s1 a pk:Statement ; pk:speaker ex:fu-cong ; pk:onBehalfOf ex:china ;
            pk:date "2024-07-01"^^xsd:date ; pk:datePrecision pk:day ; pk:occasion ex:briefing ;
            pk:quote "We are firmly opposed to these sanctions"@en ; pk:about ex:rule .
        ex:rule a pk:PolicyMeasure ; pk:status pk:proposed ; pk:announcedOn "2024-06-21"^^xsd:date .
        ex:res a pk:Resolution ; pk:symbol "A/RES/78/311" ; pk:sponsorCount 140 ;
            pk:sponsorCountQualifier pk:moreThan ; pk:binding false ;
            pk:adoptionMethod pk:consensus ; pk:leadSponsor ex:china .
        ex:pos a pk:Position ; pk:holder ex:china ; pk:stance pk:opposes ; pk:target ex:rule ;
            pk:evidence ex:s1 .
        """,
    )
    report = reason.check([data])
    assert report.ok, report.message
    assert report.inconsistent_individuals == ()


@needs_java
def test_subclass_of_person_and_organization_is_unsatisfiable(tmp_path: Path):
    data = write(
        tmp_path,
        "cyborg.ttl",
        "ex:Cyborg a owl:Class ; rdfs:subClassOf pk:Person , pk:Organization .\n"
        "ex:Diplomat a owl:Class ; rdfs:subClassOf pk:Person .\n",
    )
    report = reason.check([data])
    assert report.consistent
    assert report.unsatisfiable == ("https://example.org/Cyborg",)
    assert not report.ok
    assert "https://example.org/Cyborg" in report.message


@needs_java
def test_individual_that_is_person_and_organization_is_reported(tmp_path: Path):
    data = write(
        tmp_path,
        "robot.ttl",
        """
        ex:robot a pk:Person , pk:Organization .
        ex:fu-cong a pk:Person .
        ex:china a pk:State .
        """,
    )
    report = reason.check([data])
    assert not report.consistent
    assert report.inconsistent_individuals == ("https://example.org/robot",)
    assert "pk:Person" in report.message and "pk:Organization" in report.message


@needs_java
def test_two_speakers_of_disjoint_kinds_are_reported(tmp_path: Path):
    # pk:speaker is functional: the two speakers must be one individual, a Person and a State.
    data = write(
        tmp_path,
        "speakers.ttl",
        """
        ex:s1 a pk:Statement ; pk:speaker ex:fu-cong , ex:china .
        ex:fu-cong a pk:Person .
        ex:china a pk:State .
        ex:evans a pk:Person .
        """,
    )
    report = reason.check([data])
    assert not report.consistent
    assert set(report.inconsistent_individuals) == {
        "https://example.org/s1", "https://example.org/fu-cong", "https://example.org/china"
    }


@needs_java
def test_concept_of_the_wrong_scheme_is_reported(tmp_path: Path):
    data = write(tmp_path, "stance.ttl", "ex:pos a pk:Position ; pk:stance pk:year .\n")
    report = reason.check([data])
    assert report.inconsistent_individuals == ("https://example.org/pos",)


@needs_java
def test_literals_outside_their_range_are_reported(tmp_path: Path):
    data = write(
        tmp_path,
        "literals.ttl",
        """
        ex:r1 a pk:Resolution ; pk:symbol "A/RES/78/311"@en .
        ex:r2 a pk:Resolution ; pk:binding "no" .
        ex:r3 a pk:Resolution ; pk:sponsorCount -1 .
        ex:s1 a pk:Statement ; pk:quote 42 .
        ex:ok a pk:Resolution ; pk:symbol "A/RES/78/265" ; pk:sponsorCount 123 ; pk:binding false .
        """,
    )
    report = reason.check([data])
    assert not report.consistent
    assert report.inconsistent_individuals == tuple(
        f"https://example.org/{name}" for name in ("r1", "r2", "r3", "s1")
    )
    assert "is not in its range xsd:string" in report.message


@needs_java
def test_ill_typed_literal_is_reported_not_an_engine_error(tmp_path: Path):
    data = write(
        tmp_path,
        "ill-typed.ttl",
        'ex:r1 a pk:Resolution ; pk:sponsorCount "many"^^xsd:nonNegativeInteger .\n'
        'ex:s1 a pk:Statement ; pk:date "2024-02-30"^^xsd:date .\n'
        "ex:ok a pk:Person .\n",
    )
    report = reason.check([data])
    assert not report.consistent
    assert report.inconsistent_individuals == ("https://example.org/r1", "https://example.org/s1")
    assert "ill-typed" in report.message


@needs_java
@pytest.mark.slow
def test_hermit_names_what_the_cheap_passes_cannot(tmp_path: Path):
    # pk:date's domain is Statement ⊔ Event, both disjoint with Position: only HermiT sees it.
    valid = "\n".join(f"ex:s{i} a pk:Statement ; pk:speaker ex:fu-cong ." for i in range(12))
    data = write(
        tmp_path,
        "position-date.ttl",
        valid
        + "\nex:fu-cong a pk:Person .\n"
        + 'ex:pos a pk:Position ; pk:date "2024-07-01"^^xsd:date .\n',
    )
    report = reason.check([data])
    assert not report.consistent
    assert report.inconsistent_individuals == ("https://example.org/pos",)
    assert "(HermiT)" in report.message


@needs_java
def test_check_graph_takes_a_dataset_with_named_graphs():
    dataset = Dataset()
    dataset.graph(URIRef("https://example.org/graph/a")).parse(
        data=PREFIXES + "ex:robot a pk:Person .", format="turtle"
    )
    dataset.graph(URIRef("https://example.org/graph/b")).parse(
        data=PREFIXES + "ex:robot a pk:Group .", format="turtle"
    )
    report = reason.check_graph(dataset)
    assert report.inconsistent_individuals == ("https://example.org/robot",)


@needs_java
def test_no_temporary_files_are_left_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    data = write(tmp_path, "robot.ttl", "ex:robot a pk:Person , pk:Group .\n")
    report = reason.check([data])
    assert not report.consistent
    assert list(temp.iterdir()) == []


# --- the worked examples of docs/ontology.md -------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "ontology.md"


def docs_examples() -> Graph:
    """The Turtle blocks of docs/ontology.md, read as one document (prefixes in the first)."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = [part.split("```", 1)[0] for part in text.split("```turtle\n")[1:]]
    graph = Graph()
    graph.parse(data="\n".join(blocks), format="turtle")
    return graph


def test_docs_examples_parse_and_use_only_ontology_terms(ontology: Graph):
    graph = docs_examples()
    assert (URIRef("https://w3id.org/policykg/id/resolution/a-res-78-311"), PK.sponsorCount,
            Literal(140)) in graph
    used = {p for p in graph.predicates() if p in PK} | {
        o for o in graph.objects(None, RDF.type) if o in PK
    }
    defined = set(pk_terms(ontology))
    assert sorted(used - defined) == []


@needs_java
def test_docs_examples_are_consistent():
    report = reason.check_graph(docs_examples())
    assert report.ok, report.message


# --- without Java ------------------------------------------------------------------------------


def test_missing_java_is_an_engine_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    with pytest.raises(EngineError, match="Java"):
        reason.check()


def test_unknown_file_is_an_entry_error(tmp_path: Path):
    entry = tmp_path / "entries.yaml"
    entry.write_text("source: {}\n", encoding="utf-8")
    with pytest.raises(EntryError, match="not an RDF file"):
        reason.read_data([entry])
    with pytest.raises(EntryError, match="no such file"):
        reason.read_data([tmp_path / "missing.ttl"])


def test_unparseable_file_is_an_entry_error(tmp_path: Path):
    broken = write(tmp_path, "broken.ttl", "ex:a ex:b .\n")
    with pytest.raises(EntryError, match="broken.ttl"):
        reason.read_data([broken])


def test_read_data_merges_named_graphs_and_skips_entry_files_in_folders(tmp_path: Path):
    (tmp_path / "a.trig").write_text(
        PREFIXES + "ex:g1 { ex:a a pk:Person . } ex:g2 { ex:b a pk:State . }", encoding="utf-8"
    )
    (tmp_path / "entries.yaml").write_text("source: {}\n", encoding="utf-8")
    nested = tmp_path / "more"
    nested.mkdir()
    (nested / "c.nt").write_text(
        "<https://example.org/c> <http://www.w3.org/2000/01/rdf-schema#label> \"c\" .\n",
        encoding="utf-8",
    )
    (nested / "d.nq").write_text(
        "<https://example.org/d> <https://example.org/p> <https://example.org/e> "
        "<https://example.org/g3> .\n",
        encoding="utf-8",
    )
    (nested / "f.jsonld").write_text(
        '{"@context": {"ex": "https://example.org/"}, "@id": "ex:g4",'
        ' "@graph": [{"@id": "ex:f", "@type": "ex:T"}]}',
        encoding="utf-8",
    )
    graph = reason.read_data([tmp_path])
    assert len(graph) == 5
    assert (URIRef("https://example.org/b"), RDF.type, PK.State) in graph


def test_report_ok_needs_consistency_and_no_unsatisfiable_class():
    assert reason.ReasonerReport(True, (), (), "").ok
    assert not reason.ReasonerReport(True, ("https://example.org/C",), (), "").ok
    assert not reason.ReasonerReport(False, (), ("https://example.org/a",), "").ok
