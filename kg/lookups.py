"""REST lookups: actors, statements, positions, resolutions, sources and timelines as plain JSON.

Each lookup is a function over a :class:`~kg.store.Store` that returns dicts and lists ready for
``json.dumps``; the web layer (``api/routes/rest.py``) only adds URLs. The SPARQL is in named
queries (``kg/queries/rest_*.rq``), run with bound parameters — the text a client sends is an RDF
term in a ``VALUES`` block (:func:`kg.store.bind`), never query syntax.

A list answers ``{"items": [...], "total": N, "query": SPARQL}``:

- the ``rest_*`` query picks the items' IRIs in order, one row per item: it groups by the item
  (``GROUP BY``), or selects ``DISTINCT`` rows where an item has one sort key, so an item that
  several source graphs describe — the default graph is their union — is counted once. Sort
  keys are bound to variables (``BIND``), not computed in ``ORDER BY``, and retracted items are
  taken out with ``MINUS``: the engine evaluates a sort expression again at every comparison and
  a ``FILTER NOT EXISTS`` once per row: the page of the busiest actor's timeline at a million
  statements (118,931 items) took 14.4 s before and 4.4 s after (pyoxigraph on the store opened
  read-only, one query at a time; ``python -m benchmarks.listings`` times them through ``kg``);
- ``total`` is that query, bound, wrapped as a subquery: ``SELECT (COUNT(*) AS ?total) WHERE {
  { … } }`` (bound *before* wrapping, so the values are visible inside), without the lines that
  only bind sort keys (marked ``# @sort``): the busiest actor's positions count at a million
  statements took 0.98 s with them and 0.16 s without. (The timeline keeps its date's
  ``OPTIONAL`` in the count: without it Virtuoso did not finish the count of the bundled data's
  timeline in 10 s.);
- the page is the same bound query with ``LIMIT``/``OFFSET`` appended, and ``query`` is its text:
  run at ``/sparql`` it gives the page's IRIs in the page's order;
- the items are then described (``rest_describe.rq``: every distinct triple about them) and the
  entities they refer to named (``rest_labels.rq``), a fixed number of queries per page.

Items use the JSON-LD context's keys (:func:`kg.entries.vocabulary`): ``id`` is the IRI, a
reference is ``{"id", "label"}``, a concept (stance, datePrecision, adoptionMethod, status,
sponsorCountQualifier) is its local name (``"opposes"``), a date its lexical form
(``"2024-07-01"``), counts are ints and booleans bools. A key the shapes allow several values of
is always a list (:data:`SINGLE` lists the others).

>>> with Store() as store:
...     search_actors(store, q="nobody")["total"]
0
"""

from __future__ import annotations

import decimal
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from kg.entries import vocabulary
from kg.errors import ConfigError, NotFound
from kg.iris import SLUG, Iris
from kg.queries import IRI_KINDS, NamedQuery, Param, named_query, to_term
from kg.sparql import Term, bind_rows, tokens
from kg.store import Store, bind

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "SINGLE",
    "Curation",
    "actor_positions",
    "actor_statements",
    "get_actor",
    "get_resolution",
    "get_source",
    "get_statement",
    "list_positions",
    "list_resolutions",
    "list_sources",
    "list_statements",
    "position_changes",
    "position_contradictions",
    "position_history",
    "search_actors",
    "statement_iri",
    "timeline",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000
"""Largest offset taken (the engine refuses one past 2^64 with a parser error)."""

PK = "https://w3id.org/policykg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
ACTOR_CLASSES = {PK + name for name in (
    "Actor", "Person", "Organization", "State", "GovernmentBody", "InternationalOrganization",
    "NewsOrganization", "Group",
)}
_INTEGERS = {XSD + name for name in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte",
)}
_NUMBERS = {XSD + "decimal", XSD + "double", XSD + "float"}
_HEX16 = re.compile(r"^[0-9a-f]{16}$")

#: Keys with one value (the shapes' ``sh:maxCount 1``, and the meta graph's record of a source).
#: ``label`` and ``title`` are names shown to people: one string, English preferred. Every
#: other key — ``about``, ``evidence``, ``quote``, ``onBehalfOf``, ``sponsor``, ``type``, … and
#: any key the context does not know — can hold several values and is always a list.
SINGLE = frozenset({
    "label", "title",
    "speaker", "date", "datePrecision", "source",
    "partOf", "operativeVerb",
    "holder", "stance", "target", "since", "until",
    "symbol", "adoptedOn", "adoptionMethod", "sponsorCount", "sponsorCountQualifier", "binding",
    "status", "announcedOn",
    "memberCount",
    "member", "organization", "role", "startDate", "endDate",
    "issued", "url",
    "curationStatus", "attributionConfidence", "contentHash", "syndicationOf", "reportOf", "retractedOn",
    "graph", "graphOf", "recordedAt", "loadedFrom", "checksum", "tripleCount",
})
# The order keys are written in (then the context's other keys in its order, then the rest).
_KEY_ORDER = (
    "id", "type", "label", "altLabel", "symbol", "title", "sameAs", "subOrganizationOf",
    "memberCount", "member", "organization", "role", "startDate", "endDate",
    "speaker", "onBehalfOf", "holder", "stance", "target", "date", "since", "until", "datePrecision",
    "quote", "paraphrase", "demandedAction", "operativeVerb", "partOf", "about", "occasion",
    "addressee", "evidence", "adoptedBy", "adoptedOn", "adoptionMethod", "leadSponsor", "sponsor",
    "sponsorCount", "sponsorCountQualifier", "binding", "status", "issuedBy", "announcedOn",
    "affects", "proposedBy", "location", "participant", "publisher", "issued", "url", "archivedAt",
    "contentHash", "syndicationOf", "source", "curationStatus", "attributionConfidence", "correctedBy",
)
# Parameters are named in errors as the URL names them.
_URL_NAMES = {"onBehalfOf": "on_behalf_of", "adoptedBy": "adopted_by", "curationStatus": "curation_status",
              "minConfidence": "min_confidence", "includeRetracted": "include_retracted"}
