"""SHACL validation of a data graph, specialised to the features policykg's shapes use.

The shapes of ``shapes/`` are compiled once into a plan (:func:`compile_shapes`,
:func:`shapes_plan`), which :func:`validate` evaluates on a ``pyoxigraph.Store`` set at a time:
each property shape reads its path's triples once for all of its focus nodes, a value's verdict is
worked out once however many focus nodes share it, and each SPARQL-based constraint is one query
for all of its focus nodes. The verdicts are pySHACL's (``pyshacl.validate(data,
shacl_graph=shapes, inference="none", advanced=True)``), as ``tests/test_shacl_fast.py`` checks on
every case of ``tests/shapes/`` and on generated, deliberately broken batches.

Supported (W3C SHACL, https://www.w3.org/TR/shacl/): node shapes with ``sh:targetClass``
(§2.1.3.2) and ``sh:severity`` (§2.1.4); property shapes (§2.3) whose ``sh:path`` is an IRI, with
one ``sh:message`` (§2.1.5), ``sh:severity``, ``sh:minCount``, ``sh:maxCount`` (§4.2),
``sh:class``, ``sh:datatype``, ``sh:nodeKind`` (§4.1), ``sh:pattern``, ``sh:uniqueLang`` (§4.4),
``sh:lessThanOrEquals`` (§4.5.4), ``sh:or`` (§4.6.3), ``sh:hasValue``, ``sh:in`` (§4.8); inside
an ``sh:or`` member also ``sh:minInclusive`` (§4.3.2) next to an integer ``sh:datatype``; and
SPARQL-based constraints (§5) given by ``sh:select`` with ``sh:prefixes``/``sh:declare``. Anything
else in the shapes graph makes :func:`compile_shapes` raise :class:`UnsupportedShape`, so a shape
edit can never be ignored silently.

pySHACL reads the data graph as rdflib terms, and where that decides a verdict or a message this
module decides the same way: a literal is well-formed when rdflib's lexical-to-value mapping
accepts it (``"2024-13-45"^^xsd:date`` is not; ``"2024-W27-1"^^xsd:date`` is), ``sh:pattern`` is a
Python ``re.search`` on the lexical form, ``sh:lessThanOrEquals`` orders values as rdflib does,
values that rdflib writes alike count once for ``sh:minCount``/``sh:maxCount``, and values quoted in
a message are written as rdflib writes them. Where pySHACL raises instead of reporting (a blank
node or an ill-formed date under ``sh:lessThanOrEquals``, a literal ``rdf:type`` on a value that
``sh:class`` checks), this module reports what SHACL says.

>>> from pyoxigraph import Literal, NamedNode, Quad, Store
>>> pk = "https://w3id.org/policykg/ontology#"
>>> store = Store()
>>> store.add(Quad(NamedNode("https://w3id.org/policykg/id/topic/ai"),
...                NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), NamedNode(pk + "Topic")))
>>> sorted(r.path.value.rsplit("#", 1)[-1] for r in validate(store))
['inScheme', 'label']
"""

from __future__ import annotations

import decimal
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import rdflib
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, QueryResultsFormat, Store
from rdflib.collection import Collection
from rdflib.xsd_datetime import parse_datetime, parse_xsd_date

from kg.errors import ConfigError
from kg.resources import shapes_files

Term = NamedNode | BlankNode | Literal
Subject = NamedNode | BlankNode

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_TYPE = NamedNode(_RDF + "type")
_RDFS_SUBCLASS_OF = NamedNode(_RDFS + "subClassOf")
_RDF_LANG_STRING = _RDF + "langString"
_XSD_STRING = NamedNode(_XSD + "string")
_XSD_DATE = _XSD + "date"
_ANY_LEXICAL_FORM = frozenset({_XSD + "string", _XSD + "anyURI"})  # every lexical form is well-formed
_INTEGER_DATATYPES = frozenset({_XSD + "integer", _XSD + "nonNegativeInteger"})
_DEFAULT_GRAPH = DefaultGraph()

