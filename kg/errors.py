"""Exceptions raised by policykg.

    KgError
    ├── ConfigError        a setting or option is wrong
    │   └── UnsupportedShape  the shapes use a SHACL feature kg.shacl_fast does not implement
    ├── EntryError         an entry file cannot be read or parsed (carries Problems)
    ├── ValidationFailed   entries break the shapes or reference unknown things (carries Problems)
    ├── PartlyLoaded       a chunked load failed after committing some chunks (says which)
    ├── NotFound           a named query, source or resource does not exist
    ├── QueryError         the engine rejected a query or update (syntax, truncation)
    │   ├── QueryTimeout   the query ran past its time limit and was stopped
    │   ├── QueryTruncated the engine cut the answer at its row limit (Virtuoso's ResultSetMaxRows)
    │   └── QueryRefused   a public query asks for what is not allowed (update, SERVICE, too big)
    └── EngineError        the engine could not be started or reached
        ├── EngineBusy     every query slot is taken (POLICYKG_MAX_CONCURRENT_QUERIES)
        ├── StoreLocked    another process owns the store directory
        └── StoreFull      the disk holding the store is full: the write was refused whole
"""

from __future__ import annotations

from dataclasses import dataclass

TO_DECIDE = "TO DECIDE:"
"""How a draft entry file (``policykg extract``) marks a value a curator must still choose:
entries reject it, naming the entry and field, until it is replaced."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an entry, in the curator's terms."""

    file: str
    entry: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.entry or '-'}: {self.field or '-'}: {self.message}"


class KgError(Exception):
    """Base class of every policykg error."""


class ConfigError(KgError):
    """A setting or an option has a wrong value."""


class _ProblemsError(KgError):
    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class EntryError(_ProblemsError):
    """An entry file could not be read or parsed."""


class ValidationFailed(_ProblemsError):
    """Entries break the shapes or reference what does not exist."""


class PartlyLoaded(KgError):
    """A load in chunks failed: ``failure`` is why; the sources in ``committed`` (``triples``
    triples) were written by the chunks before, and stay."""

    def __init__(self, failure: KgError, committed: list[str], triples: int):
        self.failure, self.committed, self.triples = failure, list(committed), triples
        super().__init__(f"{failure}\n{self.summary}")

    @property
    def summary(self) -> str:
        return (f"the chunk that failed was not written; {len(self.committed)} source(s) "
                f"({self.triples} triples) committed by the chunks before it stay: run the same "
                "command again to resume (they are skipped as unchanged)")


class NotFound(KgError):
    """A named query, source or resource does not exist."""


class QueryError(KgError):
    """The engine rejected a query or an update, or stopped it (timeout, truncation)."""


class QueryTimeout(QueryError):
    """The query ran past its time limit and was stopped; no partial answer is given."""


class QueryTruncated(QueryError):
    """The engine cut the answer at its row limit; ``limit`` is that limit when it said it."""

    def __init__(self, message: str, *, limit: int | None = None):
        super().__init__(message)
        self.limit = limit


class QueryRefused(QueryError):
    """A public query asks for what the endpoint does not allow (update, SERVICE, LOAD, too big)."""


class EngineError(KgError):
    """The SPARQL engine could not be started or reached."""


class EngineBusy(EngineError):
    """As many queries as allowed are already running: try again in a moment."""


class StoreLocked(EngineError):
    """Another process owns the store directory."""


class StoreFull(EngineError):
    """The disk holding the store is full: the write (or the opening) was refused, whole."""
