"""The query pool under overload: waiting is not running, crashes are contained, capacity always comes back.

Each test opens its own small pool (a worker starts in a fraction of a second) so that the limits it
tests are its own, and closes it.
"""

from __future__ import annotations

import contextvars
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.errors import QueryQuarantined, QueryTimeout, ServerBusy, TooManyQueries, WorkerCrashed
from kg.ingest.pipeline import BuildReport
from kg.store import layout as kgstore
from kg.store.admission import CrashLedger, fingerprint
from kg.store.interface import QueryRequest
from kg.store.pool import QueryPool, current_client

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
LOOKUP = "ASK { ?s ?p ?o }"
# nested deeper than the engine's stack allows: the worker process dies (SIGSEGV) while parsing it
STACK_OVERFLOW = "SELECT * WHERE { " + "{ " * 10_000 + "?s ?p ?o" + " }" * 10_000 + " }"


def medium(rows: int) -> str:
    """A query whose running time grows with `rows` (a cut cross product, counted)."""
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?a WHERE {{ ?a ?b ?c . ?d ?e ?f }} LIMIT {rows} }} }}"


@pytest.fixture
def open_pool(built_store: tuple[Path, BuildReport]) -> Iterator[Callable[..., QueryPool]]:
    pools: list[QueryPool] = []

    def make(store: Path | None = None, **options: Any) -> QueryPool:
        settings: dict[str, Any] = {"workers": 1, "timeout": 10.0, "max_rows": 5, "in_memory": True, **options}
        pool = QueryPool(store or built_store[0], **settings)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def wait_until(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def in_thread(fn: Callable[[], object]) -> tuple[threading.Thread, list[BaseException | object]]:
    """Run `fn` in a thread; the list receives its result or its exception."""
    outcome: list[BaseException | object] = []

    def body() -> None:
        try:
            outcome.append(fn())
        except BaseException as e:  # handed to the test, which asserts on it
            outcome.append(e)

    thread = threading.Thread(target=body)
    thread.start()
    return thread, outcome


def test_the_time_limit_counts_from_when_a_worker_starts_the_query(open_pool: Callable[..., QueryPool]) -> None:
    pool = open_pool(timeout=60.0, queue_timeout=120.0)
    rows = 2_000_000
    started = time.perf_counter()
    pool.run(QueryRequest(medium(rows)))
    took = time.perf_counter() - started
    rows = max(100_000, int(rows * 0.6 / max(took, 0.01)))  # about 0.6 s a query
    started = time.perf_counter()
    pool.run(QueryRequest(medium(rows)))
    took = time.perf_counter() - started
    pool.timeout = 3 * took  # each query alone fits with room to spare; five in a row do not
    pids = pool.status().pids

    runs = []
    for _ in range(5):
        runs.append(in_thread(lambda: (pool.run(QueryRequest(medium(rows))), time.perf_counter())))
        time.sleep(0.02)
    begun = time.perf_counter()
    for thread, _ in runs:
        thread.join(120)
    outcomes = [outcome[0] for _, outcome in runs]
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    last = max(float(o[1]) for o in outcomes if isinstance(o, tuple))
    assert last - begun > pool.timeout, "the last query waited longer than the time limit, and was still answered"
    assert pool.status().pids == pids and pool.status().started == 1, "no worker was killed"


def test_waiting_too_long_answers_busy_and_touches_no_worker(open_pool: Callable[..., QueryPool]) -> None:
    pool = open_pool(timeout=3.0, queue_timeout=0.5)
    pids = pool.status().pids
    runaway, outcome = in_thread(lambda: pool.run(QueryRequest(RUNAWAY)))
    assert wait_until(lambda: pool.status().busy == 1)
    started = time.monotonic()
    with pytest.raises(ServerBusy, match=r"within 0.5 s"):
        pool.run(QueryRequest(LOOKUP))
    assert 0.4 < time.monotonic() - started < 2.5
    state = pool.status()
    assert state.busy == 1 and state.pids == pids and state.started == 1 and state.queued == 0
    runaway.join(30)
    assert isinstance(outcome[0], QueryTimeout), "the runaway is stopped by its own time limit, not before"
    assert wait_until(lambda: pool.status().whole and pool.status().ready == 1)
    assert pool.run(QueryRequest(LOOKUP)).body.endswith(b"true}")


def test_a_failed_replacement_is_retried_with_backoff_until_the_pool_is_whole(
    open_pool: Callable[..., QueryPool], store_copy: tuple[Path, Path]
) -> None:
    store = store_copy[0]
    pool = open_pool(store, workers=2, timeout=1.0)
    build = kgstore.resolve(store)
    hidden = build.with_name(build.name + ".hidden")
    build.rename(hidden)  # a replacement cannot open the store now
    try:
        with pytest.raises(QueryTimeout):
            pool.run(QueryRequest(RUNAWAY))
        time.sleep(2.5)
        state = pool.status()
        assert not state.whole and state.restarting <= 1
        assert 2 + 2 <= state.started <= 2 + 6, "retried, but with backoff (no storm of processes)"
        assert pool.run(QueryRequest(LOOKUP)).body.endswith(b"true}"), "the other worker keeps answering"
    finally:
        hidden.rename(build)
    assert wait_until(lambda: pool.status().whole, 20), pool.status()
    assert len(pool.status().pids) == 2


def test_a_replacement_that_exits_while_starting_is_retried(open_pool: Callable[..., QueryPool]) -> None:
    pool = open_pool(timeout=1.0)
    (first,) = pool.status().pids
    with pytest.raises(QueryTimeout):
        pool.run(QueryRequest(RUNAWAY))
    killed: list[int] = []

    def kill_the_starting_one() -> bool:
        state = pool.status()
        starting = [p for p in state.pids if p != first] if state.restarting else []
        for pid in starting:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        return bool(killed)

    assert wait_until(kill_the_starting_one, 10), "saw the replacement while it started"
    assert wait_until(lambda: pool.status().whole and pool.status().ready == 1, 20), pool.status()
    state = pool.status()
    assert state.started == 3 and state.pids[0] not in (first, *killed)
    assert pool.run(QueryRequest(LOOKUP)).body.endswith(b"true}")


def test_a_worker_killed_while_idle_is_replaced_and_no_query_fails(open_pool: Callable[..., QueryPool]) -> None:
    pool = open_pool(workers=2)
    victim = pool.status().pids[0]
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: pool.status().whole and victim not in pool.status().pids), pool.status()
    for _ in range(4):
        assert pool.run(QueryRequest(LOOKUP)).body.endswith(b"true}")
    assert pool.status().started == 3


