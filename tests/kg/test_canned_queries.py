"""The canned queries answer real questions on the bundled data."""

from collections import Counter

import pyoxigraph as ox

from kg import queries
from kg.query import select


def test_territories_by_region(kg_store: ox.Store) -> None:
    rows = select(kg_store, queries.get("territories").text).rows
    per_region = Counter(r["regionName"] for r in rows)
    assert (
        per_region
        == {
            "Centre-Val de Loire": 15,  # 12 phase-2 laureates + 3 phase-1 names (Montargis-Gien, Châteauroux-Issoudun, Dreux – Portes Euréliennes)
            "Nouvelle-Aquitaine": 16,
            "Auvergne-Rhône-Alpes": 2,
        }
    )
    agen = next(r for r in rows if r["territory"] == "AGEN INDUSTRIE")
    assert agen["phases"] == "2"
    assert sorted((agen["sources"] or "").split(", ")) == ["003_fbefc44526347a99.txt", "004_6547c7d38fa0d6c3.txt"]


def test_triples_per_graph_and_instances_per_class(kg_store: ox.Store) -> None:
    graphs = {r["graph"]: int(r["triples"] or 0) for r in select(kg_store, queries.get("triples-per-graph").text).rows}
    base = "https://w3id.org/territoires-industrie/"
    for n in ("000", "001", "002", "003", "004"):
        assert graphs[f"{base}id/source/{n}"] > 100
    assert graphs[f"{base}id/graph/etalab-decoupage-administratif"] > 3000
    assert f"{base}ontology" in graphs
    classes = {
        r["class"]: int(r["instances"] or 0) for r in select(kg_store, queries.get("instances-per-class").text).rows
    }
    assert classes[f"{base}ontology#IndustryTerritory"] == 33
    assert classes[f"{base}ontology#Intercommunality"] == 13
    assert classes[f"{base}ontology#SourceDocument"] == 5
