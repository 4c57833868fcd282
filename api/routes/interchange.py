"""Interchange: one statement as a nanopublication or as a schema.org ClaimReview.

===================================  ==========================================================
``/statements/{slug}/nanopub``       the statement's nanopublication, by ``Accept``: TriG
                                     (default), N-Quads, JSON-LD; ``Vary: Accept``
``/statements/{slug}/claimreview``   its ClaimReview, JSON-LD (``application/ld+json``)
===================================  ==========================================================

Thin routes over :mod:`kg.interchange`, which builds both (what they hold, their IRIs). An
``Accept`` that allows none of the formats offered gets 406, an unknown statement 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path
from fastapi.responses import Response
from pyoxigraph import RdfFormat

from api.deps import StoreDep
from api.negotiation import choose_or_406
from kg import interchange

router = APIRouter(tags=["interchange"])

#: What a nanopublication is offered as, the default (for ``*/*``) first.
NANOPUB_OFFERS = [fmt.media_type for fmt in interchange.NANOPUB_FORMATS.values()]
JSON_LD = RdfFormat.JSON_LD.media_type
#: A ClaimReview is JSON-LD; a client asking for plain JSON gets it too.
CLAIMREVIEW_OFFERS = [JSON_LD, "application/json"]

StatementSlug = Annotated[str, Path(description="the 16 hex digits ending the statement's IRI",
                                    examples=["9e23eafbad935b76"])]
AcceptHeader = Annotated[str | None, Header(description="media types wanted")]


@router.get(
    "/statements/{slug}/nanopub",
    operation_id="get_statement_nanopub",
    response_class=Response,
    summary="A statement as a nanopublication",
    responses={200: {"description": "the four graphs (head, assertion, provenance, publication info)",
                     "content": {media: {} for media in NANOPUB_OFFERS}},
               404: {"description": "no such statement"}},
)
def get_statement_nanopub(store: StoreDep, slug: StatementSlug, accept: AcceptHeader = None) -> Response:
    """The statement as a nanopublication (nanopub schema `http://www.nanopub.org/nschema#`):
    a head graph linking the assertion (the statement's triples, with the types and names of
    what it refers to), the provenance (the sources it was derived from and each source graph's
    record: when and from which file it was loaded) and the publication info (when it was made,
    by whom, its licence). `Accept` chooses TriG (the default), N-Quads or JSON-LD; any other
    → 406. Its IRI is this path under the service's address (`https://w3id.org/policykg/…`)."""
    media = choose_or_406(accept, NANOPUB_OFFERS)
    fmt = RdfFormat.from_media_type(media)
    assert fmt is not None, media
    body = interchange.nanopub(store, slug).serialize(fmt)
    return Response(body, media_type=media, headers={"Vary": "Accept"})


@router.get(
    "/statements/{slug}/claimreview",
    operation_id="get_statement_claimreview",
    response_class=Response,
    summary="A statement as a schema.org ClaimReview",
    responses={200: {"description": "the ClaimReview, JSON-LD with its context inline",
                     "content": {JSON_LD: {}, "application/json": {}}},
               404: {"description": "no such statement"}},
)
def get_statement_claimreview(store: StoreDep, slug: StatementSlug, accept: AcceptHeader = None) -> Response:
    """The statement as a schema.org `ClaimReview`: the statement is the `Claim` (author the
    speaker, appearances the sources), `claimReviewed` its words, and the `reviewRating` rates
    the **attribution** — do the sources report that the speaker said it — from the statement's
    curation status, attribution confidence, retraction and correction; not the truth of the
    claim. No rating when the statement has none of these. Answered as `application/ld+json`
    (or `application/json` when only that is accepted); any other `Accept` → 406."""
    media = choose_or_406(accept, CLAIMREVIEW_OFFERS)
    body = interchange.claimreview_bytes(interchange.claimreview(store, slug))
    return Response(body, media_type=media, headers={"Vary": "Accept"})
