"""One query worker: a process that holds the store and answers the queries sent down its pipe.

pyoxigraph cannot cancel a query inside its process, so every query runs in a worker the pool
(kg.store.pool) can kill. A worker opens its build once — an in-memory copy when it is small enough, else
the on-disk store read-only — says it is ready, then evaluates requests with `kg.store.local.execute`
(answers serialised and cut at `max_rows` inside the worker) until told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_ready
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError
from kg.store import delta
from kg.store import layout as kgstore
from kg.store.local import execute

# Workers are forked from multiprocessing's forkserver: a clean single-threaded process (never the server,
# which runs an event loop and threads) that has already imported what a worker needs (the pool sets the
# preloads, kg.store.pool).
CONTEXT = mp.get_context("forkserver")
WORKER_NAME = "kg-query-worker"  # the process name (/proc/PID/comm) of a worker, for ps and top


def worker_main(conn: Connection, store_path: str, in_memory: bool, max_rows: int) -> None:
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
        if isinstance(req, tuple):  # ("replay", build directory, parent version): a write's change (kg.store.delta)
            if not _replay(conn, db, Path(req[1]), req[2]):
                return  # half-applied, perhaps: this copy must not answer again
            continue
        try:
            conn.send(("ok", execute(db, req, max_rows)))
        except KGError as e:
            conn.send(("error", type(e).__name__, str(e)))
        except Exception as e:  # an engine error the client did not cause
            conn.send(("error", "internal", f"{type(e).__name__}: {e}"))


def _replay(conn: Connection, db: ox.Store, build: Path, parent: str) -> bool:
    """Bring the in-memory copy to `build` by replaying the write that made it from `parent`."""
    try:
        steps = delta.read(build, parent)
        if steps is None:
            conn.send(("failed", f"{build.name} was not made from version {parent} by a write"))
            return False
        delta.replay(db, steps)
    except Exception as e:
        conn.send(("failed", f"{type(e).__name__}: {e}"))
        return False
    conn.send(("replayed", len(db)))
    return True


class Worker:
    """One worker process and its pipe. `busy` is guarded by the pool's lock."""

    def __init__(self, store: Path, in_memory: bool, max_rows: int, generation: int) -> None:
        self.generation = generation
        self.busy = False
        self.slow = False  # running a query that timed out recently (it counts against `slow_limit`)
        self.retire_by: float | None = None  # set when asked to exit: killed if still running then
        self.conn, child = CONTEXT.Pipe()
        self.process = CONTEXT.Process(
            target=worker_main, args=(child, str(store), in_memory, max_rows), daemon=True, name=WORKER_NAME
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

    def replay(self, build: Path, parent: str, timeout: float) -> bool:
        """Have this in-memory worker (idle, held by the caller) replay the write that made `build` from
        version `parent`; False if it could not (it then exits, and must be retired)."""
        try:
            self.conn.send(("replay", str(build), parent))
            if not self.conn.poll(timeout):
                return False
            return bool(self.conn.recv()[0] == "replayed")
        except (OSError, EOFError):
            return False

    def kill(self) -> None:
        """Kill, reap and close at once (for the keeper and `close`, never on a request's path)."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def resolve(future: asyncio.Future[None]) -> None:
    """Set an awaited future's result, once (from an event-loop callback)."""
    if not future.done():
        future.set_result(None)


async def readable(conn: Connection, seconds: float) -> bool:
    """Wait on the event loop until the pipe has something to read (an answer, or EOF); False after `seconds`."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, resolve, ready)
    try:
        await asyncio.wait_for(ready, seconds)
        return True
    except TimeoutError:
        return False
    finally:
        loop.remove_reader(fd)
        os.set_blocking(fd, True)  # some event loops (uvloop) make a watched fd non-blocking
