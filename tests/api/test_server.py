"""The SPARQL 1.1 Protocol against a running server (`uvicorn` in a subprocess): positive and negative cases."""

from __future__ import annotations

import gzip
import io
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Protocol

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID
from rdflib.query import Result

from kg.sources.namespaces import CURATION_GRAPH, GEO_GRAPH, ONTOLOGY_IRI, TI, source_graph

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*default_context is deprecated:DeprecationWarning"),
]


class Server(Protocol):
    """The `server` fixtures (see conftest.py)."""

    url: str

    @property
    def endpoint(self) -> str: ...


SD = "http://www.w3.org/ns/sparql-service-description#"
G000, G001, G002 = source_graph("000"), source_graph("001"), source_graph("002")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
NAMED_GRAPHS = 12  # the 5 documents, curation, Etalab, the inferred places, the RDFS entailments, the links, the counts, the ontology
PHASE_END = """PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
SELECT ?year ?doc WHERE {
  GRAPH ?doc { <https://w3id.org/territoires-industrie/id/phase/1> ti:endYear ?year }
} ORDER BY ?year ?doc"""
TERRITORIES = "SELECT ?t ?label WHERE { ?t a <https://w3id.org/territoires-industrie/ontology#IndustryTerritory> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?t ?label"
CONSTRUCT = (
    "CONSTRUCT { ?t ?p ?o } WHERE { ?t a <https://w3id.org/territoires-industrie/ontology#IndustryTerritory> ; ?p ?o }"
)
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
INSERT = "INSERT DATA { <http://example.org/intruder> <http://example.org/p> <http://example.org/o> }"
INTRUDER = "ASK { <http://example.org/intruder> ?p ?o }"


