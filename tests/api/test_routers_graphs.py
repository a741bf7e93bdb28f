"""Writes over HTTP: the Graph Store Protocol on /graphs and SPARQL Update on /update, against real servers.

One writable server (its own copy of the store and of the data files) serves the module; each test writes
its own graphs, so the order of the tests does not matter.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest

from kg.ingest.pipeline import BuildReport
from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file
from kg.store import layout as kgstore
from tests.api.conftest import WRITE_TOKEN, Server, WritableServer, start_writable, stop

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "write" / "steward-document.ttl"
STEWARD_DOC = f"{TID}source/steward-001"
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
TURTLE = {"Content-Type": "text/turtle"}
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
UPDATE = {"Content-Type": "application/sparql-update"}
QUERY_TIMEOUT = 8  # the writable server's KG_QUERY_TIMEOUT, which bounds an update's evaluation too


@pytest.fixture(scope="module")
def writable(
    built_store: tuple[Path, BuildReport], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WritableServer]:
    env = {"KG_MAX_UPLOAD_BYTES": "200000", "KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT)}
    running = start_writable(built_store[0], tmp_path_factory.mktemp("writable"), env)
    yield running
    stop(running)


@pytest.fixture
def w(writable: WritableServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=writable.url, timeout=60) as client:
        yield client


def _graph_url(graph: str) -> str:
    return f"/graphs?graph={quote(graph, safe='')}"


def _version(client: httpx.Client) -> str:
    version: str = client.get("/health").json()["version"]
    return version


def _count(client: httpx.Client, graph: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _doc(graph: str, label: str) -> str:
    """A small conforming document: the steward fixture's document, renamed."""
    text = FIXTURE.read_text(encoding="utf-8")
    local = graph.rsplit("/", 1)[-1]
    return text.replace("src:steward-001", f"src:{local}").replace(
        '"Rebond industriel en Ardèche-Drôme Nord : les pilotes du dispositif"@fr ;\n    dcterms:title',
        f'"{label}"@fr ;\n    dcterms:title',
    )


# --- authentication ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {WRITE_TOKEN}"}],
    ids=["no-token", "wrong-token", "not-bearer"],
)
def test_writes_without_the_token_are_401_and_change_nothing(w: httpx.Client, headers: dict[str, str]) -> None:
    graph = f"{TID}source/steward-unauthorised"
    before = _version(w)
    body = _doc(graph, "Document refusé")
    for response in (
        w.put(_graph_url(graph), content=body, headers={**TURTLE, **headers}),
        w.post(_graph_url(graph), content=body, headers={**TURTLE, **headers}),
        w.delete(_graph_url(f"{TID}source/001"), headers=headers),
        w.post(
            "/update",
            content=f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> <{RDFS_LABEL}> 'x' }} }}",
            headers={"Content-Type": "application/sparql-update", **headers},
        ),
    ):
        assert response.status_code == 401, response.text
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer realm=")
        assert ('error="invalid_token"' in challenge) is headers.get("Authorization", "").startswith("Bearer ")
        assert response.headers["content-type"] == "application/problem+json"
    assert _version(w) == before
    assert _count(w, graph) == 0
    assert _count(w, f"{TID}source/001") > 0


