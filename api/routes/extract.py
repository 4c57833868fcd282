"""``POST /extract``: a draft entry file from an article's text (:mod:`kg.extract`).

Token-guarded like the writes, though it writes nothing: it reads the store to link names to
entities already there. The answer is the draft as JSON (``entries``, ``notes``, ``to_decide``,
and the YAML text under ``draft``), or the YAML itself for ``Accept: application/yaml``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep, WriterDep
from kg.errors import ConfigError
from kg.extract import MAX_ARTICLE, StoreLookup, article_text, extract, published_date

router = APIRouter(tags=["writes"])


class Article(BaseModel):
    """An article to draft entries from."""

    text: str = Field(min_length=1, max_length=MAX_ARTICLE, description="the article's text, headline first")
    published: str = Field(max_length=40, description="publication date, YYYY-MM-DD", examples=["2024-07-02"])
    publisher: str | None = Field(None, max_length=300, examples=["Associated Press"])
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=2000)


EXAMPLE = {"text": "UN adopts Chinese resolution\n\nUNITED NATIONS -- “We are firmly opposed to these "
                   "sanctions,” Fu Cong, China’s U.N. ambassador, told reporters Monday.",
           "published": "2024-07-02", "publisher": "Associated Press"}


@router.post("/extract", operation_id="post_extract", responses={
    200: {"description": "the draft: `entries` (the entry file as JSON), `notes` (why, per entry id), "
                         "`to_decide` (what a curator must settle) and `draft` (the YAML text)",
          "content": {"application/yaml": {"schema": {"type": "string"}}}},
    400: {"description": "a body that is not JSON"},
    401: {"description": "no or wrong bearer token"}, 403: {"description": "writes are disabled"},
    413: {"description": "body larger than POLICYKG_MAX_BODY"},
    422: {"description": "a field missing or wrong (the date, an empty text): `detail` names it"}})
async def post_extract(request: Request, store: StoreDep, writer: WriterDep,
                       article: Annotated[Article, Body(examples=[EXAMPLE])]) -> Response:
    """Draft statements, speakers, dates and stances from an article's text; writes nothing."""
    try:
        text = article_text(article.text.encode("utf-8"), "text")
        day = published_date(article.published, "published")
    except ConfigError as exc:
        raise HTTPException(422, str(exc)) from None
    draft = await run_in_threadpool(extract, text, published=day, publisher=article.publisher,
                                    title=article.title, url=article.url, lookup=StoreLookup(store))
    if "application/yaml" in request.headers.get("accept", ""):
        return Response(draft.yaml(), media_type="application/yaml")
    return JSONResponse(draft.json())