VIOLATION = NamedNode(SH.Violation)
_MIN_COUNT = NamedNode(SH.MinCountConstraintComponent)
_MAX_COUNT = NamedNode(SH.MaxCountConstraintComponent)
_UNIQUE_LANG = NamedNode(SH.UniqueLangConstraintComponent)
_HAS_VALUE = NamedNode(SH.HasValueConstraintComponent)
_LESS_THAN_OR_EQUALS = NamedNode(SH.LessThanOrEqualsConstraintComponent)
_SPARQL = NamedNode(SH.SPARQLConstraintComponent)
_SEVERITIES = frozenset({SH.Violation, SH.Warning, SH.Info})
_NODE_KINDS: dict[rdflib.URIRef, tuple[type, ...]] = {
    SH.IRI: (NamedNode,),
    SH.BlankNode: (BlankNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BlankNode, NamedNode),
    SH.BlankNodeOrLiteral: (BlankNode, Literal),
    SH.IRIOrLiteral: (NamedNode, Literal),
}
# What SPARQL constraints may contain: the query runs once with $this bound to every focus node
# by a pattern added to its top-level group, which equals SHACL's pre-binding (§5.3.1) only when
# no nested group could see $this unbound and no solution modifier spans focus nodes.
_REFUSED_SPARQL = re.compile(r"(?i:\b(OPTIONAL|UNION|MINUS|VALUES|SERVICE|GRAPH|GROUP|HAVING|LIMIT|OFFSET)\b)"
                             r"|[?$](currentShape|shapesGraph|failure)\b|\$PATH\b")
_TARGET_CLASS_VARIABLE = "shaclFastTargetClass"


def _parses_as(parse: Callable[[str], object]) -> Callable[[str], bool]:
    def well_formed(lexical: str) -> bool:
        try:
            parse(lexical)
        except ValueError:
            return False
        return True
    return well_formed


def _decimal(lexical: str) -> bool:
    try:
        decimal.Decimal(lexical)
    except decimal.InvalidOperation:
        return False
    return True


def _non_negative_integer(lexical: str) -> bool:
    try:
        return int(lexical) >= 0
    except ValueError:
        return False


# Whether a lexical form is well-formed for its datatype, as rdflib's mapping decides (pySHACL's
# sh:datatype): Python's int() for integers, rdflib's ISO 8601 parsers for dates.
_WELL_FORMED: dict[str, Callable[[str], bool]] = {
    _XSD + "string": lambda lexical: True,
    _XSD + "anyURI": lambda lexical: True,
    _XSD + "boolean": lambda lexical: lexical in ("true", "false", "1", "0"),
    _XSD + "integer": _parses_as(int),
    _XSD + "decimal": _decimal,
    _XSD + "nonNegativeInteger": _non_negative_integer,
    _XSD + "date": _parses_as(parse_xsd_date),
    _XSD + "dateTime": _parses_as(parse_datetime),
}


class UnsupportedShape(ConfigError):
    """The shapes use a SHACL feature that :mod:`kg.shacl_fast` does not implement."""


@dataclass(frozen=True)
class ValidationResult:
    """One validation result (SHACL §3.6.2), in pyoxigraph terms."""

    focus: Subject
    path: Term | None  # a property shape's path, or what a SPARQL constraint binds to ?path
    message: str
    severity: NamedNode
    component: NamedNode  # sh:sourceConstraintComponent
    source_shape: Subject
    source_constraint: Subject | None = None  # the SPARQL constraint, for SPARQL-based results
    value: Term | None = None


# ------------------------------------------------------------------------------------ the data


