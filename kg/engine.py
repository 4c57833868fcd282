"""The SPARQL engine: a supervised Oxigraph server and the protocol client that talks to it.

policykg never evaluates SPARQL in its own process (see
``docs/decisions/0001-engine-as-a-sparql-service.md``). The engine is a SPARQL 1.1 service:

* :class:`OxigraphServer` starts ``oxigraph serve`` as a child process on a private loopback
  port, owning the store directory (none: in memory), restarts it when it has died, and stops
  it on :meth:`~OxigraphServer.stop`, at interpreter exit, and (Linux) when the process that
  started it dies.
* :class:`SparqlEngine` speaks the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/):
  queries by GET, or by form POST when long (§2.1.1, §2.1.2 — never a direct
  ``application/sparql-query`` POST), updates by form POST (§2.2.1), an explicit ``Accept``;
  and the SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/)
  for reading whole graphs (§5.2, GET).

What the client normalises, because Oxigraph 0.5 does it its own way:

* An error found while the answer streams (the ``--timeout-s`` cancellation, a failing
  ``SERVICE``, a storage error) is written as plain text *after* the results already sent,
  inside a ``200`` answer that then ends normally. :meth:`EngineResponse.iter_bytes` holds
  back everything after the last complete record of the format and raises
  :class:`~kg.errors.QueryError` when what is left is not a clean ending, so the error text
  never reaches a caller and a partial answer is never passed on as complete.
* The server's own timeout is whole seconds and coarse (a streaming cartesian product was
  measured running for minutes past ``--timeout-s 1``), so the client also enforces a deadline
  on every query and hangs up on the engine when it passes, which stops the evaluation of an
  answer that streams. It does not stop one that sends nothing until it is done: an aggregate
  (``COUNT`` over a cartesian product), a long property path, which Oxigraph 0.5.13 was
  measured evaluating on, a core each, long after the timeout and the hang-up. When a query's
  engine stays silent past the deadline, the supervisor therefore kills an engine on disk
  (:meth:`OxigraphServer.interrupt`; committed writes are kept) and restarts it on the next
  request: the queries in flight with it fail with :class:`~kg.errors.EngineError`. An engine
  in memory is not killed (its data would be lost): it works on until the query ends.
* At most ``max_queries`` queries run at once (a slot is held from the request until the
  answer has been read or closed); one more is refused at once with
  :class:`~kg.errors.EngineBusy` instead of waiting in a queue that grows without limit.
  The look-ups of writes have slots of their own (:func:`writer_lane`), so readers cannot
  starve them.
* A dead child is restarted before the next request (once per request); a request that could
  not connect is retried once after that restart. A request in flight when the engine dies is
  not retried: it fails with :class:`~kg.errors.EngineError`.

Other engines (see ``docs/decisions/0002-engine-differences.md`` and ``docs/scaling.md``): an
:class:`EngineConfig` names the query, update and Graph Store URLs and the credentials
(:func:`parse_auth`: Basic, Digest, Bearer); an :class:`EngineProfile`, chosen from the
``Server`` header of the first answer, says what differs. What the client normalises for
Virtuoso: an explicit ``Accept`` on every request (else HTML); never a direct
``application/sparql-query`` POST (it hangs); ``X-SQL-State: S1TAT`` (an "anytime" answer cut
by the engine's timeout) is :class:`~kg.errors.QueryTimeout`; ``X-SPARQL-MaxRows`` (the answer
cut at ``ResultSetMaxRows``, with 200 OK) is :class:`~kg.errors.QueryTruncated`; an update
refused for lack of rights (500 ``SECURITY``) is an :class:`~kg.errors.EngineError` naming the
credential settings — never their values.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes
import logging
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph

from kg.errors import (
    ConfigError,
    EngineBusy,
    EngineError,
    NotFound,
    QueryError,
    QueryTimeout,
    QueryTruncated,
    StoreFull,
    StoreLocked,
)

__all__ = [
    "EngineConfig",
    "EngineProfile",
    "EngineResponse",
    "Endpoints",
    "OxigraphServer",
    "SparqlEngine",
    "find_oxigraph",
    "parse_auth",
]

log = logging.getLogger(__name__)

ENGINE_LOG_NAME = "engine.log"
"""The server's stdout and stderr go to this file inside the store directory."""

STARTUP_TIMEOUT = 30.0
"""Seconds to wait for a starting server to answer (opening a big RocksDB store takes a while),
plus one second per :data:`REPLAY_BYTES_PER_S` of write-ahead log it must replay first."""

REPLAY_BYTES_PER_S = 10_000_000
"""A slow rate of replaying RocksDB's write-ahead log (``*.log`` in the store) on opening: a
store just written by a large import held 1.3 GB of it, and its engine did not answer within
30 s on a loaded machine (`python -m benchmarks.loadtest`, docs/reliability.md)."""

STOP_GRACE = 5.0
"""Seconds between SIGTERM and SIGKILL when stopping the server."""

CONNECT_TIMEOUT = 5.0
TIMEOUT_MARGIN = 1.0
"""Seconds the client waits beyond the query timeout before it hangs up on the engine."""
CHUNK = 1 << 18
"""Bytes read from a streamed answer at a time: few and large chunks keep a relay of a dump
(one thread hop per chunk in the web server) about as fast as the engine's own (measured by
hand on the 10k benchmark store: 32k quads/s with httpx's default chunks, 109k with these; the
engine's own GET /store about 120k)."""

CRASH_GRACE = 1.0
"""Seconds to wait, when the engine cuts a connection, for its process to be seen dead."""

MAX_QUERIES = 8
"""Queries the client lets run at once by default (each may keep an engine thread busy until its
timeout); more are refused with :class:`~kg.errors.EngineBusy`."""

WRITER_QUERIES = 2
"""Query slots kept for the look-ups of writes (:func:`writer_lane`), beside ``max_queries``: a
server saturated by public reads still validates and commits a curator's entries (the 1M load
test of 2026-11-26 had 293 of 346 writes refused as busy while they shared the readers' slots)."""

