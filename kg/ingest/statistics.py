"""Counts the build derives into the named graph `…/id/graph/statistics` (graph:statistics).

`triples-per-graph`, `instances-per-class` and `source-documents` read them instead of counting the whole
store at each request (0.2-0.7 s at 1 M triples, seconds at 5 M):

- `<g> void:triples n` for every named graph `g` of the store, graph:statistics itself included (its count
  counts that triple too);
- `<C> ti:instanceCount n` for every class `C` (an IRI) with instances in the default graph, the merge: how
  many distinct subjects have `rdf:type C` there.

The build counts the store it has just loaded (`count_quads`). A write changes the counts by what it really
added to and removed from each graph and from the merge (`kg.store.delta.Change`), in a last step of its own
(`write_diff`), so that a copy replaying the write's steps holds the same counts, and so does a remote store.
No rule of graph:inferred reads these properties, and the counts carry no type: they change no other count.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from kg.sources.namespaces import DCTERMS, RDF, RDFS, TI, TID, XSD
from kg.write.journal import GraphDiff

STATISTICS_GRAPH = str(TID["graph/statistics"])
VOID_TRIPLES = ox.NamedNode("http://rdfs.org/ns/void#triples")
INSTANCE_COUNT = ox.NamedNode(str(TI.instanceCount))
_INTEGER = ox.NamedNode(XSD + "integer")
_GRAPH = ox.NamedNode(STATISTICS_GRAPH)


def description() -> set[ox.Triple]:
    """What graph:statistics says about itself (stated by the build, before the inference reads it)."""

    def text(value: str, lang: str) -> ox.Literal:
        return ox.Literal(value, language=lang)

    return {
        ox.Triple(_GRAPH, ox.NamedNode(RDF + "type"), ox.NamedNode(str(TI.Dataset))),
        ox.Triple(_GRAPH, ox.NamedNode(RDFS + "label"), text("Graphe des statistiques", "fr")),
        ox.Triple(_GRAPH, ox.NamedNode(RDFS + "label"), text("Statistics graph", "en")),
        ox.Triple(
            _GRAPH,
            ox.NamedNode(DCTERMS + "description"),
            text(
                "Comptes dérivés par la construction et tenus à jour par chaque écriture : le nombre de triplets "
                "de chaque graphe nommé (void:triples, celui-ci compris) et le nombre d'instances de chaque "
                "classe dans le graphe par défaut, l'union des graphes nommés (ti:instanceCount).",
                "fr",
            ),
        ),
        ox.Triple(
            _GRAPH,
            ox.NamedNode(DCTERMS + "description"),
            text(
                "Counts derived by the build and kept up to date by every write: the number of triples of each "
                "named graph (void:triples, this one included) and the number of instances of each class in the "
                "default graph, the union of the named graphs (ti:instanceCount).",
                "en",
            ),
        ),
        ox.Triple(
            _GRAPH, ox.NamedNode(DCTERMS + "license"), ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")
        ),
    }


def description_quads() -> list[ox.Quad]:
    """The description as quads of graph:statistics, for the build's derived quads."""
    return [ox.Quad(t.subject, t.predicate, t.object, _GRAPH) for t in description()]


def _count(subject: ox.NamedNode, predicate: ox.NamedNode, n: int) -> ox.Triple:
    return ox.Triple(subject, predicate, ox.Literal(str(n), datatype=_INTEGER))


def count_quads(db: ox.Store) -> list[ox.Quad]:
    """The counts of a store whose graphs are all loaded, its merge included (graph:statistics holding its
    description only): the quads to add to graph:statistics."""
    graphs = db.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    classes = db.query(
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{RDF}type> ?c FILTER(isIRI(?c)) }} GROUP BY ?c"
    )
    assert isinstance(graphs, ox.QuerySolutions) and isinstance(classes, ox.QuerySolutions)
    per_graph = {row["g"]: int(row["n"].value) for row in graphs if isinstance(row["g"], ox.NamedNode)}
    triples = [_count(g, VOID_TRIPLES, n) for g, n in per_graph.items() if g != _GRAPH]
    triples += [_count(row["c"], INSTANCE_COUNT, int(row["n"].value)) for row in classes]
    own = per_graph.get(_GRAPH, 0) + len(triples) + 1  # its description, the counts, and this count
    triples.append(_count(_GRAPH, VOID_TRIPLES, own))
    return [ox.Quad(t.subject, t.predicate, t.object, _GRAPH) for t in triples]


def write_diff(db: ox.Store, graphs: Mapping[str, int], classes: Mapping[str, int]) -> GraphDiff:
    """graph:statistics's change for a write that changed each named graph by `graphs[g]` triples and each
    class's instances in the merge by `classes[c]`, already applied to `db` (which holds graph:statistics's
    triples about those graphs and classes, and about itself). Nothing for a store built before graph:statistics
    existed: counts made of a write's changes alone would be wrong (`kg build` counts it whole)."""
    if not _value(db, _GRAPH, VOID_TRIPLES):
        return GraphDiff()
    wanted = [(ox.NamedNode(g), VOID_TRIPLES, d) for g, d in graphs.items() if d and g != STATISTICS_GRAPH]
    wanted += [(ox.NamedNode(c), INSTANCE_COUNT, d) for c, d in classes.items() if d]
    added: set[ox.Triple] = set()
    removed: set[ox.Triple] = set()
    for subject, predicate, change in wanted:
        old = _value(db, subject, predicate)
        new = old + change
        if new < 0:
            raise RuntimeError(f"the count of {subject} would be {new}: graph:statistics does not match the store")
        if old:
            removed.add(_count(subject, predicate, old))
        if new:
            added.add(_count(subject, predicate, new))
    grown = len(added) - len(removed)  # counts that appear or go (a graph or a class new, or emptied)
    if grown:
        own = _value(db, _GRAPH, VOID_TRIPLES)
        removed.add(_count(_GRAPH, VOID_TRIPLES, own))
        added.add(_count(_GRAPH, VOID_TRIPLES, own + grown))
    return GraphDiff(added=added, removed=removed)


def _value(db: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> int:
    """The count graph:statistics holds for this subject, 0 when none."""
    for q in db.quads_for_pattern(subject, predicate, None, _GRAPH):
        if isinstance(q.object, ox.Literal):
            return int(q.object.value)
    return 0
