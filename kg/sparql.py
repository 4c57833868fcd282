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

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.errors import ConfigError, QueryError

Term = NamedNode | Literal | BlankNode
VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Tokens that may contain braces and must be skipped: comments, IRIs, strings (long ones first).
_SKIP = re.compile(
    r"""\#[^\n]*|<[^<>"{}|^`\\\s]*>|'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""",
    re.DOTALL,
)
_WORD = re.compile(r"[A-Za-z]+")


def _braces(query: str) -> list[tuple[int, str]]:
    """Positions of '{' and '}' and of keywords outside comments, IRIs and strings."""
    tokens: list[tuple[int, str]] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch in "#<'\"":
            match = _SKIP.match(query, i)
            if match and match.end() > i:
                i = match.end()
                continue
        if ch in "{}":
            tokens.append((i, ch))
        elif ch.isalpha() and (i == 0 or not (query[i - 1].isalnum() or query[i - 1] in "?$:_")):
            word = _WORD.match(query, i)
            assert word is not None
            tokens.append((i, word.group().upper()))
            i = word.end()
            continue
        i += 1
    return tokens


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
    names = list(substitutions)
    for name in names:
        if not VARIABLE.match(name):
            raise ConfigError(f"{name!r} is not a SPARQL variable name")
        if not isinstance(substitutions[name], (NamedNode, Literal, BlankNode)):
            raise ConfigError(f"the value of {name!r} must be an RDF term, got {substitutions[name]!r}")
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(str(substitutions[n]) for n in names)
    at = where_group_start(query)
    return f"{query[:at]} VALUES ({head}) {{ ({row}) }}\n{query[at:]}"
