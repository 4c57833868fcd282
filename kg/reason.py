"""Logical consistency of the ontology and the data, checked with the HermiT reasoner.

This is the one module that uses owlready2. It answers two of the inference problems of the
OWL 2 Direct Semantics, §2.5 "Inference Problems"
(https://www.w3.org/TR/owl2-direct-semantics/#Inference_Problems):

- the ontology with the data is **consistent** if it has a model: some interpretation
  satisfies every axiom and assertion at once (nothing is both a pk:Person and a
  pk:Organization, no pk:sponsorCount is negative, …);
- a class is **unsatisfiable** if it is empty in every model, i.e. equivalent to
  ``owl:Nothing``; e.g. a subclass of both pk:Person and pk:Organization, which are disjoint.

When the data are inconsistent, :func:`check` also names the individuals that cause it: first by
a cheap pass over told types (rdf:type, rdfs:domain, rdfs:range, owl:sameAs, functional
properties) against disjoint classes, then, for what that pass cannot explain, by asking HermiT
about subsets of the individuals (QuickXplain, Junker 2004) until the rest is consistent.

HermiT implements the OWL 2 datatype map only: ``xsd:date`` is not in it, so HermiT runs with
unsupported datatypes ignored and date values are not reasoned over (the SHACL shapes check them).

>>> report = ReasonerReport(True, (), (), "consistent")
>>> report.ok
True

With Java installed, ``check()`` runs HermiT on the ontology (a few seconds):

>>> check().consistent  # doctest: +SKIP
True
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.errors import EngineError, EntryError, Problem
from kg.namespaces import OWL, PREFIXES, RDF, RDFS, XSD
from kg.resources import ontology_files

__all__ = ["RDF_SUFFIXES", "ReasonerReport", "check", "check_graph", "read_data"]

#: File suffixes :func:`read_data` reads, with their rdflib parser names. ``.json`` and ``.yaml``
#: are entry files, which the caller converts (kg.entries) and passes to :func:`check_graph`.
RDF_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}

_Triple = tuple[Node, Node, Node]

#: At most this many HermiT runs are spent on naming the individuals behind an inconsistency.
MAX_REASONER_RUNS = 60

# A subject is part of the schema (kept in every reasoner run) rather than an individual if it
# has one of these types or is the subject of one of these predicates.
_SCHEMA_TYPES = frozenset(
    {
        OWL.Ontology, OWL.Class, RDFS.Class, RDFS.Datatype, OWL.Restriction, RDF.Property,
        OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
        OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
        OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty, OWL.AllDisjointClasses, OWL.AllDisjointProperties,
        OWL.AllDifferent, OWL.NegativePropertyAssertion, OWL.Axiom,
    }
)
_SCHEMA_PREDICATES = frozenset(
    {
        RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith, OWL.disjointUnionOf,
        RDFS.subPropertyOf, OWL.equivalentProperty, OWL.propertyDisjointWith, OWL.inverseOf,
        OWL.propertyChainAxiom, RDFS.domain, RDFS.range, OWL.hasKey, OWL.imports,
    }
)


@dataclass(frozen=True)
class ReasonerReport:
    """What HermiT found.

    ``unsatisfiable`` holds class IRIs, ``inconsistent_individuals`` the IRIs (``_:id`` for
    blank nodes) of the individuals whose assertions make the data inconsistent; both sorted.
    """

    consistent: bool
    unsatisfiable: tuple[str, ...]
    inconsistent_individuals: tuple[str, ...]
    message: str

    @property
    def ok(self) -> bool:
        """Consistent, and no class is unsatisfiable."""
        return self.consistent and not self.unsatisfiable


def check(data_paths: Sequence[Path] = ()) -> ReasonerReport:
    """Check the ontology, with the RDF data files or folders given, with HermiT.

    Folders are searched recursively for files with a suffix of :data:`RDF_SUFFIXES`.
    Raises :class:`~kg.errors.EntryError` for a file that is missing or cannot be parsed and
    :class:`~kg.errors.EngineError` when Java or HermiT cannot run.
    """
    return check_graph(read_data(data_paths))


def check_graph(graph: Graph) -> ReasonerReport:
    """Check the ontology together with ``graph`` (a Graph, or a Dataset: all its graphs)."""
    data = _flatten(graph)
    ontology = _ontology_graph()
    _require_java()
    with tempfile.TemporaryDirectory(prefix="policykg-reason-") as workdir:
        hermit = _Hermit(Path(workdir))
        return _Checker(ontology, data, hermit).run()


def read_data(paths: Sequence[Path]) -> Graph:
    """Parse RDF files (and the RDF files in folders) into one graph, all named graphs merged."""
    merged = Graph()
    for path in _rdf_files(paths):
        fmt = RDF_SUFFIXES[path.suffix.lower()]
        # One Dataset per file: rdflib 7.6's N-Quads parser empties a shared default graph.
        # Parse an open file into the default graph (it shares the dataset's store, so named
        # graphs land there too): Dataset.parse(path) would leave the file open.
        dataset = Dataset()
        try:
            with path.open("rb") as stream:
                base = path.resolve().as_uri()
                dataset.default_graph.parse(file=stream, format=fmt, publicID=base)
        except Exception as error:  # rdflib raises many types; all mean "cannot parse"
            raise EntryError(
                [Problem(str(path), "", "", f"cannot be parsed as {fmt}: {error}")]
            ) from error
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            merged.add((s, p, o))
    return merged


# --- reading -------------------------------------------------------------------------------


def _rdf_files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.suffix.lower() in RDF_SUFFIXES)
            files.extend(sorted(p for p in found if p.is_file()))
        elif not path.is_file():
            raise EntryError([Problem(str(path), "", "", "no such file or folder")])
        elif path.suffix.lower() not in RDF_SUFFIXES:
            known = ", ".join(sorted(RDF_SUFFIXES))
            raise EntryError(
                [Problem(str(path), "", "", f"not an RDF file the reasoner reads ({known})")]
            )
        else:
            files.append(path)
    return files


def _flatten(graph: Graph) -> Graph:
    flat = Graph()
    if getattr(graph, "context_aware", False):
        for s, p, o, *_ in graph.quads((None, None, None, None)):  # type: ignore[attr-defined]
            flat.add((s, p, o))
    else:
        for triple in graph:
            flat.add(triple)
    return flat


def _ontology_graph() -> Graph:
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


# --- running HermiT ------------------------------------------------------------------------


def _require_java() -> None:
    if shutil.which(owlready2.JAVA_EXE) is None:
        raise EngineError(
            f"the HermiT reasoner needs Java (17 or later), but {owlready2.JAVA_EXE!r} was not "
            "found; install a Java runtime and put `java` on PATH"
        )


@dataclass(frozen=True)
class _Outcome:
    consistent: bool
    unsatisfiable: tuple[str, ...] = ()


class _Hermit:
    """Runs HermiT on graphs, each in a fresh owlready2 World, files kept in ``workdir``."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.runs = 0

    def run(self, graph: Graph) -> _Outcome:
        self.runs += 1
        path = self.workdir / f"input-{self.runs}.nt"
        graph.serialize(path, format="nt", encoding="utf-8")  # owlready2 does not read Turtle
        world = owlready2.World()  # isolated: never owlready2's default world
        try:
            try:
                world.get_ontology(path.as_uri()).load(format="ntriples")
            except owlready2.OwlReadyOntologyParsingError as error:
                raise EngineError(f"owlready2 cannot read the graph for HermiT: {error}") from None
            try:
                owlready2.sync_reasoner(
                    world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
                )
            except owlready2.OwlReadyInconsistentOntologyError as error:
                _discard_reasoner_input(error)
                return _Outcome(consistent=False)
            except owlready2.OwlReadyJavaError as error:
                _discard_reasoner_input(error)
                raise EngineError(f"HermiT failed: {_first_lines(str(error))}") from None
            except FileNotFoundError as error:
                _discard_reasoner_input(error)
                raise EngineError(f"cannot start Java for HermiT: {error}") from None
            unsatisfiable = sorted(
                {
                    c.iri
                    for c in world.inconsistent_classes()
                    if isinstance(getattr(c, "iri", None), str) and c.iri != str(OWL.Nothing)
                }
            )
            return _Outcome(consistent=True, unsatisfiable=tuple(unsatisfiable))
        finally:
            world.close()
            path.unlink(missing_ok=True)


