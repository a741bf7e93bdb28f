"""Running queries where a runaway one can be stopped: a pool of worker processes.

pyoxigraph cannot cancel a query inside its process, so each query runs in one of N worker processes that
hold the store (an in-memory copy when it is small enough, else the on-disk store opened read-only).
A request first waits for a free worker (at most `queue_timeout` seconds, in one FIFO queue, then
`ServerBusy` and no worker is touched); the query then gets `timeout` seconds from the moment its worker
starts it. Past that, that worker alone is killed (`QueryTimeout`): a request is never charged for the
time it spent waiting, so a healthy worker is never killed for someone else's wait. A worker that dies
during a query (an engine crash, a kill) answers `WorkerCrashed`; a query that does so twice is refused
for a while without reaching a worker again (kg.store.admission), as are a client's queries beyond
`max_per_client` at once. A query that ran out of time in the last minutes may hold at most N - 1
workers at once (it waits for its turn otherwise), so a runaway sent again and again cannot take every
worker from the small queries. A keeper thread keeps the pool at N processes: it notices any that end,
starts their replacements at once, and retries failed starts with exponential backoff, never more
processes than are missing.
Answers are serialised inside the worker, truncated to `max_rows` rows or triples.

Each worker is pinned to one build directory, which is never modified (kg.store.layout). When a build or a
steward's write swaps the store link, the next request notices (one `readlink`) and the pool `refresh`es:
it starts workers on the new build, and only once they are ready retires the old ones — idle ones at
once, busy ones when their query is answered. A query is thus answered wholly from the old version or
wholly from the new one, never from a mix.

The parts, one module each: kg.store.worker (a worker process and its pipe), kg.store.dispatch (the
queue, and which worker takes which request), kg.store.keeper (the keeper thread and `refresh`),
kg.store.admission (quarantines, per-client slots); this module runs a query through them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections import deque
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import sandbox as kgsandbox
from kg.errors import KGError, QuerySyntaxError, QueryTimeout, UsageError, WorkerCrashed
from kg.store import layout as kgstore
from kg.store.admission import ClientSlots, CrashLedger, RecentTimeouts, fingerprint
from kg.store.dispatch import RETIRE_GRACE, Dispatcher
from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest
from kg.store.keeper import Keeper
from kg.store.local import read_graph
from kg.store.worker import CONTEXT, WORKER_NAME, Worker, readable

__all__ = ["RETIRE_GRACE", "WORKER_NAME", "PoolStatus", "QueryPool", "choose_in_memory", "current_client"]

log = logging.getLogger(__name__)
# Workers are forked from multiprocessing's forkserver: a clean single-threaded process (never the server,
# which runs an event loop and threads) that has already imported what a worker needs, so a replacement
# starts in a fraction of the second or more a fresh interpreter takes under load. kg.sandbox shares the
# forkserver, so its preloads are kept too; whichever starts the forkserver first fixes the list. Each
# child still runs the parent's main script again (Python 3.11's forkserver never preloads `__main__`: it
# looks for a key spawn does not set); under `kg serve` that script is `from kg_cli.main import app`, which
# costs nothing once kg_cli.main is preloaded too.
_PRELOAD = ["__main__", *getattr(kgsandbox, "_PRELOAD", []), "kg.store.pool"]
_PRELOAD_IF_LOADED = ["kg_cli.main"]

# The address of the client a query runs for: the web layer sets it per request (api.deps.get_pool), so
# every route's queries count against that client's `max_per_client` without passing it by hand.
current_client: ContextVar[str | None] = ContextVar("kg_query_client", default=None)


@dataclass(frozen=True)
class PoolStatus:
    """What the pool is doing now (for /health and the soak benchmark)."""

    size: int  # workers wanted
    ready: int  # idle, waiting for a query
    busy: int  # running a query
    restarting: int  # being started (replacements, or a refresh's new generation)
    queued: int  # requests waiting for a worker
    started: int  # worker processes started since the pool opened, the first ones included
    quarantined: int  # queries refused for having crashed workers
    whole: bool  # as many ready-or-busy workers of the served version as wanted, none starting
    pids: tuple[int, ...]  # worker processes alive or starting


class QueryPool(Queryable):
    """N worker processes over one store; `run` blocks the calling thread, `run_async` awaits, never the pool.

    Three time limits, each counted from its own start: a request waits at most `queue_timeout` seconds
    for a worker (then `ServerBusy`, and no worker is touched); a query runs at most `timeout` seconds from
    the moment a worker starts it (then that worker, and only that one, is killed: `QueryTimeout`); a worker
    gets `start_timeout` seconds to open the store. A keeper thread keeps the pool at `workers` processes:
    it notices any that end, starts their replacements together, and retries a failed start with
    exponential backoff, so a fault never multiplies processes. A query that timed out within
    `quarantine_seconds` holds at most `slow_limit` (workers - 1, at least 1) workers at once.
    """

    def __init__(
        self,
        store: Path,
        *,
        workers: int,
        timeout: float,
        max_rows: int,
        in_memory: bool,
        start_timeout: float = 120.0,
        queue_timeout: float | None = None,
        max_per_client: int = 0,
        crash_strikes: int = 2,
        quarantine_seconds: float = 600.0,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.queue_timeout = timeout if queue_timeout is None else queue_timeout
        self.max_rows = max_rows
        self.in_memory = in_memory
        self.size = workers
        self.start_timeout = start_timeout
        self.crashes = CrashLedger(crash_strikes, quarantine_seconds)
        self.clients = ClientSlots(max_per_client)
        self.timeouts = RecentTimeouts(quarantine_seconds)
        build = kgstore.resolve(store)  # the build directory served now
        self._keeper = Keeper(self)  # reads the store link now: the version `refresh` moves from
        self.info = kgstore.BuildInfo.read(build)
        self.dispatch = Dispatcher(
            build,
            size=workers,
            in_memory=in_memory,
            max_rows=max_rows,
            slow_limit=max(1, workers - 1),  # workers that queries which timed out recently may hold at once
            wake_keeper=self._keeper.wake,
        )
        self.closed = False
        CONTEXT.set_forkserver_preload(_PRELOAD + [m for m in _PRELOAD_IF_LOADED if m in sys.modules])
        first = [self.dispatch.spawn(build, 0) for _ in range(workers)]
        try:
            for w in first:
                w.wait_ready(start_timeout)
        except KGError:
            for w in first:
                w.kill()
            self._keeper.close()
            raise
        self.dispatch.admit_ready(first)
        self._keeper.start()

    @property
    def version(self) -> str:
        """The dataset version (content hash of the build), for ETags."""
        return self.info.version

    @property
    def built_at(self) -> str | None:
        return self.info.built_at

    def health(self) -> dict[str, Any]:
        """The dataset served and what the workers are doing, as /health reports them."""
        state = self.status()
        return {
            "version": self.version,
            "triples": self.info.triples,
            "workers": self.size,
            "in_memory": self.in_memory,
            "workers_ready": state.ready,
            "workers_busy": state.busy,
            "workers_restarting": state.restarting,
            "queue_length": state.queued,
            "workers_started": state.started,
            "workers_replayed_writes": self._keeper.replayed,
            "pool_whole": state.whole,
            "queries_quarantined": state.quarantined,
        }

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        """Read from the build the store link points to now, opened for this read: one consistent snapshot
        (its own version, for the ETag), whole — not through a worker, whose answers stop at `max_rows`."""
        build = kgstore.resolve(self.store)
        return read_graph(kgstore.open_read_only(build), kgstore.BuildInfo.read(build).version, graph, fmt)

    def _probe_query(self, seconds: float) -> None:
        self.run(QueryRequest("ASK {}"), queue_timeout=seconds)  # queues like any request, for `seconds` at most

    def status(self) -> PoolStatus:
        """A consistent snapshot of the workers and the queue."""
        d = self.dispatch
        with d.lock:
            current = sum(1 for w in d.workers if w.generation == d.generation)
            return PoolStatus(
                size=self.size,
                ready=len(d.idle),
                busy=sum(1 for w in d.workers if w.busy),
                restarting=len(d.booting),
                queued=len(d.waiters),
                started=d.started,
                quarantined=self.crashes.barred(),
                whole=current >= self.size and not d.booting,
                pids=tuple(sorted(w.pid for w in d.workers | d.booting)),
            )

    # --- running queries -------------------------------------------------------------------------------------

    def run(self, req: QueryRequest, *, client: str | None = None, queue_timeout: float | None = None) -> QueryAnswer:
        """Run one query: wait for a worker, then give it `timeout` seconds.

        `client` (default: `current_client`) is the address `max_per_client` counts; `queue_timeout`
        overrides how long this request may wait for a worker.
        """
        if self.stale():
            self.refresh()
        key = self._admit(req)
        with self.clients.hold(client if client is not None else current_client.get()):
            wait = self.queue_timeout if queue_timeout is None else queue_timeout
            deadline = time.monotonic() + wait
            for _ in range(self.size + 2):
                worker = self.dispatch.acquire(max(0.0, deadline - time.monotonic()), wait, key in self.timeouts)
                if self._send(worker, req):
                    return self._collect(worker, key, worker.conn.poll(self.timeout))
            raise WorkerCrashed("no live query worker could take the query; try again in a moment")

    async def run_async(
        self, req: QueryRequest, *, client: str | None = None, queue_timeout: float | None = None
    ) -> QueryAnswer:
        """`run` for an event loop: waits for a worker and for its answer without holding a thread."""
        if self.stale():
            await asyncio.to_thread(self.refresh)
        key = self._admit(req)
        with self.clients.hold(client if client is not None else current_client.get()):
            wait = self.queue_timeout if queue_timeout is None else queue_timeout
            deadline = time.monotonic() + wait
            for _ in range(self.size + 2):
                worker = await self.dispatch.acquire_async(
                    max(0.0, deadline - time.monotonic()), wait, key in self.timeouts
                )
                if self._send(worker, req):
                    try:
                        answered = await readable(worker.conn, self.timeout)
                    except BaseException:  # cancelled: nobody will read this answer, so the worker goes
                        self.dispatch.discard(worker)
                        raise
                    return self._collect(worker, key, answered)
            raise WorkerCrashed("no live query worker could take the query; try again in a moment")

    def _admit(self, req: QueryRequest) -> str:
        """The query's fingerprint, or `QueryQuarantined` if it has crashed workers."""
        key = fingerprint(req.query, req.default_graphs, req.named_graphs)
        self.crashes.check(key)
        return key

    def _send(self, worker: Worker, req: QueryRequest) -> bool:
        """Give the query to the worker; False if it had ended (the query never ran: take another one)."""
        if worker.exited():
            self.dispatch.discard(worker)
            return False
        try:
            worker.conn.send(req)
        except OSError:
            self.dispatch.discard(worker)
            return False
        return True

    def _collect(self, worker: Worker, key: str, answered: bool) -> QueryAnswer:
        """The answer, or the error: the worker is given back, or killed for its own query only."""
        if not answered:
            self.dispatch.discard(worker)
            self.timeouts.note(key)
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
        try:
            msg = worker.conn.recv()
        except (EOFError, OSError):
            self.dispatch.discard(worker)
            raise self._crashed(worker, key) from None
        except BaseException:
            self.dispatch.discard(worker)
            raise
        self.dispatch.release(worker)
        if msg[0] == "ok":
            answer: QueryAnswer = msg[1]
            return answer
        _, kind, text = msg
        raise {"QuerySyntaxError": QuerySyntaxError, "UsageError": UsageError}.get(kind, KGError)(text)

    def _crashed(self, worker: Worker, key: str) -> WorkerCrashed:
        log.warning("query worker %d died while running a query", worker.pid)
        if self.closed:
            return WorkerCrashed("the query pool is shutting down")
        message = "the query worker running this query stopped unexpectedly; it is being replaced"
        if self.crashes.record(key):
            minutes = round(self.crashes.period / 60)
            return WorkerCrashed(f"{message}. This query has now done so twice: it is refused for {minutes} min")
        return WorkerCrashed(f"{message}; try again")

    # --- new versions --------------------------------------------------------------------------------------

    def stale(self) -> bool:
        """Whether the store link now points to another build than the one served (one readlink)."""
        return self._keeper.stale()

    def refresh(self) -> bool:
        """Serve the build the store link points to now; True if that changed the version served.

        New workers are started and ready before any old one is retired, so queries keep being answered.
        """
        return self._keeper.refresh()

    def close(self) -> None:
        """Stop every worker and the keeper."""
        self.closed = True
        self._keeper.wake()
        self._keeper.join(timeout=10)
        d = self.dispatch
        with d.lock:
            workers = list(d.workers | d.booting) + d.corpses
            d.workers.clear()
            d.booting.clear()
            d.idle.clear()
            d.corpses = []
            waiters, d.waiters = list(d.waiters), deque()
        for waiter in waiters:  # they find no worker and answer ServerBusy
            with contextlib.suppress(RuntimeError):
                waiter.wake()
        for w in workers:
            with contextlib.suppress(OSError):
                w.conn.send(None)
        for w in workers:
            w.process.join(timeout=2)
            w.kill()
        self._keeper.close()


def choose_in_memory(store: Path, mode: str, max_triples: int) -> bool:
    """Serve from memory when asked, or (auto) when the store is small enough: joins run 5-10x faster."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    return kgstore.BuildInfo.read(kgstore.resolve(store)).triples <= max_triples
