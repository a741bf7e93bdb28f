"""The pool's limits as HTTP answers: 429 per client, 503 when waiting too long, crashes; /health's pool fields."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.errors import from_error
from api.main import create_app
from kg.config import Settings
from kg.errors import QueryQuarantined, QueryTimeout, TooManyQueries, WorkerCrashed
from kg.store.interface import QueryRequest
from kg.store.pool import QueryPool

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LOOKUP = "ASK { ?s ?p ?o }"


@pytest.fixture
def limited_pool(store_path: Path) -> Iterator[QueryPool]:
    """Two workers, 3 s per query, 0.5 s of waiting, one query at a time per client."""
    pool = QueryPool(
        store_path, workers=2, timeout=3.0, max_rows=100, in_memory=True, queue_timeout=0.5, max_per_client=1
    )
    yield pool
    pool.close()


class Runaway(threading.Thread):
    """A runaway query holding one worker for `client` until its time limit; `error` is how it ended."""

    def __init__(self, pool: QueryPool, client: str) -> None:
        super().__init__()
        self.pool, self.client = pool, client
        self.error: Exception | None = None
        self.start()

    def run(self) -> None:
        try:
            self.pool.run(QueryRequest(RUNAWAY), client=self.client)
        except Exception as e:  # handed to the test
            self.error = e

    def stopped_by_its_time_limit(self) -> bool:
        self.join(30)
        return isinstance(self.error, QueryTimeout)


def wait_busy(pool: QueryPool, n: int) -> None:
    deadline = time.monotonic() + 10
    while pool.status().busy < n and time.monotonic() < deadline:
        time.sleep(0.02)
    assert pool.status().busy == n


def test_limits_answer_429_and_503_with_retry_after(api_settings: Settings, limited_pool: QueryPool) -> None:
    app = create_app(api_settings, limited_pool)
    with TestClient(app) as one, TestClient(app, client=("192.0.2.7", 40000)) as other:
        first = Runaway(limited_pool, "testclient")  # the in-process client's own address
        wait_busy(limited_pool, 1)
        # /sparql (async route) and a canned query (plain def route) both count against the client
        for r in (one.get("/sparql", params={"query": LOOKUP}), one.get("/queries/triples-per-graph")):
            assert r.status_code == 429, r.text
            assert r.headers["retry-after"] and r.headers["content-type"] == "application/problem+json"
            assert r.json()["type"].endswith("/too-many-queries")
        assert other.get("/sparql", params={"query": LOOKUP}).status_code == 200, "another client is served"

        second = Runaway(limited_pool, "192.0.2.99")
        wait_busy(limited_pool, 2)
        health = other.get("/health", params={"probe": "false"})
        assert health.status_code == 200
        assert health.json()["workers_busy"] == 2 and health.json()["workers_ready"] == 0
        started = time.monotonic()
        r = other.get("/sparql", params={"query": LOOKUP})
        assert r.status_code == 503 and r.json()["type"].endswith("/server-busy"), r.text
        assert r.headers["retry-after"] and 0.4 < time.monotonic() - started < 3
        assert limited_pool.status().busy == 2, "waiting too long killed no worker"
        assert first.stopped_by_its_time_limit() and second.stopped_by_its_time_limit()


def test_health_reports_the_workers_and_the_queue(api_settings: Settings, limited_pool: QueryPool) -> None:
    with TestClient(create_app(api_settings, limited_pool)) as client:
        r = client.get("/health")
        assert r.status_code == 200
        body = r.json()
        assert body["status"] == "ok" and body["workers"] == 2 and body["version"] == limited_pool.version
        assert {k: body[k] for k in ("workers_ready", "workers_busy", "workers_restarting", "queue_length")} == {
            "workers_ready": 2,
            "workers_busy": 0,
            "workers_restarting": 0,
            "queue_length": 0,
        }
        assert body["pool_whole"] is True and body["queries_quarantined"] == 0


@pytest.mark.parametrize(
    ("error", "status", "retry"),
    [
        (WorkerCrashed("the query worker running this query stopped unexpectedly"), 503, True),
        (QueryQuarantined("this query made a query worker crash 2 times"), 400, False),
        (TooManyQueries("this client already has 1 query running or waiting"), 429, True),
    ],
)
def test_pool_errors_map_to_their_statuses(error: Exception, status: int, retry: bool) -> None:
    response = from_error(error)
    assert response.status_code == status
    assert ("retry-after" in response.headers) is retry