# What an embedded statement or position shows (a summary; its own lookup has the rest).
_SUMMARY = {
    PK + "Statement": ("speaker", "onBehalfOf", "date", "datePrecision", "quote", "paraphrase", "source"),
    PK + "Position": ("holder", "stance", "target", "since", "until", "datePrecision"),
}


@dataclass(frozen=True)
class Curation:
    """Which statements and positions a lookup shows: only those with one of ``status``
    (draft, reviewed, disputed; any when empty), only those whose attribution confidence is at
    least ``min_confidence`` (0 to 1; those without one are left out), and retracted ones only
    with ``include_retracted`` (a statement or position is retracted when it has
    ``pk:retractedOn``, or every source reporting it has).

    >>> Curation(status=("reviewed",), min_confidence=0.5).values()["minConfidence"]
    '0.5'
    """

    status: Sequence[str] = ()
    min_confidence: float | str | None = None
    include_retracted: bool = False

    def values(self) -> dict[str, Any]:
        """The named queries' parameters (``curationStatus``, ``minConfidence``, ``includeRetracted``)."""
        confidence = None
        if self.min_confidence is not None and self.min_confidence != "":
            try:
                number = decimal.Decimal(str(self.min_confidence))
            except decimal.InvalidOperation:
                number = None
            if number is None or not number.is_finite() or not 0 <= number <= 1:
                raise ConfigError(f"min_confidence: expected a number from 0 to 1, got {self.min_confidence!r}")
            confidence = format(number, "f")
        statuses = [part.strip() for value in self.status for part in value.split(",") if part.strip()]
        return {"curationStatus": statuses or None, "minConfidence": confidence,
                "includeRetracted": "true" if self.include_retracted else None}


# --- lists --------------------------------------------------------------------------------------


def search_actors(store: Store, q: str | None = None, *, limit: int = DEFAULT_LIMIT,
                  offset: int = 0) -> dict[str, Any]:
    """Actors by name; with ``q``, those whose label or altLabel contains it (any case)."""
    return _list(store, "rest_actors", {"q": q}, limit=limit, offset=offset)


def list_statements(store: Store, *, speaker: str | None = None, on_behalf_of: str | None = None,
                    about: str | None = None, source: str | None = None, actor: str | None = None,
                    from_: str | None = None, to: str | None = None, q: str | None = None,
                    curation: Curation = Curation(), limit: int = DEFAULT_LIMIT,
                    offset: int = 0) -> dict[str, Any]:
    """Statements in date order (undated last); every filter given must hold. Dates are
    inclusive (``YYYY-MM-DD``); ``q`` is text the quote or paraphrase contains (any case)."""
    values = {"speaker": speaker, "onBehalfOf": on_behalf_of, "actor": actor, "about": about,
              "source": source, "from": from_, "to": to, "q": q, **curation.values()}
    return _list(store, "rest_statements", values, limit=limit, offset=offset, embed=("evidence",))


