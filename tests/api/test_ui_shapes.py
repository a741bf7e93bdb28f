"""The shapes page and a validation report in a real browser: they load cleanly and their links land."""

from __future__ import annotations

from typing import Any

import rdflib

from api.web.validation_page import render_report
from kg.config import PROJECT_ROOT
from kg.ingest.validate import load_graph_dir, validate_graph


def test_shapes_page_loads_cleanly_and_anchors_land(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/shapes")
    assert page.locator("h1").inner_text() == "Règles de validation des données"
    assert page.locator('nav a[aria-current="page"]').inner_text() == "Règles de validation"
    assert page.locator("section.shape").count() >= 30
    page.locator('.toc a[href="#classe-Phase"]').click()
    assert page.evaluate("location.hash") == "#classe-Phase"
    page.locator('#classe-Phase a[href="#Phase-phaseOf"]').first.click()
    assert page.locator("#Phase-phaseOf").is_visible()
    browser_page.screenshot("shapes")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than the screen but tables
    page.goto(server.url + "/shapes")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    browser_page.assert_clean()


def test_validation_report_renders_cleanly(server: Any, browser_page: Any) -> None:
    data = rdflib.Graph().parse(PROJECT_ROOT / "tests" / "fixtures" / "shapes" / "phase-number-duplicate.ttl")
    result = validate_graph(data, load_graph_dir(PROJECT_ROOT / "shapes"), load_graph_dir(PROJECT_ROOT / "ontology"))
    page = browser_page.page
    # an HTML page of the server (not /shapes itself, so that following /shapes#… loads it): the report's
    # stylesheet, icon and links then resolve against the server
    page.goto(server.url + "/shapes?vue=rapport")
    page.set_content(render_report(result, source_name="phase-number-duplicate.ttl"))
    page.wait_for_load_state("load")
    assert page.locator("p.verdict").inner_text() == "✖ Non conforme : 2 violations, 0 avertissement"
    assert page.locator("table.report tbody tr").count() == 2
    browser_page.screenshot("validation-report")
    page.locator('a[href="/shapes#PhaseNumberUniqueShape"]').first.click()
    page.wait_for_url("**/shapes#PhaseNumberUniqueShape")
    assert page.locator("#PhaseNumberUniqueShape").is_visible()
    browser_page.assert_clean()


def test_the_validate_form_starts_from_the_example_or_a_file(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/validate")
    assert page.locator("h1").inner_text() == "Valider un document"
    # the example: one click puts a conforming document in the text area, and it validates as such
    page.get_by_role("button", name="Partir de l'exemple").click()
    page.wait_for_function("document.getElementById('data').value.includes('src:steward-001')")
    assert page.locator("#syntax").input_value() == "text/turtle"
    assert "example-document.ttl" in page.locator("#validate-status").inner_text()
    page.get_by_role("button", name="Valider", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("p.verdict").inner_text().startswith("✔ Conforme")
    browser_page.assert_clean()
    # a file: its text fills the text area, its syntax is taken from its name, and the form posts it
    page.goto(server.url + "/validate")
    broken = PROJECT_ROOT / "tests" / "fixtures" / "shapes" / "phase-number-duplicate.ttl"
    page.get_by_label("Ouvrir un fichier").set_input_files(
        files=[
            {
                "name": "doc.nt",
                "mimeType": "application/n-triples",
                "buffer": b"<http://e/a> <http://e/b> <http://e/c> .\n",
            }
        ]
    )
    page.wait_for_function("document.getElementById('data').value.startsWith('<http://e/a>')")
    assert page.locator("#syntax").input_value() == "application/n-triples"
    page.get_by_label("Ouvrir un fichier").set_input_files(str(broken))
    page.wait_for_function("document.getElementById('data').value.length > 100")
    assert page.locator("#data").input_value() == broken.read_text(encoding="utf-8")
    assert page.locator("#syntax").input_value() == "text/turtle"
    browser_page.screenshot("validate-form")
    page.get_by_role("button", name="Valider", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("p.verdict").inner_text() == "✖ Non conforme : 2 violations, 0 avertissement"
    browser_page.assert_clean()
