"""What handlers depend on, taken from the application (never from module globals), so tests can swap it.

`create_app` puts the settings, the query pool and the statistics cache on `app.state`; handlers ask for
them through these dependencies, which `app.dependency_overrides` can replace.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from api.protocol import ProtocolRequest, read_request
from api.stats import DatasetStats, StatsCache
from kg.config import Settings
from kg.errors import StoreMissing
from kg.network import Select
from kg.store.pool import QueryPool, QueryRequest, current_client


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_pool(request: Request) -> QueryPool:
    """The query pool; `StoreMissing` (503) when the app started without a store.

    Every route reaches the pool through here, so this is where the request's client address is noted
    (`kg.store.pool.current_client`, a context variable: it follows the request into the thread of a plain
    `def` handler and into its dependencies). The pool counts each query against that address when
    `max_queries_per_client` is set, without any route having to pass it along.
    """
    pool: QueryPool | None = request.app.state.pool
    if pool is None:
        raise request.app.state.pool_error or StoreMissing("the query pool is not running")
    current_client.set(request.client.host if request.client else None)
    return pool


async def get_stats_cache(request: Request) -> StatsCache:
    cache: StatsCache = request.app.state.stats
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[QueryPool, Depends(get_pool)]
StatsCacheDep = Annotated[StatsCache, Depends(get_stats_cache)]
ProtocolDep = Annotated[ProtocolRequest, Depends(read_request)]


def get_stats(pool: PoolDep, cache: StatsCacheDep) -> DatasetStats:
    """The VoID statistics of the served version (a plain def: the first call queries the pool)."""
    return cache.get(pool)


StatsDep = Annotated[DatasetStats, Depends(get_stats)]


# --- SELECT through the pool -------------------------------------------------------------------------------


def solution_rows(body: bytes) -> list[dict[str, str | None]]:
    """Rows of a SPARQL JSON answer as `kg.store.local.select` gives them: every variable, its value or None.

    An ASK answer is one row `{"boolean": "true"|"false"}`, as in `kg.store.local.to_table`.
    """
    data: dict[str, Any] = json.loads(body)
    if "boolean" in data:
        return [{"boolean": "true" if data["boolean"] else "false"}]
    variables: list[str] = data["head"].get("vars", [])
    return [
        {v: (term["value"] if (term := row.get(v)) is not None else None) for v in variables}
        for row in data["results"]["bindings"]
    ]


def pool_select(pool: QueryPool) -> Select:
    """The `select` function `kg.network` takes, run through the pool so its time limit holds.

    The pool cuts answers at `max_rows`; a network must not silently lose edges, so a cut answer is
    fetched again in LIMIT/OFFSET pages (the network queries end with ORDER BY, so the pages are stable).
    """

    def select(query: str) -> list[dict[str, str | None]]:
        answer = pool.run(QueryRequest(query, result_format="json"))
        if not answer.truncated:
            return solution_rows(answer.body)
        rows: list[dict[str, str | None]] = []
        text, offset = query.rstrip(), 0
        while True:
            page = pool.run(QueryRequest(f"{text}\nLIMIT {pool.max_rows} OFFSET {offset}", result_format="json"))
            page_rows = solution_rows(page.body)
            rows += page_rows
            if len(page_rows) < pool.max_rows:
                return rows
            offset += pool.max_rows

    return select
