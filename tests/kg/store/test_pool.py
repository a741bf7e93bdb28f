"""The query pool: answers, truncation, timeouts that release capacity, workers replaced."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import QuerySyntaxError, QueryTimeout
from kg.ingest.pipeline import BuildReport
from kg.store import layout as kgstore
from kg.store.interface import QueryRequest
from kg.store.local import execute
from kg.store.pool import QueryPool, choose_in_memory

TI = "https://w3id.org/territoires-industrie/ontology#"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LOOKUP = "SELECT ?l WHERE { <https://w3id.org/territoires-industrie/id/actor/anct> <http://www.w3.org/2000/01/rdf-schema#label> ?l }"


@pytest.fixture(scope="module")
def pool(built_store: tuple[Path, BuildReport]) -> Iterator[QueryPool]:
    p = QueryPool(built_store[0], workers=2, timeout=2.0, max_rows=5, in_memory=True)
    yield p
    p.close()


def test_select_answers_in_json_with_truncation(pool: QueryPool) -> None:
    answer = pool.run(QueryRequest(f"SELECT ?t WHERE {{ ?t a <{TI}IndustryTerritory> }} ORDER BY ?t"))
    assert answer.kind == "solutions" and answer.rows == 5 and answer.truncated
    bindings = json.loads(answer.body)["results"]["bindings"]
    assert len(bindings) == 5
    assert bindings[0]["t"]["value"].endswith("/territory/agenais")


def test_language_tags_and_datatypes_survive(pool: QueryPool) -> None:
    body = json.loads(pool.run(QueryRequest(LOOKUP)).body)
    assert {b["l"].get("xml:lang") for b in body["results"]["bindings"]} == {"fr", "en"}
    q = f"SELECT ?v WHERE {{ ?s <{TI}value> ?v }} LIMIT 1"
    assert json.loads(pool.run(QueryRequest(q)).body)["results"]["bindings"][0]["v"]["datatype"].endswith("#decimal")


def test_same_answer_as_in_process_pyoxigraph(pool: QueryPool, built_store: tuple[Path, BuildReport]) -> None:
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g LIMIT 5"
    db = kgstore.open_read_only(built_store[0])
    direct = db.query(q).serialize(format=ox.QueryResultsFormat.JSON)
    assert pool.run(QueryRequest(q)).body == direct


def test_graph_answers_and_formats(pool: QueryPool) -> None:
    ttl = pool.run(QueryRequest(f"CONSTRUCT WHERE {{ ?s a <{TI}Phase> }}", graph_format="turtle"))
    assert ttl.kind == "graph" and ttl.rows == 2 and not ttl.truncated
    assert b"phase:1 a ti:Phase" in ttl.body or b"phase/1>" in ttl.body
    nq = pool.run(QueryRequest(f"CONSTRUCT WHERE {{ ?s a <{TI}Phase> }}", graph_format="nquads"))
    assert nq.body.count(b"\n") == 2
    csv = pool.run(QueryRequest("ASK { ?s ?p ?o }", result_format="xml"))
    assert csv.kind == "boolean" and b"<boolean>true</boolean>" in csv.body


def test_protocol_dataset_and_from_clauses(pool: QueryPool) -> None:
    src = "https://w3id.org/territoires-industrie/id/source/000"
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{TI}SourceDocument> }}"
    n = lambda req: int(json.loads(pool.run(req).body)["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    assert n(QueryRequest(q)) == 5  # the union of all graphs
    assert n(QueryRequest(q, default_graphs=(src,))) == 1  # default-graph-uri
    assert n(QueryRequest(q.replace("WHERE", f"FROM <{src}> WHERE"), dataset_clause=True)) == 1
    assert n(QueryRequest(q.replace("WHERE", "FROM <http://127.0.0.1:9/remote.ttl> WHERE"), dataset_clause=True)) == 0
    gq = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert n(QueryRequest(gq, named_graphs=(src,))) == 1  # named-graph-uri


def test_syntax_error_is_typed_and_positioned(pool: QueryPool) -> None:
    with pytest.raises(QuerySyntaxError, match=r"1:\d+"):
        pool.run(QueryRequest("SELECT ?x WHERE { ?x ?y }"))


def test_timeout_stops_the_query_and_other_queries_still_answer(pool: QueryPool) -> None:
    fast: list[float] = []

    def lookups() -> None:
        time.sleep(0.3)
        for _ in range(5):
            t = time.perf_counter()
            pool.run(QueryRequest(LOOKUP))
            fast.append(time.perf_counter() - t)

    helper = threading.Thread(target=lookups)
    helper.start()
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match="longer than 2 s"):
        pool.run(QueryRequest(EXPLOSIVE))
    elapsed = time.perf_counter() - started
    helper.join()
    assert elapsed < 3.0
    assert len(fast) == 5 and max(fast) < 1.0, "a simple query answers while another one runs away"
    # the killed worker is replaced: the pool has its full capacity again
    deadline = time.monotonic() + 30
    while pool.status().ready < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.status().ready == 2 and pool.status().whole
    assert pool.run(QueryRequest("ASK { ?s ?p ?o }")).body.endswith(b"true}")


def test_in_memory_choice(built_store: tuple[Path, BuildReport]) -> None:
    store, report = built_store
    assert choose_in_memory(store, "auto", report.triples)
    assert not choose_in_memory(store, "auto", report.triples - 1)
    assert choose_in_memory(store, "always", 0) and not choose_in_memory(store, "never", 10**9)


def test_execute_in_process_matches_the_pool(pool: QueryPool, built_store: tuple[Path, BuildReport]) -> None:
    db = kgstore.open_in_memory(built_store[0])
    req = QueryRequest(f"SELECT ?t WHERE {{ ?t a <{TI}Phase> }} ORDER BY ?t", result_format="csv")
    assert execute(db, req, 5).body == pool.run(req).body


def test_run_async_answers_and_times_out_like_run(pool: QueryPool) -> None:
    import asyncio

    async def scenario() -> tuple[int, bytes]:
        big = await pool.run_async(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", graph_format="rdfxml"))
        with pytest.raises(QueryTimeout):
            await pool.run_async(QueryRequest(EXPLOSIVE))
        small = await pool.run_async(QueryRequest(LOOKUP))
        return big.rows, small.body

    rows, body = asyncio.run(scenario())
    assert rows == 5  # truncated to max_rows
    assert b'"xml:lang":"fr"' in body
