"""The OpenAPI document (every canned query an operation, with its parameters) and the offline docs pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routers.queries import openapi_parameter, parameter_schema
from kg import queries
from kg.config import Settings
from kg.queries import Param
from kg.store.pool import QueryPool

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']|spec-url\s*=\s*["']([^"']+)["']""")


@pytest.fixture(scope="module")
def document(api_settings: Settings, pool: QueryPool) -> dict[str, Any]:
    doc: dict[str, Any] = create_app(api_settings, pool).openapi()
    return doc


def test_every_canned_query_is_its_own_operation_with_its_parameters(document: dict[str, Any]) -> None:
    for name in queries.names():
        q = queries.get(name)
        operation = document["paths"][f"/queries/{name}"]["get"]
        assert operation["operationId"] == name.replace("-", "_")
        assert operation["summary"] == q.title and operation["description"] == q.description
        declared = {p["name"]: p for p in operation.get("parameters", [])}
        assert set(declared) == {p.name for p in q.params} | {"format"}
        for p in q.params:
            doc = declared[p.name]
            assert doc["in"] == "query" and doc["required"] == p.required
            assert doc["description"]
            if p.example is not None:
                assert str(doc["example"]) == p.example
        assert "application/json" in operation["responses"]["200"]["content"]
        assert {"200", "400", "406"} <= set(operation["responses"])


def test_parameter_types_are_json_schema_types(document: dict[str, Any]) -> None:
    params = {p["name"]: p for p in document["paths"]["/queries/funding-totals"]["get"]["parameters"]}
    assert params["group"]["schema"] == {
        "type": "string",
        "enum": ["scheme", "funder", "region", "phase"],
        "default": "scheme",
    }
    assert params["territory"]["schema"] == {"type": "string", "format": "uri"}
    assert document["paths"]["/queries/search"]["get"]["parameters"][0]["required"] is True
    assert parameter_schema(Param("n", "integer", default="3")) == {"type": "integer", "default": 3}
    assert parameter_schema(Param("d", "decimal")) == {"type": "number"}
    assert parameter_schema(Param("d", "date")) == {"type": "string", "format": "date"}
    assert parameter_schema(Param("y", "year")) == {"type": "string", "pattern": "^[0-9]{4}$"}
    assert parameter_schema(Param("s", "string")) == {"type": "string"}
    assert openapi_parameter(Param("n", "integer", required=True, example="7"))["example"] == 7


def test_the_document_lists_the_other_routes_once_each(document: dict[str, Any]) -> None:
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/sparql"])
    for path in ("/queries", "/network", "/network/neighbourhood", "/network/paths"):
        assert "get" in paths[path]
    assert "/queries/{name}" not in paths and "/docs" not in paths
    ids = [op["operationId"] for item in paths.values() for op in item.values()]
    assert len(ids) == len(set(ids))
    hops = {p["name"]: p for p in paths["/network/neighbourhood"]["get"]["parameters"]}["hops"]
    assert hops["schema"]["type"] == "integer" and hops["schema"]["maximum"] == 4


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "://" not in r.text  # no CDN, no fonts, no validator badge: nothing leaves the server
    urls = [next(g for g in m.groups() if g) for m in ASSET.finditer(r.text)]
    assert "/openapi.json" in urls and len(urls) >= 3
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.content
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")


def test_swagger_ui_reads_openapi_3_1(client: TestClient) -> None:
    """FastAPI writes OpenAPI 3.1, which Swagger UI reads from version 5 on (4.x refuses to render it)."""
    js = client.get("/static/docs/swagger-ui-bundle.js").text
    assert "openapi: 3.1." in js
