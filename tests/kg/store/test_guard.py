import contextlib
import time

import pyoxigraph as ox
import pytest

from kg import queries
from kg.errors import QueryRefused, UpdateRefused, WriteForbidden
from kg.store.guard import check_read_only, check_request, depth, inspect


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("PREFIX ex: <http://e/>\nBASE <http://b/>\nconstruct where { ?s ?p ?o }", "CONSTRUCT"),
        ("# a comment with INSERT DATA\nASK { ?s ?p ?o }", "ASK"),
        ("DESCRIBE <http://x>", "DESCRIBE"),
        ("INSERT DATA { <a> <b> <c> }", "UPDATE"),
        ("PREFIX ex: <http://e/> DELETE WHERE { ?s ?p ?o }", "UPDATE"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "UPDATE"),
        ("LOAD <http://example.org/data.ttl>", "UPDATE"),
        ("CLEAR ALL", "UPDATE"),
        ("DROP GRAPH <http://g>", "UPDATE"),
    ],
)
def test_form(text: str, form: str) -> None:
    assert inspect(text).form == form


def test_keywords_inside_literals_iris_and_comments_are_not_keywords() -> None:
    info = inspect(
        'SELECT * { ?s ?p "SERVICE <http://evil/>" . ?s <http://x/SERVICE> ?o # SERVICE <http://evil/>\n'
        "FILTER(?o < 3 && ?p > 2) }"
    )
    assert info.services == ()
    assert info.form == "SELECT"


def test_service_targets_are_resolved() -> None:
    info = inspect("PREFIX ex: <http://example.org/> SELECT * { SERVICE SILENT ex:sparql { ?s ?p ?o } SERVICE ?x { } }")
    assert info.services == ("http://example.org/sparql", None)


def test_dataset_clause_is_detected() -> None:
    assert inspect("SELECT * FROM <http://g> { ?s ?p ?o }").dataset_clause
    assert inspect("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }").dataset_clause
    assert not inspect("SELECT * { ?s <http://x/from> ?o }").dataset_clause


def test_check_read_only_refuses_updates_and_unlisted_services() -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        check_read_only("INSERT DATA { <a> <b> <c> }")
    with pytest.raises(QueryRefused, match=r"SERVICE <http://127.0.0.1:9/sparql> is not allowed.*disabled"):
        check_read_only("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    with pytest.raises(QueryRefused, match="variable"):
        check_read_only("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", ["http://ok/sparql"])
    allowed = check_read_only("select * { service <http://ok/sparql> { ?s ?p ?o } }", ["http://ok/sparql"])
    assert allowed.services == ("http://ok/sparql",)


# --- one guard for queries and updates (issue 10) -------------------------------------------------------------

LIMIT = 200


def _nested(n: int) -> str:
    return "SELECT * WHERE " + "{" * n + " ?s ?p ?o " + "}" * n


def test_deep_nesting_is_refused_naming_the_limit() -> None:
    with pytest.raises(QueryRefused, match=r"more than 200 levels deep.*KG_MAX_QUERY_DEPTH"):
        check_request(_nested(20_000), "query", (), LIMIT)
    with pytest.raises(QueryRefused, match="200 levels"):
        check_request("INSERT { GRAPH <http://g> { ?s ?p ?o } } WHERE " + "{" * 300 + "}" * 300, "update", (), LIMIT)
    assert check_request(_nested(150), "query", (), LIMIT).form == "SELECT"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 10_000) + " }",
        "SELECT (" + " + ".join(["1"] * 10_000) + " AS ?x) {}",
        "SELECT * { ?s ?p ?o FILTER(" + " || ".join(["?o = 1"] * 10_000) + ") }",
        "SELECT * { ?s " + "/".join(["<http://b>"] * 10_000) + " ?o }",
        "SELECT * { ?s ?p ?o " + "FILTER(true) " * 10_000 + "}",
        "SELECT * { " + "{ ?s ?p ?o } " * 10_000 + "}",
        "SELECT * { " + "[ <http://p> " * 300 + "1" + " ]" * 300 + " }",
    ],
    ids=["union", "plus", "or", "path", "filters", "joined-groups", "blank-node-lists"],
)
def test_long_chains_count_as_depth(text: str) -> None:
    """The engine folds each of these into a tree 10,000 deep, and crashes on it as on nested braces."""
    with pytest.raises(QueryRefused, match="levels deep"):
        check_request(text, "query", (), LIMIT)