class _DataGraph:
    """What the plan reads from the data graph (the store's default graph), each thing read once.

    Subjects are handled as their N-Triples text (``<iri>``, ``_:id``), read in bulk as SPARQL TSV:
    a Python string is made and hashed once, a fraction of what a pyoxigraph term costs, and
    subjects need no more than identity. Values are pyoxigraph terms, read DISTINCT, so each is
    judged once however many subjects share it.
    """

    def __init__(self, store: Store):
        self.store = store
        self._instances: dict[NamedNode, frozenset[str]] = {}
        self._counts: dict[NamedNode, Counter[str]] = {}
        self._values: dict[tuple[NamedNode, str | None], list[Term]] = {}
        self._languages: dict[NamedNode, Counter[tuple[str, str]]] = {}

    def rows(self, query: str) -> list[str]:
        """The rows of a SELECT as TSV lines (header dropped); only for IRIs and blank nodes."""
        return self.store.query(query).serialize(format=QueryResultsFormat.TSV).decode().split("\n")[1:-1]

    def instances(self, cls: NamedNode) -> frozenset[str]:
        """The SHACL instances of ``cls``: ``?x rdf:type/rdfs:subClassOf* cls``."""
        found = self._instances.get(cls)
        if found is None:
            found = self._instances[cls] = frozenset(self.rows(
                f"SELECT ?s WHERE {{ ?s <{_RDF_TYPE.value}>/<{_RDFS_SUBCLASS_OF.value}>* {cls} }}"))
        return found

    def value_counts(self, path: NamedNode) -> Counter[str]:
        """Subject → how many values it has over ``path``."""
        found = self._counts.get(path)
        if found is None:
            found = self._counts[path] = Counter(self.rows(f"SELECT ?s WHERE {{ ?s {path} ?o }}"))
        return found

    def distinct_values(self, path: NamedNode, accepted: str | None) -> list[Term]:
        """Every value of ``path``, once, but those for which the SPARQL expression ``accepted``
        holds."""
        found = self._values.get((path, accepted))
        if found is None:
            unless = f"FILTER (!{accepted})" if accepted else ""
            found = self._values[path, accepted] = [row[0] for row in self.store.query(
                f"SELECT DISTINCT ?o WHERE {{ ?s {path} ?o {unless} }}")]
        return found

    def languages(self, path: NamedNode) -> Counter[tuple[str, str]]:
        """(subject, lower-cased language tag) → how many of its values over ``path`` have that tag."""
        found = self._languages.get(path)
        if found is None:
            rows = self.rows(f'SELECT ?s (LCASE(LANG(?o)) AS ?lang) WHERE {{ ?s {path} ?o FILTER (LANG(?o) != "") }}')
            found = self._languages[path] = Counter((subject, tag) for subject, tag in (r.split("\t") for r in rows))
        return found

    def values_of(self, subject: Subject, path: NamedNode) -> list[Term]:
        """The values ``subject`` has over ``path``."""
        return [q.object for q in self.store.quads_for_pattern(subject, path, None, _DEFAULT_GRAPH)]

    def subjects_with(self, path: NamedNode, value: Term) -> list[Subject]:
        """The subjects that have ``value`` over ``path``."""
        return [q.subject for q in self.store.quads_for_pattern(None, path, value, _DEFAULT_GRAPH)]


def _subject(text: str) -> Subject:
    """The term of a subject's N-Triples text."""
    return BlankNode(text[2:]) if text.startswith("_:") else NamedNode(text[1:-1])


# ------------------------------------------------------------------------------------ value tests