def count(http: httpx.Client, query: str = COUNT, **params: str) -> int:
    r = http.get("/sparql", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def column(response: httpx.Response, var: str) -> list[str]:
    return [b[var]["value"] for b in response.json()["results"]["bindings"] if var in b]


# --- the three ways to send a query --------------------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(http: httpx.Client, store_rows: Callable) -> None:
    expected = [(row["year"], row["doc"]) for row in store_rows(PHASE_END)]
    assert expected, "the documents disagree on when phase 1 ended"
    answers = [
        http.get("/sparql", params={"query": PHASE_END}),
        http.post("/sparql", data={"query": PHASE_END}),
        http.post("/sparql", content=PHASE_END.encode(), headers={"Content-Type": "application/sparql-query"}),
    ]
    for r in answers:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/sparql-results+json"
        assert [(b["year"]["value"], b["doc"]["value"]) for b in r.json()["results"]["bindings"]] == expected


def test_unknown_parameters_are_ignored(http: httpx.Client) -> None:
    params = {"query": "ASK {}", "format": "json", "output": "json", "results": "json", "timeout": "0", "x": "y"}
    r = http.get("/sparql", params=params)
    assert r.status_code == 200
    assert r.json()["boolean"] is True


def test_two_query_parameters_are_400(http: httpx.Client) -> None:
    r = http.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert "one query" in r.json()["detail"]
    r = http.post("/sparql?query=ASK%20%7B%7D", content=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


def test_a_post_without_a_query_is_400(http: httpx.Client) -> None:
    assert http.post("/sparql", data={"default-graph-uri": G001}).status_code == 400
    assert http.post("/sparql", content=b"", headers={"Content-Type": "application/sparql-query"}).status_code == 400


def test_an_unknown_content_type_is_415(http: httpx.Client) -> None:
    r = http.post("/sparql", content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/sparql-query" in r.json()["detail"]


def test_a_malformed_query_is_400_with_the_parser_message_and_position(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p ?o \n  FILTER(\n}"})
    assert r.status_code == 400
    problem = r.json()
    assert problem["title"] == "Malformed query"
    assert problem["line"] == 4 and problem["column"] >= 1
    assert "4:" in problem["detail"]


# --- the dataset: union default graph, GRAPH, protocol parameters, FROM ---------------------------------


def test_the_default_graph_is_the_union_and_every_graph_is_reachable(http: httpx.Client, store_rows: Callable) -> None:
    assert count(http) == int(store_rows(COUNT)[0]["n"])
    r = http.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"})
    graphs = set(column(r, "g"))
    assert {G000, G001, G002, str(CURATION_GRAPH), str(GEO_GRAPH), ONTOLOGY_IRI} <= graphs
    assert len(graphs) == NAMED_GRAPHS


def test_default_graph_uri_and_named_graph_uri_change_the_answer(http: httpx.Client, store_rows: Callable) -> None:
    in_001 = int(store_rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G001}> {{ ?s ?p ?o }} }}")[0]["n"])
    assert count(http, **{"default-graph-uri": G001}) == in_001 < count(http)
    by_post = http.post("/sparql", data={"query": COUNT, "default-graph-uri": G001})
    assert int(by_post.json()["results"]["bindings"][0]["n"]["value"]) == in_001
    named = http.get(
        "/sparql",
        params=[
            ("query", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"),
            ("named-graph-uri", G000),
            ("named-graph-uri", G002),
        ],
    )
    assert set(column(named, "g")) == {G000, G002}
    assert count(http, **{"named-graph-uri": G000}) == 0  # named graphs only: the default graph is empty


def test_from_and_from_named_select_graphs_of_this_dataset(http: httpx.Client, store_rows: Callable) -> None:
    in_001 = int(store_rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G001}> {{ ?s ?p ?o }} }}")[0]["n"])
    assert count(http, f"SELECT (COUNT(*) AS ?n) FROM <{G001}> WHERE {{ ?s ?p ?o }}") == in_001
    r = http.get(
        "/sparql", params={"query": f"SELECT DISTINCT ?g FROM NAMED <{G002}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}
    )
    assert column(r, "g") == [G002]


def test_from_a_url_is_never_fetched(http: httpx.Client, listener: socket.socket, connections: Callable) -> None:
    port = listener.getsockname()[1]
    query = f"SELECT (COUNT(*) AS ?n) FROM <http://127.0.0.1:{port}/data.ttl> FROM NAMED <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}"
    assert count(http, query) == 0
    assert connections(listener) == 0


# --- answers in every format, chosen by Accept or format ------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/csv", "text/csv; charset=utf-8", "csv"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv"),
    ],
)
def test_select_in_every_results_format(
    http: httpx.Client, store_rows: Callable, accept: str, media_type: str, rdflib_format: str
) -> None:
    r = http.get("/sparql", params={"query": TERRITORIES}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"] == media_type
    result = Result.parse(io.BytesIO(r.content), format=rdflib_format)
    expected = {(row["t"], row["label"]) for row in store_rows(TERRITORIES)}
    assert {(str(row[0]), str(row[1])) for row in result} == expected  # type: ignore[index]
    if rdflib_format in ("json", "xml", "tsv"):  # CSV has no language tags by design
        assert any(isinstance(row[1], Literal) and row[1].language == "fr" for row in result)  # type: ignore[index]


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_ask_in_every_results_format(http: httpx.Client, accept: str) -> None:
    r = http.get("/sparql", params={"query": f"ASK {{ GRAPH <{G001}> {{ ?s ?p ?o }} }}"}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    if accept.endswith("json"):
        assert r.json()["boolean"] is True
    elif accept.endswith("xml"):
        assert Result.parse(io.BytesIO(r.content), format="xml").askAnswer is True
    else:
        assert "true" in r.text


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle; charset=utf-8", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/trig", "application/trig", "trig"),
        ("application/n-quads", "application/n-quads", "nquads"),
    ],
)
def test_construct_in_every_rdf_format(
    http: httpx.Client, kg_store: ox.Store, accept: str, media_type: str, rdflib_format: str
) -> None:
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"] == media_type
    graph = Dataset() if rdflib_format in ("trig", "nquads") else Graph()
    graph.parse(data=r.content, format=rdflib_format)
    result = kg_store.query(CONSTRUCT)  # pyoxigraph itself, as the reference
    assert isinstance(result, ox.QueryTriples)
    assert len(graph) == len(list(result)) > 100


def test_describe_answers_a_graph(http: httpx.Client) -> None:
    r = http.get(
        "/sparql",
        params={"query": "DESCRIBE <https://w3id.org/territoires-industrie/id/programme/territoires-d-industrie>"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=r.content, format="turtle")) > 0


@pytest.mark.parametrize(
    ("accept", "query", "media_type"),
    [
        ("application/sparql-results+xml;q=0.5, text/csv;q=0.9", "ASK {}", "text/csv"),
        ("text/csv;q=0.2, application/sparql-results+xml", "ASK {}", "application/sparql-results+xml"),
        ("*/*", "ASK {}", "application/sparql-results+json"),
        (BROWSER, "ASK {}", "application/sparql-results+json"),
        ("text/*", "ASK {}", "text/csv"),
        ("text/turtle;q=0.1, application/n-triples", CONSTRUCT, "application/n-triples"),
        ("*/*", CONSTRUCT, "text/turtle"),
        ("application/json", CONSTRUCT, "application/ld+json"),
    ],
)
def test_accept_with_q_values_and_wildcards(http: httpx.Client, accept: str, query: str, media_type: str) -> None:
    r = http.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type


def test_the_format_parameter_chooses_for_browsers(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "ASK {}", "format": "csv"}, headers={"Accept": BROWSER})
    assert r.headers["content-type"].startswith("text/csv")
    r = http.get("/sparql", params={"query": CONSTRUCT, "format": "json"})
    assert r.headers["content-type"] == "application/ld+json"
    r = http.get("/sparql", params={"query": CONSTRUCT, "format": "csv"})
    assert r.status_code == 406


