"""Token-guarded writes: ``POST /entries`` and ``DELETE /sources/{slug}``.

A write goes through the same parsing, validation and single-transaction commit as
``policykg load`` (:mod:`kg.load`): all or nothing.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse

from api.deps import StoreDep, WriterDep
from kg.entries import NamedInput
from kg.iris import SLUG
from kg.engine import writer_lane
from kg.history import MAX_NOTE, Change
from kg.load import LoadReport, delete_source, load_inputs

router = APIRouter(tags=["writes"])

# Content-Type → the file suffix the loader reads it as.
SUFFIXES = {
    "application/yaml": ".yaml",
    "application/x-yaml": ".yaml",
    "text/yaml": ".yaml",
    "application/json": ".json",
    "text/turtle": ".ttl",
    "application/trig": ".trig",
    "application/n-triples": ".nt",
    "application/n-quads": ".nq",
    "application/ld+json": ".jsonld",
}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
MAX_FILES = 100
"""Most files in one multipart batch (more: 400); their bytes together are bounded by POLICYKG_MAX_BODY."""

WRITE_RESPONSES = {
    201: {"description": "written (or unchanged: the same file as last loaded)", "content": {
        "application/json": {"example": {
            "loaded": ["ap-2024-07-02-un-ai-resolutions"], "unchanged": [], "triples": 725,
            "graphs": ["https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions"]}}}},
    400: {"description": "a multipart body that cannot be read, or of more than 100 files"},
    401: {"description": "no or wrong bearer token"},
    403: {"description": "writes are disabled (POLICYKG_TOKEN unset)"},
    413: {"description": "body larger than POLICYKG_MAX_BODY"},
    415: {"description": "unsupported Content-Type"},
    422: {"description": "the entries break the shapes: `errors` lists file, entry, field, message",
          "content": {"application/problem+json": {"example": {
              "type": "https://w3id.org/policykg/problems/invalid-entries", "title": "Unprocessable Entity",
              "status": 422, "detail": "1 problem(s) in the entries; nothing was written",
              "instance": "/entries", "errors": [{
                  "file": "later.yaml", "entry": "again", "field": "speaker", "line": 3,
                  "message": "unknown reference 'fu-cong': no actor with that id in these files or in the store"}]}}}},
    507: {"description": "the disk holding the store is full: nothing was written (problem type `store-full`)"},
}


def _suffix(content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media not in SUFFIXES:
        raise HTTPException(415, f"Content-Type {media or '(none)'!r} is not accepted; use one of "
                            f"{', '.join(SUFFIXES)}, or multipart/form-data with files")
    return SUFFIXES[media]


async def _inputs(request: Request, name: str | None) -> list[NamedInput]:
    content_type = request.headers.get("content-type", "")
    if content_type.lower().startswith("multipart/form-data"):
        form = await request.form(max_files=MAX_FILES, max_fields=MAX_FILES)
        items = []
        for _, part in form.multi_items():
            if isinstance(part, str):
                continue
            filename = part.filename or ""
            if not NAME.match(filename):
                raise HTTPException(422, f"file name {filename!r}: use letters, digits, '.', '_', '-'")
            items.append(NamedInput(filename, await part.read()))
        if not items:
            raise HTTPException(422, "the multipart body holds no files")
        return items
    suffix = _suffix(content_type)
    stem = name or "request-body"
    if not NAME.match(stem):
        raise HTTPException(422, f"name {stem!r}: use letters, digits, '.', '_', '-'")
    return [NamedInput(stem if stem.endswith(suffix) else stem + suffix, await request.body())]


ENTRIES_BODY = {"requestBody": {"required": True, "content": {
    **{media: {"schema": {"type": "string"}} for media in SUFFIXES},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
}}}


@router.post("/entries", status_code=201, operation_id="post_entries", responses=WRITE_RESPONSES,
             openapi_extra=ENTRIES_BODY)
async def post_entries(
    request: Request,
    store: StoreDep,
    writer: WriterDep,
    name: Annotated[str | None, Query(description="file name to report problems by")] = None,
    message: Annotated[str | None, Query(max_length=MAX_NOTE, description="why: a note kept in the record of "
                                         "each new version, like a commit message (docs/history.md)")] = None,
) -> JSONResponse:
    """Validate and load entries (YAML, JSON, Turtle, TriG, N-Triples, N-Quads, JSON-LD by
    Content-Type; several files as multipart/form-data) in one transaction."""
    from starlette.concurrency import run_in_threadpool

    items = await _inputs(request, name)

    def write() -> LoadReport:
        with writer_lane():
            return load_inputs(items, store, change=Change(writer, message))

    report = await run_in_threadpool(write)
    return JSONResponse(
        {"loaded": report.loaded, "unchanged": report.unchanged, "triples": report.triples,
         "graphs": [store.iris.graph(slug) for slug in report.loaded + report.unchanged]},
        status_code=201,
    )


@router.delete("/sources/{slug}", operation_id="delete_source", responses={
    200: {"description": "the source's graph and metadata are gone", "content": {"application/json": {
        "example": {"deleted": "https://w3id.org/policykg/graph/ap-2024-07-02-un-ai-resolutions"}}}},
    401: {"description": "no or wrong bearer token"}, 403: {"description": "writes are disabled"},
    404: {"description": "no such source"}})
def remove_source(slug: Annotated[str, Path(pattern=SLUG.pattern)], store: StoreDep, writer: WriterDep,
                  message: Annotated[str | None, Query(max_length=MAX_NOTE, description="why (kept with the "
                                                       "deletion's record)")] = None) -> dict:
    """Remove one source's named graph and its metadata in one transaction; its earlier versions
    stay in its history (docs/history.md)."""
    with writer_lane():
        return {"deleted": delete_source(slug, store, change=Change(writer, message))}
