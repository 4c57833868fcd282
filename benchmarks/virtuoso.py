"""A private Virtuoso Open Source server for the tests and the benchmarks (``virtuoso-t``, Debian).

:class:`PrivateVirtuoso` writes a ``virtuoso.ini`` of its own into a temporary directory (the
database files there too, the directory in ``DirsAllowed``, both ports on 127.0.0.1), starts
``virtuoso-t +foreground +configfile FILE``, waits until the SPARQL endpoint answers, then
uses ``isql-vt`` to set the ``dba`` password and create a writer (``SPARQL_UPDATE``), who writes
through ``/sparql-auth`` with HTTP Digest authentication. :meth:`stop` ends the process.

    with PrivateVirtuoso(tmp_dir) as virtuoso:
        Store(virtuoso.query_url, update_url=virtuoso.update_url, auth=virtuoso.auth)

Nothing here is used by policykg itself: it is how the tests get a second, very different
engine, and the benchmarks a second engine to measure (see ``docs/decisions/0002-engine-differences.md``).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

from kg.engine import free_port

STARTUP_TIMEOUT = 60.0
WRITER = "policykg"

INI = """\
[Database]
DatabaseFile    = {dir}/virtuoso.db
ErrorLogFile    = {dir}/virtuoso.log
LockFile        = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel   = 7
FileExtend      = 200
MaxCheckpointRemap = 2000
Striping        = 0
TempStorage     = TempDatabase

[TempDatabase]
DatabaseFile    = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping        = 0

[Parameters]
ServerPort      = 127.0.0.1:{sql_port}
LiteMode        = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT        = 0
CaseMode        = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls    = 0
SchedulerInterval = 10
DirsAllowed     = ., {dir}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU       = 0
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps   = 64
MaxMemPoolSize  = 50000000
MaxQueryMem     = 500M
VectorSize      = 1000
MaxVectorSize   = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 4
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort      = 127.0.0.1:{http_port}
ServerRoot      = {dir}/vsp
MaxClientConnections = 10
DavRoot         = DAV
EnabledDavVSP   = 0
HTTPProxyEnabled = 0
TempASPXDir     = 0
ServerThreads   = 10
MaxKeepAlives   = 10
KeepAliveTimeout = 10
HTTPThreadSize  = 280000
HttpPrintWarningsInOutput = 0
Charset         = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = {max_cost}
MaxQueryExecutionTime = {max_time}
DeferInferenceRulesInit = 0
"""


class VirtuosoUnavailable(RuntimeError):
    """``virtuoso-t`` or ``isql-vt`` is missing, or the server would not start."""


def find_virtuoso() -> tuple[str, str]:
    """The paths of ``virtuoso-t`` and ``isql-vt``; raises :class:`VirtuosoUnavailable`."""
    server = shutil.which("virtuoso-t")
    isql = shutil.which("isql-vt") or shutil.which("isql-v")
    if not server or not isql:
        raise VirtuosoUnavailable(
            "virtuoso-t / isql-vt are not installed: run `make setup` (it installs the Debian "
            "package virtuoso-opensource) or apt-get install virtuoso-opensource"
        )
    return server, isql


class PrivateVirtuoso:
    """A Virtuoso server owned by the tests, in ``directory``.

    ``max_rows`` is ``ResultSetMaxRows`` (small, so that truncation can be tested);
    ``max_time`` is ``MaxQueryExecutionTime`` in seconds (the engine's own timeout).
    """

    def __init__(self, directory: Path, *, max_rows: int = 1000, max_time: int = 30,
                 max_cost: int = 400):
        self.directory = Path(directory).absolute()
        self.max_rows, self.max_time, self.max_cost = max_rows, max_time, max_cost
        self.dba_password = secrets.token_hex(8)
        self.writer_password = secrets.token_hex(8)
        self.sql_port = self.http_port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._isql = ""

    # -- where it answers

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """Anonymous, read-only SPARQL endpoint."""
        return self.base_url + "/sparql"

    @property
    def update_url(self) -> str:
        """The endpoint that takes updates once Digest authentication succeeds."""
        return self.base_url + "/sparql-auth"

    @property
    def auth(self) -> str:
        """The writer's credentials in ``POLICYKG_ENGINE_AUTH`` form."""
        return f"digest:{WRITER}:{self.writer_password}"

    @property
    def log_path(self) -> Path:
        return self.directory / "virtuoso.log"

    # -- lifecycle

    def start(self) -> PrivateVirtuoso:
        server, self._isql = find_virtuoso()
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "vsp").mkdir(exist_ok=True)
        for old in self.directory.glob("virtuoso*.*"):  # a fresh database: the passwords are new
            if old.suffix in (".db", ".trx", ".lck", ".pxa", ".log"):
                old.unlink()
        for _attempt in range(3):
            self.sql_port, self.http_port = free_port(), free_port()
            ini = self.directory / "virtuoso.ini"
            ini.write_text(INI.format(dir=self.directory, sql_port=self.sql_port,
                                      http_port=self.http_port, max_rows=self.max_rows,
                                      max_time=self.max_time, max_cost=self.max_cost))
            with open(self.directory / "stdout.log", "ab") as out:
                self._proc = subprocess.Popen(
                    [server, "+foreground", "+configfile", str(ini)], cwd=self.directory,
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                self._wait_ready()
                break
            except VirtuosoUnavailable:
                if self._proc.poll() is None or "in use" not in self._log_tail():
                    self.stop()
                    raise
                self._proc = None
        try:
            self._create_writer()
        except BaseException:
            self.stop()
            raise
        return self

    def _create_writer(self) -> None:
        self._isql_run(
            f"USER_CREATE('{WRITER}', '{self.writer_password}');\n"
            f"GRANT SPARQL_UPDATE TO \"{WRITER}\";\n"
            # A writer must be able to drop and create graphs in any graph, and read them back.
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{WRITER}', 3);\n"
            f"USER_SET_PASSWORD('dba', '{self.dba_password}');\n",
            password="dba",
        )

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def __enter__(self) -> PrivateVirtuoso:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- internals

    def _log_tail(self) -> str:
        text = ""
        for name in ("virtuoso.log", "stdout.log"):
            path = self.directory / name
            if path.exists():
                text += path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-20:])

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        with httpx.Client(timeout=2, trust_env=False) as client:
            while True:
                if self._proc.poll() is not None:
                    raise VirtuosoUnavailable(
                        f"virtuoso-t exited with {self._proc.returncode}:\n{self._log_tail()}")
                try:
                    answer = client.get(self.query_url, params={"query": "ASK {}"},
                                        headers={"Accept": "application/sparql-results+json"})
                    if answer.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise VirtuosoUnavailable(
                        f"virtuoso-t did not answer within {STARTUP_TIMEOUT:g} s:\n{self._log_tail()}")
                time.sleep(0.1)

    def _isql_run(self, sql: str, *, password: str | None = None) -> str:
        command = [self._isql, f"127.0.0.1:{self.sql_port}", "dba", password or self.dba_password]
        done = subprocess.run(command, input=sql.encode(), capture_output=True, timeout=60)
        output = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
        if done.returncode != 0 or "*** Error" in output:
            raise VirtuosoUnavailable(f"isql-vt failed:\n{output[-2000:]}")
        return output

    def sql(self, statement: str) -> str:
        """Run SQL as dba (tests that inspect the engine)."""
        return self._isql_run(statement)
