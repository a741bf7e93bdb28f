"""`/catalog`: the DCAT-AP record over HTTP — Turtle, JSON-LD and a page — valid against the DCAT-AP shapes and
pointing at the files `/download` serves."""

from __future__ import annotations

import hashlib

import pyshacl
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from kg.config import PROJECT_ROOT
from kg.docs.catalog import CATALOG, DATASET, SPARQL_SERVICE

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SHAPES = PROJECT_ROOT / "tests" / "fixtures" / "dcat-ap"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
pytestmark = pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture
def record(client: TestClient) -> Graph:
    r = client.get("/catalog")
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    return Graph().parse(data=r.content, format="turtle")


def test_the_catalog_validates_against_dcat_ap_3_and_the_project_checks(record: Graph) -> None:
    for name, fmt in (("dcat-ap-3.0.0-SHACL.jsonld", "json-ld"), ("project-checks.ttl", "turtle")):
        conforms, _, text = pyshacl.validate(
            record, shacl_graph=Graph().parse(SHAPES / name, format=fmt), inference="rdfs"
        )
        assert conforms, text


def test_the_catalog_lists_the_dataset_its_dumps_and_the_endpoint(client: TestClient, record: Graph) -> None:
    assert (CATALOG, RDF.type, DCAT.Catalog) in record and (CATALOG, DCAT.dataset, DATASET) in record
    assert (SPARQL_SERVICE, RDF.type, DCAT.DataService) in record
    assert (SPARQL_SERVICE, DCAT.endpointURL, URIRef("http://testserver/sparql")) in record
    listing = client.get("/download").json()
    for dump in listing["dumps"]:
        distribution = record.value(predicate=DCAT.downloadURL, object=URIRef(dump["url"]))
        assert distribution is not None and (DATASET, DCAT.distribution, distribution) in record
        checksum = record.value(distribution, SPDX.checksum)
        assert str(record.value(checksum, SPDX.checksumValue)) == dump["sha256"]
        served = client.get(dump["url"]).content
        assert hashlib.sha256(served).hexdigest() == dump["sha256"]  # the record's checksum is the file's
        assert int(record.value(distribution, DCAT.byteSize)) == len(served)


def test_json_ld_says_the_same_as_turtle_in_compact_form(client: TestClient, record: Graph) -> None:
    r = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/ld+json"
    body = r.json()
    assert body["@context"]["dcat"] == str(DCAT)
    assert isomorphic(Graph().parse(data=r.content, format="json-ld"), record)


def test_a_browser_gets_the_record_as_a_page(client: TestClient) -> None:
    r = client.get("/catalog", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Fiche du jeu de données (DCAT-AP)</h1>" in r.text
    assert str(DATASET) in r.text and "territoires-industrie.nq.gz" in r.text
    assert "Point d&#39;accès SPARQL" in r.text and 'href="/id/source/001"' in r.text


def test_the_catalog_is_cached_by_version(client: TestClient) -> None:
    first = client.get("/catalog")
    assert client.get("/catalog", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert client.get("/catalog", params={"format": "csv"}).status_code == 406
