"""The VoID statistics come from canned queries through the pool and agree with the store itself."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox

from api.stats import StatsCache, compute
from kg.sources.namespaces import GEO_GRAPH, ONTOLOGY_IRI, TI
from kg.store.pool import QueryPool


def test_statistics_agree_with_the_store(pool: QueryPool, kg_store: ox.Store, store_rows: Callable) -> None:
    stats = compute(pool)
    distinct = store_rows("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    assert stats.triples == int(distinct[0]["n"])
    assert stats.version == pool.version
    in_named_graphs = sum(1 for q in kg_store.quads_for_pattern(None, None, None) if q.graph_name != ox.DefaultGraph())
    assert sum(g.triples for g in stats.graphs) == in_named_graphs
    assert len(stats.graphs) == len(list(kg_store.named_graphs()))
    classes = store_rows("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?x a ?c }")
    assert stats.classes == int(classes[0]["n"])
    assert 0 < stats.entities <= stats.distinct_subjects


def test_each_named_graph_says_what_it_is(pool: QueryPool) -> None:
    graphs = {g.name: g for g in compute(pool).graphs}
    sources = [g for g in graphs.values() if g.kind == str(TI.SourceDocument)]
    assert len(sources) == 5
    assert all(g.seed_file and g.seed_file.endswith(".txt") and g.title for g in sources)
    assert graphs[str(GEO_GRAPH)].license == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert graphs[str(GEO_GRAPH)].source
    assert graphs[ONTOLOGY_IRI].kind == "http://www.w3.org/2002/07/owl#Ontology"


def test_statistics_are_computed_once_per_version(pool: QueryPool) -> None:
    cache = StatsCache()
    assert cache.get(pool) is cache.get(pool)
