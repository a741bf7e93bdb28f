"""Which queries the query pool lets in: per-client slots, and a quarantine for queries that crash workers.

Both are decided before a query waits for a worker, so a refused query costs no worker and no queue place.
A query is known by its fingerprint (its text with whitespace collapsed, and its protocol dataset): the
same runaway sent with other line breaks, or with other formats asked for the answer, is the same query.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

from kg.errors import QueryQuarantined, TooManyQueries

MAX_TRACKED = 10_000  # fingerprints remembered at most: a flood of distinct crashing queries cannot grow memory


def fingerprint(query: str, default_graphs: tuple[str, ...] | None, named_graphs: tuple[str, ...] | None) -> str:
    """A short stable key for a query over a dataset (answer formats do not change what the engine runs)."""
    text = " ".join(query.split())
    dataset = f"{default_graphs!r}\x00{named_graphs!r}"
    return hashlib.sha256(f"{text}\x00{dataset}".encode()).hexdigest()[:32]


class CrashLedger:
    """Counts the worker crashes each query caused; `strikes` within `period` seconds bar it for `period`."""

    def __init__(self, strikes: int = 2, period: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.strikes = strikes
        self.period = period
        self._clock = clock
        self._crashes: dict[str, list[float]] = {}
        self._barred: dict[str, float] = {}  # fingerprint -> until (clock time)
        self._lock = threading.Lock()

    def check(self, key: str) -> None:
        """Raise `QueryQuarantined` if this query is barred now."""
        with self._lock:
            until = self._barred.get(key)
            now = self._clock()
            if until is None or until <= now:
                self._barred.pop(key, None)
                return
        minutes = max(1, round((until - now) / 60))
        raise QueryQuarantined(
            f"this query (with this dataset) made a query worker crash {self.strikes} times; it is refused for "
            f"about {minutes} more minute(s) without being run. Simplify it (less nesting, fewer joins)"
        )

    def record(self, key: str) -> bool:
        """Note one crash caused by this query; True if that bars it."""
        with self._lock:
            now = self._clock()
            recent = [t for t in self._crashes.get(key, []) if now - t < self.period] + [now]
            if len(recent) >= self.strikes:
                self._crashes.pop(key, None)
                self._barred[key] = now + self.period
                barred = True
            else:
                self._crashes[key] = recent
                barred = False
            self._prune(now)
            return barred

    def barred(self) -> int:
        """How many queries are barred now."""
        with self._lock:
            now = self._clock()
            return sum(1 for until in self._barred.values() if until > now)

    def _prune(self, now: float) -> None:
        self._barred = {k: u for k, u in self._barred.items() if u > now}
        self._crashes = {k: ts for k, ts in self._crashes.items() if now - ts[-1] < self.period}
        for table in (self._crashes, self._barred):
            while len(table) > MAX_TRACKED:  # dicts keep insertion order: drop the oldest
                del table[next(iter(table))]


class ClientSlots:
    """At most `limit` queries (running or waiting) per client address; 0 = no limit."""

    def __init__(self, limit: int = 0) -> None:
        self.limit = limit
        self._held: Counter[str] = Counter()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def hold(self, client: str | None) -> Iterator[None]:
        """Take one of the client's slots for the duration, or raise `TooManyQueries` (nothing waits)."""
        if not self.limit or client is None:
            yield
            return
        with self._lock:
            if self._held[client] >= self.limit:
                raise TooManyQueries(
                    f"this client already has {self.limit} quer{'y' if self.limit == 1 else 'ies'} running or "
                    "waiting, the most one client may have at once; wait for an answer before sending more"
                )
            self._held[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._held[client] -= 1
                if self._held[client] <= 0:
                    del self._held[client]

    def held(self, client: str) -> int:
        with self._lock:
            return self._held.get(client, 0)


class RecentTimeouts:
    """Queries that ran out of time in the last `period` seconds: the pool lets them hold fewer workers, so
    that a runaway sent again and again cannot take every worker while it is stopped each time."""

    def __init__(self, period: float = 600.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.period = period
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def note(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            self._until.pop(key, None)
            self._until[key] = now + self.period
            self._until = {k: u for k, u in self._until.items() if u > now}
            while len(self._until) > MAX_TRACKED:
                del self._until[next(iter(self._until))]

    def __contains__(self, key: str) -> bool:
        with self._lock:
            until = self._until.get(key)
            return until is not None and until > self._clock()
