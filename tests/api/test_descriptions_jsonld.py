"""The dataset's own descriptions in JSON-LD — VoID (/.well-known/void), the service description (GET /sparql
without a query) and the DCAT-AP record (/catalog) — are compacted, not expanded, with the prefixes of the
context published at /context.jsonld, and say exactly what their Turtle says."""

from __future__ import annotations

import json

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.compare import isomorphic

from kg.docs import context

JSONLD = {"Accept": "application/ld+json"}
TURTLE = {"Accept": "text/turtle"}


def _both(client: TestClient, url: str) -> tuple[dict[str, object], rdflib.Graph, rdflib.Graph]:
    compacted, turtle = client.get(url, headers=JSONLD), client.get(url, headers=TURTLE)
    assert compacted.status_code == turtle.status_code == 200, url
    assert compacted.headers["content-type"].startswith("application/ld+json")
    assert turtle.headers["content-type"].startswith("text/turtle")
    as_jsonld = rdflib.Graph().parse(data=compacted.content, format="json-ld")
    return json.loads(compacted.content), as_jsonld, rdflib.Graph().parse(data=turtle.content, format="turtle")


@pytest.mark.parametrize("url", ["/.well-known/void", "/sparql"])
def test_void_and_the_service_description_are_compacted_with_the_published_context(
    client: TestClient, url: str
) -> None:
    doc, as_jsonld, as_turtle = _both(client, url)
    assert doc["@context"] == context.CONTEXT == client.get("/context.jsonld").json()["@context"]
    assert len(as_turtle) > 50 and isomorphic(as_jsonld, as_turtle)
    text = json.dumps(doc)
    assert '"void:triples"' in text or '"sd:endpoint"' in text, "short names, not full IRIs"
    assert "http://rdfs.org/ns/void#triples" not in text


def test_the_catalogue_is_compacted_with_the_published_contexts_prefixes(client: TestClient) -> None:
    """The record names only the prefixes it uses, each as the published context spells it, so its short
    names are those of every other answer."""
    doc, as_jsonld, as_turtle = _both(client, "/catalog")
    names = doc["@context"]
    assert isinstance(names, dict) and names, "compacted"
    assert {k: context.CONTEXT.get(k) for k in names} == names
    assert isomorphic(as_jsonld, as_turtle)
    assert "http://www.w3.org/ns/dcat#Dataset" not in json.dumps(doc)


def test_the_ontology_is_compacted_with_the_published_context(client: TestClient) -> None:
    doc, as_jsonld, as_turtle = _both(client, "/ontology")
    assert doc["@context"] == context.CONTEXT
    assert len(as_turtle) > 1000 and isomorphic(as_jsonld, as_turtle)
    assert "http://www.w3.org/2002/07/owl#ObjectProperty" not in json.dumps(doc), "short names, not full IRIs"