_WRITER_LANE: contextvars.ContextVar[bool] = contextvars.ContextVar("policykg_writer_lane", default=False)


@contextlib.contextmanager
def writer_lane() -> Iterator[None]:
    """Within this block (in this thread or task), queries take the writers' slots
    (:data:`WRITER_QUERIES`) instead of the readers'."""
    token = _WRITER_LANE.set(True)
    try:
        yield
    finally:
        _WRITER_LANE.reset(token)

FREE_SPACE_MARGIN = 16 << 20
"""Bytes free on the store's disk, beyond four times the update, before a write refused for lack
of space is tried again (after reopening the storage)."""

UPDATE_TIMEOUT = 600.0
"""Seconds the client waits for an update's answer (the server has no update timeout)."""

GET_URL_LIMIT = 2000
"""Queries whose GET URL would be longer than this are sent as a form POST (§2.1.2)."""

UPDATE_ACCEPT = "application/sparql-results+json, text/plain;q=0.9, */*;q=0.1"
"""Sent with updates: Virtuoso answers an update without ``Accept`` in HTML."""

_CANCELLED = "operation has been cancelled"  # Oxigraph's words when --timeout-s fires
# Virtuoso's, in an error answer, when its time limit stops a query: S1TAT, or now and then
# SR203 ("Async statement killed by SQLCancel")
_STOPPED = re.compile(r"\bS1TAT\b|\bSR203\b")
_REFUSED = re.compile(r"SECURITY|No permission|not authori[sz]ed|permission denied|SR186|SR185",
                      re.IGNORECASE)  # Virtuoso's 500 for an update without the rights
_LOCKED = re.compile(
    r"\block\b|/LOCK\b|resource temporarily unavailable|would block", re.IGNORECASE
)
_NO_SPACE = "no space left on device"  # ENOSPC, in RocksDB's and Rust's words
_LISTENING = re.compile(r"Listening for requests at http://127\.0\.0\.1:(\d+)")


def find_oxigraph() -> Path:
    """The ``oxigraph`` binary: beside the running Python (the venv's ``bin``), else on PATH.

    >>> find_oxigraph().name.startswith("oxigraph")
    True
    """
    name = "oxigraph.exe" if os.name == "nt" else "oxigraph"
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise EngineError(
        f"the `oxigraph` server binary was not found beside {sys.executable} nor on PATH: "
        "install the `oxigraph` package (pip install oxigraph) into this environment"
    )


@dataclass(frozen=True)
class Endpoints:
    """Where a SPARQL service answers: query, update and (optional) Graph Store URLs."""

    query_url: str
    update_url: str | None = None
    store_url: str | None = None

    @classmethod
    def from_query_url(cls, url: str) -> Endpoints:
        """Guess the other endpoints from a query URL ending in ``/query`` (Oxigraph's layout).

        >>> Endpoints.from_query_url("http://example.org/query").store_url
        'http://example.org/store'
        >>> Endpoints.from_query_url("http://example.org/sparql").update_url is None
        True
        """
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"the engine URL {url!r} is not an http(s) URL")
        if not parts.path.endswith("/query"):
            return cls(url)
        base = parts.path[: -len("query")]

        def sibling(name: str) -> str:
            return urlunsplit((parts.scheme, parts.netloc, base + name, "", ""))

        return cls(url, sibling("update"), sibling("store"))


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str):
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
        request.headers["Authorization"] = self._header
        yield request


def parse_auth(spec: str | None) -> httpx.Auth | None:
    """Credentials for the engine from ``basic:USER:PASSWORD``, ``digest:USER:PASSWORD``,
    ``bearer:TOKEN``, or ``@/path/to/file`` holding one of those (None or empty: none).

    Error messages never repeat the credentials.

    >>> type(parse_auth("digest:writer:s3cret")).__name__
    'DigestAuth'
    >>> parse_auth("password")
    Traceback (most recent call last):
    ...
    kg.errors.ConfigError: POLICYKG_ENGINE_AUTH must be basic:USER:PASSWORD, digest:USER:PASSWORD, bearer:TOKEN or @FILE
    """
    if spec is None or not spec.strip():
        return None
    spec = spec.strip()
    if spec.startswith("@"):
        path = Path(spec[1:]).expanduser()
        try:
            spec = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(f"cannot read the engine credentials file {path}: {error.strerror}") from None
    scheme, _, rest = spec.partition(":")
    scheme = scheme.lower()
    if scheme in ("basic", "digest"):
        user, sep, password = rest.partition(":")
        if sep and user:
            return httpx.BasicAuth(user, password) if scheme == "basic" else httpx.DigestAuth(user, password)
    elif scheme == "bearer" and rest:
        return _BearerAuth(rest)
    raise ConfigError("POLICYKG_ENGINE_AUTH must be basic:USER:PASSWORD, digest:USER:PASSWORD, "
                      "bearer:TOKEN or @FILE")


@dataclass(frozen=True)
class EngineConfig:
    """An engine someone else runs: its URLs and credentials (``POLICYKG_STORE``,
    ``POLICYKG_UPDATE_URL``, ``POLICYKG_GSP_URL``, ``POLICYKG_ENGINE_AUTH``).

    ``update_url`` defaults to Oxigraph's layout (``…/query`` → ``…/update``), else to the query
    URL itself (Virtuoso, Neptune); ``gsp_url`` to Oxigraph's ``…/store``, else none (whole
    graphs are then read with queries). ``auth`` is the credentials string of
    :func:`parse_auth`; it is not shown by ``repr``.

    >>> EngineConfig("http://localhost:8890/sparql", auth="basic:u:p")
    EngineConfig(query_url='http://localhost:8890/sparql', update_url=None, gsp_url=None)
    >>> EngineConfig("http://h/sparql").endpoints().update_url
    'http://h/sparql'
    """

    query_url: str
    update_url: str | None = None
    gsp_url: str | None = None
    auth: str | None = field(default=None, repr=False)

    def endpoints(self) -> Endpoints:
        guessed = Endpoints.from_query_url(self.query_url)
        for url in (self.update_url, self.gsp_url):
            if url is not None:
                Endpoints.from_query_url(url)  # checks it is an http(s) URL
        return Endpoints(
            self.query_url,
            self.update_url or guessed.update_url or self.query_url,
            self.gsp_url or guessed.store_url,
        )