def test_a_crash_is_a_transient_error_and_two_crashes_quarantine_the_query(
    open_pool: Callable[..., QueryPool],
) -> None:
    pool = open_pool(workers=1)
    with pytest.raises(WorkerCrashed, match=r"stopped unexpectedly.*try again"):
        pool.run(QueryRequest(STACK_OVERFLOW))
    assert wait_until(lambda: pool.status().whole)
    respaced = STACK_OVERFLOW.replace("{ ", "{\n  ")  # the same query, laid out otherwise
    with pytest.raises(WorkerCrashed, match=r"twice.*refused for 10 min"):
        pool.run(QueryRequest(respaced, result_format="xml"))
    assert wait_until(lambda: pool.status().whole)
    before = pool.status()
    started = time.monotonic()
    with pytest.raises(QueryQuarantined, match=r"crash 2 times.*refused"):
        pool.run(QueryRequest(STACK_OVERFLOW))
    assert time.monotonic() - started < 0.5
    after = pool.status()
    assert after.pids == before.pids and after.started == before.started == 3, "it never reached a worker"
    assert after.quarantined == 1
    assert pool.run(QueryRequest(LOOKUP)).body.endswith(b"true}"), "other queries are not affected"


def test_the_quarantine_ends_and_is_per_query_and_dataset() -> None:
    now = [0.0]
    ledger = CrashLedger(strikes=2, period=600.0, clock=lambda: now[0])
    key = fingerprint("SELECT * { ?s ?p ?o }", None, None)
    assert key == fingerprint("SELECT *\n{ ?s  ?p ?o }", None, None)
    assert key != fingerprint("SELECT * { ?s ?p ?o }", ("http://example.org/g",), None)
    assert not ledger.record(key)
    ledger.check(key)  # one crash: still allowed
    now[0] = 700.0
    assert not ledger.record(key), "crashes further apart than the period do not add up"
    assert ledger.record(key)
    with pytest.raises(QueryQuarantined):
        ledger.check(key)
    ledger.check(fingerprint("ASK {}", None, None))
    now[0] += 601
    ledger.check(key)  # barred for a while only
    assert ledger.barred() == 0


def test_one_client_cannot_take_more_than_its_share(open_pool: Callable[..., QueryPool]) -> None:
    pool = open_pool(workers=2, timeout=3.0, max_per_client=1)
    runaway, outcome = in_thread(lambda: pool.run(QueryRequest(RUNAWAY), client="192.0.2.1"))
    assert wait_until(lambda: pool.status().busy == 1)
    started = time.monotonic()
    with pytest.raises(TooManyQueries, match="already has 1 query"):
        pool.run(QueryRequest(LOOKUP), client="192.0.2.1")
    assert time.monotonic() - started < 0.5, "refused at once, without waiting"
    context = contextvars.copy_context()
    context.run(current_client.set, "192.0.2.1")  # as the web layer sets it for each request
    with pytest.raises(TooManyQueries):
        context.run(pool.run, QueryRequest(LOOKUP))
    assert pool.run(QueryRequest(LOOKUP), client="192.0.2.2").body.endswith(b"true}")
    assert pool.run(QueryRequest(LOOKUP)).body.endswith(b"true}")  # no client: not counted
    runaway.join(30)
    assert isinstance(outcome[0], QueryTimeout)
    assert pool.clients.held("192.0.2.1") == 0
    assert wait_until(lambda: pool.status().whole)
    assert pool.run(QueryRequest(LOOKUP), client="192.0.2.1").body.endswith(b"true}")


def test_a_runaway_sent_again_cannot_take_every_worker(open_pool: Callable[..., QueryPool]) -> None:
    pool = open_pool(workers=2, timeout=1.5, queue_timeout=10.0)
    with pytest.raises(QueryTimeout):
        pool.run(QueryRequest(RUNAWAY))  # now known to run out of time
    assert wait_until(lambda: pool.status().whole and pool.status().ready == 2)
    again = [in_thread(lambda: pool.run(QueryRequest(RUNAWAY))) for _ in range(2)]
    assert wait_until(lambda: pool.status().busy == 1 and pool.status().queued == 1)
    started = time.monotonic()
    assert pool.run(QueryRequest(LOOKUP)).body.endswith(b"true}"), "a worker stays free for other queries"
    assert time.monotonic() - started < 1.0
    assert pool.status().busy == 1, "the second repeat waits for the first one's worker"
    for thread, outcome in again:
        thread.join(30)
        assert isinstance(outcome[0], QueryTimeout), "each repeat still gets its own full time"