def test_writes_are_403_when_no_token_is_configured(http: httpx.Client, server: Server) -> None:
    graph = f"{TID}source/steward-disabled"
    r = http.put(_graph_url(graph), content=_doc(graph, "x"), headers={**TURTLE, **AUTH})
    assert r.status_code == 403
    assert "KG_WRITE_TOKEN" in r.json()["detail"]
    r = http.post("/update", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update", **AUTH})
    assert r.status_code == 403
    assert http.get(_graph_url(graph)).status_code == 404


def test_the_query_endpoint_stays_read_only(w: httpx.Client) -> None:
    r = w.post("/sparql", content="CLEAR ALL", headers={"Content-Type": "application/sparql-update", **AUTH})
    assert r.status_code == 403
    assert "/update" in r.json()["detail"]


# --- an accepted write ---------------------------------------------------------------------------------------


def test_a_new_source_document_is_accepted_and_queryable_at_once(w: httpx.Client, writable: WritableServer) -> None:
    before = _version(w)
    etag_before = w.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).headers["etag"]
    r = w.put(
        _graph_url(STEWARD_DOC),
        content=FIXTURE.read_bytes(),
        headers={**TURTLE, **AUTH, "From": "steward@example.org"},
    )
    assert r.status_code == 201, r.text
    assert r.headers["location"] == _graph_url(STEWARD_DOC)
    report = r.json()
    expected = {q.triple for q in parse_file(FIXTURE)}
    assert report["created"] is True
    assert report["added"] == len(expected)
    assert report["removed"] == 0
    assert report["version"] != before

    # at once, through /sparql: the fact, and the document that states it (its provenance)
    q = f"""PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
    SELECT ?doc ?title WHERE {{
      GRAPH ?doc {{ <{TID}involvement/steward-001-anct-rebond-industriel> ti:agent <{TID}actor/anct> ;
                   ti:involvedIn <{TID}scheme/rebond-industriel> }}
      ?doc <http://purl.org/dc/terms/title> ?title }}"""
    rows = w.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"}).json()
    docs = {b["doc"]["value"] for b in rows["results"]["bindings"]}
    assert docs == {STEWARD_DOC}
    assert _version(w) == report["version"]
    assert w.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).headers["etag"] != etag_before

    # the write is recorded: who, when, which graph
    log = f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
    SELECT ?agent ?when ?op WHERE {{ GRAPH <{TID}graph/write-log> {{
      <{report["record"]}> prov:wasAssociatedWith ?agent ; prov:endedAtTime ?when ; ti:operation ?op ;
                           ti:changedGraph <{STEWARD_DOC}> }} }}"""
    rows = w.get("/sparql", params={"query": log}, headers={"Accept": "application/sparql-results+json"}).json()
    [row] = rows["results"]["bindings"]
    assert row["agent"]["value"] == "mailto:steward@example.org"
    assert row["op"]["value"] == "PUT"
    assert row["when"]["datatype"] == "http://www.w3.org/2001/XMLSchema#dateTime"

    # the Graph Store gives the graph back, and the data files hold it for the next build
    back = w.get(_graph_url(STEWARD_DOC), headers={"Accept": "application/n-triples"})
    assert back.status_code == 200
    assert {q.triple for q in ox.parse(back.content, format=ox.RdfFormat.N_TRIPLES)} == expected
    saved = writable.data / "graphs" / "source-steward-001.trig"
    assert {q.triple for q in parse_file(saved)} == expected

    # replacing it again is a 200, not a 201
    again = w.put(_graph_url(STEWARD_DOC), content=FIXTURE.read_bytes(), headers={**TURTLE, **AUTH})
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["added"] == 0


def test_get_graph_negotiates_and_404s(w: httpx.Client) -> None:
    r = w.get(_graph_url(f"{TID}source/001"), headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    assert "etag" in r.headers
    assert (
        w.get(
            _graph_url(f"{TID}source/001"), headers={"If-None-Match": r.headers["etag"], "Accept": "text/turtle"}
        ).status_code
        == 304
    )
    assert w.head(_graph_url(f"{TID}source/001")).status_code == 200
    trig = w.get(_graph_url(f"{TID}source/001") + "&format=trig")
    assert {q.graph_name for q in ox.parse(trig.content, format=ox.RdfFormat.TRIG)} == {
        ox.NamedNode(f"{TID}source/001")
    }
    assert w.get(_graph_url(f"{TID}source/none")).status_code == 404
    assert w.get("/graphs").status_code == 400
    assert w.get("/graphs", params={"graph": "not an iri"}).status_code == 400
    assert w.get("/graphs?default", headers={"Accept": "application/n-triples"}).status_code == 200


def test_post_merges_and_delete_removes(w: httpx.Client, writable: WritableServer) -> None:
    graph = f"{TID}source/steward-post"
    r = w.post(_graph_url(graph), content=_doc(graph, "Document ajouté"), headers={**TURTLE, **AUTH})
    assert r.status_code == 201, r.text
    n = _count(w, graph)
    extra = f'<{graph}> <{RDFS_LABEL}> "Added by POST"@en .'
    r = w.post(_graph_url(graph), content=extra, headers={**TURTLE, **AUTH})
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 1
    assert _count(w, graph) == n + 1
    r = w.delete(_graph_url(graph), headers=AUTH)
    assert r.status_code == 200
    assert r.json()["removed"] == n + 1
    assert _count(w, graph) == 0
    assert not (writable.data / "graphs" / "source-steward-post.trig").exists()
    assert w.delete(_graph_url(graph), headers=AUTH).status_code == 404


def test_post_to_the_graph_store_creates_a_graph_with_a_new_iri(w: httpx.Client) -> None:
    body = f'<{TID}source/001> <{RDFS_LABEL}> "Lancement des démarches (relu)"@fr .'
    r = w.post("/graphs", content=body, headers={**TURTLE, **AUTH})
    assert r.status_code == 201, r.text
    location = r.headers["location"]
    assert w.get(location, headers={"Accept": "application/n-triples"}).status_code == 200


# --- refused writes leave everything as it was ----------------------------------------------------------------


def test_a_non_conforming_write_is_422_with_the_report_and_changes_nothing(
    w: httpx.Client, writable: WritableServer
) -> None:
    before = _version(w)
    files_before = {p: p.read_bytes() for p in writable.data.rglob("*") if p.is_file()}
    original = w.get(_graph_url(f"{TID}source/001"), headers={"Accept": "application/n-triples"}).content
    broken = (
        original.decode()
        + f'<{TID}source/001> <https://w3id.org/territoires-industrie/ontology#seedFile> "a"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    r = w.put(_graph_url(f"{TID}source/001"), content=broken, headers={"Content-Type": "application/n-triples", **AUTH})
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["conforms"] is False
    assert problem["violations"] >= 1
    assert any(res["focus_node"] == f"{TID}source/001" for res in problem["results"])
    assert problem["language"] == "fr", "the report in French unless Accept-Language asks otherwise"
    assert any(res["message"].startswith("Un document source doit avoir") for res in problem["results"])
    english = w.put(
        _graph_url(f"{TID}source/001"),
        content=broken,
        headers={"Content-Type": "application/n-triples", "Accept-Language": "en-GB,en;q=0.9", **AUTH},
    )
    assert english.status_code == 422 and english.json()["language"] == "en"
    assert any(res["message"].startswith("A source document needs") for res in english.json()["results"])
    assert _version(w) == before
    assert w.get(_graph_url(f"{TID}source/001"), headers={"Accept": "application/n-triples"}).content == original
    assert {p: p.read_bytes() for p in writable.data.rglob("*") if p.is_file()} == files_before


def test_removing_what_other_facts_need_is_422(w: httpx.Client) -> None:
    """Deleting a territory's type from every graph breaks the shapes of the facts about it."""
    before = _version(w)
    territory = f"{TID}territory/ardeche-drome-nord"
    update = f"""DELETE WHERE {{ GRAPH ?g {{ <{territory}> a ?type }} }}"""
    r = w.post("/update", content=update, headers={"Content-Type": "application/sparql-update", **AUTH})
    assert r.status_code == 422, r.text
    assert _version(w) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("<a> <b> .", "text/turtle", 400),
        ("{ not json", "application/ld+json", 400),
        ("<x> <y> <z> .", "text/html", 415),
        ("<x> <y> <z> .", "", 415),
    ],
    ids=["turtle-syntax", "jsonld-syntax", "not-rdf", "no-content-type"],
)
def test_bad_bodies(w: httpx.Client, body: str, content_type: str, status: int) -> None:
    headers = {**AUTH, **({"Content-Type": content_type} if content_type else {})}
    r = w.put(_graph_url(f"{TID}source/steward-bad"), content=body, headers=headers)
    assert r.status_code == status, r.text
    if status == 400:
        assert r.json()["line"] == 1


