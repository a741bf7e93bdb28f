"""Shared fixtures: the real store is built once per session from the bundled sources."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import store as kgstore
from kg.build import BuildReport, Sources, build
from kg.config import PROJECT_ROOT

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