@dataclass(frozen=True)
class EngineProfile:
    """What differs between engines, as far as policykg cares (see decision 0002).

    ``union_default_graph``: the default graph is the union of the named graphs (True), a graph
    of its own (False), or not known yet (None: the store finds out from the data).
    ``foreign_graphs``: the engine keeps graphs of its own beside ours (Virtuoso's system graphs).
    ``atomic_requests``: an update request of several operations is applied all or nothing.
    ``dataset_get``: the Graph Store endpoint answers a GET of the whole dataset (Oxigraph).
    ``max_rows``: the engine cuts answers at this many rows (Virtuoso's ``ResultSetMaxRows``).
    ``timeout_param``: the query parameter that makes the engine itself stop a query after so
    many milliseconds (Virtuoso's ``timeout``; its answer then says ``X-SQL-State: S1TAT``).
    ``max_update_bytes``: the largest update request the engine takes, with a margin (Virtuoso:
    "the requested string session is longer than 10Mb"); larger loads are staged in pieces.
    ``direct_update``: the engine takes an update as the body of an ``application/sparql-update``
    POST (§2.2.2), which saves percent-encoding a large update as a form (measured: 0.55 s of
    Python for a 27,000-triple load).
    """

    name: str
    union_default_graph: bool | None = None
    foreign_graphs: bool = False
    atomic_requests: bool = False
    dataset_get: bool = False
    max_rows: int | None = None
    timeout_param: str | None = None
    direct_update: bool = False
    max_update_bytes: int | None = None


OXIGRAPH = EngineProfile("oxigraph", atomic_requests=True, dataset_get=True, direct_update=True,
                         max_update_bytes=100_000_000)  # the server refuses a body over 128 MiB
VIRTUOSO = EngineProfile("virtuoso", union_default_graph=True, foreign_graphs=True, timeout_param="timeout",
                         max_update_bytes=60_000)
GENERIC = EngineProfile("sparql")
"""Any other SPARQL 1.1 engine: nothing assumed (the careful choices)."""

_PROBE_ROWS = "SELECT ?a WHERE { " + " ".join(
    f"VALUES ?{v} {{ 0 1 2 3 4 5 6 7 8 9 }}" for v in "abcde") + " }"
"""100,000 tiny rows: the answer is cut, and says so, where the engine caps rows below that."""


def _engine_timeout_ms(seconds: float) -> int:
    """The timeout to ask of the engine: Virtuoso checks its timer every 2 s, so it stops an
    anytime query up to 2 s after the time asked (seen with 7.2: 2 s asked → stopped after 2.0 or
    4.0 s); ask for a multiple of 2 s at least 2 s below ours, and it stops before the client
    hangs up (for timeouts of 4 s and more).

    >>> _engine_timeout_ms(10), _engine_timeout_ms(4), _engine_timeout_ms(1)
    (8000, 2000, 1000)
    """
    return max(1000, int((seconds - 2) // 2) * 2000)


def profile_for(server_header: str) -> EngineProfile:
    """The profile of the engine that sent this ``Server`` header.

    >>> profile_for("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu").name
    'virtuoso'
    >>> profile_for("Oxigraph/0.5.13").name, profile_for("Apache Jena Fuseki").name
    ('oxigraph', 'sparql')
    """
    lowered = server_header.lower()
    if lowered.startswith("virtuoso"):
        return VIRTUOSO
    if lowered.startswith("oxigraph"):
        return OXIGRAPH
    return GENERIC


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a child server to bind)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prepare_location(location: Path) -> Path:
    location = Path(location).expanduser().absolute()
    if location.exists() and not location.is_dir():
        raise ConfigError(f"the store location {location} exists and is not a directory")
    try:
        location.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"cannot create the store directory {location}: {error.strerror}") from None
    if not os.access(location, os.W_OK | os.X_OK):
        if os.statvfs(location).f_flag & os.ST_RDONLY:
            raise ConfigError(f"the store directory {location} is on a read-only file system: the "
                              "engine writes to its directory even to read (its lock, its logs); "
                              "mount it read-write, or copy the store elsewhere")
        raise ConfigError(f"the store directory {location} is not writable by this user "
                          f"(uid {os.getuid()}): the engine must write to it")
    return location


def lock_holder(location: Path) -> str | None:
    """Which process holds the engine's lock on the store directory ``location``, as
    ``"`command` (pid N), started by `command` (pid M)"`` — None if none does, or if it cannot
    be told (Linux only: the POSIX lock RocksDB takes on ``LOCK``, found in ``/proc/locks``).

    Asked before the engine starts, so that a store in use is refused without touching it.
    """
    try:
        lock = os.stat(Path(location) / "LOCK")
        with open("/proc/locks", encoding="ascii") as table:
            lines = table.read().splitlines()
    except OSError:
        return None
    device = f"{os.major(lock.st_dev):02x}:{os.minor(lock.st_dev):02x}:{lock.st_ino}"
    for line in lines:
        fields = line.split()
        if len(fields) >= 6 and "->" not in fields and fields[5] == device and fields[4].isdigit():
            pid = int(fields[4])
            parent = _parent_pid(pid)
            held = f"`{_command_line(pid)}` (pid {pid})"
            if parent and parent != os.getpid():
                held += f", started by `{_command_line(parent)}` (pid {parent})"
            return held
    return None


