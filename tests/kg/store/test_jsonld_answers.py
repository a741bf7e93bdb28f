"""JSON-LD answers of the stores (CONSTRUCT, DESCRIBE, Graph Store reads) are compacted and round-trip."""

from __future__ import annotations

import json

import pyoxigraph as ox
import rdflib
from rdflib.compare import isomorphic

from kg.docs import context
from kg.store import remote_io
from kg.store.interface import QueryRequest
from kg.store.local import LocalStore

ID = "https://w3id.org/territoires-industrie/id/"
SOURCE = ID + "source/000"
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{SOURCE}> {{ ?s ?p ?o }} }}"
DESCRIBE = f"DESCRIBE <{ID}commune/71076>"


def _graph(body: bytes, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=body, format="json-ld" if fmt == "jsonld" else "nt")


def test_construct_and_describe_in_json_ld_are_compacted_and_equal_the_n_triples_answer(kg_store: ox.Store) -> None:
    store = LocalStore(kg_store)
    for query in (CONSTRUCT, DESCRIBE):
        compacted = store.run(QueryRequest(query, graph_format="jsonld"))
        plain = store.run(QueryRequest(query, graph_format="ntriples"))
        assert json.loads(compacted.body)["@context"] == context.CONTEXT
        assert compacted.rows == plain.rows > 0
        assert isomorphic(_graph(compacted.body, "jsonld"), _graph(plain.body, "ntriples")), query


def test_a_graph_store_read_keeps_its_named_graph(kg_store: ox.Store) -> None:
    read = LocalStore(kg_store).read_graph(SOURCE, "jsonld")
    doc = json.loads(read.body)
    assert doc["@context"] == context.CONTEXT
    back = rdflib.Dataset().parse(data=read.body, format="json-ld")
    assert {str(g.identifier) for g in back.graphs() if len(g)} == {SOURCE}
    plain = LocalStore(kg_store).read_graph(SOURCE, "ntriples").body
    assert isomorphic(back.graph(rdflib.URIRef(SOURCE)), _graph(plain, "ntriples"))


def test_the_remote_stores_answers_are_written_by_the_same_function(kg_store: ox.Store) -> None:
    triples = [q.triple for q in kg_store.quads_for_pattern(None, None, None, ox.NamedNode(SOURCE))]
    for graph in (None, SOURCE):
        body = remote_io.graph_body(triples, graph, "jsonld")
        name = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        assert body == context.jsonld([ox.Quad(t.subject, t.predicate, t.object, name) for t in triples])
    nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    assert isomorphic(_graph(remote_io.graph_body(triples, None, "jsonld"), "jsonld"), _graph(nt, "ntriples"))