def test_turtle_parse_error_gives_line_and_column(w: httpx.Client) -> None:
    body = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e .\n"
    r = w.put(_graph_url(f"{TID}source/steward-bad"), content=body, headers={**TURTLE, **AUTH})
    assert r.status_code == 400
    assert (r.json()["line"], r.json()["column"]) == (3, 11)


def test_oversized_upload_is_413(w: httpx.Client) -> None:
    body = "".join(f'<{TID}x/{i}> <{RDFS_LABEL}> "{"x" * 80}" .\n' for i in range(3000))
    r = w.put(_graph_url(f"{TID}source/steward-big"), content=body, headers={**TURTLE, **AUTH})
    assert r.status_code == 413


def test_default_graph_and_managed_graphs_are_not_writable(w: httpx.Client) -> None:
    assert w.put("/graphs?default", content="", headers={**TURTLE, **AUTH}).status_code == 405
    assert w.delete("/graphs?default", headers=AUTH).headers["allow"] == "GET, HEAD"
    r = w.delete(_graph_url("https://w3id.org/territoires-industrie/ontology"), headers=AUTH)
    assert r.status_code == 403
    assert w.delete(_graph_url(f"{TID}graph/write-log"), headers=AUTH).status_code == 403


# --- SPARQL Update -----------------------------------------------------------------------------------------------


