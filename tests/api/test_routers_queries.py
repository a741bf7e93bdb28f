"""/queries and /queries/{name} in-process: the listing, answers and formats, parameter errors, injection attempts."""

from __future__ import annotations

import csv
import io
import socket
from collections.abc import Callable
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from api.errors import PROBLEM_JSON
from api.routers.queries import json_rows, json_value
from kg import queries
from kg.sources.namespaces import XSD
from kg.store.interface import Term

ID = "https://w3id.org/territoires-industrie/id/"
ADN = ID + "territory/ardeche-drome-nord"


def _problem(r: httpx.Response, status: int) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, object] = r.json()
    return body


# --- the listing -------------------------------------------------------------------------------------------


def test_listing_names_every_canned_query_with_its_parameters(client: TestClient) -> None:
    r = client.get("/queries")
    assert r.status_code == 200
    listed = {entry["name"]: entry for entry in r.json()}
    assert sorted(listed) == queries.names()
    for name, entry in listed.items():
        q = queries.get(name)
        assert entry["title"] == q.title and entry["description"] == q.description
        assert entry["title_en"] == q.title_en and entry["description_en"] == q.description_en
        assert entry["title"] != entry["title_en"] and entry["description"] != entry["description_en"], name
        assert [(p["description"], p["description_en"]) for p in entry["parameters"]] == [
            (p.description, p.description_en) for p in q.params
        ]
        assert entry["format"] == q.default_format and entry["tags"]
        assert [(p["name"], p["type"], p["required"], p["example"]) for p in entry["parameters"]] == [
            (p.name, p.type, p.required, p.example) for p in q.params
        ]
        assert entry["links"]["self"] == f"/queries/{name}"
    assert listed["funding-totals"]["parameters"][0]["values"] == ["scheme", "funder", "region", "phase"]
    assert (listed["funding-flows"]["title"], listed["funding-flows"]["title_en"]) == (
        "Flux de financement",
        "Funding flows",
    )
    assert listed["search"]["tags"] == ["search"] and listed["triples-per-graph"]["tags"] == ["queries"]
    assert not set(listed) & set(queries.internal_names()), "the code's own queries are not published"
    assert [(n, e["requires"]) for n, e in listed.items()] == [(n, list(queries.get(n).requires)) for n in listed]
    assert all(entry["unavailable"] == [] for entry in listed.values()), "the embedded store lacks nothing"
    assert (
        listed["territory-members"]["links"]["example"] == f"/queries/territory-members?territory={quote(ADN, safe='')}"
    )


@pytest.mark.parametrize("name", queries.names())
def test_every_query_answers_its_examples_with_a_json_array(client: TestClient, name: str) -> None:
    (entry,) = [e for e in client.get("/queries").json() if e["name"] == name]
    r = client.get(entry["links"]["example"])
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    rows = r.json()
    assert isinstance(rows, list) and all(isinstance(row, dict) for row in rows)
    every = {p.name: p.example for p in queries.get(name).params if p.example is not None}
    r = client.get(f"/queries/{name}", params=every)
    assert r.status_code == 200, r.text
    assert isinstance(r.json(), list)


# --- answers -----------------------------------------------------------------------------------------------


def test_territories_of_centre_val_de_loire_in_phase_2(client: TestClient) -> None:
    r = client.get("/queries/territories", params={"region": ID + "region/24", "phase": ID + "phase/2"})
    rows = r.json()
    assert len(rows) == 12
    assert {row["r"] for row in rows} == {ID + "region/24"}
    assert set(rows[0]) == {"t", "territory", "r", "regionName", "phases", "sources"}


def test_members_of_ardeche_drome_nord(client: TestClient) -> None:
    rows = client.get("/queries/territory-members", params={"territory": ADN}).json()
    assert len({row["siren"] for row in rows if row["siren"]}) == 8


def test_funding_totals_per_region(client: TestClient) -> None:
    rows = client.get("/queries/funding-totals", params={"group": "region"}).json()
    (centre,) = [row for row in rows if row["key"] == ID + "region/24"]
    assert centre["minimum"] == 45900000 and centre["openEnded"] is True  # xsd:integer, xsd:boolean
    (ungrouped,) = [row for row in rows if row["key"] == "(none)"]
    assert ungrouped["name"] is None  # an unbound variable is null, its key still there