def test_nothing_acceptable_is_406_with_the_available_types(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert "application/sparql-results+json" in r.json()["available"]
    r = http.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406
    assert "text/turtle" in r.json()["available"]


# --- the service description, VoID, health ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"), ("*/*", "turtle")],
)
def test_the_service_description(server: Server, http: httpx.Client, accept: str, rdflib_format: str) -> None:
    r = http.get("/sparql", headers={"Accept": accept})
    assert r.status_code == 200
    g = Graph().parse(data=r.content, format=rdflib_format)
    service = URIRef(server.endpoint)
    assert (service, RDF.type, URIRef(SD + "Service")) in g
    assert (service, URIRef(SD + "endpoint"), service) in g
    assert (service, URIRef(SD + "supportedLanguage"), URIRef(SD + "SPARQL11Query")) in g
    assert (service, URIRef(SD + "feature"), URIRef(SD + "UnionDefaultGraph")) in g
    assert (service, URIRef(SD + "feature"), URIRef(SD + "BasicFederatedQuery")) not in g
    assert (service, URIRef(SD + "resultFormat"), URIRef("http://www.w3.org/ns/formats/SPARQL_Results_CSV")) in g
    dataset = g.value(service, URIRef(SD + "defaultDataset"))
    default = g.value(dataset, URIRef(SD + "defaultGraph"))
    assert int(str(g.value(default, VOID.triples))) == count(http)
    assert len(list(g.objects(dataset, URIRef(SD + "namedGraph")))) == NAMED_GRAPHS


def test_a_browser_gets_an_html_page(http: httpx.Client) -> None:
    r = http.get("/sparql", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in r.text and "<h1>" in r.text
    assert "union de tous les graphes nommés" in r.text
    # no external resource: every script and stylesheet comes from this server's /static
    loaded = re.findall(r'<script src="([^"]+)"|<link rel="stylesheet" href="([^"]+)"', r.text)
    assert loaded and all(url.startswith("/static/") for pair in loaded for url in pair if url)
    assert "/static/vendor/yasgui/yasgui.min.js" in {url for pair in loaded for url in pair}


def test_void(server: Server, http: httpx.Client) -> None:
    r = http.get("/.well-known/void")
    assert r.status_code == 200
    g = Graph().parse(data=r.content, format="turtle")
    dataset = URIRef("https://w3id.org/territoires-industrie/id/dataset")  # the same whatever the host
    assert (dataset, RDF.type, VOID.Dataset) in g
    assert int(str(g.value(dataset, VOID.triples))) == count(http)
    for prop in (VOID.entities, VOID.classes, VOID.properties):
        assert int(str(g.value(dataset, prop))) > 0
    assert (dataset, VOID.sparqlEndpoint, URIRef(server.endpoint)) in g
    assert len(list(g.objects(dataset, VOID.subset))) == NAMED_GRAPHS
    seeds = {str(g.value(doc, TI.seedFile)) for doc in g.objects(dataset, URIRef("http://purl.org/dc/terms/source"))}
    assert len({s for s in seeds if s.endswith(".txt")}) == 5


def test_health(http: httpx.Client) -> None:
    r = http.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["workers"] == 2 and body["triples"] > 0 and body["version"]


# --- CORS, gzip, caching ---------------------------------------------------------------------------------


def test_cors_lets_browser_clients_read_answers_and_headers(http: httpx.Client) -> None:
    r = http.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    exposed = r.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed and "sparql-results-truncated" in exposed
    preflight = http.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()


def test_large_answers_are_gzipped(server: Server) -> None:
    raw = httpx.get(server.endpoint, params={"query": TERRITORIES}, headers={"Accept-Encoding": "gzip"})
    assert raw.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in raw.headers["vary"]
    with httpx.stream("GET", server.endpoint, params={"query": TERRITORIES}, headers={"Accept-Encoding": "gzip"}) as r:
        compressed = b"".join(r.iter_raw())
    assert json.loads(gzip.decompress(compressed))["results"]["bindings"]
    plain = httpx.get(server.endpoint, params={"query": TERRITORIES}, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


def test_etag_and_cache_control_are_tied_to_the_dataset_version(http: httpx.Client) -> None:
    version = http.get("/health").json()["version"]
    first = http.get("/sparql", params={"query": PHASE_END})
    tag = first.headers["etag"]
    assert tag.startswith(f'W/"{version}-')
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert [v.strip() for v in first.headers["vary"].split(",")] == ["Accept", "Accept-Encoding", "Origin"]
    again = http.get("/sparql", params={"query": PHASE_END}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    other_format = http.get(
        "/sparql", params={"query": PHASE_END}, headers={"If-None-Match": tag, "Accept": "text/csv"}
    )
    assert other_format.status_code == 200
    assert other_format.headers["etag"] != tag
    assert http.get("/sparql", params={"query": "ASK {}"}).headers["etag"] != tag
    sd = http.get("/sparql")
    assert http.get("/sparql", headers={"If-None-Match": sd.headers["etag"]}).status_code == 304


# --- a public endpoint that cannot be abused --------------------------------------------------------------


def test_updates_are_refused_and_change_nothing(http: httpx.Client) -> None:
    before = count(http)
    attempts = [
        http.get("/sparql", params={"query": INSERT}),
        http.post("/sparql", data={"query": INSERT}),
        http.post("/sparql", data={"update": INSERT}),
        http.get("/sparql", params={"update": INSERT}),
        http.post("/sparql", content=INSERT.encode(), headers={"Content-Type": "application/sparql-update"}),
        http.post("/sparql", content=INSERT.encode(), headers={"Content-Type": "application/sparql-query"}),
        http.get("/sparql", params={"query": "CLEAR DEFAULT"}),
    ]
    for r in attempts:
        assert r.status_code == 403, r.text
        assert "read-only" in r.json()["detail"]
    # an update hidden after a query is not a query either: refused, by the guard or by the parser
    hidden = http.get("/sparql", params={"query": "SELECT * {} ; DROP ALL"})
    assert hidden.status_code in (400, 403)
    assert count(http) == before
    assert http.get("/sparql", params={"query": INTRUDER}).json()["boolean"] is False


def test_service_is_refused_and_nothing_connects(
    http: httpx.Client, listener: socket.socket, connections: Callable
) -> None:
    port = listener.getsockname()[1]
    for query in (
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
    ):
        r = http.post("/sparql", data={"query": query})
        assert r.status_code == 400, r.text
        assert "SERVICE" in r.json()["detail"]
    assert connections(listener) == 0


def test_limits_on_request_size(limited_http: httpx.Client) -> None:
    big = "ASK {}" + " " * 3000
    assert (
        limited_http.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}).status_code
        == 413
    )
    assert limited_http.post("/sparql", data={"query": big}).status_code == 413
    long_url = limited_http.get("/sparql", params={"query": "ASK {}" + " " * 1500})
    assert long_url.status_code == 414
    assert "POST" in long_url.json()["detail"]
    assert limited_http.post("/sparql", data={"query": "ASK {}" + " " * 1500}).status_code == 200


def test_truncated_answers_say_so(limited_http: httpx.Client) -> None:
    r = limited_http.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Origin": "https://example.org"}
    )
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) == 5
    assert r.headers["sparql-results-truncated"] == "true"
    assert r.headers["sparql-max-rows"] == "5"
    construct = limited_http.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"}
    )
    assert len(construct.text.strip().splitlines()) == 5
    assert construct.headers["sparql-results-truncated"] == "true"
    whole = limited_http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert "sparql-results-truncated" not in whole.headers


