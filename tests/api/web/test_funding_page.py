"""/explore/funding in-process: the flows, filters, totals and chart, the amounts in words, bad filters.

tests/api/test_ui_explore.py drives the page in Chromium.
"""

from __future__ import annotations

import math
from decimal import Decimal
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api.errors import PROBLEM_JSON
from api.web.filters import compact_euros, euros, href
from api.web.funding import (
    BAR_WIDTH,
    Total,
    amount_sort_key,
    amount_text,
    chart_of,
    choice_pairs,
    total_text,
    totals_of,
)
from api.web.routers.funding import bar_chart, read_filters

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ID = "https://w3id.org/territoires-industrie/id/"
ADN = ID + "territory/ardeche-drome-nord"


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
    assert [label for _, label in choice_pairs(rows, "k", "n")] == ["agence", "État", "Île-de-France", "Isère", "Zèbre"]


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


def test_the_chart_is_on_a_logarithmic_scale_so_local_amounts_show() -> None:
    national = Total("Programme", 4, Decimal(3_000_000_000), None)
    local = Total("Fonds vert", 1, Decimal(3_900_000), Decimal(3_900_000))
    chart = chart_of([national, local], "scheme")
    assert chart is not None and "échelle logarithmique" in chart.title
    big, small = chart.bars
    assert big.low_width == pytest.approx(BAR_WIDTH)  # the largest amount spans the bar
    # from 1 M€ (a power of ten below the smallest) to 3 Md€: 3.9 M€ sits at log(3.9) / log(3000) of the width
    assert small.low_width == pytest.approx(BAR_WIDTH * math.log10(3.9) / math.log10(3000))
    assert small.low_width > BAR_WIDTH / 10  # on a linear scale it was 0.3 units wide
    assert [t.label for t in chart.ticks] == ["1\u00a0M€", "10\u00a0M€", "100\u00a0M€", "1\u00a0Md€"]
    assert [round(t.x) for t in chart.ticks] == [round(BAR_WIDTH * k / math.log10(3000)) for k in range(4)]
    # a range's pale part runs from its lower bound to its upper bound on the same scale
    ranged = chart_of([national, Total("R", 2, Decimal(10_000_000), Decimal(100_000_000))], "scheme")
    assert ranged is not None and ranged.bars[1].high_width == pytest.approx(BAR_WIDTH / math.log10(3000))  # one decade
    assert chart_of([Total("Négatif", 1, Decimal(0), Decimal(-5))], "scheme") is None  # nothing to draw
    svg = bar_chart([national, local], "scheme")
    assert svg.count('<text class="tick"') == 4 and svg.count("<g>") == 2
