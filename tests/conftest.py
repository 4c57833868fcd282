"""Fixtures shared by the test modules.

Stores run on the real engine (an ``oxigraph serve`` child process), never on a mock. One
in-memory engine serves the whole session; the ``store`` fixture empties it before each test,
which is much faster than starting a server per test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store import Store


@pytest.fixture(scope="session")
def engine_store() -> Iterator[Store]:
    """One in-memory store for the session (its engine starts once)."""
    with Store() as store:
        yield store


@pytest.fixture
def store(engine_store: Store) -> Store:
    """The session store, emptied."""
    engine_store.clear()
    return engine_store


@pytest.fixture
def tmp_store_dir(tmp_path: Path) -> Path:
    """A path for an on-disk store (not created: the store creates it)."""
    return tmp_path / "store"