def test_descriptions_are_whole_under_a_small_row_limit(limited_http: httpx.Client) -> None:
    void = Graph().parse(data=limited_http.get("/.well-known/void").content, format="turtle")
    assert len(list(void.objects(None, VOID.subset))) == NAMED_GRAPHS  # more than the 5 rows a query may return
    sd = Graph().parse(data=limited_http.get("/sparql").content, format="turtle")
    assert len(list(sd.objects(None, URIRef(SD + "namedGraph")))) == NAMED_GRAPHS


def test_a_runaway_query_is_stopped_while_others_are_served(limited_server: Server) -> None:
    outcome: dict[str, object] = {}

    def explode() -> None:
        started = time.monotonic()
        with httpx.Client(timeout=30) as own:
            outcome["response"] = own.get(limited_server.endpoint, params={"query": EXPLOSIVE})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=explode)
    thread.start()
    time.sleep(0.5)  # the explosive query is running now
    with httpx.Client(timeout=30) as other:
        started = time.monotonic()
        quick = other.get(limited_server.endpoint, params={"query": "SELECT ?s WHERE { ?s a ?c } LIMIT 3"})
        assert time.monotonic() - started < 1.0
        assert quick.status_code == 200
    thread.join(timeout=30)
    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503
    assert "stopped" in response.json()["detail"] and "2 s" in response.json()["detail"]
    assert response.headers["retry-after"]
    assert float(outcome["seconds"]) < 2 + 2  # type: ignore[arg-type]
    with httpx.Client(timeout=30) as after:  # the server keeps serving, with its capacity back
        for _ in range(4):
            assert after.get(limited_server.endpoint, params={"query": "ASK {}"}).status_code == 200
        deadline = time.monotonic() + 10
        while after.get(limited_server.url + "/health").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert after.get(limited_server.url + "/health").status_code == 200
