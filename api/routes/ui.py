"""The browser interface: search, the query page, the rich ``/id/`` pages and their ``.json`` twins.

==============================  ================================================================
``/``                           home: a search box, what the graph holds, the latest sources
``/search?q=``                  actors (names), statements (their words), resolutions and
                                policy measures (their names, symbols, titles)
``/query``                      the cookbook's examples (``?example=``), an editor, the answer
                                (``?query=``) as a table with JSON and CSV downloads
``/static/{file}``              the pages' own assets (the query editor's script, the icon)
==============================  ================================================================

The pages of actors, statements, resolutions, policy measures and sources are the ``/id/``
IRIs' HTML (:mod:`api.routes.linked_data` negotiates; :func:`entity_sections` builds them here
from :mod:`kg.lookups`, in process, as the REST routes do). Their ``.json`` twin is the REST
lookup's answer (:func:`entity_json`).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from pyoxigraph import Literal, NamedNode

from api import pages
from api.deps import SettingsDep, StoreDep
from api.html import Linker
from api.routes.sparql import _read_whole
from kg import lookups
from kg.describe import Description
from kg.errors import NotFound, QueryError, QueryTimeout
from kg.guard import check_query
from kg.search import search_instruments
from kg.store import Store

router = APIRouter(tags=["browser"])

PK = "https://w3id.org/policykg/ontology#"
STATIC = Path(__file__).resolve().parent.parent / "static"
STATIC_TYPES = {".js": "text/javascript", ".svg": "image/svg+xml", ".css": "text/css"}
COOKBOOK = Path(__file__).resolve().parents[2] / "docs" / "sparql.md"
RESULTS_JSON = "application/sparql-results+json"
SEARCH_LIMIT = 50
MAX_QUERY = 5000
"""Characters of a query in the query page's URL: percent-encoded (up to 12 bytes a character),
it stays under the 64 KiB the HTTP server reads of a request line."""
LATEST = 10
LIST_LIMIT = 200
#: The REST call that answers a cookbook question (docs/sparql.md), by the query's file name.
REST_EQUIVALENTS = {
    "fu-cong-for-china-2024-07-01": "/statements?speaker=fu-cong&on_behalf_of=china&from=2024-07-01&to=2024-07-01",
    "opponents-of-the-treasury-rule": "/positions?target=us-treasury-outbound-investment-rule&stance=opposes",
    "ai-resolutions-of-the-general-assembly": "/resolutions?about=artificial-intelligence&adopted_by=un-general-assembly",
    "timeline-of-a-res-78-311": "/timeline?about=a-res-78-311",
    "positions-of-china": "/actors/china/positions",
    "everything-one-source-asserts": "/sources/ap-2024-07-02-un-ai-resolutions",
    "when-each-source-was-loaded": "/sources",
    "position-history-of-an-actor": "/positions/changes?holder=china",
    "roles-of-fu-cong": "/actors/fu-cong",
    "find-an-actor-by-name": "/actors?q=u.s.",
}


def _linker(request: Request, store: Store) -> Linker:
    return Linker(store.iris, request.scope.get("root_path", "").rstrip("/"))


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


# --- home and search ----------------------------------------------------------------------------


def home(request: Request, store: Store) -> str:
    """The front page's HTML."""
    stats = store.stats()
    classes: dict[str, int] = stats["classes"]  # type: ignore[assignment]
    figures = {
        "actors": lookups.search_actors(store, None, limit=1)["total"],
        "statements": classes.get(PK + "Statement", 0),
        "positions": classes.get(PK + "Position", 0),
        "resolutions": classes.get(PK + "Resolution", 0),
        "measures": classes.get(PK + "PolicyMeasure", 0),
        "sources": int(stats["graphs"]),  # type: ignore[call-overload]
        "quads": int(stats["quads"]),  # type: ignore[call-overload]
    }
    # Sources come by publication date, undated last: the latest are among the last few (the
    # list's total is the count of pk:Source the figures already hold).
    total = classes.get(PK + "Source", 0)
    tail = lookups.list_sources(store, limit=LATEST + 10, offset=max(0, total - LATEST - 10))["items"]
    latest = sorted(tail, key=lambda s: str(s.get("issued") or ""), reverse=True)[:LATEST]
    return pages.home_page(figures, latest, _linker(request, store))


@router.get("/search", operation_id="search_page", response_class=HTMLResponse,
            summary="Search actors, statements, resolutions and policy measures (HTML)")
def search_page(request: Request, store: StoreDep,
           q: Annotated[str, Query(max_length=1000, description="text to look for (any case)",
                                   examples=["Fu Cong"])] = "") -> HTMLResponse:
    """The home page's search box: actors by any of their names, statements by the words of
    their quotes and paraphrases, resolutions and policy measures by name, symbol or title."""
    q = q.strip()
    found: dict[str, Any] = {}
    if q:
        found = {
            "actors": lookups.search_actors(store, q, limit=SEARCH_LIMIT),
            "statements": lookups.list_statements(store, q=q, limit=SEARCH_LIMIT),
            "instruments": search_instruments(store, q, limit=SEARCH_LIMIT),
        }
    return HTMLResponse(pages.search_page(q, found, _linker(request, store)))


