"""Record time (docs/history.md): ``GET /sources/{slug}/history`` lists the versions of a source,
``GET /sources/{slug}/versions/{number}`` gives one whole. ``as_of=`` on the REST lookups is
:func:`api.deps.get_read_store`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Path, Request
from fastapi.responses import Response, StreamingResponse
from pyoxigraph import RdfFormat, serialize
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.routes.sparql import _ANSWERS, FORM, Protocol, _answer
from api.negotiation import choose_or_406
from kg import history
from kg.iris import SLUG

router = APIRouter(tags=["history"])

SourceSlug = Annotated[str, Path(pattern=SLUG.pattern, description="the source's slug",
                                 examples=["ap-2024-07-02-un-ai-resolutions"])]
VERSION_FORMATS = [RdfFormat.TRIG, RdfFormat.N_QUADS, RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD]
VERSION_EXAMPLE = {
    "version": 2, "id": "https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions/version/2",
    "recordedAt": "2026-11-26T05:21:43Z", "recordedBy": "api", "changeNote": "a quote corrected",
    "loadedFrom": "ap-2024-07-02-un-ai-resolutions.yaml", "checksum": "sha256:…", "tripleCount": 725,
    "deleted": False}


@router.get("/sources/{slug}/history", operation_id="get_source_history", response_model=dict[str, Any],
            responses={200: {"content": {"application/json": {"example": {
                "source": "https://w3id.org/policykg/id/source/ap-2024-07-02-un-ai-resolutions",
                "graph": "https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions",
                "items": [VERSION_EXAMPLE]}}}},
                404: {"description": "no source with that slug was ever written (problem+json)"}})
async def get_source_history(store: StoreDep, slug: SourceSlug) -> dict[str, Any]:
    """Every version of a source's graph, oldest first: when it was recorded, by whom (the
    curator, or the name of the token), why, from which file, and how many triples; a deletion
    is a version too (`deleted`). Each version's `id` is its named graph in the history store,
    retrievable whole at `/sources/{slug}/versions/{version}`."""
    found = await run_in_threadpool(history.versions, store, slug)
    return {"source": store.iris.entity("source", slug), "graph": store.iris.graph(slug),
            "items": [v.as_json() for v in found]}


@router.get("/sources/{slug}/versions/{number}", operation_id="get_source_version",
            responses={200: {"content": {fmt.media_type: {} for fmt in VERSION_FORMATS},
                             "description": "the version's triples, in the negotiated format (TriG first)"},
                       404: {"description": "no such source or version (problem+json)"},
                       406: {"description": "none of the formats asked for"}})
async def get_source_version(store: StoreDep, slug: SourceSlug,
                             number: Annotated[int, Path(ge=1, le=10**9, description="the version's number")],
                             accept: Annotated[str | None, Header()] = None) -> Response:
    """One version of a source's graph, whole, as it was written (TriG and N-Quads name the graph
    by the version's IRI)."""
    media = choose_or_406(accept, [fmt.media_type for fmt in VERSION_FORMATS])
    fmt = RdfFormat.from_media_type(media)
    assert fmt is not None
    quads = await run_in_threadpool(history.version_quads, store, slug, number)
    items = quads if fmt.supports_datasets else [q.triple for q in quads]
    return Response(serialize(items, format=fmt) or b"", media_type=fmt.media_type)


@router.get("/dumps/history/policykg.nq", operation_id="get_history_dump", response_class=StreamingResponse,
            responses={200: {"content": {"application/n-quads": {}},
                             "description": "every version of every source, each in its named graph"}})
def get_history_dump(store: StoreDep) -> StreamingResponse:
    """The history store whole: every version of every source graph, named by the version's IRI
    (their records are in `/dumps/policykg.nq`'s meta graph). `policykg backup --server` reads
    it after the main dump."""
    return StreamingResponse(store.history.export_chunks(RdfFormat.N_QUADS), media_type=RdfFormat.N_QUADS.media_type,
                             headers={"Content-Disposition": 'attachment; filename="history.nq"'})


_HISTORY_QUERY = {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
                  "example": "SELECT ?q FROM <https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions/version/1> "
                             "WHERE { ?s <https://w3id.org/policykg/ontology#quote> ?q }"}


@router.get("/history/sparql", operation_id="history_sparql_get", response_class=Response, responses=_ANSWERS,
            summary="Query the versions by GET", openapi_extra={"parameters": [_HISTORY_QUERY]})
def history_sparql_get(request: Request, protocol: Protocol, store: StoreDep, settings: SettingsDep) -> Response:
    """SPARQL over the history store: every version of every source, each the named graph
    `<graph IRI>/version/<n>` (their records: the meta graph at `/sparql`). Name the versions you
    want with `FROM`, `FROM NAMED` or `GRAPH`: the default graph here is the union of all of
    them. Read-only, with the limits of `/sparql`."""
    if protocol.query is None:
        raise HTTPException(400, "give a query: /history/sparql?query=… (the service description is at /sparql)")
    return _answer(request, protocol, store.history, settings)


@router.post("/history/sparql", operation_id="history_sparql_post", response_class=Response, responses=_ANSWERS,
             summary="Query the versions by POST",
             openapi_extra={"requestBody": {"required": True, "content": {
                 FORM: {"schema": {"type": "object", "required": ["query"], "properties": {"query": {"type": "string"}}}}}}})
def history_sparql_post(request: Request, protocol: Protocol, store: StoreDep, settings: SettingsDep) -> Response:
    """The same as `GET /history/sparql`, by POST (a form, or `application/sparql-query`)."""
    if protocol.query is None:
        raise HTTPException(400, "give a query")
    return _answer(request, protocol, store.history, settings)
