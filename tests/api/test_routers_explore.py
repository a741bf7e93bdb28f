"""The web interface's pages in-process: /sparql for browsers, /explore/network, /explore/funding, the vendored files.

Fast checks of status, content type and what each page carries; tests/api/test_ui_*.py drive them in Chromium.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html import escape, unescape

import pytest
from fastapi.testclient import TestClient

from api.errors import PROBLEM_JSON
from api.pages import canned_examples, page_links, short_description
from api.rendering import href
from api.routers.explore import (
    Total,
    _pairs,
    amount_sort_key,
    amount_text,
    bar_chart,
    compact_euros,
    euros,
    read_filters,
    total_text,
    totals_of,
)
from api.site import STATIC_DIR
from kg import queries
from kg.sources.namespaces import PREFIXES

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ID = "https://w3id.org/territoires-industrie/id/"
ADN = ID + "territory/ardeche-drome-nord"


def config_of(html: str, element_id: str) -> dict[str, object]:
    """The JSON a page hands to its script."""
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, f"no #{element_id} in the page"
    data: dict[str, object] = json.loads(match.group(1))
    return data


# --- /sparql -------------------------------------------------------------------------------------------------


def test_sparql_page_for_browsers_carries_yasgui_prefixes_and_every_canned_query(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script src="/static/vendor/yasgui/yasgui.min.js" defer>' in r.text
    assert '<link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">' in r.text
    config = config_of(r.text, "kg-sparql-config")
    assert config["endpoint"] == "http://testserver/sparql"
    assert config["prefixes"] == PREFIXES
    for name, iri in PREFIXES.items():
        assert f"PREFIX {name}: <{iri}>" in str(config["query"])
    examples = config["examples"]
    assert isinstance(examples, list)
    assert [e["name"] for e in examples] == queries.names()
    for name in queries.names():
        assert f'data-example="{name}"' in r.text
    assert config["links"] == page_links()
    # the dataset summary and the limits stay on the page, and a form works without JavaScript
    assert "union de tous les graphes nommés" in r.text and "<noscript>" in r.text
    assert "Read-only: SPARQL Update is refused (403)" in unescape(r.text)


def test_each_example_says_what_it_does_in_visible_text(client: TestClient) -> None:
    """The description is not hidden in a tooltip: a short visible text the button points at, the whole one in the
    query's comments."""
    html = client.get("/sparql", headers={"Accept": BROWSER}).text
    examples = {e["name"]: e for e in config_of(html, "kg-sparql-config")["examples"]}  # type: ignore[union-attr]
    for name, e in examples.items():
        short = short_description(e["description"])
        assert 0 < len(short) <= 140
        assert f'data-example="{name}" aria-describedby="example-{name}">' in html
        assert f'<span id="example-{name}" lang="en">{escape(short)}</span></li>' in html
        assert " ".join(line[2:] for line in e["query"].splitlines()[1:] if line.startswith("# ")).startswith(
            e["description"][:60]
        )
    assert "title=" not in html.split('<ul class="examples">', 1)[1].split("</ul>", 1)[0]


def test_short_descriptions() -> None:
    assert short_description("Funding flows summed per group (scheme). Exact amounts add.") == (
        "Funding flows summed per group (scheme)."
    )
    cut = short_description("word " * 60)
    assert cut.endswith("word…") and len(cut) <= 140


def test_page_links_are_those_of_rendering_href() -> None:
    links = page_links()
    assert links["idPage"] + "territory/x" == href(links["id"] + "territory/x")
    assert links["ontologyPage"] == href(links["ontology"])
    assert links["resource"] + "urn%3Ax" == href("urn:x")


def test_void_page_statistics_table_has_a_caption(client: TestClient) -> None:
    html = client.get("/.well-known/void", headers={"Accept": BROWSER}).text
    statistics = html.split("<h2>Statistiques</h2>", 1)[1]
    assert statistics.lstrip().startswith("<table>\n<caption>")