def test_update_inserts_into_a_named_graph(w: httpx.Client) -> None:
    graph = f"{TID}source/steward-update"
    assert (
        w.put(_graph_url(graph), content=_doc(graph, "Document à compléter"), headers={**TURTLE, **AUTH}).status_code
        == 201
    )
    update = f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}> <{RDFS_LABEL}> "Document to complete"@en }} }}'
    r = w.post("/update", data={"update": update}, headers=AUTH)
    assert r.status_code == 200, r.text
    assert r.json()["graphs"] == [graph]
    assert r.json()["added"] == 1
    ask = f'ASK {{ GRAPH <{graph}> {{ <{graph}> <{RDFS_LABEL}> "Document to complete"@en }} }}'
    assert w.get("/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"}).json()[
        "boolean"
    ]


@pytest.mark.parametrize(
    ("update", "status"),
    [
        (f"INSERT DATA {{ <{TID}a> <{RDFS_LABEL}> 'x' }}", 403),
        ("CLEAR DEFAULT", 403),
        ("DROP ALL", 403),
        ("LOAD <http://example.org/data.ttl> INTO GRAPH <http://example.org/g>", 403),
        ("INSERT DATA { GRAPH <https://w3id.org/territoires-industrie/ontology> { <http://a> <http://b> 'c' } }", 403),
        ("INSERT DATA { GRAPH <http://g> { <a> }", 400),
    ],
    ids=["default-graph", "clear-default", "drop-all", "load", "ontology-graph", "syntax"],
)
def test_refused_updates(w: httpx.Client, update: str, status: int) -> None:
    before = _version(w)
    r = w.post("/update", content=update, headers={"Content-Type": "application/sparql-update", **AUTH})
    assert r.status_code == status, r.text
    assert _version(w) == before


def test_update_endpoint_protocol(w: httpx.Client) -> None:
    assert w.get("/update").status_code == 405
    r = w.post("/update", content="CLEAR ALL", headers={"Content-Type": "text/plain", **AUTH})
    assert r.status_code == 415


# --- concurrency -----------------------------------------------------------------------------------------------


