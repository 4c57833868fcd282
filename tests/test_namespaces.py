"""kg.namespaces: PK lists exactly the terms the ontology files define."""

from __future__ import annotations

import doctest

import pytest
from rdflib import Graph, URIRef

import kg.namespaces
from kg.namespaces import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PK,
    PKSH,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    WD,
    XSD,
)
from kg.resources import ontology_files

PK_IRI = "https://w3id.org/policykg/ontology#"


def defined_terms() -> set[URIRef]:
    """The pk: terms the ontology files define: pk: subjects that carry an rdfs:label."""
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return {
        s
        for s in graph.subjects(RDFS.label, None)
        if isinstance(s, URIRef) and str(s).startswith(PK_IRI)
    }


def test_the_ontology_is_two_files():
    assert [p.name for p in ontology_files()] == ["policykg.ttl", "stances.ttl"]


def test_pk_lists_exactly_the_terms_the_ontology_defines():
    listed = set(dir(PK))
    defined = defined_terms()
    assert sorted(defined - listed) == [], "defined in ontology/*.ttl, missing from PK"
    assert sorted(listed - defined) == [], "listed in PK, not defined in ontology/*.ttl"


def test_pk_terms_are_iris_in_the_pk_namespace():
    assert str(PK) == PK_IRI
    assert PK.Statement == URIRef(PK_IRI + "Statement")
    assert PK.calls_for == URIRef(PK_IRI + "calls_for")
    assert PK["moreThan"] == URIRef(PK_IRI + "moreThan")


def test_pk_fails_on_a_term_it_does_not_define():
    with pytest.raises(AttributeError):
        PK.Statment  # noqa: B018 - the typo is the test
    assert "Statment" not in PK


def test_prefixes_cover_the_shared_vocabularies():
    assert PREFIXES == {
        "pk": PK_IRI,
        "pksh": "https://w3id.org/policykg/shapes#",
        "prov": "http://www.w3.org/ns/prov#",
        "org": "http://www.w3.org/ns/org#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "dcterms": "http://purl.org/dc/terms/",
        "schema": "https://schema.org/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "owl": "http://www.w3.org/2002/07/owl#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        "wd": "http://www.wikidata.org/entity/",
        "time": "http://www.w3.org/2006/time#",
    }


def test_prefixes_agree_with_the_namespace_objects():
    pairs = {
        "pksh": PKSH, "prov": PROV, "org": ORG, "skos": SKOS, "dcterms": DCTERMS,
        "schema": SCHEMA, "foaf": FOAF, "owl": OWL, "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "wd": WD,
    }
    for prefix, namespace in pairs.items():
        assert PREFIXES[prefix] == str(namespace), prefix
    assert SCHEMA.NewsArticle == URIRef("https://schema.org/NewsArticle")
    assert WD.Q148 == URIRef("http://www.wikidata.org/entity/Q148")


def test_docstring_examples_run():
    result = doctest.testmod(kg.namespaces)
    assert result.attempted > 0
    assert result.failed == 0
