"""Answers remembered for the version being served: the same queries come again and again.

`AnswerCache` wraps the store the server queries (`KG_CACHE_BYTES`, api.main): every answer — of `/sparql`,
canned queries, pages, networks, all of which call `run` — is kept, serialised, under the dataset version,
the query text (stripped: a comment makes another query, which is how the benchmark measures misses), its
dataset and its format, up to a byte budget (least recently used dropped first), and everything is
forgotten when the version changes. Errors are never kept. `RowCache` keeps the parsed `rows()` of the
network and funding pages the same way. Both pass every other call to the store underneath.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest

MAX_CACHED_QUERIES = 128


class Wrapper(Queryable):
    """A `Queryable` in front of another, to which it passes everything it does not do itself."""

    def __init__(self, store: Queryable) -> None:
        self.store = store

    @property
    def underlying(self) -> Queryable:
        return self.store.underlying

    @property
    def max_rows(self) -> int:  # type: ignore[override]
        return self.store.max_rows

    @property
    def version(self) -> str:
        return self.store.version

    @property
    def built_at(self) -> str | None:
        return self.store.built_at

    @property
    def lacks(self) -> frozenset[str]:
        return self.store.lacks

    def run(self, req: QueryRequest) -> QueryAnswer:
        return self.store.run(req)

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        return self.store.read_graph(graph, fmt)

    async def run_async(self, req: QueryRequest) -> QueryAnswer:
        return await self.store.run_async(req)

    def stale(self) -> bool:
        return self.store.stale()

    def refresh(self) -> bool:
        return self.store.refresh()

    def health(self) -> dict[str, Any]:
        return self.store.health()

    def probe(self, seconds: float) -> str | None:
        return self.store.probe(seconds)

    def close(self) -> None:
        self.store.close()


class RowCache(Wrapper):
    """A `Queryable` that remembers `rows()` answers per dataset version."""

    def __init__(self, store: Queryable, max_entries: int = MAX_CACHED_QUERIES) -> None:
        super().__init__(store)
        self._lock = threading.Lock()
        self._version: str | None = None
        self._rows: OrderedDict[str, list[dict[str, str | None]]] = OrderedDict()
        self._max = max_entries

    def rows(self, query: str) -> list[dict[str, str | None]]:
        version = self.store.version
        with self._lock:
            if self._version != version:
                self._version, self._rows = version, OrderedDict()
            if query in self._rows:
                self._rows.move_to_end(query)
                return self._rows[query]
        rows = self.store.rows(query)
        with self._lock:
            if self._version == version:
                self._rows[query] = rows
                while len(self._rows) > self._max:
                    self._rows.popitem(last=False)
        return rows


Key = tuple[str, tuple[str, ...] | None, tuple[str, ...] | None, bool, str, str]
ENTRY_OVERHEAD = 200  # bytes of bookkeeping counted per answer besides its body and query


class AnswerCache(Wrapper):
    """A `Queryable` that remembers serialised answers per dataset version, within `budget` bytes."""

    def __init__(self, store: Queryable, budget: int) -> None:
        super().__init__(store)
        self.budget = budget
        self.largest = max(1, budget // 8)  # a bigger answer is not kept: it would push out many small ones
        self._lock = threading.Lock()
        self._version: str | None = None
        self._answers: OrderedDict[Key, QueryAnswer] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0

    @staticmethod
    def key(req: QueryRequest) -> Key:
        return (
            req.query.strip(),
            req.default_graphs,
            req.named_graphs,
            req.dataset_clause,
            req.result_format,
            req.graph_format,
        )

    def _get(self, key: Key, version: str) -> QueryAnswer | None:
        with self._lock:
            if self._version != version:
                self._version, self._answers, self._bytes = version, OrderedDict(), 0
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return answer

    def _put(self, key: Key, version: str, answer: QueryAnswer) -> None:
        size = len(answer.body) + len(key[0]) + ENTRY_OVERHEAD
        if size > self.largest:
            return
        with self._lock:
            if self._version != version or key in self._answers:
                return  # the version moved on while the query ran, or another request kept it first
            self._answers[key] = answer
            self._bytes += size
            while self._bytes > self.budget and self._answers:
                old_key, old = self._answers.popitem(last=False)
                self._bytes -= len(old.body) + len(old_key[0]) + ENTRY_OVERHEAD

    def run(self, req: QueryRequest) -> QueryAnswer:
        version, key = self.store.version, self.key(req)
        if (hit := self._get(key, version)) is not None:
            return hit
        answer = self.store.run(req)
        self._put(key, version, answer)
        return answer

    async def run_async(self, req: QueryRequest) -> QueryAnswer:
        version, key = self.store.version, self.key(req)
        if (hit := self._get(key, version)) is not None:
            return hit
        answer = await self.store.run_async(req)
        self._put(key, version, answer)
        return answer

    def stats(self) -> dict[str, int]:
        """What /health reports: hits and misses since start, answers and bytes held, the budget."""
        with self._lock:
            return {
                "hits": self.hits,
                "misses": self.misses,
                "answers": len(self._answers),
                "bytes": self._bytes,
                "budget": self.budget,
            }

    def health(self) -> dict[str, Any]:
        return {**self.store.health(), "answer_cache": self.stats()}