def test_two_concurrent_writers_are_both_applied(w: httpx.Client, writable: WritableServer) -> None:
    graphs = [f"{TID}source/steward-concurrent-{i}" for i in (1, 2)]
    answers: dict[str, httpx.Response] = {}
    start = threading.Barrier(2)

    def write(graph: str) -> None:
        with httpx.Client(base_url=writable.url, timeout=60) as client:
            start.wait()
            answers[graph] = client.put(
                _graph_url(graph), content=_doc(graph, f"Écriture {graph[-1]}"), headers={**TURTLE, **AUTH}
            )

    threads = [threading.Thread(target=write, args=(g,)) for g in graphs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [answers[g].status_code for g in graphs] == [201, 201]
    assert answers[graphs[0]].json()["version"] != answers[graphs[1]].json()["version"]
    for g in graphs:
        assert _count(w, g) == len(parse_file(FIXTURE))
    info = kgstore.BuildInfo.read(kgstore.resolve(writable.store))
    assert info.version in {answers[g].json()["version"] for g in graphs}


def test_readers_see_the_old_graph_or_the_new_one_never_a_mix(w: httpx.Client, writable: WritableServer) -> None:
    graph = f"{TID}source/steward-swap"
    small = _doc(graph, "Petite version")
    big = small + "".join(f'<{graph}> <{RDFS_LABEL}> "Variante {i}"@fr .\n' for i in range(300))
    assert w.put(_graph_url(graph), content=small, headers={**TURTLE, **AUTH}).status_code == 201
    sizes = {_count(w, graph)}
    stop_reading = threading.Event()
    seen: list[int] = []

    def read() -> None:
        with httpx.Client(base_url=writable.url, timeout=60) as client:
            while not stop_reading.is_set():
                seen.append(_count(client, graph))

    reader = threading.Thread(target=read)
    reader.start()
    for body in (big, small, big):
        assert w.put(_graph_url(graph), content=body, headers={**TURTLE, **AUTH}).status_code == 200
        sizes.add(_count(w, graph))
    stop_reading.set()
    reader.join()
    assert len(sizes) == 2
    assert seen and set(seen) <= sizes


def test_write_log_is_valid_json_report(w: httpx.Client) -> None:
    graph = f"{TID}source/steward-report"
    r = w.put(_graph_url(graph), content=_doc(graph, "Rapport"), headers={**TURTLE, **AUTH})
    report = r.json()
    assert set(report) >= {"operation", "graphs", "created", "added", "removed", "version", "record", "warnings"}
    assert json.loads(json.dumps(report)) == report
    assert report["graphs"] == [graph]


# --- hostile and idle updates (issue 10) ---------------------------------------------------------------------


def _log_size(client: httpx.Client) -> int:
    return _count(client, f"{TID}graph/write-log")


def test_an_update_calling_a_service_is_400_and_nothing_connects(
    w: httpx.Client, listener: socket.socket, connections: Callable[[socket.socket], int]
) -> None:
    port = listener.getsockname()[1]
    before = _version(w)
    update = (
        "DELETE { GRAPH <http://x/g> { <http://x/a> <http://x/b> ?x } } "
        f"WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}"
    )
    for response in (
        w.post("/update", content=update, headers={**UPDATE, **AUTH}),
        w.post("/update", data={"update": update.replace("SERVICE", "service silent")}, headers=AUTH),
    ):
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert f"SERVICE <http://127.0.0.1:{port}/x> is not allowed" in response.json()["detail"]
    assert connections(listener) == 0
    assert _version(w) == before


def test_a_runaway_update_is_503_at_the_time_limit_and_releases_the_writer_lock(w: httpx.Client) -> None:
    graph = f"{TID}source/steward-runaway"
    before = _version(w)
    runaway = f"INSERT {{ GRAPH <{graph}> {{ <{graph}> <{RDFS_LABEL}> ?o1 }} }} WHERE {{ ?s1 ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 }}"
    started = time.perf_counter()
    r = w.post("/update", content=runaway, headers={**UPDATE, **AUTH})
    elapsed = time.perf_counter() - started
    assert r.status_code == 503, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert f"longer than {QUERY_TIMEOUT} s" in r.json()["detail"]
    assert QUERY_TIMEOUT <= elapsed < QUERY_TIMEOUT + 15, elapsed
    assert _version(w) == before
    assert _count(w, graph) == 0
    # the lock is free: the next write goes through at once
    r = w.put(_graph_url(graph), content=_doc(graph, "Après la requête folle"), headers={**TURTLE, **AUTH})
    assert r.status_code == 201, r.text


def test_deep_queries_and_updates_are_400_naming_the_limit(w: httpx.Client) -> None:
    deep = "SELECT * WHERE " + "{" * 20_000 + " ?s ?p ?o " + "}" * 20_000
    r = w.post("/sparql", content=deep, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "more than 200 levels deep" in r.json()["detail"]
    assert "KG_MAX_QUERY_DEPTH" in r.json()["detail"]
    union = "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }"
    assert w.post("/sparql", data={"query": union}).status_code == 400
    before = _version(w)
    update = f"INSERT {{ GRAPH <{TID}source/deep> {{ ?s ?p ?o }} }} WHERE " + "{" * 20_000 + "?s ?p ?o" + "}" * 20_000
    r = w.post("/update", content=update, headers={**UPDATE, **AUTH})
    assert r.status_code == 400, r.text
    assert "more than 200 levels deep" in r.json()["detail"]
    assert _version(w) == before
    # the workers are still there and answer
    assert _count(w, f"{TID}source/001") > 0


def test_a_write_that_changes_nothing_is_200_and_publishes_nothing(w: httpx.Client) -> None:
    graph = f"{TID}source/steward-idle"
    body = _doc(graph, "Document inchangé")
    assert w.put(_graph_url(graph), content=body, headers={**TURTLE, **AUTH}).status_code == 201
    version, log = _version(w), _log_size(w)
    started = w.get("/health").json()["workers_started"]
    for r in (
        w.post(
            "/update",
            content=f"DELETE DATA {{ GRAPH <{graph}> {{ <{graph}> <http://x/never> 'stated' }} }}",
            headers={**UPDATE, **AUTH},
        ),
        w.put(_graph_url(graph), content=body, headers={**TURTLE, **AUTH}),
    ):
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["changed"] is False
        assert (report["added"], report["removed"], report["record"]) == (0, 0, "")
        assert report["version"] == version
    assert _version(w) == version
    assert _log_size(w) == log
    assert w.get("/health").json()["workers_started"] == started  # no refresh: the same workers serve


def test_the_in_memory_workers_replay_a_write_instead_of_reloading(writable: WritableServer, w: httpx.Client) -> None:
    """After a write the workers serve the new version at once, from their own copies brought up to date
    (kg.store.delta): no worker is started, and what they answer is what the new build on disk holds."""
    health = w.get("/health").json()
    assert health["in_memory"] is True
    started, replayed = health["workers_started"], health["workers_replayed_writes"]
    graph = f"{TID}source/steward-replayed"
    r = w.put(_graph_url(graph), content=_doc(graph, "Document rejoué"), headers={**TURTLE, **AUTH})
    assert r.status_code == 201, r.text
    health = w.get("/health").json()
    assert health["version"] == r.json()["version"]
    assert health["workers_started"] == started
    assert health["workers_replayed_writes"] == replayed + health["workers"]
    disk = kgstore.open_read_only(writable.store)
    every = (  # the size of every graph, the default one (the merge) included, and the new graph whole
        "SELECT ?g ?n ?s ?p ?o WHERE { { SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION "
        f"{{ GRAPH ?g {{ ?s ?p ?o }} }} }} GROUP BY ?g }} UNION {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} }}"
    )
    tsv = disk.query(every).serialize(format=ox.QueryResultsFormat.TSV)  # type: ignore[union-attr]
    on_disk = {tuple(line.split("\t")) for line in tsv.decode("utf-8").splitlines()[1:]}
    assert health["triples"] == sum(1 for _ in disk.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for _ in range(health["workers"] * 2):  # every worker in turn (each answers one query at a time)
        r = w.post("/sparql", data={"query": every}, headers={"Accept": "text/tab-separated-values"})
        assert r.status_code == 200, r.text
        rows = {tuple(line.split("\t")) for line in r.text.splitlines()[1:]}
        assert rows == on_disk


def test_the_answer_cache_serves_repeats_and_never_an_older_version(w: httpx.Client) -> None:
    """kg.store.cache.AnswerCache in front of the pool: /sparql, canned queries and pages share it."""
    graph = f"{TID}source/steward-cached"

    def hits() -> int:
        return int(w.get("/health").json()["answer_cache"]["hits"])

    before = _count(w, graph)
    start = hits()
    assert _count(w, graph) == before and hits() == start + 1
    assert w.get("/queries/statistics").status_code == 200 and w.get("/queries/statistics").status_code == 200
    assert hits() >= start + 2
    r = w.put(_graph_url(graph), content=_doc(graph, "Document mis en cache"), headers={**TURTLE, **AUTH})
    assert r.status_code == 201, r.text
    assert _count(w, graph) > before, "the write's version, not the answer kept for the one before"
