"""graph:statistics holds the store's counts after a build and after every kind of write (kg.ingest.statistics)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import PROJECT_ROOT
from kg.errors import WriteForbidden
from kg.ingest import statistics
from kg.ingest.pipeline import BuildReport
from kg.sources.namespaces import TI, TID
from kg.sources.rdf_io import parse_file
from kg.store import delta
from kg.store import layout as kgstore
from kg.write import update as kgwrite
from kg.write.journal import GraphDiff

DOC = f"{TID}source/steward-001"
FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"
STATS = f"<{statistics.STATISTICS_GRAPH}>"
Counts = tuple[dict[str, int], dict[str, int]]


def _live(db: ox.Store) -> Counts:
    """What the counts must be: each named graph's triples, each IRI class's distinct instances in the merge."""
    graphs = db.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    classes = db.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c")
    return _pairs(graphs, "g"), _pairs(classes, "c")


def _held(db: ox.Store) -> Counts:
    graphs = db.query(f"SELECT ?g ?n WHERE {{ GRAPH {STATS} {{ ?g <http://rdfs.org/ns/void#triples> ?n }} }}")
    classes = db.query(f"SELECT ?c ?n WHERE {{ GRAPH {STATS} {{ ?c <{TI.instanceCount}> ?n }} }}")
    return _pairs(graphs, "g"), _pairs(classes, "c")


def _pairs(rows: object, key: str) -> dict[str, int]:
    assert isinstance(rows, ox.QuerySolutions)
    out: dict[str, int] = {}
    for row in rows:
        name, n = row[key], row["n"]
        assert isinstance(name, ox.NamedNode) and isinstance(n, ox.Literal)
        assert name.value not in out, f"two counts for {name.value}"
        out[name.value] = int(n.value)
    return out


def _check(store: Path) -> None:
    db = kgstore.open_read_only(store)
    held, live = _held(db), _live(db)
    assert held[0] == live[0], "triples per graph"
    assert held[1] == live[1], "instances per class"


def test_the_build_counts_every_graph_and_class(built_store: tuple[Path, BuildReport]) -> None:
    store, report = built_store
    _check(store)
    graphs, classes = _held(kgstore.open_read_only(store))
    assert len(graphs) == report.graphs and statistics.STATISTICS_GRAPH in graphs
    assert classes[str(TI.IndustryTerritory)] > 10


def test_every_kind_of_write_keeps_the_counts(ctx: kgwrite.WriteContext) -> None:
    doc = [q.triple for q in parse_file(FIXTURE)]
    kgwrite.put_graph(ctx, DOC, doc)  # a new graph: its count and the classes of its resources appear
    _check(ctx.store)
    label = ox.Triple(ox.NamedNode(DOC), ox.NamedNode(str(TI.editorialNote)), ox.Literal("Note", language="fr"))
    kgwrite.post_graph(ctx, DOC, [label])
    _check(ctx.store)
    kgwrite.update(ctx, f"DELETE DATA {{ GRAPH <{DOC}> {{ {label.subject} {label.predicate} {label.object} }} }}")
    _check(ctx.store)
    kgwrite.put_graph(ctx, DOC, doc[: len(doc) // 2])  # fewer triples, perhaps an instance less
    _check(ctx.store)
    kgwrite.delete_graph(ctx, DOC)  # the graph's count goes
    _check(ctx.store)
    graphs, _ = _held(kgstore.open_read_only(ctx.store))
    assert DOC not in graphs


def test_a_copy_replaying_a_write_holds_the_same_counts(ctx: kgwrite.WriteContext) -> None:
    parent = kgstore.resolve(ctx.store)
    copy = kgstore.open_in_memory(ctx.store)
    version = kgstore.BuildInfo.read(parent).version
    kgwrite.put_graph(ctx, DOC, [q.triple for q in parse_file(FIXTURE)])
    steps = delta.read(kgstore.resolve(ctx.store), version)
    assert steps is not None
    delta.replay(copy, steps)
    assert _held(copy) == _held(kgstore.open_read_only(ctx.store)) == _live(copy)


def test_graph_statistics_is_not_written_by_hand(ctx: kgwrite.WriteContext) -> None:
    with pytest.raises(WriteForbidden):
        kgwrite.put_graph(ctx, statistics.STATISTICS_GRAPH, [])
    # an update whose GRAPH ?g reaches every graph leaves the counts to the write, which derives them again
    kgwrite.put_graph(ctx, DOC, [q.triple for q in parse_file(FIXTURE)])
    note = ox.Literal("Note", language="fr")
    kgwrite.post_graph(ctx, DOC, [ox.Triple(ox.NamedNode(DOC), ox.NamedNode(str(TI.editorialNote)), note)])
    report = kgwrite.update(
        ctx,
        f"DELETE WHERE {{ GRAPH ?g {{ <{DOC}> <{TI.editorialNote}> ?o }} }} ; "
        f"DELETE WHERE {{ GRAPH ?g {{ <{DOC}> <{statistics.VOID_TRIPLES.value}> ?n }} }}",
    )
    assert report.graphs == [DOC]
    _check(ctx.store)


def test_write_diff_adds_drops_and_recounts_itself() -> None:
    db = ox.Store()
    g, c = ox.NamedNode("http://example.org/g"), ox.NamedNode("http://example.org/C")
    assert not statistics.write_diff(db, {g.value: 1}, {c.value: 1}), "no counts in a store built without them"
    stats = ox.NamedNode(statistics.STATISTICS_GRAPH)
    void = statistics.VOID_TRIPLES
    start = {
        ox.Triple(g, void, ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ox.Triple(stats, void, ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    }
    delta.apply(db, {statistics.STATISTICS_GRAPH: GraphDiff(added=start)})
    # g loses its two triples (its count goes), C gets a first instance (its count appears): as many counts as
    # before, so graph:statistics keeps its size
    same = statistics.write_diff(db, {g.value: -2}, {c.value: 1})
    assert {(t.subject, t.object.value) for t in same.added} == {(c, "1")}  # type: ignore[union-attr]
    assert {(t.subject, t.object.value) for t in same.removed} == {(g, "2")}  # type: ignore[union-attr]
    # a new graph's count appears: graph:statistics grows by one triple, and says so
    grown = statistics.write_diff(db, {"http://example.org/h": 5}, {})
    assert {(t.subject.value, t.object.value) for t in grown.added} == {  # type: ignore[union-attr]
        ("http://example.org/h", "5"),
        (statistics.STATISTICS_GRAPH, "3"),
    }
    with pytest.raises(RuntimeError, match="does not match"):
        statistics.write_diff(db, {g.value: -3}, {})
