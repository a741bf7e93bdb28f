"""/network, /network/neighbourhood and /network/paths in-process: formats, the researchers' answers, bad inputs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import networkx as nx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.errors import PROBLEM_JSON
from api.main import create_app
from kg import network as kgnetwork
from kg import network_export
from kg.config import Settings
from kg.store.local import LocalStore
from kg.store.pool import QueryPool

ID = "https://w3id.org/territoires-industrie/id/"
TI = "https://w3id.org/territoires-industrie/ontology#"
SRC_001 = ID + "source/001"
ADN = ID + "territory/ardeche-drome-nord"
ANCT, BPIFRANCE = ID + "actor/anct", ID + "actor/bpifrance"
NODE_ATTRIBUTES = {"type", "label", "iri", "degree", "betweenness"}


@pytest.fixture(scope="module")
def small_client(store_path: Path, api_settings: Settings) -> Iterator[TestClient]:
    """The app over a pool that cuts answers at 100 rows, so the network queries come back in pages."""
    pool = QueryPool(store_path, workers=1, timeout=10, max_rows=100, in_memory=True)
    try:
        with TestClient(create_app(api_settings, pool)) as c:
            yield c
    finally:
        pool.close()


def _problem(r: httpx.Response) -> dict[str, object]:
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, object] = r.json()
    return body


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_with_networkx(client: TestClient, fmt: str) -> None:
    read = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    by_parameter = client.get("/network", params={"kind": "full", "format": fmt})
    by_accept = client.get("/network?kind=full", headers={"Accept": f"application/{fmt}+xml"})
    for r in (by_parameter, by_accept):
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == f"application/{fmt}+xml"
    g = read(io.BytesIO(by_parameter.content))
    assert all(set(data) >= NODE_ATTRIBUTES for _, data in g.nodes(data=True))
    anct = g.nodes[ANCT]
    assert anct["type"] == "StateOperator" and anct["iri"] == ANCT
    assert int(anct["degree"]) > 0 and float(anct["betweenness"]) > 0
    assert g.nodes[ID + "epci/200072015"]["code"] == "200072015"
    edge = next(iter(g.get_edge_data(ANCT, ID + "scheme/rebond-industriel").values()))
    assert edge["relation"] == TI + "involvedIn" and edge["relation_label"] and edge["sources"] == SRC_001
    actors = read(io.BytesIO(client.get("/network", params={"format": fmt}).content))
    assert SRC_001 in actors.get_edge_data(ANCT, BPIFRANCE)["sources"].split("; ")


def test_json_node_link_data_is_the_default(client: TestClient) -> None:
    for r in (client.get("/network"), client.get("/network", headers={"Accept": "application/json"})):
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    data = client.get("/network").json()
    assert data["nodes"] and data["links"]
    assert {"id", *NODE_ATTRIBUTES} <= set(data["nodes"][0])
    link = next(x for x in data["links"] if {x["source"], x["target"]} == {ANCT, BPIFRANCE})
    assert SRC_001 in link["sources"]  # lists stay lists in JSON


def test_csv_is_an_edge_table(client: TestClient) -> None:
    r = client.get("/network", headers={"Accept": "text/csv"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {"source", "target", "source_label", "kinds", "sources"} <= set(rows[0])


def test_the_api_and_the_cli_build_the_same_network_even_in_pages(
    client: TestClient, small_client: TestClient, kg_store: ox.Store
) -> None:
    direct = kgnetwork.add_centrality(kgnetwork.network(LocalStore(kg_store), "actors"))
    expected = json.loads(network_export.export(direct, "json"))
    assert client.get("/network").json() == expected
    assert small_client.get("/network").json() == expected  # 661 node rows, 291 link rows: pages of 100


def test_network_of_a_territory(client: TestClient) -> None:
    data = client.get("/network", params={"territory": ADN}).json()
    assert data["graph"]["territory"] == ADN
    everyone = {n["id"] for n in client.get("/network").json()["nodes"]}
    assert ANCT in {n["id"] for n in data["nodes"]} < everyone


def test_neighbourhood_of_a_territory_holds_its_eight_epcis(client: TestClient) -> None:
    members = client.get("/queries/territory-members", params={"territory": ADN}).json()
    epcis = {row["epci"] for row in members if row["epci"]}
    assert len(epcis) == 8
    r = client.get("/network/neighbourhood", params={"iri": ADN, "hops": 1})
    assert r.status_code == 200, r.text
    data = r.json()
    assert epcis <= {n["id"] for n in data["nodes"]}
    assert data["graph"]["center"] == ADN and data["graph"]["hops"] == 1
    g = nx.read_graphml(io.BytesIO(client.get(f"/network/neighbourhood?iri={ADN}&hops=2&format=graphml").content))
    assert ANCT in g and epcis <= set(g.nodes)


def test_shortest_paths_from_anct_to_bpifrance_cite_their_sources(client: TestClient) -> None:
    r = client.get("/network/paths", params={"source": ANCT, "target": BPIFRANCE})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    paths = r.json()
    assert paths and all(len(p) == 2 for p in paths)
    first, second = next(p for p in paths if p[0]["to"] == ID + "scheme/rebond-industriel")
    assert (first["from"], second["to"]) == (ANCT, BPIFRANCE)
    assert first["relation"] == TI + "involvedIn" and first["relation_label"]
    assert all(SRC_001 in step["sources"] for step in (first, second))
    assert len(client.get("/network/paths", params={"source": ANCT, "target": BPIFRANCE, "max_paths": 1}).json()) == 1


def test_short_names_are_read_as_on_resource(client: TestClient) -> None:
    """`actor:bpifrance` names what `/resource?iri=actor:bpifrance` names, and gives the same answers."""
    long = client.get("/network/paths", params={"source": ANCT, "target": BPIFRANCE})
    short = client.get("/network/paths", params={"source": "actor:anct", "target": "<" + BPIFRANCE + ">"})
    assert short.status_code == 200 and short.json() == long.json() != []
    assert short.headers["etag"] == long.headers["etag"]  # one answer, however it is named
    assert (
        client.get("/resource", params={"iri": "actor:bpifrance"}, headers={"Accept": "text/turtle"}).status_code == 200
    )
    centre = client.get("/network/neighbourhood", params={"iri": "territory:ardeche-drome-nord"})
    assert centre.status_code == 200 and centre.json()["graph"]["center"] == ADN
    assert centre.json() == client.get("/network/neighbourhood", params={"iri": ADN}).json()
    area = client.get("/network", params={"territory": "territory:ardeche-drome-nord"})
    assert area.json()["graph"]["territory"] == ADN
    assert (
        _problem(client.get("/network/paths", params={"source": "nope", "target": BPIFRANCE}))["parameter"] == "source"
    )
    assert _problem(client.get("/network/neighbourhood", params={"iri": " "}))["parameter"] == "iri"


@pytest.mark.parametrize(
    ("target", "filename"),
    [
        ("/network", "network-actors.json"),
        ("/network?kind=full&format=graphml", "network-full.graphml"),
        (
            "/network?format=gexf&territory=territory:ardeche-drome-nord",
            "network-actors-territory-ardeche-drome-nord.gexf",
        ),
        (
            f"/network/neighbourhood?iri={ADN}&hops=2&format=csv",
            "neighbourhood-territory-ardeche-drome-nord-2-hops.csv",
        ),
    ],
)
def test_network_files_come_as_named_attachments(client: TestClient, target: str, filename: str) -> None:
    r = client.get(target)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="{filename}"'


def test_paths_are_an_answer_not_a_file(client: TestClient) -> None:
    r = client.get("/network/paths", params={"source": ANCT, "target": BPIFRANCE})
    assert r.status_code == 200 and "content-disposition" not in r.headers


def test_answers_carry_an_etag_and_revalidate(client: TestClient) -> None:
    r = client.get("/network?format=csv")
    again = client.get("/network?format=csv", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/network?format=gexf").headers["etag"] != r.headers["etag"]


@pytest.mark.parametrize(
    "target",
    [
        "/network?kind=everything",
        "/network?format=pdf",
        "/network?territory=not-an-iri",
        f"/network?territory={ID}actor/anct",  # not an area
        "/network/neighbourhood?hops=1",
        f"/network/neighbourhood?iri={ADN}&hops=0",
        f"/network/neighbourhood?iri={ADN}&hops=5",
        f"/network/neighbourhood?iri={ADN}&hops=two",
        "/network/neighbourhood?iri=nope",
        f"/network/neighbourhood?iri={ID}nothing/here",
        f"/network/paths?source={ANCT}",
        f"/network/paths?source=nope&target={BPIFRANCE}",
        f"/network/paths?source={ANCT}&target={BPIFRANCE}&max_paths=0",
        f"/network/paths?source={ANCT}&target={BPIFRANCE}&max_paths=101",
    ],
)
def test_bad_inputs_are_400(client: TestClient, target: str) -> None:
    _problem(client.get(target))


def test_bad_parameters_are_named_when_the_api_reads_them(client: TestClient) -> None:
    assert _problem(client.get("/network?format=pdf"))["parameter"] == "format"
    assert _problem(client.get(f"/network/neighbourhood?iri={ADN}&hops=two"))["parameter"] == "hops"


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    r = client.get("/network", headers={"Accept": "text/turtle"})
    assert r.status_code == 406
    assert r.json()["available"] == ["application/json", "application/graphml+xml", "application/gexf+xml", "text/csv"]
