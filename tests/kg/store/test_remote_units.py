"""The remote store without a real engine: settings, publication order and failure, error statuses."""

from __future__ import annotations

import json

import httpx
import pyoxigraph as ox
import pytest
from pydantic import ValidationError

from api.errors import status_of
from kg.config import Settings
from kg.errors import PublishFailed, QuerySyntaxError, QueryTimeout, StoreFailed, StoreTimeout, StoreUnreachable
from kg.store.engines import GENERIC, VIRTUOSO, profile
from kg.store.interface import QueryRequest
from kg.store.publish import _date_time, metadata_triples, publish
from kg.store.remote import MERGE_GRAPH, METADATA_GRAPH, SparqlStore, open_remote

G1, G2 = "https://example.org/g1", "https://example.org/g2"
T = ox.Triple(
    ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/p"), ox.Literal("é", language="fr")
)
U = ox.Triple(ox.NamedNode("https://example.org/s"), ox.NamedNode("https://example.org/q"), ox.Literal("1"))


def test_settings_refuse_a_sparql_backend_without_an_endpoint() -> None:
    with pytest.raises(ValidationError, match="KG_SPARQL_QUERY_URL"):
        Settings(backend="sparql")
    with pytest.raises(ValidationError, match="http"):
        Settings(backend="sparql", sparql_query_url="file:///etc/passwd")
    with pytest.raises(ValidationError, match="http"):
        Settings(sparql_gsp_url="ftp://store/gsp")
    assert Settings().backend == "oxigraph"


def test_open_remote_takes_everything_from_the_settings() -> None:
    settings = Settings(
        backend="sparql",
        sparql_query_url="http://store.invalid:8890/sparql",
        sparql_user="dba",
        sparql_password="secret-password",  # type: ignore[arg-type]
        sparql_auth="digest",
        sparql_engine="virtuoso",
        query_timeout=7,
        max_rows=12,
    )
    store = open_remote(settings)
    assert store.engine is VIRTUOSO and store.timeout == 7 and store.max_rows == 12
    assert store.gsp_url == "http://store.invalid:8890/sparql-graph-crud-auth"  # the profile's path
    assert isinstance(store._client.auth, httpx.DigestAuth)
    assert "secret" not in str(store.health.__doc__)
    store.close()
    assert profile("generic") is GENERIC


def _recording(
    fail_on: str | None = None, chunk_triples: int = 100_000
) -> tuple[SparqlStore, list[tuple[str, str, bytes]]]:
    calls: list[tuple[str, str, bytes]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        graph = request.url.params.get("graph", "")
        if (
            request.method == "POST" and request.url.path == "/sparql"
        ):  # the metadata read: its version once the metadata graph is written
            published = any(g == METADATA_GRAPH for _, g, _ in calls)
            row = '{"p":{"type":"uri","value":"http://www.w3.org/2002/07/owl#versionInfo"},"o":{"type":"literal","value":"v1"}}'
            return httpx.Response(
                200,
                headers={"Content-Type": "application/sparql-results+json"},
                content=(
                    '{"head":{"vars":["p","o"]},"results":{"bindings":[%s]}}' % (row if published else "")
                ).encode(),
            )
        calls.append((request.method, graph, request.content))
        if graph == fail_on:
            return httpx.Response(500, content=b"disk full")
        return httpx.Response(201)

    store = SparqlStore(
        "http://store.invalid/sparql",
        gsp_url="http://store.invalid/gsp",
        transport=httpx.MockTransport(handler),
        chunk_triples=chunk_triples,
    )
    return store, calls


def test_publish_puts_each_graph_then_the_merge_then_the_metadata() -> None:
    store, calls = _recording()
    report = publish(store, {G1: [T], G2: [T, U]}, "v1", "2026-12-02T14:00:00+0100")
    assert report.graphs == (G1, G2, MERGE_GRAPH, METADATA_GRAPH) and store.version == "v1"
    assert [g for _, g, _ in calls] == [G1, G2, MERGE_GRAPH, METADATA_GRAPH]
    merge = {q.triple for q in ox.parse(calls[2][2], format=ox.RdfFormat.N_TRIPLES)}
    assert merge == {T, U}  # the set union: T once
    meta = {q.triple for q in ox.parse(calls[3][2], format=ox.RdfFormat.N_TRIPLES)}
    assert meta == set(metadata_triples(METADATA_GRAPH, "v1", "2026-12-02T14:00:00+0100", [G1, G2], 2))


def test_a_large_graph_goes_as_a_put_then_posts_with_its_blank_nodes_together() -> None:
    ex = "https://example.org/"
    plain = [ox.Triple(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}p"), ox.Literal(str(i))) for i in range(2_500)]
    node = ox.BlankNode("amount")
    blank = [
        ox.Triple(ox.NamedNode(f"{ex}flow"), ox.NamedNode(f"{ex}amount"), node),
        ox.Triple(node, ox.NamedNode(f"{ex}value"), ox.Literal("3")),
    ]
    store, calls = _recording(chunk_triples=1_000)
    publish(store, {G1: plain[:1_500] + blank + plain[1_500:]}, "v1", "2026-12-02T14:00:00+0100")
    g1 = [(method, body) for method, g, body in calls if g == G1]
    assert [m for m, _ in g1] == ["PUT", "POST", "POST"]  # 2,502 triples: a PUT replaces, two POSTs add
    parts = [list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES)) for _, body in g1]
    assert [len(p) for p in parts] == [1_000, 1_000, 502]

    def has_blank(t: ox.Quad) -> bool:
        return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)

    assert {q.triple for p in parts for q in p if not has_blank(q)} == set(plain)  # each triple sent once
    linked = [q for q in parts[0] if has_blank(q)]  # both blank-node triples in the one request: still linked
    assert len(linked) == 2 and (linked[0].object == linked[1].subject or linked[1].object == linked[0].subject)
    assert not any(has_blank(q) for p in parts[1:] for q in p)
    assert [m for m, g, _ in calls if g == MERGE_GRAPH] == ["PUT", "POST", "POST"]
    small, small_calls = _recording(chunk_triples=1_000)
    publish(small, {G1: [T], G2: []}, "v1", "2026-12-02T14:00:00+0100")
    assert [(m, g) for m, g, _ in small_calls][:2] == [("PUT", G1), ("PUT", G2)]  # an empty graph: one empty PUT


