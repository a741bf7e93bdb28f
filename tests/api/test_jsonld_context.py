"""The published JSON-LD context (/context.jsonld) and the compacted JSON-LD of /id/…, /sparql and /graphs."""

from __future__ import annotations

import json

import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from kg.docs import context

ID = "https://w3id.org/territoires-industrie/id/"
JSONLD = {"Accept": "application/ld+json"}
NTRIPLES = {"Accept": "application/n-triples"}


def _same(compacted: bytes, ntriples: bytes) -> bool:
    return isomorphic(
        rdflib.Graph().parse(data=compacted, format="json-ld"), rdflib.Graph().parse(data=ntriples, format="nt")
    )


def test_the_context_is_published_cacheable_and_answers_head(client: TestClient) -> None:
    r = client.get("/context.jsonld")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.json() == {"@context": context.CONTEXT}
    assert client.get("/context.jsonld", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    head = client.head("/context.jsonld")
    assert head.status_code == 200 and head.content == b""
    assert "/context.jsonld" in client.get("/openapi.json").json()["paths"]


def test_a_resource_description_is_compacted_and_round_trips(client: TestClient) -> None:
    compacted = client.get("/id/epci/200072015", headers=JSONLD)
    plain = client.get("/id/epci/200072015", headers=NTRIPLES)
    assert compacted.status_code == plain.status_code == 200
    doc = json.loads(compacted.content)
    assert doc["@context"] == context.CONTEXT
    assert '"epci:200072015"' in compacted.text
    assert _same(compacted.content, plain.content)
    see_also = rdflib.URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso")  # the link out (graph:links)
    page = rdflib.URIRef("https://annuaire-entreprises.data.gouv.fr/entreprise/200072015")
    assert (rdflib.URIRef(ID + "epci/200072015"), see_also, page) in rdflib.Graph().parse(
        data=compacted.content, format="json-ld"
    )


def test_construct_on_sparql_is_compacted_and_round_trips(client: TestClient) -> None:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{ID}source/001> {{ ?s ?p ?o }} }}"
    compacted = client.get("/sparql", params={"query": query}, headers=JSONLD)
    plain = client.get("/sparql", params={"query": query}, headers=NTRIPLES)
    assert compacted.status_code == plain.status_code == 200
    assert json.loads(compacted.content)["@context"] == context.CONTEXT
    assert _same(compacted.content, plain.content)


def test_a_graph_store_read_keeps_its_graph_name(client: TestClient) -> None:
    graph = ID + "source/002"
    compacted = client.get("/graphs", params={"graph": graph}, headers=JSONLD)
    assert compacted.status_code == 200
    assert json.loads(compacted.content)["@context"] == context.CONTEXT
    back = rdflib.Dataset().parse(data=compacted.content, format="json-ld")
    assert {str(g.identifier) for g in back.graphs() if len(g)} == {graph}
    plain = client.get("/graphs", params={"graph": graph}, headers=NTRIPLES)
    assert isomorphic(back.graph(rdflib.URIRef(graph)), rdflib.Graph().parse(data=plain.content, format="nt"))
