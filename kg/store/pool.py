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
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing as mp
import os
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_ready
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import sandbox as kgsandbox
from kg.errors import KGError, QuerySyntaxError, QueryTimeout, ServerBusy, UsageError, WorkerCrashed
from kg.sources.namespaces import PREFIXES
from kg.store import layout as kgstore
from kg.store.admission import ClientSlots, CrashLedger, RecentTimeouts, fingerprint
from kg.store.local import GRAPH_FORMATS, RESULT_FORMATS

log = logging.getLogger(__name__)
# Workers are forked from multiprocessing's forkserver: a clean single-threaded process (never the server,
# which runs an event loop and threads) that has already imported what a worker needs, so a replacement
# starts in a fraction of the second or more a fresh interpreter takes under load. kg.sandbox shares the
# forkserver, so its preloads are kept too; whichever starts the forkserver first fixes the list. Each
# child still runs the parent's main script again (Python 3.11's forkserver never preloads `__main__`: it
# looks for a key spawn does not set); under `kg serve` that script is `from kg_cli.main import app`, which
# costs nothing once kg_cli.main is preloaded too.
_CTX = mp.get_context("forkserver")
_PRELOAD = ["__main__", *getattr(kgsandbox, "_PRELOAD", []), "kg.store.pool"]
_PRELOAD_IF_LOADED = ["kg_cli.main"]
WORKER_NAME = "kg-query-worker"  # the process name (/proc/PID/comm) of a worker, for ps and top
BACKOFF_FIRST, BACKOFF_MAX = 0.25, 10.0  # seconds before retrying a failed worker start, doubling each time
RETIRE_GRACE = 5.0  # seconds a retired worker gets to exit before it is killed

# The address of the client a query runs for: the web layer sets it per request (api.deps.get_pool), so
# every route's queries count against that client's `max_per_client` without passing it by hand.
current_client: ContextVar[str | None] = ContextVar("kg_query_client", default=None)


