"""Checks on a public SPARQL query before the engine sees it.

``/sparql`` takes queries from anyone, so each is measured first and refused with
:class:`~kg.errors.QueryRefused` (a message naming what was refused) when it asks for what the
endpoint does not do or for more than the engine survives:

* no SPARQL Update (``INSERT``, ``DELETE``, ``DROP``, ``CLEAR``, ``CREATE``, ``ADD``, ``MOVE``,
  ``COPY``, ``WITH``) and no ``LOAD``: the endpoint is read-only (SPARQL 1.1 Protocol §2.2 is not
  offered);
* no ``SERVICE`` (SPARQL 1.1 Federated Query): the server never makes outbound requests on a
  client's behalf;
* limits on size and shape, below what the engine was measured to survive.

What was measured (``oxigraph serve`` 0.5.13, the engine behind every store): the server aborts
— taking every query in flight with it — at about 550 nested ``{``, 1,150 nested parentheses,
650 ``OPTIONAL``, ``MINUS`` or ``BIND`` in a row, 1,600 ``UNION``, 1,700 ``+`` in one
expression; and its query planner, which its timeout does not interrupt, spends time cubic in
the number of triple patterns joined together (100 patterns 0.7 s, 150: 3.5 s, 200: 11 s,
300: a core for 40 s after the client has gone). Hence:

==================  ========  ================================================================
limit               value     counts
==================  ========  ================================================================
MAX_QUERY_BYTES     100,000   the query's UTF-8 bytes
MAX_DEPTH           100       nesting of ``{}``, ``()`` and ``[]``
MAX_PATTERNS        150       groups ``{``, blank-node brackets ``[``, the ``.`` ``;`` ``,``
                              between triple patterns and the ``/`` of sequence paths
                              (roughly: the triple patterns)
MAX_OPERATORS       500       ``(``, operators (``+ - * / | ^ ! = < > && ||``…), and the
                              keywords OPTIONAL MINUS UNION FILTER BIND VALUES GRAPH EXISTS
MAX_IRI_LENGTH      1,000     characters of one ``<…>``
==================  ========  ================================================================

The data rows of a ``VALUES`` block are not counted (use ``VALUES`` or ``IN`` for long lists of
alternatives). The checks read the query with :func:`kg.sparql.tokens`, a lexer rather than a
parser; ``<`` is read as an IRI wherever one can be read, and a long ``<…>`` could hide
operators from the count, hence :data:`MAX_IRI_LENGTH` (parentheses inside one are counted in
the depth). The engine's supervisor (:mod:`kg.engine`) remains the last line: a query that
still crashes the engine costs a restart, not the server.

>>> check_query("PREFIX pk: <https://w3id.org/policykg/ontology#> SELECT * { ?s a pk:Statement }")
'SELECT'
>>> check_query("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
kg.errors.QueryRefused: SERVICE is refused: this server makes no requests to other services
"""

from __future__ import annotations

from kg.errors import QueryError, QueryRefused
from kg.sparql import query_form, tokens

__all__ = [
    "MAX_DEPTH",
    "MAX_IRI_LENGTH",
    "MAX_OPERATORS",
    "MAX_PATTERNS",
    "MAX_QUERY_BYTES",
    "check_query",
]

MAX_QUERY_BYTES = 100_000
"""Longest query accepted, in UTF-8 bytes."""

MAX_DEPTH = 100
"""Deepest nesting of braces, parentheses and brackets accepted."""

MAX_PATTERNS = 150
"""Most groups, blank-node brackets and triple-pattern separators accepted."""

MAX_OPERATORS = 500
"""Most parentheses, operators and graph-pattern keywords accepted."""

MAX_IRI_LENGTH = 1_000
"""Longest IRI (between ``<`` and ``>``) accepted, in characters."""

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "DROP", "CLEAR", "CREATE", "ADD", "MOVE", "COPY", "WITH"})
PATTERN_KEYWORDS = frozenset({"OPTIONAL", "MINUS", "UNION", "FILTER", "BIND", "VALUES", "GRAPH", "EXISTS"})
_OPENERS = {"{": "}", "(": ")", "[": "]"}


