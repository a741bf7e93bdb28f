"""HEAD on every GET route: GET's status and headers, no body; walked from the OpenAPI and the page routes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.head import HeadAsGet
from api.methods import OptionsAllow

ID = "https://w3id.org/territoires-industrie/id/"
PATH_EXAMPLES = {"path": "territory/ardeche-drome-nord", "name": "no-such-query"}
QUERY_EXAMPLES = {"/graphs": {"graph": ID + "source/001"}}  # read by hand, so not declared in the OpenAPI
STATIC_FILES = ["/static/site/sparql.js", "/static/docs/swagger-ui.css", "/static/vendor/yasgui/VERSION"]
UNEQUAL = {"date"}
# answers whose bytes change from one GET to the next (the ETag does not): the service description's Turtle
# writes its blank nodes in another order each time, so its length differs by a few bytes
UNSTABLE = {("/sparql", "*/*")}


def _example(parameter: dict[str, Any]) -> str:
    value = parameter.get("example", parameter.get("schema", {}).get("example"))
    assert value is not None, f"required parameter {parameter['name']} has no example"
    return str(value)


def _fill(path: str | None, parameters: Sequence[dict[str, Any]] = ()) -> str:
    """The path with its parameters set: the OpenAPI's example, else PATH_EXAMPLES', else a placeholder (a
    404 then, which HEAD must answer as GET does all the same)."""
    assert path is not None
    examples = {**PATH_EXAMPLES, **{p["name"]: str(v) for p in parameters if (v := p.get("example")) is not None}}
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: examples.get(m.group(1), "example"), path)


def _schema_targets(app: FastAPI) -> list[tuple[str, dict[str, str]]]:
    targets = []
    for path, operations in app.openapi()["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        query = {p["name"]: _example(p) for p in parameters if p["in"] == "query" and p.get("required")}
        in_path = [p for p in parameters if p["in"] == "path"]
        targets.append((_fill(path, in_path), query | QUERY_EXAMPLES.get(path, {})))
    return targets


def _page_targets(app: FastAPI) -> list[tuple[str, dict[str, str]]]:
    """The GET routes the OpenAPI document leaves out (pages, refusals, docs), and a file of each mount."""
    schema = {path for path, operations in app.openapi()["paths"].items() if "get" in operations}
    paths = {
        _fill(route.path_format)
        for route in iter_route_contexts(app.router.routes)
        if route.methods and "GET" in route.methods and route.path_format not in schema
    }
    return [(path, {}) for path in sorted(paths | set(STATIC_FILES))]


def _targets(client: TestClient) -> list[tuple[str, dict[str, str]]]:
    app = client.app
    assert isinstance(app, FastAPI)
    return _schema_targets(app) + _page_targets(app)


def _comparable(r: httpx.Response, ignored: set[str]) -> dict[str, str]:
    return {k: v for k, v in r.headers.items() if k not in ignored}


def test_the_walk_covers_the_api_and_the_pages(client: TestClient) -> None:
    paths = {path for path, _ in _targets(client)}
    expected = {"/", "/sparql", "/id/territory/ardeche-drome-nord", "/resource", "/.well-known/void", "/ontology"}
    expected |= {"/shapes", "/network", "/network/paths", "/network/neighbourhood", "/health", "/queries"}
    expected |= {"/queries/territories", "/explore/network", "/explore/funding", "/validate", "/docs"}
    expected |= {"/openapi.json", "/graphs", *STATIC_FILES}
    assert expected <= paths, expected - paths


def test_head_answers_every_get_route_as_get_does(client: TestClient) -> None:
    seen = []
    for path, params in _targets(client):
        for accept in ("text/html", "*/*"):
            headers = {"Accept": accept}
            get = client.get(path, params=params, headers=headers)
            head = client.head(path, params=params, headers=headers)
            again = client.get(path, params=params, headers=headers)
            assert head.status_code == get.status_code, (path, accept, head.status_code, get.status_code)
            assert head.content == b"", (path, accept)
            stable = (path, accept) not in UNSTABLE and get.content == again.content
            ignored = UNEQUAL if stable else UNEQUAL | {"content-length"}
            assert _comparable(head, ignored) == _comparable(get, ignored), (path, accept)
            seen.append(get.status_code)
    assert seen.count(200) > 40  # mostly real answers, not errors answered alike


@pytest.mark.parametrize(
    "target",
    [
        "/queries/territories",
        "/.well-known/void",
        f"/resource?iri={ID}actor/bpifrance",
        "/network?format=graphml",
        "/sparql?query=ASK%20%7B%7D",
        "/ontology",
    ],
)
def test_a_conditional_head_is_304_when_get_would_be(client: TestClient, target: str) -> None:
    tag = client.get(target).headers["etag"]
    head = client.head(target, headers={"If-None-Match": tag})
    get = client.get(target, headers={"If-None-Match": tag})
    assert head.status_code == get.status_code == 304
    assert head.headers["etag"] == get.headers["etag"] == tag
    assert client.head(target, headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_head_of_a_compressed_answer_carries_its_encoding_and_length(client: TestClient) -> None:
    get = client.get("/network", headers={"Accept-Encoding": "gzip"})
    head = client.head("/network", headers={"Accept-Encoding": "gzip"})
    assert get.headers["content-encoding"] == head.headers["content-encoding"] == "gzip"
    assert head.headers["content-length"] == get.headers["content-length"] != "0"


def test_head_over_a_real_server(http: httpx.Client) -> None:
    """Through uvicorn: the length GET's body has, and no body."""
    for path in ("/", "/health", "/queries/territories", "/id/territory/ardeche-drome-nord"):
        get, head = http.get(path), http.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-length"] == get.headers["content-length"]
        assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize(
    ("method", "path"), [("HEAD", "/update"), ("POST", "/health"), ("PUT", "/queries"), ("DELETE", "/")]
)
def test_methods_a_route_does_not_take_stay_405(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path)
    assert r.status_code == 405, (method, path, r.status_code)
    allow = r.headers["allow"].split(", ")
    assert method not in allow
    assert ("GET" in allow) == ("HEAD" in allow)


def test_a_new_get_route_answers_head_and_a_head_only_route_keeps_its_own() -> None:
    app = FastAPI()
    calls: list[str] = []

    @app.get("/thing")
    def get_thing() -> dict[str, str]:
        calls.append("get")
        return {"a": "b"}

    @app.head("/probe")
    def head_probe() -> None:
        calls.append("head")

    app.add_middleware(OptionsAllow)
    app.add_middleware(HeadAsGet)
    with TestClient(app) as client:
        r = client.head("/thing")
        assert (r.status_code, r.content, r.headers["content-length"]) == (200, b"", "9")
        assert client.head("/probe").status_code == 200
        assert client.head("/nothing").status_code == 404
        assert client.options("/thing").headers["allow"] == "GET, HEAD, OPTIONS"
    assert calls == ["get", "head"]
