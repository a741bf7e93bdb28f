"""The API over a remote SPARQL store (`KG_BACKEND=sparql`, Virtuoso): the same routes, promises and errors.

Virtuoso runs once per session with the bundled build published (tests/kg/store/virtuoso_fixtures.py);
each test builds the app over it with the same `create_app` as the embedded store's tests.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.main import create_app
from kg import queries
from kg.config import Settings
from kg.ingest.pipeline import BuildReport
from kg.store.engines import VIRTUOSO
from kg.store.pool import QueryPool
from kg.store.publish import PublishReport
from kg.store.remote import SparqlStore
from kg_cli.main import app as cli
from tests.kg.store import virtuoso as vt
from tests.kg.store.virtuoso_fixtures import remote_store

JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def remote_settings(base: Settings, server: vt.Virtuoso) -> Settings:
    return base.model_copy(
        update={"backend": "sparql", "sparql_query_url": server.query_url, "sparql_engine": "virtuoso"}
    )


@pytest.fixture
def remote(
    api_settings: Settings, virtuoso_server: vt.Virtuoso, published: tuple[SparqlStore, PublishReport]
) -> Iterator[TestClient]:
    store = remote_store(virtuoso_server, max_rows=api_settings.max_rows, timeout=api_settings.query_timeout)
    with TestClient(create_app(remote_settings(api_settings, virtuoso_server), store)) as c:
        yield c
    store.close()


def test_sparql_answers_the_merge_of_the_named_graphs(remote: TestClient, client: TestClient) -> None:
    on_virtuoso = remote.get("/sparql", params={"query": COUNT}, headers={"Accept": JSON})
    embedded = client.get("/sparql", params={"query": COUNT}, headers={"Accept": JSON})
    assert on_virtuoso.status_code == 200 and on_virtuoso.headers["content-type"].startswith(JSON)
    n = on_virtuoso.json()["results"]["bindings"][0]["n"]
    assert n == embedded.json()["results"]["bindings"][0]["n"], "the same merge, none of Virtuoso's own triples"
    assert (
        on_virtuoso.headers["etag"]
        and on_virtuoso.headers["etag"]
        == remote.get("/sparql", params={"query": COUNT}, headers={"Accept": JSON}).headers["etag"]
    )


def test_a_canned_query_answers_as_on_the_embedded_store(remote: TestClient, client: TestClient) -> None:
    adn = "https://w3id.org/territoires-industrie/id/territory/ardeche-drome-nord"
    for path in (f"/queries/territory-members?territory={adn}", "/queries/statistics", "/queries/triples-per-graph"):
        r = remote.get(path)
        assert r.status_code == 200, r.text
        assert r.json() and sorted(map(repr, r.json())) == sorted(map(repr, client.get(path).json())), path


def test_the_listing_says_which_queries_virtuoso_answers_otherwise(
    remote: TestClient,
    api_settings: Settings,
    virtuoso_server: vt.Virtuoso,
    pool: QueryPool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed = {q["name"]: q for q in remote.get("/queries").json()}
    assert sorted(listed) == queries.names()
    assert {n: q["unavailable"] for n, q in listed.items()} == {n: [] for n in listed}, "every query is portable"
    # the mechanism, on a query that declares what Virtuoso does otherwise (kg.store.engines.CAPABILITIES)
    (tmp_path / "folded.rq").write_text(
        "#+ title: Folded\n#+ description: A fixture.\n"
        "#+ requires: [accent-folding, language-literal-aggregates]  # a comment after the list\n"
        "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(queries, "QUERY_DIR", tmp_path)
    store = remote_store(virtuoso_server, max_rows=api_settings.max_rows, timeout=api_settings.query_timeout)
    try:
        with TestClient(create_app(remote_settings(api_settings, virtuoso_server), store)) as on_virtuoso:
            (entry,) = on_virtuoso.get("/queries").json()
    finally:
        store.close()
    with TestClient(create_app(api_settings, pool)) as embedded:
        (local,) = embedded.get("/queries").json()
    both = ["accent-folding", "language-literal-aggregates"]
    assert (entry["name"], entry["requires"], entry["unavailable"]) == ("folded", both, both)
    assert (local["requires"], local["unavailable"]) == (both, []), "the embedded store lacks nothing"
    assert set(both) <= VIRTUOSO.lacks


def test_health_says_which_backend(remote: TestClient) -> None:
    body = remote.get("/health").json()
    assert body["status"] == "ok" and body["backend"] == "sparql" and body["engine"] == "virtuoso"


def test_service_is_refused_before_anything_reaches_the_store(
    remote: TestClient, listener: socket.socket, connections: Callable[[socket.socket], int]
) -> None:
    target = f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    r = remote.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert connections(listener) == 0


def test_updates_and_writes_are_refused(remote: TestClient, api_settings: Settings) -> None:
    r = remote.post("/sparql", data={"query": "DROP ALL"})
    assert r.status_code in (400, 403) and r.headers["content-type"].startswith("application/problem+json")
    r = remote.post("/update", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code in (401, 403), r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_an_unreachable_store_is_a_503_problem_not_a_traceback(api_settings: Settings) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/sparql"
    store = SparqlStore(closed, timeout=2.0)
    settings = api_settings.model_copy(update={"backend": "sparql", "sparql_query_url": closed})
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
        r = c.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON})
        assert r.status_code == 503, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "Traceback" not in r.text and "cannot be reached" in r.json()["detail"]
        assert c.get("/health").status_code == 503


def test_kg_build_publishes_to_the_remote_store(
    virtuoso_server: vt.Virtuoso,
    built_store: tuple[Path, BuildReport],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KG_BACKEND", "sparql")
    monkeypatch.setenv("KG_SPARQL_QUERY_URL", virtuoso_server.query_url)
    monkeypatch.setenv("KG_SPARQL_GSP_URL", virtuoso_server.gsp_url)
    monkeypatch.setenv("KG_SPARQL_USER", virtuoso_server.user)
    monkeypatch.setenv("KG_SPARQL_PASSWORD", virtuoso_server.password)
    monkeypatch.setenv("KG_SPARQL_AUTH", "digest")
    monkeypatch.setenv("KG_SPARQL_ENGINE", "virtuoso")
    result = CliRunner().invoke(cli, ["build", "--store", str(tmp_path / "store")])
    assert result.exit_code == 0, result.output
    assert "published to " + virtuoso_server.query_url in result.output
    store = remote_store(virtuoso_server)
    try:
        assert store.version == built_store[1].version  # the same sources: the same content version
    finally:
        store.close()


def test_a_query_past_the_time_limit_is_a_504_problem_on_time(
    api_settings: Settings, virtuoso_server: vt.Virtuoso, published: tuple[SparqlStore, PublishReport]
) -> None:
    """The client-side limit holds on the remote store: a three-way product of the merge stops at 2 s."""
    store = remote_store(virtuoso_server, max_rows=api_settings.max_rows, timeout=2.0)
    settings = remote_settings(api_settings, virtuoso_server).model_copy(update={"query_timeout": 2.0})
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i FILTER(STR(?c) < STR(?i)) }"
    try:
        with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
            started = time.perf_counter()
            r = c.get("/sparql", params={"query": heavy}, headers={"Accept": JSON})
            took = time.perf_counter() - started
            assert r.status_code == 504, r.text
            assert r.headers["content-type"].startswith("application/problem+json") and "Traceback" not in r.text
            assert took < 6, f"answered after {took:.1f} s"
            assert c.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": JSON}).status_code == 200
    finally:
        store.close()
