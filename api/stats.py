"""VoID statistics of the served dataset, computed once per dataset version with canned queries.

The numbers are queried rather than hand-maintained (`kg/queries/void-*.rq`), through the same worker
pool as any query, and kept until the pool serves another version.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from kg import queries
from kg.store.pool import QueryPool, QueryRequest


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


def _rows(pool: QueryPool, name: str) -> list[dict[str, str]]:
    """Every row of a canned query, fetched in pages of `max_rows` so the pool's row limit cuts nothing.

    The VoID queries end with ORDER BY, so LIMIT/OFFSET pages are stable; the integers appended are ours.
    """
    text, offset = queries.internal(name).text.rstrip(), 0
    rows: list[dict[str, str]] = []
    while True:
        page = f"{text}\nLIMIT {pool.max_rows} OFFSET {offset}"
        answer = pool.run(QueryRequest(page, result_format="json"))
        bindings = json.loads(answer.body)["results"]["bindings"]
        rows += [{var: term["value"] for var, term in row.items()} for row in bindings]
        if len(bindings) < pool.max_rows:
            return rows
        offset += pool.max_rows


def compute(pool: QueryPool) -> DatasetStats:
    """Run the VoID queries on the pool's dataset."""
    (totals,) = _rows(pool, "void-statistics")
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
        for row in _rows(pool, "void-graphs")
    )
    return DatasetStats(
        version=pool.version,
        built_at=pool.info.built_at,
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

    def get(self, pool: QueryPool) -> DatasetStats:
        with self._lock:
            if self._stats is None or self._stats.version != pool.version:
                self._stats = compute(pool)
            return self._stats
