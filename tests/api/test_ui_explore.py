"""The explore pages in Chromium: the network draws what GET /network answers, the funding table sorts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from api.web.filters import href
from api.web.routers.network import category_of
from kg import queries
from kg.store.interface import read_json_results
from tests.api.conftest import Server

ID = "https://w3id.org/territoires-industrie/id/"
ADN = ID + "territory/ardeche-drome-nord"
REBOND = ID + "scheme/rebond-industriel"
JSON = "application/sparql-results+json"


def drawn(page: Any) -> int:
    """Wait until the network is drawn; how many nodes it shows (the container's data attribute)."""
    page.wait_for_function("document.getElementById('network-graph').dataset.nodeCount")
    count = int(page.locator("#network-graph").get_attribute("data-node-count"))
    assert page.evaluate("kgNetwork.nodes().length") == count
    return count


def node_categories(http: httpx.Client) -> dict[str, str]:
    """Each node's category, from the rows of the internal query the page itself is made from (run on /sparql)."""
    r = http.post("/sparql", data={"query": queries.internal("network-nodes").text}, headers={"Accept": JSON})
    answer = read_json_results(r.raise_for_status().content)
    assert not isinstance(answer, bool) and not answer.truncated
    return {row["node"] or "": category_of(row) for row in answer.values()}


def expected_nodes(
    http: httpx.Client, params: dict[str, str], categories: set[str], only_linked: bool = True
) -> set[str]:
    """The nodes the page should draw: GET /network's nodes of the ticked categories, linked to one another."""
    network = http.get("/network", params=params).json()
    category = node_categories(http)
    kept = {n["id"] for n in network["nodes"] if category.get(n["id"], "other") in categories}
    if not only_linked:
        return kept
    linked = set()
    for link in network["links"]:
        if link["source"] in kept and link["target"] in kept:
            linked |= {link["source"], link["target"]}
    return linked


def test_network_draws_what_the_api_answers(server: Server, http: httpx.Client, browser_page: Any) -> None:
    page = browser_page.page
    page.goto(server.url + "/explore/network")
    expected = expected_nodes(http, {"kind": "full"}, {"actor", "territory", "scheme"})
    assert drawn(page) == len(expected) > 30
    assert set(page.evaluate("kgNetwork.nodes().map(n => n.id())")) == expected
    assert page.locator("#network-status").inner_text().startswith(f"{len(expected)} nœuds")
    assert page.locator("#network-list li").count() == len(expected)
    # each node in the list with its type in French, from the ontology's labels
    assert page.locator("#network-list li", has_text="Ademe").first.inner_text() == "Ademe (opérateur de l'État)"
    adn = page.locator("#network-list li", has_text="Ardèche-Drôme Nord").first.inner_text()
    assert adn == "Ardèche-Drôme Nord (Territoire d'industrie)"
    assert page.evaluate("kgNetwork.nodes().filter(n => n.data('typeName') === 'StateOperator').length") == 0
    browser_page.screenshot("network")
    # every node of the ticked categories, linked or not
    page.locator('input[name="isolated"]').uncheck()
    page.wait_for_function(f"kgNetwork.nodes().length !== {len(expected)}")
    everything = expected_nodes(http, {"kind": "full"}, {"actor", "territory", "scheme"}, only_linked=False)
    assert drawn(page) == len(everything)
    browser_page.assert_clean()


def test_network_filters_by_territory_view_scheme_and_link(
    server: Server, http: httpx.Client, browser_page: Any
) -> None:
    page = browser_page.page
    page.goto(server.url + "/explore/network")
    drawn(page)
    page.locator('input[name="kind"][value="actors"]').check()
    page.locator("#territory").select_option(ADN)
    page.wait_for_function("document.getElementById('network-status').textContent.includes('affichés')")
    actors = http.get("/network", params={"kind": "actors", "territory": ADN}).json()
    assert drawn(page) == len(actors["nodes"]) == 16  # with 001's État, collectivités and entreprises
    assert page.evaluate("kgNetwork.edges().length") == len(actors["links"])
    # a kind of link: only the pairs of actors that share a scheme
    page.locator("#link").select_option("scheme")
    page.wait_for_function(f"kgNetwork.edges().length !== {len(actors['links'])}")
    scheme_links = [link for link in actors["links"] if "scheme" in link["kinds"]]
    assert page.evaluate("kgNetwork.edges().length") == len(scheme_links)
    assert drawn(page) == len({end for link in scheme_links for end in (link["source"], link["target"])})
    # a scheme, in the full view: the scheme and what links to it
    full = http.get("/network", params={"kind": "full"}).json()
    category = node_categories(http)
    shown = {"actor", "territory", "scheme"}
    around = {REBOND} | {
        end
        for link in full["links"]
        if REBOND in (link["source"], link["target"])
        and category.get(link["source"]) in shown
        and category.get(link["target"]) in shown
        for end in (link["source"], link["target"])
    }
    page.locator("#link").select_option("")
    page.locator('input[name="kind"][value="full"]').check()
    page.locator("#territory").select_option("")
    page.locator("#scheme").select_option(REBOND)
    # each change redraws; wait for the last one's picture (an earlier one may show for a moment)
    page.wait_for_function(
        "ids => JSON.stringify(kgNetwork.nodes().map(n => n.id()).sort()) === JSON.stringify(ids)",
        arg=sorted(around),
    )
    assert len(around) > 5 and drawn(page) == len(around)
    browser_page.assert_clean()


def test_search_centres_a_node_and_a_click_opens_its_page(server: Server, browser_page: Any) -> None:
    page = browser_page.page
    # tall enough to see the graph without scrolling: Cytoscape ignores clicks for a moment after a scroll
    page.set_viewport_size({"width": 1280, "height": 1500})
    page.goto(server.url + "/explore/network")
    drawn(page)
    page.locator("#search").fill("ardeche-drome nord")  # case and accents ignored
    page.locator("#network-filters button[type=submit]").click()
    assert page.locator("#network-status").inner_text() == "1 nœud(s) trouvé(s) : Ardèche-Drôme Nord."
    assert page.evaluate(f"kgNetwork.getElementById({ADN!r}).hasClass('match')")
    centre = page.evaluate(
        """iri => { const p = kgNetwork.getElementById(iri).renderedPosition();
                    const box = kgNetwork.container().getBoundingClientRect();
                    return {x: box.left + p.x, y: box.top + p.y, w: box.width, h: box.height, px: p.x, py: p.y}; }""",
        ADN,
    )
    assert abs(centre["px"] - centre["w"] / 2) < 2 and abs(centre["py"] - centre["h"] / 2) < 2  # centred
    assert centre["y"] < 1500  # in sight
    browser_page.assert_clean()
    page.mouse.click(centre["x"], centre["y"])
    page.wait_for_url("**/id/territory/**")
    assert page.url == server.url + href(ADN) == server.url + "/id/territory/ardeche-drome-nord"
    # the list under the graph links the same pages
    page.go_back()
    drawn(page)
    assert page.locator("#network-list a", has_text="Ardèche-Drôme Nord").get_attribute("href") == href(ADN)


def test_a_failed_fetch_is_said_and_tried_again(server: Server, http: httpx.Client, browser_page: Any) -> None:
    """A network error shows in the status line and is not kept: the next change of filter fetches again."""
    page = browser_page.page
    calls: list[str] = []

    def flaky(route: Any) -> None:
        calls.append(route.request.url)
        if len(calls) == 1:
            route.abort()
        else:
            route.continue_()

    page.route("**/network?*", flaky)
    page.goto(server.url + "/explore/network")
    status = page.locator("#network-status")
    page.wait_for_function("document.getElementById('network-status').textContent.includes('pas pu')")
    assert status.get_attribute("role") == "status"
    assert status.inner_text().startswith("Le réseau n'a pas pu être chargé")
    assert len(browser_page.failed_requests) == 1 and "/network?kind=full" in browser_page.failed_requests[0]
    assert browser_page.console_errors == ["Failed to load resource: net::ERR_FAILED"]  # the browser's own line
    browser_page.failed_requests.clear()
    browser_page.console_errors.clear()
    page.locator('input[name="category"][value="other"]').check()  # same view: the same URL, asked again
    count = drawn(page)
    assert len(calls) == 2 and calls[0] == calls[1]
    assert count == len(expected_nodes(http, {"kind": "full"}, {"actor", "territory", "scheme", "other"}))
    assert status.inner_text().startswith(f"{count} nœuds")
    browser_page.assert_clean()


def test_network_on_a_phone(server: Server, browser_page: Any) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + "/explore/network")
    drawn(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    browser_page.screenshot("network-phone")
    browser_page.assert_clean()


def amounts(page: Any) -> list[str]:
    """The amount column's sort keys, in the order shown."""
    return page.evaluate(
        "[...document.querySelectorAll('#funding-flows tbody tr td:nth-child(5)')].map(td => td.dataset.sort)"
    )


def test_funding_table_sorts_and_shows_amounts_with_their_sources(
    server: Server, http: httpx.Client, browser_page: Any
) -> None:
    page = browser_page.page
    page.goto(server.url + "/explore/funding")
    flows = http.get("/queries/funding-flows").json()
    assert page.locator("#funding-flows tbody tr").count() == len(flows) == 14
    assert page.locator("svg.chart g").count() == page.locator("#funding-totals tbody tr").count() > 3
    relance = page.locator("#funding-flows tbody tr", has_text="plan de relance")
    cells = relance.locator("th, td")
    assert cells.nth(0).evaluate("cell => cell.tagName + ' ' + cell.scope") == "TH row"
    assert "plus de 36" in cells.nth(4).inner_text()
    assert cells.nth(7).locator("a").get_attribute("href").startswith("/id/source/")
    browser_page.screenshot("funding")

    header = page.locator("#funding-flows thead th", has_text="Montant")
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    keys = amounts(page)
    numbers = [Decimal(k) for k in keys if k]
    assert numbers == sorted(numbers) and len(numbers) == sum(1 for f in flows if f["amount"] or f["minimum"])
    assert keys[len(numbers) :] == [""] * (len(keys) - len(numbers))  # flows without an amount last
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    numbers = [Decimal(k) for k in amounts(page) if k]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] == 2_000_000_000
    projects = page.locator("#funding-flows thead th", has_text="Projets")
    projects.locator("button").click()
    assert projects.get_attribute("aria-sort") == "ascending" and header.get_attribute("aria-sort") is None
    counts = page.evaluate(
        "[...document.querySelectorAll('#funding-flows tbody td:nth-child(7)')].map(td => td.textContent)"
    )
    assert [int(c) for c in counts if c] == sorted(int(c) for c in counts if c) == [1, 100, 244, 2400]
    browser_page.assert_clean()


