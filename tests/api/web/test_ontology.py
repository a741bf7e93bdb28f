"""/ontology against a running server: documentation for people, the source for RDF clients."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib import OWL, RDF, URIRef
from rdflib.namespace import SH

from api.main import create_app
from kg.config import PROJECT_ROOT, Settings
from kg.store.pool import QueryPool

pytestmark = pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning")

TI = "https://w3id.org/territoires-industrie/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ONTOLOGY = "https://w3id.org/territoires-industrie/ontology"
SMALL = PROJECT_ROOT / "tests" / "fixtures" / "shapes_doc"
EX = "http://example.org/doc/"


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


def test_turtle_is_the_triples_of_the_source_files(http: httpx.Client) -> None:
    r = http.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "Accept" in r.headers["vary"]
    g = rdflib.Graph().parse(data=r.content, format="turtle")
    sources = rdflib.Graph()
    for path in sorted((PROJECT_ROOT / "ontology").glob("*.ttl")):  # two files: their triples, serialised
        sources.parse(path, format="turtle")
    assert g.isomorphic(sources)
    assert (URIRef(TI + "Phase"), RDF.type, OWL.Class) in g
    assert (URIRef("https://w3id.org/territoires-industrie/id/role/pilot"), None, None) in g  # vocabularies too
    assert "@prefix ti: <" + TI + ">" in r.text


def test_the_class_tree_is_content_with_a_heading_not_navigation(http: httpx.Client) -> None:
    page = http.get("/ontology", headers={"Accept": BROWSER}).text
    assert page.count("<nav") == 2  # the site's navigation and the table of contents, nothing else
    tree = page.split('<section class="tree" aria-labelledby="hierarchie">', 1)[1].split("</section>", 1)[0]
    assert tree.startswith('\n<h3 id="hierarchie">Hiérarchie des classes</h3>')
    assert 'href="#IndustryTerritory"' in tree


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


# --- ontologies of other directories ----------------------------------------------------------------------------


@pytest.fixture
def ontology_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "ontology"
    directory.mkdir()
    return directory


@pytest.fixture
def local(api_settings: Settings, pool: QueryPool, ontology_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings.model_copy(update={"ontology_dir": ontology_dir}), pool)) as c:
        yield c


def test_one_turtle_file_is_answered_as_it_is(local: TestClient, ontology_dir: Path) -> None:
    source = SMALL / "ontology" / "ontology.ttl"
    shutil.copy(source, ontology_dir)
    r = local.get("/ontology", params={"format": "turtle"})
    assert r.status_code == 200 and r.content == source.read_bytes()  # comments and all


def test_two_files_keep_their_blank_nodes_apart(local: TestClient, ontology_dir: Path) -> None:
    shutil.copytree(SMALL / "split", ontology_dir, dirs_exist_ok=True)  # each file has its own `_:b0`
    for fmt, rdflib_format in (("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")):
        g = rdflib.Graph().parse(data=local.get("/ontology", params={"format": fmt}).content, format=rdflib_format)
        a, b = (g.value(URIRef(EX + name), SH.property) for name in ("AShape", "BShape"))
        assert isinstance(a, rdflib.BNode) and isinstance(b, rdflib.BNode) and a != b, fmt
        assert set(g.objects(a, SH.path)) == {URIRef(EX + "p")} and set(g.objects(b, SH.path)) == {URIRef(EX + "q")}


def test_edited_files_are_picked_up_and_licences_are_linked_only_when_safe(
    local: TestClient, ontology_dir: Path
) -> None:
    source = ontology_dir / "o.ttl"
    header = f"""@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix dcterms: <http://purl.org/dc/terms/> .
<{ONTOLOGY}> a owl:Ontology ; dcterms:license "{{}}" .
"""
    source.write_text(header.format("https://creativecommons.org/licenses/by/4.0/"), encoding="utf-8")
    first = local.get("/ontology", headers={"Accept": BROWSER})
    assert '<a href="https://creativecommons.org/licenses/by/4.0/">' in first.text
    source.write_text(header.format("javascript:alert(document.cookie)"), encoding="utf-8")
    second = local.get("/ontology", headers={"Accept": BROWSER, "If-None-Match": first.headers["etag"]})
    assert second.status_code == 200 and second.headers["etag"] != first.headers["etag"]
    assert "<dt>Licence</dt><dd>javascript:alert(document.cookie)</dd>" in second.text  # shown, never a link
    assert 'href="javascript:' not in second.text