def _discard_reasoner_input(error: BaseException) -> None:
    # owlready2 (0.51) writes HermiT's input to a NamedTemporaryFile(delete=False) in the system
    # temp folder and deletes it only on success; remove the copy it leaves when HermiT fails.
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "sync_reasoner_hermit":
            name = getattr(tb.tb_frame.f_locals.get("tmp"), "name", None)
            if isinstance(name, str):
                with contextlib.suppress(OSError):
                    os.unlink(name)
        tb = tb.tb_next


def _first_lines(text: str, count: int = 6) -> str:
    return "\n".join(line for line in text.strip().splitlines()[:count])


# --- the check -----------------------------------------------------------------------------


class _Checker:
    def __init__(self, ontology: Graph, data: Graph, hermit: _Hermit):
        self.ontology = ontology
        self.hermit = hermit
        self.size = len(data)
        # An ill-typed literal ("abc"^^xsd:integer) has no value: the graph is inconsistent
        # whatever else it says, and owlready2 cannot even load it. Keep it away from HermiT.
        self.ill_typed = {t for t in data if isinstance(t[2], Literal) and t[2].ill_typed}
        self.background, described = _split(data, ontology)
        self.units = {unit: triples - self.ill_typed for unit, triples in described.items()}
        self.data = Graph()
        for triple in data:
            if triple not in self.ill_typed:
                self.data.add(triple)

    def run(self) -> ReasonerReport:
        sizes = f"{len(self.ontology)} ontology and {self.size} data triples"
        outcome = self.hermit.run(self.ontology + self.data)
        if outcome.consistent and not self.ill_typed:
            return ReasonerReport(
                True, outcome.unsatisfiable, (), _consistent_message(sizes, outcome.unsatisfiable)
            )
        schema = self.ontology + self.background
        base = outcome if outcome.consistent else self.hermit.run(schema)
        if not base.consistent:
            return ReasonerReport(
                False, (), (),
                f"inconsistent ({sizes}): the ontology with the data's own class and property "
                "axioms is inconsistent, before any individual is added",
            )
        clashes = _ill_typed_clashes(self.ill_typed, self.units, self._owner)
        clashes += _literal_clashes(schema, self.units)
        clashes += _disjointness_clashes(schema, self.ontology, self.units)
        culprits: set[Node] = {node for clash in clashes for node in clash.culprits}
        lines = [clash.describe() for clash in clashes]
        complete = True
        if not outcome.consistent:
            remaining = [unit for unit in self.units if unit not in culprits]
            # Without culprits from the cheap passes, `remaining` is all the data: inconsistent.
            complete = self._search(remaining, culprits, lines, known_inconsistent=not culprits)
        individuals = tuple(sorted(_name(node) for node in culprits))
        message = f"inconsistent ({sizes})"
        if individuals:
            noun = "individual causes" if len(individuals) == 1 else "individuals cause"
            message += f"; {len(individuals)} {noun} it:"
            message += "".join(f"\n  {line}" for line in lines)
        else:
            message += "; no individual could be singled out"
        if not complete:
            runs = self.hermit.runs
            message += f"\n  (search stopped after {runs} HermiT runs; there may be more)"
        if base.unsatisfiable:
            message += "\nunsatisfiable classes: " + ", ".join(base.unsatisfiable)
        return ReasonerReport(False, base.unsatisfiable, individuals, message)

    def _owner(self, subject: Node) -> Node:
        """The individual whose description holds ``subject`` (itself, or a blank node's owner)."""
        if subject in self.units:
            return subject
        for unit, triples in self.units.items():
            if any(t[2] == subject for t in triples):
                return unit
        return subject

    def _graph(self, units: Iterable[Node], excluded: set[Node]) -> Graph:
        graph = self.ontology + self.background
        for unit in units:
            for triple in self.units[unit]:
                if triple[2] not in excluded:
                    graph.add(triple)
        return graph

    def _search(
        self,
        remaining: list[Node],
        culprits: set[Node],
        lines: list[str],
        *,
        known_inconsistent: bool,
    ) -> bool:
        """Name the individuals HermiT still finds inconsistent; False if the budget ran out."""
        excluded = set(culprits)
        cache: dict[frozenset[Node], bool] = {}

        def consistent(units: Sequence[Node]) -> bool:
            key = frozenset(units)
            if key not in cache:
                if self.hermit.runs >= MAX_REASONER_RUNS:
                    raise _BudgetSpent
                cache[key] = self.hermit.run(self._graph(units, excluded)).consistent
            return cache[key]

        cache[frozenset()] = True  # the schema alone was found consistent
        if known_inconsistent:
            cache[frozenset(remaining)] = False
        try:
            while remaining and not consistent(remaining):
                conflict = _quickxplain(consistent, remaining)
                if not conflict:  # cannot happen with a monotonic reasoner; be safe
                    break
                culprits.update(conflict)
                excluded.update(conflict)
                cache.clear()
                cache[frozenset()] = True
                names = ", ".join(_curie(node) for node in conflict)
                lines.append(
                    f"{names}: inconsistent with the ontology"
                    + (" on its own" if len(conflict) == 1 else " together")
                    + " (HermiT)"
                )
                remaining = [unit for unit in remaining if unit not in conflict]
        except _BudgetSpent:
            return False
        return True