def test_funding_filters_and_phone_width(server: Server, http: httpx.Client, browser_page: Any) -> None:
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + "/explore/funding")
    page.locator("#territory").select_option(ADN)
    page.locator("#group").select_option("funder")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**/explore/funding?territory=*")
    expected = http.get("/queries/funding-flows", params={"territory": ADN}).json()
    assert page.locator("#funding-flows tbody tr").count() == len(expected) == 3
    assert page.locator("h2", has_text="Montants par financeur").count() == 1
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0  # the table scrolls inside its frame, the page does not
    browser_page.screenshot("funding-phone")
    browser_page.assert_clean()


def test_funding_chart_shows_local_amounts_beside_national_ones_on_a_phone(
    server: Server, http: httpx.Client, browser_page: Any
) -> None:
    """On a logarithmic scale the smallest amount (3.9 M€, one territory's) has a bar next to the programme's
    billions, readable at 390 px: on the linear scale it was a fraction of a pixel."""
    page = browser_page.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server.url + "/explore/funding")
    totals = http.get("/queries/funding-totals", params={"group": "scheme"}).json()
    amounts = [Decimal(str(t["minimum"])) for t in totals if Decimal(str(t["minimum"])) > 0]
    smallest, largest = min(amounts), max(amounts)
    assert largest / smallest > 500  # national amounts and local ones, three orders of magnitude apart
    chart = page.locator("svg.chart")
    box = chart.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # the whole chart on the screen
    widths = {  # each bar's group (its tooltip names it whole) → the width of its solid part on the screen
        (g.locator("title").text_content() or "").split(" : ")[0]: g.locator("rect").first.bounding_box()["width"]
        for g in chart.locator("g").all()
    }
    local = [t["name"] for t in totals if Decimal(str(t["minimum"])) == smallest]
    assert local and all(widths[name] >= 10 for name in local), widths  # a bar one can see and point at
    assert all(w >= 10 for name, w in widths.items() if "non précisé" not in name and w > 0)
    assert "échelle logarithmique" in (chart.locator("title").first.text_content() or "")
    ticks = chart.locator("text.tick").all_text_contents()
    assert ticks[0] == "1\u00a0M€" and "1\u00a0Md€" in ticks  # one graduation per power of ten, named
    # the text of the chart stays legible once the chart is scaled down to the phone's width
    size = chart.locator("g > text").first.evaluate("t => t.getBoundingClientRect().height")
    assert size >= 10, size
    browser_page.screenshot("funding-chart-phone")
    browser_page.assert_clean()
