"""Validating the neighbourhood of a node (kg.ingest.neighbourhood) must report exactly what validating the
whole graph reports on that node: writes at national scale rely on it (bench/writes.py)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg.config import PROJECT_ROOT
from kg.ingest import neighbourhood as nb
from kg.ingest.validate import validate_graph
from kg.sources.rdf_io import parse_file, parse_files, rdf_files, to_rdflib_graph
from tests.kg.ingest.test_validate import BROKEN, _key, shapes


def _store(path: Path) -> ox.Store:
    """The data and the ontology in the default graph, as a built store holds the merge."""
    db = ox.Store()
    quads = parse_file(path) + parse_files(rdf_files(PROJECT_ROOT / "ontology"))
    db.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return db


def test_the_project_shapes_are_bounded() -> None:
    reach = nb.reach_of(shapes())
    assert reach.complete, reach.why
    assert reach.depth >= 2 and reach.queries


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_the_neighbourhood_validates_as_the_whole_graph(path: Path) -> None:
    """Each node a fixture breaks, alone (its neighbourhood must hold all that breaks it), then all its
    nodes together (nothing may break in the neighbourhood that holds in the whole graph)."""
    db = _store(path)
    whole = to_rdflib_graph(db.quads_for_pattern(None, None, None, ox.DefaultGraph()))  # as the store holds it
    full = validate_graph(whole, shapes(), rdflib.Graph())
    source, reach = nb.StoreSource(db), nb.reach_of(shapes())
    nodes = {q.subject.value for q in parse_file(path) if isinstance(q.subject, ox.NamedNode)}
    broken = {i.focus_node for i in full.issues} & nodes
    assert broken, "a broken fixture breaks something"
    for focus in [{node} for node in sorted(broken)] + [nodes]:
        part = nb.neighbourhood(source, focus, reach)
        graph = to_rdflib_graph(ox.Quad(t.subject, t.predicate, t.object) for t in part)
        assert len(graph) < len(whole) / 2, "a neighbourhood, not the whole graph"
        focused = validate_graph(graph, shapes(), rdflib.Graph(), focus=focus)
        assert {_key(i) for i in focused.issues} == {_key(i) for i in full.issues if i.focus_node in focus}, focus