class _BudgetSpent(Exception):
    pass


def _quickxplain(consistent: Callable[[Sequence[Node]], bool], units: Sequence[Node]) -> list[Node]:
    """A minimal subset of ``units`` that is inconsistent (QuickXplain, Junker, AAAI 2004).

    Needs ``consistent([])`` and not ``consistent(units)``.
    """

    def explain(base: list[Node], changed: bool, candidates: Sequence[Node]) -> list[Node]:
        if changed and not consistent(base):
            return []
        if len(candidates) == 1:
            return list(candidates)
        half = len(candidates) // 2
        first, second = list(candidates[:half]), list(candidates[half:])
        in_second = explain(base + first, bool(first), second)
        in_first = explain(base + in_second, bool(in_second), first)
        return in_first + in_second

    return explain([], False, list(units))


def _consistent_message(sizes: str, unsatisfiable: tuple[str, ...]) -> str:
    if not unsatisfiable:
        return f"consistent ({sizes}); no unsatisfiable classes"
    noun = "class is" if len(unsatisfiable) == 1 else "classes are"
    return (
        f"consistent ({sizes}), but {len(unsatisfiable)} {noun} unsatisfiable "
        "(equivalent to owl:Nothing): " + ", ".join(unsatisfiable)
    )


# --- splitting the data into schema and individuals ----------------------------------------


