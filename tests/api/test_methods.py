"""OPTIONS on every route: 204 and `Allow` from the routes themselves; CORS preflights still answered by CORS."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.methods import OptionsAllow, allowed_methods, refusal


def _allow(client: TestClient, path: str) -> list[str]:
    r = client.options(path)
    assert r.status_code == 204, (path, r.status_code, r.text)
    assert r.content == b""
    return r.headers["allow"].split(", ")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/sparql", ["GET", "HEAD", "POST", "OPTIONS"]),  # not the PUT/DELETE/PATCH that only answer 405
        ("/update", ["POST", "OPTIONS"]),  # not the GET that only answers 405
        ("/graphs", ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]),
        ("/queries", ["GET", "HEAD", "OPTIONS"]),  # HEAD wherever GET is (api/head.py answers it)
        ("/queries/territories", ["GET", "HEAD", "OPTIONS"]),
        ("/validate", ["GET", "HEAD", "POST", "OPTIONS"]),
        ("/health", ["GET", "HEAD", "OPTIONS"]),
        ("/", ["GET", "HEAD", "OPTIONS"]),
        ("/id/territory/ardeche-drome-nord", ["GET", "HEAD", "OPTIONS"]),
        ("/openapi.json", ["GET", "HEAD", "OPTIONS"]),
        ("/static/site/sparql.js", ["GET", "HEAD", "OPTIONS"]),
    ],
)
def test_options_lists_the_methods_of_the_route(client: TestClient, path: str, expected: list[str]) -> None:
    assert _allow(client, path) == expected


def test_options_on_nothing_is_404(client: TestClient) -> None:
    r = client.options("/no/such/thing")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


def test_a_cors_preflight_is_still_answered_by_cors(client: TestClient) -> None:
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "allow" not in preflight.headers
    plain = client.options("/sparql", headers={"Origin": "https://example.org"})  # not a preflight: Allow, CORS
    assert plain.status_code == 204
    assert plain.headers["access-control-allow-origin"] == "*"
    assert "POST" in plain.headers["allow"]


def test_a_new_route_is_covered_without_being_listed() -> None:
    app = FastAPI()

    @app.get("/thing")
    def get_thing() -> dict[str, str]:
        return {}

    @app.delete("/thing")
    def delete_thing() -> None:
        return None

    @app.put("/thing")
    @refusal
    def put_thing() -> None:
        raise AssertionError("not called")

    app.add_middleware(OptionsAllow)
    with TestClient(app) as client:
        assert _allow(client, "/thing") == ["GET", "HEAD", "DELETE", "OPTIONS"]
    scope = {"type": "http", "method": "GET", "path": "/nothing", "root_path": "", "headers": [], "query_string": b""}
    assert allowed_methods(app.router.routes, scope) == []


def test_a_405_lists_what_options_lists_head_wherever_get(client: TestClient) -> None:
    r = client.put("/queries")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD, OPTIONS" == client.options("/queries").headers["allow"]
    assert r.json()["detail"] == "PUT is not allowed on /queries (allowed: GET, HEAD, OPTIONS)"
    assert client.get("/update").headers["allow"] == "POST"  # the route's own refusal; no GET there, so no HEAD