def _as_rdflib(term: Term) -> rdflib.term.Identifier:
    """The rdflib term pySHACL reads for ``term`` (its pyoxigraph data graph's conversion)."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if term.language is not None:
        return rdflib.Literal(term.value, lang=term.language)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _pattern_text(term: NamedNode | Literal) -> str:
    """The string sh:pattern is matched against: an IRI, a string's text, else rdflib's lexical form
    (rdflib writes a well-formed value in its canonical form: "2024-07-01Z"^^xsd:date as
    "2024-07-01")."""
    if isinstance(term, NamedNode) or term.language is not None or term.datatype == _XSD_STRING:
        return term.value
    return str(_as_rdflib(term))


class _ValueTest:
    """A constraint that each value node meets or not, whatever its focus node.

    ``accepted`` is, where one exists, a SPARQL expression over ``?o`` that is true exactly for the
    values the test accepts and never an error: values it accepts need not leave the store.
    """

    component: NamedNode

    @property
    def accepted(self) -> str | None:
        return None

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class _NodeKind(_ValueTest):
    kinds: tuple[type, ...]
    component = NamedNode(SH.NodeKindConstraintComponent)

    @property
    def accepted(self) -> str:
        tests = {NamedNode: "isIRI(?o)", BlankNode: "isBlank(?o)", Literal: "isLiteral(?o)"}
        return "(" + " || ".join(tests[kind] for kind in self.kinds) + ")"

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        return isinstance(value, self.kinds)


@dataclass(frozen=True)
class _Datatype(_ValueTest):
    """§4.1.2: a literal of the datatype that is not ill-formed."""

    datatype: str
    component = NamedNode(SH.DatatypeConstraintComponent)

    @property
    def accepted(self) -> str | None:
        if self.datatype == _RDF_LANG_STRING:
            return '(isLiteral(?o) && LANG(?o) != "")'
        if self.datatype in _ANY_LEXICAL_FORM:
            return f"(isLiteral(?o) && DATATYPE(?o) = <{self.datatype}>)"
        return None

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        if not isinstance(value, Literal):
            return False
        if self.datatype == _RDF_LANG_STRING:
            return value.language is not None
        return value.datatype.value == self.datatype and _WELL_FORMED[self.datatype](value.value)


@dataclass(frozen=True)
class _Class(_ValueTest):
    cls: NamedNode
    component = NamedNode(SH.ClassConstraintComponent)

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        return str(value) in data.instances(self.cls)


@dataclass(frozen=True)
class _In(_ValueTest):
    members: frozenset[NamedNode]
    component = NamedNode(SH.InConstraintComponent)

    @property
    def accepted(self) -> str:
        return "(" + (" || ".join(f"sameTerm(?o, {m})" for m in sorted(self.members, key=str)) or "false") + ")"

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        return value in self.members


@dataclass(frozen=True)
class _Pattern(_ValueTest):
    regex: re.Pattern[str]
    component = NamedNode(SH.PatternConstraintComponent)

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        return not isinstance(value, BlankNode) and self.regex.search(_pattern_text(value)) is not None


@dataclass(frozen=True)
class _MinInclusive(_ValueTest):
    """§4.3.2 for a well-formed integer (compile_shapes allows it only next to an integer
    sh:datatype, so nothing else reaches the comparison that decides)."""

    minimum: int
    component = NamedNode(SH.MinInclusiveConstraintComponent)

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        if not isinstance(value, Literal) or value.datatype.value not in _INTEGER_DATATYPES:
            return False
        try:
            return int(value.value) >= self.minimum
        except ValueError:
            return False


@dataclass(frozen=True)
class _Or(_ValueTest):
    """§4.6.3: the value conforms to at least one member, each a list of value tests."""

    members: tuple[tuple[_ValueTest, ...], ...]
    component = NamedNode(SH.OrConstraintComponent)

    @property
    def accepted(self) -> str | None:
        members = []
        for member in self.members:
            accepted = _all_accepted(member)
            if accepted is None:
                return None
            members.append(accepted)
        return "(" + " || ".join(members) + ")"

    def accepts(self, value: Term, data: _DataGraph) -> bool:
        return any(all(test.accepts(value, data) for test in member) for member in self.members)


def _all_accepted(tests: tuple[_ValueTest, ...]) -> str | None:
    """A SPARQL expression true exactly for the values every test accepts, if there is one."""
    expressions = []
    for test in tests:
        accepted = test.accepted
        if accepted is None:
            return None
        expressions.append(accepted)
    return "(" + (" && ".join(expressions) or "true") + ")"


def _less_than_or_equals(value: Term, other: Term) -> bool:
    """``value <= other`` as pySHACL decides sh:lessThanOrEquals: IRIs and string-valued literals
    compare as strings, other literals in rdflib's order. A string never compares with a
    non-string, nor a blank node with anything, nor two literals rdflib cannot order (an ill-formed
    date and another date): pySHACL raises there, or passes the pair on ``NotImplemented``'s truth
    value (a DeprecationWarning); SHACL's SPARQL ``<=`` makes them a violation."""
    if isinstance(value, BlankNode) or isinstance(other, BlankNode):
        return False
    if isinstance(value, Literal) and isinstance(other, Literal) \
            and value.datatype.value == other.datatype.value == _XSD_DATE:
        try:  # well-formed dates, the common case: rdflib compares their values
            return parse_xsd_date(value.value) <= parse_xsd_date(other.value)
        except ValueError:
            pass
    left, right = _as_rdflib(value), _as_rdflib(other)
    left_text, right_text = _string_value(left), _string_value(right)
    if (left_text is None) != (right_text is None):
        return False
    if left_text is not None and right_text is not None:
        return left_text <= right_text
    try:
        less = left.__lt__(right)
        return less is not NotImplemented and (bool(less) or left.eq(right) is True)
    except TypeError:
        return False


