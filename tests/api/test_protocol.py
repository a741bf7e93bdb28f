"""Reading protocol requests, called directly: one query, the dataset parameters, updates refused, formats kept."""

from __future__ import annotations

import pytest

from api.errors import UnsupportedMediaType
from api.protocol import content_type, from_params
from kg.errors import UpdateRefused, UsageError

G1 = "https://w3id.org/territoires-industrie/id/source/001"
G2 = "https://w3id.org/territoires-industrie/id/source/002"


def test_a_get_without_query_asks_for_the_service_description() -> None:
    call = from_params([("format", "turtle")], None, "text/turtle", post=False)
    assert call.query is None
    assert call.formats == ("turtle",)
    assert call.accept == "text/turtle"


def test_dataset_parameters_are_kept_in_order_and_absent_means_none() -> None:
    call = from_params(
        [("query", "ASK {}"), ("default-graph-uri", G1), ("default-graph-uri", G2)], None, None, post=False
    )
    assert call.default_graphs == (G1, G2)
    assert call.named_graphs is None
    call = from_params([("query", "ASK {}"), ("named-graph-uri", G2)], None, None, post=False)
    assert call.default_graphs is None
    assert call.named_graphs == (G2,)


def test_format_output_and_results_parameters_are_collected_and_others_ignored() -> None:
    params = [
        ("query", "ASK {}"),
        ("format", "json"),
        ("output", "xml"),
        ("results", "csv"),
        ("timeout", "0"),
        ("x", "y"),
    ]
    assert from_params(params, None, None, post=False).formats == ("json", "xml", "csv")


def test_the_body_of_a_direct_post_is_the_query() -> None:
    call = from_params([("default-graph-uri", G1)], "SELECT * {}", None, post=True)
    assert call.query == "SELECT * {}"
    assert call.default_graphs == (G1,)


@pytest.mark.parametrize(
    ("params", "body", "post", "message"),
    [
        ([("query", "ASK {}"), ("query", "ASK {}")], None, False, "exactly one query"),
        ([("query", "ASK {}")], "ASK {}", True, "cannot be sent with it"),
        ([], None, True, "needs a query"),
        ([("query", "  ")], None, False, "empty"),
        ([("query", "ASK {}"), ("default-graph-uri", "not an iri")], None, False, "absolute IRI"),
        ([("query", "ASK {}"), ("named-graph-uri", "relative/path")], None, False, "absolute IRI"),
        ([("query", "ASK {}"), ("named-graph-uri", "http://a b")], None, False, "absolute IRI"),
    ],
)
def test_bad_requests(params: list[tuple[str, str]], body: str | None, post: bool, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        from_params(params, body, None, post=post)


def test_an_update_parameter_is_refused_whatever_else_is_sent() -> None:
    with pytest.raises(UpdateRefused, match="read-only"):
        from_params([("update", "INSERT DATA { <a:b> <a:c> <a:d> }")], None, None, post=True)
    with pytest.raises(UpdateRefused):
        from_params([("query", "ASK {}"), ("update", "")], None, None, post=False)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("application/sparql-query", ("application/sparql-query", "utf-8")),
        ("Application/X-WWW-Form-Urlencoded; charset=UTF-8", ("application/x-www-form-urlencoded", "utf-8")),
        ('application/sparql-query; charset="UTF8"', ("application/sparql-query", "utf8")),
        ("application/sparql-update; charset=us-ascii", ("application/sparql-update", "us-ascii")),
        ('text/turtle; charset="ISO-8859-1"', ("text/turtle", "iso-8859-1")),  # not the protocol's: kept for others
        (None, ("", "utf-8")),
    ],
)
def test_content_type(header: str | None, expected: tuple[str, str]) -> None:
    assert content_type(header) == expected


@pytest.mark.parametrize(
    "header",
    [
        "application/sparql-query; charset=UTF-16",
        'application/sparql-query; charset="ISO-8859-1"',
        "application/x-www-form-urlencoded; charset=windows-1252",
        "application/sparql-update; charset=utf-16le",
        "application/sparql-query; charset=no-such-charset",
        "application/sparql-query; charset=",
    ],
)
def test_the_protocol_types_are_utf8_only(header: str) -> None:
    with pytest.raises(UnsupportedMediaType, match="UTF-8 only"):
        content_type(header)
