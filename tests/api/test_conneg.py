"""Content negotiation, called directly: Accept parsing, q-values, specificity, wildcards, format parameters, 406."""

from __future__ import annotations

import pytest
from fastapi import Request

from api import conneg
from api.conneg import GRAPHS, RESULTS, choose, negotiate, parse_accept, prefers_html
from api.errors import NotAcceptable

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_parse_accept_reads_q_values_and_skips_malformed_ranges() -> None:
    ranges = parse_accept("text/csv;q=0.5, application/json , garbage, */json, text/plain;q=2, *;q=0.1, a/b;q=x")
    assert [(r.type, r.subtype, r.q) for r in ranges] == [
        ("text", "csv", 0.5),
        ("application", "json", 1.0),
        ("*", "*", 0.1),
    ]


def test_specificity_orders_exact_types_over_wildcards() -> None:
    exact, partial, anything = parse_accept("text/csv, text/*, */*")
    assert exact.specificity > partial.specificity > anything.specificity


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/json", "json"),  # alias
        ("application/xml", "xml"),  # alias
        ("application/sparql-results+xml;q=0.5, text/csv;q=0.9", "csv"),  # q-values decide
        ("text/csv;q=0.9, application/sparql-results+xml", "xml"),  # order does not
        ("text/*", "csv"),  # a wildcard subtype: the server's order among matches
        ("*/*", "json"),  # the default
        ("application/sparql-results+xml, */*", "xml"),  # the named type beats the wildcard at equal q
        ("*/*;q=0.1, text/tab-separated-values;q=0.1", "tsv"),  # and at a low q too
        ("text/csv;q=0, */*", "json"),  # q=0 excludes a type the wildcard would allow
        ("text/*;q=0.2, text/csv;q=0.8, */*;q=0.1", "csv"),  # the most specific range gives the q
    ],
)
def test_results_negotiation(accept: str, key: str) -> None:
    assert choose(accept, RESULTS).key == key


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "ntriples"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdfxml"),
        ("application/trig", "trig"),
        ("application/n-quads", "nquads"),
        ("application/json", "jsonld"),
        ("text/n3", "turtle"),
        ("text/turtle;q=0.1, application/n-triples", "ntriples"),
        ("*/*", "turtle"),
    ],
)
def test_graph_negotiation(accept: str, key: str) -> None:
    assert choose(accept, GRAPHS).key == key


@pytest.mark.parametrize("accept", [None, "", "   ", "nonsense"])
def test_no_usable_accept_means_the_default(accept: str | None) -> None:
    assert choose(accept, RESULTS).key == "json"
    assert choose(accept, GRAPHS).key == "turtle"


def test_a_browser_gets_the_default_not_whatever_xml_matches() -> None:
    assert prefers_html(parse_accept(BROWSER))
    assert choose(BROWSER, RESULTS).key == "json"
    assert choose(BROWSER, GRAPHS).key == "turtle"
    assert choose(BROWSER, conneg.DESCRIPTIONS).key == "html"


def test_html_is_only_preferred_when_named_first_in_rank() -> None:
    assert not prefers_html(parse_accept("*/*"))
    assert not prefers_html(parse_accept("application/json, text/html;q=0.5"))
    assert choose("*/*", conneg.DESCRIPTIONS).key == "turtle"


def test_nothing_acceptable_is_406_listing_what_is_available() -> None:
    with pytest.raises(NotAcceptable) as caught:
        choose("image/png, text/html;q=0", RESULTS, what="SPARQL results")
    assert caught.value.extra["available"] == [f.media_type for f in RESULTS]
    assert "application/sparql-results+json" in str(caught.value)
    with pytest.raises(NotAcceptable):
        choose("application/sparql-results+json", GRAPHS)
    assert negotiate(parse_accept("text/turtle"), RESULTS) is None


@pytest.mark.parametrize(
    ("values", "offers", "key"),
    [
        (["csv"], RESULTS, "csv"),
        (["json"], RESULTS, "json"),
        (["json"], GRAPHS, "jsonld"),  # SPARQLWrapper sends format=json for CONSTRUCT too
        (["xml"], GRAPHS, "rdfxml"),
        (["rdf+xml"], GRAPHS, "rdfxml"),
        (["json-ld"], GRAPHS, "jsonld"),
        (["n3"], GRAPHS, "turtle"),
        (["tsv", "text/tab-separated-values"], RESULTS, "tsv"),  # SPARQLWrapper repeats it as a media type
        (["text/csv; charset=utf-8"], RESULTS, "csv"),
        (["whatever", "xml"], RESULTS, "xml"),  # unknown values are skipped
    ],
)
def test_format_parameter_wins_over_accept(values: list[str], offers: tuple[conneg.Format, ...], key: str) -> None:
    assert choose("image/png", offers, values).key == key


def test_unknown_format_values_fall_back_to_accept_and_misplaced_ones_are_406() -> None:
    assert choose("text/csv", RESULTS, ["nonsense"]).key == "csv"
    with pytest.raises(NotAcceptable, match="'csv'"):
        choose("*/*", GRAPHS, ["csv"])


def test_text_formats_declare_utf8() -> None:
    assert conneg.CSV.content_type == "text/csv; charset=utf-8"
    assert conneg.TSV.content_type == "text/tab-separated-values; charset=utf-8"
    assert conneg.JSON.content_type == "application/sparql-results+json"
    assert all(f.w3c and f.w3c.startswith(conneg.W3C_FORMATS) for f in (*RESULTS, *GRAPHS))


def _request(query: str = "", accept: str | None = None) -> Request:
    headers = [(b"accept", accept.encode())] if accept else []
    return Request({"type": "http", "method": "GET", "path": "/", "query_string": query.encode(), "headers": headers})


def test_choose_for_reads_accept_and_the_format_parameters_of_a_request() -> None:
    assert conneg.choose_for(_request(), conneg.PAGES, "a page") is conneg.HTML  # curl's nothing: the page
    assert conneg.choose_for(_request(accept="text/turtle"), conneg.PAGES, "a page") is conneg.TURTLE
    assert conneg.choose_for(_request("output=nt", BROWSER), conneg.PAGES, "a page") is conneg.NTRIPLES
    assert conneg.requested_formats(_request("format=jsonld&x=1&results=xml")) == ["jsonld", "xml"]
    with pytest.raises(NotAcceptable, match="a page"):
        conneg.choose_for(_request("format=csv"), conneg.PAGES, "a page")
