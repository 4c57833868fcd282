"""REST lookups (JSON): actors, statements, positions, resolutions, sources, timelines.

Thin routes over :mod:`kg.lookups`, which holds the queries and builds the JSON; here only URLs
are added. A list answers ``{"items", "total", "next", "query"}`` and links to the same SPARQL
with ``Link: </sparql?query=…>; rel="alternate"; type="application/sparql-query"``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import ReadDep
from kg import lookups
from kg.lookups import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET

router = APIRouter(tags=["lookups"])

IRI = "https://w3id.org/policykg/id/"
MAX_TEXT = 1000
"""Characters of a text or entity parameter."""
MAX_DATE = 40
"""Characters of a date parameter."""
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"items per page (at most {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"items to skip (at most {MAX_OFFSET:,})")]
Text = Annotated[str | None, Query(max_length=MAX_TEXT, description="text to look for (case-insensitive)")]


def _entity(what: str, example: str) -> Any:
    return Query(max_length=MAX_TEXT, description=f"{what}: a slug or a full IRI", examples=[example])


def _date(what: str, alias: str | None = None) -> Any:
    return Query(alias=alias, max_length=MAX_DATE, description=f"{what} (YYYY-MM-DD, inclusive)",
                 examples=["2024-07-01"], json_schema_extra={"format": "date"})


def _curation(
    curation_status: Annotated[list[str] | None, Query(
        description="only items with this curation status: draft, reviewed or disputed (repeat the "
                    "parameter, or separate with commas, for several)", examples=["reviewed"])] = None,
    min_confidence: Annotated[float | None, Query(
        ge=0, le=1, description="only items whose attributionConfidence is at least this (0 to 1); "
                                "items without one are left out", examples=[0.8])] = None,
    include_retracted: Annotated[bool, Query(
        description="also retracted items, flagged with `retracted` (left out otherwise)")] = False,
) -> lookups.Curation:
    return lookups.Curation(tuple(curation_status or ()), min_confidence, include_retracted)


CurationDep = Annotated[lookups.Curation, Depends(_curation)]
ActorSlug = Annotated[str, Path(description="the actor's slug", examples=["fu-cong"])]
Stance = Literal["supports", "opposes", "neutral", "calls_for"]


class Page(BaseModel):
    """One page of a list."""

    items: list[dict[str, Any]] = Field(description="the items, each with `id` (its IRI)")
    total: int = Field(description="how many items the whole list has")
    next: str | None = Field(description="the URL of the next page; null on the last")
    query: str = Field(description="the SPARQL query of this page, values bound: run it at /sparql")


NOT_FOUND = {404: {"description": "no such entity (problem+json)"}}
INVALID = {422: {"description": "a parameter is not valid (problem+json)"}}


def _example(value: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": value}}}}


STATEMENT_EXAMPLE = {
    "id": IRI + "statement/9e23eafbad935b76", "type": ["Statement"],
    "speaker": {"id": IRI + "actor/fu-cong", "label": "Fu Cong"},
    "onBehalfOf": [{"id": IRI + "actor/china", "label": "China"}],
    "date": "2024-07-01", "datePrecision": "day",
    "quote": ["We are firmly opposed to these sanctions"],
    "about": [{"id": IRI + "measure/us-treasury-outbound-investment-rule", "label": "U.S. Treasury proposed rule …"}],
    "occasion": [{"id": IRI + "event/fu-cong-remarks-2024-07-01", "label": "Fu Cong's remarks to reporters …"}],
    "source": {"id": IRI + "source/ap-2024-07-02-un-ai-resolutions", "label": "UN adopts Chinese resolution …"},
}
POSITION_EXAMPLE = {
    "id": IRI + "position/8f3cabc7aaf687af", "type": ["Position"],
    "holder": {"id": IRI + "actor/china", "label": "China"}, "stance": "opposes",
    "target": {"id": IRI + "measure/us-treasury-outbound-investment-rule", "label": "U.S. Treasury proposed rule …"},
    "since": "2024-07-01", "datePrecision": "day",
    "evidence": [{"id": IRI + "statement/9e23eafbad935b76", "label": "Fu Cong, 2024-07-01",
                  "speaker": {"id": IRI + "actor/fu-cong", "label": "Fu Cong"}, "date": "2024-07-01",
                  "quote": ["We are firmly opposed to these sanctions"]}],
    "source": {"id": IRI + "source/ap-2024-07-02-un-ai-resolutions", "label": "UN adopts Chinese resolution …"},
}
ACTOR_EXAMPLE = {
    "id": IRI + "actor/china", "type": ["State"], "label": "China",
    "altLabel": ["Beijing", "People's Republic of China"], "sameAs": ["http://www.wikidata.org/entity/Q148"],
}


def _page_example(item: dict[str, Any], path: str) -> dict[int | str, dict[str, Any]]:
    return _example({"items": [item], "total": 1, "next": None,
                     "query": f"# … the SPARQL of {path}, values bound …"})


def _page(request: Request, response: Response, page: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
    """The list answer: ``next`` and the ``Link`` to the same query at ``/sparql``."""
    sparql = f"{request.scope.get('root_path', '')}/sparql?query={quote(page['query'], safe='')}"
    response.headers["Link"] = f'<{sparql}>; rel="alternate"; type="application/sparql-query"'
    return _with_next(page, request.url.include_query_params(limit=limit, offset=offset + limit),
                      limit, offset)


def _with_next(page: dict[str, Any], next_url: Any, limit: int, offset: int) -> dict[str, Any]:
    more = offset + limit < page["total"]
    return {"items": page["items"], "total": page["total"], "next": str(next_url) if more else None,
            "query": page["query"]}


@router.get("/actors", operation_id="search_actors", response_model=Page,
            responses={**_page_example(ACTOR_EXAMPLE, "/actors?q=china"), **INVALID})
def search_actors(request: Request, response: Response, store: ReadDep,
                  q: Annotated[str | None, Query(max_length=MAX_TEXT, examples=["china"],
                                                 description="text the label or altLabel contains (any case)")] = None,
                  limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    """Actors by name; `q` searches their labels and alternative labels."""
    page = lookups.search_actors(store, q, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/actors/{slug}", operation_id="get_actor", response_model=dict[str, Any],
            responses={**_example({**ACTOR_EXAMPLE, "memberships": [], "members": [
                {"id": IRI + "membership/843d9b4c3c6a5abd", "type": ["Membership"],
                 "member": {"id": IRI + "actor/fu-cong", "label": "Fu Cong"},
                 "organization": {"id": IRI + "actor/china", "label": "China"},
                 "role": {"id": IRI + "role/un-ambassador", "label": "Permanent Representative …"}}],
                "statementCount": 16, "positionCount": 11,
                "links": {"statements": "…/actors/china/statements", "positions": "…/actors/china/positions",
                          "timeline": "…/timeline?actor=china"}}), **NOT_FOUND})
def get_actor(request: Request, store: ReadDep, slug: ActorSlug) -> dict[str, Any]:
    """An actor, with its roles over time (`memberships`, and `members` for an organization)."""
    actor = lookups.get_actor(store, slug)
    actor["links"] = {
        "statements": str(request.url_for("list_actor_statements", slug=slug)),
        "positions": str(request.url_for("list_actor_positions", slug=slug)),
        "timeline": str(request.url_for("get_timeline").include_query_params(actor=slug)),
    }
    return actor


@router.get("/actors/{slug}/statements", operation_id="list_actor_statements", response_model=Page,
            responses={**_page_example(STATEMENT_EXAMPLE, "/actors/fu-cong/statements"), **NOT_FOUND, **INVALID})
def list_actor_statements(
    request: Request, response: Response, store: ReadDep, curation: CurationDep, slug: ActorSlug,
    about: Annotated[str | None, _entity("only statements about this", "a-res-78-311")] = None,
    from_: Annotated[str | None, _date("made on or after this day", "from")] = None,
    to: Annotated[str | None, _date("made on or before this day")] = None,
    q: Text = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Statements the actor made or that were made on its behalf, in date order."""
    page = lookups.actor_statements(store, slug, about=about, from_=from_, to=to, q=q, curation=curation,
                                    limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/actors/{slug}/positions", operation_id="list_actor_positions", response_model=Page,
            responses={**_page_example(POSITION_EXAMPLE, "/actors/china/positions"), **NOT_FOUND, **INVALID})