def actor_statements(store: Store, slug: str, *, about: str | None = None, from_: str | None = None,
                     to: str | None = None, q: str | None = None, curation: Curation = Curation(),
                     limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """The statements an actor made or that were made on its behalf."""
    iri = _actor_iri(store, slug)
    return list_statements(store, actor=iri, about=about, from_=from_, to=to, q=q, curation=curation,
                           limit=limit, offset=offset)


def list_positions(store: Store, *, holder: str | None = None, target: str | None = None,
                   stance: str | None = None, source: str | None = None, curation: Curation = Curation(),
                   limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """Positions by holder and target, each with its evidence (statement summaries)."""
    values = {"holder": holder, "target": target, "stance": stance, "source": source, **curation.values()}
    return _list(store, "rest_positions", values, limit=limit, offset=offset, embed=("evidence",))


def actor_positions(store: Store, slug: str, *, target: str | None = None, stance: str | None = None,
                    curation: Curation = Curation(), limit: int = DEFAULT_LIMIT,
                    offset: int = 0) -> dict[str, Any]:
    """The positions an actor holds."""
    iri = _actor_iri(store, slug)
    return list_positions(store, holder=iri, target=target, stance=stance, curation=curation,
                          limit=limit, offset=offset)


def list_resolutions(store: Store, *, about: str | None = None, adopted_by: str | None = None,
                     limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """Resolutions by adoption date (not adopted last), then symbol."""
    return _list(store, "rest_resolutions", {"about": about, "adoptedBy": adopted_by},
                 limit=limit, offset=offset)


def list_sources(store: Store, *, limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """Sources by publication date, with the record of their loading."""
    page = _list(store, "rest_sources", {}, limit=limit, offset=offset)
    records = _source_records(store, [item["id"] for item in page["items"]])
    for item in page["items"]:
        item.update(records.get(item["id"], {}))
    return page


def timeline(store: Store, *, actor: str | None = None, about: str | None = None,
             curation: Curation = Curation(), limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """Statements (by ``date``) and positions (by ``since``) in date order, undated last: those
    of ``actor`` (speaker, on whose behalf, holder) and/or about ``about`` (about, target)."""
    if not actor and not about:
        raise ConfigError("timeline needs actor or about (or both)")
    return _list(store, "rest_timeline", {"actor": actor, "about": about, **curation.values()},
                 limit=limit, offset=offset, embed=("evidence",))


# --- positions over time (issue 7 §2) -----------------------------------------------------------


def position_history(store: Store, *, holder: str | None, target: str | None,
                     limit: int = DEFAULT_LIMIT, offset: int = 0) -> dict[str, Any]:
    """The positions ``holder`` holds toward ``target`` in valid-time order, each with its
    evidence and where it starts: ``validFrom``, from ``validFromBasis`` ``"since"`` (its
    pk:since) or ``"evidence"`` (the earliest date of its evidence); both null for neither."""
    _required(holder=holder, target=target)
    page = _list(store, "rest_position_history", {"holder": holder, "target": target},
                 limit=limit, offset=offset, embed=("evidence",))
    for item in page["items"]:
        item.update(_valid_from(item))
    return page


def position_changes(store: Store, *, holder: str | None, target: str | None = None,
                     since: str | None = None, limit: int = DEFAULT_LIMIT,
                     offset: int = 0) -> dict[str, Any]:
    """Every shift of ``holder``'s stance between consecutive positions on the same target
    (``rest_position_changes.rq`` says which count), in date order: ``from`` and ``to`` (the
    stances), ``date`` (when the later position starts), ``before`` and ``after`` (the two
    positions, with their evidence, as :func:`position_history` gives them)."""
    _required(holder=holder)
    rows, total, query = _rows(store, "rest_position_changes",
                               {"holder": holder, "target": target, "since": since}, limit=limit, offset=offset)
    iris = list(dict.fromkeys(row[key].value for row in rows for key in ("earlier", "later")))
    positions = dict(zip(iris, _Reader(store).items(iris, embed=("evidence",)), strict=True))
    for position in positions.values():
        position.update(_valid_from(position))
    items = []
    for row in rows:
        before, after = positions[row["earlier"].value], positions[row["later"].value]
        items.append({"holder": after["holder"], "target": after["target"], "date": row["date"].value,
                      "from": before["stance"], "to": after["stance"], "before": before, "after": after})
    return {"items": items, "total": total, "query": query}


def position_contradictions(store: Store, *, holder: str | None, target: str | None = None,
                            since: str | None = None, limit: int = DEFAULT_LIMIT,
                            offset: int = 0) -> dict[str, Any]:
    """Pairs of ``holder``'s statements that contradict each other on the same target (the rule
    is ``rest_position_contradictions.rq``'s): ``supporting`` and ``opposing`` (statement
    summaries, each with ``evidenceFor``, the position it shows) and ``date`` (the later day)."""
    _required(holder=holder)
    rows, total, query = _rows(store, "rest_position_contradictions",
                               {"holder": holder, "target": target, "since": since}, limit=limit, offset=offset)
    keys = ("supporting", "opposing", "supportingPosition", "opposingPosition")
    iris = list(dict.fromkeys(row[key].value for row in rows for key in keys))
    summaries = dict(zip(iris, _Reader(store).summaries(iris), strict=True))
    items = []
    for row in rows:
        position = summaries[row["supportingPosition"].value]
        items.append({
            "holder": position["holder"], "target": position["target"],
            "date": row["date"].value if "date" in row else None,
            **{side: {**summaries[row[side].value], "evidenceFor": summaries[row[side + "Position"].value]}
               for side in ("supporting", "opposing")},
        })
    return {"items": items, "total": total, "query": query}


def _required(**values: str | None) -> None:
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise ConfigError(f"{', '.join(missing)}: required (a slug or an IRI)")


def _valid_from(position: Mapping[str, Any]) -> dict[str, Any]:
    """Where a position starts in valid time: its ``since``, else its evidence's earliest day."""
    if position.get("since"):
        return {"validFrom": position["since"], "validFromBasis": "since"}
    days = [str(e["date"])[:10] for e in position.get("evidence", []) if isinstance(e, dict) and e.get("date")]
    return {"validFrom": min(days, default=None), "validFromBasis": "evidence" if days else None}


# --- single resources ---------------------------------------------------------------------------


def get_actor(store: Store, slug: str) -> dict[str, Any]:
    """An actor with its roles over time: ``memberships`` (its own: organization, role,
    startDate, endDate, datePrecision) and ``members`` (memberships in it), and how many
    statements it made or were made for it (``statementCount``) and positions it holds
    (``positionCount``)."""
    iri = _entity_iri(store, "actor", slug)
    reader = _Reader(store)
    actor = _one(reader, iri, ACTOR_CLASSES, f"no actor {slug!r}")
    own, _, _ = _ids(store, "rest_memberships", {"member": iri}, limit=MAX_LIMIT)
    members, _, _ = _ids(store, "rest_memberships", {"organization": iri}, limit=MAX_LIMIT)
    built = dict(zip(own + members, reader.items(own + members), strict=True))
    actor["memberships"] = [built[m] for m in own]
    actor["members"] = [built[m] for m in members]
    actor["statementCount"] = _count(store, "rest_statements", {"actor": iri})
    actor["positionCount"] = _count(store, "rest_positions", {"holder": iri})
    return actor


def get_statement(store: Store, slug: str) -> dict[str, Any]:
    """A statement (``slug``: the 16 hex digits of its IRI) and the positions that cite it as
    evidence (``evidenceFor``)."""
    iri = statement_iri(store.iris, slug)
    reader = _Reader(store)
    statement = _one(reader, iri, {PK + "Statement"}, f"no statement {slug!r}")
    positions, _, _ = _ids(store, "rest_positions", {"evidence": iri}, limit=MAX_LIMIT)
    statement["evidenceFor"] = reader.summaries(positions)
    return statement


def statement_iri(iris: Iris, ref: str) -> str:
    """The IRI a statement reference names: the 16 hex digits ending the IRI, ``statement/``
    and those digits, or the IRI itself (under the store's base); NotFound for anything else.
    Whether the statement exists is not checked here.

    >>> statement_iri(Iris(), "statement/9e23eafbad935b76")
    'https://w3id.org/policykg/id/statement/9e23eafbad935b76'
    """
    prefix = iris.entity("statement", "")
    digits = ref[len(prefix):] if ref.startswith(prefix) else ref.removeprefix("statement/")
    if not _HEX16.fullmatch(digits):
        raise NotFound(f"no statement {ref!r}: a statement is named by the 16 hex digits ending its "
                       f"IRI ({prefix}<16 hex digits>), or by that IRI")
    return prefix + digits


def get_resolution(store: Store, slug: str, *, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """A resolution: sponsors, adoption, status, its ``provisions``, and the first ``limit``
    ``statements`` about it and ``positions`` toward it (each a list answer)."""
    iri = _entity_iri(store, "resolution", slug)
    reader = _Reader(store)
    resolution = _one(reader, iri, {PK + "Resolution"}, f"no resolution {slug!r}")
    provisions, _, _ = _ids(store, "rest_provisions", {"partOf": iri}, limit=MAX_LIMIT)
    resolution["provisions"] = reader.items(provisions)
    resolution["statements"] = list_statements(store, about=iri, limit=limit)
    resolution["positions"] = list_positions(store, target=iri, limit=limit)
    return resolution


def get_source(store: Store, slug: str) -> dict[str, Any]:
    """A source: its description, the record of its loading (``graph``, ``recordedAt``,
    ``loadedFrom``, ``checksum``, ``tripleCount``), what its graph asserts (``counts``: distinct
    resources by class) and ``query``, a SPARQL CONSTRUCT of everything it asserts."""
    iri = _entity_iri(store, "source", slug)
    reader = _Reader(store)
    source = _one(reader, iri, {PK + "Source"}, f"no source {slug!r}")
    source.update(_source_records(store, [iri]).get(iri, {}))
    names = _class_names()
    rows = store.select(named_query("rest_source_classes").text, substitutions={"source": NamedNode(iri)})
    source["counts"] = {names.get(row["class"].value, row["class"].value): int(row["count"].value)
                        for row in rows}
    source["query"] = bind(_published(named_query("source_graph"), {"source"}), {"source": NamedNode(iri)})
    return source


# --- the machinery ------------------------------------------------------------------------------


def _list(store: Store, name: str, values: Mapping[str, str | None], *, limit: int, offset: int,
          embed: tuple[str, ...] = ()) -> dict[str, Any]:
    ids, total, query = _ids(store, name, values, limit=limit, offset=offset, count=True)
    return {"items": _Reader(store).items(ids, embed=embed), "total": total, "query": query}


def _ids(store: Store, name: str, values: Mapping[str, str | None], *, limit: int,
         offset: int = 0, count: bool = False) -> tuple[list[str], int | None, str]:
    """The IRIs of one page of a ``rest_*`` query (its first column), the total (when ``count``)
    and the page query's text."""
    total, page = _page_query(store, name, values, limit=limit, offset=offset, count=count)
    if total == 0:
        return [], 0, page
    result = store.query(page)
    column = result.variables[0].value  # type: ignore[union-attr]
    return [row[column].value for row in result], total, page  # type: ignore[union-attr]


def _rows(store: Store, name: str, values: Mapping[str, str | None], *, limit: int,
          offset: int) -> tuple[list[dict[str, Term]], int, str]:
    """The rows of one page of a named query, the total and the page query's text."""
    total, page = _page_query(store, name, values, limit=limit, offset=offset, count=True)
    assert total is not None
    return ([] if total == 0 else store.select(page)), total, page


def _page_query(store: Store, name: str, values: Mapping[str, str | None], *, limit: int,
                offset: int, count: bool) -> tuple[int | None, str]:
    """The total of a named query's rows (when ``count``) and the text of one page of it, bound."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigError(f"limit: must be between 1 and {MAX_LIMIT}, got {limit}")
    if not 0 <= offset <= MAX_OFFSET:
        raise ConfigError(f"offset: must be between 0 and {MAX_OFFSET:,}, got {offset}")
    query = named_query(name)
    substitutions = _substitutions(store, query, values)
    bound = _bind_all(_published(query, substitutions), substitutions)
    total = _count_bound(store, bound) if count else None
    return total, f"{bound}\nLIMIT {int(limit)} OFFSET {int(offset)}\n"


def _count(store: Store, name: str, values: Mapping[str, str | None]) -> int:
    query = named_query(name)
    substitutions = _substitutions(store, query, values)
    return _count_bound(store, _bind_all(_published(query, substitutions), substitutions))


def _published(query: NamedQuery, given: Iterable[str]) -> str:
    """The query's text as answers show it: its header comment (title, description,
    parameters) replaced by one line naming it, so ``policykg query @name`` finds it."""
    lines = query.text_for(given).splitlines()
    body = list(itertools.dropwhile(lambda line: line.startswith("#") or not line.strip(), lines))
    return "\n".join([f"# policykg named query {query.name}: {query.title}", *body]) + "\n"


def _count_bound(store: Store, bound: str) -> int:
    r"""Rows of a bound SELECT: the query wrapped as a subquery (its prologue kept outside),
    without its ``# @sort`` lines and its ORDER BY.

    >>> _SORT_ONLY.sub("", "SELECT ?x {\n  ?x a ?t .\n  OPTIONAL { ?x ?p ?when }  # @sort\n}")
    'SELECT ?x {\n  ?x a ?t .\n}'
    """
    match = re.search(r"^\s*SELECT\b", bound, flags=re.IGNORECASE | re.MULTILINE)
    if match is None:
        raise ConfigError("a listing query must be a SELECT")
    prologue, body = bound[:match.start()], _unordered(_SORT_ONLY.sub("", bound[match.start():]))
    rows = store.select(f"{prologue}SELECT (COUNT(*) AS ?total) WHERE {{\n{{\n{body}\n}}\n}}")
    return int(rows[0]["total"].value)


_SORT_ONLY = re.compile(r"^.*#\s*@sort\s*$\n?", flags=re.MULTILINE)


def _unordered(query: str) -> str:
    """``query`` without its top-level ORDER BY (the last of its solution modifiers here): a
    count does not need the rows sorted."""
    depth, cut = 0, None
    for token in tokens(query):
        depth += {"{": 1, "}": -1}.get(token.text, 0)
        if depth == 0 and token.kind == "keyword" and token.text == "ORDER":
            cut = token.position
    return query[:cut] if cut is not None else query


def _substitutions(store: Store, query: NamedQuery,
                   values: Mapping[str, str | list[str] | None]) -> dict[str, Term | list[Term]]:
    """Parameter text → RDF terms (a list of texts → a list of terms, each a row of the query's
    VALUES block); an entity that is not in the store is :class:`NotFound`."""
    params = {p.name: p for p in query.params}
    terms: dict[str, Term | list[Term]] = {}
    given: dict[str, str] = {}
    for name, text in values.items():
        if text is None or text == "":
            continue
        param = params[name]
        shown = Param(_URL_NAMES.get(name, name), param.kind, param.required, param.description)
        if isinstance(text, list):
            terms[name] = [to_term(shown, one, iris=store.iris, existing=store.existing) for one in text]
            continue
        terms[name] = to_term(shown, text, iris=store.iris, existing=store.existing)
        if param.kind in IRI_KINDS:
            given[name] = text
    if given:
        found = store.existing(terms[name].value for name in given)  # type: ignore[union-attr]
        for name, text in given.items():
            if terms[name].value not in found:  # type: ignore[union-attr]
                raise NotFound(f"{_URL_NAMES.get(name, name)}: nothing with id {text!r} in the store")
    return terms


def _bind_all(sparql: str, substitutions: Mapping[str, Term | list[Term]]) -> str:
    """``sparql`` with its parameters bound: one VALUES row per combination of their values (a
    parameter given several values, e.g. curation statuses, matches any of them)."""
    if not substitutions:
        return sparql
    choices = [value if isinstance(value, list) else [value] for value in substitutions.values()]
    return bind_rows(sparql, list(substitutions), [list(row) for row in itertools.product(*choices)])


def _bind_many(sparql: str, name: str, iris: Iterable[str]) -> str:
    """``sparql`` with ``?name`` bound to several IRIs: one ``VALUES`` row each, placed first
    in the WHERE group like :func:`kg.sparql.bind`; each IRI written by pyoxigraph."""
    return bind_rows(sparql, [name], [[NamedNode(iri)] for iri in iris])


def _entity_iri(store: Store, kind: str, slug: str) -> str:
    if not SLUG.match(slug):
        raise NotFound(f"no {kind} {slug!r}: not a slug (lower-case letters, digits, '-')")
    return store.iris.entity(kind, slug)


def _actor_iri(store: Store, slug: str) -> str:
    """The IRI of the actor ``/actors/{slug}`` names; NotFound unless it is an actor."""
    iri = _entity_iri(store, "actor", slug)
    _described_as(_Reader(store), iri, ACTOR_CLASSES, f"no actor {slug!r}")
    return iri


def _one(reader: _Reader, iri: str, classes: set[str], missing: str) -> dict[str, Any]:
    """The item for ``iri``; NotFound(``missing``) unless it has one of ``classes``."""
    (item,) = reader.items([iri], described=_described_as(reader, iri, classes, missing))
    return item


def _described_as(reader: _Reader, iri: str, classes: set[str], missing: str) -> dict[str, dict[str, list[Term]]]:
    props = reader.describe([iri])
    if not classes & {t.value for t in props.get(iri, {}).get(RDF_TYPE, [])}:
        raise NotFound(missing)
    return props


def _source_records(store: Store, sources: list[str]) -> dict[str, dict[str, Any]]:
    """Source IRI → what the meta graph records about its graph."""
    if not sources:
        return {}
    rows = store.select(_bind_many(named_query("rest_source_record").text, "source", sources))
    records: dict[str, dict[str, Any]] = {}
    for row in rows:
        record = records.setdefault(row["source"].value, {"graph": row["graph"].value})
        for key in ("recordedAt", "loadedFrom", "checksum", "tripleCount"):
            if key in row and key not in record:
                record[key] = _literal(row[key])  # type: ignore[arg-type]
    return records


@lru_cache(maxsize=1)
def _class_names() -> dict[str, str]:
    return {iri: name for name, iri in vocabulary().classes.items()}


@lru_cache(maxsize=1)
def _concept_names() -> dict[str, str]:
    return {iri: name for name, iri in vocabulary().concepts.items()}


@lru_cache(maxsize=1)
def _keys() -> tuple[dict[str, str], dict[str, int], dict[str, str]]:
    """Predicate IRI → key; key → its rank in the context (the order keys are written in);
    key → the term's kind."""
    vocab = vocabulary()
    keys = {term.iri: term.name for term in vocab.terms.values()}
    keys[RDF_TYPE] = "type"
    ranked = list(dict.fromkeys([*_KEY_ORDER, *vocab.terms]))
    order = {name: i for i, name in enumerate(ranked)}
    kinds = {term.name: term.kind for term in vocab.terms.values()}
    return keys, order, kinds


def _key_of(predicate: str) -> str:
    keys, _, _ = _keys()
    return keys.get(predicate) or re.split(r"[#/]", predicate)[-1]


def _literal(term: Literal) -> Any:
    """A literal's JSON value: counts as ints, booleans as bools, the rest (dates too) as text.
    An ill-typed literal (``"many"^^xsd:integer``) stays text."""
    datatype = term.datatype.value
    try:
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype in _NUMBERS:
            return float(term.value)
    except ValueError:
        return term.value
    if datatype == XSD + "boolean" and term.value in ("true", "1", "false", "0"):
        return term.value in ("true", "1")
    return term.value


def _best_text(literals: Iterable[Literal]) -> str | None:
    """One name among several: English first, then untagged, then any; ties by text."""
    ranked = sorted(literals, key=lambda lit: ((lit.language or "").split("-")[0] != "en",
                                               lit.language is not None, lit.value))
    return ranked[0].value if ranked else None


class _Reader:
    """Builds the JSON of one response: describes resources and names what they refer to."""

    def __init__(self, store: Store):
        self.store = store

    def describe(self, iris: Iterable[str]) -> dict[str, dict[str, list[Term]]]:
        """IRI → predicate IRI → its distinct objects, sorted."""
        iris = list(dict.fromkeys(iris))
        described: dict[str, dict[str, list[Term]]] = {}
        if not iris:
            return described
        for row in self.store.select(_bind_many(named_query("rest_describe").text, "s", iris)):
            described.setdefault(row["s"].value, {}).setdefault(row["p"].value, []).append(row["o"])
        for props in described.values():
            for terms in props.values():
                terms.sort(key=lambda t: (type(t).__name__, str(t)))
        return described

    def names(self, iris: Iterable[str]) -> dict[str, str | None]:
        """IRI → its name: rdfs:label, else dcterms:title, skos:prefLabel, pk:symbol."""
        iris = list(dict.fromkeys(iris))
        if not iris:
            return {}
        found: dict[str, dict[str, list[Literal]]] = {}
        for row in self.store.select(_bind_many(named_query("rest_labels").text, "s", iris)):
            columns = found.setdefault(row["s"].value, {})
            for column in ("label", "title", "prefLabel", "symbol"):
                if column in row:
                    columns.setdefault(column, []).append(row[column])  # type: ignore[arg-type]
        names: dict[str, str | None] = {}
        for iri in iris:
            columns = found.get(iri, {})
            names[iri] = next((_best_text(columns[c]) for c in ("label", "title", "prefLabel", "symbol")
                               if columns.get(c)), None)
        return names

    def items(self, iris: list[str], *, embed: tuple[str, ...] = (),
              described: dict[str, dict[str, list[Term]]] | None = None) -> list[dict[str, Any]]:
        """The items for ``iris`` (in that order); the objects of the ``embed`` keys (e.g.
        evidence) are embedded as summaries rather than ``{"id", "label"}``."""
        props = described if described is not None else self.describe(iris)
        inner_iris = [t.value for iri in iris for p, terms in props.get(iri, {}).items()
                      if _key_of(p) in embed for t in terms if isinstance(t, NamedNode)]
        inner = self.describe(inner_iris)
        roles = self.roles_held({**inner, **props})
        names = self.names(self._references(props, iris) | self._references(inner, inner_iris)
                           | {iri for found in roles.values() for row in found for iri in row if iri})
        derived = _derived(roles, names)
        summaries = {iri: self._summary(iri, inner.get(iri, {}), names, derived) for iri in inner_iris}
        built = [self._item(iri, props.get(iri, {}), names, summaries, derived) for iri in iris]
        self._track(built, props)
        return built

    def _track(self, items: list[dict[str, Any]], props: Mapping[str, dict[str, list[Term]]]) -> None:
        """Curation on the statements and positions among ``items``: ``retracted`` (``{"on",
        "reason"}``) when the item has pk:retractedOn or every source reporting it has; on a
        statement, ``source`` is the source that recorded it, ``reports`` every source reporting it
        with that source's own words (its pk:Report's, or the statement's own for the source that
        recorded it) and ``independentOrigins`` how many distinct origins report it: a syndicated
        copy counts as its original, a retracted source not at all."""
        tracked = [item for item in items if {"Statement", "Position"} & set(item.get("type", ()))]
        if not tracked:
            return
        sources_of = {item["id"]: sorted(t.value for t in props.get(item["id"], {}).get(PK + "source", [])
                                         if isinstance(t, NamedNode)) for item in tracked}
        statements = [item["id"] for item in tracked if "Statement" in item["type"]]
        reports: dict[str, list[str]] = {}
        if statements:
            for row in self.store.select(_bind_many(named_query("rest_reports").text, "statement", statements)):
                reports.setdefault(row["statement"].value, []).append(row["report"].value)
        described_reports = self.describe(r for found in reports.values() for r in found)
        sources = self._sources({s for found in sources_of.values() for s in found})
        names = self.names([*sources, *(t.value for p in sources.values() for t in p.get(PK + "syndicationOf", []))])
        for item in tracked:
            item.pop("retractedOn", None)
            item.pop("retractionReason", None)
            own = sources_of[item["id"]]
            gone = {s: _retraction(sources.get(s, {})) for s in own}
            retracted = _retraction(props.get(item["id"], {}))
            if retracted is None and own and all(gone.values()):
                retracted = max((r for r in gone.values() if r), key=lambda r: r["on"])
            if retracted:
                item["retracted"] = retracted
            if "Statement" not in item["type"]:
                continue
            by_source = {s.value: (report, described_reports.get(report, {}))
                         for report in sorted(reports.get(item["id"], []))
                         for s in described_reports.get(report, {}).get(PK + "source", [])}
            recorded = [s for s in own if s not in by_source] or own
            entries = []
            for source in sorted(own, key=lambda s: (s not in recorded, s)):
                entry: dict[str, Any] = {"source": {"id": source, "label": names.get(source)}}
                if source in by_source:
                    report, words = by_source[source]
                    entry["report"] = report
                    for key in ("quote", "paraphrase"):
                        texts = sorted(t.value for t in words.get(PK + key, []) if isinstance(t, Literal))
                        if texts:
                            entry[key] = texts
                else:
                    entry.update({key: item[key] for key in ("quote", "paraphrase") if key in item})
                for original in sources.get(source, {}).get(PK + "syndicationOf", [])[:1]:
                    entry["syndicationOf"] = {"id": original.value, "label": names.get(original.value)}
                if gone[source]:
                    entry["retracted"] = gone[source]
                entries.append(entry)
            if recorded:
                item["source"] = {"id": recorded[0], "label": names.get(recorded[0])}
            item["reports"] = entries
            item["independentOrigins"] = len({_origin(s, sources) for s in own if not gone[s]})

    def _sources(self, iris: set[str]) -> dict[str, dict[str, list[Term]]]:
        """The descriptions of sources and of the originals they are syndicated copies of."""
        described = self.describe(iris)
        asked = set(iris)
        while True:
            further = {t.value for props in described.values() for t in props.get(PK + "syndicationOf", [])
                       if isinstance(t, NamedNode)} - asked
            if not further:
                return described
            asked |= further
            described.update(self.describe(further))

    def summaries(self, iris: list[str]) -> list[dict[str, Any]]:
        props = self.describe(iris)
        roles = self.roles_held(props)
        names = self.names(self._references(props, iris)
                           | {iri for found in roles.values() for row in found for iri in row if iri})
        derived = _derived(roles, names)
        return [self._summary(iri, props.get(iri, {}), names, derived) for iri in iris]

    def roles_held(self, described: Mapping[str, Mapping[str, list[Term]]]
                   ) -> dict[str, list[tuple[str, str, str | None]]]:
        """Statement IRI → (organization, membership, role) of each role its speaker held on its
        date, for the dated statements among ``described`` that name no pk:onBehalfOf (the rule
        is ``rest_derived_on_behalf_of.rq``'s)."""
        candidates = [iri for iri, props in described.items()
                      if PK + "Statement" in {t.value for t in props.get(RDF_TYPE, [])}
                      and PK + "onBehalfOf" not in props and PK + "date" in props]
        found: dict[str, list[tuple[str, str, str | None]]] = {}
        if not candidates:
            return found
        query = _bind_many(named_query("rest_derived_on_behalf_of").text, "statement", candidates)
        for row in self.store.select(query):
            role = row["role"].value if "role" in row else None
            found.setdefault(row["statement"].value, []).append(
                (row["organization"].value, row["membership"].value, role))
        return found

    @staticmethod
    def _references(props: dict[str, dict[str, list[Term]]], iris: Iterable[str]) -> set[str]:
        return {t.value for iri in iris for p, terms in props.get(iri, {}).items()
                if p != RDF_TYPE for t in terms if isinstance(t, NamedNode)}

    def _item(self, iri: str, props: dict[str, list[Term]], names: Mapping[str, str | None],
              summaries: Mapping[str, dict[str, Any]],
              derived: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        _, order, _ = _keys()
        fields: dict[str, list[Any]] = {}
        if derived and iri in derived:
            fields["onBehalfOf"] = derived[iri]
        for predicate, terms in props.items():
            key = _key_of(predicate)
            if key in ("label", "title"):
                fields[key] = [_best_text(t for t in terms if isinstance(t, Literal))]
                continue
            values = [self._value(key, term, names, summaries) for term in terms]
            if key == "evidence":
                values.sort(key=_by_date)
            fields.setdefault(key, []).extend(values)
        item: dict[str, Any] = {"id": iri}
        for key in sorted(fields, key=lambda k: (order.get(k, len(order)), k)):
            values = fields[key]
            item[key] = values[0] if key in SINGLE else values
        return item

    def _summary(self, iri: str, props: dict[str, list[Term]], names: Mapping[str, str | None],
                 derived: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        full = self._item(iri, props, names, {}, derived)
        types = full.get("type", [])
        keys = next((keys for cls, keys in _SUMMARY.items() if _class_names().get(cls) in types), ())
        summary = {"id": iri, "label": full.get("label") or _composed_label(full)}
        summary.update({key: full[key] for key in keys if key in full})
        return summary

    @staticmethod
    def _value(key: str, term: Term, names: Mapping[str, str | None],
               summaries: Mapping[str, dict[str, Any]]) -> Any:
        if isinstance(term, Literal):
            return _literal(term)
        if isinstance(term, BlankNode):
            return {"id": f"_:{term.value}", "label": None}
        iri = term.value
        if key == "type":
            return _class_names().get(iri, iri)
        _, _, kinds = _keys()
        if kinds.get(key) == "vocab" or (iri in _concept_names() and kinds.get(key) != "ref"):
            return _concept_names().get(iri) or re.split(r"[#/]", iri)[-1]
        if key == "sameAs":
            return iri
        if iri in summaries:
            return summaries[iri]
        return {"id": iri, "label": names.get(iri)}


def _derived(roles: Mapping[str, list[tuple[str, str, str | None]]],
             names: Mapping[str, str | None]) -> dict[str, list[dict[str, Any]]]:
    """Statement IRI → its ``onBehalfOf`` derived from roles: ``{"id", "label", "derived": true,
    "membership": {"id", "label"}, "role": {"id", "label"}}`` (``role`` when the membership has one)."""
    def ref(iri: str) -> dict[str, Any]:
        return {"id": iri, "label": names.get(iri)}

    return {statement: [{**ref(organization), "derived": True, "membership": ref(membership),
                         **({"role": ref(role)} if role else {})}
                        for organization, membership, role in found]
            for statement, found in roles.items()}


def _retraction(props: Mapping[str, list[Term]]) -> dict[str, Any] | None:
    """``{"on", "reason"}`` for what has a pk:retractedOn (the earliest, and the reason in
    English first); None for what has none."""
    dates = [t.value for t in props.get(PK + "retractedOn", []) if isinstance(t, Literal)]
    if not dates:
        return None
    reasons = [t for t in props.get(PK + "retractionReason", []) if isinstance(t, Literal)]
    return {"on": min(dates), "reason": _best_text(reasons)}


def _origin(source: str, described: Mapping[str, dict[str, list[Term]]]) -> str:
    """The source a syndicated copy republishes, followed to the first that republishes none
    (in a loop of copies, the loop's least IRI)."""
    seen: list[str] = []
    while source not in seen:
        seen.append(source)
        originals = sorted(t.value for t in described.get(source, {}).get(PK + "syndicationOf", [])
                           if isinstance(t, NamedNode))
        if not originals:
            return source
        source = originals[0]
    return min(seen[seen.index(source):])


def _by_date(value: Any) -> tuple[str, str]:
    """Embedded statements in date order (undated last), then by IRI."""
    if isinstance(value, dict):
        return str(value.get("date") or "~"), str(value.get("id"))
    return "~", str(value)


def _composed_label(item: Mapping[str, Any]) -> str | None:
    """A name for what has none of its own: "Fu Cong, 2024-07-01" for a statement, "China
    opposes …" for a position."""
    def name(value: Any) -> str | None:
        return value.get("label") if isinstance(value, dict) else None

    if "speaker" in item:
        parts = [name(item["speaker"]), item.get("date")]
        return ", ".join(str(p) for p in parts if p) or None
    if "holder" in item:
        stance = str(item.get("stance", "")).replace("_", " ")
        parts = [name(item["holder"]), stance, name(item.get("target"))]
        return " ".join(p for p in parts if p) or None
    return None
