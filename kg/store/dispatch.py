"""Which worker takes which request: the pool's workers, its queue of waiting requests, one lock over both.

A request takes an idle worker at once or waits at the end of one FIFO queue; a worker freed is handed to
the first request that may take it (one whose query timed out recently only while fewer than `slow_limit`
such queries run), else goes back to the idle ones — or is retired when it serves an older version.
The keeper (kg.store.keeper) reaps what ends here and starts replacements through `spawn`.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from kg.errors import ServerBusy
from kg.store.worker import Worker, resolve

RETIRE_GRACE = 5.0  # seconds a retired worker gets to exit before it is killed


class Waiter:
    """A request waiting for a worker; the pool hands one over by setting `worker`, then calls `wake`."""

    __slots__ = ("slow", "wake", "worker")

    def __init__(self, wake: Callable[[], None], slow: bool) -> None:
        self.wake = wake
        self.slow = slow
        self.worker: Worker | None = None


class Dispatcher:
    """The workers of one pool and the requests waiting for one; every field is guarded by `lock`."""

    def __init__(
        self,
        build: Path,
        *,
        size: int,
        in_memory: bool,
        max_rows: int,
        slow_limit: int,
        wake_keeper: Callable[[], None],
    ) -> None:
        self.size = size  # workers wanted
        self.in_memory = in_memory
        self.max_rows = max_rows
        self.slow_limit = slow_limit  # workers that queries which timed out recently may hold at once
        self.wake_keeper = wake_keeper
        self.lock = threading.Lock()
        self.build = build  # the build directory served now
        self.generation = 0
        self.workers: set[Worker] = set()  # ready processes, idle or busy, of any generation
        self.idle: deque[Worker] = deque()
        self.waiters: deque[Waiter] = deque()
        self.booting: set[Worker] = set()  # started, not ready yet
        self.corpses: list[Worker] = []  # ended or ending: the keeper reaps them
        self.slow_running = 0
        self.started = 0  # worker processes started, the first ones included

    def take_idle(self, slow: bool) -> Worker | None:  # with self.lock held
        if slow and self.slow_running >= self.slow_limit:
            return None
        while self.idle:
            w = self.idle.popleft()
            if w.exited():  # died while idle: the keeper replaces it
                self.workers.discard(w)
                self.corpses.append(w)
                self.wake_keeper()
                continue
            self.mark_busy(w, slow)
            return w
        return None

    def mark_busy(self, worker: Worker, slow: bool) -> None:  # with self.lock held
        worker.busy, worker.slow = True, slow
        self.slow_running += slow

    def mark_free(self, worker: Worker) -> None:  # with self.lock held
        self.slow_running -= worker.slow
        worker.busy = worker.slow = False

    def next_waiter(self) -> Waiter | None:  # with self.lock held
        """The first waiting request that may take a worker now (a slow one only under `slow_limit`)."""
        for i, waiter in enumerate(self.waiters):
            if not waiter.slow or self.slow_running < self.slow_limit:
                del self.waiters[i]
                return waiter
        return None

    def enqueue(self, wake: Callable[[], None], slow: bool) -> Worker | Waiter:
        """An idle worker at once, or a place at the end of the queue."""
        with self.lock:
            worker = self.take_idle(slow)
            if worker is not None:
                return worker
            waiter = Waiter(wake, slow)
            self.waiters.append(waiter)
            return waiter

    def claim(self, waiter: Waiter, wait: float) -> Worker:
        """After waiting: the worker handed over, or leave the queue with `ServerBusy`."""
        with self.lock:
            if waiter.worker is not None:
                return waiter.worker
            with contextlib.suppress(ValueError):  # `close` emptied the queue
                self.waiters.remove(waiter)
            queued = len(self.waiters)
        raise ServerBusy(
            f"no query worker became free within {wait:g} s ({self.size} busy, {queued} more request(s) "
            "waiting); try again later"
        )

    def acquire(self, seconds: float, wait: float, slow: bool) -> Worker:
        event = threading.Event()
        got = self.enqueue(event.set, slow)
        if isinstance(got, Worker):
            return got
        event.wait(seconds)
        return self.claim(got, wait)

    async def acquire_async(self, seconds: float, wait: float, slow: bool) -> Worker:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            loop.call_soon_threadsafe(resolve, future)

        got = self.enqueue(wake, slow)
        if isinstance(got, Worker):
            return got
        try:
            await asyncio.wait_for(asyncio.shield(future), seconds)
        except TimeoutError:
            pass
        except BaseException:  # cancelled while waiting: give back a worker handed over meanwhile
            with self.lock:
                handed = got.worker
                if handed is None:
                    with contextlib.suppress(ValueError):
                        self.waiters.remove(got)
            if handed is not None:
                self.release(handed)
            raise
        return self.claim(got, wait)

    def spawn(self, build: Path, generation: int) -> Worker:
        w = Worker(build, self.in_memory, self.max_rows, generation)
        with self.lock:
            self.started += 1
            self.booting.add(w)
        return w

    def admit_ready(self, workers: list[Worker]) -> None:
        with self.lock:
            for w in workers:
                self.booting.discard(w)
                self.workers.add(w)
        for w in workers:
            self.release(w)

    def release(self, worker: Worker) -> None:
        """A worker free again: to the first waiting request, else idle; retired if of an older version."""
        while True:
            with self.lock:
                self.mark_free(worker)
                if worker not in self.workers:  # ended meanwhile (the keeper noticed)
                    self.corpses.append(worker)
                    self.wake_keeper()
                    return
                if worker.generation != self.generation:
                    self.workers.discard(worker)
                    self.retire(worker)
                    return
                waiter = self.next_waiter()
                if waiter is None:
                    self.idle.append(worker)
                    return
                waiter.worker = worker
                self.mark_busy(worker, waiter.slow)
            try:
                waiter.wake()
                return
            except RuntimeError:  # the waiter's event loop is closed: nobody takes it, try the next one
                continue

    def retire(self, worker: Worker) -> None:  # with self.lock held
        with contextlib.suppress(OSError):
            worker.conn.send(None)
        worker.retire_by = time.monotonic() + RETIRE_GRACE
        self.corpses.append(worker)
        self.wake_keeper()

    def discard(self, worker: Worker) -> None:
        """Kill a worker without waiting (its query ran too long, or it ended): the keeper reaps and replaces it."""
        with contextlib.suppress(OSError):
            worker.process.kill()
        with self.lock:
            was_slow = worker.slow
            self.mark_free(worker)
            self.workers.discard(worker)
            self.corpses.append(worker)
            self.wake_keeper()
            # a slow query's place is free: an idle worker may now go to a slow request that waits for one
            spare = self.idle.popleft() if was_slow and self.idle and self.waiters else None
        if spare is not None:
            self.release(spare)
