import pyoxigraph as ox
import pytest

from kg import queries
from kg.errors import QuerySyntaxError, UsageError
from kg.store import layout as kgstore
from kg.store.interface import QueryRequest, Term
from kg.store.local import LocalStore

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
    rows = LocalStore(store).rows("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o")
    assert [r["o"] for r in rows] == ["deux", "un"], "'un' is stated in two graphs but is one triple"


def test_graph_keyword_reaches_each_source(store: ox.Store) -> None:
    rows = LocalStore(store).rows("SELECT ?g WHERE { GRAPH ?g { ?s ?p 'un'@fr } } ORDER BY ?g")
    assert rows == [{"g": EX + "g1"}, {"g": EX + "g3"}]


def test_malformed_query_reports_the_parser_position(store: ox.Store) -> None:
    with pytest.raises(QuerySyntaxError, match=r"1:\d+"):
        LocalStore(store).rows("SELEC * WHERE { ?s ?p ?o }")


def _body(store: ox.Store, query: str, **formats: str) -> bytes:
    return LocalStore(store).run(QueryRequest(query, **formats)).body


def test_serialisations(store: ox.Store) -> None:
    assert b'"xml:lang":"fr"' in _body(store, "SELECT ?o { ?s ?p ?o }")
    assert _body(store, "SELECT ?o { ?s ?p ?o } ORDER BY ?o", result_format="csv").splitlines()[0] == b"o"
    assert b"<sparql" in _body(store, "ASK { ?s ?p ?o }", result_format="xml")
    assert b"@fr" in _body(store, "CONSTRUCT WHERE { ?s ?p ?o }", graph_format="turtle")
    with pytest.raises(UsageError, match="not an RDF format"):
        _body(store, "CONSTRUCT WHERE { ?s ?p ?o }", graph_format="csv")
    with pytest.raises(UsageError, match="not a SPARQL results format"):
        _body(store, "SELECT * { ?s ?p ?o }", result_format="turtle")


def test_typed_answers_keep_terms_and_page_past_the_row_limit(store: ox.Store) -> None:
    local = LocalStore(store, max_rows=1)
    cut = local.select("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert cut.truncated and len(cut.rows) == 1
    assert cut.rows[0]["o"] == Term("literal", "un", lang="fr")
    whole = local.select("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", complete=True)
    assert not whole.truncated and [r["g"].value for r in whole.rows] == [EX + "g1", EX + "g2", EX + "g3"]
    assert local.ask("ASK { ?s ?p 'deux'@fr }") and not local.ask("ASK { ?s ?p 'trois'@fr }")
    with pytest.raises(TypeError):
        local.ask("SELECT * { ?s ?p ?o }")


def test_every_canned_query_parses_and_has_a_title(store: ox.Store) -> None:
    assert queries.names(), "there are canned queries"
    for name in queries.names():
        q = queries.get(name)
        assert q.header.get("title"), f"{name}.rq has a #+ title header"
        assert q.header.get("description"), f"{name}.rq has a #+ description header"
        LocalStore(store).run(QueryRequest(q.text))  # raises QuerySyntaxError if malformed


def test_unknown_canned_query_names_the_known_ones() -> None:
    with pytest.raises(UsageError, match="triples-per-graph"):
        queries.get("no-such-query")


@pytest.mark.parametrize("max_rows", [0, 1, 2, 4_999, 5_000, 5_001])
@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_answers_cut_at_the_row_limit_are_the_first_rows_of_the_whole(max_rows: int, fmt: str) -> None:
    """The serialiser is stopped past the limit, mid-buffer: what is kept is exactly the first rows, every term
    whole (long literals, escapes, tags, datatypes, unbound values)."""
    s = ox.Store()
    xsd = "http://www.w3.org/2001/XMLSchema#"
    objects: list[ox.Literal | ox.NamedNode | ox.BlankNode] = [
        ox.Literal('tab\tnewline\n quote" é 𝄞 \\', language="fr"),
        ox.Literal("01", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("1e3", datatype=ox.NamedNode(xsd + "double")),
        ox.BlankNode("b1"),
        ox.NamedNode("http://é.example/ü?x=1#f"),
    ]
    s.extend(
        ox.Quad(
            ox.NamedNode(f"{EX}{i:05}"),
            ox.NamedNode(EX + "p"),
            objects[i % 5] if i % 7 else ox.Literal("y" * i),
            ox.DefaultGraph(),
        )
        for i in range(5_000)
    )
    query = f"SELECT ?s ?o ?none WHERE {{ ?s ?p ?o OPTIONAL {{ ?o <{EX}q> ?none }} }} ORDER BY ?s"
    whole = LocalStore(s).run(QueryRequest(query, result_format=fmt))
    cut = LocalStore(s, max_rows=max_rows).run(QueryRequest(query, result_format=fmt))
    assert (whole.rows, whole.truncated) == (5_000, False)
    assert (cut.rows, cut.truncated) == (min(max_rows, 5_000), max_rows < 5_000)
    if fmt in ("csv", "tsv"):  # line-based: the cut answer is the whole one's beginning
        assert whole.body.startswith(cut.body) and cut.body.endswith(b"\n")
        if fmt == "tsv":
            assert cut.body.count(b"\n") == cut.rows + 1
        return
    syntax = ox.QueryResultsFormat.JSON if fmt == "json" else ox.QueryResultsFormat.XML
    first = [str(r) for r in ox.parse_query_results(cut.body, format=syntax)]
    assert first == [str(r) for r in ox.parse_query_results(whole.body, format=syntax)][: cut.rows]
    assert len(first) == cut.rows
