"""The researchers' networks on the bundled data: who is linked to whom, through what, and according to which documents."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg import network, network_export, queries
from kg.errors import UsageError
from kg.store.interface import Queryable
from kg.store.local import LocalStore

ID = "https://w3id.org/territoires-industrie/id/"
TI = "https://w3id.org/territoires-industrie/ontology#"
SRC_001 = ID + "source/001"
SRC_003 = ID + "source/003"
ADN = ID + "territory/ardeche-drome-nord"
REBOND = ID + "scheme/rebond-industriel"
REBOND_ACTORS = [
    ID + "actor/anct",
    ID + "actor/bpifrance",
    ID + "actor/banque-des-territoires",
    ID + "actor/prefecture-ardeche",
    ID + "actor/prefecture-drome",
]
ADN_EPCIS = [
    ID + f"epci/{siren}"
    for siren in (
        "200040491",
        "200072015",
        "240700716",
        "200016905",
        "200073096",
        "200041366",
        "200071413",
        "200041465",
    )
]
AGEN_SUPPORTERS = [  # 003: "Plusieurs acteurs ont soutenu la candidature de l'Agglomération d'Agen"
    ID + f"actor/{key}"
    for key in (
        "cci-lot-et-garonne",
        "technopole-agropole",
        "ifts",
        "fonroche",
        "innovi",
        "sud-management",
        "de-sangosse",
        "cluster-eau-et-climat",
        "sologemin-min-agen",
        "upsa",
        "adi-nouvelle-aquitaine",
    )
]
NODE_ATTRIBUTES = {"type", "label", "iri", "degree", "betweenness"}


@pytest.fixture(scope="module")
def sel(kg_store: ox.Store) -> Queryable:
    return LocalStore(kg_store)


@pytest.fixture(scope="module")
def actors(sel: Queryable) -> nx.Graph:
    return network.actor_network(sel)


@pytest.fixture(scope="module")
def full(sel: Queryable) -> nx.MultiDiGraph:
    return network.full_network(sel)


# --- the actor network -----------------------------------------------------------------------------------


def test_rebond_industriel_links_its_five_actors_according_to_001(actors: nx.Graph) -> None:
    for a, b in itertools.combinations(REBOND_ACTORS, 2):
        assert actors.has_edge(a, b), (a, b)
        edge = actors.edges[a, b]
        assert "scheme" in edge["kinds"]
        assert REBOND in edge["via"]
        assert SRC_001 in edge["sources"]
        assert TI + "involvedIn" in edge["relations"]
        assert edge["count"] == len(edge["via"]) >= 1
    anct = actors.nodes[ID + "actor/anct"]
    assert anct["type"] == "StateOperator"
    assert anct["label"] == "Agence nationale de la cohésion des territoires"
    assert anct["iri"] == ID + "actor/anct"
    assert set(anct) >= NODE_ATTRIBUTES


def test_the_eleven_supporters_of_agen_are_pairwise_linked_by_the_candidacy(actors: nx.Graph) -> None:
    for a, b in itertools.combinations(AGEN_SUPPORTERS, 2):
        edge = actors.edges[a, b]
        assert "candidacy" in edge["kinds"]
        assert ID + "candidacy/agen-phase-2" in edge["via"]
        assert SRC_003 in edge["sources"]
    # the candidate, the Agglomération d'Agen (an EPCI, which acts), is linked to them too
    assert all(actors.has_edge(ID + "epci/200096956", s) for s in AGEN_SUPPORTERS)
    assert actors.nodes[ID + "epci/200096956"]["code"] == "200096956"


def test_actor_network_holds_every_actor_and_only_actors(actors: nx.Graph) -> None:
    assert not actors.is_directed()
    # 53 organisations, collectives and persons + 56 EPCI (13 named, 43 the intercommunalités of named communes)
    assert actors.number_of_nodes() == 109
    assert ID + "scheme/rebond-industriel" not in actors
    assert all(set(data) >= NODE_ATTRIBUTES for _, data in actors.nodes(data=True))
    for _, _, data in actors.edges(data=True):
        assert data["sources"] and data["kinds"] and data["label"]
        assert data["weight"] == data["count"] >= 1


def test_direct_ties_between_actors_are_links_too(actors: nx.Graph) -> None:
    lescure = actors.edges[ID + "person/roland-lescure", ID + "actor/ministere-delegue-industrie"]
    assert {"mandate", "representation"} <= set(lescure["kinds"])
    assert "affiliation" in actors.edges[ID + "person/fabien-haas", ID + "actor/total-energie-biogaz"]["kinds"]


def test_actor_network_of_a_territory(sel: Queryable) -> None:
    g = network.actor_network(sel, ADN)
    # and 001's « collaboration constante entre l'État, les collectivités et les entreprises » (issue 11)
    collaboration = {ID + "actor/etat", ID + "actor/collectivites", ID + "actor/entreprises"}
    assert set(g.nodes) == set(REBOND_ACTORS) | set(ADN_EPCIS) | collaboration
    assert g.graph["territory"] == ADN
    assert all(SRC_001 in data["sources"] for _, _, data in g.edges(data=True))
    assert "territory" in g.edges[ADN_EPCIS[0], ADN_EPCIS[1]]["kinds"]


# --- the full network ------------------------------------------------------------------------------------


def test_full_network_reads_involvements_as_edges_with_their_roles_and_sources(full: nx.MultiDiGraph) -> None:
    assert full.is_directed() and full.is_multigraph()
    edge = full.edges[ID + "actor/anct", REBOND, TI + "involvedIn"]
    assert edge["via"] == [ID + "involvement/001-anct-rebond-industriel"]
    assert edge["roles"] == [ID + "role/support"]
    assert edge["areas"] == [ADN]
    assert edge["sources"] == [SRC_001]
    assert edge["relation_label"] == "participe à"
    member = full.edges[ADN, ADN_EPCIS[0], TI + "hasMemberIntercommunality"]
    assert member["sources"] == [SRC_001]
    types = {data["type"] for _, data in full.nodes(data=True)}
    assert {"IndustryTerritory", "Intercommunality", "SupportScheme", "FundingFlow", "Candidacy", "Event"} <= types
    assert not types & {"Involvement", "Mandate", "Role", "MonetaryAmount", "SourceDocument"}
    # the official geography's 1,859 communes are left out, but not those the documents name or the territories' names denote
    communes = [n for n, data in full.nodes(data=True) if data["type"] == "Commune"]
    assert 0 < len(communes) < 100
    assert all(data["sources"] for _, _, data in full.edges(data=True))


def test_full_network_of_a_territory(sel: Queryable, full: nx.MultiDiGraph) -> None:
    g = network.full_network(sel, ADN)
    assert ADN in g and set(ADN_EPCIS) <= set(g.nodes)
    assert set(REBOND_ACTORS) <= set(g.nodes)
    assert ID + "candidacy/agen-phase-2" not in g
    assert g.number_of_edges() < full.number_of_edges()
    for u, v, key in g.edges(keys=True):
        assert full.has_edge(u, v, key)


def test_network_dispatches_on_kind(sel: Queryable) -> None:
    assert network.network(sel, "actors", ADN).graph["kind"] == "actors"
    assert network.network(sel, "full", ADN).graph["kind"] == "full"
    with pytest.raises(UsageError, match="kind"):
        network.network(sel, "everything")


# --- neighbourhood and paths -----------------------------------------------------------------------------


def test_neighbourhood_of_a_territory(sel: Queryable, full: nx.MultiDiGraph) -> None:
    one = network.neighbourhood(sel, ADN, 1)
    assert set(ADN_EPCIS) <= set(one.nodes)
    assert REBOND in one and ID + "actor/anct" not in one  # the actors are 2 hops away, through the scheme
    two = network.neighbourhood(sel, ADN, 2)
    assert set(one.nodes) < set(two.nodes) and ID + "actor/anct" in two
    assert two.graph["center"] == ADN and two.graph["hops"] == 2
    assert all(full.has_edge(u, v, k) for u, v, k in two.edges(keys=True))
    assert all({"degree", "betweenness"} <= set(data) for _, data in two.nodes(data=True))


def test_shortest_paths_from_anct_to_bpifrance_go_through_rebond_industriel(sel: Queryable) -> None:
    paths = network.shortest_paths(sel, ID + "actor/anct", ID + "actor/bpifrance")
    assert paths and all(len(p) == 2 for p in paths)
    through_rebond = [p for p in paths if p[0]["to"] == REBOND]
    assert len(through_rebond) == 1
    first, second = through_rebond[0]
    assert (first["from"], first["to"], second["to"]) == (ID + "actor/anct", REBOND, ID + "actor/bpifrance")
    assert first["relation"] == second["relation"] == TI + "involvedIn"
    assert not first["inverse"] and second["inverse"]  # both actors take part in the scheme
    assert first["via"] == [ID + "involvement/001-anct-rebond-industriel"]
    assert all(SRC_001 in step["sources"] for step in (first, second))
    assert first["from_label"] == "Agence nationale de la cohésion des territoires"


def test_shortest_paths_limits_and_edge_cases(sel: Queryable) -> None:
    assert len(network.shortest_paths(sel, ID + "actor/anct", ID + "actor/bpifrance", max_paths=1)) == 1
    assert network.shortest_paths(sel, ID + "actor/anct", ID + "actor/anct") == [[]]


# --- exports ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["actors", "full"])
@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_with_networkx(
    kind: str, fmt: str, actors: nx.Graph, full: nx.MultiDiGraph, tmp_path: Path
) -> None:
    g = actors if kind == "actors" else full
    path = tmp_path / f"network.{fmt}"
    path.write_bytes(network_export.export(g, fmt))
    back = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert back.number_of_nodes() == g.number_of_nodes()
    assert back.number_of_edges() == g.number_of_edges()
    for _, data in back.nodes(data=True):
        assert set(data) >= NODE_ATTRIBUTES
    anct = back.nodes[ID + "actor/anct"]
    assert anct["label"] == "Agence nationale de la cohésion des territoires"
    assert anct["type"] == "StateOperator" and anct["iri"] == ID + "actor/anct"
    assert float(anct["betweenness"]) > 0 and int(anct["degree"]) > 0
    if kind == "actors":
        edge = back.get_edge_data(ID + "actor/anct", ID + "actor/bpifrance")
        assert {"kinds", "relations", "sources", "count"} <= set(edge)
        assert SRC_001 in edge["sources"].split("; ")
        assert "scheme" in edge["kinds"].split("; ")
    else:
        edges = back.get_edge_data(ID + "actor/anct", REBOND)
        edge = next(iter(edges.values()))
        assert edge["relation"] == TI + "involvedIn"
        assert edge["sources"] == SRC_001


def test_json_is_node_link_data(full: nx.MultiDiGraph) -> None:
    data = json.loads(network_export.export(full, "json"))
    assert len(data["nodes"]) == full.number_of_nodes()
    assert len(data["links"]) == full.number_of_edges()
    anct = next(n for n in data["nodes"] if n["id"] == ID + "actor/anct")
    assert anct["type"] == "StateOperator" and isinstance(anct["betweenness"], float)
    link = next(x for x in data["links"] if x["source"] == ID + "actor/anct" and x["target"] == REBOND)
    assert link["sources"] == [SRC_001]  # lists stay lists in JSON


def test_csv_is_an_edge_table_with_a_header(actors: nx.Graph) -> None:
    rows = list(csv.DictReader(io.StringIO(network_export.export(actors, "csv").decode("utf-8"))))
    assert len(rows) == actors.number_of_edges()
    assert {"source", "target", "source_label", "target_label", "kinds", "count", "sources"} <= set(rows[0])
    row = next(r for r in rows if {r["source"], r["target"]} == {ID + "actor/anct", ID + "actor/bpifrance"})
    assert SRC_001 in row["sources"].split("; ")
    assert "Bpifrance" in (row["source_label"], row["target_label"])


def test_centrality_on_a_star() -> None:
    star = nx.star_graph(3)
    network.add_centrality(star)
    assert star.nodes[0]["degree"] == 3 and star.nodes[0]["betweenness"] == 1.0
    assert star.nodes[1]["degree"] == 1 and star.nodes[1]["betweenness"] == 0.0


# --- the queries and bad inputs --------------------------------------------------------------------------


def test_network_queries_are_documented_internal_queries() -> None:
    names = [n for n in queries.internal_names() if n.startswith("network-")]
    assert {"network-nodes", "network-edges", "network-actor-links"} <= set(names)
    assert not any(n.startswith("network-") for n in queries.names()), "not published under /queries"
    for name in names:
        q = queries.internal(name)
        assert q.title and q.description
        for p in q.params:
            assert p.type == "iri" and p.example and not p.required


@pytest.mark.parametrize(
    "call",
    [
        lambda s: network.actor_network(s, "not an iri"),
        lambda s: network.actor_network(s, ID + "territory/nowhere"),
        lambda s: network.full_network(s, ID + "actor/anct"),  # not an area
        lambda s: network.neighbourhood(s, ADN, 0),
        lambda s: network.neighbourhood(s, ADN, 5),
        lambda s: network.neighbourhood(s, ADN, True),
        lambda s: network.neighbourhood(s, "ardeche-drome-nord", 1),
        lambda s: network.neighbourhood(s, ID + "involvement/001-anct-rebond-industriel", 1),  # an edge
        lambda s: network.shortest_paths(s, ID + "actor/anct", ID + "actor/nobody"),
        lambda s: network.shortest_paths(s, ID + "actor/anct", ID + "actor/bpifrance", max_paths=0),
        lambda s: network_export.export(nx.Graph(), "xlsx"),
    ],
)
def test_bad_inputs_raise_usage_errors(sel: Queryable, call: Callable[[Queryable], object]) -> None:
    with pytest.raises(UsageError):
        call(sel)
