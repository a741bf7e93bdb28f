"""Request size limits (413, 414, 431) in-process, including a chunked body that never declares its length."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.config import Settings
from kg.store.pool import QueryPool


@pytest.fixture
def small(api_settings: Settings, pool: QueryPool) -> Iterator[TestClient]:
    settings = api_settings.model_copy(
        update={"max_request_bytes": 1024, "max_url_length": 256, "max_header_bytes": 2048}
    )
    with TestClient(create_app(settings, pool)) as client:
        yield client


def _query(size: int) -> str:
    return "ASK {}" + " " * (size - 6)


def test_a_body_over_the_limit_is_413(small: TestClient) -> None:
    r = small.post("/sparql", content=_query(2000), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["limit"] == 1024
    assert (
        small.post("/sparql", content=_query(1000), headers={"Content-Type": "application/sparql-query"}).status_code
        == 200
    )


def test_a_chunked_body_is_cut_off_at_the_limit(small: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"#" * 500 + b"\n"

    r = small.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_a_request_target_over_the_limit_is_414(small: TestClient) -> None:
    assert small.get("/sparql", params={"query": _query(300)}).status_code == 414
    assert small.get("/sparql", params={"query": _query(100)}).status_code == 200


def test_header_fields_over_the_limit_are_431(small: TestClient) -> None:
    r = small.get("/health", headers={"X-Padding": "a" * 3000, "Origin": "https://example.org"})
    assert r.status_code == 431
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["limit"] == 2048
    assert r.headers["access-control-allow-origin"] == "*"  # CORS wraps the limits
    assert small.get("/health", headers={"X-Padding": "a" * 1000}).status_code == 200


def test_a_megabyte_of_headers_is_431_with_the_default_limit(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Cookie": "a" * 1_000_000})
    assert r.status_code == 431
    assert "over the limit of 32768" in r.json()["detail"]
