"""Linked data: dereferenceable IRIs, the vocabulary files, the VoID description and the dumps.

==================================  =============================================================
``/id/{kind}/{slug}``               one entity, by ``Accept``: Turtle (default), HTML, JSON-LD,
                                    N-Triples, RDF/XML; ``Vary: Accept``
``/id/{kind}/{slug}.{ext}``         the same as a fixed format: ``.ttl .jsonld .nt .rdf .html``;
                                    ``.json``: the REST lookup's JSON (:mod:`api.routes.ui`)
``/ontology`` ``/ontology.{ext}``   the ontology files merged (Turtle default; HTML term list)
``/shapes`` ``/shapes.{ext}``       the SHACL shapes
``/context.jsonld``                 the JSON-LD context of the API's keys
``/void``                           VoID and DCAT description of the dataset
``/dumps/policykg.{ext}``           the whole store, streamed: ``.trig .nq .ttl .jsonld``
``/dumps/{source}.{ext}``           one source's graph
==================================  =============================================================

The IRI an ``/id/`` page describes is the configured base (``POLICYKG_BASE_IRI``) followed by
``kind/slug``, whichever host the request reached: the answer is the same on every host. Links
in the HTML pages are paths on this server, so browsing works on a laptop too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from email.utils import format_datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import FileResponse, Response, StreamingResponse
from pyoxigraph import RdfFormat, Triple

from api.cache import DumpFiles
from api.deps import StoreDep
from api.html import Linker, entity_page, ontology_page
from api.negotiation import RDF_MEDIA_TYPES, choose_or_406
from api.routes import ui
from kg import describe as kg_describe
from kg import void as kg_void
from kg.entries import CONTEXT_PATH
from kg.errors import NotFound
from kg.iris import KINDS, SLUG

router = APIRouter(tags=["linked data"])

HTML = "text/html"
JSON = "application/json"  # answered with JSON-LD
#: What an /id/ page is offered as, the default (for */*) first.
ENTITY_OFFERS = [RdfFormat.TURTLE.media_type, HTML, *RDF_MEDIA_TYPES[1:], JSON]
VOCABULARY_OFFERS = [*RDF_MEDIA_TYPES, JSON]
#: Suffixes of the RDF twins (``RdfFormat.from_extension`` knows their formats); ``.html`` too.
TWINS = ("ttl", "jsonld", "nt", "rdf")
VOCABULARY_PREFIXES = {"sh": "http://www.w3.org/ns/shacl#", "vann": "http://purl.org/vocab/vann/"}

AcceptHeader = Annotated[str | None, Header(description="media types wanted, e.g. `text/turtle`, "
                                                          "`application/ld+json`, `text/html`")]

_RDF_RESPONSE = {
    "content": {
        "text/turtle": {"example": "<https://w3id.org/policykg/id/actor/china> a pk:State ;\n"
                                   "\trdfs:label \"China\"@en ."},
        "application/ld+json": {},
        "application/n-triples": {},
        "application/rdf+xml": {},
    },
    "description": "RDF in the negotiated format",
}


def _format_of(media_type: str) -> RdfFormat:
    fmt = RdfFormat.from_media_type(media_type)
    assert fmt is not None, media_type
    return fmt


def _format_of_extension(extension: str) -> RdfFormat:
    fmt = RdfFormat.from_extension(extension)
    assert fmt is not None, extension
    return fmt


def _rdf_response(body: bytes, fmt: RdfFormat, *, headers: dict[str, str] | None = None) -> Response:
    return Response(body, media_type=fmt.media_type, headers=headers)


def _root(request: Request) -> str:
    return request.scope.get("root_path", "").rstrip("/")


def _links(paths: list[tuple[str, str]]) -> str:
    return ", ".join(f'<{path}>; rel="alternate"; type="{media}"' for path, media in paths)


# --- /id/{kind}/{slug} -----------------------------------------------------------------------------


@router.get(
    "/id/{kind}/{slug}",
    operation_id="get_entity",
    response_class=Response,
    summary="An entity, by content negotiation",
    responses={200: {**_RDF_RESPONSE, "content": {**_RDF_RESPONSE["content"], "text/html": {}}},
               404: {"description": "no such entity"}, 406: {"description": "no acceptable format"}},
)
def get_entity(
    request: Request,
    store: StoreDep,
    kind: Annotated[str, Path(description=f"one of {', '.join(KINDS)}", examples=["actor"])],
    slug: Annotated[str, Path(description="the entity's slug, optionally with a format suffix "
                              "(`.ttl`, `.jsonld`, `.nt`, `.rdf`, `.html`, `.json`)", examples=["china"])],
    accept: AcceptHeader = None,
) -> Response:
    """The description of `https://w3id.org/policykg/id/{kind}/{slug}` (under the configured base):
    its own triples, the labels of what it links to, and what links to it (statements, positions…).

    `Accept` chooses the format (`text/turtle` for `*/*`, `text/html`, `application/ld+json`
    compacted with the policykg context, `application/n-triples`, `application/rdf+xml`); a suffix
    (`/id/actor/china.ttl`) fixes it. `.json` is the REST lookup's JSON for an actor, statement,
    resolution, policy measure or source (JSON-LD for the other kinds). The HTML page of an
    actor, statement, resolution, policy measure or source is the browser's page (timeline, who
    stands where, citation…). Unknown kind or slug → 404.
    """
    name, dot, extension = slug.partition(".")
    if kind not in KINDS:
        raise NotFound(f"there is no kind {kind!r} of entity: kinds are {', '.join(KINDS)}")
    if not SLUG.match(name):
        raise NotFound(f"{name!r} is not a slug (lower-case letters, digits and '-')")
    if dot and extension not in (*TWINS, "html", "json"):
        raise NotFound(f"unknown format suffix .{extension}: use .ttl, .jsonld, .nt, .rdf, .html or .json")
    iri = store.iris.entity(kind, name)
    twin = f"{_root(request)}/id/{kind}/{name}"
    alternates = [(f"{twin}.{ext}", _format_of_extension(ext).media_type) for ext in TWINS]
    alternates += [(f"{twin}.html", HTML), (f"{twin}.json", JSON)]
    headers = {"Link": _links(alternates)}
    if extension == "json":
        described = kg_describe.describe(store, iri)  # NotFound when nothing is said about it
        found = ui.entity_json(store, kind, name, described)
        if found is not None:
            return ui.json_response(found, headers)
        body = kg_describe.serialize_triples(described, RdfFormat.JSON_LD)  # JSON-LD is JSON
        return Response(body, media_type=JSON, headers=headers)
    if dot:
        media = HTML if extension == "html" else _format_of_extension(extension).media_type
    else:
        media = choose_or_406(accept, ENTITY_OFFERS)
        headers["Vary"] = "Accept"
    description = kg_describe.describe(store, iri)
    if media == HTML:
        rich = ui.entity_sections(request, store, kind, name, description)
        sections, head = rich if rich is not None else ((), "")
        page = entity_page(description, Linker(store.iris, _root(request)), twin=twin, sections=sections, head=head)
        if not dot:
            headers["Content-Location"] = f"{twin}.html"
        return Response(page, media_type=HTML, headers=headers)
    fmt = _format_of(media)
    if not dot:
        headers["Content-Location"] = f"{twin}.{fmt.file_extension}"
    return _rdf_response(kg_describe.serialize_triples(description, fmt), fmt, headers=headers)


# --- the vocabulary files ---------------------------------------------------------------------------


def _vocabulary(request: Request, triples: Iterable[Triple], accept: str | None, extension: str | None,
                *, html: bool, path: str) -> Response:
    """``triples`` by ``Accept`` (``extension`` None) or as the file ``path.extension``."""
    offers = [RDF_MEDIA_TYPES[0], *([HTML] if html else []), *VOCABULARY_OFFERS[1:]]
    root = _root(request)
    alternates = [(f"{root}{path}.{ext}", _format_of_extension(ext).media_type) for ext in TWINS]
    if html:
        alternates.append((f"{root}{path}.html", HTML))
    headers = {"Link": _links(alternates)}
    if extension is None:
        media = choose_or_406(accept, offers)
        headers["Vary"] = "Accept"
    elif extension == "html" and html:
        media = HTML
    elif extension in TWINS:
        media = _format_of_extension(extension).media_type
    else:
        raise NotFound(f"{path}.{extension} does not exist: try {', '.join(p for p, _ in alternates)}")
    if media == HTML:
        linker = Linker(request.app.state.store.iris, root)
        page = ontology_page(kg_describe.ontology_terms(), linker, header=kg_describe.ontology_header())
        return Response(page, media_type=HTML, headers=headers)
    fmt = _format_of(media)
    body = kg_describe.serialize_triples(triples, fmt, prefixes=VOCABULARY_PREFIXES, compact=False)
    return _rdf_response(body, fmt, headers=headers)


@router.get("/ontology", operation_id="get_ontology", response_class=Response, summary="The ontology",
            responses={200: {**_RDF_RESPONSE, "content": {**_RDF_RESPONSE["content"], "text/html": {}}}})
def get_ontology(request: Request, accept: AcceptHeader = None) -> Response:
    """The ontology (`ontology/*.ttl` merged: classes, properties, concept schemes) in the format
    `Accept` asks for — Turtle for `*/*`, or an HTML list of the `pk:` terms."""
    return _vocabulary(request, kg_describe.ontology_triples(), accept, None, html=True, path="/ontology")


@router.get("/ontology.{extension}", operation_id="get_ontology_file", response_class=Response,
            summary="The ontology as a file",
            responses={200: {**_RDF_RESPONSE, "content": {**_RDF_RESPONSE["content"], "text/html": {}}},
                       404: {"description": "unknown suffix"}})
def get_ontology_file(request: Request, extension: Annotated[str, Path(examples=["ttl"])]) -> Response:
    """The ontology as `.ttl`, `.jsonld`, `.nt`, `.rdf` or `.html`."""
    return _vocabulary(request, kg_describe.ontology_triples(), None, extension, html=True, path="/ontology")


@router.get("/shapes", operation_id="get_shapes", response_class=Response, summary="The SHACL shapes",
            responses={200: _RDF_RESPONSE})
def get_shapes(request: Request, accept: AcceptHeader = None) -> Response:
    """The SHACL shapes every entry is validated against (`shapes/*.ttl`), Turtle for `*/*`."""
    return _vocabulary(request, kg_describe.shapes_triples(), accept, None, html=False, path="/shapes")


@router.get("/shapes.{extension}", operation_id="get_shapes_file", response_class=Response,
            summary="The SHACL shapes as a file", responses={200: _RDF_RESPONSE, 404: {"description": "unknown suffix"}})
def get_shapes_file(request: Request, extension: Annotated[str, Path(examples=["ttl"])]) -> Response:
    """The shapes as `.ttl`, `.jsonld`, `.nt` or `.rdf`."""
    return _vocabulary(request, kg_describe.shapes_triples(), None, extension, html=False, path="/shapes")


@router.get("/context.jsonld", operation_id="get_context", response_class=FileResponse,
            summary="The JSON-LD context", responses={200: {"content": {"application/ld+json": {}}, "description": "the context"}})
def get_context() -> FileResponse:
    """The JSON-LD context (`kg/context.jsonld`) that maps the API's JSON keys to IRIs."""
    return FileResponse(CONTEXT_PATH, media_type="application/ld+json")


