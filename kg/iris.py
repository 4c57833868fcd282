"""Minting identifiers: the same input always gives the same IRI.

Entities named by curators keep their slug (``actor/fu-cong``); statements, positions,
memberships, provisions and reports get a stable hash of the source slug and the entry id. Each
source's triples live in a named graph in the sibling ``graph/`` folder of the data base.

>>> iris = Iris()
>>> iris.entity("actor", "fu-cong")
'https://w3id.org/policykg/id/actor/fu-cong'
>>> iris.graph("ap-2024-07-02-un-ai")
'https://w3id.org/policykg/graph/ap-2024-07-02-un-ai'
>>> iris.hashed("statement", "ap-2024-07-02-un-ai", "complementary")
'https://w3id.org/policykg/id/statement/40526c95f4c3b946'
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urljoin

from kg.errors import ConfigError

DEFAULT_BASE_IRI = "https://w3id.org/policykg/id/"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
NAMED_KINDS = ("actor", "role", "resolution", "measure", "event", "topic", "source")
HASHED_KINDS = ("statement", "position", "membership", "provision", "report")
KINDS = NAMED_KINDS + HASHED_KINDS
META_SLUG = "meta"


def slugify(text: str) -> str:
    """Lower-case ASCII slug: ``A/RES/78/311`` → ``a-res-78-311``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class Iris:
    """IRI minting under one data base IRI (it must end with ``/``)."""

    base: str = DEFAULT_BASE_IRI

    def __post_init__(self) -> None:
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+/$", self.base):
            raise ConfigError(f"base IRI {self.base!r} must be an http(s) IRI ending with '/'")

    @cached_property
    def graph_base(self) -> str:
        return urljoin(self.base, "../graph/")

    @cached_property
    def staging_base(self) -> str:
        """Prefix of the graphs a large load writes before it swaps them in (never a source's)."""
        return urljoin(self.base, "../staging/")

    @cached_property
    def meta_graph(self) -> str:
        return self.graph_base + META_SLUG

    def entity(self, kind: str, slug: str) -> str:
        return f"{self.base}{kind}/{slug}"

    def hashed(self, kind: str, source_slug: str, entry_id: str) -> str:
        digest = hashlib.sha256(f"{source_slug}/{entry_id}".encode()).hexdigest()[:16]
        return f"{self.base}{kind}/{digest}"

    def graph(self, source_slug: str) -> str:
        return self.graph_base + source_slug

    def source_slug_of_graph(self, graph_iri: str) -> str | None:
        if graph_iri.startswith(self.graph_base):
            slug = graph_iri[len(self.graph_base):]
            return slug if SLUG.match(slug) else None
        return None
