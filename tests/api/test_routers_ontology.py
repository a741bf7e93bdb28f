"""/ontology against a running server: documentation for people, the source for RDF clients."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest
import rdflib
from rdflib import OWL, RDF, URIRef

from kg.config import PROJECT_ROOT

pytestmark = pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning")

TI = "https://w3id.org/territoires-industrie/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_documentation(http: httpx.Client) -> None:
    r = http.get("/ontology", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = unescape(r.text)
    assert '<section class="term" id="IndustryTerritory">' in page  # …/ontology#IndustryTerritory lands here
    assert "Territoire d'industrie" in page and '<span class="en" lang="en">industry territory</span>' in page
    assert 'href="#Area"' in page  # its superclass, on the same page
    assert 'id="scheme-roles"' in page and "gestionnaire de l'enveloppe" in page
    assert "aria-current=page" in page and 'href="/shapes"' in page  # the site's navigation
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page)  # nothing loaded from elsewhere


def test_turtle_is_the_source_files(http: httpx.Client) -> None:
    r = http.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "Accept" in r.headers["vary"]
    source = (PROJECT_ROOT / "ontology" / "territoires-industrie.ttl").read_text(encoding="utf-8")
    assert source in r.text  # comments and all
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    assert (URIRef(TI + "Phase"), RDF.type, OWL.Class) in g
    assert (URIRef("https://w3id.org/territoires-industrie/id/role/pilot"), None, None) in g  # vocabularies too


def test_other_syntaxes_carry_the_same_triples(http: httpx.Client) -> None:
    turtle = rdflib.Graph().parse(data=http.get("/ontology?format=turtle").content, format="turtle")
    for fmt, rdflib_format in (("jsonld", "json-ld"), ("ntriples", "nt"), ("rdfxml", "xml")):
        r = http.get("/ontology", params={"format": fmt})
        assert r.status_code == 200
        assert rdflib.Graph().parse(data=r.content, format=rdflib_format).isomorphic(turtle), fmt
    r = http.get("/ontology", headers={"Accept": "text/turtle"})
    assert (
        http.get("/ontology", headers={"Accept": "text/turtle", "If-None-Match": r.headers["etag"]}).status_code == 304
    )