def test_json_values_are_typed_by_their_datatype(client: TestClient) -> None:
    """Numbers as numbers, booleans as booleans, dates as their ISO 8601 text, IRIs and names as strings."""
    (source,) = [r for r in client.get("/queries/source-documents").json() if r["document"] == ID + "source/000"]
    assert source["date"] == "2024-01-26" and source["triples"] > 0 and isinstance(source["triples"], int)
    flows = client.get("/queries/funding-flows").json()
    assert all(isinstance(f["sharedFunding"], bool) for f in flows)
    amounts = [f["amount"] for f in flows if f["amount"] is not None]
    assert amounts and all(isinstance(a, int | float) and not isinstance(a, bool) for a in amounts)
    (everything,) = [r for r in client.get("/queries/coverage").json() if r["scope"] == "all territories"]
    assert everything["territories"] == 33
    srj = client.get("/queries/coverage", params={"format": "srj"}).json()  # W3C SPARQL JSON: strings, typed
    counts = [b["territories"] for b in srj["results"]["bindings"]]
    assert {"type": "literal", "value": "33", "datatype": XSD + "integer"} in counts


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (Term("literal", "42", datatype=XSD + "integer"), 42),
        (Term("literal", "-7", datatype=XSD + "unsignedShort"), -7),  # the lexical form decides, not the range
        (Term("literal", "45900000.00", datatype=XSD + "decimal"), 45900000),
        (Term("literal", "0.5", datatype=XSD + "decimal"), 0.5),
        (Term("literal", "1.5E3", datatype=XSD + "double"), 1500.0),
        (Term("literal", "1", datatype=XSD + "boolean"), True),
        (Term("literal", "false", datatype=XSD + "boolean"), False),
        (Term("literal", "2024-01-26", datatype=XSD + "date"), "2024-01-26"),
        (Term("literal", "2024-01-26T10:00:00Z", datatype=XSD + "dateTime"), "2024-01-26T10:00:00Z"),
        (Term("literal", "2023", datatype=XSD + "gYear"), "2023"),
        (Term("literal", "Ardèche", lang="fr"), "Ardèche"),
        (Term("uri", ID + "region/24"), ID + "region/24"),
        (Term("literal", "12"), "12"),  # a plain string stays a string, digits or not
        (Term("literal", "douze", datatype=XSD + "integer"), "douze"),  # ill-typed: its text
        (Term("literal", "1_000", datatype=XSD + "integer"), "1_000"),
        (Term("literal", "INF", datatype=XSD + "double"), "INF"),  # JSON has no infinity
        (Term("literal", "NaN", datatype=XSD + "double"), "NaN"),
        (Term("literal", "1e400", datatype=XSD + "double"), "1e400"),
        (Term("literal", "yes", datatype=XSD + "boolean"), "yes"),
        (None, None),
    ],
)
def test_json_value_of_a_term(term: Term | None, expected: object) -> None:
    value = json_value(term)
    assert value == expected and type(value) is type(expected)


def test_an_ask_answers_a_json_boolean() -> None:
    assert json_rows(b'{"head": {}, "boolean": true}') == [{"boolean": True}]


