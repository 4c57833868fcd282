"""``/sparql``: the SPARQL 1.1 Protocol's query operation, read-only.

Implements https://www.w3.org/TR/sparql11-protocol/ §2.1: a query by ``GET ?query=`` (§2.1.1),
by ``POST`` of an ``application/x-www-form-urlencoded`` form (§2.1.2) or of an
``application/sparql-query`` body (§2.1.3), with the dataset given by ``default-graph-uri`` and
``named-graph-uri`` (§2.1.4); answers by ``Accept`` (§2.1.5). ``GET /sparql`` without a query
answers with the SPARQL 1.1 Service Description (:mod:`kg.service`). A ``format`` parameter
(``json``, ``xml``, ``csv``, ``tsv`` for SELECT and ASK; ``ttl``, ``jsonld``, ``nt``, ``rdf`` for
CONSTRUCT and DESCRIBE, and the names SPARQLWrapper sends) chooses the answer's format instead of
``Accept`` and answers it as a download (``Content-Disposition: attachment``), so that a plain
link can fetch a CSV; a value it does not know leaves the choice to ``Accept``.

Read-only: the update operation (§2.2) is not offered, and an update sent any way (an
``update`` parameter, an ``application/sparql-update`` body, update text as a query) is refused
with 400, as are ``SERVICE`` and ``LOAD``, before the engine sees anything (:mod:`kg.guard`).

Oxigraph reports an error met while it streams an answer *inside* its ``200`` answer, so the
whole answer is read and checked (:meth:`kg.store.Store.query_bytes` raises on a bad ending)
before the status is sent: a timeout is a 504, never a truncated 200. The answer is held in
memory up to ``POLICYKG_MAX_RESULT`` bytes; a bigger one is refused (400, ``query-refused``:
"result too large").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pyoxigraph
from fastapi import APIRouter, Depends, HTTPException, Request, Response

from api.deps import SettingsDep, StoreDep
from api.negotiation import RDF_MEDIA_TYPES, choose_or_406
from api.settings import Settings
from kg.errors import QueryRefused
from kg.guard import check_query
from kg.service import GRAPH_FORMATS, RESULTS_FORMATS, describe_service, media_type, serialize_description
from kg.store import Store

router = APIRouter(tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
RESULTS_TYPES = [media_type(fmt) for fmt in RESULTS_FORMATS]
GRAPH_TYPES = [media_type(fmt) for fmt in GRAPH_FORMATS]
assert GRAPH_TYPES == RDF_MEDIA_TYPES, "the endpoint offers the RDF formats of api.negotiation"
UTF8 = ("utf-8", "utf8")
#: ``format=`` values: the answer's media type by file extension, and the names SPARQLWrapper
#: and other clients send in the same parameter (an unknown name leaves the choice to Accept).
RESULTS_EXTENSIONS = {{"srj": "json", "srx": "xml"}.get(fmt.file_extension, fmt.file_extension): media_type(fmt)
                      for fmt in RESULTS_FORMATS}
GRAPH_EXTENSIONS = {fmt.file_extension: media_type(fmt) for fmt in GRAPH_FORMATS}
FORMAT_ALIASES = {
    "results": {"srj": "json", "srx": "xml"},
    "graph": {"turtle": "ttl", "n3": "ttl", "json-ld": "jsonld", "json": "jsonld", "xml": "rdf", "rdf+xml": "rdf",
              "ntriples": "nt", "n-triples": "nt"},
}
MAX_FIELDS = 1000
"""Most parameters read from a query string or form."""


@dataclass(frozen=True)
class ProtocolRequest:
    """What a request to ``/sparql`` asks, read from its query string and body (§2.1)."""

    query: str | None
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    format: str | None = None


async def read_protocol_request(request: Request) -> ProtocolRequest:
    """Read the protocol's parameters and refuse the protocol's bad requests.

    415 for a POST without ``Content-Type``, with another media type, or with a charset other
    than UTF-8; 400 for two queries, text that is not UTF-8, an invalid graph IRI, and any
    update (SPARQL Update is not offered).
    """
    params = _pairs(request.scope.get("query_string", b""), "the URL's query string")
    if request.method == "POST":
        media, charset = _content_type(request.headers.get("content-type"))
        if charset is not None and charset not in UTF8:
            raise HTTPException(415, f"the request body is in {charset}: send it as UTF-8 (charset=utf-8)")
        if media == UPDATE:
            raise QueryRefused("SPARQL Update (application/sparql-update) is refused: this endpoint is read-only")
        if media == FORM:
            params += _pairs(await request.body(), "the form")
        elif media == DIRECT:
            params.append(("query", _utf8(await request.body(), "the query")))
        else:
            raise HTTPException(415, f"a POST to /sparql needs Content-Type {DIRECT} or {FORM}, "
                                     f"not {media or 'none'}")
    names = [name for name, _ in params]
    if "update" in names:
        raise QueryRefused("SPARQL Update (the update parameter) is refused: this endpoint is read-only")
    queries = [value for name, value in params if name == "query"]
    if len(queries) > 1:
        raise HTTPException(400, f"the request has {len(queries)} queries: send exactly one query parameter")
    formats = [value for name, value in params if name == "format"]
    if len(formats) > 1:
        raise HTTPException(400, "the request has several format parameters: send at most one")
    if request.method == "POST" and not queries:
        raise HTTPException(400, "the request has no query: send one as the query parameter or the body")
    return ProtocolRequest(
        query=queries[0] if queries else None,
        default_graph_uris=_graph_iris(params, "default-graph-uri"),
        named_graph_uris=_graph_iris(params, "named-graph-uri"),
        format=formats[0] if formats else None,
    )


Protocol = Annotated[ProtocolRequest, Depends(read_protocol_request)]


# --- OpenAPI ---------------------------------------------------------------------------------------

EXAMPLE_QUERY = (
    "PREFIX pk: <https://w3id.org/policykg/ontology#>\n"
    "SELECT ?quote WHERE { ?s pk:speaker <https://w3id.org/policykg/id/actor/fu-cong> ; pk:quote ?quote } LIMIT 3"
)
_GRAPH_PARAMETERS: list[dict[str, Any]] = [
    {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
     "schema": {"type": "array", "items": {"type": "string", "format": "iri"}},
     "description": what, "example": ["https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions"]}
    for name, what in (
        ("default-graph-uri", "a graph of the query's default graph (repeatable); without it the "
                              "default graph is the union of all named graphs"),
        ("named-graph-uri", "a graph `GRAPH ?g` may match (repeatable); with a dataset given and none "
                            "of these, `GRAPH ?g` matches nothing"),
    )
]
_FORMAT_PARAMETER = {
    "name": "format", "in": "query", "required": False,
    "schema": {"type": "string"},
    "description": "the answer's format, instead of Accept, as a download: json, xml, csv, tsv (SELECT, ASK); "
                   "ttl, jsonld, nt, rdf (CONSTRUCT, DESCRIBE); another value leaves the choice to Accept",
    "example": "csv",
}
_QUERY_PARAMETER = {
    "name": "query", "in": "query", "required": False, "schema": {"type": "string"},
    "description": "the SPARQL query; without it, the service description", "example": EXAMPLE_QUERY,
}
_RESULTS_EXAMPLE = {"head": {"vars": ["quote"]}, "results": {"bindings": [
    {"quote": {"type": "literal", "value": "We are firmly opposed to these sanctions", "xml:lang": "en"}}]}}
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the answer: SELECT and ASK as SPARQL results (JSON by default), CONSTRUCT and "
                       "DESCRIBE as RDF (Turtle by default)",
        "content": {
            RESULTS_TYPES[0]: {"example": _RESULTS_EXAMPLE},
            **{media: {} for media in RESULTS_TYPES[1:]},
            **{media: {} for media in GRAPH_TYPES},
        },
    },
    400: {"description": "a malformed query (the parser's message), an update, SERVICE, LOAD, a query "
                         "over the guard's limits, an answer over POLICYKG_MAX_RESULT, two queries"},
    406: {"description": "none of the answer's formats is acceptable"},
    503: {"description": "the engine is restarting (Retry-After)"},
    504: {"description": "the query ran past POLICYKG_QUERY_TIMEOUT"},
}


# --- routes ----------------------------------------------------------------------------------------


@router.get(
    "/sparql",
    operation_id="sparql_get",
    summary="Query by GET (or read the service description)",
    response_class=Response,
    responses={**_ANSWERS, 200: {**_ANSWERS[200], "description": _ANSWERS[200]["description"]
                                 + "; without a query, the service description (Turtle by default)"}},
    openapi_extra={"parameters": [_QUERY_PARAMETER, *_GRAPH_PARAMETERS, _FORMAT_PARAMETER]},
)
def sparql_get(request: Request, protocol: Protocol, store: StoreDep, settings: SettingsDep) -> Response:
    """SPARQL 1.1 Protocol query by GET (§2.1.1). Without `query`, the SPARQL 1.1 Service
    Description of this endpoint, by `Accept` (Turtle, JSON-LD, N-Triples, RDF/XML)."""
    if protocol.query is None:
        return _service_description(request, store, settings)
    return _answer(request, protocol, store, settings)


@router.post(
    "/sparql",
    operation_id="sparql_post",
    summary="Query by POST",
    response_class=Response,
    responses={**_ANSWERS, 415: {"description": "a Content-Type other than the two below, none, or not UTF-8"}},
    openapi_extra={
        "parameters": [*_GRAPH_PARAMETERS, _FORMAT_PARAMETER],
        "requestBody": {
            "required": True,
            "content": {
                DIRECT: {"schema": {"type": "string"}, "example": EXAMPLE_QUERY},
                FORM: {"schema": {"type": "object", "required": ["query"], "properties": {
                    "query": {"type": "string"},
                    "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                    "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                }}},
            },
        },
    },
)
def sparql_post(request: Request, protocol: Protocol, store: StoreDep, settings: SettingsDep) -> Response:
    """SPARQL 1.1 Protocol query by POST: a form with `query` (§2.1.2), or the query itself as an
    `application/sparql-query` body with the graphs in the URL (§2.1.3)."""
    return _answer(request, protocol, store, settings)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
def sparql_other_method(request: Request) -> Response:
    raise HTTPException(405, f"{request.method} is not allowed: /sparql answers queries by GET and POST",
                        headers={"Allow": "GET, POST"})


# --- internals -------------------------------------------------------------------------------------


def _answer(request: Request, protocol: ProtocolRequest, store: Store, settings: Settings) -> Response:
    assert protocol.query is not None
    form = check_query(protocol.query)
    accept = request.headers.get("accept")
    headers = {"Vary": "Accept"}
    graph = form in ("CONSTRUCT", "DESCRIBE")
    offers = GRAPH_EXTENSIONS if graph else RESULTS_EXTENSIONS
    wanted = FORMAT_ALIASES["graph" if graph else "results"].get((protocol.format or "").lower(),
                                                                  (protocol.format or "").lower())
    if wanted in offers:  # a download link's choice, instead of Accept
        accept = offers[wanted]
        headers["Content-Disposition"] = f'attachment; filename="query.{wanted}"'
    if form in ("CONSTRUCT", "DESCRIBE"):
        chosen = choose_or_406(accept, GRAPH_TYPES)
    elif form is not None:
        chosen = choose_or_406(accept, RESULTS_TYPES)
    else:
        chosen = RESULTS_TYPES[0]  # no query form found: the engine's parser will say what is wrong
    chunks = store.query_bytes(
        protocol.query,
        media_type=chosen,
        default_graph_uris=protocol.default_graph_uris,
        named_graph_uris=protocol.named_graph_uris,
    )
    body = _read_whole(chunks, settings.max_result)
    return Response(body, media_type=chosen, headers=headers)


def _read_whole(chunks: Iterator[bytes], limit: int) -> bytes:
    """All the answer's bytes (the iterator raises if the answer is not complete), at most ``limit``."""
    parts: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise QueryRefused(
                    f"result too large: the answer is over {limit:,} bytes (POLICYKG_MAX_RESULT); "
                    "add LIMIT, or use the dumps (/dumps/) for the whole graph"
                )
            parts.append(chunk)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # hangs up on the engine when we stop early
    return b"".join(parts)


