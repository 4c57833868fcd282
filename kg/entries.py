"""Entry files → RDF: curators' YAML/JSON entries, and RDF files accepted as they are.

An entry file describes one source and what it reports (see ``docs/entries.md``). Keys are the
local names of the vocabulary, defined once in the JSON-LD context ``kg/context.jsonld``, which
also compacts JSON-LD output, so both speak the same words. Slugs become IRIs under the base
(:mod:`kg.iris`); a reference is a slug defined in the same batch, ``kind/slug``, a CURIE or a full
IRI, or a slug already in the store (resolved with one query for the whole batch).

Parsing never writes: it returns a :class:`Batch` of source graphs, or raises
:class:`~kg.errors.EntryError` listing every problem as ``file: entry-id: field: message``.

>>> batch = parse_batch([NamedInput("demo.yaml", b'''
... source: {id: demo, title: A demo, publisher: ap, issued: 2024-07-02}
... actors: [{id: ap, type: NewsOrganization, label: AP}]
... ''')])
>>> batch.sources[0].graph_iri
'https://w3id.org/policykg/graph/demo'
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from kg.errors import TO_DECIDE, EntryError, Problem
from kg.iris import HASHED_KINDS, KINDS, META_SLUG, SLUG, Iris

CONTEXT_PATH = Path(__file__).with_name("context.jsonld")

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
PK = "https://w3id.org/policykg/ontology#"
SKOS_IN_SCHEME = NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
ENTRY_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}
RDF_SUFFIXES = {
    ".ttl": RdfFormat.TURTLE,
    ".trig": RdfFormat.TRIG,
    ".nt": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".jsonld": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
}
ACTOR_TYPES = (
    "Person", "State", "GovernmentBody", "InternationalOrganization", "NewsOrganization",
    "Organization", "Group",
)
EVENT_TYPES = ("Event", "Adoption", "Announcement", "PressBriefing", "Negotiation")


@dataclass(frozen=True)
class Section:
    """One list of entries in a file: where its IRIs live and which types it allows."""

    kind: str
    default_type: str | None
    types: tuple[str, ...]


SECTIONS: dict[str, Section] = {
    "source": Section("source", "Source", ("Source", "NewsArticle")),
    "actors": Section("actor", None, ACTOR_TYPES),
    "roles": Section("role", "Role", ("Role",)),
    "memberships": Section("membership", "Membership", ("Membership",)),
    "resolutions": Section("resolution", "Resolution", ("Resolution",)),
    "measures": Section("measure", "PolicyMeasure", ("PolicyMeasure",)),
    "events": Section("event", "Event", EVENT_TYPES),
    "topics": Section("topic", "Topic", ("Topic",)),
    "provisions": Section("provision", "Provision", ("Provision",)),
    "statements": Section("statement", "Statement", ("Statement",)),
    "reports": Section("report", "Report", ("Report",)),
    "positions": Section("position", "Position", ("Position",)),
}
# The kinds a slug reference may name, by field; fields not listed may name any named kind.
ACTOR_FIELDS = {
    "speaker", "onBehalfOf", "addressee", "holder", "adoptedBy", "sponsor", "leadSponsor",
    "issuedBy", "proposedBy", "participant", "member", "organization", "subOrganizationOf",
    "publisher",
}
REFERENCE_KINDS: dict[str, tuple[str, ...]] = {
    **{name: ("actor",) for name in ACTOR_FIELDS},
    "role": ("role",),
    "occasion": ("event",),
    "evidence": ("statement",),
    "partOf": ("resolution", "measure"),
    "source": ("source",),
    "reportOf": ("statement",),
    "syndicationOf": ("source",),
    "correctedBy": ("statement", "position", "source"),
}
ANY_KIND = KINDS  # hashed kinds resolve only within their own file
AUTO_SOURCE_SECTIONS = {"statements", "provisions", "positions", "reports"}
CURATED_SECTIONS = {"statements", "positions"}
"""Sections whose entries carry a pk:curationStatus: ``draft`` when the entry gives none."""
NOTE_FIELDS = ("correctedBy", "retractedOn", "retractionReason")
"""What an entry whose id names a statement or position of another source may say about it."""
MAX_NESTING = 100
"""Deepest nesting of JSON arrays and objects, or of XML elements, read from a file: the RDF
parsers recurse (pyoxigraph 0.5.13's JSON-LD parser was measured crashing the process at 5,000
levels, its RDF/XML parser taking minutes at 60,000), and entries need a handful."""
MAX_LITERAL = 100_000
"""Longest literal accepted, in characters (a quote, a title, a paraphrase)."""
# Kept out of the fields a curator writes: the loader sets them.
RESERVED_FIELDS = {"source", "graphOf", "recordedAt", "loadedFrom", "checksum", "tripleCount",
                   "versionOf", "versionNumber", "recordedBy", "changeNote", "deleted"}


@dataclass(frozen=True)
class Term:
    """One key of the JSON-LD context."""

    name: str
    iri: str
    kind: str  # "ref", "vocab", "typed", "lang", "plain"
    datatype: str | None = None


@dataclass(frozen=True)
class Vocabulary:
    """The context read once: keys ↔ IRIs, value kinds and CURIE prefixes."""

    terms: dict[str, Term]
    prefixes: dict[str, str]
    classes: dict[str, str]
    concepts: dict[str, str]

    def field_of(self, predicate_iri: str) -> str:
        """The entry key for a predicate IRI (its local name when the context has none)."""
        for term in self.terms.values():
            if term.iri == predicate_iri:
                return term.name
        return re.split(r"[#/]", predicate_iri)[-1]

    def expand(self, curie: str) -> str | None:
        prefix, _, local = curie.partition(":")
        if prefix in self.prefixes and not local.startswith("//"):
            return self.prefixes[prefix] + local
        return None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """Read ``kg/context.jsonld`` into a :class:`Vocabulary`."""
    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}

    def expand(value: str) -> str:
        prefix, _, local = value.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else value

    terms: dict[str, Term] = {}
    classes: dict[str, str] = {}
    concepts: dict[str, str] = {}
    for name, value in context.items():
        if name.startswith("@") or name in prefixes or name in ("id", "type"):
            continue
        if isinstance(value, str):
            iri = expand(value)
            if name[0].isupper():
                classes[name] = iri
            elif name in ("label", "altLabel", "title", "quote", "paraphrase", "operativeVerb",
                          "demandedAction", "retractionReason"):
                terms[name] = Term(name, iri, "lang")
            else:
                concepts[name] = iri
            continue
        iri = expand(value["@id"])
        kind_of = value.get("@type")
        if kind_of == "@id":
            terms[name] = Term(name, iri, "ref")
        elif kind_of == "@vocab":
            terms[name] = Term(name, iri, "vocab")
        elif kind_of:
            terms[name] = Term(name, iri, "typed", expand(kind_of))
        else:
            terms[name] = Term(name, iri, "plain")
    return Vocabulary(terms, prefixes, classes, concepts)


@dataclass(frozen=True)
class NamedInput:
    """The bytes of one input file and the name to report it by."""

    name: str
    data: bytes

    @classmethod
    def read(cls, path: Path) -> NamedInput:
        return cls(str(path), path.read_bytes())

    @cached_property
    def checksum(self) -> str:
        return "sha256:" + hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class EntryRef:
    """Where a node came from, for messages: file, entry id, line."""

    file: str
    entry: str
    line: int | None = None


@dataclass
class SourceGraph:
    """The triples of one source, bound for its own named graph."""

    slug: str
    graph_iri: str
    file: str
    checksum: str
    triples: list[Triple] = field(default_factory=list)
    # Metadata carried by a dump (restored as is); empty for entry files.
    metadata: list[Triple] = field(default_factory=list)


@dataclass
class Batch:
    """Parsed input: the source graphs, and which entry each node came from."""

    sources: list[SourceGraph]
    origins: dict[str, EntryRef]

    def triples(self) -> Iterator[Triple]:
        for source in self.sources:
            yield from source.triples

    def subjects(self) -> set[str]:
        return {t.subject.value for t in self.triples() if isinstance(t.subject, NamedNode)}

    def defined(self) -> set[str]:
        """The subjects the batch types: those it describes, not those it only adds to (a
        statement another source recorded, which a report or a correction speaks of)."""
        return {t.subject.value for t in self.triples() if t.predicate == RDF_TYPE and isinstance(t.subject, NamedNode)}

    def objects(self) -> set[str]:
        return {t.object.value for t in self.triples() if isinstance(t.object, NamedNode)}


def collect_inputs(paths: Iterable[Path]) -> list[NamedInput]:
    """Read files and directories (recursively, known suffixes only, sorted)."""
    return [NamedInput.read(p) for p in collect_files(paths)]


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """The input files that ``paths`` name, directories read recursively (known suffixes only,
    sorted); raises EntryError naming each path that is missing or of an unknown type."""
    files: list[Path] = []
    problems = []
    known = set(ENTRY_SUFFIXES) | set(RDF_SUFFIXES)
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in known and p.is_file()))
        elif path.is_file():
            if path.suffix.lower() not in known:
                problems.append(Problem(str(path), "", "", f"unknown file type {path.suffix!r}; "
                                        f"expected one of {', '.join(sorted(known))}"))
            files.append(path)
        else:
            problems.append(Problem(str(path), "", "", "no such file or directory"))
    if problems:
        raise EntryError(problems)
    return files


# --- limits on shape ----------------------------------------------------------------------------

_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.S)
_XML_TOKENS = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>|<(/?)[^>]*?(/?)>", re.S)


def _nesting_problem(item: NamedInput, suffix: str) -> Problem | None:
    """A problem if the file's JSON or XML nests deeper than :data:`MAX_NESTING` (read by a
    scanner, before any recursive parser sees it).

    >>> _nesting_problem(NamedInput("a.json", b'{"x": "[[[[", "y": [[1]]}'), ".json") is None
    True
    >>> print(_nesting_problem(NamedInput("a.jsonld", b"[" * 101), ".jsonld"))
    a.jsonld:1: -: -: arrays and objects nest more than 100 deep
    """
    xml = RDF_SUFFIXES.get(suffix) == RdfFormat.RDF_XML
    if not xml and suffix not in (".json", ".jsonld"):
        return None
    depth = 0
    for match in (_XML_TOKENS if xml else _JSON_TOKENS).finditer(item.data):
        token = match.group()
        if xml:
            if match.group(1) is None:
                continue  # a comment, CDATA, declaration or processing instruction
            depth += -1 if match.group(1) else 0 if match.group(2) else 1
        elif token in (b"[", b"{"):
            depth += 1
        elif token in (b"]", b"}"):
            depth -= 1
        if depth > MAX_NESTING:
            line = item.data.count(b"\n", 0, match.start()) + 1
            what = "XML elements" if xml else "arrays and objects"
            return Problem(item.name, "", "", f"{what} nest more than {MAX_NESTING} deep", line)
    return None


def _long_literals(sources: list[SourceGraph], origins: dict[str, EntryRef]) -> list[Problem]:
    """A problem for each literal longer than :data:`MAX_LITERAL` characters."""
    problems = []
    for source in sources:
        for triple in source.triples:
            if isinstance(triple.object, Literal) and len(triple.object.value) > MAX_LITERAL:
                where = origins.get(triple.subject.value, EntryRef(source.file, ""))
                problems.append(Problem(
                    where.file, where.entry, vocabulary().field_of(triple.predicate.value),
                    f"a text of {len(triple.object.value):,} characters; the limit is {MAX_LITERAL:,}",
                    where.line))
    return problems


# --- YAML with line numbers and without aliases -------------------------------------------------


class _LineDict(dict):
    line: int | None = None


class _EntryLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML (libyaml's parser where PyYAML has it: several times faster) that remembers
    each mapping's line."""


