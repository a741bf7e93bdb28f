"""`/shapes` on a running server, and the HTML rendering of a SHACL validation report.

The page must show every shape of shapes/ at its anchor (validation reports link there) and give the Turtle
source to RDF clients; the report page must show each result's focus node, linked to its resource page.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import RDF, SH

from api.caching import GZIP_MINIMUM_SIZE
from api.main import create_app
from api.web.filters import href
from api.web.validation_page import render_report, verdict
from kg.config import PROJECT_ROOT, Settings
from kg.docs.shapes import model
from kg.ingest.report import ValidationIssue, ValidationResult
from kg.ingest.validate import load_graph_dir, validate_graph
from kg.store.pool import QueryPool

SHAPES_FILE = PROJECT_ROOT / "shapes" / "territoires-industrie-shapes.ttl"
BROKEN = PROJECT_ROOT / "tests" / "fixtures" / "shapes"
SMALL = PROJECT_ROOT / "tests" / "fixtures" / "shapes_doc"


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


@pytest.fixture(scope="module")
def shapes_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_FILE, format="turtle")


@pytest.fixture(scope="module")
def shapes_html(server: Any) -> str:
    response = httpx.get(f"{server.url}/shapes", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200
    return response.text


def test_shapes_page_is_html_in_french(http: httpx.Client) -> None:
    response = http.get("/shapes", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in response.text and "<h1>Règles de validation des données</h1>" in response.text
    assert 'href="/shapes" aria-current=page' in response.text
    assert http.get("/shapes").headers["content-type"].startswith("text/html")  # no Accept: the page


def test_the_page_says_in_which_languages_the_messages_are(shapes_html: str) -> None:
    """The messages shown are French; the shapes give them in English too, and a report shows them in English to a
    reader who asks (they were English only, once, and the page said so)."""
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", shapes_html)).split())
    assert "(en anglais)" not in text
    said = "Les messages sont ceux que les rapports de validation affichent, en français ; chaque forme les donne aussi"
    assert said + " en anglais" in text
    assert "Accept-Language" in text and "--lang en" in text
    assert "schema:maxValue doit être un seul nombre ≥ 0 (xsd:decimal ou xsd:integer)." in text  # a message, French
    assert "schema:maxValue must be one number" not in text


def test_every_node_shape_is_on_the_page_at_its_anchor(shapes_html: str, shapes_graph: rdflib.Graph) -> None:
    ids = _ids(shapes_html)
    node_shapes = [str(s) for s in shapes_graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)]
    assert len(node_shapes) > 30
    for iri in node_shapes:
        assert model.anchor(iri) in ids, iri
        assert f"<code>{iri}</code>" in shapes_html, iri
    named_properties = {str(p) for p in shapes_graph.objects(None, SH.property) if isinstance(p, rdflib.URIRef)}
    assert {model.anchor(p) for p in named_properties} <= ids
    links = set(re.findall(r'href="#([^"]+)"', shapes_html))
    assert links <= ids  # every in-page link lands somewhere


def test_page_says_what_a_class_must_and_should_have(shapes_html: str) -> None:
    section = shapes_html.split('<section id="classe-FundingFlow"', 1)[1].split("</section>", 1)[0]
    must, should = section.split("Devrait avoir", 1)
    assert "financeur" in should and "ti:funder" in should and "ti:funder" not in must
    assert "ti:amount" in must and "au plus une valeur" in must
    assert 'href="#FundingFlow-funder-missing"' in should


@pytest.mark.parametrize(
    "headers, params",
    [({"Accept": "text/turtle"}, {}), ({"Accept": "text/html"}, {"format": "turtle"})],
    ids=["accept", "format-parameter"],
)
def test_turtle_is_the_shapes_source(http: httpx.Client, headers: dict[str, str], params: dict[str, str]) -> None:
    response = http.get("/shapes", headers=headers, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    served = rdflib.Graph().parse(data=response.content, format="turtle")  # every shapes file, merged
    assert len(served) == len(load_graph_dir(SHAPES_FILE.parent)) and len(list(SHAPES_FILE.parent.glob("*.ttl"))) > 1


def test_nothing_acceptable_is_406_and_etag_revalidates(http: httpx.Client) -> None:
    refused = http.get("/shapes", headers={"Accept": "application/json"})
    assert refused.status_code == 406
    assert refused.headers["content-type"].startswith("application/problem+json")
    first = http.get("/shapes", headers={"Accept": "text/html"})
    again = http.get("/shapes", headers={"Accept": "text/html", "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    turtle = http.get("/shapes", headers={"Accept": "text/turtle"})
    assert turtle.headers["etag"] != first.headers["etag"]


# --- shapes of other directories, edited while the server runs ---------------------------------------------------


@pytest.fixture
def sources(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the small shapes split in two files, and of their ontology, that a test may edit."""
    shapes, ontology = tmp_path / "shapes", tmp_path / "ontology"
    shutil.copytree(SMALL / "split", shapes)
    shutil.copytree(SMALL / "ontology", ontology)
    return shapes, ontology