def list_actor_positions(
    request: Request, response: Response, store: ReadDep, curation: CurationDep, slug: ActorSlug,
    target: Annotated[str | None, _entity("only positions toward this", "a-res-78-311")] = None,
    stance: Annotated[Stance | None, Query(description="only this stance")] = None,
    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Positions the actor holds, with their evidence."""
    page = lookups.actor_positions(store, slug, target=target, stance=stance, curation=curation,
                                   limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/statements", operation_id="list_statements", response_model=Page,
            responses={**_page_example(STATEMENT_EXAMPLE, "/statements?speaker=fu-cong"), **NOT_FOUND, **INVALID})
def list_statements(
    request: Request, response: Response, store: ReadDep, curation: CurationDep,
    speaker: Annotated[str | None, _entity("only statements this actor made", "fu-cong")] = None,
    on_behalf_of: Annotated[str | None, _entity("only statements made on this actor's behalf", "china")] = None,
    about: Annotated[str | None, _entity("only statements about this", "us-treasury-outbound-investment-rule")] = None,
    source: Annotated[str | None, _entity("only statements reported by this source",
                                          "ap-2024-07-02-un-ai-resolutions")] = None,
    from_: Annotated[str | None, _date("made on or after this day", "from")] = None,
    to: Annotated[str | None, _date("made on or before this day")] = None,
    q: Text = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Statements in date order (undated last); `q` searches the quote and paraphrase."""
    page = lookups.list_statements(store, speaker=speaker, on_behalf_of=on_behalf_of, about=about, source=source,
                                   from_=from_, to=to, q=q, curation=curation, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/statements/{slug}", operation_id="get_statement", response_model=dict[str, Any],
            responses={**_example({**STATEMENT_EXAMPLE, "evidenceFor": [
                {"id": IRI + "position/8f3cabc7aaf687af", "label": "China opposes U.S. Treasury proposed rule …",
                 "holder": {"id": IRI + "actor/china", "label": "China"}, "stance": "opposes"}]}), **NOT_FOUND})
def get_statement(store: ReadDep, slug: Annotated[str, Path(description="the 16 hex digits ending the "
                                                              "statement's IRI", examples=["9e23eafbad935b76"])]
                  ) -> dict[str, Any]:
    """A statement, and the positions that cite it as evidence (`evidenceFor`)."""
    return lookups.get_statement(store, slug)


@router.get("/positions", operation_id="list_positions", response_model=Page,
            responses={**_page_example(POSITION_EXAMPLE, "/positions?stance=opposes"), **NOT_FOUND, **INVALID})
def list_positions(
    request: Request, response: Response, store: ReadDep, curation: CurationDep,
    holder: Annotated[str | None, _entity("only positions this actor holds", "china")] = None,
    target: Annotated[str | None, _entity("only positions toward this", "us-treasury-outbound-investment-rule")] = None,
    stance: Annotated[Stance | None, Query(description="only this stance")] = None,
    source: Annotated[str | None, _entity("only positions recorded from this source",
                                          "ap-2024-07-02-un-ai-resolutions")] = None,
    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Positions by holder and target, each with its evidence."""
    page = lookups.list_positions(store, holder=holder, target=target, stance=stance, source=source,
                                  curation=curation, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


HISTORY_EXAMPLE = {**POSITION_EXAMPLE, "validFrom": "2024-07-01", "validFromBasis": "since"}
Holder = Annotated[str, _entity("the actor (required)", "china")]
Toward = Annotated[str | None, _entity("only positions toward this", "us-treasury-outbound-investment-rule")]


@router.get("/positions/history", operation_id="get_position_history", response_model=Page,
            responses={**_page_example(HISTORY_EXAMPLE, "/positions/history?holder=china&target=…"),
                       **NOT_FOUND, **INVALID})
def get_position_history(
    request: Request, response: Response, store: ReadDep,
    holder: Holder,
    target: Annotated[str, _entity("what the positions are toward (required)", "us-treasury-outbound-investment-rule")],
    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """One actor's positions toward one target in valid-time order (`validFrom`: `since`, else
    the earliest date of the evidence, as `validFromBasis` says), each with its evidence."""
    page = lookups.position_history(store, holder=holder, target=target, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/positions/changes", operation_id="list_position_changes", response_model=Page,
            responses={**_page_example({"holder": POSITION_EXAMPLE["holder"], "target": POSITION_EXAMPLE["target"],
                                        "date": "2025-03-11", "from": "opposes", "to": "supports",
                                        "before": HISTORY_EXAMPLE, "after": {"…": "…"}},
                                       "/positions/changes?holder=china"), **NOT_FOUND, **INVALID})
def list_position_changes(
    request: Request, response: Response, store: ReadDep,
    holder: Holder, target: Toward = None,
    since: Annotated[str | None, _date("only shifts on or after this day")] = None,
    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Every shift of the actor's stance (supports, neutral, opposes) between consecutive
    positions on the same target, with both positions and their evidence, in date order."""
    page = lookups.position_changes(store, holder=holder, target=target, since=since, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/positions/contradictions", operation_id="list_position_contradictions", response_model=Page,
            responses={**_page_example({"holder": POSITION_EXAMPLE["holder"], "target": POSITION_EXAMPLE["target"],
                                        "date": "2025-03-11", "supporting": {"…": "…"},
                                        "opposing": POSITION_EXAMPLE["evidence"][0]},  # type: ignore[index]
                                       "/positions/contradictions?holder=china"), **NOT_FOUND, **INVALID})
def list_position_contradictions(
    request: Request, response: Response, store: ReadDep,
    holder: Holder, target: Toward = None,
    since: Annotated[str | None, _date("only pairs whose later statement is on or after this day")] = None,
    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Pairs of the actor's statements that contradict each other: evidence of its positions
    toward the same target that support it and that oppose it."""
    page = lookups.position_contradictions(store, holder=holder, target=target, since=since,
                                           limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/resolutions", operation_id="list_resolutions", response_model=Page,
            responses={**_page_example({"id": IRI + "resolution/a-res-78-311", "type": ["Resolution"],
                                        "label": "A/RES/78/311 (…)", "symbol": "A/RES/78/311",
                                        "adoptedOn": "2024-07-01", "adoptionMethod": "consensus",
                                        "sponsorCount": 140, "sponsorCountQualifier": "moreThan",
                                        "binding": False, "status": "adopted"}, "/resolutions"),
                       **NOT_FOUND, **INVALID})
def list_resolutions(
    request: Request, response: Response, store: ReadDep,
    about: Annotated[str | None, _entity("only resolutions about this", "artificial-intelligence")] = None,
    adopted_by: Annotated[str | None, _entity("only resolutions adopted by this body", "un-general-assembly")] = None,
    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Resolutions by adoption date (not yet adopted last), then symbol."""
    page = lookups.list_resolutions(store, about=about, adopted_by=adopted_by, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/resolutions/{slug}", operation_id="get_resolution", response_model=dict[str, Any],
            responses=NOT_FOUND)
def get_resolution(request: Request, store: ReadDep,
                   slug: Annotated[str, Path(description="the resolution's slug", examples=["a-res-78-311"])]
                   ) -> dict[str, Any]:
    """A resolution: sponsors and lead sponsor, adoption (adoptedBy, adoptedOn, adoptionMethod),
    sponsorCount and its qualifier, binding, status, its provisions, and the first pages of the
    statements about it and the positions toward it."""
    resolution = lookups.get_resolution(store, slug, limit=DEFAULT_LIMIT)
    statements = request.url_for("list_statements").include_query_params(about=slug)
    positions = request.url_for("list_positions").include_query_params(target=slug)
    resolution["statements"] = _with_next(resolution["statements"], statements.include_query_params(
        limit=DEFAULT_LIMIT, offset=DEFAULT_LIMIT), DEFAULT_LIMIT, 0)
    resolution["positions"] = _with_next(resolution["positions"], positions.include_query_params(
        limit=DEFAULT_LIMIT, offset=DEFAULT_LIMIT), DEFAULT_LIMIT, 0)
    resolution["links"] = {
        "statements": str(statements), "positions": str(positions),
        "timeline": str(request.url_for("get_timeline").include_query_params(about=slug)),
    }
    return resolution


@router.get("/sources", operation_id="list_sources", response_model=Page,
            responses={**_page_example({"id": IRI + "source/ap-2024-07-02-un-ai-resolutions",
                                        "type": ["NewsArticle", "Source"], "title": "UN adopts Chinese resolution …",
                                        "issued": "2024-07-02", "tripleCount": 725}, "/sources"), **INVALID})
def list_sources(request: Request, response: Response, store: ReadDep,
                 limit: Limit = DEFAULT_LIMIT, offset: Offset = 0) -> dict[str, Any]:
    """Sources by publication date, with when and from which file each was loaded."""
    page = lookups.list_sources(store, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)


@router.get("/sources/{slug}", operation_id="get_source", response_model=dict[str, Any], responses=NOT_FOUND)
def get_source(request: Request, store: ReadDep,
               slug: Annotated[str, Path(description="the source's slug",
                                         examples=["ap-2024-07-02-un-ai-resolutions"])]) -> dict[str, Any]:
    """A source: its description, the record of its loading (recordedAt, loadedFrom, checksum,
    tripleCount), what it asserts (`counts` of resources by class), and `query`, a SPARQL
    CONSTRUCT of its whole graph."""
    source = lookups.get_source(store, slug)
    source["links"] = {
        "statements": str(request.url_for("list_statements").include_query_params(source=slug)),
        "positions": str(request.url_for("list_positions").include_query_params(source=slug)),
        "sparql": f"{request.scope.get('root_path', '')}/sparql?query={quote(source['query'], safe='')}",
    }
    return source


@router.get("/timeline", operation_id="get_timeline", response_model=Page,
            responses={**_page_example(STATEMENT_EXAMPLE, "/timeline?about=a-res-78-311"), **NOT_FOUND, **INVALID})
def get_timeline(
    request: Request, response: Response, store: ReadDep, curation: CurationDep,
    actor: Annotated[str | None, _entity("statements by or for this actor, positions it holds", "china")] = None,
    about: Annotated[str | None, _entity("statements about this, positions toward it", "a-res-78-311")] = None,
    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
) -> dict[str, Any]:
    """Statements and positions in date order (a statement's `date`, a position's `since`);
    give `actor`, `about` or both."""
    page = lookups.timeline(store, actor=actor, about=about, curation=curation, limit=limit, offset=offset)
    return _page(request, response, page, limit, offset)
