"""POST /validate: every broken fixture of the shapes, uploaded as a steward would, is reported on its focus node.

The fixtures are those of tests/shapes/ (one per constraint of the shapes, with `# expect:` headers); here
they are validated by the API together with the ontology and the current graph, as an upload is.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from pydantic import SecretStr
from rdflib.namespace import SH

from api.main import create_app
from kg.config import Settings
from kg.store.pool import QueryPool

ROOT = Path(__file__).resolve().parents[3]
SHAPE_FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
STEWARD_DOC = ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"
EXPECT = re.compile(r"^# expect: <(?P<focus>[^>\s]+)> (?P<severity>Violation|Warning)\s*$", re.MULTILINE)
BROKEN = sorted(p for p in SHAPE_FIXTURES.glob("*.ttl") if p.stem != "valid")
# Every fixture's `# expect:` headers are checked in-process by tests/shapes/test_shapes.py, and its neighbourhood
# validation by tests/kg/ingest/test_neighbourhood.py; uploading every fourth one through HTTP (a bounded child
# each, about 0.8 s) covers the upload path itself without spending two minutes of every test run on it.
UPLOADED = BROKEN[::4]


def test_there_is_a_broken_fixture_for_the_constraints() -> None:
    assert len(BROKEN) > 100
    assert all(EXPECT.search(p.read_text(encoding="utf-8")) for p in BROKEN)


@pytest.mark.parametrize("path", UPLOADED, ids=[p.stem for p in UPLOADED])
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


FRENCH = "schema:maxValue doit être un seul nombre ≥ 0 (xsd:decimal ou xsd:integer)."
ENGLISH = "schema:maxValue must be one number ≥ 0 (xsd:decimal or xsd:integer)."


@pytest.mark.parametrize(
    ("accept_language", "language", "message"),
    [(None, "fr", FRENCH), ("en", "en", ENGLISH), ("en-GB,en;q=0.9,fr;q=0.8", "en", ENGLISH), ("de", "fr", FRENCH)],
)
def test_the_report_speaks_the_readers_language(
    client: TestClient, accept_language: str | None, language: str, message: str
) -> None:
    """French by default, English on request (Accept-Language); the Turtle report keeps both."""
    headers = {"Content-Type": "text/turtle", **({"Accept-Language": accept_language} if accept_language else {})}
    body = (SHAPE_FIXTURES / "amount-max-negative.ttl").read_bytes()
    report = client.post("/validate", content=body, headers=headers).json()
    assert report["language"] == language
    assert [r["message"] for r in report["results"]] == [message]
    html = client.post("/validate", content=body, headers={**headers, "Accept": "text/html"}).text
    marked = f'<span lang="en">{ENGLISH}</span>'
    if language == "en":
        assert marked in html
    else:
        assert FRENCH in html and ENGLISH not in html and f'<span lang="en">{FRENCH}' not in html
    ttl = client.post("/validate", content=body, headers={**headers, "Accept": "text/turtle"}).text
    messages = set(rdflib.Graph().parse(data=ttl, format="turtle").objects(None, SH.resultMessage))
    assert messages == {rdflib.Literal(FRENCH, lang="fr"), rdflib.Literal(ENGLISH, lang="en")}


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


# --- hostile uploads (issue 10): refused from their bytes, or stopped in their bounded child ---------------

XML_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://x/"'
ENTITIES = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{10 * f"&l{i - 1};"}">' for i in range(1, 9))
BOMB = (
    f'<!DOCTYPE r [{ENTITIES}]><rdf:RDF {XML_NS}><rdf:Description rdf:about="http://x/a">'
    "<s:p>&l8;</s:p></rdf:Description></rdf:RDF>"
).encode()
DEEP = 100_000
DEEP_DOCUMENTS = {
    "turtle-blank-nodes": (
        "text/turtle",
        b"<http://x/a> <http://x/p> " + b"[ <http://x/p> " * DEEP + b"1" + b" ]" * DEEP + b" .",
    ),
    "turtle-collections": ("text/turtle", b"<http://x/a> <http://x/p> " + b"( " * DEEP + b"1" + b" )" * DEEP + b" ."),
    "rdf-xml": (
        "application/rdf+xml",
        f"<rdf:RDF {XML_NS}>".encode()
        + b"<rdf:Description><s:p>" * DEEP
        + b"x"
        + b"</s:p></rdf:Description>" * DEEP
        + b"</rdf:RDF>",
    ),
    "json-ld": ("application/ld+json", b'{"http://x/p": ' * DEEP + b'"x"' + b"}" * DEEP),
}


def _problem(r: httpx.Response, status: int, slug: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem: dict[str, object] = r.json()
    assert str(problem["type"]).endswith("/" + slug)
    return problem


@pytest.fixture
def bounded_client(api_settings: Settings, pool: QueryPool) -> Callable[..., TestClient]:
    """An in-process app whose upload limits the test chooses."""

    def make(**limits: object) -> TestClient:
        return TestClient(create_app(api_settings.model_copy(update=limits), pool))

    return make


def test_an_entity_bomb_is_refused_before_it_expands(client: TestClient) -> None:
    start = time.monotonic()
    r = client.post("/validate", content=BOMB, headers={"Content-Type": "application/rdf+xml"})
    problem = _problem(r, 400, "upload-refused")
    assert "declares the entity l0" in str(problem["detail"])
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("kind", DEEP_DOCUMENTS)
def test_deep_nesting_is_refused_naming_the_limit(client: TestClient, kind: str) -> None:
    media_type, body = DEEP_DOCUMENTS[kind]
    start = time.monotonic()
    r = client.post("/validate", content=body, headers={"Content-Type": media_type})
    assert "more than 64 levels deep (max_rdf_depth)" in str(_problem(r, 400, "upload-refused")["detail"])
    assert time.monotonic() - start < 10


def test_a_literal_over_the_limit_is_413(bounded_client: Callable[..., TestClient]) -> None:
    literal = b'<http://x/a> <http://x/p> "' + b"a" * 2_000_000 + b'" .\n'
    with bounded_client() as c:
        r = c.post("/validate", content=literal, headers={"Content-Type": "text/turtle"})
    assert "max_literal_bytes" in str(_problem(r, 413, "upload-too-large")["detail"])
    # with no literal limit of its own, the parser's 16 MiB token buffer is 413 too, never a 500
    with bounded_client(max_literal_bytes=64_000_000) as c:
        huge = b'<http://x/a> <http://x/p> "' + b"a" * 17_000_000 + b'" .\n'
        r = c.post("/validate", content=huge, headers={"Content-Type": "text/turtle"})
    assert "larger than the parser takes" in str(_problem(r, 413, "upload-too-large")["detail"])


def test_text_plain_is_not_n_triples(client: TestClient) -> None:
    r = client.post("/validate", content=b'<http://x/a> <http://x/p> "x" .\n', headers={"Content-Type": "text/plain"})
    _problem(r, 415, "unsupported-media-type")


def test_a_validation_past_its_time_limit_is_503_and_the_server_goes_on(
    bounded_client: Callable[..., TestClient],
) -> None:
    """20,000 chained blank nodes validate as a whole graph (pySHACL takes blank nodes as no focus): seconds."""
    chain = "".join(f"_:b{i} <http://x/p> _:b{i + 1} .\n" for i in range(20_000)).encode()
    with bounded_client(validate_timeout=1.0) as c:
        start = time.monotonic()
        r = c.post("/validate", content=chain, headers={"Content-Type": "application/n-triples"})
        assert "took longer than 1 s" in str(_problem(r, 503, "work-timeout")["detail"])
        assert r.headers["retry-after"]
        assert time.monotonic() - start < 10
        assert c.get("/health").status_code == 200
    with bounded_client() as c:
        r = c.post("/validate", content=STEWARD_DOC.read_bytes(), headers={"Content-Type": "text/turtle"})
        assert r.status_code == 200 and r.json()["conforms"] is True


def test_a_validation_past_its_memory_limit_is_413(bounded_client: Callable[..., TestClient]) -> None:
    """The limit well above what the steward's document needs (about 540 MiB of address space: at 640 it was
    refused once in a while) and well under what 300,000 triples need (over 1,280 MiB)."""
    many = "".join(f'<http://x/s{i}> <http://x/p> "value {i}" .\n' for i in range(300_000)).encode()
    with bounded_client(worker_memory_mb=896) as c:
        r = c.post("/validate", content=many, headers={"Content-Type": "application/n-triples"})
        assert "896 MiB" in str(_problem(r, 413, "upload-too-large")["detail"])
        # the same limit leaves room for a steward's document: the limit is not what fails
        r = c.post("/validate", content=STEWARD_DOC.read_bytes(), headers={"Content-Type": "text/turtle"})
        assert r.status_code == 200, r.text


# --- the write routes: the From header first, then the same checks of the body -----------------------------


@pytest.fixture
def writer(api_settings: Settings, pool: QueryPool, store_copy: tuple[Path, Path]) -> Iterator[TestClient]:
    """Writes enabled over a copy of the store (nothing these tests send is written)."""
    store, data = store_copy
    settings = api_settings.model_copy(update={"store": store, "data_dir": data, "write_token": SecretStr(TOKEN)})
    with TestClient(create_app(settings, pool)) as c:
        yield c


TOKEN = "token-for-the-upload-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
GRAPH = {"graph": "http://example.org/upload-test"}


@pytest.mark.parametrize("sender", ["a{b}@c", "a b@c", 'a"b@c', "a|b@c", "a^b@c", "a`b@c", "a\\b@c", "a%zz@c"])
def test_a_from_header_that_makes_no_iri_is_400_before_the_body_is_read(writer: TestClient, sender: str) -> None:
    r = writer.put("/graphs", params=GRAPH, content=b"not turtle at all", headers={**WRITE, "From": sender})
    assert "From header" in str(_problem(r, 400, "bad-request")["detail"])


def test_a_valid_from_header_lets_the_body_be_read(writer: TestClient) -> None:
    r = writer.put(
        "/graphs", params=GRAPH, content=b"not turtle at all", headers={**WRITE, "From": "steward@example.org"}
    )
    _problem(r, 400, "malformed-rdf")


@pytest.mark.parametrize("method", ["put", "post"])
def test_write_bodies_get_the_same_checks(writer: TestClient, method: str) -> None:
    send = getattr(writer, method)
    xml = {**WRITE, "Content-Type": "application/rdf+xml"}
    _problem(send("/graphs", params=GRAPH, content=BOMB, headers=xml), 400, "upload-refused")
    _, deep = DEEP_DOCUMENTS["turtle-collections"]
    _problem(send("/graphs", params=GRAPH, content=deep, headers=WRITE), 400, "upload-refused")
    literal = b'<http://x/a> <http://x/p> "' + b"a" * 2_000_000 + b'" .\n'
    _problem(send("/graphs", params=GRAPH, content=literal, headers=WRITE), 413, "upload-too-large")
    plain = {**WRITE, "Content-Type": "text/plain"}
    _problem(
        send("/graphs", params=GRAPH, content=b"<http://x/a> <http://x/p> 1 .", headers=plain),
        415,
        "unsupported-media-type",
    )