def test_csv_and_sparql_formats_by_accept_or_format(client: TestClient) -> None:
    params = {"region": ID + "region/24", "phase": ID + "phase/2"}
    for r in (
        client.get("/queries/territories", params=params, headers={"Accept": "text/csv"}),
        client.get("/queries/territories", params={**params, "format": "csv"}),
    ):
        assert r.headers["content-type"] == "text/csv; charset=utf-8"
        table = list(csv.DictReader(io.StringIO(r.text)))
        assert len(table) == 12 and table[0]["r"] == ID + "region/24"  # plain values, no <…>
    r = client.get("/queries/territories", params=params, headers={"Accept": "application/sparql-results+json"})
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert "territory" in r.json()["head"]["vars"] and len(r.json()["results"]["bindings"]) == 12
    assert client.get("/queries/territories", params={**params, "format": "srj"}).json()["head"]
    r = client.get("/queries/territories", params=params, headers={"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"] == "application/sparql-results+xml" and r.text.startswith("<?xml")
    r = client.get("/queries/territories", params=params, headers={"Accept": "text/tab-separated-values"})
    assert r.headers["content-type"].startswith("text/tab-separated-values") and r.text.startswith("?")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = client.get("/queries/territories", params=params, headers={"Accept": browser})
    assert r.headers["content-type"] == "application/json"


def test_nothing_acceptable_is_406_with_what_is_available(client: TestClient) -> None:
    body = _problem(client.get("/queries/territories", headers={"Accept": "text/turtle"}), 406)
    assert body["available"] == [
        "application/json",
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ]
    _problem(client.get("/queries/territories?format=turtle"), 406)


@pytest.mark.parametrize("value", ["yaml", "text/plain", "", "json2"])
def test_an_unknown_format_is_406_naming_the_formats(client: TestClient, value: str) -> None:
    body = _problem(client.get("/queries/territories", params={"format": value}), 406)
    assert repr(value) in body["detail"]
    assert "available: json, srj, xml, csv, tsv" in body["detail"]
    assert "text/csv" in body["available"]
    assert client.get("/queries/territories", params={"format": "srj"}).status_code == 200


def test_answers_carry_an_etag_and_revalidate(client: TestClient) -> None:
    r = client.get("/queries/territories")
    assert r.headers["cache-control"].startswith("public, max-age=")
    again = client.get("/queries/territories", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert client.get("/queries/territories?format=csv").headers["etag"] != r.headers["etag"]


def test_truncated_answers_say_so(limited_http: httpx.Client) -> None:
    r = limited_http.get("/queries/instances-per-class")
    assert r.status_code == 200
    assert len(r.json()) == 5
    assert r.headers["SPARQL-Results-Truncated"] == "true" and r.headers["SPARQL-Max-Rows"] == "5"


# --- errors ------------------------------------------------------------------------------------------------


def test_unknown_query_is_404_naming_the_known_ones(client: TestClient) -> None:
    body = _problem(client.get("/queries/no-such-query"), 404)
    assert "no-such-query" in str(body["detail"]) and "territories" in str(body["detail"])
    _problem(client.get("/queries/Territories"), 404)


@pytest.mark.parametrize(
    ("target", "parameter", "words"),
    [
        ("/queries/search", "text", "required"),
        ("/queries/territory-members?territory=", "territory", "required"),
        ("/queries/territories?county=x", "county", "unknown parameter"),
        (f"/queries/territories?region={ID}region/24&region={ID}region/84", "region", "2 times"),
        ("/queries/territories?format=csv&format=json", "format", "2 times"),
        ("/queries/territories?region=nope", "region", "not an absolute IRI"),
        ("/queries/territories?region=https://x/a%20b", "region", "not a valid iri"),
        ("/queries/funding-totals?group=county", "group", "not one of"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(
    client: TestClient, target: str, parameter: str, words: str
) -> None:
    body = _problem(client.get(target), 400)
    assert body["parameter"] == parameter
    assert parameter in str(body["detail"]) and words in str(body["detail"])


# --- injection attempts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'x" ) } UNION { ?s ?p ?o } #',
        "x' ) } UNION { ?s ?p ?o } #",
        'x"^^<http://www.w3.org/2001/XMLSchema#string> ) } UNION { ?s ?p ?o } #',
        'x\\" ) } UNION { ?s ?p ?o } #',
    ],
)
def test_a_string_that_closes_its_literal_stays_a_literal(client: TestClient, text: str) -> None:
    r = client.get("/queries/search", params={"text": text})
    assert r.status_code == 200, r.text
    assert r.json() == []  # no label contains that text; the union would have matched every triple


def test_service_smuggled_into_a_parameter_calls_nothing(
    client: TestClient, listener: socket.socket, connections: Callable[[socket.socket], int]
) -> None:
    port = listener.getsockname()[1]
    service = f"SERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }}"
    for name, param in (("territory-members", "territory"), ("funding-flows", "territory"), ("statistics", "area")):
        r = client.get(f"/queries/{name}", params={param: f"{ADN}> }} {service} #"})
        assert _problem(r, 400)["parameter"] == param
        r = client.get(f"/queries/{name}", params={param: f"{ADN}>{service}<{ADN}"})
        assert _problem(r, 400)["parameter"] == param
    r = client.get("/queries/search", params={"text": f'x" ) }} {service} #'})
    assert r.status_code == 200 and r.json() == []
    assert connections(listener) == 0


def test_the_openapi_document_says_what_an_empty_value_means(client: TestClient) -> None:
    """An empty optional value is no value (200), an empty required string a 400: the schema says both."""
    ops = client.get("/openapi.json").json()["paths"]
    territory = next(p for p in ops["/queries/funding-flows"]["get"]["parameters"] if p["name"] == "territory")
    assert territory["allowEmptyValue"] is True
    assert client.get("/queries/funding-flows", params={"territory": ""}).status_code == 200
    text = next(p for p in ops["/queries/search"]["get"]["parameters"] if p["name"] == "text")
    assert text["schema"]["minLength"] == 1 and "allowEmptyValue" not in text
    assert client.get("/queries/search", params={"text": ""}).status_code == 400
