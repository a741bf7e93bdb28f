"""The pool's keeper: a thread that keeps `size` workers of the served version alive, and `refresh`.

It reaps workers that ended, starts their replacements at once, and retries a failed start with
exponential backoff, never more processes than are missing. `refresh` moves the pool to the build the store
link points to now: new workers are started and ready before any old one is retired, so a query is
answered wholly from the old version or wholly from the new one, never from a mix.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections import deque
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for_ready
from pathlib import Path
from typing import Any, Protocol

from kg.errors import KGError
from kg.store import delta
from kg.store import layout as kgstore
from kg.store.dispatch import Dispatcher
from kg.store.worker import Worker


class KeptPool(Protocol):
    """What the keeper reads and sets on the pool it keeps (kg.store.pool.QueryPool)."""

    store: Path
    size: int
    start_timeout: float
    closed: bool
    dispatch: Dispatcher
    info: kgstore.BuildInfo


log = logging.getLogger("kg.store.pool")
BACKOFF_FIRST, BACKOFF_MAX = 0.25, 10.0  # seconds before retrying a failed worker start, doubling each time


class Keeper:
    """The housekeeping of one pool: its thread, the store link it follows, the socket that wakes it."""

    def __init__(self, pool: KeptPool) -> None:
        self.pool = pool
        self.link = self.read_link()
        self._refresh_lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._thread = threading.Thread(target=self._keep, daemon=True, name="kg-pool-keeper")
        self._pending: dict[Worker, float] = {}  # starting -> by when it must be ready
        self._failures, self._next_try = 0, 0.0
        self.replayed = 0  # workers moved to a new version by replaying a write rather than reloading

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout=timeout)

    def close(self) -> None:
        """Close the wake socket (the thread has ended, or never started)."""
        self._wake_r.close()
        self._wake_w.close()

    def wake(self) -> None:
        """Wake the keeper (a byte on its socket: it may be waiting on process sentinels too)."""
        with contextlib.suppress(OSError):
            self._wake_w.send(b"!")

    # --- the thread ------------------------------------------------------------------------------------------

    def _keep(self) -> None:
        """The keeper thread: reap ended workers and keep `size` workers of the served version.

        It never blocks on one start: every missing worker is started at once, each start is watched
        alongside the live workers, and after a failed start (an error, an exit, no answer within
        `start_timeout`) the next one waits 0.25 s, then twice as long each time, up to 10 s.
        """
        pool, d = self.pool, self.pool.dispatch
        while not pool.closed:
            try:
                self._bury()
                self._watch_starts()
                now = time.monotonic()
                with d.lock:
                    generation, build = d.generation, d.build
                    have = sum(1 for w in d.workers if w.generation == generation)
                missing = pool.size - have - sum(1 for w in self._pending if w.generation == generation)
                if missing > 0 and now >= self._next_try:
                    for _ in range(missing):
                        self._pending[d.spawn(build, generation)] = now + pool.start_timeout
                    continue
                wait = 1.0 if missing <= 0 else min(1.0, self._next_try - now)
                self._pause(wait, [w.conn for w in self._pending])
            except Exception:  # pragma: no cover - the keeper must outlive any surprise
                log.exception("the query pool's keeper failed; carrying on")
                time.sleep(1.0)
        for w in self._pending:
            w.kill()

    def _watch_starts(self) -> None:
        """Admit the workers that became ready; drop the failed starts and put off the next one."""
        d = self.pool.dispatch
        for w, deadline in list(self._pending.items()):
            try:
                ready = w.started()
                if not ready and time.monotonic() > deadline:
                    raise KGError(f"a query worker did not start within {self.pool.start_timeout:.0f} s")
            except KGError as e:
                del self._pending[w]
                w.kill()
                with d.lock:
                    d.booting.discard(w)
                self._failures += 1
                delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** (self._failures - 1))
                self._next_try = time.monotonic() + delay
                log.warning("%s; trying again in %.2g s", e, delay)
                continue
            if ready:
                del self._pending[w]
                self._failures = 0
                d.admit_ready([w])
                log.info("query worker %d ready", w.pid)

    def _bury(self) -> None:
        """Forget workers that ended (busy ones: their request sees it too), reap the corpses."""
        d, now = self.pool.dispatch, time.monotonic()
        with d.lock:
            for w in [w for w in d.workers if w.exited()]:
                d.workers.discard(w)
                log.warning("query worker %d ended%s", w.pid, " during a query" if w.busy else " while idle")
                if not w.busy:
                    with contextlib.suppress(ValueError):
                        d.idle.remove(w)
                    d.corpses.append(w)
            corpses, d.corpses = d.corpses, []
        alive: list[Worker] = []
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
            with d.lock:
                d.corpses.extend(alive)

    def _pause(self, seconds: float, starting: list[Connection]) -> None:
        """Sleep until a worker ends or says it is ready, someone wakes the keeper, or `seconds` pass."""
        d = self.pool.dispatch
        with d.lock:
            watched: list[Any] = [w.process.sentinel for w in d.workers]
            watched += [w.process.sentinel for w in d.corpses]
            watched += starting
        if d.corpses:
            seconds = min(seconds, 0.1)  # corpses are reaped promptly, but not in a busy loop
        watched.append(self._wake_r)
        wait_for_ready(watched, max(0.0, seconds))
        with contextlib.suppress(OSError):
            while self._wake_r.recv(4096):
                pass

    # --- new versions --------------------------------------------------------------------------------------

    def read_link(self) -> str | None:
        try:
            return os.readlink(self.pool.store)
        except OSError:  # not a link (a bare build directory) or gone: nothing to follow
            return None

    def stale(self) -> bool:
        """Whether the store link now points to another build than the one served (one readlink)."""
        return self.link is not None and self.read_link() not in (None, self.link)

    def refresh(self) -> bool:
        """Serve the build the store link points to now; True if that changed the version served."""
        pool, d = self.pool, self.pool.dispatch
        with self._refresh_lock:
            link = self.read_link()
            if link is None or link == self.link:
                return False
            build = kgstore.resolve(pool.store)
            info = kgstore.BuildInfo.read(build)
            generation = d.generation + 1
            if d.in_memory and self._replay(build, info, generation, link):
                return True
            fresh = [d.spawn(build, generation) for _ in range(pool.size)]
            try:
                for w in fresh:
                    w.wait_ready(pool.start_timeout)
            except KGError:
                for w in fresh:
                    w.kill()
                with d.lock:
                    d.booting.difference_update(fresh)
                raise
            with d.lock:
                d.generation, d.build, self.link, pool.info = generation, build, link, info
                old = [w for w in d.idle if w.generation != generation]
                d.idle = deque(w for w in d.idle if w.generation == generation)
                for w in old:
                    d.workers.discard(w)
                    d.retire(w)
            d.admit_ready(fresh)
            log.info("serving dataset version %s (%s)", info.version, build.name)
            return True

    def _replay(self, build: Path, info: kgstore.BuildInfo, generation: int, link: str) -> bool:
        """Move the idle in-memory workers to `build` by replaying the write that made it (kg.store.delta),
        milliseconds instead of a reload; False, and nothing changed, when no worker could (then reload).

        The idle workers are held while they replay, so no query reaches one half-way; busy ones are retired
        when their query ends and replaced by the keeper from the new build.
        """
        pool, d = self.pool, self.pool.dispatch
        parent = pool.info.version
        if delta.read(build, parent) is None:
            return False
        with d.lock:
            held = [w for w in d.idle if w.generation == d.generation]
            d.idle = deque(w for w in d.idle if w not in held)
            for w in held:
                d.mark_busy(w, False)
        moved = [w for w in held if w.replay(build, parent, pool.start_timeout)]
        with d.lock:
            if moved:
                d.generation, d.build, self.link, pool.info = generation, build, link, info
                for w in moved:
                    w.generation = generation
                self.replayed += len(moved)
        for w in held:  # the moved ones serve the new version; any other is retired (an older generation)
            if w not in moved:
                with d.lock:
                    d.workers.discard(w)
                    d.mark_free(w)
                    d.retire(w)
            else:
                d.release(w)
        if moved:
            log.info(
                "serving dataset version %s (%s): %d worker(s) replayed the write", info.version, build.name, len(moved)
            )
        return bool(moved)
