"""Rows remembered for the version being served: the network and funding pages ask the same queries again.

`RowCache` wraps any `Queryable`: `rows(query)` answers a query it has seen for the current version from
memory (least recently used dropped first) and forgets everything when the version changes; every other
call goes to the store underneath.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest

MAX_CACHED_QUERIES = 128


class RowCache(Queryable):
    """A `Queryable` that remembers `rows()` answers per dataset version."""

    def __init__(self, store: Queryable, max_entries: int = MAX_CACHED_QUERIES) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._version: str | None = None
        self._rows: OrderedDict[str, list[dict[str, str | None]]] = OrderedDict()
        self._max = max_entries

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
