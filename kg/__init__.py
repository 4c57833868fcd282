"""policykg: a knowledge graph of policy claims.

The library behind the ``policykg`` command and the web API: entries are parsed
(:mod:`kg.entries`), validated with SHACL (:mod:`kg.validate`), loaded into a store spoken to over
the SPARQL 1.1 Protocol (:mod:`kg.store`), and queried with named queries (:mod:`kg.queries`).
"""

from kg.errors import (
    ConfigError,
    EngineBusy,
    EngineError,
    EntryError,
    KgError,
    NotFound,
    Problem,
    QueryError,
    StoreFull,
    StoreLocked,
    ValidationFailed,
)

__all__ = [
    "ConfigError",
    "EngineBusy",
    "EngineError",
    "EntryError",
    "KgError",
    "NotFound",
    "Problem",
    "QueryError",
    "StoreFull",
    "StoreLocked",
    "ValidationFailed",
]
__version__ = "0.1.0"