def _service_description(request: Request, store: Store, settings: Settings) -> Response:
    chosen = choose_or_406(request.headers.get("accept"), GRAPH_TYPES)
    fmt = pyoxigraph.RdfFormat.from_media_type(chosen)
    assert fmt is not None
    triples = describe_service(
        str(request.url.replace(query="", fragment="")),
        graphs=store.graphs(),
        meta_graph=store.iris.meta_graph,
        query_timeout=settings.query_timeout,
        max_result=settings.max_result,
    )
    return Response(serialize_description(triples, fmt), media_type=chosen, headers={"Vary": "Accept"})


def _content_type(header: str | None) -> tuple[str, str | None]:
    """The media type (lower case, '' if none) and the charset parameter (lower case) if any."""
    media, *params = (header or "").split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HTTPException(400, f"{what} is not UTF-8 (byte {error.start})") from None


def _pairs(data: bytes, what: str) -> list[tuple[str, str]]:
    """Name-value pairs of a query string or form, percent-decoded as UTF-8, strictly."""
    try:
        return parse_qsl(_utf8(data, what), keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_FIELDS)
    except UnicodeDecodeError:
        raise HTTPException(400, f"{what} has percent-encoded bytes that are not UTF-8") from None
    except ValueError:
        raise HTTPException(400, f"{what} has more than {MAX_FIELDS} parameters") from None


def _graph_iris(params: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    iris = tuple(value for key, value in params if key == name)
    for iri in iris:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError:
            raise HTTPException(400, f"{name} {iri!r} is not an IRI") from None
    return iris
