"""POST /validate: every broken fixture of the shapes, uploaded as a steward would, is reported on its focus node.

The fixtures are those of tests/shapes/ (one per constraint of the shapes, with `# expect:` headers); here
they are validated by the API together with the ontology and the current graph, as an upload is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parents[2]
SHAPE_FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
STEWARD_DOC = ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"
EXPECT = re.compile(r"^# expect: <(?P<focus>[^>\s]+)> (?P<severity>Violation|Warning)\s*$", re.MULTILINE)
BROKEN = sorted(p for p in SHAPE_FIXTURES.glob("*.ttl") if p.stem != "valid")


def test_there_is_a_broken_fixture_for_the_constraints() -> None:
    assert len(BROKEN) > 100
    assert all(EXPECT.search(p.read_text(encoding="utf-8")) for p in BROKEN)


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_each_broken_upload_is_reported_on_its_focus_node(client: TestClient, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = {(m["focus"], m["severity"]) for m in EXPECT.finditer(text)}
    r = client.post("/validate", content=text.encode(), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200, r.text
    report = r.json()
    reported = {(res["focus_node"], res["severity"]) for res in report["results"]}
    assert expected <= reported, f"missing {expected - reported}"
    for res in report["results"]:
        assert {"focus_node", "focus_label", "path", "value", "message", "severity", "shape"} <= set(res)
    if any(sev == "Violation" for _, sev in expected):
        assert report["conforms"] is False
    # (an upload expected to give only warnings may still clash with the current graph: a fixture's commune
    # IRI can be one the graph already describes with another code)


def test_a_valid_document_conforms_and_its_references_resolve(client: TestClient) -> None:
    """The steward document cites ANCT and Ardèche-Drôme Nord without describing them: the graph does."""
    r = client.post("/validate", content=STEWARD_DOC.read_bytes(), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200
    assert r.json()["conforms"] is True
    assert r.json()["violations"] == 0


def test_the_report_in_turtle_and_html(client: TestClient) -> None:
    body = (SHAPE_FIXTURES / "amount-max-negative.ttl").read_bytes()
    ttl = client.post("/validate", content=body, headers={"Content-Type": "text/turtle", "Accept": "text/turtle"})
    assert ttl.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert (None, SH.conforms, rdflib.Literal(False)) in g
    assert (None, SH.focusNode, rdflib.URIRef("http://example.org/fixture/amount")) in g
    html = client.post("/validate", content=body, headers={"Content-Type": "text/turtle", "Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "Non conforme" in html.text
    assert "http://example.org/fixture/amount" in html.text


def test_other_syntaxes_by_content_type(client: TestClient) -> None:
    g = rdflib.Graph().parse(STEWARD_DOC)
    for fmt, media_type in (
        ("json-ld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("xml", "application/rdf+xml"),
    ):
        r = client.post("/validate", content=g.serialize(format=fmt).encode(), headers={"Content-Type": media_type})
        assert r.status_code == 200, (media_type, r.text)
        assert r.json()["conforms"] is True
    trig = (
        "@prefix ex: <http://example.org/> .\nex:g { "
        + STEWARD_DOC.read_text(encoding="utf-8").split("src:steward-001 a", 1)[0]
        + " }"
    )
    assert client.post("/validate", content=trig, headers={"Content-Type": "application/trig"}).status_code == 400


def test_parse_errors_are_400_with_line_and_column(client: TestClient) -> None:
    r = client.post(
        "/validate", content=b"@prefix ex: <http://e/> .\n\nex:a ex:b .\n", headers={"Content-Type": "text/turtle"}
    )
    assert r.status_code == 400
    problem = r.json()
    assert (problem["line"], problem["column"]) == (3, 11)
    assert r.headers["content-type"] == "application/problem+json"


def test_unsupported_media_type_and_empty_body(client: TestClient) -> None:
    assert client.post("/validate", content=b"x", headers={"Content-Type": "text/csv"}).status_code == 415
    assert client.post("/validate", content=b"", headers={"Content-Type": "text/turtle"}).status_code == 400


def test_oversized_upload_is_413(limited_http) -> None:  # type: ignore[no-untyped-def]
    """The limited server takes 2 KB queries; documents have their own limit, which defaults to 64 MB."""
    body = b"<http://e/a> <http://e/b> <http://e/c> .\n" * 100
    assert (
        limited_http.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"}).status_code
        == 413
    )
    r = limited_http.post("/validate", content=body, headers={"Content-Type": "application/n-triples"})
    assert r.status_code == 200, r.text


def test_the_form_for_people(client: TestClient) -> None:
    page = client.get("/validate")
    assert page.status_code == 200
    assert '<label for="data">' in page.text
    text = (SHAPE_FIXTURES / "amount-max-negative.ttl").read_text(encoding="utf-8")
    r = client.post("/validate", data={"syntax": "text/turtle", "data": text})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Non conforme" in r.text


def test_nothing_is_written(client: TestClient) -> None:
    before = client.get("/health").json()["version"]
    client.post("/validate", content=STEWARD_DOC.read_bytes(), headers={"Content-Type": "text/turtle"})
    ask = "ASK { <https://w3id.org/territoires-industrie/id/source/steward-001> ?p ?o }"
    r = client.get("/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"})
    assert json.loads(r.text)["boolean"] is False
    assert client.get("/health").json()["version"] == before