def test_rdf_clients_still_get_the_service_description(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in r.text or "ns/sparql-service-description#Service" in r.text


def test_canned_examples_run_as_they_are(client: TestClient) -> None:
    """Each example is the .rq file with its required parameters set to their examples: the endpoint answers it."""
    for example in canned_examples():
        q = queries.get(example["name"])
        assert example["query"].startswith(f"# {q.title}\n") and "#+" not in example["query"]
        for p in q.params:
            if p.required:
                assert f"<{p.example}>" in example["query"] or f'"{p.example}"' in example["query"], p.name
        r = client.post(
            "/sparql", data={"query": example["query"]}, headers={"Accept": "application/sparql-results+json"}
        )
        assert r.status_code == 200, (example["name"], r.text)


def test_json_for_scripts_cannot_close_its_element() -> None:
    from api.pages import json_script

    html = json_script("x", {"q": "</script><script>alert(1)</script> & <b>"})
    assert html.count("</script>") == 1
    assert json.loads(html[html.index(">") + 1 : html.rindex("<")]) == {"q": "</script><script>alert(1)</script> & <b>"}


# --- the vendored front-end ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/vendor/yasgui/yasgui.min.js", "text/javascript"),
        ("/static/vendor/yasgui/yasgui.min.css", "text/css"),
        ("/static/vendor/cytoscape/cytoscape.min.js", "text/javascript"),
        ("/static/site/sparql.js", "text/javascript"),
        ("/static/site/network.js", "text/javascript"),
        ("/static/site/funding.js", "text/javascript"),
        ("/static/site/interactive.css", "text/css"),
    ],
)
def test_vendored_and_site_files_are_served(client: TestClient, path: str, media_type: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] in (media_type, "application/javascript")


@pytest.mark.parametrize("package", ["yasgui", "cytoscape"])
def test_each_vendored_package_has_its_licence_and_version(package: str) -> None:
    folder = STATIC_DIR / "vendor" / package
    assert "Permission is hereby granted" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "from the npm registry" in (folder / "VERSION").read_text(encoding="utf-8")
    for script in folder.glob("*.js"):
        assert "sourceMappingURL" not in script.read_text(encoding="utf-8")[-300:], "no .map is vendored"


def test_yasgui_bundle_licences_and_no_stylesheet_fetches() -> None:
    third_party = (STATIC_DIR / "vendor" / "yasgui" / "THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    for bundled in ("codemirror", "jquery", "datatables.net", "dompurify", "@zazuko/yasqe", "@zazuko/yasr"):
        assert f"\n{bundled} " in third_party, bundled
    css = (STATIC_DIR / "vendor" / "yasgui" / "yasgui.min.css").read_text(encoding="utf-8")
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css), "no font or image from the web"


# --- /explore/network ------------------------------------------------------------------------------------------


def test_network_page_offers_every_territory_and_scheme(client: TestClient) -> None:
    r = client.get("/explore/network")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script src="/static/vendor/cytoscape/cytoscape.min.js" defer>' in r.text
    assert '<script src="/static/site/network.js" defer>' in r.text
    territories = client.get("/queries/territories").json()
    assert len({t["t"] for t in territories}) == 33  # a territory in two régions has a row for each
    for t in territories:
        assert f'<option value="{t["t"]}">' in r.text
    assert f'<option value="{ID}scheme/rebond-industriel">' in r.text
    config = config_of(r.text, "kg-network-config")
    types = config["types"]
    assert isinstance(types, dict)
    assert types["IndustryTerritory"] == "territory" and types["SupportScheme"] == "scheme"
    assert types["Intercommunality"] == "actor" and types["Prefecture"] == "actor" and types["Project"] == "other"
    assert '<label for="search">' in r.text
    assert '<a href="/explore/network" aria-current=page>' in r.text
    assert config["links"] == page_links()
    # the list of nodes, the keyboard's and screen reader's way through the graph, is open from the start
    assert '<details open>\n<summary>Liste des nœuds affichés</summary>\n<ul id="network-list"' in r.text
    scripts = re.findall(r'<script src="([^"]+)"', r.text)
    assert scripts.index("/static/site/links.js") < scripts.index("/static/site/network.js")


# --- /explore/funding ------------------------------------------------------------------------------------------