def _split(data: Graph, ontology: Graph) -> tuple[Graph, dict[Node, set[_Triple]]]:
    """The data's schema triples, and each individual's description (its triples, blank nodes
    included) keyed by the individual."""
    background = Graph()
    units: dict[Node, set[_Triple]] = {}
    covered: set[_Triple] = set()
    for subject in sorted(set(data.subjects()), key=str):
        if isinstance(subject, BNode):
            continue
        description = _describe(data, subject)
        covered |= description
        if _is_schema(data, subject) or (subject, None, None) in ontology:
            for triple in description:
                background.add(triple)
        else:
            units[subject] = description
    referenced = set(data.objects())
    for subject in sorted(set(data.subjects()), key=str):
        if isinstance(subject, BNode) and subject not in referenced:
            description = _describe(data, subject)
            covered |= description
            if _is_schema(data, subject):
                for triple in description:
                    background.add(triple)
            else:
                units[subject] = description
    for triple in data:
        if triple not in covered:
            background.add(triple)
    return background, units


def _describe(graph: Graph, node: Node) -> set[_Triple]:
    triples: set[_Triple] = set()
    todo, seen = [node], {node}
    while todo:
        current = todo.pop()
        for _, p, o in graph.triples((current, None, None)):
            triples.add((current, p, o))
            if isinstance(o, BNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    return triples


def _is_schema(graph: Graph, subject: Node) -> bool:
    return any(t in _SCHEMA_TYPES for t in graph.objects(subject, RDF.type)) or any(
        p in _SCHEMA_PREDICATES for p in graph.predicates(subject, None)
    )


# --- the cheap passes: literals ---------------------------------------------------------------

# Families of the OWL 2 datatype map whose value spaces are pairwise disjoint (OWL 2 Structural
# Specification §4, https://www.w3.org/TR/owl2-syntax/#Datatype_Maps; HermiT agrees, e.g. a plain
# string is not an xsd:anyURI). "lang" is a string with a language tag; rdf:PlainLiteral holds
# "string" and "lang".
_REAL = {
    "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
    "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
    "unsignedShort", "unsignedByte",
}
_FAMILIES: dict[str, str] = {str(XSD[name]): "real" for name in _REAL}
_FAMILIES.update(
    {
        str(XSD.string): "string",
        str(XSD.boolean): "boolean",
        str(XSD.dateTime): "dateTime",
        str(XSD.dateTimeStamp): "dateTime",
        str(XSD.anyURI): "anyURI",
        str(XSD.double): "double",
        str(XSD.float): "float",
    }
)
_PLAIN_LITERAL = str(RDF.PlainLiteral)


def _family(literal: Literal) -> str | None:
    if literal.language:
        return "lang"
    if literal.datatype is None:
        return "string"
    return _FAMILIES.get(str(literal.datatype))


def _fits(literal: Literal, range_: Node) -> bool | None:
    """Whether the literal's value is in the datatype ``range_``; None when this cannot tell
    (datatypes outside the table, such as xsd:date, which HermiT ignores too)."""
    family = _family(literal)
    if family is None:
        return None
    if str(range_) == _PLAIN_LITERAL:
        return family in ("string", "lang")
    wanted = _FAMILIES.get(str(range_))
    if wanted is None:
        return None
    if family != wanted:
        return False
    if wanted != "real":
        return True
    value = literal.value
    if isinstance(value, bool) or not isinstance(value, int):
        return None  # a decimal for an integer type: leave it to HermiT
    low, high = _INTEGER_BOUNDS.get(str(range_).rsplit("#", 1)[-1], (None, None))
    return (low is None or value >= low) and (high is None or value <= high)


_INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 2**8 - 1),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
}


