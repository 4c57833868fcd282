"""Namespaces of policykg: the typed ``PK`` vocabulary and the prefixes everyone shares.

``PK`` lists every term defined in ``ontology/policykg.ttl`` and ``ontology/stances.ttl`` and
fails on a typo (``tests/test_namespaces.py`` checks it against the ontology files). The W3C and
community vocabularies are rdflib's own typed namespaces, re-exported; ``SCHEMA`` uses
``https://schema.org/`` (rdflib's ``SDO`` does too, but the name ``SCHEMA`` matches the prefix).

>>> PK.Statement
rdflib.term.URIRef('https://w3id.org/policykg/ontology#Statement')
>>> PK.moreThan in PK, "Statment" in PK
(True, False)
>>> PREFIXES["wd"] + "Q148"
'http://www.wikidata.org/entity/Q148'
"""

from __future__ import annotations

from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    TIME,
    XSD,
    DefinedNamespace,
    Namespace,
)
from rdflib.term import URIRef

__all__ = [
    "DCTERMS",
    "FOAF",
    "ORG",
    "OWL",
    "PK",
    "PKSH",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "TIME",
    "WD",
    "XSD",
]


class PK(DefinedNamespace):
    """The policykg ontology, ``https://w3id.org/policykg/ontology#`` (prefix ``pk:``)."""

    _NS = Namespace("https://w3id.org/policykg/ontology#")
    _fail = True

    # Classes
    Actor: URIRef  # actor
    Adoption: URIRef  # adoption
    AdoptionMethod: URIRef  # adoption method
    Announcement: URIRef  # announcement
    CountQualifier: URIRef  # count qualifier
    CurationStatus: URIRef  # curation status
    DatePrecision: URIRef  # date precision
    Event: URIRef  # event
    GovernmentBody: URIRef  # government body
    Group: URIRef  # group
    InstrumentStatus: URIRef  # instrument status
    InternationalOrganization: URIRef  # international organization
    Negotiation: URIRef  # negotiation
    NewsOrganization: URIRef  # news organization
    Organization: URIRef  # organization
    Person: URIRef  # person
    PolicyInstrument: URIRef  # policy instrument
    PolicyMeasure: URIRef  # policy measure
    Position: URIRef  # position
    PressBriefing: URIRef  # press briefing
    Provision: URIRef  # provision
    Report: URIRef  # report
    Resolution: URIRef  # resolution
    Source: URIRef  # source
    SourceGraph: URIRef  # source graph
    SourceVersion: URIRef  # source version
    Stance: URIRef  # stance
    State: URIRef  # state
    Statement: URIRef  # statement
    Topic: URIRef  # topic

    # Object properties
    about: URIRef  # about
    addressee: URIRef  # addressee
    adoptedBy: URIRef  # adopted by
    adoptionMethod: URIRef  # adoption method
    affects: URIRef  # affects
    correctedBy: URIRef  # corrected by
    curationStatus: URIRef  # curation status
    datePrecision: URIRef  # date precision
    evidence: URIRef  # evidence
    graphOf: URIRef  # graph of
    holder: URIRef  # holder
    issuedBy: URIRef  # issued by
    leadSponsor: URIRef  # lead sponsor
    occasion: URIRef  # occasion
    onBehalfOf: URIRef  # on behalf of
    participant: URIRef  # participant
    proposedBy: URIRef  # proposed by
    reportOf: URIRef  # report of
    source: URIRef  # source
    speaker: URIRef  # speaker
    sponsor: URIRef  # sponsor
    sponsorCountQualifier: URIRef  # sponsor count qualifier
    stance: URIRef  # stance
    status: URIRef  # status
    syndicationOf: URIRef  # syndication of
    target: URIRef  # target
    versionOf: URIRef  # version of

    # Datatype properties
    adoptedOn: URIRef  # adopted on
    announcedOn: URIRef  # announced on
    attributionConfidence: URIRef  # attribution confidence
    binding: URIRef  # binding
    changeNote: URIRef  # change note
    checksum: URIRef  # checksum
    contentHash: URIRef  # content hash
    date: URIRef  # date
    deleted: URIRef  # deleted
    demandedAction: URIRef  # demanded action
    endDate: URIRef  # end date
    loadedFrom: URIRef  # loaded from
    location: URIRef  # location
    memberCount: URIRef  # member count
    operativeVerb: URIRef  # operative verb
    paraphrase: URIRef  # paraphrase
    quote: URIRef  # quote
    recordedAt: URIRef  # recorded at
    recordedBy: URIRef  # recorded by
    retractedOn: URIRef  # retracted on
    retractionReason: URIRef  # retraction reason
    since: URIRef  # since
    sponsorCount: URIRef  # sponsor count
    startDate: URIRef  # start date
    symbol: URIRef  # symbol
    tripleCount: URIRef  # triple count
    until: URIRef  # until
    versionNumber: URIRef  # version number

    # Concept schemes (ontology/stances.ttl)
    AdoptionMethods: URIRef  # adoption methods
    CountQualifiers: URIRef  # count qualifiers
    CurationStatuses: URIRef  # curation statuses
    DatePrecisions: URIRef  # date precisions
    InstrumentStatuses: URIRef  # instrument statuses
    Stances: URIRef  # stances
    Topics: URIRef  # topics

    # Concepts (ontology/stances.ttl)
    adopted: URIRef  # adopted
    approximately: URIRef  # approximately
    atLeast: URIRef  # at least
    calls_for: URIRef  # calls for
    consensus: URIRef  # consensus
    day: URIRef  # day
    disputed: URIRef  # disputed
    draft: URIRef  # draft
    exactly: URIRef  # exactly
    inForce: URIRef  # in force
    month: URIRef  # month
    moreThan: URIRef  # more than
    neutral: URIRef  # neutral
    opposes: URIRef  # opposes
    proposed: URIRef  # proposed
    recordedVote: URIRef  # recorded vote
    reviewed: URIRef  # reviewed
    supports: URIRef  # supports
    underConsideration: URIRef  # under consideration
    withdrawn: URIRef  # withdrawn
    year: URIRef  # year

SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
PKSH = Namespace("https://w3id.org/policykg/shapes#")

#: Prefix → namespace IRI, for Turtle output, SPARQL prologues and JSON-LD contexts.
PREFIXES: dict[str, str] = {
    "pk": str(PK),
    "pksh": str(PKSH),
    "prov": str(PROV),
    "org": str(ORG),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "wd": str(WD),
    "time": str(TIME),
}