# --- the query page -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def cookbook() -> tuple[dict[str, str], ...]:
    """The cookbook's queries (docs/sparql.md): ``name``, ``title``, ``query``, in its order;
    none where the docs are not installed."""
    try:
        text = COOKBOOK.read_text(encoding="utf-8")
    except OSError:
        return ()
    found = []
    for match in re.finditer(r"^### (.+?)\n(.*?)^```sparql\n(.*?)^```", text, re.M | re.S):
        title, query = match.group(1).strip(), match.group(3)
        first = query.splitlines()[0] if query else ""
        name = first.lstrip("# ").removesuffix(".rq").strip() if first.startswith("#") else title
        found.append({"name": name, "title": title, "query": query.strip() + "\n"})
    return tuple(found)


@router.get("/query", operation_id="query_page", response_class=HTMLResponse,
            summary="Run SPARQL from a page: the cookbook's examples, an editor, a table (HTML)",
            responses={404: {"description": "no such example in the cookbook"},
                       504: {"description": "the query ran past POLICYKG_QUERY_TIMEOUT"}})
def query_page(request: Request, store: StoreDep, settings: SettingsDep,
          query: Annotated[str | None, Query(max_length=MAX_QUERY, description=(
              f"a SPARQL query to run (at most {MAX_QUERY:,} characters in a URL: POST a longer one to /sparql)"))
          ] = None,
          example: Annotated[str | None, Query(max_length=200, description="a cookbook query to show and run",
                                               examples=["opponents-of-the-treasury-rule"])] = None,
          ) -> HTMLResponse:
    """The cookbook's example queries one click away; `example` fills the editor with one and
    runs it, `query` runs the given text. SELECT answers are a table, with downloads (JSON, CSV)
    from `/sparql` and the equivalent REST call where there is one. A query that is refused or
    fails (syntax, SERVICE, too large) is reported on the page, beside the editor; one that runs
    too long is a 504 problem."""
    examples = cookbook()
    chosen = next((e for e in examples if e["name"] == example), None) if example else None
    if example and chosen is None:
        raise NotFound(f"no example {example!r} in the cookbook")
    text = query if query is not None else (chosen["query"] if chosen else (examples[1]["query"] if len(examples) > 1
                                                                             else "SELECT * WHERE { ?s ?p ?o } LIMIT 10\n"))
    if chosen is None and query is not None:
        chosen = next((e for e in examples if e["query"].strip() == query.strip()), None)
    result, error = None, None
    if query is not None or chosen is not None:
        try:
            result = run_query(store, text, settings.max_result)
        except QueryTimeout:
            raise  # a problem (504): a passing failure, not a page to keep in the cache
        except QueryError as failure:  # refused, malformed, too large: said on the page
            error = str(failure)
    rest = REST_EQUIVALENTS.get(chosen["name"]) if chosen else None
    page = pages.query_page(examples, _linker(request, store), query=text, chosen=chosen["name"] if chosen else None,
                            result=result, error=error, rest=rest)
    return HTMLResponse(page)


def run_query(store: Store, text: str, max_result: int) -> dict[str, Any]:
    """The answer to ``text`` as SPARQL JSON results (SELECT, ASK) or ``{"graph": Turtle}``,
    checked as ``/sparql`` checks a public query."""
    form = check_query(text)
    media = "text/turtle" if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON
    body = _read_whole(store.query_bytes(text, media_type=media), max_result)
    if media == "text/turtle":
        return {"graph": body.decode("utf-8")}
    return json.loads(body)


# --- static files -------------------------------------------------------------------------------


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> FileResponse:
    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in STATIC_TYPES or not path.is_file():
        raise NotFound(f"no static file {name!r}")
    return FileResponse(path, media_type=STATIC_TYPES[path.suffix], headers={"Cache-Control": "max-age=3600"})


# --- the /id/ pages -----------------------------------------------------------------------------


RICH_KINDS = ("actor", "statement", "resolution", "measure", "source")