def _construct_mapping(loader: _EntryLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_EntryLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _construct_timestamp(loader: _EntryLoader, node: yaml.ScalarNode) -> Any:
    """A date or time, or its text when it does not exist (2024-02-30): the field's check then
    names the entry, the field and the line, where PyYAML would raise a bare ValueError."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_EntryLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _refuse_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def _refuse_aliases(root: yaml.Node) -> None:
    """An alias makes the composed tree share a node: refuse the first node met twice (no
    'billion laughs': the shared nodes are never expanded)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise yaml.MarkedYAMLError(
                "while reading entries", None,
                "aliases (*name) are not allowed in entry files: the node anchored here is reused",
                node.start_mark)
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _load_yaml(text: str) -> Any:
    loader = _EntryLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if "*" in text:  # an alias is written *name: without one, nothing to look for
            _refuse_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _load_structure(item: NamedInput, fmt: str) -> Any:
    try:
        text = item.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EntryError([Problem(item.name, "", "", f"not UTF-8 text (byte {exc.start})")]) from None
    try:
        if fmt == "json":
            return json.loads(text, parse_constant=_refuse_constant)
        return _load_yaml(text)
    except json.JSONDecodeError as exc:
        raise EntryError([Problem(item.name, "", "", f"JSON syntax error: {exc.msg}", exc.lineno)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        message = getattr(exc, "problem", None) or str(exc)
        raise EntryError([Problem(item.name, "", "", f"YAML syntax error: {message}", line)]) from None


# --- entry files -------------------------------------------------------------------------------


@dataclass
class _PendingRef:
    """A slug reference that must be looked up among the store's entities."""

    source_slug: str
    subject: NamedNode
    predicate: NamedNode
    candidates: tuple[str, ...]
    value: str
    where: EntryRef
    field: str


class _Converter:
    def __init__(self, iris: Iris, item: NamedInput, data: Any, defined: dict[str, list[str]]):
        self.iris, self.item, self.data = iris, item, data
        self.vocab = vocabulary()
        self.defined = defined  # slug → IRIs defined anywhere in the batch
        self.problems: list[Problem] = []
        self.triples: list[Triple] = []
        self.pending: list[_PendingRef] = []
        self.origins: dict[str, EntryRef] = {}
        # Statements (and positions) of other sources this file speaks of, which must exist.
        self.elsewhere: dict[str, tuple[EntryRef, str]] = {}  # IRI → where, which field

    def problem(self, where: EntryRef, field_name: str, message: str) -> None:
        self.problems.append(Problem(where.file, where.entry, field_name, message, where.line))

    def entries(self) -> Iterator[tuple[str, Section, Any, int]]:
        for section_name, section in SECTIONS.items():
            value = self.data.get(section_name)
            if value is None:
                continue
            items = [value] if section_name == "source" else value
            if not isinstance(items, list):
                self.problem(EntryRef(self.item.name, "", getattr(self.data, "line", None)),
                             section_name, f"'{section_name}' must be a list of entries")
                continue
            for index, entry in enumerate(items):
                yield section_name, section, entry, index

    def subject_of(self, section_name: str, section: Section, entry_id: str, source_slug: str) -> str:
        if section.kind in HASHED_KINDS:
            return self.iris.hashed(section.kind, source_slug, entry_id)
        return self.iris.entity(section.kind, entry_id)

    def convert(self, source_slug: str) -> None:
        source_iri = self.iris.entity("source", source_slug)
        for section_name, section, entry, index in self.entries():
            line = getattr(entry, "line", None)
            if not isinstance(entry, dict):
                self.problem(EntryRef(self.item.name, f"{section_name}[{index}]", line), "",
                             "an entry must be a mapping of keys to values")
                continue
            entry_id = entry.get("id")
            label = str(entry_id) if isinstance(entry_id, str) and entry_id else f"{section_name}[{index}]"
            where = EntryRef(self.item.name, label, line)
            if isinstance(entry_id, str) and section_name in CURATED_SECTIONS and not SLUG.match(entry_id):
                self.convert_note(section, entry, where)
                continue
            if not isinstance(entry_id, str) or not SLUG.match(entry_id):
                self.problem(where, "id", "every entry needs an id: a slug of lower-case letters, "
                             "digits and hyphens, like 'fu-cong'")
                continue
            subject = NamedNode(self.subject_of(section_name, section, entry_id, source_slug))
            if subject.value in self.origins:
                self.problem(where, "id", f"{entry_id!r} is defined twice in '{section_name}'")
                continue
            self.origins[subject.value] = where
            self.convert_type(subject, section_name, section, entry, where)
            for key, value in entry.items():
                if key in ("id", "type"):
                    continue
                if key in RESERVED_FIELDS and not (section_name == "source" and key != "source"):
                    self.problem(where, key, f"'{key}' is set by policykg, not written in entries")
                    continue
                self.convert_field(subject, key, value, where)
            if section_name == "topics":  # topics are concepts of the pk:Topics scheme
                self.triples.append(Triple(subject, SKOS_IN_SCHEME, NamedNode(PK + "Topics")))
            if section_name in AUTO_SOURCE_SECTIONS:
                self.triples.append(Triple(subject, NamedNode(PK + "source"), NamedNode(source_iri)))
            if section_name in CURATED_SECTIONS and "curationStatus" not in entry:
                self.triples.append(Triple(subject, NamedNode(PK + "curationStatus"), NamedNode(PK + "draft")))
        # A report makes its source one more source of the statement it reports.
        for triple in list(self.triples):
            if triple.predicate.value == PK + "reportOf" and isinstance(triple.object, NamedNode):
                self.triples.append(Triple(triple.object, NamedNode(PK + "source"), NamedNode(source_iri)))
                self.elsewhere.setdefault(triple.object.value, (self.origins[triple.subject.value], "reportOf"))

    def convert_note(self, section: Section, entry: dict, where: EntryRef) -> None:
        """An entry whose id names a statement or position another source recorded
        (``statement/<hash>`` or its IRI): what this source says of it — a correction or a
        retraction — goes into this source's graph."""
        try:
            subject = resolve_reference(entry["id"], self.iris, self.vocab, (section.kind,), {})
        except ValueError as exc:
            self.problem(where, "id", f"{exc}; an id is a slug, or {section.kind}/<hash> to speak of a "
                         f"{section.kind} another source recorded")
            return
        if not isinstance(subject, NamedNode) or _kind_of(subject.value, self.iris) != section.kind:
            self.problem(where, "id", f"{entry['id']!r} does not name a {section.kind}")
            return
        self.elsewhere.setdefault(subject.value, (where, "id"))
        for key, value in entry.items():
            if key == "id":
                continue
            if key not in NOTE_FIELDS:
                self.problem(where, key, f"an entry about a {section.kind} another source recorded takes only "
                             f"{', '.join(NOTE_FIELDS)}; its other fields belong to that source's file")
                continue
            self.convert_field(subject, key, value, where)

    def convert_type(self, subject: NamedNode, section_name: str, section: Section, entry: dict,
                     where: EntryRef) -> None:
        given = entry.get("type", section.default_type)
        names = given if isinstance(given, list) else [given]
        if given is None:
            self.problem(where, "type", f"an entry in '{section_name}' needs a type: one of "
                         f"{', '.join(section.types)}")
            return
        for name in names:
            if name not in section.types:
                self.problem(where, "type", f"unknown type {name!r} for '{section_name}'; expected one "
                             f"of {', '.join(section.types)}")
                continue
            self.triples.append(Triple(subject, RDF_TYPE, NamedNode(self.vocab.classes[name])))
            if name == "NewsArticle":  # a news article is also a pk:Source
                self.triples.append(Triple(subject, RDF_TYPE, NamedNode(self.vocab.classes["Source"])))

    def convert_field(self, subject: NamedNode, key: str, value: Any, where: EntryRef) -> None:
        term = self.vocab.terms.get(key)
        if term is None:
            self.problem(where, key, f"unknown field {key!r}; see docs/entries.md for the keys")
            return
        predicate = NamedNode(term.iri)
        values = value if isinstance(value, list) else [value]
        for one in values:
            if one is None:
                self.problem(where, key, "no value given")
                continue
            if isinstance(one, str) and one.startswith(TO_DECIDE):
                self.problem(where, key, "left to decide: " + one[len(TO_DECIDE):].strip())
                continue
            if term.kind == "ref":
                self.convert_ref(subject, predicate, key, one, where)
            elif term.kind == "vocab":
                concept = self.vocab.concepts.get(str(one))
                if concept is None:
                    allowed = sorted(self.vocab.concepts)
                    self.problem(where, key, f"unknown value {one!r}; expected one of {', '.join(allowed)}")
                else:
                    self.triples.append(Triple(subject, predicate, NamedNode(concept)))
            else:
                for literal in self.literals(term, one, where):
                    self.triples.append(Triple(subject, predicate, literal))

    def literals(self, term: Term, value: Any, where: EntryRef) -> list[Literal]:
        if term.kind == "lang":
            if isinstance(value, dict):  # {en: ..., zh: ...}
                return [Literal(str(text), language=str(lang)) for lang, text in value.items()]
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                return [Literal(str(value), language="en")]
        elif term.kind == "plain":
            if isinstance(value, str):
                return [Literal(value)]
        else:
            literal = typed_literal(value, term.datatype or "")
            if literal is not None:
                return [literal]
        self.problem(where, term.name, expected_message(term, value))
        return []

    def convert_ref(self, subject: NamedNode, predicate: NamedNode, key: str, value: Any,
                    where: EntryRef) -> None:
        if not isinstance(value, str) or not value.strip():
            self.problem(where, key, f"expected a reference (a slug, kind/slug, CURIE or IRI), got {value!r}")
            return
        kinds = REFERENCE_KINDS.get(key, ANY_KIND)
        try:
            resolved = resolve_reference(value, self.iris, self.vocab, kinds, self.defined)
        except ValueError as exc:
            self.problem(where, key, str(exc))
            return
        if isinstance(resolved, NamedNode):
            self.triples.append(Triple(subject, predicate, resolved))
        else:
            self.pending.append(_PendingRef(self.data["source"]["id"], subject, predicate, resolved,
                                            value, where, key))


def resolve_reference(value: str, iris: Iris, vocab: Vocabulary, kinds: tuple[str, ...],
                      defined: dict[str, list[str]]) -> NamedNode | tuple[str, ...]:
    """A NamedNode when the reference is resolved now, else the candidate IRIs to look up."""
    if "://" in value:
        try:
            return NamedNode(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a valid IRI") from None
    kind, slash, slug = value.partition("/")
    if slash:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} in {value!r}")
        if kind in HASHED_KINDS and not re.fullmatch(r"[0-9a-f]{16}", slug):
            raise ValueError(f"a {kind} of another file is named by its hash ({kind}/<16 hex digits>) "
                             f"or its full IRI, not {value!r}")
        if not SLUG.match(slug):
            raise ValueError(f"{slug!r} in {value!r} is not a slug")
        return NamedNode(iris.entity(kind, slug))
    if ":" in value:
        expanded = vocab.expand(value)
        if expanded is None:
            raise ValueError(f"unknown prefix in {value!r}; known: {', '.join(sorted(vocab.prefixes))}")
        return NamedNode(expanded)
    if not SLUG.match(value):
        raise ValueError(f"{value!r} is not a slug, kind/slug, CURIE or IRI")
    here = [iri for iri in defined.get(value, []) if _kind_of(iri, iris) in kinds]
    if len(here) == 1:
        return NamedNode(here[0])
    if len(here) > 1:
        raise ValueError(f"{value!r} is ambiguous here: write one of "
                         + ", ".join(iri[len(iris.base):] for iri in here))
    return tuple(iris.entity(k, value) for k in kinds if k not in HASHED_KINDS)


def _kind_of(iri: str, iris: Iris) -> str:
    return iri[len(iris.base):].split("/", 1)[0]


def typed_literal(value: Any, datatype: str) -> Literal | None:
    """A well-formed literal of ``datatype`` from a YAML/JSON value, or None."""
    name = datatype.removeprefix(XSD)
    if name == "date":
        if isinstance(value, dt.datetime):
            return Literal(value.isoformat(), datatype=NamedNode(XSD + "dateTime"))
        if isinstance(value, dt.date):
            return Literal(value.isoformat(), datatype=NamedNode(XSD + "date"))
        if isinstance(value, str):
            for kind, parser in (("date", dt.date.fromisoformat), ("dateTime", dt.datetime.fromisoformat)):
                try:
                    parser(value)
                except ValueError:
                    continue
                if kind == "date" and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    continue
                return Literal(value, datatype=NamedNode(XSD + kind))
        return None
    if name == "dateTime":
        if isinstance(value, dt.datetime):
            return Literal(value.isoformat(), datatype=NamedNode(XSD + "dateTime"))
        return None
    if name == "integer":  # counts: Oxigraph stores derived integer types as xsd:integer
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return Literal(str(value), datatype=NamedNode(datatype))
        return None
    if name == "decimal":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return Literal(format(decimal.Decimal(repr(value)), "f"), datatype=NamedNode(datatype))
        return None
    if name == "boolean":
        if isinstance(value, bool):
            return Literal("true" if value else "false", datatype=NamedNode(datatype))
        return None
    if name == "anyURI":
        if isinstance(value, str) and re.fullmatch(r"https?://[^\s<>\"]+", value):
            return Literal(value, datatype=NamedNode(datatype))
        return None
    return Literal(str(value), datatype=NamedNode(datatype))


def expected_message(term: Term, value: Any) -> str:
    name = (term.datatype or "").removeprefix(XSD)
    expected = {
        "date": "a date YYYY-MM-DD (or a date-time); write relative dates like 'Monday' resolved "
                "against the publication date",
        "dateTime": "a date-time like 2024-07-01T15:30:00Z",
        "integer": "a whole number ≥ 0",
        "boolean": "true or false",
        "decimal": "a number such as 0.9",
        "anyURI": "an http(s) URL",
    }.get(name, "a text" if term.kind in ("lang", "plain") else f"a value of type {name}")
    return f"expected {expected}, got {value!r}"


# --- RDF files accepted as they are ---------------------------------------------------------------


def _rdf_error(name: str, fmt: RdfFormat, exc: Exception) -> Problem:
    if isinstance(exc, SyntaxError):
        if "LoadDocumentCallback" in exc.msg:  # pyoxigraph's words for a remote @context
            return Problem(name, "", "@context", "a remote @context is not fetched: this server makes no "
                           "requests to other hosts; put the context inline", exc.lineno)
        return Problem(name, "", "", f"{fmt.name} syntax error: {exc.msg}", exc.lineno)
    return Problem(name, "", "", f"{fmt.name} error: {exc}")


def _source_graphs(name: str, checksum: str, quads: Iterable[Quad], iris: Iris,
                   meta_of: dict[object, list[Triple]] | None = None) -> tuple[list[SourceGraph], list[Problem]]:
    """The source graphs of ``quads`` read from the file ``name``; ``meta_of``: the metadata
    by graph, when read beforehand (then the meta graph's quads here are skipped)."""
    by_graph: dict[str, list[Triple]] = {}
    meta: list[Triple] = []
    problems: list[Problem] = []
    source_class = NamedNode(PK + "Source")
    into: dict[object, list[Triple] | None] = {}  # graph name → where its triples go (None: refused)
    for quad in quads:
        graph_name = quad.graph_name
        target = into.get(graph_name, ...)
        if target is ...:
            if graph_name == DefaultGraph():
                target = by_graph.setdefault("", [])
            elif isinstance(graph_name, NamedNode) and graph_name.value == iris.meta_graph:
                target = meta if meta_of is None else []
            elif isinstance(graph_name, NamedNode) and iris.source_slug_of_graph(graph_name.value):
                target = by_graph.setdefault(graph_name.value, [])
            else:
                target = None
            into[graph_name] = target
        if target is None:
            problems.append(Problem(name, "", "", f"graph {graph_name} is not a source graph: "
                                    f"source graphs are named {iris.graph_base}<source-slug>"))
            break
        target.append(quad.triple)
    if "" in by_graph:
        triples = by_graph.pop("")
        sources = {t.subject.value for t in triples
                   if t.predicate == RDF_TYPE and t.object == source_class and isinstance(t.subject, NamedNode)}
        slugs = {s[len(iris.entity("source", "")):] for s in sources if s.startswith(iris.entity("source", ""))}
        if len(sources) != 1 or len(slugs) != 1:
            problems.append(Problem(name, "", "", "triples outside a named graph must describe exactly "
                                    f"one pk:Source named {iris.entity('source', '<slug>')}, which names "
                                    f"their graph (found {len(sources)})"))
        else:
            graph_iri = iris.graph(slugs.pop())
            by_graph.setdefault(graph_iri, []).extend(triples)
    if meta_of is None:
        meta_of = _by_subject(meta)
    graphs = []
    for graph_iri, triples in by_graph.items():
        slug = iris.source_slug_of_graph(graph_iri) or ""
        if slug == META_SLUG:
            problems.append(Problem(name, "", "", f"'{META_SLUG}' is reserved, not a source slug"))
        own_meta = meta_of.get(NamedNode(graph_iri), [])
        graphs.append(SourceGraph(slug, graph_iri, name, checksum, triples, own_meta))
    return graphs, problems


def _by_subject(triples: Iterable[Triple]) -> dict[object, list[Triple]]:
    found: dict[object, list[Triple]] = {}
    for triple in triples:
        found.setdefault(triple.subject, []).append(triple)
    return found


def read_rdf_pieces(path: Path, iris: Iris, quads_per_piece: int) -> Iterator[tuple[Reading, float]]:
    """A large RDF file read as it streams, in pieces of whole graphs of about
    ``quads_per_piece`` quads each (for :func:`kg.load.load_chunked`), each with the share of
    the file's quads it holds.

    The file is read twice: first for its syntax and its metadata graph (wherever it is in the
    file), then piece by piece. Each graph's quads must be together in the file, as in
    policykg's own dumps; a graph met again after another began is a problem.
    """
    fmt = RDF_SUFFIXES[path.suffix.lower()]
    name = str(path)
    if fmt in (RdfFormat.JSON_LD, RdfFormat.RDF_XML):  # parsers that recurse: checked first
        too_deep = _nesting_problem(NamedInput(name, path.read_bytes()), path.suffix.lower())
        if too_deep is not None:
            yield Reading(problems=[too_deep]), 1.0
            return
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    checksum = "sha256:" + digest.hexdigest()
    meta_graph = NamedNode(iris.meta_graph)
    meta: list[Triple] = []
    total = 0
    try:
        for quad in parse(path=path, format=fmt, base_iri=iris.base):
            total += 1
            if quad.graph_name == meta_graph:
                meta.append(quad.triple)
    except (SyntaxError, ValueError, OSError) as exc:
        yield Reading(problems=[_rdf_error(name, fmt, exc)]), 1.0
        return
    meta_of = _by_subject(meta)
    piece: list[Quad] = []
    finished: set[object] = set()
    current: object = None
    for quad in parse(path=path, format=fmt, base_iri=iris.base):
        if quad.graph_name != current:
            if quad.graph_name in finished:
                problem = Problem(name, "", "", f"the quads of graph {quad.graph_name} are not all together "
                                  "in the file: loading in chunks needs each graph's quads in one run, as "
                                  "policykg's dumps have them")
                yield Reading(problems=[problem]), 1.0
                return
            finished.add(current)
            current = quad.graph_name
            if len(piece) >= quads_per_piece:
                yield _reading_of_graphs(name, checksum, piece, iris, meta_of), len(piece) / total
                piece = []
        piece.append(quad)
    if piece:
        yield _reading_of_graphs(name, checksum, piece, iris, meta_of), len(piece) / total


def _reading_of_graphs(name: str, checksum: str, quads: list[Quad], iris: Iris,
                       meta_of: dict[object, list[Triple]] | None = None) -> Reading:
    graphs, problems = _source_graphs(name, checksum, quads, iris, meta_of)
    reading = Reading(sources=graphs, problems=problems)
    for graph in graphs:
        for triple in graph.triples:
            if isinstance(triple.subject, NamedNode) and triple.subject.value not in reading.origins:
                reading.origins[triple.subject.value] = EntryRef(name, triple.subject.value.rsplit("/", 1)[-1])
    return reading


# --- the batch ----------------------------------------------------------------------------------


@dataclass
class Reading:
    """The first half of :func:`parse_batch`, which needs no store: entry files read into their
    structures, RDF files into source graphs, and what was wrong with them."""

    structures: list[tuple[NamedInput, Any]] = field(default_factory=list)
    sources: list[SourceGraph] = field(default_factory=list)
    origins: dict[str, EntryRef] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def read_inputs(items: list[NamedInput], iris: Iris) -> Reading:
    """Read every input (YAML, JSON or RDF syntax, and each file's overall shape)."""
    reading = Reading()
    problems, structures, sources, origins = (reading.problems, reading.structures, reading.sources,
                                              reading.origins)
    for item in items:
        suffix = Path(item.name).suffix.lower()
        too_deep = _nesting_problem(item, suffix)
        if too_deep is not None:
            problems.append(too_deep)
            continue
        if suffix in RDF_SUFFIXES:
            fmt = RDF_SUFFIXES[suffix]
            try:
                quads = list(parse(item.data, format=fmt, base_iri=iris.base))
            except (SyntaxError, ValueError, OSError) as exc:
                problems.append(_rdf_error(item.name, fmt, exc))
                continue
            if not quads:
                problems.append(Problem(item.name, "", "", f"the {fmt.name} file holds no triples (JSON-LD "
                                        "drops a node whose @id is not a valid IRI)"))
                continue
            part = _reading_of_graphs(item.name, item.checksum, quads, iris)
            problems.extend(part.problems)
            sources.extend(part.sources)
            for iri, where in part.origins.items():
                origins.setdefault(iri, where)
            continue
        try:
            data = _load_structure(item, ENTRY_SUFFIXES.get(suffix, "yaml"))
        except EntryError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(data, dict):
            problems.append(Problem(item.name, "", "", "an entry file is a mapping with a 'source' and "
                                    "lists of entries (see docs/entries.md)"))
            continue
        unknown = set(data) - set(SECTIONS)
        for key in sorted(unknown):
            problems.append(Problem(item.name, "", key, f"unknown section {key!r}; expected "
                                    f"{', '.join(SECTIONS)}", getattr(data, "line", None)))
        source = data.get("source")
        if not isinstance(source, dict) or not isinstance(source.get("id"), str) \
                or not SLUG.match(source["id"]):
            problems.append(Problem(item.name, "", "source", "the file must start with a 'source' whose "
                                    "id is a slug, like 'ap-2024-07-02-un-ai-resolutions'"))
            continue
        if source["id"] == META_SLUG:
            problems.append(Problem(item.name, source["id"], "id", f"'{META_SLUG}' is reserved"))
            continue
        structures.append((item, data))
    return reading


def parse_batch(items: list[NamedInput], *, iris: Iris | None = None,
                existing: Callable[[set[str]], set[str]] | None = None,
                reading: Reading | None = None) -> Batch:
    """Parse every input into one :class:`Batch`; ``existing`` tells which IRIs the store holds.
    ``reading``: what :func:`read_inputs` already made of ``items``."""
    iris = iris or Iris()
    if reading is None:
        reading = read_inputs(items, iris)
    problems, structures = list(reading.problems), reading.structures
    sources, origins = list(reading.sources), dict(reading.origins)

    # Every slug the batch defines, so that files may refer to each other; hashed entries
    # (statements, …) only within their own source.
    shared: dict[str, list[str]] = {}
    own: dict[str, dict[str, list[str]]] = {}
    for item, data in structures:
        conv = _Converter(iris, item, data, {})
        source_slug = data["source"]["id"]
        for section_name, section, entry, _ in conv.entries():
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and SLUG.match(entry["id"]):
                iri = conv.subject_of(section_name, section, entry["id"], source_slug)
                scope = own.setdefault(source_slug, {}) if _kind_of(iri, iris) in HASHED_KINDS else shared
                scope.setdefault(entry["id"], []).append(iri)

    pending: list[_PendingRef] = []
    elsewhere: dict[str, tuple[EntryRef, str]] = {}
    by_slug: dict[str, SourceGraph] = {s.slug: s for s in sources}
    for item, data in structures:
        slug = data["source"]["id"]
        conv = _Converter(iris, item, data, _visible(shared, own.get(slug, {})))
        conv.convert(slug)
        problems.extend(conv.problems)
        pending.extend(conv.pending)
        for iri, where in conv.elsewhere.items():
            elsewhere.setdefault(iri, where)
        for iri, where in conv.origins.items():
            origins.setdefault(iri, where)
        if slug in by_slug:
            problems.append(Problem(item.name, slug, "id", f"source {slug!r} is also given by "
                                    f"{by_slug[slug].file}: one file per source"))
            continue
        graph = SourceGraph(slug, iris.graph(slug), item.name, item.checksum, conv.triples)
        by_slug[slug] = graph
        sources.append(graph)

    if pending:
        wanted = {c for ref in pending for c in ref.candidates}
        found = existing(wanted) if existing else set()
        for ref in pending:
            hits = [c for c in ref.candidates if c in found]
            if len(hits) == 1:
                by_slug[ref.source_slug].triples.append(Triple(ref.subject, ref.predicate, NamedNode(hits[0])))
            elif hits:
                problems.append(Problem(ref.where.file, ref.where.entry, ref.field,
                                        f"{ref.value!r} is ambiguous: write one of "
                                        + ", ".join(h[len(iris.base):] for h in hits), ref.where.line))
            else:
                kinds = ", ".join(sorted({c[len(iris.base):].split('/')[0] for c in ref.candidates}))
                problems.append(Problem(ref.where.file, ref.where.entry, ref.field,
                                        f"unknown reference {ref.value!r}: no {kinds} with that id in "
                                        "these files or in the store", ref.where.line))
    if elsewhere:
        defined = Batch(sources, origins).defined()
        found = existing(set(elsewhere) - defined) if existing else set()
        for iri, (where, key) in elsewhere.items():
            if iri not in defined and iri not in found:
                problems.append(Problem(where.file, where.entry, key, f"no {_kind_of(iri, iris)} "
                                        f"{iri[len(iris.base):]} in these files or in the store", where.line))
    problems.extend(_long_literals(sources, origins))
    if problems:
        raise EntryError(problems)
    return Batch(sources, origins)


def _visible(shared: dict[str, list[str]], own: dict[str, list[str]]) -> dict[str, list[str]]:
    """The slugs one source may refer to: those the batch shares, and its own hashed entries."""
    if not own:
        return shared
    visible = dict(shared)
    for slug, found in own.items():
        visible[slug] = [*shared.get(slug, ()), *found]
    return visible


__all__ = [
    "Batch", "EntryRef", "NamedInput", "Reading", "SourceGraph", "collect_files", "collect_inputs",
    "parse_batch", "read_inputs", "read_rdf_pieces",
    "typed_literal", "vocabulary",
]
