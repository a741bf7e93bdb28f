"""The home page against a running server: what the graph holds, its sources, its build, links to everything."""

from __future__ import annotations

import re
from html import unescape

import httpx

from api.stats import DatasetStats, GraphStats
from api.web.home_page import LINKS, UNPLACED_REGION, document_date, home_page, regions_of
from api.web.navigation import NAV

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_home_page(http: httpx.Client) -> None:
    r = http.get("/", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]
    page = unescape(r.text)
    for url, _, _ in LINKS:
        assert f'href="{url}"' in page, url
    # the territories by région come first, before the table of classes: 33 territories, in five régions
    assert page.index('id="territoires"') < page.index('id="contenu-du-graphe"')
    assert "33 territoires d'industrie, classés par région" in page
    assert re.search(r'<a href="/id/region/75">Nouvelle-Aquitaine</a> <span class="count">16 territoires</span>', page)
    assert '<li><a href="/id/territory/agenais">Agenais</a> <span class="tag">phase 2</span></li>' in page
    # counts by class, queried: 33 labelled territories, 56 EPCI (13 named, and those of the named communes)
    assert re.search(r"Territoire d'industrie.*?</a></th><td class=\"n\">33</td>", page)
    assert re.search(r"intercommunalité \(EPCI\).*?</a></th><td class=\"n\">56</td>", page)
    # how many territories the official geography places (canned query coverage): 28 of the 30 of phase 2
    assert re.search(r"<th scope=\"row\">phase 2</th><td class=\"n\">30</td><td class=\"n\">28 \(dont 10 ", page)
    # the five documents, with their titles and dates, each linked to its page
    for n in ("000", "001", "002", "003", "004"):
        assert f'href="/id/source/{n}"' in page
    assert "Labellisation de l’Agglomération d’Agen" in page and "15 novembre 2023" in page
    assert "mis à jour le 17 janvier 2024" in page
    # the build and the licences
    health = http.get("/health").json()
    assert health["version"] in page
    assert "CC-BY-4.0" in page and "Licence Ouverte 2.0" in page


def test_rdf_clients_are_sent_to_the_void_description(http: httpx.Client) -> None:
    r = http.get("/", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("/.well-known/void")
    assert "Accept" in r.headers["vary"]
    void = http.get(r.headers["location"], headers={"Accept": "text/turtle"})
    assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
    asked = http.get("/", params={"format": "jsonld"}, headers={"Accept": BROWSER}, follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].endswith("/.well-known/void?format=jsonld")
    assert http.get("/", headers={"Accept": "*/*"}).headers["content-type"].startswith("text/html")


def test_the_home_page_revalidates(http: httpx.Client) -> None:
    r = http.get("/", headers={"Accept": BROWSER})
    again = http.get("/", headers={"Accept": BROWSER, "If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_document_dates_in_french() -> None:
    assert document_date({"date": "2024-01-26"}) == "26 janvier 2024"
    assert document_date({"modified": "2024-01-01"}) == "mis à jour le 1er janvier 2024"
    assert document_date({"issued": "2023-11-09", "modified": "2024-01-01"}) == "publié le 9 novembre 2023"
    assert document_date({}) == "non daté"


def test_the_links_are_the_sites_navigation_with_what_each_is_for() -> None:
    nav = [(url, name) for url, name in NAV if url != "/"]
    assert [(url, name) for url, name, _ in LINKS[: len(nav)]] == nav  # one list of the site's parts
    assert all(what for _, _, what in LINKS)
    assert "/queries" in [url for url, _, _ in LINKS]


def test_graph_licences_become_links_only_when_safe() -> None:
    graphs = (
        GraphStats(
            "https://example.org/g/geo",
            3,
            title="Géographie",
            license="https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        ),
        GraphStats("https://example.org/g/bad", 2, title="Piège", license="javascript:alert(1)"),
    )
    page = home_page(DatasetStats("v1", "2024-01-26T14:03:00", 5, 2, 0, 0, 0, 0, graphs), [], [])
    assert '<a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/">Licence Ouverte 2.0</a>' in page
    assert "licence javascript:alert(1)</li>" in page and 'href="javascript:' not in page


def test_territories_are_grouped_by_region_in_french_order() -> None:
    r24, r28 = "https://example.org/region/24", "https://example.org/region/28"
    rows: list[dict[str, str | None]] = [
        {"t": "https://example.org/t/b", "territory": "Écueillé", "r": r24, "regionName": "Centre-Val de Loire"},
        {"t": "https://example.org/t/a", "territory": "Dreux", "r": r24, "regionName": "Centre-Val de Loire"},
        {"t": "https://example.org/t/a", "territory": "Dreux", "r": r28, "regionName": "Normandie", "phases": "2"},
        {"t": "https://example.org/t/c", "territory": "Ailleurs", "r": None, "regionName": None},
    ]
    groups = regions_of(rows)
    assert [(g.iri, g.name) for g in groups] == [
        (r24, "Centre-Val de Loire"),
        (r28, "Normandie"),
        ("", UNPLACED_REGION),
    ]
    assert [t.name for t in groups[0].territories] == ["Dreux", "Écueillé"]  # accents ignored, as in French
    assert groups[1].territories[0].phases == "2"
    page = home_page(DatasetStats("v1", "2024-01-26T14:03:00", 5, 2, 0, 0, 0, 0, ()), [], [], territories=rows)
    assert "3 territoires d'industrie, classés par région" in page  # Dreux counted once
    assert f'{UNPLACED_REGION} <span class="count">1 territoire</span>' in page
