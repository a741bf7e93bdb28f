"""The two backends a bench runs a scale's store on: Debian's Virtuoso with the store published to it, and the
embedded Oxigraph store in a child process that can be stopped at a time limit.

`virtuoso` is shared by bench/writes.py (which starts `kg serve` over it) and bench/canned.py (which queries
it through `kg.store.remote.SparqlStore`). `EmbeddedStore` holds the store as `kg serve` would — an in-memory
copy when it is no larger than `in_memory_max_triples`, else the on-disk store read-only — in a child,
because pyoxigraph cannot stop a query inside its own process: a query past its limit is a timeout there,
the child is killed and started again for the next one.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import httpx

from kg.store import layout as kgstore
from kg.store.engines import VIRTUOSO
from kg.store.interface import QueryRequest
from kg.store.publish import publish_build
from kg.store.remote import SparqlStore

VIRTUOSO_BUFFERS = 170_000  # 8 KB pages: about 1.3 GB, Virtuoso's own advice for a few million triples
MAX_ROWS = 1_000_000  # as bench/run.py's KG_MAX_ROWS: no answer of the canned queries is cut


@dataclass
class PublishedVirtuoso:
    """A running scratch Virtuoso holding one store, published as `kg build --backend sparql` would."""

    server: Any  # tests.kg.store.virtuoso.Virtuoso (imported late: the tests' module, not the library's)
    triples: int
    publish_seconds: float
    started_seconds: float

    def store(self, timeout: float) -> SparqlStore:
        """The project's remote store over it, as `kg serve` over Virtuoso builds it (no row cap below MAX_ROWS)."""
        return SparqlStore(
            self.server.query_url,
            gsp_url=self.server.gsp_url,
            auth=httpx.DigestAuth(self.server.user, self.server.password),
            engine=VIRTUOSO,
            timeout=timeout,
            max_rows=MAX_ROWS,
        )

    def kg_env(self) -> dict[str, str]:
        """The settings of `kg serve` over it."""
        return {
            "KG_BACKEND": "sparql",
            "KG_SPARQL_QUERY_URL": self.server.query_url,
            "KG_SPARQL_USER": self.server.user,
            "KG_SPARQL_PASSWORD": self.server.password,
            "KG_SPARQL_AUTH": "digest",
            "KG_SPARQL_ENGINE": "virtuoso",
            "KG_MAX_ROWS": str(MAX_ROWS),  # a neighbourhood read is one CONSTRUCT: never cut
        }


@contextlib.contextmanager
def virtuoso(root: Path, store: Path, label: str, max_seconds: int = 120) -> Iterator[PublishedVirtuoso]:
    """Debian's Virtuoso on free loopback ports under `root`, `store` published to it; stopped on exit.
    `max_seconds` is the engine's own cap on one query (MaxQueryExecutionTime)."""
    from tests.kg.store import virtuoso as vt  # the tests' scratch Virtuoso: the same ini, ports and password

    started = time.perf_counter()
    server = vt.start(root / "virtuoso", max_seconds=max_seconds, buffers=VIRTUOSO_BUFFERS)
    try:
        started_seconds = time.perf_counter() - started
        print(f"{label}/virtuoso: started in {started_seconds:.1f} s", flush=True)
        remote = SparqlStore(
            server.query_url,
            gsp_url=server.gsp_url,
            auth=httpx.DigestAuth(server.user, server.password),
            engine=VIRTUOSO,
            timeout=600,
        )
        report = publish_build(remote, store)
        remote.close()
        print(f"{label}/virtuoso: published {report.triples:,} triples in {report.seconds:.1f} s", flush=True)
        yield PublishedVirtuoso(server, report.triples, report.seconds, started_seconds)
    finally:
        server.stop()


# --- the embedded store, in a child ------------------------------------------------------------------------


def _embedded_child(conn: Connection, store: str, in_memory: bool) -> None:
    """Open the store once, then time `LocalStore.run` on each query text sent, until sent None."""
    from kg.errors import KGError
    from kg.store.local import LocalStore

    started = time.perf_counter()
    db = kgstore.open_in_memory(Path(store)) if in_memory else kgstore.open_read_only(Path(store))
    local = LocalStore(db, max_rows=MAX_ROWS)
    conn.send(("ready", time.perf_counter() - started))
    while (req := conn.recv()) is not None:
        try:
            t0 = time.perf_counter()
            answer = local.run(req)
            conn.send(("ok", time.perf_counter() - t0, answer.rows, answer.truncated))
        except KGError as e:
            conn.send(("error", f"{type(e).__name__}: {e}"))
        except Exception as e:  # an engine error: reported, the bench goes on
            conn.send(("error", f"{type(e).__name__}: {e}"))


class QueryTimedOut(Exception):
    """A query ran past the bench's time limit (the child running it was killed)."""


class EmbeddedStore:
    """The scale's Oxigraph store in a child process: `run` times one query there, within a time limit."""

    def __init__(self, store: Path, in_memory: bool) -> None:
        self.store, self.in_memory = store, in_memory
        self.load_seconds: float | None = None
        self._ctx = mp.get_context("spawn")
        self._proc: Any = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._conn is not None:
            return self._conn
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(
            target=_embedded_child, args=(child, str(self.store), self.in_memory), daemon=True
        )
        self._proc.start()
        child.close()
        if not parent.poll(3600):
            self.close()
            raise RuntimeError(f"the embedded store {self.store} did not open within an hour")
        try:
            _, seconds = parent.recv()
        except EOFError:
            self.close()
            raise RuntimeError(f"the child opening {self.store} died (exit code {self._proc.exitcode})") from None
        self.load_seconds = float(seconds) if self.load_seconds is None else self.load_seconds
        self._conn = parent
        return parent

    def run(self, req: QueryRequest, timeout: float) -> tuple[float, int, bool]:
        """(seconds inside `LocalStore.run`, rows, truncated); `QueryTimedOut` past `timeout`, RuntimeError on
        an engine error."""
        conn = self._start()
        conn.send(req)
        if not conn.poll(timeout):
            self.close(kill=True)  # it would go on computing: killed, a fresh child answers the next query
            raise QueryTimedOut(f"no answer within {timeout:g} s")
        try:
            reply = conn.recv()
        except EOFError:
            self.close()
            raise RuntimeError("the embedded store's child died") from None
        if reply[0] != "ok":
            raise RuntimeError(reply[1])
        return float(reply[1]), int(reply[2]), bool(reply[3])

    def close(self, kill: bool = False) -> None:
        """Stop the child: asked to, or killed at once (`kill`: it is busy with a query past its limit)."""
        if self._conn is not None:
            if not kill:
                with contextlib.suppress(OSError):
                    self._conn.send(None)
            self._conn.close()
            self._conn = None
        if self._proc is not None:
            self._proc.join(0 if kill else 5)
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(10)
            self._proc = None
