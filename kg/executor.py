"""Running queries where a runaway one can be stopped: a pool of worker processes.

pyoxigraph cannot cancel a query inside its process, so each query runs in one of N worker processes that
hold the store (an in-memory copy when it is small enough, else the on-disk store opened read-only). The
parent waits at most `timeout` seconds; past that it kills the worker, starts a fresh one in the background
and reports `QueryTimeout`, so the server's capacity comes back and other queries are never blocked.
Answers are serialised inside the worker, truncated to `max_rows` rows or triples.

Each worker is pinned to one build directory, which is never modified (kg.store). When a build or a
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
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import store as kgstore
from kg.errors import KGError, QuerySyntaxError, QueryTimeout, ServerBusy, UsageError
from kg.namespaces import PREFIXES
from kg.query import GRAPH_FORMATS, RESULT_FORMATS

log = logging.getLogger(__name__)
_CTX = mp.get_context("spawn")  # never fork a process that runs an event loop and threads


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
    def __init__(self, store: Path, in_memory: bool, max_rows: int, generation: int = 0) -> None:
        self.generation = generation
        self.conn, child = _CTX.Pipe()
        self.process = _CTX.Process(
            target=_worker_main, args=(child, str(store), in_memory, max_rows), daemon=True, name="kg-query-worker"
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise KGError(f"a query worker did not start within {timeout:.0f} s")
        try:
            msg = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise KGError("a query worker exited while starting") from None
        if msg[0] != "ready":
            self.kill()
            raise KGError(f"a query worker could not open the store: {msg[1]}")

    def retire(self) -> None:
        """Ask an idle worker to exit, and make sure it does (in the background: it may take a moment)."""
        with contextlib.suppress(OSError):
            self.conn.send(None)

        def reap() -> None:
            self.process.join(timeout=5)
            self.kill()

        threading.Thread(target=reap, daemon=True, name="kg-worker-reaper").start()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """N worker processes over one store; `run` blocks the calling thread, never the pool."""

    def __init__(
        self,
        store: Path,
        *,
        workers: int,
        timeout: float,
        max_rows: int,
        in_memory: bool,
        start_timeout: float = 120.0,
    ) -> None:
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.in_memory = in_memory
        self.size = workers
        self.start_timeout = start_timeout
        self._build = kgstore.resolve(store)  # the build directory served now
        self._link = self._read_link()
        self.info = kgstore.BuildInfo.read(self._build)
        self.generation = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._closed = False
        started = [self._new_worker() for _ in range(workers)]
        for w in started:
            w.wait_ready(start_timeout)
            self._idle.put(w)

    @property
    def version(self) -> str:
        """The dataset version (content hash of the build), for ETags."""
        return self.info.version

    def _new_worker(self, build: Path | None = None, generation: int | None = None) -> _Worker:
        w = _Worker(
            build or self._build, self.in_memory, self.max_rows, self.generation if generation is None else generation
        )
        with self._lock:
            self._all.add(w)
        return w

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
            fresh = [self._new_worker(build, generation) for _ in range(self.size)]
            try:
                for w in fresh:
                    w.wait_ready(self.start_timeout)
            except KGError:
                for w in fresh:
                    w.kill()
                    with self._lock:
                        self._all.discard(w)
                raise
            with self._lock:
                self.generation, self._build, self._link, self.info = generation, build, link, info
            for w in fresh:
                self._idle.put(w)
            self._retire_idle()
            log.info("serving dataset version %s (%s)", info.version, build.name)
            return True

    def _retire_idle(self) -> None:
        """Retire the idle workers of an older generation (busy ones are retired when they come back)."""
        keep: list[_Worker] = []
        while True:
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            if w.generation == self.generation:
                keep.append(w)
            else:
                self._forget(w)
                w.retire()
        for w in keep:
            self._idle.put(w)

    def _forget(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)

    def _give_back(self, w: _Worker) -> None:
        if w.generation == self.generation:
            self._idle.put(w)
        else:
            self._forget(w)
            w.retire()

    def _replace(self, dead: _Worker) -> None:
        """Kill a worker and start its replacement in the background, so the caller answers at once."""
        dead.kill()
        with self._lock:
            self._all.discard(dead)
        if self._closed:
            return

        def start() -> None:
            try:
                w = self._new_worker()
                w.wait_ready(self.start_timeout)
                self._give_back(w)
            except KGError:  # pragma: no cover - logged; the pool runs one worker short
                log.exception("could not replace a query worker")

        threading.Thread(target=start, daemon=True, name="kg-worker-replacer").start()

    def run(self, req: QueryRequest) -> QueryAnswer:
        """Run one query within the time limit, or raise `QueryTimeout` (the worker is killed and replaced)."""
        if self.stale():
            self.refresh()
        deadline = time.monotonic() + self.timeout
        worker = self._acquire(self.timeout)
        return self._exchange(worker, req, lambda w: w.conn.poll(max(0.0, deadline - time.monotonic())))

    async def run_async(self, req: QueryRequest) -> QueryAnswer:
        """`run` for an event loop: waits on the worker's pipe without holding a thread.

        An async handler saves the thread-pool hop a plain `def` handler costs on every request.
        """
        if self.stale():
            await asyncio.to_thread(self.refresh)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:  # every worker busy: wait for one in a thread, not on the loop
            worker = await asyncio.to_thread(self._acquire, self.timeout)
        try:
            worker.conn.send(req)
        except OSError:
            self._replace(worker)
            raise KGError("the query worker stopped unexpectedly") from None
        ready = loop.create_future()
        fd = worker.conn.fileno()

        def readable() -> None:
            if not ready.done():
                ready.set_result(True)

        loop.add_reader(fd, readable)
        try:
            answered = await asyncio.wait_for(ready, max(0.0, deadline - loop.time()))
        except TimeoutError:
            answered = False
        finally:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)  # some event loops (uvloop) make a watched fd non-blocking
        return self._exchange(worker, None, lambda w: answered)

    def _acquire(self, timeout: float) -> _Worker:
        try:
            return self._idle.get(timeout=timeout)
        except queue.Empty:
            raise ServerBusy(f"every query worker stayed busy for {self.timeout:g} s; try again later") from None

    def _exchange(self, worker: _Worker, req: QueryRequest | None, wait: Callable[[_Worker], bool]) -> QueryAnswer:
        """Send `req` (unless already sent), wait for the answer, give the worker back or replace it."""
        held: _Worker | None = worker
        try:
            if req is not None:
                worker.conn.send(req)
            if not wait(worker):
                held = None
                self._replace(worker)
                raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and was stopped")
            msg = worker.conn.recv()
        except (EOFError, OSError):
            if held is not None:
                held = None
                self._replace(worker)
            raise KGError("the query worker stopped unexpectedly") from None
        finally:
            if held is not None:
                self._give_back(held)
        if msg[0] == "ok":
            answer: QueryAnswer = msg[1]
            return answer
        _, kind, text = msg
        raise {"QuerySyntaxError": QuerySyntaxError, "UsageError": UsageError}.get(kind, KGError)(text)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            with contextlib.suppress(OSError):
                w.conn.send(None)
            w.process.join(timeout=2)
            w.kill()


def choose_in_memory(store: Path, mode: str, max_triples: int) -> bool:
    """Serve from memory when asked, or (auto) when the store is small enough: joins run 5-10x faster."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    return kgstore.BuildInfo.read(kgstore.resolve(store)).triples <= max_triples
