import pytest

from kg.errors import QueryRefused
from kg.sparql_guard import check_read_only, inspect


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
    assert info.services == []
    assert info.form == "SELECT"


def test_service_targets_are_resolved() -> None:
    info = inspect("PREFIX ex: <http://example.org/> SELECT * { SERVICE SILENT ex:sparql { ?s ?p ?o } SERVICE ?x { } }")
    assert info.services == ["http://example.org/sparql", None]


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
    assert allowed.services == ["http://ok/sparql"]