def entity_sections(request: Request, store: Store, kind: str, slug: str,
                    description: Description) -> tuple[list[str], str] | None:
    """The sections of a rich page (and markup for its ``<head>``), or None for the generic page."""
    linker = _linker(request, store)
    if kind == "actor" and _is_actor(description):
        actor = lookups.get_actor(store, slug)
        timeline = lookups.timeline(store, actor=actor["id"], limit=lookups.MAX_LIMIT)
        positions = lookups.actor_positions(store, slug, limit=lookups.MAX_LIMIT)
        statements = lookups.actor_statements(store, slug, limit=lookups.MAX_LIMIT)
        shown = _positions_shown_by(store, actor["id"], statements["items"])
        return pages.actor_sections(actor, timeline, positions, statements, linker, slug=slug, shown=shown), ""
    if kind == "statement" and PK + "Statement" in description.types():
        statement = lookups.get_statement(store, slug)
        source = None
        if isinstance(statement.get("source"), dict):
            try:
                source = lookups.get_source(store, _slug(statement["source"]["id"]))
            except NotFound:
                source = None
        url = str(statement["id"])  # the permalink: the same on every host
        head = "\n" + pages.json_script(pages.statement_jsonld(statement, source, url=url))
        return pages.statement_sections(statement, source, linker, url=url), head
    if kind == "resolution" and PK + "Resolution" in description.types():
        resolution = lookups.get_resolution(store, slug, limit=LIST_LIMIT)
        rest = _json_links(linker, f"/resolutions/{slug}", {"about": slug}, {"target": slug})
        return pages.instrument_sections(pages.resolution_facts(resolution, linker), resolution["positions"],
                                         resolution["statements"], linker, heading="Adoption", rest=rest), ""
    if kind == "measure" and PK + "PolicyMeasure" in description.types():
        iri = description.iri
        positions = lookups.list_positions(store, target=iri, limit=LIST_LIMIT)
        statements = lookups.list_statements(store, about=iri, limit=LIST_LIMIT)
        rest = _json_links(linker, None, {"about": slug}, {"target": slug})
        return pages.instrument_sections(_measure_facts(description, linker), positions, statements, linker,
                                         heading="The measure", rest=rest), ""
    if kind == "source" and PK + "Source" in description.types():
        source = lookups.get_source(store, slug)
        statements = lookups.list_statements(store, source=source["id"], limit=LIST_LIMIT)
        positions = lookups.list_positions(store, source=source["id"], limit=LIST_LIMIT)
        return pages.source_sections(source, statements, positions, linker, slug=slug), ""
    return None


def _positions_shown_by(store: Store, actor: str, statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Positions of the actors ``actor`` spoke for whose evidence includes its own statements
    (a spokesperson's words show the state's positions)."""
    spoke_for = {b["id"] for s in statements if (s.get("speaker") or {}).get("id") == actor
                 for b in s.get("onBehalfOf", []) if isinstance(b, dict) and b.get("id") != actor}
    shown = []
    for holder in sorted(spoke_for):
        for position in lookups.list_positions(store, holder=holder, limit=lookups.MAX_LIMIT)["items"]:
            if any(isinstance(e, dict) and (e.get("speaker") or {}).get("id") == actor
                   for e in position.get("evidence", [])):
                shown.append(position)
    return shown


def _is_actor(description: Description) -> bool:
    return bool(set(description.types()) & lookups.ACTOR_CLASSES)


def _json_links(linker: Linker, own: str | None, statements: dict[str, str], positions: dict[str, str]) -> str:
    links = ([f'<a href="{escape(linker.root + own)}">this</a>'] if own else []) + [
        f'<a href="{escape(linker.path("statements") + "?" + urlencode(statements))}">statements about it</a>',
        f'<a href="{escape(linker.path("positions") + "?" + urlencode(positions))}">positions toward it</a>',
        f'<a href="{escape(linker.path("timeline") + "?" + urlencode(statements))}">its timeline</a>']
    return f'<p class="muted">As JSON: {" · ".join(links)}.</p>'


def _measure_facts(description: Description, linker: Linker) -> list[tuple[str, str]]:
    def values(local: str) -> list[Any]:
        return description.values(description.iri, NamedNode(PK + local))

    def linked(local: str) -> str:
        return ", ".join(linker.link(v.value, description.summary(v.value) or description.name(v))
                         for v in values(local) if isinstance(v, NamedNode))

    def text(local: str, *, date: bool = False) -> str:
        found = [v.value for v in values(local) if isinstance(v, Literal)]
        return escape(", ".join(pages.human_date(f) if date else f for f in found))

    status = ", ".join(escape(v.value.rsplit("#", 1)[-1]) for v in values("status") if isinstance(v, NamedNode))
    return [("Issued by", linked("issuedBy")), ("Announced on", text("announcedOn", date=True)),
            ("Status", status or text("status")), ("Affects", linked("affects")), ("About", linked("about"))]


def entity_json(store: Store, kind: str, slug: str, description: Description) -> dict[str, Any] | None:
    """The ``.json`` twin: the REST lookup's answer for an actor, statement, resolution or
    source; for a policy measure its label, the positions toward it and the statements about it
    (list answers); None for the other kinds (their ``.json`` is the JSON-LD description)."""
    if kind == "actor":
        return lookups.get_actor(store, slug)
    if kind == "statement":
        return lookups.get_statement(store, slug)
    if kind == "resolution":
        return lookups.get_resolution(store, slug)
    if kind == "source":
        return lookups.get_source(store, slug)
    if kind == "measure":
        iri = store.iris.entity(kind, slug)
        return {"id": iri, "label": description.label(iri),
                "positions": lookups.list_positions(store, target=iri, limit=LIST_LIMIT),
                "statements": lookups.list_statements(store, about=iri, limit=LIST_LIMIT)}
    return None


def json_response(data: Any, headers: dict[str, str]) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), media_type="application/json", headers=headers)


# HEAD answers as GET does, without the body (link checkers ask it of a permalink).
for _route in list(router.routes):
    router.add_api_route(_route.path, _route.endpoint, methods=["HEAD"], include_in_schema=False,
                         response_class=_route.response_class)