# --- VoID -------------------------------------------------------------------------------------------


def _http_date(value: dt.datetime | None) -> dict[str, str]:
    return {"Last-Modified": format_datetime(value.astimezone(dt.timezone.utc), usegmt=True)} if value else {}


@router.get("/void", operation_id="get_void", response_class=Response,
            summary="VoID and DCAT description of the dataset", responses={200: _RDF_RESPONSE})
def get_void(store: StoreDep, accept: AcceptHeader = None) -> Response:
    """The dataset described with VoID and DCAT: size (`void:triples` counts the quads of the
    source graphs), entities, class and property partitions, the SPARQL endpoint, every dump,
    licence, last modified; each source's graph as a `void:subset`. Turtle for `*/*`."""
    media = choose_or_406(accept, VOCABULARY_OFFERS)
    fmt = _format_of(media)
    triples = kg_void.void_triples(store)
    headers = {"Vary": "Accept", "Cache-Control": "no-cache", **_http_date(kg_void.last_modified(store))}
    body = kg_describe.serialize_triples(triples, fmt, prefixes=kg_void.VOID_PREFIXES, compact=False)
    return _rdf_response(body, fmt, headers=headers)


# --- dumps ------------------------------------------------------------------------------------------


@router.get(
    "/dumps/{filename}",
    operation_id="get_dump",
    response_class=StreamingResponse,
    summary="A dump file, streamed",
    responses={200: {"content": {"application/trig": {}, "application/n-quads": {}, "text/turtle": {},
                                 "application/ld+json": {}}, "description": "the file"},
               404: {"description": "unknown source or format"}},
)
def get_dump(
    request: Request,
    store: StoreDep,
    filename: Annotated[str, Path(description="`policykg.{ext}` for everything, `{source-slug}.{ext}` "
                                  "for one source; ext: trig, nq, ttl, jsonld",
                                  examples=["policykg.trig", "ap-2024-07-02-un-ai-resolutions.nq"])],
) -> StreamingResponse:
    """The whole store (`policykg.trig`, `.nq`, `.jsonld`: every named graph with its name, the
    meta graph included; `policykg.ttl`: the union of the source graphs) or one source's graph
    (`{slug}.trig` …, with the meta graph's record of its load), streamed from the store."""
    name, dot, extension = filename.rpartition(".")
    if not dot or extension not in kg_void.DUMP_FORMATS:
        raise NotFound(f"no dump {filename!r}: files are NAME.trig, .nq, .ttl or .jsonld")
    source = None if name == kg_void.WHOLE_DUMP else name
    files: DumpFiles | None = request.app.state.dump_files if store.exclusive else None
    revision = store.revision
    media_type = kg_void.DUMP_FORMATS[extension].media_type
    modified = _http_date(kg_void.last_modified(store, source=source))
    headers = {
        "Content-Disposition": f'attachment; filename="{name}.{extension}"',
        "Cache-Control": "no-cache",
        **modified,
    }
    kept = files.kept(revision, filename) if files is not None else None
    if kept is not None:
        return FileResponse(kept, media_type=media_type, headers=headers)
    chunks = kg_void.dump_chunks(store, extension, source=source)  # NotFound for an unknown source
    if files is not None:
        chunks = files.tee(chunks, store, revision, filename)
    return StreamingResponse(chunks, media_type=media_type, headers=headers)


# HEAD answers as GET does, without the body (link checkers and Linked Data validators use it).
for _route in list(router.routes):
    router.add_api_route(_route.path, _route.endpoint, methods=["HEAD"], include_in_schema=False,
                         response_class=_route.response_class)
