"""The dataset's own IRIs dereference: 303 See Other to the document that describes them — VoID for the dataset
and its subsets, the DCAT-AP record for the catalogue, its service and its distributions — on GET and HEAD,
by `/id/…` and by `/resource?iri=…`; and that document does describe them."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import DCAT, RDF, VOID

from kg.docs import catalog as dcat

ID = "https://w3id.org/territoires-industrie/id/"
TO_VOID = ["dataset", "dataset/source-001"]
TO_CATALOG = ["catalog", "dataset/sparql-endpoint", "dataset/distribution/nq", "dataset/distribution/trig"]


def _location(client: TestClient, method: str, url: str) -> str:
    r = client.request(method, url, follow_redirects=False)
    assert r.status_code == 303, (url, r.status_code, r.text)
    assert r.content == b"" or method == "GET"
    return r.headers["location"]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(
    ("path", "target"), [*((p, "/.well-known/void") for p in TO_VOID), *((p, "/catalog") for p in TO_CATALOG)]
)
def test_the_datasets_iris_see_other(client: TestClient, method: str, path: str, target: str) -> None:
    assert _location(client, method, f"/id/{path}") == f"http://testserver{target}"
    assert _location(client, method, f"/resource?iri={quote(ID + path, safe='')}") == f"http://testserver{target}"


def test_the_format_parameter_goes_along(client: TestClient) -> None:
    assert _location(client, "GET", "/id/dataset?format=jsonld") == "http://testserver/.well-known/void?format=jsonld"
    assert _location(client, "GET", "/id/catalog?format=ttl&other=1") == "http://testserver/catalog?format=ttl"


def test_the_documents_seen_describe_the_iris(client: TestClient) -> None:
    """Followed with an RDF client's Accept, each redirect lands on a description that names the IRI."""
    void = rdflib.Graph().parse(data=client.get("/id/dataset", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (dcat.DATASET, RDF.type, VOID.Dataset) in void
    assert (dcat.DATASET, VOID.subset, rdflib.URIRef(ID + "dataset/source-001")) in void
    record = client.get("/id/catalog", headers={"Accept": "text/turtle"})
    assert record.status_code == 200 and record.headers["content-type"].startswith("text/turtle")
    catalog = rdflib.Graph().parse(data=record.text, format="turtle")
    assert (dcat.CATALOG, RDF.type, DCAT.Catalog) in catalog
    for path in TO_CATALOG[1:]:
        assert (rdflib.URIRef(ID + path), RDF.type, None) in catalog, path


@pytest.mark.parametrize("path", ["dataset/nothing-of-the-kind", "dataset/distribution/zip", "datasets"])
def test_other_iris_under_dataset_are_not_found(client: TestClient, path: str) -> None:
    r = client.get(f"/id/{path}", headers={"Accept": "application/json"}, follow_redirects=False)
    assert r.status_code == 404