def _command_line(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace").split("\0")
    except OSError:
        return "?"
    words = [word for word in words if word]
    if len(words) > 1 and Path(words[0]).name.startswith("python"):
        words = words[1:]  # `python …/policykg serve …` is `policykg serve …`
    if not words:
        return "?"
    text = " ".join([Path(words[0]).name, *words[1:]])
    return text if len(text) <= 160 else text[:157] + "..."


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _locked(location: Path, holder: str | None) -> StoreLocked:
    who = f", {holder}" if holder else ""
    return StoreLocked(
        f"the store {location} is in use by another process{who}: stop it; or, if it is a running `policykg "
        "serve`, go through it: `policykg load --server http://HOST:PORT --token TOKEN FILE…` "
        "(POST /entries), `policykg backup FILE --server http://HOST:PORT`"
    )


def _parent_death_signal() -> object | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when the thread that started it ends.

    The kernel ties the signal to the thread that forked, not to the process: so every engine is
    started from one thread that lives as long as the process (:func:`_start_child`), and an
    engine restarted by a request thread of ``policykg serve`` dies with it too, even by SIGKILL.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def set_signal() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return set_signal


def _engine_environment() -> dict[str, str]:
    """The engine's environment: ours, with glibc's malloc held to one arena per core unless
    ``MALLOC_ARENA_MAX`` is set already. The engine answers queries on many threads and glibc
    gives threads up to eight arenas per core, whose freed memory it seldom returns: on the
    1M-statement benchmark store, 21 heavy REST lookups eight at a time left the engine at
    627–744 MB by default and 485–498 MB with two arenas, in the same time (by hand, three runs
    each, docs/benchmarks.md). One arena (412 MB) took 28 s where the others took 15–18."""
    env = dict(os.environ)
    env.setdefault("MALLOC_ARENA_MAX", str(max(2, os.cpu_count() or 2)))
    return env


_STARTER: ThreadPoolExecutor | None = None
_STARTER_LOCK = threading.Lock()


def _start_child(command: list[str], **options: object) -> subprocess.Popen[bytes]:
    """``subprocess.Popen(command, **options)`` run by the one thread that starts engines (it
    waits for work as long as the process lives), with the parent-death signal set."""
    global _STARTER
    with _STARTER_LOCK:
        if _STARTER is None:
            _STARTER = ThreadPoolExecutor(1, thread_name_prefix="policykg-engine-starter")
    try:
        started = _STARTER.submit(subprocess.Popen, command, preexec_fn=_parent_death_signal(), **options)
    except RuntimeError:  # the interpreter is shutting down: no new thread work
        return subprocess.Popen(command, **options)  # type: ignore[call-overload]
    return started.result()


class _Child:
    """The live process and its temporary log; the finalizer holds this, never the server."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.temp_log: Path | None = None

    def stop(self, grace: float = STOP_GRACE) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            _terminate(proc, grace)
        if self.temp_log is not None:
            self.temp_log.unlink(missing_ok=True)
            self.temp_log = None


def _terminate(proc: subprocess.Popen[bytes], grace: float) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


class OxigraphServer:
    """An ``oxigraph serve`` child process on a private loopback port.

    >>> server = OxigraphServer()
    >>> server.start(None, timeout_s=5)
    >>> server.running, server.endpoints.query_url.startswith("http://127.0.0.1:")
    (True, True)
    >>> server.stop()
    >>> server.running
    False
    """

    def __init__(self, *, binary: Path | None = None, startup_timeout: float = STARTUP_TIMEOUT):
        self._binary = binary
        self._startup_timeout = startup_timeout
        self._child = _Child()
        self._finalizer: weakref.finalize | None = None
        self._lock = threading.RLock()
        self._location: Path | None = None
        self._timeout_s = 0
        self._port: int | None = None
        self._log_path: Path | None = None
        self.restarts = 0

    # -- state

    @property
    def location(self) -> Path | None:
        """The store directory the server owns (None: in memory)."""
        return self._location

    @property
    def log_path(self) -> Path | None:
        """The file receiving the server's output."""
        return self._log_path

    @property
    def pid(self) -> int | None:
        proc = self._child.proc
        return proc.pid if proc is not None else None

    @property
    def running(self) -> bool:
        proc = self._child.proc
        return proc is not None and proc.poll() is None

    @property
    def endpoints(self) -> Endpoints:
        if self._port is None:
            raise EngineError("the engine has not been started")
        base = f"http://127.0.0.1:{self._port}"
        return Endpoints(f"{base}/query", f"{base}/update", f"{base}/store")

    # -- lifecycle

    def start(self, location: Path | None, *, timeout_s: float) -> None:
        """Start the server on ``location`` (a directory, created if missing; None: in memory).

        ``timeout_s`` is the server's query timeout, rounded up to whole seconds (its unit).
        Raises :class:`StoreLocked` when another process holds the directory.
        """
        with self._lock:
            if self._child.proc is not None:
                raise EngineError("the engine is already started")
            if timeout_s <= 0:
                raise ConfigError(f"the query timeout must be positive, not {timeout_s}")
            self._location = _prepare_location(location) if location is not None else None
            if self._location is not None:
                holder = lock_holder(self._location)
                if holder is not None:
                    raise _locked(self._location, holder)
            self._timeout_s = max(1, math.ceil(timeout_s))
            binary = self._binary or find_oxigraph()
            self._binary = binary
            if self._location is not None:
                self._log_path = self._location / ENGINE_LOG_NAME
            else:
                fd, name = tempfile.mkstemp(prefix="policykg-engine-", suffix=".log")
                os.close(fd)
                self._log_path = self._child.temp_log = Path(name)
            self._finalizer = weakref.finalize(self, _Child.stop, self._child)
            try:
                self._spawn(port=None)
            except BaseException:
                self._finalizer()
                raise

    def ensure_running(self) -> bool:
        """Restart the server if it has died; True when it was restarted.

        Raises :class:`EngineError` (with the server's last log lines) if it cannot be restarted.
        """
        with self._lock:
            if self._port is None:
                raise EngineError("the engine has not been started")
            if self.running:
                return False
            proc = self._child.proc
            code = proc.returncode if proc is not None else None
            log.warning("the SPARQL engine (pid %s) exited with %s: restarting it", self.pid, code)
            self._child.proc = None
            self._spawn(port=self._port)
            self.restarts += 1
            return True

    def interrupt(self) -> bool:
        """Stop the process, and with it every query it is evaluating, so that the next request
        restarts it; True when done. Only on disk: in memory the data would be lost (False)."""
        with self._lock:
            proc = self._child.proc
            if self._location is None or proc is None or proc.poll() is not None:
                return False
            log.warning("stopping the SPARQL engine (pid %s): a query runs past its timeout", proc.pid)
            _terminate(proc, STOP_GRACE)
            return True

    def restart(self) -> None:
        """Stop the running server and start it again on the same port (its storage reopened)."""
        with self._lock:
            proc = self._child.proc
            if proc is not None:
                _terminate(proc, STOP_GRACE)
            self.ensure_running()

    def stop(self) -> None:
        """Stop the server (SIGTERM, SIGKILL after a grace period) and wait for it."""
        with self._lock:
            if self._finalizer is not None:
                self._finalizer()
            self._port = None

    def __enter__(self) -> OxigraphServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._location or "memory"
        return f"<OxigraphServer {where} pid={self.pid} port={self._port}>"

    # -- internals

    def _command(self, port: int) -> list[str]:
        command = [str(self._binary), "serve"]
        if self._location is not None:
            command += ["--location", str(self._location)]
        command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        return command + ["--timeout-s", str(self._timeout_s)]

    def _spawn(self, port: int | None) -> None:
        assert self._log_path is not None
        last_error = "no attempt"
        for _attempt in range(3):
            chosen = port or free_port()
            offset = self._log_path.stat().st_size if self._log_path.exists() else 0
            with open(self._log_path, "ab") as log_file:
                proc = _start_child(
                    self._command(chosen),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    env=_engine_environment(),
                    start_new_session=True,  # a Ctrl-C in the terminal reaches us, not the engine
                )
            try:
                self._wait_ready(proc, chosen, offset)
            except _PortTaken as taken:
                last_error = str(taken)
                port = None
                continue
            except BaseException:
                _terminate(proc, 1.0)
                raise
            self._child.proc = proc
            self._port = chosen
            return
        raise EngineError(f"could not find a free loopback port for the engine: {last_error}")

    def _log_since(self, offset: int) -> str:
        assert self._log_path is not None
        try:
            with open(self._log_path, "rb") as handle:
                handle.seek(offset)
                return handle.read(1 << 20).decode("utf-8", "replace")
        except OSError:
            return ""

    def _failure(self, offset: int, what: str) -> EngineError:
        text = self._log_since(offset)
        text = text.split("Stack backtrace:", 1)[0].strip()
        tail = "\n".join(text.splitlines()[-15:]) or "(the engine wrote nothing)"
        if self._location is not None and _LOCKED.search(text):
            return _locked(self._location, lock_holder(self._location))
        if self._location is not None and _NO_SPACE in text.lower():
            return StoreFull(
                f"the disk holding the store {self._location} is full: the engine cannot open "
                f"it; free space on that disk, then retry (the store was not changed). The engine "
                f"said: {tail.splitlines()[-1][:300]}")
        return EngineError(f"{what}; the engine said:\n{tail}")

    def _startup_allowance(self) -> float:
        """:data:`STARTUP_TIMEOUT`, and more for the write-ahead log the store has to replay."""
        replay = 0
        if self._location is not None:
            replay = sum(log_file.stat().st_size for log_file in self._location.glob("*.log")
                         if log_file.name != ENGINE_LOG_NAME)
        return self._startup_timeout + replay / REPLAY_BYTES_PER_S

    def _wait_ready(self, proc: subprocess.Popen[bytes], port: int, offset: int) -> None:
        deadline = time.monotonic() + self._startup_allowance()
        pause = 0.005
        listening = False
        with httpx.Client(timeout=1.0, trust_env=False) as probe:
            while True:
                code = proc.poll()
                if code is not None:
                    text = self._log_since(offset)
                    if "address already in use" in text.lower() or "os error 98" in text.lower():
                        raise _PortTaken(f"port {port} was taken")
                    how = (f"was killed by {signal.Signals(-code).name}" if code < 0 and -code in
                           signal.valid_signals() else f"exited with status {code}")
                    raise self._failure(offset, f"the engine {how} on start")
                if not listening:
                    # Our own process says it bound the port: nobody else is answering there.
                    match = _LISTENING.search(self._log_since(offset))
                    listening = match is not None and int(match.group(1)) == port
                if listening:
                    try:
                        url = f"http://127.0.0.1:{port}/query"
                        answer = probe.get(url, params={"query": "ASK {}"})
                        if answer.status_code == 200:
                            return
                    except httpx.TransportError:
                        pass
                if time.monotonic() > deadline:
                    _terminate(proc, 1.0)
                    raise self._failure(
                        offset, f"the engine did not answer within {self._startup_allowance():.0f} s"
                    )
                time.sleep(pause)
                pause = min(pause * 2, 0.1)


class _PortTaken(Exception):
    pass


# --------------------------------------------------------------------------- the client


def _record_end(media_type: str) -> bytes | None:
    """The bytes that can end a complete record in this serialisation (None: unknown format)."""
    results = pyoxigraph.QueryResultsFormat.from_media_type(media_type)
    if results is not None:
        if results in (pyoxigraph.QueryResultsFormat.CSV, pyoxigraph.QueryResultsFormat.TSV):
            return b"\n"
        return b"}]" if results == pyoxigraph.QueryResultsFormat.JSON else b">"
    rdf = pyoxigraph.RdfFormat.from_media_type(media_type)
    if rdf is None:
        return None
    if rdf in (pyoxigraph.RdfFormat.JSON_LD, pyoxigraph.RdfFormat.STREAMING_JSON_LD):
        return b"}]"
    return b">" if rdf == pyoxigraph.RdfFormat.RDF_XML else b"\n"


def _last_end(data: bytes, ends: bytes) -> int:
    return max(data.rfind(bytes([byte])) for byte in ends)


class _Slot:
    """One of the engine's query slots, given back exactly once."""

    def __init__(self, slots: threading.BoundedSemaphore):
        self._slots: threading.BoundedSemaphore | None = slots
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            slots, self._slots = self._slots, None
        if slots is not None:
            slots.release()


def _close(response: httpx.Response, slot: _Slot | None) -> None:
    response.close()
    if slot is not None:
        slot.release()


class EngineResponse:
    """One answer of the engine, read once: :meth:`iter_bytes` or :meth:`read`.

    Streaming checks (see the module docstring): transport failures, the client-side
    deadline, and an error appended by the engine after a ``200`` all raise; the bytes
    yielded before such an error are complete records only, and must be discarded.
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        deadline: float | None,
        timeout: float,
        engine: SparqlEngine,
        slot: _Slot | None = None,
    ):
        self._response = response
        self._slot = slot
        self._deadline = deadline
        self._timeout = timeout
        self._engine = engine
        self.media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        self.server = response.headers.get("server", "")
        self._consumed = False
        # An answer dropped unread must still give its connection (and its slot) back.
        weakref.finalize(self, _close, response, slot)

    def iter_bytes(self) -> Iterator[bytes]:
        """The answer's bytes, streamed; raises :class:`QueryError` if it is not complete."""
        if self._consumed:
            raise EngineError("this engine answer has already been read")
        self._consumed = True
        ends = _record_end(self.media_type)
        held = b""
        sent_any = False
        try:
            for chunk in self._response.iter_bytes(chunk_size=CHUNK):
                if self._deadline is not None and time.monotonic() > self._deadline:
                    raise self._engine._timeout_error(self._timeout)
                data = held + chunk
                cut = _last_end(data, ends) + 1 if ends is not None else len(data)
                if cut > 0:
                    sent_any = True
                    yield data[:cut]
                held = data[cut:]
        except httpx.ReadTimeout:
            raise self._engine._silent_error() from None
        except httpx.TimeoutException:
            raise self._engine._timeout_error(self._timeout) from None
        except httpx.TransportError as error:
            raise self._engine._cut_off_error(error) from None
        finally:
            self.close()
        if held.strip() and not (not sent_any and held.strip() in (b"true", b"false")):
            raise self._engine._streamed_error(held.decode("utf-8", "replace").strip(), self._timeout)
        if held:
            yield held

    def read(self) -> bytes:
        """The whole answer (checked as :meth:`iter_bytes` checks it)."""
        return b"".join(self.iter_bytes())

    def close(self) -> None:
        _close(self._response, self._slot)

    def __enter__(self) -> EngineResponse:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class SparqlEngine:
    """A SPARQL 1.1 Protocol client for one engine, with the supervisor of the embedded one.

    >>> engine = SparqlEngine.embedded(None, timeout=5)
    >>> engine.update('INSERT DATA { GRAPH <http://ex.org/g> { <http://ex.org/s> <http://ex.org/p> 1 } }')
    >>> engine.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", accept="text/csv").read()
    b'n\\r\\n1\\r\\n'
    >>> engine.close()
    """

    def __init__(
        self,
        endpoints: Endpoints | OxigraphServer,
        *,
        timeout: float = 10.0,
        owns_server: bool = False,
        auth: httpx.Auth | None = None,
        profile: EngineProfile | None = None,
        max_queries: int = MAX_QUERIES,
    ):
        if timeout <= 0:
            raise ConfigError(f"the query timeout must be positive, not {timeout}")
        if max_queries < 1:
            raise ConfigError(f"at least one query must be allowed at once, not {max_queries}")
        self.timeout = float(timeout)
        self.max_queries = max_queries
        self._slots = threading.BoundedSemaphore(max_queries)
        self._writer_slots = threading.BoundedSemaphore(WRITER_QUERIES)
        self._server = endpoints if isinstance(endpoints, OxigraphServer) else None
        self._fixed = endpoints if isinstance(endpoints, Endpoints) else None
        self._owns_server = owns_server
        self._closed = False
        # The embedded server runs with --union-default-graph and holds nothing but ours.
        self._profile = profile or (
            replace(OXIGRAPH, union_default_graph=True) if self._server is not None else None)
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.timeout + TIMEOUT_MARGIN, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": "policykg"},
            trust_env=self._server is None,  # never send loopback traffic through a proxy
            follow_redirects=False,
            auth=auth,
        )

    @classmethod
    def embedded(cls, location: Path | None, *, timeout: float = 10.0,
                 max_queries: int = MAX_QUERIES) -> SparqlEngine:
        """Start an Oxigraph server on ``location`` (None: in memory) and a client owning it."""
        server = OxigraphServer()
        server.start(location, timeout_s=timeout)
        try:
            return cls(server, timeout=timeout, owns_server=True, max_queries=max_queries)
        except BaseException:
            server.stop()
            raise

    @classmethod
    def remote(cls, config: EngineConfig | str, *, timeout: float = 10.0,
               max_queries: int = MAX_QUERIES) -> SparqlEngine:
        """A client of an engine someone else runs (its query URL, or an :class:`EngineConfig`)."""
        if isinstance(config, str):
            config = EngineConfig(config)
        return cls(config.endpoints(), timeout=timeout, auth=parse_auth(config.auth), max_queries=max_queries)

    @property
    def profile(self) -> EngineProfile:
        """What this engine does its own way, found from its ``Server`` header on first use."""
        if self._profile is None:
            with self.query("ASK {}", accept="application/sparql-results+json") as answer:
                answer.read()
                found = profile_for(answer.server)
            if found.name == "virtuoso":
                found = replace(found, max_rows=self._probe_max_rows())
            self._profile = found
        return self._profile

    def learn(self, **changes: object) -> None:
        """Record what was found about the engine (e.g. ``union_default_graph=True``)."""
        self._profile = replace(self.profile, **changes)  # type: ignore[arg-type]

    def _probe_max_rows(self) -> int | None:
        try:
            with self.query(_PROBE_ROWS, accept="text/csv") as answer:
                answer.read()
        except QueryTruncated as truncated:
            return truncated.limit
        return None

    @property
    def server(self) -> OxigraphServer | None:
        """The supervised server, if this engine is the embedded one."""
        return self._server

    @property
    def endpoints(self) -> Endpoints:
        if self._server is not None:
            return self._server.endpoints
        assert self._fixed is not None
        return self._fixed

    def close(self) -> None:
        """Close the connections and stop the server this engine owns."""
        if self._closed:
            return
        self._closed = True
        self._client.close()
        if self._server is not None and self._owns_server:
            self._server.stop()

    def __enter__(self) -> SparqlEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else self.endpoints.query_url
        return f"<SparqlEngine {state}>"

    # -- protocol operations

    def query(
        self,
        sparql: str,
        *,
        accept: str,
        default_graph_uris: Iterable[str] = (),
        named_graph_uris: Iterable[str] = (),
    ) -> EngineResponse:
        """Send a query (§2.1); the answer's status is checked, its body is read by the caller.

        The client hangs up after ``timeout`` plus a margin, whatever the engine does; an engine
        that takes a timeout parameter is asked to stop the query itself at ``timeout``. When
        ``max_queries`` answers are already open, raises :class:`~kg.errors.EngineBusy` at once.
        """
        params: list[tuple[str, str]] = [("query", sparql)]
        params += [("default-graph-uri", iri) for iri in default_graph_uris]
        params += [("named-graph-uri", iri) for iri in named_graph_uris]
        if self._profile is not None and self._profile.timeout_param:  # known after the first answer
            params.append((self._profile.timeout_param, str(_engine_timeout_ms(self.timeout))))
        deadline = time.monotonic() + self.timeout + TIMEOUT_MARGIN

        def build(endpoints: Endpoints) -> httpx.Request:
            encoded = urlencode(params)
            if len(endpoints.query_url) + 1 + len(encoded) <= GET_URL_LIMIT:
                return self._client.build_request(
                    "GET", endpoints.query_url + "?" + encoded, headers={"Accept": accept}
                )
            return self._client.build_request(
                "POST",
                endpoints.query_url,
                content=encoded.encode(),
                headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
            )

        writing = _WRITER_LANE.get()
        slots = self._writer_slots if writing else self._slots
        if not slots.acquire(blocking=False):
            raise EngineBusy(
                f"the engine is already running {WRITER_QUERIES} queries of this server's writes, the most "
                "allowed at once: try again in a moment" if writing else
                f"the engine is already running {self.max_queries} of this server's queries, "
                "the most allowed at once (POLICYKG_MAX_CONCURRENT_QUERIES): try again in a moment")
        slot = _Slot(slots)
        try:
            response = self._send(build, read_timeout=self.timeout + TIMEOUT_MARGIN, what="query")
        except BaseException:
            slot.release()
            raise
        return EngineResponse(response, deadline=deadline, timeout=self.timeout, engine=self, slot=slot)

    def update(self, sparql: str) -> None:
        """Send an update (§2.2, form POST). Oxigraph applies a whole request atomically;
        Virtuoso commits each operation on its own (``profile.atomic_requests``)."""

        def build(endpoints: Endpoints) -> httpx.Request:
            if endpoints.update_url is None:
                raise EngineError(f"the engine at {endpoints.query_url} has no update endpoint")
            if self.profile.direct_update:
                return self._client.build_request(
                    "POST", endpoints.update_url, content=sparql.encode(),
                    headers={"Accept": UPDATE_ACCEPT, "Content-Type": "application/sparql-update"})
            return self._client.build_request(
                "POST", endpoints.update_url, data={"update": sparql},
                headers={"Accept": UPDATE_ACCEPT},
            )

        try:
            response = self._send(build, read_timeout=UPDATE_TIMEOUT, what="update")
        except StoreFull:
            # RocksDB refuses every write after one failed for lack of space, even once space
            # is freed, until it is reopened: when there is room now, reopen it and try again.
            server = self._server
            if server is None or server.location is None:
                raise
            if shutil.disk_usage(server.location).free < 4 * len(sparql) + FREE_SPACE_MARGIN:
                raise
            server.restart()
            response = self._send(build, read_timeout=UPDATE_TIMEOUT, what="update")
        response.close()

    def get_graph(self, graph_iri: str | None, accept: str) -> EngineResponse:
        """GET one graph with the Graph Store Protocol (§5.2); None is the default graph.

        Raises :class:`NotFound` when the graph does not exist.
        """
        target = "default" if graph_iri is None else urlencode({"graph": graph_iri})
        return self._get_store(target, accept)

    def get_dataset(self, accept: str) -> EngineResponse:
        """GET every quad of the store (Oxigraph: ``/store`` without a graph, in N-Quads or TriG)."""
        return self._get_store("", accept)

    @property
    def has_graph_store(self) -> bool:
        """Whether whole graphs can be read with the Graph Store Protocol (else by queries)."""
        return self.endpoints.store_url is not None

    @property
    def has_dataset_get(self) -> bool:
        """Whether the Graph Store endpoint gives every quad in one GET (Oxigraph's extension)."""
        return self.has_graph_store and self.profile.dataset_get

    def _get_store(self, query_string: str, accept: str) -> EngineResponse:
        def build(endpoints: Endpoints) -> httpx.Request:
            if endpoints.store_url is None:
                raise EngineError(f"the engine at {endpoints.query_url} has no Graph Store endpoint")
            url = endpoints.store_url + ("?" + query_string if query_string else "")
            return self._client.build_request("GET", url, headers={"Accept": accept})

        response = self._send(build, read_timeout=self.timeout + TIMEOUT_MARGIN, what="graph")
        return EngineResponse(response, deadline=None, timeout=self.timeout, engine=self)

    # -- errors

    def _timeout_error(self, timeout: float) -> QueryError:
        return QueryTimeout(f"query stopped after {timeout:g} s (timeout)")

    def _silent_error(self) -> QueryError:
        """A query the engine said nothing of past its deadline: it may work on it for long
        after the hang-up, so an engine on disk is stopped (see the module docstring)."""
        server = self._server
        if server is not None and self._owns_server:
            server.interrupt()
        return self._timeout_error(self.timeout)

    def _cut_off_error(self, error: Exception, what: str = "query") -> EngineError | QueryError:
        server = self._server
        if server is not None:
            # A killed process closes its connections a moment before it can be reaped: give it
            # that moment, so that a crash is reported as one (503), not as a bad answer (400).
            deadline = time.monotonic() + CRASH_GRACE
            while server.running and time.monotonic() < deadline:
                time.sleep(0.01)
        if server is not None and not server.running:
            if what == "update":
                return EngineError(
                    f"the SPARQL engine died while applying an update ({error}): it was applied whole "
                    "or not at all (loading the same files again skips the sources already written, "
                    "as unchanged); it is restarted on the next request")
            return EngineError(
                f"the SPARQL engine stopped while answering ({error}): it crashed, or was stopped to end "
                "another query past its timeout; it is restarted on the next request"
            )
        return QueryError(f"the engine's answer was cut off before its end ({error}): it is incomplete")

    def _streamed_error(self, message: str, timeout: float) -> QueryError:
        if _CANCELLED in message.lower():
            return self._timeout_error(timeout)
        return QueryError(f"the engine failed while sending its answer: {message[:2000]}")

    # -- transport

    def _ensure_server(self) -> None:
        if self._server is None:
            return
        if self._server.ensure_running() and self._server.location is None:
            raise EngineError(
                "the in-memory SPARQL engine had died and was restarted empty: "
                "everything loaded into it is lost"
            )

    def _send(
        self, build: Callable[[Endpoints], httpx.Request], *, read_timeout: float, what: str
    ) -> httpx.Response:
        if self._closed:
            raise EngineError("the store is closed")
        self._ensure_server()
        for attempt in (1, 2):
            request = build(self.endpoints)
            request.extensions["timeout"] = httpx.Timeout(
                read_timeout, connect=CONNECT_TIMEOUT
            ).as_dict()
            try:
                response = self._client.send(request, stream=True)
            except httpx.ConnectError as error:
                if attempt == 1 and self._server is not None:
                    self._ensure_server()
                    continue
                where = f"{request.url.host}:{request.url.port}"
                raise EngineError(f"cannot reach the SPARQL engine at {where}: {error}") from None
            except httpx.TimeoutException as error:
                if what == "query" and isinstance(error, httpx.ReadTimeout):
                    raise self._silent_error() from None
                if what == "update":
                    raise EngineError(
                        f"no answer to the update after {read_timeout:g} s: "
                        "it was applied whole or not at all"
                    ) from None
                raise self._timeout_error(self.timeout) from None
            except httpx.TransportError as error:
                raise self._cut_off_error(error, what) from None
            if response.status_code >= 300:
                raise self._status_error(response, what)
            if what == "query":
                self._check_headers(response)
            return response
        raise AssertionError("unreachable")

    def _check_headers(self, response: httpx.Response) -> None:
        """A 200 whose headers say the answer is cut (Virtuoso) is an error, not an answer."""
        state = response.headers.get("x-sql-state", "")
        max_rows = response.headers.get("x-sparql-maxrows")
        if state.upper() == "S1TAT":
            response.close()
            raise QueryTimeout(
                f"the engine stopped the query at its own time limit (X-SQL-State: {state}): "
                "its answer would be partial")
        if max_rows is not None:
            response.close()
            limit = int(max_rows) if max_rows.strip().isdigit() else None
            raise QueryTruncated(
                f"the engine cut the answer at its row limit of {max_rows} rows (X-SPARQL-MaxRows; "
                "Virtuoso's ResultSetMaxRows): add a LIMIT below it, or page with ORDER BY, "
                "LIMIT and OFFSET", limit=limit)

    def _status_error(self, response: httpx.Response, what: str) -> Exception:
        try:
            text = response.read().decode("utf-8", "replace").strip()
        except httpx.HTTPError:
            text = ""
        finally:
            response.close()
        status = response.status_code
        # Virtuoso echoes the request after its message (for a load, megabytes of data)
        text = text.split("\nSPARQL query:", 1)[0].strip()
        if what == "update":
            text = text[:1000]
        text = text[:4000] or response.reason_phrase
        if status == 404 and what == "graph":
            return NotFound(text)
        if status == 500 and what == "update" and _NO_SPACE in text.lower():
            where = self._server.location if self._server is not None else None
            disk = f"the disk holding the store {where}" if where else "the engine's disk"
            return StoreFull(
                f"{disk} is full: this write was refused whole, nothing of it was applied; free "
                f"space on that disk, then retry (the engine said: {text[:300]})")
        if status in (401, 403) or (status == 500 and what == "update" and _REFUSED.search(text)):
            # Virtuoso answers an update without the rights with 500 SECURITY, not 401/403.
            return EngineError(
                f"the SPARQL engine refused the {what} ({status}): check the credentials "
                "(POLICYKG_ENGINE_AUTH) and that the update URL (POLICYKG_UPDATE_URL) is one "
                f"that takes them; the engine said: {text[:500]}")
        if status in (400, 406, 415, 500):
            # 400: syntax; 406: no such answer format for this query; 500: evaluation failed —
            # or the engine's timeout fired before the answer started (e.g. an ASK), or
            # Virtuoso refused a query whose estimated cost is over its limit.
            if _CANCELLED in text.lower():
                return self._timeout_error(self.timeout)
            if _STOPPED.search(text):
                return QueryTimeout(f"the engine stopped the query at its own time limit: {text[:300]}")
            return QueryError(text)
        return EngineError(f"the SPARQL engine answered {status}: {text}")
