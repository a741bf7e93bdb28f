"""VoID statistics of the served dataset, computed once per dataset version with canned queries.

The numbers are queried rather than hand-maintained (`kg/queries/void-*.rq`), through the same worker
pool as any query, and kept until the pool serves another version.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from kg import queries
from kg.store.interface import Queryable


@dataclass(frozen=True)
class GraphStats:
    """One named graph: its name, size, and what its own description says about it."""

    name: str
    triples: int
    kind: str | None = None  # ti:SourceDocument, ti:Dataset or owl:Ontology
    title: str | None = None
    seed_file: str | None = None
    license: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class DatasetStats:
    """The whole dataset: version, size and distinct counts of its default graph, and its named graphs."""

    version: str
    built_at: str
    triples: int  # distinct triples of the default graph (the union of the named graphs)
    entities: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int
    graphs: tuple[GraphStats, ...]


def _rows(store: Queryable, name: str) -> list[dict[str, str]]:
    """Every row of an internal VoID query, paged past the store's row limit (they end with ORDER BY)."""
    return [{k: v for k, v in row.items() if v is not None} for row in store.rows(queries.internal(name).text)]


def compute(store: Queryable) -> DatasetStats:
    """Run the VoID queries on the pool's dataset."""
    (totals,) = _rows(store, "void-statistics")
    graphs = tuple(
        GraphStats(
            name=row["graph"],
            triples=int(row["triples"]),
            kind=row.get("kind"),
            title=row.get("title"),
            seed_file=row.get("seedFile"),
            license=row.get("license"),
            source=row.get("source"),
        )
        for row in _rows(store, "void-graphs")
    )
    return DatasetStats(
        version=store.version,
        built_at=store.built_at or "",
        triples=int(totals["triples"]),
        entities=int(totals["entities"]),
        classes=int(totals["classes"]),
        properties=int(totals["properties"]),
        distinct_subjects=int(totals["distinctSubjects"]),
        distinct_objects=int(totals["distinctObjects"]),
        graphs=graphs,
    )


class StatsCache:
    """The statistics of the version being served; computed by the first request that needs them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stats: DatasetStats | None = None

    def get(self, store: Queryable) -> DatasetStats:
        with self._lock:
            if self._stats is None or self._stats.version != store.version:
                self._stats = compute(store)
            return self._stats
