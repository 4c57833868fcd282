"""Fixtures shared by the test modules.

Stores run on the real engine (an ``oxigraph serve`` child process), never on a mock. One
in-memory engine serves the whole session; the ``store`` fixture empties it before each test,
which is much faster than starting a server per test.

The second engine is a private Virtuoso (``benchmarks/virtuoso.py``), started once per session when
a test asks for it: ``virtuoso`` (the server), ``virtuoso_store`` (a Store on it, writing with
Digest auth), and ``store_on_each_engine`` (the emptied store, once per engine), which the
engine-dependent test modules use as their ``store``. Where Virtuoso cannot be started, those
tests are skipped with a loud reason; ``make test`` installs it, so CI runs them.

``reliability`` records a row of the reliability record (``tests/reliability_record.py``):
``reliability.record(section, scenario, *, tried, outcome, lost)``, called by a test once its
assertions have passed. A whole-suite run in which every recording test passed writes the rows
into ``docs/reliability.md``.
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmarks.run import process
from kg.engine import free_port
from kg.store import Store
from reliability_record import Record, Recorder, write_limits, write_record

ENGINES = ("oxigraph", "virtuoso")
RECORD = pytest.StashKey[Record]()
RECORDING = pytest.StashKey[list[str]]()
PARTIAL = pytest.StashKey[str]()
SAID = pytest.StashKey[str]()


# --- the reliability record (tests/reliability_record.py) -------------------------------------------


@pytest.fixture
def reliability(request) -> Recorder:  # type: ignore[no-untyped-def]
    """``reliability.record(section, scenario, *, tried, outcome, lost)``: one row of the record."""
    return request.config.stash[RECORD].recorder(request.node.nodeid, request.node.originalname)


def _whole_suite(config: pytest.Config) -> bool:
    return (config.args_source == pytest.Config.ArgsSource.TESTPATHS and not config.option.keyword
            and not config.option.markexpr)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[RECORD] = Record()


def pytest_sessionstart(session: pytest.Session) -> None:
    if _whole_suite(session.config):
        write_limits()


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items:
        items[0].config.stash[PARTIAL] = f"{len(items)} test(s) deselected"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[RECORDING] = [item.nodeid for item in items if "reliability" in getattr(item, "fixturenames", ())]


def _why_not_written(config: pytest.Config, exitstatus: int) -> str:
    """Why this session may not write the record ("" when it may)."""
    recording, rows = config.stash.get(RECORDING, []), config.stash[RECORD].rows
    silent = [nodeid for nodeid in recording if not rows.get(nodeid)]
    if PARTIAL in config.stash:
        return config.stash[PARTIAL]
    if not _whole_suite(config):
        return "not the whole suite"
    if exitstatus != 0:
        return f"exit status {exitstatus}"
    if not recording:
        return "no recording test ran"
    if silent:
        return f"{len(silent)} recording test(s) did not record, e.g. {silent[0]}"
    return ""


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the record when the whole suite ran, nothing failed and every recording test recorded."""
    config = session.config
    rows = config.stash[RECORD].rows
    if why := _why_not_written(config, exitstatus):
        config.stash[SAID] = f"reliability record not written ({why})"
    else:
        written = write_record([row for found in rows.values() for row in found], today=datetime.date.today())
        config.stash[SAID] = f"reliability record: {sum(map(len, rows.values()))} row(s) recorded by " + (
            f"{len(rows)} test(s), written to docs/reliability.md" if written else f"{len(rows)} test(s), unchanged")


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    if SAID in config.stash and config.stash.get(RECORDING, []):
        terminalreporter.write_line(config.stash[SAID])


@pytest.fixture(scope="session")
def engine_store() -> Iterator[Store]:
    """One in-memory store for the session (its engine starts once). It keeps no versions: the
    tests using it are about the store's own semantics (versions: tests/test_history.py)."""
    with Store(keep_history=False) as store:
        yield store


@pytest.fixture
def store(engine_store: Store) -> Store:
    """The session store, emptied."""
    engine_store.clear()
    return engine_store


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A private Virtuoso server for the session (skipped, loudly, where it cannot start)."""
    from benchmarks.virtuoso import PrivateVirtuoso, VirtuosoUnavailable

    server = PrivateVirtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        server.start()
    except VirtuosoUnavailable as error:
        pytest.skip(f"!!! VIRTUOSO TESTS SKIPPED — the second engine could not be started: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_store(virtuoso) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """One store on the private Virtuoso for the session, writing through /sparql-auth."""
    with Store(virtuoso.query_url, update_url=virtuoso.update_url, auth=virtuoso.auth) as store:
        yield store


@pytest.fixture(params=ENGINES)
def store_on_each_engine(request) -> Store:  # type: ignore[no-untyped-def]
    """The session store of each engine in turn, emptied."""
    store = request.getfixturevalue("engine_store" if request.param == "oxigraph" else "virtuoso_store")
    store.clear()
    return store


@pytest.fixture
def tmp_store_dir(tmp_path: Path) -> Path:
    """A path for an on-disk store (not created: the store creates it)."""
    return tmp_path / "store"


# --- a real policykg server (uvicorn in its own process) ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "test-token-0123456789"


@contextmanager
def running_server(store: str, **env: str) -> Iterator[str]:
    """Start ``policykg serve`` on a free loopback port; yield its base URL; stop it."""
    url = f"http://127.0.0.1:{(port := free_port())}"
    command = [str(Path(sys.executable).with_name("policykg")), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--store", store]
    with process(command, url + "/-/health", env={"POLICYKG_TOKEN": TOKEN, **env}, timeout=30):
        yield url


def data_store(location: Path, *more: Path) -> Path:
    """A store on disk at ``location`` holding the bundled data (and the entry files ``more``,
    e.g. test fixtures); its absolute path."""
    from kg.load import load_paths

    location = location.absolute()
    with Store(location) as store:
        load_paths([ROOT / "data", *more], store)
    return location


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[str]:
    """A read-mostly server over a store on disk holding the bundled data (do not write to it)."""
    with running_server(str(data_store(tmp_path_factory.mktemp("served") / "store"))) as url:
        yield url


@pytest.fixture
def writable_server() -> Iterator[str]:
    """A fresh server over an empty in-memory store, writes allowed with ``TOKEN``."""
    with running_server(":memory:") as url:
        yield url