def _string_value(term: rdflib.term.Identifier) -> str | None:
    if isinstance(term, rdflib.URIRef):
        return str(term)
    if isinstance(term, rdflib.Literal) and isinstance(term.value, str):
        return term.value
    return None


# ------------------------------------------------------------------------------------ shapes


@dataclass(frozen=True)
class _PropertyShape:
    node: Subject
    path: NamedNode
    message: str
    severity: NamedNode
    min_count: int
    max_count: int | None
    value_tests: tuple[_ValueTest, ...]
    unique_lang: bool
    has_value: NamedNode | None
    less_than_or_equals: NamedNode | None

    def evaluate(self, focus_nodes: frozenset[str], data: _DataGraph, out: list[ValidationResult]) -> None:
        """Append the results of this shape for ``focus_nodes`` (N-Triples text) to ``out``."""
        if not focus_nodes:
            return
        if self.min_count or self.max_count is not None:
            counts = data.value_counts(self.path)
            for focus in focus_nodes:
                n = counts.get(focus, 0)
                if n > 1 and (self.min_count > 1 or self.max_count is not None and n > self.max_count):
                    # pySHACL counts values as rdflib reads them: "2024-07-01Z"^^xsd:date and
                    # "2024-07-01"^^xsd:date are one value to it, as are "1_000" and "1000" integers.
                    n = len({_as_rdflib(value) for value in data.values_of(_subject(focus), self.path)})
                if n < self.min_count:
                    self._report(out, _subject(focus), _MIN_COUNT)
                if self.max_count is not None and n > self.max_count:
                    self._report(out, _subject(focus), _MAX_COUNT)
        if self.value_tests:
            for value in data.distinct_values(self.path, _all_accepted(self.value_tests)):
                failed = [test for test in self.value_tests if not test.accepts(value, data)]
                if failed:
                    for subject in data.subjects_with(self.path, value):
                        if str(subject) in focus_nodes:
                            for test in failed:
                                self._report(out, subject, test.component, value)
        if self.unique_lang:
            for (focus, _), n in data.languages(self.path).items():
                if n > 1 and focus in focus_nodes:
                    self._report(out, _subject(focus), _UNIQUE_LANG)
        if self.has_value is not None:
            having = data.rows(f"SELECT ?s WHERE {{ ?s {self.path} {self.has_value} }}")
            for focus in focus_nodes.difference(having):
                self._report(out, _subject(focus), _HAS_VALUE)
        if self.less_than_or_equals is not None:
            for focus, value, other in data.store.query(
                    f"SELECT ?s ?a ?b WHERE {{ ?s {self.path} ?a . ?s {self.less_than_or_equals} ?b }}"):
                if str(focus) in focus_nodes and not _less_than_or_equals(value, other):
                    self._report(out, focus, _LESS_THAN_OR_EQUALS, value)

    def _report(self, out: list[ValidationResult], focus: Subject, component: NamedNode,
                value: Term | None = None) -> None:
        out.append(ValidationResult(focus, self.path, self.message, self.severity, component, self.node, None, value))


@dataclass(frozen=True)
class _SparqlConstraint:
    """A SPARQL-based constraint (§5) of a node shape, run once for all focus nodes."""

    node: Subject
    query: str
    message: str

    def evaluate(self, shape: _NodeShape, data: _DataGraph, out: list[ValidationResult]) -> None:
        seen = set()
        solutions = data.store.query(self.query)
        names = [v.value for v in solutions.variables]
        for solution in solutions:
            bound = {name: solution[name] for name in names if solution[name] is not None}
            focus = bound.pop("this")
            path = bound.pop("path", None)
            value = bound.pop("value", focus)
            key = (focus, path, value, tuple(sorted(bound.items(), key=lambda item: item[0])))
            if key in seen:
                continue
            seen.add(key)
            message = self.message
            for name, term in [*bound.items(), ("this", focus), ("path", path), ("value", value)]:
                if term is not None:
                    text = str(_as_rdflib(term))
                    message = message.replace("{?" + name + "}", text).replace("{$" + name + "}", text)
            out.append(ValidationResult(focus, path, message, shape.severity, _SPARQL, shape.node, self.node, value))


