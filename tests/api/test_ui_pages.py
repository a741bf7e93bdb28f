"""The home, resource and ontology pages in a real browser: they load clean, are navigable, and show sources.

Screenshots go to test-artifacts/ (home, resource, ontology, resource-phone at 390 by 844) for a reviewer.
"""

from __future__ import annotations

import itertools
from typing import Any

ADN_PATH = "/id/territory/ardeche-drome-nord"

# Every heading level in document order; every form field with its accessible label.
HEADINGS_JS = "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => Number(h.tagName[1]))"
UNLABELLED_JS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.type !== 'button')
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.outerHTML)"""


def assert_accessible_structure(page: Any) -> None:
    """One h1 first, no heading level skipped, every form field labelled, the page in French."""
    levels: list[int] = page.evaluate(HEADINGS_JS)
    assert levels and levels[0] == 1 and levels.count(1) == 1, levels
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    assert page.evaluate(UNLABELLED_JS) == []
    assert page.evaluate("() => document.documentElement.lang") == "fr"


def test_home_page_loads_clean(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/")
    assert page.locator("h1").inner_text().startswith("Territoires d'industrie")
    counts = page.locator("table").first
    assert counts.locator("tr", has_text="Territoire d'industrie").locator("td").inner_text() == "33"
    documents = page.locator("table", has=page.locator("caption", has_text="Documents sources"))
    assert documents.locator("tbody tr").count() == 5  # the five source documents
    assert_accessible_structure(page)
    browser_page.screenshot("home")
    browser_page.assert_clean()


def test_home_page_leads_with_the_territories_by_region(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/")
    # the first section after the introduction is the territories by région, above the fold, before the classes
    assert page.locator("h2").first.inner_text() == "Les territoires par région"
    regions = page.locator("section.region")
    assert regions.count() == 5
    assert regions.first.locator("h3").inner_text() == "Auvergne-Rhône-Alpes 2 territoires"
    assert regions.first.is_visible() and regions.first.bounding_box()["y"] < 900
    table_top = page.locator("table").first.bounding_box()["y"]
    assert regions.last.bounding_box()["y"] < table_top  # the table of classes moved lower
    centre = page.locator("section.region", has_text="Centre-Val de Loire")
    assert centre.locator("li").count() == 15
    # a territory's name opens its page
    centre.get_by_role("link", name="Berry-Sologne").click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/territory/berry-sologne")
    assert page.locator("h1").inner_text() == "Berry-Sologne"
    browser_page.assert_clean()


def test_resource_page_loads_clean(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + ADN_PATH)
    assert page.locator("h1").inner_text() == "Ardèche-Drôme Nord"
    assert page.locator("table.facts").first.locator("a", has_text="Annonay Rhône Agglo").count() == 1
    assert_accessible_structure(page)
    browser_page.screenshot("resource")
    browser_page.assert_clean()


def test_ontology_page_loads_clean(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/ontology#IndustryTerritory")
    entry = page.locator("#IndustryTerritory")
    assert entry.is_visible() and "Territoire d'industrie" in entry.locator("h3").inner_text()
    assert page.evaluate("() => window.scrollY") > 0  # the anchor of an ontology IRI lands on its entry
    assert_accessible_structure(page)
    page.evaluate("() => window.scrollTo(0, 0)")
    browser_page.screenshot("ontology")
    browser_page.assert_clean()


def test_a_resource_opened_by_clicking_shows_its_sources(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/")
    # home → the class "Territoire d'industrie" → one of its territories, each by a click
    page.locator("table").first.get_by_role("link", name="Territoire d'industrie").click()
    page.wait_for_load_state()
    assert "IndustryTerritory" in page.url
    page.get_by_role("link", name="Ardèche-Drôme Nord", exact=True).first.click()
    page.wait_for_load_state()
    assert page.url.endswith(ADN_PATH)
    sources = page.locator("ul.sources")
    assert "Rebond industriel" in sources.inner_text()  # the title of document 001, which states the facts
    assert "Graphe éditorial" in sources.inner_text()
    assert page.locator("table.facts a.src", has_text="doc. 001").count() > 10  # each fact with its document
    # and the source document is one more click away
    sources.get_by_role("link", name="doc. 001").click()
    page.wait_for_load_state()
    assert page.url.endswith("/id/source/001")
    assert "Lancement des démarches" in page.locator("h1").inner_text()
    browser_page.assert_clean()


def test_the_home_form_opens_a_resource_by_prefixed_name(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/")
    page.get_by_label("Ouvrir une ressource").fill("territory:ardeche-drome-nord")
    page.get_by_role("button", name="Ouvrir").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ardèche-Drôme Nord"
    browser_page.assert_clean()


def test_resource_page_on_a_phone(server: Any, browser_page: Any) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + ADN_PATH)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    browser_page.screenshot("resource-phone")
    browser_page.assert_clean()
