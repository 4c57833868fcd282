"""Binding values to SPARQL variables without formatting text into queries.

Engines spoken to over the SPARQL 1.1 Protocol take no separate bindings, so a binding travels
as an inline ``VALUES`` block (SPARQL 1.1 Query §10.2, "VALUES: Providing inline data") placed
first in the query's WHERE group. Each value is an RDF term serialised by pyoxigraph, which
checks IRIs and escapes literals: a value can never become query syntax.

Placed first in the group, the block joins with the patterns after it and is visible to the
group's FILTERs (§18.2.2.6: filters apply to the whole group), so a named query can write an
optional filter as ``FILTER(!BOUND(?p) || …)``. A variable bound here and also bound by an
OPTIONAL keeps its bound value (left-join compatibility), so filter on optional fields with
``EXISTS`` as the named queries do.

>>> from pyoxigraph import NamedNode, Literal
>>> print(bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": Literal('say "hi"')}))
SELECT ?s WHERE { VALUES (?o) { ("say \\"hi\\"") }
 ?s ?p ?o }
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.errors import ConfigError, QueryError

Term = NamedNode | Literal | BlankNode
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# One token of SPARQL's lexical grammar (SPARQL 1.1 Query §19.8), as far as the checks here need:
# what is skipped (white space, comments, strings, language tags, variables, blank node labels,
# prefixed names, numbers) can never hide a brace, a keyword or an operator from the checks.
_LOCAL = r"(?:[\w\-:%]|\\.|\.(?=[\w\-:%\\]))*"  # PN_LOCAL: may hold '.', but never ends with one
_TOKEN = re.compile(
    rf"""
    (?P<skip>
        \s+
      | \#[^\n]*                                                 # comment
      | '''(?:[^'\\]|\\.|'(?!''))*''' | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"   # long strings
      | '(?:[^'\\\n]|\\.)*' | "(?:[^"\\\n]|\\.)*"                # strings
      | @[A-Za-z]+(?:-[A-Za-z0-9]+)*                             # language tag
      | \^\^                                                     # datatype marker
      | [?$]\w*                                                  # variable
      | _:(?:[\w\-]|\.(?=[\w\-]))*                               # blank node label
      | (?:[^\W\d][\w\-]*(?:\.+[\w\-]+)*)?:{_LOCAL}              # prefixed name
      | \d+(?:\.\d+)?(?:[eE][+-]?\d+)?                           # number
    )
  | (?P<iri><[^<>"{{}}|^`\\\s]*>)
  | (?P<keyword>[^\W\d_]+)
  | (?P<group>[{{}}()\[\]])
  | (?P<separator>[.;,])
  | (?P<operator>\|\||&&|!=|<=|>=|[=<>+\-*/|^!])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


class Token(NamedTuple):
    """A token that can change a query's structure: ``kind`` is ``keyword`` (``text`` upper-cased),
    ``group`` (one of ``{}()[]``), ``separator`` (``.;,``), ``operator`` or ``iri`` (``<…>``)."""

    position: int
    kind: str
    text: str


def tokens(query: str) -> list[Token]:
    """The structural tokens of ``query``, skipping comments, strings, names and numbers.

    A lexer, not a parser: ``<`` starts an IRI when an IRI can be read there, as in SPARQL's own
    grammar; otherwise it is the operator.

    >>> [t.text for t in tokens('SELECT ?s { ?s ex:a-select "}" . FILTER(?s != <x#a>) } # {')]
    ['SELECT', '{', '.', 'FILTER', '(', '!=', '<x#a>', ')', '}']
    """
    found = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind in ("skip", "other"):
            continue
        assert kind is not None
        text = match.group()
        found.append(Token(match.start(), kind, text.upper() if kind == "keyword" else text))
    return found


def _braces(query: str) -> list[tuple[int, str]]:
    """Positions of '{' and '}' and of keywords outside comments, IRIs and strings."""
    return [(t.position, t.text) for t in tokens(query)
            if t.kind == "keyword" or t.text in ("{", "}")]


def query_form(query: str) -> str:
    """SELECT, CONSTRUCT, ASK or DESCRIBE: the query's form (UPDATE for an update request).

    >>> query_form("PREFIX ex: <http://e/select#> ask { ?s ?p ?o }")
    'ASK'
    """
    for _, token in _braces(query):
        if token in ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE"):
            return token
        if token in ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"):
            return "UPDATE"
    raise QueryError("not a SPARQL query: expected SELECT, CONSTRUCT, ASK or DESCRIBE")


def where_group_start(query: str) -> int:
    """The index just after the '{' that opens the query's WHERE group."""
    tokens = _braces(query)
    words = [t for _, t in tokens]
    if "CONSTRUCT" in words and words.index("CONSTRUCT") < len(words) - 1:
        after = words.index("CONSTRUCT") + 1
        if words[after] == "{":  # skip the template unless it is the short form CONSTRUCT WHERE
            depth = 0
            for k in range(after, len(tokens)):
                depth += {"{": 1, "}": -1}.get(tokens[k][1], 0)
                if depth == 0:
                    tokens = tokens[k + 1:]
                    break
    for position, token in tokens:
        if token == "{":
            return position + 1
    raise QueryError("the query has no WHERE group to bind values in")


def bind(query: str, substitutions: Mapping[str, Term] | None) -> str:
    """``query`` with ``substitutions`` (variable name → RDF term) bound by an inline VALUES block."""
    if not substitutions:
        return query
    return bind_rows(query, list(substitutions), [list(substitutions.values())])


def bind_rows(query: str, names: list[str], rows: list[list[Term]]) -> str:
    """``query`` with the variables ``names`` bound to several rows of terms (one solution each).

    >>> print(bind_rows("SELECT ?s { ?s ?p ?o }", ["s"], [[NamedNode("http://e/a")], [NamedNode("http://e/b")]]))
    SELECT ?s { VALUES (?s) { (<http://e/a>) (<http://e/b>) }
     ?s ?p ?o }
    """
    for name in names:
        if not VARIABLE.match(name):
            raise ConfigError(f"{name!r} is not a SPARQL variable name")
    for row in rows:
        for name, term in zip(names, row, strict=True):
            if not isinstance(term, (NamedNode, Literal, BlankNode)):
                raise ConfigError(f"the value of {name!r} must be an RDF term, got {term!r}")
    head = " ".join(f"?{n}" for n in names)
    body = " ".join("(" + " ".join(str(term) for term in row) + ")" for row in rows)
    at = where_group_start(query)
    return f"{query[:at]} VALUES ({head}) {{ {body} }}\n{query[at:]}"