def check_query(query: str) -> str | None:
    """Refuse ``query`` (:class:`~kg.errors.QueryRefused`) if a public endpoint must not run it.

    Returns the query form (``SELECT``, ``CONSTRUCT``, ``ASK``, ``DESCRIBE``), or None when no
    form can be found: the engine's parser then says what is wrong with the query.

    >>> check_query("DROP ALL")
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefused: DROP is refused: SPARQL Update is not accepted, this endpoint is read-only
    >>> check_query("SELECT * " + "{" * 101 + "}" * 101)
    Traceback (most recent call last):
    ...
    kg.errors.QueryRefused: the query nests braces, parentheses or brackets more than 100 deep (at character 109)
    """
    size = len(query.encode("utf-8", "surrogatepass"))
    if size > MAX_QUERY_BYTES:
        raise QueryRefused(
            f"the query is {size:,} bytes long; the limit is {MAX_QUERY_BYTES:,} bytes"
        )
    stack: list[str] = []  # open groups; "v" marks the data block of a VALUES
    values_pending = False
    patterns = operators = 0
    for token in tokens(query):
        in_values = "v" in stack
        if token.kind == "keyword":
            _refuse_keyword(token.text)
            if token.text == "VALUES":
                values_pending = True
            if token.text in PATTERN_KEYWORDS:
                operators += 1
        elif token.kind == "iri":
            if len(token.text) - 2 > MAX_IRI_LENGTH:
                raise QueryRefused(
                    f"the query has an IRI of {len(token.text) - 2:,} characters (at character "
                    f"{token.position}); the limit is {MAX_IRI_LENGTH:,}"
                )
            if len(stack) + _inner_depth(token.text) > MAX_DEPTH:
                raise _too_deep(token.position)
        elif token.text in _OPENERS:
            if token.text == "{" and values_pending:
                stack.append("v")
                values_pending = False
            else:
                stack.append(token.text)
            if len(stack) > MAX_DEPTH:
                raise _too_deep(token.position)
            if not in_values:
                patterns += token.text in "{["
                operators += token.text == "("
        elif token.text in ("}", ")", "]"):
            if stack:
                stack.pop()
        elif not in_values:
            if token.kind == "separator":
                patterns += not stack or stack[-1] in "{["
            elif token.kind == "operator":
                operators += 1
                # a step of a sequence path is a join, planned like a triple pattern
                patterns += token.text == "/" and (not stack or stack[-1] in "{[")
        if patterns > MAX_PATTERNS:
            raise QueryRefused(
                f"the query has more than {MAX_PATTERNS} triple patterns, groups and blank-node "
                "brackets: the engine's planner would take too long over it"
            )
        if operators > MAX_OPERATORS:
            raise QueryRefused(
                f"the query has more than {MAX_OPERATORS} parentheses, operators and OPTIONAL, "
                "MINUS, UNION, FILTER, BIND, VALUES, GRAPH or EXISTS clauses: a chain that long "
                "can crash the engine (write long lists of alternatives as VALUES or IN)"
            )
    try:
        return query_form(query)
    except QueryError:
        return None


def _refuse_keyword(word: str) -> None:
    if word == "SERVICE":
        raise QueryRefused("SERVICE is refused: this server makes no requests to other services")
    if word == "LOAD":
        raise QueryRefused("LOAD is refused: this server fetches no URLs and this endpoint is read-only")
    if word in UPDATE_KEYWORDS:
        raise QueryRefused(f"{word} is refused: SPARQL Update is not accepted, this endpoint is read-only")


def _inner_depth(iri: str) -> int:
    """How deep parentheses and brackets nest inside the text of an IRI (they may not be one)."""
    depth = deepest = 0
    for ch in iri:
        if ch in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]":
            depth -= 1
    return deepest


def _too_deep(position: int) -> QueryRefused:
    return QueryRefused(
        f"the query nests braces, parentheses or brackets more than {MAX_DEPTH} deep "
        f"(at character {position})"
    )
