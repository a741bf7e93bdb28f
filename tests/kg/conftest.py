"""Fixtures of the kg tests that write."""

from __future__ import annotations

import pytest
import rdflib

from kg.config import PROJECT_ROOT
from kg.ingest.validate import load_graph_dir


@pytest.fixture(scope="session")
def shapes() -> rdflib.Graph:
    """The project's shapes, as writes check against them (read-only: shared by the tests)."""
    return load_graph_dir(PROJECT_ROOT / "shapes")
