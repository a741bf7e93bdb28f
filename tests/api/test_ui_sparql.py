"""The SPARQL page in Chromium: YASGUI loads from this server alone, answers typed queries and runs the examples."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api.web.filters import canned_summary, canned_text, href
from kg import queries
from kg.sources.namespaces import ONTOLOGY_IRI, PREFIXES
from tests.api.conftest import Server

ID = "https://w3id.org/territoires-industrie/id/"
TYPED = """PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
SELECT ?year ?file WHERE {
  GRAPH ?doc { <https://w3id.org/territoires-industrie/id/phase/1> ti:endYear ?year }
  ?doc ti:seedFile ?file .
} ORDER BY ?year ?file"""


def open_editor(server: Server, browser_page: Any) -> tuple[Any, list[str]]:
    """The /sparql page with YASGUI ready, and the list of every URL it asks for (filled as it goes)."""
    page = browser_page.page
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(server.url + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    return page, requested


def open_examples(page: Any) -> None:
    """Unfold the list of canned queries (folded when the page opens, so that the editor is above the fold)."""
    page.locator("details#exemples > summary").click()
    page.wait_for_selector("button[data-example]", state="visible")


def results(page: Any) -> list[list[str]]:
    """The rows YASGUI's table shows, each cell's text without the row number."""
    page.wait_for_selector(".yasr table.dataTable tbody tr")
    return page.evaluate(
        """() => [...document.querySelectorAll('.yasr table.dataTable tbody tr')].map(
             tr => [...tr.cells].slice(1).map(td => td.innerText.trim()))"""
    )


def sparql_rows(http: httpx.Client, query: str) -> list[dict[str, str]]:
    r = http.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in b.items()} for b in r.json()["results"]["bindings"]]


def test_the_page_loads_from_this_server_only(server: Server, browser_page: Any) -> None:
    page, requested = open_editor(server, browser_page)
    page.wait_for_load_state("networkidle")
    value = page.evaluate("kgYasgui.getTab().getYasqe().getValue()")
    for name, iri in PREFIXES.items():
        assert f"PREFIX {name}: <{iri}>" in value
    assert page.evaluate("kgYasgui.getTab().getEndpoint()") == server.endpoint
    assert page.locator("button[data-example]").count() == len(queries.names())
    open_examples(page)
    # each example's description is visible, and is the button's accessible description: French when the query's
    # header has a French description, else English (and marked so)
    button = page.locator('button[data-example="funding-totals"]')
    described = page.locator("#" + button.get_attribute("aria-describedby"))
    summary = canned_summary("funding-totals")
    assert described.is_visible() and described.inner_text() == (summary.fr or summary.en)
    if not summary.fr:
        assert summary.en == "Funding flows summed per group (scheme, funder, région or phase)."
        assert described.get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Interroger le graphe en SPARQL"
    browser_page.screenshot("sparql")
    assert requested and all(url.startswith(server.url + "/") for url in requested), requested
    browser_page.assert_clean()


def test_a_typed_query_returns_the_rows_of_the_endpoint(server: Server, http: httpx.Client, browser_page: Any) -> None:
    page, requested = open_editor(server, browser_page)
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(TYPED)
    assert page.evaluate("kgYasgui.getTab().getYasqe().getValue()") == TYPED
    page.locator(".yasqe_queryButton").click()
    shown = results(page)
    expected = sparql_rows(http, TYPED)
    assert len(expected) == 3  # phase 1 ends in 2022 for two documents, 2023 for one
    assert len(shown) == len(expected)
    for cells, row in zip(shown, expected, strict=True):
        assert cells[0].startswith(f'"{row["year"]}"') and cells[1] == row["file"]
    # completions come from this endpoint, not from the web (Linked Open Vocabularies)
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(
        "PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>\nSELECT * WHERE { ?s a ti:Industr"
    )
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints")
    assert "ti:IndustryTerritory" in page.locator(".CodeMirror-hints").inner_text()
    assert all(url.startswith(server.url + "/") for url in requested), requested
    browser_page.assert_clean()


def test_the_prefilled_query_runs_with_the_project_prefixes(
    server: Server, http: httpx.Client, browser_page: Any
) -> None:
    page, _ = open_editor(server, browser_page)
    query = page.evaluate("kgYasgui.getTab().getYasqe().getValue()")
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+Enter")  # runs the query, as the page says
    shown = results(page)
    expected = sparql_rows(http, query)
    assert len(shown) == len(expected) == 3
    assert [c[1] for c in shown] == [f"tid:source/{r['document'].rsplit('/', 1)[1]}" for r in expected]
    # an IRI in the results opens its page on this server
    page.locator(".yasr table.dataTable tbody tr").first.locator("td").nth(2).locator("a.iri").click()
    page.wait_for_url("**/id/source/**")
    assert page.url == server.url + href(expected[0]["document"])
    assert href(expected[0]["document"]).startswith("/id/source/")


IRIS = [
    ID + "territory/ardeche-drome-nord",
    ID + "source/001",
    ID + "a:b@c$&+,;=!'()*~ é/d%20e",  # every character quote() keeps or encodes in a path
    ID + "territory/x?y=1",  # a query or a fragment: not a page path
    ID + "actor/x#y",
    ID,
    ONTOLOGY_IRI,
    ONTOLOGY_IRI + "#IndustryTerritory",
    "http://id.insee.fr/geo/commune/26198",
    "https://example.org/a b!'()*~é?q=1&r=2#f",
    "urn:x:y",
]


@pytest.mark.parametrize("script_page", ["/sparql", "/explore/network"])
def test_scripts_link_iris_exactly_as_the_server_pages_do(server: Server, browser_page: Any, script_page: str) -> None:
    """links.js with the page's configuration gives `rendering.href`'s URL for every kind of IRI."""
    page = browser_page.page
    page.goto(server.url + script_page)
    page.wait_for_function("typeof window.kgPageOf === 'function'")
    config = "kg-sparql-config" if script_page == "/sparql" else "kg-network-config"
    links = page.evaluate(
        "([id, iris]) => { const c = JSON.parse(document.getElementById(id).textContent);"
        " return iris.map(iri => kgPageOf(c.links, iri)); }",
        [config, IRIS],
    )
    assert links == [href(iri) for iri in IRIS]


def test_a_canned_example_opens_a_tab_and_shows_its_rows(server: Server, http: httpx.Client, browser_page: Any) -> None:
    page, requested = open_editor(server, browser_page)
    open_examples(page)
    page.locator('button[data-example="territories"]').click()
    shown = results(page)
    expected = http.get("/queries/territories").json()
    assert len(shown) == len(expected) == 35  # 33 territories, two of them in two régions (stated and inferred)
    assert page.evaluate("kgYasgui.getTab().getName()") == "territories"
    assert {c[0] for c in shown} == {"tid:territory/" + r["t"].rsplit("/", 1)[1] for r in expected}
    # an example with a required parameter runs with the parameter's declared example
    page.locator('button[data-example="territory-members"]').click()
    page.wait_for_function("kgYasgui.getTab().getName() === 'territory-members'")
    members = http.get("/queries/territory-members", params={"territory": ID + "territory/ardeche-drome-nord"})
    page.wait_for_function(
        "n => document.querySelectorAll('.tabPanel.active .yasr table.dataTable tbody tr').length === n",
        arg=min(len(members.json()), 50),
    )
    assert all(url.startswith(server.url + "/") for url in requested), requested
    browser_page.assert_clean()


def test_the_editor_is_above_the_fold_and_the_examples_fold(server: Server, browser_page: Any) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 1280, "height": 800})
    page, _ = open_editor(server, browser_page)
    assert page.evaluate("() => window.scrollY") == 0
    # the editor's text area and its run button are inside the first screen
    editor = page.locator(".yasqe .CodeMirror").bounding_box()
    assert editor["y"] >= 0 and editor["y"] + editor["height"] <= 800, editor
    run = page.locator(".yasqe_queryButton").bounding_box()
    assert run["y"] + run["height"] <= 800, run
    # the examples are a <details> list, folded: one line above the editor
    details = page.locator("details#exemples")
    assert details.evaluate("d => d.open") is False
    assert not page.locator('button[data-example="territories"]').is_visible()
    assert details.bounding_box()["y"] < editor["y"]
    open_examples(page)
    # the buttons are named by the queries' French titles when their headers have one
    for name in queries.names():
        title = canned_text(name, "title")
        button = page.locator(f'button[data-example="{name}"]')
        assert button.inner_text() == (title.fr or title.en)
        assert button.get_attribute("lang") == (None if title.fr else "en")
    browser_page.screenshot("sparql-above-the-fold")
    browser_page.assert_clean()


def test_the_page_on_a_phone(server: Server, browser_page: Any) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    browser_page.screenshot("sparql-phone")
    browser_page.assert_clean()