@dataclass(frozen=True)
class QueryRequest:
    """One query, its dataset as the SPARQL protocol gives it, and the syntax wanted for its answer."""

    query: str
    result_format: str = "json"  # for SELECT / ASK: json, xml, csv, tsv
    graph_format: str = "turtle"  # for CONSTRUCT / DESCRIBE: turtle, ntriples, jsonld, rdfxml, trig, nquads
    default_graphs: tuple[str, ...] | None = None  # protocol default-graph-uri; None = not given
    named_graphs: tuple[str, ...] | None = None  # protocol named-graph-uri; None = not given
    dataset_clause: bool = False  # the query has FROM / FROM NAMED


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer: which kind, in which syntax, how many rows, and whether rows were cut."""

    kind: str  # "solutions", "boolean" or "graph"
    format: str
    body: bytes
    rows: int
    truncated: bool


def execute(store: ox.Store, req: QueryRequest, max_rows: int) -> QueryAnswer:
    """Evaluate and serialise one query (runs inside a worker; also usable in-process)."""
    kwargs: dict[str, Any] = {}
    if req.default_graphs is not None or req.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs or ()]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs or ()]
    # otherwise the query's own FROM / FROM NAMED, or the store's default graph: the materialised merge
    try:
        result = store.query(req.query, **kwargs)
    except SyntaxError as e:
        raise QuerySyntaxError(f"malformed SPARQL query: {e}") from None
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=_results(req.result_format)) or b""
        return QueryAnswer("boolean", req.result_format, body, 1, False)
    if isinstance(result, ox.QueryTriples):
        triples = list(itertools.islice(result, max_rows + 1))
        truncated = len(triples) > max_rows
        triples = triples[:max_rows]
        fmt = _graph(req.graph_format)
        items: list[Any] = triples
        if fmt.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        graph_body = ox.serialize(items, format=fmt, prefixes=PREFIXES) or b""
        return QueryAnswer("graph", req.graph_format, graph_body, len(triples), truncated)
    variables = result.variables
    rows = list(itertools.islice(result, max_rows + 1))
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    # Rebuild the (possibly truncated) solutions through TSV, whose terms are N-Triples syntax, so that
    # Oxigraph's own serialisers write every format: datatypes and language tags are never lost.
    tsv = "\t".join(str(v) for v in variables) + "\n"
    tsv += "".join("\t".join("" if r[v] is None else str(r[v]) for v in variables) + "\n" for r in rows)
    solutions = ox.parse_query_results(tsv.encode("utf-8"), format=ox.QueryResultsFormat.TSV)
    body = solutions.serialize(format=_results(req.result_format)) or b""
    return QueryAnswer("solutions", req.result_format, body, len(rows), truncated)


def _results(fmt: str) -> ox.QueryResultsFormat:
    try:
        return RESULT_FORMATS[fmt]
    except KeyError:
        raise UsageError(f"{fmt!r} is not a SPARQL results format") from None


def _graph(fmt: str) -> ox.RdfFormat:
    try:
        return GRAPH_FORMATS[fmt]
    except KeyError:
        raise UsageError(f"{fmt!r} is not an RDF format") from None


# --- worker processes ---------------------------------------------------------------------------------------


def _worker_main(conn: Connection, store_path: str, in_memory: bool, max_rows: int) -> None:
    """Body of a worker process: open the store once, then answer requests until told to stop."""
    with contextlib.suppress(OSError):  # Linux: name the process, so an operator can tell workers apart
        Path("/proc/self/comm").write_text(WORKER_NAME)
    try:
        db = kgstore.open_in_memory(Path(store_path)) if in_memory else kgstore.open_read_only(Path(store_path))
    except Exception as e:  # pragma: no cover - reported to the parent, which raises
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return
    conn.send(("ready", len(db) if in_memory else None))
    while True:
        try:
            req = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if req is None:
            return
        try:
            conn.send(("ok", execute(db, req, max_rows)))
        except KGError as e:
            conn.send(("error", type(e).__name__, str(e)))
        except Exception as e:  # an engine error the client did not cause
            conn.send(("error", "internal", f"{type(e).__name__}: {e}"))


class _Worker:
    """One worker process and its pipe. `busy` is guarded by the pool's lock."""

    def __init__(self, store: Path, in_memory: bool, max_rows: int, generation: int) -> None:
        self.generation = generation
        self.busy = False
        self.slow = False  # running a query that timed out recently (it counts against `slow_limit`)
        self.retire_by: float | None = None  # set when asked to exit: killed if still running then
        self.conn, child = _CTX.Pipe()
        self.process = _CTX.Process(
            target=_worker_main, args=(child, str(store), in_memory, max_rows), daemon=True, name=WORKER_NAME
        )
        self.process.start()
        child.close()

    @property
    def pid(self) -> int:
        return self.process.pid or 0

    def exited(self) -> bool:
        """Whether the process has ended. Reads its sentinel and never reaps it, so any thread may ask."""
        return bool(wait_for_ready([self.process.sentinel], 0))

    def started(self) -> bool:
        """True once the worker says it is ready, False while it is still starting (never waits).

        Raises `KGError` when it exited while starting or could not open the store.
        """
        if not self.conn.poll(0):
            return False
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            raise KGError("a query worker exited while starting") from None
        if msg[0] != "ready":
            raise KGError(f"a query worker could not open the store: {msg[1]}")
        return True

    def wait_ready(self, timeout: float) -> None:
        """Wait until the worker is ready; kill it and raise `KGError` if it fails or takes over `timeout`."""
        try:
            if not self.conn.poll(timeout):
                raise KGError(f"a query worker did not start within {timeout:.0f} s")
            self.started()
        except KGError:
            self.kill()
            raise

    def kill(self) -> None:
        """Kill, reap and close at once (for the keeper and `close`, never on a request's path)."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class _Waiter:
    """A request waiting for a worker; the pool hands one over by setting `worker`, then calls `wake`."""

    __slots__ = ("slow", "wake", "worker")

    def __init__(self, wake: Callable[[], None], slow: bool) -> None:
        self.wake = wake
        self.slow = slow
        self.worker: _Worker | None = None


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


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class QueryPool:
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
        self.slow_limit = max(1, workers - 1)  # workers that queries which timed out recently may hold at once
        self._slow_running = 0
        self._build = kgstore.resolve(store)  # the build directory served now
        self._link = self._read_link()
        self.info = kgstore.BuildInfo.read(self._build)
        self.generation = 0
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._workers: set[_Worker] = set()  # ready processes, idle or busy, of any generation
        self._idle: deque[_Worker] = deque()
        self._waiters: deque[_Waiter] = deque()
        self._booting: set[_Worker] = set()  # started, not ready yet
        self._corpses: list[_Worker] = []  # ended or ending: the keeper reaps them
        self._started = 0
        self._closed = False
        _CTX.set_forkserver_preload(_PRELOAD + [m for m in _PRELOAD_IF_LOADED if m in sys.modules])
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        first = [self._spawn(self._build, 0) for _ in range(workers)]
        try:
            for w in first:
                w.wait_ready(start_timeout)
        except KGError:
            for w in first:
                w.kill()
            self._wake_r.close()
            self._wake_w.close()
            raise
        self._admit_ready(first)
        self._keeper = threading.Thread(target=self._keep, daemon=True, name="kg-pool-keeper")
        self._keeper.start()

    @property
    def version(self) -> str:
        """The dataset version (content hash of the build), for ETags."""
        return self.info.version

    def status(self) -> PoolStatus:
        """A consistent snapshot of the workers and the queue."""
        with self._lock:
            current = sum(1 for w in self._workers if w.generation == self.generation)
            return PoolStatus(
                size=self.size,
                ready=len(self._idle),
                busy=sum(1 for w in self._workers if w.busy),
                restarting=len(self._booting),
                queued=len(self._waiters),
                started=self._started,
                quarantined=self.crashes.barred(),
                whole=current >= self.size and not self._booting,
                pids=tuple(sorted(w.pid for w in self._workers | self._booting)),
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
                worker = self._acquire(max(0.0, deadline - time.monotonic()), wait, key in self.timeouts)
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
                worker = await self._acquire_async(max(0.0, deadline - time.monotonic()), wait, key in self.timeouts)
                if self._send(worker, req):
                    try:
                        answered = await _readable(worker.conn, self.timeout)
                    except BaseException:  # cancelled: nobody will read this answer, so the worker goes
                        self._discard(worker)
                        raise
                    return self._collect(worker, key, answered)
            raise WorkerCrashed("no live query worker could take the query; try again in a moment")

    def _admit(self, req: QueryRequest) -> str:
        """The query's fingerprint, or `QueryQuarantined` if it has crashed workers."""
        key = fingerprint(req.query, req.default_graphs, req.named_graphs)
        self.crashes.check(key)
        return key

    def _take_idle(self, slow: bool) -> _Worker | None:  # with self._lock held
        if slow and self._slow_running >= self.slow_limit:
            return None
        while self._idle:
            w = self._idle.popleft()
            if w.exited():  # died while idle: the keeper replaces it
                self._workers.discard(w)
                self._corpses.append(w)
                self._wake()
                continue
            self._mark_busy(w, slow)
            return w
        return None

    def _mark_busy(self, worker: _Worker, slow: bool) -> None:  # with self._lock held
        worker.busy, worker.slow = True, slow
        self._slow_running += slow

    def _mark_free(self, worker: _Worker) -> None:  # with self._lock held
        self._slow_running -= worker.slow
        worker.busy = worker.slow = False

    def _next_waiter(self) -> _Waiter | None:  # with self._lock held
        """The first waiting request that may take a worker now (a slow one only under `slow_limit`)."""
        for i, waiter in enumerate(self._waiters):
            if not waiter.slow or self._slow_running < self.slow_limit:
                del self._waiters[i]
                return waiter
        return None

    def _enqueue(self, wake: Callable[[], None], slow: bool) -> _Worker | _Waiter:
        """An idle worker at once, or a place at the end of the queue."""
        with self._lock:
            worker = self._take_idle(slow)
            if worker is not None:
                return worker
            waiter = _Waiter(wake, slow)
            self._waiters.append(waiter)
            return waiter

    def _claim(self, waiter: _Waiter, wait: float) -> _Worker:
        """After waiting: the worker handed over, or leave the queue with `ServerBusy`."""
        with self._lock:
            if waiter.worker is not None:
                return waiter.worker
            with contextlib.suppress(ValueError):  # `close` emptied the queue
                self._waiters.remove(waiter)
            queued = len(self._waiters)
        raise ServerBusy(
            f"no query worker became free within {wait:g} s ({self.size} busy, {queued} more request(s) "
            "waiting); try again later"
        )

    def _acquire(self, seconds: float, wait: float, slow: bool) -> _Worker:
        event = threading.Event()
        got = self._enqueue(event.set, slow)
        if isinstance(got, _Worker):
            return got
        event.wait(seconds)
        return self._claim(got, wait)

    async def _acquire_async(self, seconds: float, wait: float, slow: bool) -> _Worker:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            loop.call_soon_threadsafe(_resolve, future)

        got = self._enqueue(wake, slow)
        if isinstance(got, _Worker):
            return got
        try:
            await asyncio.wait_for(asyncio.shield(future), seconds)
        except TimeoutError:
            pass
        except BaseException:  # cancelled while waiting: give back a worker handed over meanwhile
            with self._lock:
                handed = got.worker
                if handed is None:
                    with contextlib.suppress(ValueError):
                        self._waiters.remove(got)
            if handed is not None:
                self._release(handed)
            raise
        return self._claim(got, wait)

    def _send(self, worker: _Worker, req: QueryRequest) -> bool:
        """Give the query to the worker; False if it had ended (the query never ran: take another one)."""
        if worker.exited():
            self._discard(worker)
            return False
        try:
            worker.conn.send(req)
        except OSError:
            self._discard(worker)
            return False
        return True

    def _collect(self, worker: _Worker, key: str, answered: bool) -> QueryAnswer:
        """The answer, or the error: the worker is given back, or killed for its own query only."""
        if not answered:
            self._discard(worker)
            self.timeouts.note(key)
            raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
        try:
            msg = worker.conn.recv()
        except (EOFError, OSError):
            self._discard(worker)
            raise self._crashed(worker, key) from None
        except BaseException:
            self._discard(worker)
            raise
        self._release(worker)
        if msg[0] == "ok":
            answer: QueryAnswer = msg[1]
            return answer
        _, kind, text = msg
        raise {"QuerySyntaxError": QuerySyntaxError, "UsageError": UsageError}.get(kind, KGError)(text)

    def _crashed(self, worker: _Worker, key: str) -> WorkerCrashed:
        log.warning("query worker %d died while running a query", worker.pid)
        if self._closed:
            return WorkerCrashed("the query pool is shutting down")
        message = "the query worker running this query stopped unexpectedly; it is being replaced"
        if self.crashes.record(key):
            minutes = round(self.crashes.period / 60)
            return WorkerCrashed(f"{message}. This query has now done so twice: it is refused for {minutes} min")
        return WorkerCrashed(f"{message}; try again")

    # --- the workers' lives -------------------------------------------------------------------------------

    def _spawn(self, build: Path, generation: int) -> _Worker:
        w = _Worker(build, self.in_memory, self.max_rows, generation)
        with self._lock:
            self._started += 1
            self._booting.add(w)
        return w

    def _admit_ready(self, workers: list[_Worker]) -> None:
        with self._lock:
            for w in workers:
                self._booting.discard(w)
                self._workers.add(w)
        for w in workers:
            self._release(w)

    def _release(self, worker: _Worker) -> None:
        """A worker free again: to the first waiting request, else idle; retired if of an older version."""
        while True:
            with self._lock:
                self._mark_free(worker)
                if worker not in self._workers:  # ended meanwhile (the keeper noticed)
                    self._corpses.append(worker)
                    self._wake()
                    return
                if worker.generation != self.generation:
                    self._workers.discard(worker)
                    self._retire(worker)
                    return
                waiter = self._next_waiter()
                if waiter is None:
                    self._idle.append(worker)
                    return
                waiter.worker = worker
                self._mark_busy(worker, waiter.slow)
            try:
                waiter.wake()
                return
            except RuntimeError:  # the waiter's event loop is closed: nobody takes it, try the next one
                continue

    def _retire(self, worker: _Worker) -> None:  # with self._lock held
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        worker.retire_by = time.monotonic() + RETIRE_GRACE
        self._corpses.append(worker)
        self._wake()

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker without waiting (its query ran too long, or it ended): the keeper reaps and replaces it."""
        with contextlib.suppress(OSError):
            worker.process.kill()
        with self._lock:
            was_slow = worker.slow
            self._mark_free(worker)
            self._workers.discard(worker)
            self._corpses.append(worker)
            self._wake()
            # a slow query's place is free: an idle worker may now go to a slow request that waits for one
            spare = self._idle.popleft() if was_slow and self._idle and self._waiters else None
        if spare is not None:
            self._release(spare)

    def _wake(self) -> None:
        """Wake the keeper (a byte on its socket: it may be waiting on process sentinels too)."""
        with contextlib.suppress(OSError):
            self._wake_w.send(b"!")

    def _keep(self) -> None:
        """The keeper thread: reap ended workers and keep `size` workers of the served version.

        It never blocks on one start: every missing worker is started at once, each start is watched
        alongside the live workers, and after a failed start (an error, an exit, no answer within
        `start_timeout`) the next one waits 0.25 s, then twice as long each time, up to 10 s.
        """
        pending: dict[_Worker, float] = {}  # starting -> by when it must be ready
        failures, next_try = 0, 0.0
        while not self._closed:
            try:
                self._bury()
                for w, deadline in list(pending.items()):
                    try:
                        ready = w.started()
                        if not ready and time.monotonic() > deadline:
                            raise KGError(f"a query worker did not start within {self.start_timeout:.0f} s")
                    except KGError as e:
                        del pending[w]
                        w.kill()
                        with self._lock:
                            self._booting.discard(w)
                        failures += 1
                        delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (failures - 1))
                        next_try = time.monotonic() + delay
                        log.warning("%s; trying again in %.2g s", e, delay)
                        continue
                    if ready:
                        del pending[w]
                        failures = 0
                        self._admit_ready([w])
                        log.info("query worker %d ready", w.pid)
                now = time.monotonic()
                with self._lock:
                    generation, build = self.generation, self._build
                    have = sum(1 for w in self._workers if w.generation == generation)
                missing = self.size - have - sum(1 for w in pending if w.generation == generation)
                if missing > 0 and now >= next_try:
                    for _ in range(missing):
                        w = self._spawn(build, generation)
                        pending[w] = now + self.start_timeout
                    continue
                wait = 1.0 if missing <= 0 else min(1.0, next_try - now)
                self._pause(wait, [w.conn for w in pending])
            except Exception:  # pragma: no cover - the keeper must outlive any surprise
                log.exception("the query pool's keeper failed; carrying on")
                time.sleep(1.0)
        for w in pending:
            w.kill()

    def _bury(self) -> None:
        """Forget workers that ended (busy ones: their request sees it too), reap the corpses."""
        now = time.monotonic()
        with self._lock:
            for w in [w for w in self._workers if w.exited()]:
                self._workers.discard(w)
                log.warning("query worker %d ended%s", w.pid, " during a query" if w.busy else " while idle")
                if not w.busy:
                    with contextlib.suppress(ValueError):
                        self._idle.remove(w)
                    self._corpses.append(w)
            corpses, self._corpses = self._corpses, []
        alive: list[_Worker] = []
        for w in corpses:
            if w.exited():
                w.process.join(timeout=1)
                w.conn.close()
            else:
                if w.retire_by is not None and now > w.retire_by:
                    with contextlib.suppress(OSError):
                        w.process.kill()
                alive.append(w)
        if alive:
            with self._lock:
                self._corpses.extend(alive)

    def _pause(self, seconds: float, starting: list[Connection]) -> None:
        """Sleep until a worker ends or says it is ready, someone wakes the keeper, or `seconds` pass."""
        with self._lock:
            watched: list[Any] = [w.process.sentinel for w in self._workers]
            watched += [w.process.sentinel for w in self._corpses]
            watched += starting
        if self._corpses:
            seconds = min(seconds, 0.1)  # corpses are reaped promptly, but not in a busy loop
        watched.append(self._wake_r)
        wait_for_ready(watched, max(0.0, seconds))
        with contextlib.suppress(OSError):
            while self._wake_r.recv(4096):
                pass

    # --- new versions --------------------------------------------------------------------------------------

    def _read_link(self) -> str | None:
        try:
            return os.readlink(self.store)
        except OSError:  # not a link (a bare build directory) or gone: nothing to follow
            return None

    def stale(self) -> bool:
        """Whether the store link now points to another build than the one served (one readlink)."""
        return self._link is not None and self._read_link() not in (None, self._link)

    def refresh(self) -> bool:
        """Serve the build the store link points to now; True if that changed the version served.

        New workers are started and ready before any old one is retired, so queries keep being answered.
        """
        with self._refresh_lock:
            link = self._read_link()
            if link is None or link == self._link:
                return False
            build = kgstore.resolve(self.store)
            info = kgstore.BuildInfo.read(build)
            generation = self.generation + 1
            fresh = [self._spawn(build, generation) for _ in range(self.size)]
            try:
                for w in fresh:
                    w.wait_ready(self.start_timeout)
            except KGError:
                for w in fresh:
                    w.kill()
                with self._lock:
                    self._booting.difference_update(fresh)
                raise
            with self._lock:
                self.generation, self._build, self._link, self.info = generation, build, link, info
                old = [w for w in self._idle if w.generation != generation]
                self._idle = deque(w for w in self._idle if w.generation == generation)
                for w in old:
                    self._workers.discard(w)
                    self._retire(w)
            self._admit_ready(fresh)
            log.info("serving dataset version %s (%s)", info.version, build.name)
            return True

    def close(self) -> None:
        """Stop every worker and the keeper."""
        self._closed = True
        self._wake()
        self._keeper.join(timeout=10)
        with self._lock:
            workers = list(self._workers | self._booting) + self._corpses
            self._workers.clear()
            self._booting.clear()
            self._idle.clear()
            self._corpses = []
            waiters, self._waiters = list(self._waiters), deque()
        for waiter in waiters:  # they find no worker and answer ServerBusy
            with contextlib.suppress(RuntimeError):
                waiter.wake()
        for w in workers:
            with contextlib.suppress(OSError):
                w.conn.send(None)
        for w in workers:
            w.process.join(timeout=2)
            w.kill()
        self._wake_r.close()
        self._wake_w.close()


async def _readable(conn: Connection, seconds: float) -> bool:
    """Wait on the event loop until the pipe has something to read (an answer, or EOF); False after `seconds`."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, _resolve, ready)
    try:
        await asyncio.wait_for(ready, seconds)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # some event loops (uvloop) make a watched fd non-blocking


def choose_in_memory(store: Path, mode: str, max_triples: int) -> bool:
    """Serve from memory when asked, or (auto) when the store is small enough: joins run 5-10x faster."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    return kgstore.BuildInfo.read(kgstore.resolve(store)).triples <= max_triples