def test_brackets_in_literals_iris_and_comments_do_not_count() -> None:
    text = 'SELECT * { ?s ?p "' + "{(" * 5000 + '" . ?s <http://x/((((> ?o # ' + "{" * 5000 + "\n}"
    assert depth(text) == 2  # the group, and `*` beside it
    check_request(text, "query", (), LIMIT)


def test_every_canned_query_is_well_within_the_limit() -> None:
    deepest = max((depth(queries.get(name).text), name) for name in queries.names())
    assert deepest[0] < LIMIT // 2, deepest


def test_a_query_at_the_limit_runs_in_the_engine() -> None:
    """The limit is far below where Oxigraph fails (about 5,000): what the guard lets through, it answers."""
    text = _nested(LIMIT - 2)
    assert depth(text) <= LIMIT
    check_request(text, "query", (), LIMIT)
    assert list(ox.Store().query(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        # a \u escape is part of the IRI for the engine: the quote after it must not open a string
        r"SELECT * { ?s ?p <http://x/\u0041'> . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } ?s ?p <http://y/'> }",
        # `\'` is an escape inside a prefixed name's local part
        r"PREFIX ex: <http://e/> SELECT * { ?s ?p ex:a\' . SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } ?s ?p 'z' }",
    ],
    ids=["iri-uchar", "pname-escape"],
)
def test_escapes_cannot_hide_a_service_call(text: str) -> None:
    ox.Store().query(text)  # the engine parses it: it would call the endpoint
    assert inspect(text).services == ("http://127.0.0.1:9/",)
    with pytest.raises(QueryRefused, match="not allowed"):
        check_request(text, "query", (), LIMIT)


def test_a_prefix_rebound_by_a_later_operation_is_resolved_as_the_engine_does() -> None:
    update = (
        "PREFIX ex: <http://ok/> INSERT DATA { GRAPH <http://g> { <http://a> <http://b> 1 } } ;\n"
        "PREFIX ex: <http://127.0.0.1:9/> INSERT { GRAPH <http://g> { ?s ?p ?o } } WHERE { SERVICE ex:sparql { ?s ?p ?o } }"
    )
    assert inspect(update).services == ("http://127.0.0.1:9/sparql",)
    with pytest.raises(QueryRefused, match=r"SERVICE <http://127\.0\.0\.1:9/sparql> is not allowed"):
        check_request(update, "update", ["http://ok/sparql"], LIMIT)


def test_updates_get_the_same_service_rules_and_no_load() -> None:
    update = "DELETE { GRAPH <http://x/g> { <http://x/a> <http://x/b> ?x } } WHERE { SERVICE <http://127.0.0.1:9/x> { ?x ?y ?z } }"
    with pytest.raises(QueryRefused, match=r"SERVICE <http://127.0.0.1:9/x> is not allowed"):
        check_request(update, "update", (), LIMIT)
    with pytest.raises(QueryRefused, match="variable"):
        check_request("INSERT { GRAPH <http://g> { ?x ?y ?z } } WHERE { SERVICE ?e { ?x ?y ?z } }", "update", (), LIMIT)
    assert check_request(update, "update", ["http://127.0.0.1:9/x"], LIMIT).services == ("http://127.0.0.1:9/x",)
    for load in (
        "LOAD <http://example.org/data.ttl>",
        "CLEAR GRAPH <http://g> ; load silent <http://e/d> into graph <http://g>",
    ):
        with pytest.raises(WriteForbidden, match="LOAD"):
            check_request(load, "update", (), LIMIT)
    with pytest.raises(UpdateRefused, match="read-only"):
        check_request("CLEAR ALL", "query", (), LIMIT)
    with pytest.raises(UpdateRefused):
        check_request("SELECT * {} ; INSERT DATA { <a> <b> <c> }", "query", (), LIMIT)


HOSTILE = {
    "name-runs": "a." * 500_000,
    "unicode-run": "é" * 1_000_000,
    "escaped-quotes": "'" + "\\'" * 500_000,
    "long-string-never-closed": "'''" + "\\'''" * 250_000,
    "unclosed-iris": "<a" * 500_000,
    "angles": "<" * 1_000_000,
    "prefixed-dots": "a:" + "." * 1_000_000,
    "words": "a b " * 250_000,
    "operators": "1 - " * 250_000,
    "braces": "{" * 1_000_000,
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_lexer_is_linear_on_a_hostile_megabyte(text: str) -> None:
    """Each of these made a backtracking lexer rescan the rest of the text from every position (hours)."""
    started = time.perf_counter()
    with contextlib.suppress(QueryRefused):
        check_request(text, "query", (), LIMIT)
    assert time.perf_counter() - started < 10
