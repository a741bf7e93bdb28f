"""Shared fixtures: the real store is built once per session from the bundled sources."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.pipeline import BuildReport, Sources, build
from kg.config import PROJECT_ROOT
from kg.store import layout as kgstore

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def bundled_sources() -> Sources:
    return Sources.from_dirs(PROJECT_ROOT / "ontology", PROJECT_ROOT / "shapes", PROJECT_ROOT / "data")


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, bundled_sources: Sources) -> tuple[Path, BuildReport]:
    """The bundled data built exactly as `kg build` does (validated, then published)."""
    store = tmp_path_factory.mktemp("kg") / "store"
    report = build(bundled_sources, store)
    return store, report


@pytest.fixture(scope="session")
def kg_store(built_store: tuple[Path, BuildReport]) -> ox.Store:
    """A read-only handle on the built store."""
    return kgstore.open_read_only(built_store[0])


def copy_store(built: Path, root: Path) -> tuple[Path, Path]:
    """A private copy of a built store (its build directory and link) and of the bundled data files, for writes."""
    build_dir = kgstore.resolve(built)
    store = root / "store"
    target = kgstore.builds_dir(store) / build_dir.name
    shutil.copytree(build_dir, target)
    store.symlink_to(target, target_is_directory=True)
    data = root / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    return store, data


@pytest.fixture
def store_copy(built_store: tuple[Path, BuildReport], tmp_path: Path) -> tuple[Path, Path]:
    """(store, data directory): the built store and the data files copied for one test that writes."""
    return copy_store(built_store[0], tmp_path)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket listening on 127.0.0.1: a test asserts that nothing connects to it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.settimeout(0.5)
        yield s


def _accepted(listener: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            return count
        conn.close()
        count += 1


@pytest.fixture
def connections() -> Callable[[socket.socket], int]:
    """How many connections reached a listener (waiting half a second for late ones)."""
    return _accepted
