"""Dereferenceable IRIs against a running server: /id/{path} and /resource?iri=…, by content negotiation."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import rdflib
from rdflib import RDF, URIRef

from api.web.filters import href, safe_url

pytestmark = pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning")

ID = "https://w3id.org/territoires-industrie/id/"
TI = "https://w3id.org/territoires-industrie/ontology#"
ADN = ID + "territory/ardeche-drome-nord"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PATH = "/id/territory/ardeche-drome-nord"


def _graph(r: httpx.Response, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=r.content, format=fmt)


@pytest.mark.parametrize(
    ("accept", "media_type", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml;q=0.5, text/turtle;q=0.9", "text/turtle", "turtle"),
    ],
)
def test_rdf_clients_get_the_statements_both_ways(
    http: httpx.Client, accept: str, media_type: str, rdflib_format: str
) -> None:
    r = http.get(PATH, headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in r.headers["vary"]
    g = _graph(r, rdflib_format)
    s = URIRef(ADN)
    assert (s, RDF.type, URIRef(TI + "IndustryTerritory")) in g
    assert (s, URIRef(TI + "hasMemberIntercommunality"), URIRef(ID + "epci/200072015")) in g
    assert (s, rdflib.RDFS.label, rdflib.Literal("Ardèche-Drôme Nord", lang="fr")) in g
    assert (None, URIRef(TI + "about"), s) in g  # incoming: the launch meeting is about it
    assert all(subject == s or obj == s for subject, _, obj in g)


def test_the_format_parameter_wins_over_accept(http: httpx.Client) -> None:
    r = http.get(PATH, params={"format": "ntriples"}, headers={"Accept": BROWSER})
    assert r.headers["content-type"] == "application/n-triples"
    assert len(_graph(r, "nt")) > 20
    r = http.get("/resource", params={"iri": ADN, "format": "jsonld"})
    assert r.headers["content-type"] == "application/ld+json"
    assert isinstance(json.loads(r.content), list | dict)


def test_a_browser_gets_the_page_with_sources(http: httpx.Client) -> None:
    r = http.get(PATH, headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]
    page = r.text
    assert "<h1>Ardèche-Drôme Nord</h1>" in page
    assert 'href="/id/epci/200072015"' in page and "Annonay Rhône Agglo" in page
    assert 'href="/id/source/001"' in page and "Rebond industriel" in page  # the source's title
    assert "Graphe éditorial" in page  # the region was inferred by the editors
    assert 'lang="en"' in page  # English labels alongside
    assert page.index("<h1>") < page.index('<h2 id="sources">') < page.index('<h2 id="proprietes">')


def test_resource_takes_any_iri_the_graph_mentions(http: httpx.Client) -> None:
    same = http.get("/resource", params={"iri": ADN}, headers={"Accept": "text/turtle"})
    assert _graph(same, "turtle").isomorphic(_graph(http.get(PATH, headers={"Accept": "text/turtle"}), "turtle"))
    insee = http.get("/resource", params={"iri": "http://rdf.insee.fr/def/geo#Commune"}, headers={"Accept": BROWSER})
    assert insee.status_code == 200 and f'href="{href(TI + "Commune")}"' in insee.text.replace("&amp;", "&")
    prefixed = http.get("/resource", params={"iri": "ti:Phase"}, headers={"Accept": BROWSER})
    assert prefixed.status_code == 200 and 'href="/ontology#Phase"' in prefixed.text
    used = http.get("/resource", params={"iri": "rdfs:label"}, headers={"Accept": BROWSER})
    assert used.status_code == 200 and "comme propriété" in used.text
    assert len(_graph(http.get("/resource", params={"iri": "rdfs:label", "format": "turtle"}), "turtle")) == 0


def test_unknown_iris_are_404_for_browsers_and_rdf_clients(http: httpx.Client) -> None:
    page = http.get("/id/territory/nowhere", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Ressource inconnue" in page.text and "Accept" in page.headers["vary"]
    rdf = http.get("/id/territory/nowhere", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 404 and rdf.headers["content-type"] == "application/problem+json"
    assert rdf.json()["type"].endswith("/unknown-resource") and "Accept" in rdf.headers["vary"]
    other = http.get("/resource", params={"iri": "http://example.org/nothing"}, headers={"Accept": "text/turtle"})
    assert other.status_code == 404


@pytest.mark.parametrize(
    "params",
    [{}, {"iri": ""}, {"iri": "not an iri"}, {"iri": "http://a b/"}, [("iri", ADN), ("iri", ID + "phase/1")]],
    ids=["missing", "empty", "not-an-iri", "space", "repeated"],
)
def test_a_missing_repeated_or_malformed_iri_is_400(
    http: httpx.Client, params: dict[str, str] | list[tuple[str, str]]
) -> None:
    r = http.get("/resource", params=params, headers={"Accept": BROWSER})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["parameter"] == "iri"


@pytest.mark.parametrize("path", ["/id/a%20b", "/id/a%3Eb", "/id/territory/%7Bx%7D"])
def test_a_path_that_makes_no_iri_is_404_like_an_unknown_one(http: httpx.Client, path: str) -> None:
    page = http.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Ressource inconnue" in page.text and "Accept" in page.headers["vary"]
    rdf = http.get(path, headers={"Accept": "text/turtle"})
    assert rdf.status_code == 404 and rdf.headers["content-type"] == "application/problem+json"
    assert rdf.json()["type"].endswith("/unknown-resource")


def test_the_uses_of_a_property_link_to_a_query_with_the_iri_bound(http: httpx.Client) -> None:
    page = http.get("/resource", params={"iri": "rdfs:label"}, headers={"Accept": BROWSER})
    found = re.search(r'<a href="(/sparql\?query=[^"]+)">Ses emplois</a>', page.text)
    assert found
    link = unescape(found.group(1))
    query = parse_qs(urlsplit(link).query)["query"][0]
    assert "VALUES (?resource) { (<http://www.w3.org/2000/01/rdf-schema#label>) }" in query
    rows = http.get(link, headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert rows and all(row["graph"]["type"] == "uri" for row in rows)


def test_nothing_acceptable_is_406(http: httpx.Client) -> None:
    r = http.get(PATH, headers={"Accept": "text/csv"})
    assert r.status_code == 406 and "text/turtle" in r.json()["available"]


def test_answers_revalidate_with_their_etag(http: httpx.Client) -> None:
    r = http.get(PATH, headers={"Accept": "text/turtle"})
    again = http.get(PATH, headers={"Accept": "text/turtle", "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    assert http.get(PATH, headers={"Accept": BROWSER}).headers["etag"] != r.headers["etag"]


def test_a_cut_description_says_so(limited_http: httpx.Client) -> None:
    r = limited_http.get(PATH, headers={"Accept": "application/n-triples"})
    assert r.status_code == 200
    assert r.headers["SPARQL-Results-Truncated"] == "true" and len(_graph(r, "nt")) == 5
    page = limited_http.get(PATH, headers={"Accept": BROWSER})
    assert page.status_code == 200 and "tronquée" in page.text


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://creativecommons.org/licenses/by/4.0/", True),
        ("http://example.org/a?b=c#d", True),
        ("/id/territory/agenais", True),
        ("/resource?iri=x", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/", False),
        ("/\\evil.example/", False),
        ("https:evil", False),
        ("http://", False),
        ("ftp://example.org/", False),
        ("relative/path", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url_lets_only_http_and_site_paths_become_links(url: str | None, safe: bool) -> None:
    assert safe_url(url) == (url if safe else None)


def test_links_go_to_pages_on_this_server() -> None:
    assert href(ADN) == PATH
    assert href("https://w3id.org/territoires-industrie/ontology") == "/ontology"
    assert href(TI + "Phase") == "/resource?iri=https%3A%2F%2Fw3id.org%2Fterritoires-industrie%2Fontology%23Phase"
    assert href("http://rdf.insee.fr/def/geo#Commune").startswith("/resource?iri=http%3A%2F%2Frdf.insee.fr")
