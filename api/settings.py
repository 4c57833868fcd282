"""Settings from the environment (``POLICYKG_*``), read once per process; tests override them.

>>> Settings(store=":memory:").max_body
10000000
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from kg.engine import MAX_QUERIES, EngineConfig
from kg.iris import DEFAULT_BASE_IRI

MEMORY = ":memory:"


class Settings(BaseSettings):
    """``POLICYKG_STORE``, ``POLICYKG_UPDATE_URL``, ``POLICYKG_GSP_URL``, ``POLICYKG_ENGINE_AUTH``,
    ``POLICYKG_BASE_IRI``, ``POLICYKG_TOKEN``, ``POLICYKG_QUERY_TIMEOUT``, ``POLICYKG_MAX_BODY``,
    ``POLICYKG_MAX_RESULT``, ``POLICYKG_MAX_CONCURRENT_QUERIES``, ``POLICYKG_CACHE_MB`` (the engine settings: ``docs/scaling.md``)."""

    model_config = SettingsConfigDict(env_prefix="POLICYKG_", extra="ignore")

    store: str = Field("var/store", description="store directory, engine query URL, or :memory:")
    update_url: str | None = Field(None, description="the engine's update URL, when not guessed from the query URL")
    gsp_url: str | None = Field(None, description="the engine's Graph Store Protocol URL, if it has one")
    engine_auth: str | None = Field(
        None, repr=False,
        description="engine credentials: basic:USER:PASSWORD, digest:USER:PASSWORD, bearer:TOKEN or @FILE")
    base_iri: str = Field(DEFAULT_BASE_IRI, description="base IRI of the data's identifiers")
    token: str | None = Field(None, repr=False, description="bearer token for writes; writes are disabled when unset")
    token_name: str = Field("api", min_length=1, max_length=200,
                            description="who writes with the token: recorded with each version it writes")
    query_timeout: float = Field(10.0, gt=0, description="seconds a query may run")
    max_body: int = Field(10_000_000, gt=0, description="largest request body accepted, in bytes")
    max_result: int = Field(50_000_000, gt=0, description="largest /sparql answer sent, in bytes")
    max_concurrent_queries: int = Field(
        MAX_QUERIES, ge=1, description="queries the engine runs at once; one more is answered 503 with Retry-After")
    cache_mb: int = Field(64, ge=0, description="megabytes of GET answers kept until the next write; 0: none")

    @property
    def store_location(self) -> str | EngineConfig | None:
        """What :class:`kg.store.Store` opens: None (in memory), a directory, or an engine."""
        if self.store == MEMORY:
            return None
        if self.store.startswith(("http://", "https://")):
            return EngineConfig(self.store, update_url=self.update_url or None,
                                gsp_url=self.gsp_url or None, auth=self.engine_auth or None)
        return self.store


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings (cached; tests pass their own to :func:`api.create_app`)."""
    return Settings()