def test_funding_page_lists_every_flow_with_amount_and_source(client: TestClient) -> None:
    r = client.get("/explore/funding")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    flows = client.get("/queries/funding-flows").json()
    body = r.text.split('<table id="funding-flows"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == len(flows) == 14
    for flow in flows:  # each row is headed by its flow, linked to the flow's page (ours: /id/…)
        assert f'<tr><th scope="row"><a href="{href(flow["flow"])}">' in body
        assert href(flow["flow"]).startswith("/id/")
    assert f'href="{href(ID + "source/001")}"' in body and 'href="/id/source/001"' in body  # a source document
    assert "plus de 36\u202f000\u202f000\u00a0€" in body  # France Relance: "plus de 36 M€"
    assert "en moyenne fourchette 500\u202f000 – 1\u202f000\u202f000\u00a0€ par an" in body
    assert r.text.count('data-sort-type="') == 8 and "<svg" in r.text and 'role="img"' in r.text


def test_funding_page_filters_like_the_canned_query(client: TestClient) -> None:
    r = client.get("/explore/funding", params={"territory": ADN, "group": "funder"})
    assert r.status_code == 200
    expected = client.get("/queries/funding-flows", params={"territory": ADN}).json()
    body = r.text.split('<table id="funding-flows"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == len(expected) == 3
    assert f'<option value="{ADN}" selected>' in r.text
    assert "<h2>Montants par financeur</h2>" in r.text
    assert "<caption>Totaux par financeur</caption>" in r.text


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"territory": "not an IRI"}, "territory"), ({"group": "colour"}, "group"), ({"funder": "x:y z"}, "funder")],
)
def test_funding_page_rejects_bad_filters(client: TestClient, params: dict[str, str], parameter: str) -> None:
    r = client.get("/explore/funding", params=params)
    assert r.status_code == 400
    assert r.headers["content-type"].startswith(PROBLEM_JSON)
    assert r.json()["parameter"] == parameter


@pytest.mark.parametrize("query", ["group=", "group=%20", "group=SCHEME"])
def test_an_empty_or_unknown_grouping_is_a_bad_parameter(client: TestClient, query: str) -> None:
    r = client.get("/explore/funding?" + query)
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM_JSON)
    assert r.json()["parameter"] == "group" and "scheme, funder, region, phase" in r.json()["detail"]


@pytest.mark.parametrize("name", ["territory", "scheme", "funder", "group"])
def test_a_repeated_filter_is_a_bad_parameter(client: TestClient, name: str) -> None:
    value = {"group": "funder"}.get(name, ADN)
    r = client.get(f"/explore/funding?{name}={value}&{name}={value}")
    assert r.status_code == 400 and r.headers["content-type"].startswith(PROBLEM_JSON)
    assert r.json()["parameter"] == name and "given 2 times" in r.json()["detail"]


def test_empty_filters_mean_all_and_other_parameters_are_ignored(client: TestClient) -> None:
    r = client.get("/explore/funding?territory=&scheme=&funder=&utm=a&utm=b")
    assert r.status_code == 200
    assert read_filters([("territory", ""), ("group", "phase"), ("x", "1")]) == (
        {"territory": "", "scheme": "", "funder": "", "group": "phase"},
        [],
    )