@dataclass(frozen=True)
class _NodeShape:
    node: Subject
    target_classes: tuple[NamedNode, ...]
    severity: NamedNode
    properties: tuple[_PropertyShape, ...]
    sparql: tuple[_SparqlConstraint, ...]


@dataclass(frozen=True)
class ShapesPlan:
    """Compiled shapes: what :func:`validate` evaluates."""

    node_shapes: tuple[_NodeShape, ...]


# ------------------------------------------------------------------------------------ compiling


def _shape_term(node: rdflib.term.Node) -> Subject:
    if isinstance(node, rdflib.URIRef):
        return NamedNode(str(node))
    if isinstance(node, rdflib.BNode):
        return BlankNode(str(node))
    raise UnsupportedShape(f"{node!r} cannot be a shape")


def _integer(node: rdflib.term.Node | None) -> int | None:
    """The integer a literal of the shapes graph stands for, if it is one."""
    value = node.toPython() if isinstance(node, rdflib.Literal) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class _Compiler:
    """Reads a shapes graph, remembering which shape triples it has understood."""

    def __init__(self, graph: rdflib.Graph):
        self.graph = graph
        self.used: set[tuple[rdflib.term.Node, rdflib.URIRef]] = set()
        self.roles: dict[rdflib.term.Node, rdflib.URIRef] = {}

    def take(self, node: rdflib.term.Node, predicate: rdflib.URIRef) -> list[rdflib.term.Node]:
        self.used.add((node, predicate))
        return list(self.graph.objects(node, predicate))

    def take_one(self, node: rdflib.term.Node, predicate: rdflib.URIRef) -> rdflib.term.Node | None:
        found = self.take(node, predicate)
        if len(found) > 1:
            raise UnsupportedShape(f"{node} has {len(found)} values of {predicate}; one is supported")
        return found[0] if found else None

    def compile(self) -> ShapesPlan:
        g = self.graph
        nodes = sorted(set(g.subjects(SH.targetClass, None)) | set(g.subjects(rdflib.RDF.type, SH.NodeShape)),
                       key=str)
        plan = ShapesPlan(tuple(self.node_shape(node) for node in nodes))
        self.check_all_understood()
        return plan

    def check_all_understood(self) -> None:
        for subject, predicate, obj in self.graph:
            if predicate == rdflib.RDF.type and str(obj).startswith(str(SH)):
                if self.roles.get(subject) != obj:
                    raise UnsupportedShape(f"{subject} is a {obj}, which is not supported here")
            elif str(predicate).startswith(str(SH)) and (subject, predicate) not in self.used:
                raise UnsupportedShape(f"unsupported SHACL feature: {subject} {predicate} {obj}")

    def severity(self, node: rdflib.term.Node) -> NamedNode:
        severity = self.take_one(node, SH.severity) or SH.Violation
        if severity not in _SEVERITIES:
            raise UnsupportedShape(f"{node}: sh:severity {severity} is not sh:Violation, sh:Warning or sh:Info")
        return NamedNode(str(severity))

    def message(self, node: rdflib.term.Node) -> str:
        message = self.take_one(node, SH.message)
        if not isinstance(message, rdflib.Literal) or not str(message):
            raise UnsupportedShape(f"{node} needs one non-empty sh:message (pySHACL's generic messages "
                                   "are not reproduced)")
        return str(message)

    def node_shape(self, node: rdflib.term.Node) -> _NodeShape:
        g = self.graph
        if (node, rdflib.RDF.type, rdflib.RDFS.Class) in g or (node, rdflib.RDF.type, rdflib.OWL.Class) in g:
            raise UnsupportedShape(f"{node} is a class as well as a shape (implicit class target)")
        if (node, SH.path, None) in g:
            raise UnsupportedShape(f"{node}: a property shape with targets of its own is not supported")
        self.roles[node] = SH.NodeShape
        targets = self.take(node, SH.targetClass)
        if not targets or not all(isinstance(t, rdflib.URIRef) for t in targets):
            raise UnsupportedShape(f"{node} needs sh:targetClass IRIs (other targets are not supported)")
        severity = self.severity(node)
        properties = tuple(self.property_shape(p) for p in sorted(self.take(node, SH.property), key=str))
        target_classes = tuple(NamedNode(str(t)) for t in sorted(targets, key=str))
        sparql = tuple(self.sparql_constraint(c, target_classes)
                       for c in sorted(self.take(node, SH.sparql), key=str))
        return _NodeShape(_shape_term(node), target_classes, severity, properties, sparql)

    def property_shape(self, node: rdflib.term.Node) -> _PropertyShape:
        self.roles[node] = SH.PropertyShape
        path = self.take_one(node, SH.path)
        if not isinstance(path, rdflib.URIRef):
            raise UnsupportedShape(f"{node}: sh:path must be one IRI (inverse, sequence, alternative and "
                                   "other paths are not supported)")
        unique_lang = self.take_one(node, SH.uniqueLang)
        has_value = self.take_one(node, SH.hasValue)
        if has_value is not None and not isinstance(has_value, rdflib.URIRef):
            raise UnsupportedShape(f"{node}: sh:hasValue must be an IRI")
        less_than_or_equals = self.take_one(node, SH.lessThanOrEquals)
        if less_than_or_equals is not None and not isinstance(less_than_or_equals, rdflib.URIRef):
            raise UnsupportedShape(f"{node}: sh:lessThanOrEquals must be an IRI")
        return _PropertyShape(
            node=_shape_term(node),
            path=NamedNode(str(path)),
            message=self.message(node),
            severity=self.severity(node),
            min_count=self.count(node, SH.minCount) or 0,
            max_count=self.count(node, SH.maxCount),
            value_tests=self.value_tests(node, allow_min_inclusive=False),
            unique_lang=bool(unique_lang is not None and unique_lang.toPython() is True),
            has_value=NamedNode(str(has_value)) if has_value is not None else None,
            less_than_or_equals=NamedNode(str(less_than_or_equals)) if less_than_or_equals is not None else None,
        )

    def count(self, node: rdflib.term.Node, predicate: rdflib.URIRef) -> int | None:
        value = self.take_one(node, predicate)
        if value is not None and _integer(value) is None:
            raise UnsupportedShape(f"{node}: {predicate} must be an integer")
        return _integer(value)

    def value_tests(self, node: rdflib.term.Node, *, allow_min_inclusive: bool) -> tuple[_ValueTest, ...]:
        tests: list[_ValueTest] = []
        kind = self.take_one(node, SH.nodeKind)
        if kind is not None:
            if not isinstance(kind, rdflib.URIRef) or kind not in _NODE_KINDS:
                raise UnsupportedShape(f"{node}: unknown sh:nodeKind {kind}")
            tests.append(_NodeKind(_NODE_KINDS[kind]))
        datatype = self.take_one(node, SH.datatype)
        if datatype is not None:
            if not isinstance(datatype, rdflib.URIRef) or (str(datatype) not in _WELL_FORMED
                                                           and str(datatype) != _RDF_LANG_STRING):
                raise UnsupportedShape(f"{node}: sh:datatype {datatype} is not one this validator checks")
            tests.append(_Datatype(str(datatype)))
        for cls in sorted(self.take(node, SH["class"]), key=str):
            if not isinstance(cls, rdflib.URIRef):
                raise UnsupportedShape(f"{node}: sh:class must be an IRI")
            tests.append(_Class(NamedNode(str(cls))))
        members = self.take_one(node, SH["in"])
        if members is not None:
            items = list(Collection(self.graph, members))
            if not all(isinstance(item, rdflib.URIRef) for item in items):
                raise UnsupportedShape(f"{node}: sh:in lists IRIs only")
            tests.append(_In(frozenset(NamedNode(str(item)) for item in items)))
        pattern = self.take_one(node, SH.pattern)
        if pattern is not None:
            tests.append(_Pattern(re.compile(str(pattern))))
        alternatives = self.take_one(node, SH["or"])
        if alternatives is not None:
            members = list(Collection(self.graph, alternatives))
            if not members:
                raise UnsupportedShape(f"{node}: an empty sh:or list")
            tests.append(_Or(tuple(self.value_tests(member, allow_min_inclusive=True) for member in members)))
        minimum = self.take_one(node, SH.minInclusive)
        if minimum is not None:
            bound = _integer(minimum)
            if bound is None or not allow_min_inclusive or str(datatype) not in _INTEGER_DATATYPES:
                raise UnsupportedShape(f"{node}: sh:minInclusive is supported only as an integer bound in an "
                                       "sh:or member that also requires an integer sh:datatype")
            tests.append(_MinInclusive(bound))
        return tuple(tests)

    def sparql_constraint(self, node: rdflib.term.Node, targets: tuple[NamedNode, ...]) -> _SparqlConstraint:
        self.roles[node] = SH.SPARQLConstraint
        select = self.take_one(node, SH.select)
        if select is None:
            raise UnsupportedShape(f"{node}: only sh:select SPARQL constraints are supported")
        text = str(select)
        refused = _REFUSED_SPARQL.search(text)
        head = re.search(r"\bSELECT\b(.*?)\bWHERE\s*\{", text, re.IGNORECASE | re.DOTALL)
        if refused or head is None or len(re.findall(r"\bSELECT\b", text, re.IGNORECASE)) != 1 \
                or not re.search(r"[?$]this\b", head.group(1)) or _TARGET_CLASS_VARIABLE in text:
            raise UnsupportedShape(
                f"{node}: a SPARQL constraint must be one SELECT … WHERE {{ … }} that projects $this and "
                "uses no OPTIONAL, UNION, MINUS, VALUES, SERVICE, GRAPH, GROUP BY, HAVING, LIMIT, OFFSET, "
                "subquery, $currentShape, $shapesGraph, $PATH or ?failure")
        prefixes = []
        for declarations in self.take(node, SH.prefixes):
            for declaration in self.take(declarations, SH.declare):
                prefix, namespace = self.take_one(declaration, SH.prefix), self.take_one(declaration, SH.namespace)
                prefixes.append(f"PREFIX {prefix}: <{namespace}>\n")
        focus = (f"?this <{_RDF_TYPE.value}>/<{_RDFS_SUBCLASS_OF.value}>* ?{_TARGET_CLASS_VARIABLE} . "
                 f"VALUES ?{_TARGET_CLASS_VARIABLE} {{ {' '.join(str(t) for t in targets)} }}\n")
        query = "".join(sorted(prefixes)) + text[:head.end()] + focus + text[head.end():]
        try:
            Store().query(query)
        except SyntaxError as error:
            raise UnsupportedShape(f"{node}: the SPARQL constraint does not parse: {error}") from error
        return _SparqlConstraint(_shape_term(node), query, self.message(node))


