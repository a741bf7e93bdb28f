"""Real clients, unmodified, against a running server: they get the same answers as the store itself — with
the embedded store behind the server, and with Virtuoso (`KG_BACKEND=sparql`, the session's scratch one)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, JSONLD, RDFXML, TURTLE, XML, SPARQLWrapper

from kg.sources.namespaces import TI, source_graph
from kg.store.publish import PublishReport
from kg.store.remote import SparqlStore
from tests.api.conftest import _start, _stop
from tests.kg.store import virtuoso as vt

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*default_context is deprecated:DeprecationWarning"),
]

TERRITORIES = """PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?t ?label WHERE { ?t a ti:IndustryTerritory ; rdfs:label ?label } ORDER BY ?t ?label"""
FUNDING = """PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
CONSTRUCT { ?f ?p ?o } WHERE { ?f a ti:FundingFlow ; ?p ?o }"""


class Server(Protocol):
    url: str

    @property
    def endpoint(self) -> str: ...


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(
    request: pytest.FixtureRequest, server: Server, store_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """The session's server over the embedded store, then one over Virtuoso with the bundled build published."""
    if request.param == "oxigraph":
        yield server
        return
    virtuoso: vt.Virtuoso = request.getfixturevalue("virtuoso_server")
    published: tuple[SparqlStore, PublishReport] = request.getfixturevalue("published")
    assert published[1].graphs
    env = {
        "KG_BACKEND": "sparql",
        "KG_SPARQL_QUERY_URL": virtuoso.query_url,
        "KG_SPARQL_ENGINE": "virtuoso",
        "KG_MAX_ROWS": "100000",
    }
    running = _start(store_path, tmp_path_factory.mktemp("server-virtuoso") / "uvicorn.log", env)
    yield running
    _stop(running)


def _store_graph(kg_store: ox.Store, query: str) -> Graph:
    body = kg_store.query(query).serialize(format=ox.RdfFormat.N_TRIPLES)  # pyoxigraph itself, as the reference
    return Graph().parse(data=body, format="nt")


def _expected(store_rows: Callable, query: str) -> list[tuple[str, str]]:
    return [(row["t"], row["label"]) for row in store_rows(query)]


def test_sparqlwrapper_json(server: Server, store_rows: Callable) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(TERRITORIES)
    client.setReturnFormat(JSON)
    result: Any = client.query().convert()
    rows = [(b["t"]["value"], b["label"]["value"]) for b in result["results"]["bindings"]]
    assert rows == _expected(store_rows, TERRITORIES)


def test_sparqlwrapper_xml_by_post(server: Server, store_rows: Callable) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(TERRITORIES)
    client.setReturnFormat(XML)
    client.setMethod("POST")
    document: Any = client.query().convert()
    rows = []
    for result in document.getElementsByTagName("result"):
        values = {b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")}
        rows.append((values["t"], values["label"]))
    assert rows == _expected(store_rows, TERRITORIES)


@pytest.mark.parametrize("return_format", [RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct_into_rdflib(server: Server, kg_store: ox.Store, return_format: str) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(FUNDING)
    client.setReturnFormat(return_format)
    graph = client.query().convert()
    assert isinstance(graph, Graph)
    expected = _store_graph(kg_store, FUNDING)
    assert len(expected) > 50
    assert isomorphic(graph, expected)


def test_sparqlwrapper_construct_as_turtle(server: Server, kg_store: ox.Store) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(FUNDING)
    client.setReturnFormat(TURTLE)
    body = client.query().convert()
    assert isinstance(body, bytes)
    assert isomorphic(Graph().parse(data=body, format="turtle"), _store_graph(kg_store, FUNDING))


def test_sparqlwrapper_ask(server: Server) -> None:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(f"ASK {{ GRAPH <{source_graph('003')}> {{ ?s ?p ?o }} }}")
    client.setReturnFormat(JSON)
    result: Any = client.query().convert()
    assert result["boolean"] is True


@pytest.mark.parametrize("method", ["GET", "POST_FORM"])
def test_rdflib_sparqlstore(server: Server, store_rows: Callable, method: str) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint, method=method))
    rows = [(str(t), str(label)) for t, label in graph.query(TERRITORIES)]  # type: ignore[misc]
    assert rows == _expected(store_rows, TERRITORIES)
    territories = set(graph.subjects(predicate=URIRef(str(TI) + "inRegion")))
    expected = {row["s"] for row in store_rows(f"SELECT DISTINCT ?s WHERE {{ ?s <{TI}inRegion> ?o }}")}
    assert {str(t) for t in territories} == expected


def test_rdflib_sparqlstore_graph_is_the_default_graph_uri(server: Server, store_rows: Callable) -> None:
    """A graph with an IRI asks the endpoint with default-graph-uri: only that document's statements."""
    doc = source_graph("001")
    graph = Graph(store=SPARQLStore(server.endpoint), identifier=URIRef(doc))
    (row,) = list(graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    expected = store_rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{doc}> {{ ?s ?p ?o }} }}")[0]["n"]
    assert int(str(row[0])) == int(expected)  # type: ignore[index]
