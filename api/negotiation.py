"""Content negotiation (RFC 9110 §12.5.1): pick the best of what we offer for an ``Accept`` header.

>>> choose("text/turtle;q=0.5, application/ld+json", ["text/turtle", "application/ld+json"])
'application/ld+json'
>>> choose("*/*", ["text/turtle", "application/ld+json"])
'text/turtle'
>>> choose("image/png", ["text/turtle"]) is None
True
>>> choose("text/turtle;q=0, */*", ["text/turtle", "application/ld+json"])
'application/ld+json'

"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import HTTPException
from pyoxigraph import RdfFormat

RDF_MEDIA_TYPES = [
    RdfFormat.TURTLE.media_type,
    RdfFormat.JSON_LD.media_type,
    RdfFormat.N_TRIPLES.media_type,
    RdfFormat.RDF_XML.media_type,
]


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    ranges = []
    for index, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, index))
    return ranges


def choose(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers most (ties: our order); the first offer when no header."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    best: tuple[float, int] | None = None
    chosen = None
    for position, offer in enumerate(offers):
        kind = offer.split("/")[0]
        # The most specific range that matches decides the offer's quality (RFC 9110 §12.5.1).
        matches = [(2 if media == offer else 1 if media == f"{kind}/*" else 0, quality)
                   for media, quality, _ in ranges if media in (offer, f"{kind}/*", "*/*")]
        if not matches:
            continue
        quality = max(matches)[1]
        if quality > 0 and (best is None or (quality, -position) > best):
            best, chosen = (quality, -position), offer
    return chosen


def choose_or_406(accept: str | None, offers: Sequence[str]) -> str:
    """Like :func:`choose`, raising 406 Not Acceptable that lists the offers."""
    chosen = choose(accept, offers)
    if chosen is None:
        raise HTTPException(406, f"cannot answer in {accept!r}; available: {', '.join(offers)}")
    return chosen
