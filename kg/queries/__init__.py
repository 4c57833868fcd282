"""Named queries: the ``.rq`` files beside this module, run with bound parameters.

A named query starts with comment lines: a title, a description, then one line per parameter,
``# @param NAME KIND [required]  description``. KIND says how a value given as text becomes an
RDF term: ``actor``, ``resolution``, ``measure``, ``event``, ``topic``, ``source``, ``statement``
(IRIs; a slug means that kind), ``any`` (an IRI of any kind), ``date`` (xsd:date), ``decimal``
(xsd:decimal), ``stance`` (a concept of pk:Stances), ``curationStatus`` (of pk:CurationStatuses),
``flag`` (given as ``true``, or left out) or ``string``. Values are bound with
:func:`kg.sparql.bind`, never formatted into the text.

A line of the body that ends with ``# @if NAME`` belongs to the query only when the parameter
NAME is given (:meth:`NamedQuery.text_for`): a filter becomes a triple pattern the engine can
start from, instead of a ``FILTER(!BOUND(?x) || EXISTS {…})`` it must test on every candidate.
A line that ends with ``# @unless NAME`` belongs to it only when NAME is not given (a default
that a flag turns off, or a pattern that another one makes redundant). ``# @if A|B`` holds when
any of the parameters is given, ``# @unless A|B`` when none is. The file as it stands is the
query with every parameter given, and with the ``@unless`` lines of those not given. A line that
ends with ``# @sort`` only binds what the rows are ordered by: a count of the rows (``total`` in
the REST lists) leaves it out. Both marks may end one line, ``# @unless NAME # @sort``.

>>> q = named_query("statements_by_speaker")
>>> [p.name for p in q.params if p.required]
['speaker']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from kg.entries import ANY_KIND, resolve_reference, typed_literal, vocabulary
from kg.errors import ConfigError, NotFound
from kg.iris import Iris
from kg.sparql import Term, query_form

QUERY_DIR = Path(__file__).resolve().parent
IRI_KINDS = {"actor", "resolution", "measure", "event", "topic", "source", "statement", "role", "any"}
#: Parameter kinds whose text is the local name of a concept of one scheme, and its concepts.
CONCEPT_KINDS = {
    "stance": ("supports", "opposes", "neutral", "calls_for"),
    "curationStatus": ("draft", "reviewed", "disputed"),
}
VALUE_KINDS = IRI_KINDS | set(CONCEPT_KINDS) | {"date", "decimal", "flag", "string"}
_PARAM = re.compile(r"^#\s*@param\s+(\w+)\s+(\w+)(\s+required)?\s*(.*)$")
_IF = re.compile(r"#\s*@(if|unless)\s+(\w+(?:\|\w+)*)\s*(#\s*@sort\s*)?$")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str

    @property
    def form(self) -> str:
        """SELECT, CONSTRUCT, ASK or DESCRIBE."""
        return query_form(self.text)

    def text_for(self, given: Iterable[str]) -> str:
        """The query's text for these parameters: lines marked ``# @if NAME`` only where NAME is
        given (``# @unless NAME`` only where it is not), the mark itself left out.

        >>> q = named_query("rest_statements")
        >>> "pk:speaker ?speaker" in q.text_for({"speaker"}), "pk:speaker ?speaker" in q.text_for(())
        (True, False)
        >>> "a pk:Statement" in q.text_for({"speaker"}), "a pk:Statement" in q.text_for({"about"})
        (False, True)
        """
        given = set(given)
        lines = []
        for line in self.text.splitlines():
            mark = _IF.search(line)
            if mark is None:
                lines.append(line)
            elif bool(given.intersection(mark.group(2).split("|"))) == (mark.group(1) == "if"):
                lines.append(line[:mark.start()].rstrip() + ("  # @sort" if mark.group(3) else ""))
        return "\n".join(lines) + "\n"

    def substitutions(self, values: Mapping[str, str], *, iris: Iris,
                      existing: Callable[[set[str]], set[str]] | None = None) -> dict[str, Term]:
        """Turn text values (from the CLI or a URL) into RDF terms for this query's parameters."""
        known = {p.name: p for p in self.params}
        for name in values:
            if name not in known:
                raise ConfigError(f"{self.name} has no parameter {name!r}; it takes "
                                  f"{', '.join(known) or 'no parameters'}")
        missing = [p.name for p in self.params if p.required and not values.get(p.name)]
        if missing:
            raise ConfigError(f"{self.name} needs {', '.join(missing)}")
        return {name: to_term(known[name], text, iris=iris, existing=existing)
                for name, text in values.items() if text != ""}


def to_term(param: Param, text: str, *, iris: Iris,
            existing: Callable[[set[str]], set[str]] | None = None) -> Term:
    """The RDF term a parameter's text stands for; ConfigError naming the parameter otherwise."""
    if param.kind == "date":
        literal = typed_literal(text, "http://www.w3.org/2001/XMLSchema#date")
        if literal is None or literal.datatype.value.endswith("dateTime"):
            raise ConfigError(f"{param.name}: expected a date YYYY-MM-DD, got {text!r}")
        return literal
    if param.kind == "string":
        return Literal(text)
    if param.kind == "decimal":
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ConfigError(f"{param.name}: expected a number such as 0.8, got {text!r}")
        return Literal(text, datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    if param.kind == "flag":
        if text != "true":
            raise ConfigError(f"{param.name}: a flag is given as true (leave it out for false), got {text!r}")
        return Literal(True)
    vocab = vocabulary()
    if param.kind in CONCEPT_KINDS:
        allowed = CONCEPT_KINDS[param.kind]
        concept = vocab.concepts.get(text)
        if concept is None or concept.rsplit("#", 1)[-1] not in allowed:
            raise ConfigError(f"{param.name}: expected {', '.join(allowed[:-1])} or {allowed[-1]}, got {text!r}")
        return NamedNode(concept)
    kinds = ANY_KIND if param.kind == "any" else (param.kind,)
    try:
        resolved = resolve_reference(text, iris, vocab, kinds, {})
    except ValueError as exc:
        raise ConfigError(f"{param.name}: {exc}") from None
    if isinstance(resolved, NamedNode):
        return resolved
    if len(resolved) == 1:
        return NamedNode(resolved[0])
    found = sorted((existing or (lambda c: set()))(set(resolved)))
    if len(found) == 1:
        return NamedNode(found[0])
    if not found:
        raise NotFound(f"{param.name}: nothing with id {text!r} in the store")
    raise ConfigError(f"{param.name}: {text!r} is ambiguous; write one of "
                      + ", ".join(f[len(iris.base):] for f in found))


def _parse(path: Path) -> NamedQuery:
    text = path.read_text(encoding="utf-8")
    comments = []
    params = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _PARAM.match(line)
        if match:
            name, kind, required, description = match.groups()
            if kind not in VALUE_KINDS:
                raise ValueError(f"{path.name}: unknown parameter kind {kind!r}")
            params.append(Param(name, kind, bool(required), description.strip()))
        else:
            comments.append(line.lstrip("#").strip())
    names = {p.name for p in params}
    for line in text.splitlines():
        mark = _IF.search(line)
        unknown = [name for name in mark.group(2).split("|") if name not in names] if mark else []
        if unknown:
            raise ValueError(f"{path.name}: '# @{mark.group(1)} {mark.group(2)}' names no parameter "
                             f"{unknown[0]!r} of the query")
    title = comments[0] if comments else path.stem
    return NamedQuery(path.stem, title, " ".join(comments[1:]), tuple(params), text)


@lru_cache(maxsize=1)
def named_queries() -> dict[str, NamedQuery]:
    """Every named query, by name."""
    return {path.stem: _parse(path) for path in sorted(QUERY_DIR.glob("*.rq"))}


def named_query(name: str) -> NamedQuery:
    """One named query; NotFound lists the names there are."""
    try:
        return named_queries()[name]
    except KeyError:
        raise NotFound(f"no named query {name!r}; there are: {', '.join(named_queries())}") from None