def test_a_failure_half_way_names_the_graphs_written() -> None:
    store, calls = _recording(fail_on=G2)
    with pytest.raises(PublishFailed) as info:
        publish(store, {G1: [T], G2: [U]}, "v1", "2026-12-02T14:00:00+0000")
    assert info.value.written == (G1,)
    assert G1 in str(info.value) and "disk full" in str(info.value)
    assert METADATA_GRAPH not in [g for _, g, _ in calls]  # readers keep the previous version


def test_build_time_becomes_an_xsd_date_time() -> None:
    assert _date_time("2026-12-02T14:00:00+0100").value == "2026-12-02T14:00:00+01:00"
    assert _date_time("2026-12-02T14:00:00Z").value == "2026-12-02T14:00:00Z"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (StoreTimeout("slow"), 504),
        (StoreUnreachable("down"), 503),
        (StoreFailed("5xx"), 502),
        (PublishFailed("half", ("g",)), 502),
        (QuerySyntaxError("bad"), 400),
        (QueryTimeout("local"), 503),  # the embedded store's timeout is unchanged
    ],
)
def test_remote_errors_map_to_gateway_statuses(error: Exception, status: int) -> None:
    assert status_of(error) == status


def test_a_remote_syntax_error_is_a_400() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=b"Parse error: unexpected 'SELEC'")

    store = SparqlStore("http://store.invalid/sparql", transport=httpx.MockTransport(handler))
    with pytest.raises(QuerySyntaxError, match="SELEC"):
        store.run(QueryRequest("SELEC ?x", default_graphs=()))
    assert isinstance(StoreTimeout("x"), QueryTimeout)  # callers that catch timeouts catch the remote one too


def _capped_store(rows: int, cap: int, max_rows: int) -> SparqlStore:
    bindings = [{"s": {"type": "literal", "value": str(i)}} for i in range(rows)]

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/sparql-results+json", "X-SPARQL-MaxRows": str(cap)}
        body = {"head": {"vars": ["s"]}, "results": {"bindings": bindings}}
        return httpx.Response(200, headers=headers, content=json.dumps(body).encode())

    transport = httpx.MockTransport(handler)
    return SparqlStore("http://store.invalid/sparql", engine=VIRTUOSO, max_rows=max_rows, transport=transport)


def test_an_engine_row_cap_is_never_a_silent_cut() -> None:
    query = QueryRequest("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=())
    answer = _capped_store(rows=10, cap=10, max_rows=10).run(query)  # at our limit: said truncated
    assert (answer.rows, answer.truncated) == (10, True)
    assert not _capped_store(rows=3, cap=10, max_rows=10).run(query).truncated  # under the cap: complete
    with pytest.raises(StoreFailed, match="ResultSetMaxRows"):  # below our limit: it would pass for complete
        _capped_store(rows=5, cap=5, max_rows=10).run(query)