def compile_shapes(graph: rdflib.Graph) -> ShapesPlan:
    """Compile a shapes graph; raises :class:`UnsupportedShape` on any feature not supported here."""
    return _Compiler(graph).compile()


@lru_cache(maxsize=1)
def shapes_graph() -> rdflib.Graph:
    """policykg's shapes (``shapes/*.ttl``), parsed once."""
    graph = rdflib.Graph()
    for path in shapes_files():
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def shapes_plan() -> ShapesPlan:
    """policykg's shapes, compiled once."""
    return compile_shapes(shapes_graph())


def validate(store: Store, *, plan: ShapesPlan | None = None) -> list[ValidationResult]:
    """Every validation result of the default graph of ``store`` against ``plan`` (policykg's
    shapes by default): all severities, in no particular order; [] when it conforms."""
    data = _DataGraph(store)
    out: list[ValidationResult] = []
    for shape in (plan if plan is not None else shapes_plan()).node_shapes:
        focus_nodes = frozenset().union(*(data.instances(c) for c in shape.target_classes))
        for prop in shape.properties:
            prop.evaluate(focus_nodes, data, out)
        for constraint in shape.sparql:
            constraint.evaluate(shape, data, out)
    return out


__all__ = ["VIOLATION", "ShapesPlan", "UnsupportedShape", "ValidationResult", "compile_shapes", "shapes_plan",
           "validate"]
