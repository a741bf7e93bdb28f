"""The /sparql handlers in-process (TestClient over a real pool): what needs its own settings or a broken pool.

The protocol cases themselves run against a real server in `test_server.py`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from fastapi.testclient import TestClient

from api.deps import get_store
from api.main import create_app
from kg.config import Settings
from kg.errors import KGError, UsageError
from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest
from kg.store.pool import QueryPool

SELECT_ONE = "SELECT ?s WHERE { ?s a <https://w3id.org/territoires-industrie/ontology#Programme> }"


class _RemoteEndpoint(BaseHTTPRequestHandler):
    """A stand-in SPARQL endpoint that answers every query with one binding."""

    calls: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        type(self).calls.append(self.path)
        body = json.dumps(
            {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "remote"}}]}}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def remote_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RemoteEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sparql"
    server.shutdown()
    server.server_close()


def test_service_on_the_allow_list_is_called(api_settings: Settings, pool: QueryPool, remote_endpoint: str) -> None:
    settings = api_settings.model_copy(update={"service_allowlist": [remote_endpoint]})
    _RemoteEndpoint.calls.clear()
    with TestClient(create_app(settings, pool)) as client:
        r = client.get("/sparql", params={"query": f"SELECT ?x WHERE {{ SERVICE <{remote_endpoint}> {{ ?x ?p ?o }} }}"})
        assert r.status_code == 200, r.text
        assert r.json()["results"]["bindings"] == [{"x": {"type": "literal", "value": "remote"}}]
        assert _RemoteEndpoint.calls
        other = "http://127.0.0.1:9/sparql"
        r = client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE <{other}> {{ ?x ?p ?o }} }}"})
        assert r.status_code == 400
        assert remote_endpoint in r.json()["detail"]  # the refusal names what is allowed


def test_service_through_a_variable_is_refused(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?e ?p ?o . SERVICE ?e { ?x ?y ?z } }"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"


def test_form_and_direct_posts_answer_like_get(client: TestClient) -> None:
    expected = client.get("/sparql", params={"query": SELECT_ONE}).json()
    assert client.post("/sparql", data={"query": SELECT_ONE}).json() == expected
    direct = client.post("/sparql", content=SELECT_ONE, headers={"Content-Type": "application/sparql-query"})
    assert direct.json() == expected


def test_a_body_is_utf8_and_another_charset_is_a_415(client: TestClient) -> None:
    query = 'ASK { ?s ?p "Ardèche"@fr }'
    ok = client.post(
        "/sparql", content=query.encode("utf-8"), headers={"Content-Type": "application/sparql-query; charset=UTF-8"}
    )
    assert ok.status_code == 200, ok.text
    for content_type, body in [
        ("application/sparql-query; charset=UTF-16", query.encode("utf-16")),
        ("application/sparql-query; charset=ISO-8859-1", query.encode("iso-8859-1")),
        ("application/x-www-form-urlencoded; charset=ISO-8859-1", b"query=ASK+%7B%7D"),
    ]:
        r = client.post("/sparql", content=body, headers={"Content-Type": content_type})
        assert r.status_code == 415, (content_type, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert "UTF-8 only" in r.json()["detail"]
    bad = client.post("/sparql", content=b"ASK { ?s ?p '\xff' }", headers={"Content-Type": "application/sparql-query"})
    assert bad.status_code == 400
    assert "utf-8" in bad.json()["detail"]


def test_without_a_store_the_endpoint_answers_503_and_says_why(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "no-store", workers=1)
    with TestClient(create_app(settings)) as client:
        r = client.get("/sparql", params={"query": "ASK {}"})
        assert r.status_code == 503
        assert "kg build" in r.json()["detail"]
        assert client.get("/health").status_code == 503


class _BrokenPool(Queryable):
    max_rows = 10

    def __init__(self, error: Exception) -> None:
        self.error = error

    @property
    def version(self) -> str:
        return "broken"

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        raise NotImplementedError

    def run(self, req: QueryRequest) -> QueryAnswer:
        raise self.error


def test_an_unexpected_error_is_a_500_without_internals(api_settings: Settings, pool: QueryPool) -> None:
    app = create_app(api_settings, pool)
    app.dependency_overrides[get_store] = lambda: _BrokenPool(RuntimeError("secret internals at 0xdeadbeef"))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert "secret" not in r.text and "Traceback" not in r.text


def test_a_worker_failure_is_a_500_that_says_so(api_settings: Settings, pool: QueryPool) -> None:
    app = create_app(api_settings, pool)
    app.dependency_overrides[get_store] = lambda: _BrokenPool(KGError("the query worker stopped unexpectedly"))
    with TestClient(app) as client:
        r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 500
    assert r.json()["detail"] == "the query worker stopped unexpectedly"


def test_other_methods_are_405_with_allow(client: TestClient) -> None:
    r = client.put("/sparql", content="x")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert r.headers["content-type"] == "application/problem+json"


def test_settings_come_from_the_app_not_the_environment(api_settings: Settings, pool: QueryPool) -> None:
    settings = api_settings.model_copy(update={"cache_max_age": 42})
    with TestClient(create_app(settings, pool)) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).headers["cache-control"] == "public, max-age=42"


def test_head_gives_gets_headers_without_a_body(http: httpx.Client) -> None:
    """Over a real server: HEAD answers what GET would, headers only (RFC 9110 §9.3.2)."""
    params = {"query": "ASK { ?s ?p ?o }"}
    head = http.head("/sparql", params=params, headers={"Accept": "application/sparql-results+json"})
    get = http.get("/sparql", params=params, headers={"Accept": "application/sparql-results+json"})
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["etag"] == get.headers["etag"]
    assert http.head("/sparql", params={"query": "SELEC"}).status_code == 400


def test_the_openapi_document_says_a_post_needs_a_query_that_is_not_blank(client: TestClient) -> None:
    body = client.get("/openapi.json").json()["paths"]["/sparql"]["post"]["requestBody"]["content"]
    form = body["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["query"] and form["properties"]["query"]["pattern"] == r"\S"
    assert body["application/sparql-query"]["schema"]["pattern"] == r"\S"
    assert client.post("/sparql", data={"query": " "}).status_code == 400


def test_the_app_refuses_to_start_without_shapes(tmp_path: Path) -> None:
    """Served for real (no pool given), an app whose shapes folder holds no shape does not start: /validate and
    the writes would otherwise accept anything."""
    settings = Settings(store=tmp_path / "no-store", workers=1, shapes_dir=tmp_path / "no-shapes")
    with pytest.raises(UsageError, match="no SHACL shapes found"), TestClient(create_app(settings)):
        pass