def test_a_browser_gets_the_page_with_the_error_explained(client: TestClient) -> None:
    """For a browser the 400 is the funding page itself: the bad filters named and left out, the good ones kept."""
    r = client.get("/explore/funding?territory=not+an+IRI&group=funder&funder=a&funder=b", headers={"Accept": BROWSER})
    assert r.status_code == 400 and r.headers["content-type"] == "text/html; charset=utf-8"
    problem = r.text.split('<div class="problem" role="alert">', 1)[1].split("</div>", 1)[0]
    assert "<h2>Filtre non valide</h2>" in problem
    assert "« <code>territory</code> »" in problem and "is not an absolute IRI" in unescape(problem)
    assert "« <code>funder</code> »" in problem and "given 2 times" in problem
    assert "<h2>Montants par financeur</h2>" in r.text  # the valid grouping still applies
    body = r.text.split('<table id="funding-flows"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 14  # the bad filters are left out: every flow
    # a good request has no such block
    ok = client.get("/explore/funding", headers={"Accept": BROWSER})
    assert ok.status_code == 200 and 'class="problem"' not in ok.text


def test_filter_choices_sort_accents_as_a_french_reader_does() -> None:
    rows: list[dict[str, str | None]] = [
        {"k": "http://x/1", "n": "Zèbre"},
        {"k": "http://x/2", "n": "Île-de-France"},
        {"k": "http://x/3", "n": "État"},
        {"k": "http://x/4", "n": "agence"},
        {"k": "http://x/5", "n": "Isère"},
        {"k": "(none)", "n": "sans"},
    ]
    assert [label for _, label in _pairs(rows, "k", "n")] == ["agence", "État", "Île-de-France", "Isère", "Zèbre"]


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"amount": "2000000", "qualifier": "exactly"}, "2\u202f000\u202f000\u00a0€"),
        ({"amount": "36000000", "qualifier": "more than"}, "plus de 36\u202f000\u202f000\u00a0€"),
        ({"minimum": "500000", "maximum": "1000000", "qualifier": "on average", "perPeriod": "P1Y"},
         "en moyenne fourchette 500\u202f000 – 1\u202f000\u202f000\u00a0€ par an"),
        ({"minimum": "500000", "maximum": "1000000", "qualifier": "range"}, "fourchette 500\u202f000 – 1\u202f000\u202f000\u00a0€"),
        ({"minimum": "1000000000"}, "plus de 1\u202f000\u202f000\u202f000\u00a0€"),
        ({"amount": "3900000", "qualifier": "about"}, "environ 3\u202f900\u202f000\u00a0€"),
        ({"amount": "1234.5"}, "1\u202f234,50\u00a0€"),
        ({}, "montant non précisé"),
        ({"amount": "NaN"}, "montant non précisé"),
        ({"amount": "Infinity", "minimum": "-inf", "maximum": "sNaN"}, "montant non précisé"),
        ({"amount": "Infinity", "minimum": "100"}, "plus de 100\u00a0€"),
    ],
)  # fmt: skip
def test_amounts_in_words(row: dict[str, str], words: str) -> None:
    assert amount_text(row) == words


def test_totals_and_chart_show_open_upper_bounds() -> None:
    assert (
        compact_euros(Decimal(3_108_000_000)) == "3,1\u00a0Md€" and compact_euros(Decimal(88_000_000)) == "88\u00a0M€"
    )
    assert euros(Decimal(0)) == "0\u00a0€"
    open_ended = Total("France Relance", 1, Decimal(36_000_000), None)
    ranged = Total("Rebond industriel", 3, Decimal(2_500_000), Decimal(3_000_000))
    nothing = Total("Aides", 1, Decimal(0), Decimal(0))
    assert total_text(open_ended).startswith("au moins 36")
    assert total_text(ranged) == "de 2\u202f500\u202f000 à 3\u202f000\u202f000\u00a0€"
    assert total_text(nothing) == "montant non précisé"
    svg = bar_chart([open_ended, ranged, nothing], "scheme")
    assert svg.count("<g>") == 3 and 'marker-end="url(#open-end)"' in svg
    assert "plus de 36\u00a0M€ (1 flux)" in svg and "2,5\u00a0M€ – 3\u00a0M€ (3 flux)" in svg
    assert "montant non précisé (1 flux)" in svg
    assert "pas de graphique" in bar_chart([nothing], "scheme")


def test_numbers_that_are_not_finite_count_as_missing() -> None:
    """NaN or infinity in the data (a decimal's lexical form can say so) must not take the page down."""
    assert amount_sort_key({"amount": "NaN", "minimum": "Infinity", "maximum": "7"}) == "7"
    totals = totals_of(
        [{"key": "http://x/s", "name": "S", "flows": "1", "minimum": "NaN", "maximum": "-Infinity"}], "scheme"
    )
    assert totals == [Total("S", 1, Decimal(0), None)]
    assert "<svg" in bar_chart([*totals, Total("T", 1, Decimal(5), Decimal(5))], "scheme")
