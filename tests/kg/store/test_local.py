import pyoxigraph as ox
import pytest

from kg import queries
from kg.errors import QuerySyntaxError, UsageError
from kg.store import layout as kgstore
from kg.store.local import run, select, serialize

EX = "http://example.org/"


@pytest.fixture
def store() -> ox.Store:
    s = ox.Store()
    quads = [
        ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal(o, language="fr"), ox.NamedNode(EX + g))
        for g, o in (("g1", "un"), ("g2", "deux"), ("g3", "un"))
    ]
    kgstore.add_with_merge(s, quads)
    return s


def test_default_graph_is_the_merge_of_named_graphs(store: ox.Store) -> None:
    rows = select(store, "SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o").rows
    assert [r["o"] for r in rows] == ["deux", "un"], "'un' is stated in two graphs but is one triple"


def test_graph_keyword_reaches_each_source(store: ox.Store) -> None:
    rows = select(store, "SELECT ?g WHERE { GRAPH ?g { ?s ?p 'un'@fr } } ORDER BY ?g").rows
    assert rows == [{"g": EX + "g1"}, {"g": EX + "g3"}]


def test_malformed_query_reports_the_parser_position(store: ox.Store) -> None:
    with pytest.raises(QuerySyntaxError, match=r"1:\d+"):
        run(store, "SELEC * WHERE { ?s ?p ?o }")


def test_serialisations(store: ox.Store) -> None:
    assert b'"xml:lang":"fr"' in serialize(run(store, "SELECT ?o { ?s ?p ?o }"), "json")
    assert serialize(run(store, "SELECT ?o { ?s ?p ?o } ORDER BY ?o"), "csv").splitlines()[0] == b"o"
    assert b"<sparql" in serialize(run(store, "ASK { ?s ?p ?o }"), "xml")
    ttl = serialize(run(store, "CONSTRUCT WHERE { ?s ?p ?o }"), "turtle")
    assert b"@fr" in ttl
    with pytest.raises(UsageError, match="not an RDF format"):
        serialize(run(store, "CONSTRUCT WHERE { ?s ?p ?o }"), "csv")
    with pytest.raises(UsageError, match="not a SPARQL results format"):
        serialize(run(store, "SELECT * { ?s ?p ?o }"), "turtle")


def test_every_canned_query_parses_and_has_a_title(store: ox.Store) -> None:
    assert queries.names(), "there are canned queries"
    for name in queries.names():
        q = queries.get(name)
        assert q.header.get("title"), f"{name}.rq has a #+ title header"
        assert q.header.get("description"), f"{name}.rq has a #+ description header"
        run(store, q.text)  # raises QuerySyntaxError if malformed


def test_unknown_canned_query_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match="triples-per-graph"):
        queries.get("no-such-query")
