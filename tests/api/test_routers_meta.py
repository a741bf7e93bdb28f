"""/.well-known/void, /health and / in-process."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.namespace import VOID

from api.deps import get_store
from api.main import create_app
from kg.config import Settings
from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest
from kg.store.pool import QueryPool

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*default_context is deprecated:DeprecationWarning"),
]

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_void_by_content_negotiation(
    client: TestClient, accept: str | None, media_type: str, rdflib_format: str
) -> None:
    r = client.get("/.well-known/void", headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    g = Graph().parse(data=r.content, format=rdflib_format)
    assert list(g.subjects(VOID.sparqlEndpoint, None))


def test_void_for_browsers_and_by_format_parameter(client: TestClient) -> None:
    page = client.get("/.well-known/void", headers={"Accept": BROWSER})
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text and "<h1>" in page.text
    assert client.get("/.well-known/void?format=jsonld").headers["content-type"] == "application/ld+json"
    assert client.get("/.well-known/void", headers={"Accept": "text/csv"}).status_code == 406


def test_health_reports_the_dataset_and_the_pool(client: TestClient, pool: QueryPool) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert (
        r.json().items()
        >= {
            "status": "ok",
            "version": pool.version,
            "triples": pool.info.triples,
            "workers": 2,
            "in_memory": True,
        }.items()
    )
    assert r.headers["cache-control"] == "no-store"


class _StuckStore(Queryable):
    """A store whose every query takes 3 s: the health probe must give up before."""

    max_rows = 10

    @property
    def version(self) -> str:
        return "v"

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        raise NotImplementedError

    def run(self, req: QueryRequest) -> QueryAnswer:
        time.sleep(3)  # the probe must have given up long before: the test checks how long /health took
        return QueryAnswer("boolean", "json", b'{"boolean": true}', 1, False)


def test_health_is_503_when_no_worker_answers_quickly(api_settings: Settings, pool: QueryPool) -> None:
    settings = api_settings.model_copy(update={"query_timeout": 0.3})
    app = create_app(settings, pool)
    app.state.store = _StuckStore()
    app.dependency_overrides[get_store] = lambda: app.state.store
    with TestClient(app) as client:
        started = time.monotonic()
        r = client.get("/health")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable"
    assert time.monotonic() - started < 2


def test_the_root_is_the_home_page_and_sends_rdf_clients_to_void(client: TestClient) -> None:
    assert client.get("/", headers={"Accept": BROWSER}).headers["content-type"].startswith("text/html")
    r = client.get("/", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].endswith("/.well-known/void")


def test_the_openapi_document_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/sparql", "/.well-known/void", "/health"} <= set(paths)