def _literal_clashes(schema: Graph, units: dict[Node, set[_Triple]]) -> list[_Clash]:
    """Literals outside the declared range of their datatype property (sound, not complete)."""
    superproperties = _superproperties(schema)
    data_properties = set(schema.subjects(RDF.type, OWL.DatatypeProperty))
    ranges = _named_values(schema, RDFS.range)
    clashes: list[_Clash] = []
    for unit in sorted(units, key=str):
        for s, p, o in sorted(units[unit], key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
            if not isinstance(o, Literal) or o.ill_typed:
                continue
            for q in sorted(superproperties.get(p, {p}), key=str):
                if q not in data_properties:
                    continue
                for range_ in sorted(ranges.get(q, ()), key=str):
                    if _fits(o, range_) is False:
                        reason = f"{_curie(q)} {_n3(o)} is not in its range {_curie(range_)}"
                        clashes.append(_Clash(unit, reason, frozenset({unit})))
    return clashes


def _ill_typed_clashes(
    ill_typed: set[_Triple],
    units: dict[Node, set[_Triple]],
    owner: Callable[[Node], Node],
) -> list[_Clash]:
    clashes = []
    for s, p, o in sorted(ill_typed, key=lambda t: (str(t[0]), str(t[1]), str(t[2]))):
        unit = owner(s)
        datatype = _curie(o.datatype) if isinstance(o, Literal) and o.datatype else "literal"
        reason = f"{_curie(p)} {_n3(o)} is ill-typed: not a valid {datatype}"
        clashes.append(_Clash(unit, reason, frozenset({unit}) if unit in units else frozenset()))
    return clashes


# --- the cheap pass: told types against disjoint classes -----------------------------------


@dataclass(frozen=True)
class _Typing:
    cls: Node
    why: str
    by: Node  # the individual whose triple gives the type


@dataclass(frozen=True)
class _Clash:
    node: Node
    reason: str
    culprits: frozenset[Node]

    def describe(self) -> str:
        return f"{_curie(self.node)}: {self.reason}"


def _disjointness_clashes(
    schema: Graph, ontology: Graph, units: dict[Node, set[_Triple]]
) -> list[_Clash]:
    """Individuals whose told types include two disjoint classes (sound, not complete).

    Told types come from rdf:type, and from rdfs:domain and rdfs:range of declared object and
    datatype properties (and their superproperties); owl:sameAs and functional or
    inverse-functional object properties merge individuals.
    """
    supers = _superclasses(schema)
    disjoint = _disjoint_pairs(schema)
    superproperties = _superproperties(schema)
    object_properties = set(schema.subjects(RDF.type, OWL.ObjectProperty))
    properties = object_properties | set(schema.subjects(RDF.type, OWL.DatatypeProperty))
    domains = _named_values(schema, RDFS.domain)
    ranges = _named_values(schema, RDFS.range)
    functional = set(schema.subjects(RDF.type, OWL.FunctionalProperty)) & object_properties
    inverse_functional = set(schema.subjects(RDF.type, OWL.InverseFunctionalProperty))

    assertions = [t for triples in units.values() for t in triples]
    assertions += [
        t for t in ontology if isinstance(t[0], URIRef) and not _is_schema(ontology, t[0])
    ]
    assertions.sort(key=lambda t: (str(t[0]), str(t[1]), str(t[2])))

    same = _UnionFind()
    merged_by: dict[Node, set[Node]] = defaultdict(set)  # node -> individuals that merged it
    values: dict[tuple[Node, Node, bool], list[Node]] = defaultdict(list)
    for s, p, o in assertions:
        if isinstance(o, Literal):
            continue
        if p == OWL.sameAs:
            same.union(s, o)
            merged_by[s].add(s)
            merged_by[o].add(s)
            continue
        for q in superproperties.get(p, {p}):
            if q in functional:
                values[(s, q, True)].append(o)
            if q in inverse_functional:
                values[(o, q, False)].append(s)
    for (key, _, forward), nodes in values.items():
        for other in nodes[1:]:
            same.union(nodes[0], other)
            merged_by[nodes[0]].add(key if forward else other)
            merged_by[other].add(key if forward else nodes[0])

    typings: dict[Node, list[_Typing]] = defaultdict(list)
    for s, p, o in assertions:
        if p == RDF.type:
            typings[same.find(s)].append(_Typing(o, "rdf:type", s))
            continue
        for q in sorted(superproperties.get(p, {p}), key=str):
            if q not in properties:
                continue
            for cls in sorted(domains.get(q, ()), key=str):
                typings[same.find(s)].append(_Typing(cls, f"domain of {_curie(q)}", s))
            if q in object_properties and not isinstance(o, Literal):
                for cls in sorted(ranges.get(q, ()), key=str):
                    why = f"range of {_curie(q)} on {_curie(s)}"
                    typings[same.find(o)].append(_Typing(cls, why, s))

    members: dict[Node, set[Node]] = defaultdict(set)
    for node in same.nodes():
        members[same.find(node)].add(node)

    clashes: list[_Clash] = []
    for root, types in typings.items():
        found = _clash_in(types, supers, disjoint)
        if found is None:
            continue
        reason, contributors = found
        group = members.get(root, {root})
        culprits = set(contributors)
        for member in group:
            culprits |= merged_by.get(member, set())
        culprits = {node for node in culprits if node in units} or (group & units.keys())
        if not culprits:
            continue
        shown = min(group & units.keys(), key=str, default=root)
        if len(group) > 1:
            others = ", ".join(sorted(_curie(m) for m in group if m != shown))
            reason += f" (merged with {others} by owl:sameAs or a functional property)"
        clashes.append(_Clash(shown, reason, frozenset(culprits)))
    return sorted(clashes, key=lambda c: str(c.node))


def _clash_in(
    types: list[_Typing], supers: dict[Node, set[Node]], disjoint: set[frozenset[Node]]
) -> tuple[str, set[Node]] | None:
    expanded = [(t, sorted(supers.get(t.cls, {t.cls}), key=str)) for t in types]
    for t, classes in expanded:
        if OWL.Nothing in classes:
            return f"{_curie(t.cls)} ({t.why}) is unsatisfiable", {t.by}
    for i, (t1, c1) in enumerate(expanded):
        for t2, c2 in expanded[i:]:
            for a in c1:
                for b in c2:
                    if a != b and frozenset((a, b)) in disjoint:
                        return f"{_why(a, t1)} and {_why(b, t2)} are disjoint", {t1.by, t2.by}
    return None


def _why(cls: Node, typing: _Typing) -> str:
    via = "" if cls == typing.cls else f" {_curie(typing.cls)}"
    return f"{_curie(cls)} ({typing.why}{via})"


def _superclasses(schema: Graph) -> dict[Node, set[Node]]:
    return _ancestors(schema, RDFS.subClassOf, OWL.equivalentClass)


def _superproperties(schema: Graph) -> dict[Node, set[Node]]:
    return _ancestors(schema, RDFS.subPropertyOf, OWL.equivalentProperty)


def _ancestors(schema: Graph, sub: URIRef, equivalent: URIRef) -> dict[Node, set[Node]]:
    """Each term's ancestors by ``sub`` (and ``equivalent`` both ways), itself included."""
    parents: dict[Node, set[Node]] = defaultdict(set)
    for s, o in schema.subject_objects(sub):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            parents[s].add(o)
    for s, o in schema.subject_objects(equivalent):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            parents[s].add(o)
            parents[o].add(s)
    return {term: _closure(term, parents) for term in list(parents)}


def _closure(start: Node, parents: dict[Node, set[Node]]) -> set[Node]:
    seen, todo = {start}, [start]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def _disjoint_pairs(schema: Graph) -> set[frozenset[Node]]:
    pairs: set[frozenset[Node]] = set()
    for s, o in schema.subject_objects(OWL.disjointWith):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            pairs.add(frozenset((s, o)))
    for axiom in schema.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in schema.objects(axiom, OWL.members):
            classes = [c for c in Collection(schema, head) if isinstance(c, URIRef)]
            pairs.update(frozenset((a, b)) for i, a in enumerate(classes) for b in classes[i + 1 :])
    return pairs


def _named_values(schema: Graph, predicate: URIRef) -> dict[Node, set[Node]]:
    values: dict[Node, set[Node]] = defaultdict(set)
    for s, o in schema.subject_objects(predicate):
        if isinstance(o, URIRef):
            values[s].add(o)
    return values


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, node: Node) -> Node:
        root = node
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while node != root:
            self.parent[node], node = root, self.parent.get(node, node)
        return root

    def union(self, a: Node, b: Node) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=str)] = min(ra, rb, key=str)
        self.parent.setdefault(ra, self.find(ra))
        self.parent.setdefault(rb, self.find(rb))

    def nodes(self) -> Iterator[Node]:
        return iter(list(self.parent))


# --- naming --------------------------------------------------------------------------------


def _name(node: Node) -> str:
    return f"_:{node}" if isinstance(node, BNode) else str(node)


def _n3(literal: Node) -> str:
    if isinstance(literal, Literal) and literal.datatype is not None:
        return f"{Literal(str(literal)).n3()}^^{_curie(literal.datatype)}"
    return literal.n3()


def _curie(node: Node) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace):]}"
    return f"<{text}>"
