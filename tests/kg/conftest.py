"""Fixtures of the kg tests that write."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.config import PROJECT_ROOT
from kg.ingest.validate import load_graph_dir
from kg.write import update as kgwrite


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    """The project's shapes, as writes check against them (read-only: shared by the tests)."""
    return load_graph_dir(PROJECT_ROOT / "shapes")


@pytest.fixture
def ctx(store_copy: tuple[Path, Path], shapes: rdflib.Graph) -> kgwrite.WriteContext:
    """A private copy of the built store and of the data files, written by a steward."""
    store, data = store_copy
    return kgwrite.WriteContext(store=store, shapes=shapes, data_dir=data, agent="mailto:steward@example.org")