@pytest.fixture
def local(api_settings: Settings, pool: QueryPool, sources: tuple[Path, Path]) -> Iterator[TestClient]:
    settings = api_settings.model_copy(update={"shapes_dir": sources[0], "ontology_dir": sources[1]})
    with TestClient(create_app(settings, pool)) as c:
        yield c


def test_edited_shape_files_are_picked_up(local: TestClient, sources: tuple[Path, Path]) -> None:
    before = local.get("/shapes", headers={"Accept": "text/html"})
    assert before.status_code == 200 and "CShape" not in before.text
    added = sources[0] / "b.ttl"
    added.write_text(
        added.read_text(encoding="utf-8") + "\nex:CShape a sh:NodeShape ; sh:targetClass ex:C .\n", encoding="utf-8"
    )
    after = local.get("/shapes", headers={"Accept": "text/html", "If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and "CShape" in after.text  # no stale 304, no stale page
    assert after.headers["etag"] != before.headers["etag"]
    turtle = rdflib.Graph().parse(data=local.get("/shapes", params={"format": "turtle"}).content, format="turtle")
    assert (rdflib.URIRef("http://example.org/doc/CShape"), RDF.type, SH.NodeShape) in turtle


def test_cache_headers_are_those_of_the_body_sent(local: TestClient) -> None:
    turtle = local.get("/shapes", headers={"Accept": "text/turtle"})
    page = local.get("/shapes", headers={"Accept": "text/html"})
    assert len(turtle.content) < GZIP_MINIMUM_SIZE <= len(page.content)  # a small source, a large page
    for r in (turtle, page):
        vary = [v.strip() for v in r.headers["vary"].split(",")]
        assert vary.count("Accept") == 1 and vary.count("Accept-Encoding") == 1, vary
    revalidated = local.get("/shapes", headers={"Accept": "text/html", "If-None-Match": page.headers["etag"]})
    assert revalidated.status_code == 304 and not revalidated.content


# --- the validation report page --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes_and_ontology() -> tuple[rdflib.Graph, rdflib.Graph]:
    return load_graph_dir(PROJECT_ROOT / "shapes"), load_graph_dir(PROJECT_ROOT / "ontology")


def _validate(fixture: Path, graphs: tuple[rdflib.Graph, rdflib.Graph]) -> ValidationResult:
    return validate_graph(rdflib.Graph().parse(fixture, format="turtle"), *graphs)


def test_report_page_shows_each_focus_node_linked(
    shapes_and_ontology: tuple[rdflib.Graph, rdflib.Graph], shapes_html: str
) -> None:
    result = _validate(BROKEN / "phase-number-duplicate.ttl", shapes_and_ontology)
    assert not result.conforms and len(result.violations) == 2
    html = render_report(result, source_name="phase-number-duplicate.ttl")
    assert "Non conforme : 2 violations, 0 avertissement" in html
    assert "<h1>Rapport de validation de <code>phase-number-duplicate.ttl</code></h1>" in html
    for issue in result.issues:
        assert f"<code>{issue.focus_node}</code>" in html
        assert f'href="{escape(href(issue.focus_node))}"' in html  # its page, as every page links it
    assert 'href="/shapes#PhaseNumberUniqueShape"' in html
    assert html.count("<tr><td>") == 2 and '<h2 id="violations">Violations (2)</h2>' in html
    for anchor in re.findall(r'href="/shapes#([^"]+)"', html):
        assert anchor in _ids(shapes_html)  # each result's rule is explained on /shapes


def test_report_page_of_a_property_constraint_and_a_warning(
    shapes_and_ontology: tuple[rdflib.Graph, rdflib.Graph],
) -> None:
    broken = _validate(BROKEN / "mandate-without-holder.ttl", shapes_and_ontology)
    html = render_report(broken)
    (issue,) = broken.violations
    assert issue.focus_label == "mandat" and f">{issue.focus_label}</a>" in html
    assert 'href="/shapes#Mandate-holder"' in html and "nombre minimal de valeurs" in html
    assert f'<code title="{issue.path}">ti:holder</code>' in html
    incomplete = _validate(BROKEN / "commune-without-code.ttl", shapes_and_ontology)
    assert incomplete.conforms and incomplete.warnings
    page = render_report(incomplete)
    assert f'<p class="verdict ok" role="status"><span aria-hidden="true">✔</span> {verdict(incomplete)}</p>' in page
    assert verdict(incomplete) == "Conforme (1 avertissement)"
    assert '<h2 id="avertissements">Avertissements (1)</h2>' in page and "Violations (" not in page
    for warning in incomplete.warnings:
        assert f"<code>{warning.focus_node}</code>" in page


def test_report_page_escapes_and_handles_blank_nodes() -> None:
    issue = ValidationIssue("Violation", "nb0", None, None, "<script>", "a < b", None, None)
    html = render_report(ValidationResult(conforms=False, issues=[issue]), source_name="<x>.ttl")
    assert "<script>" not in html.split("<main", 1)[1] and "&lt;script&gt;" in html
    assert "nœud anonyme" in html and "/resource?iri=nb0" not in html and "forme anonyme" in html
    assert verdict(ValidationResult(conforms=True)) == "Conforme"
