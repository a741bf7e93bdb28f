"""What handlers depend on, taken from the application (never from module globals), so tests can swap it.

`create_app` puts the settings, the query pool and the statistics cache on `app.state`; handlers ask for
them through these dependencies, which `app.dependency_overrides` can replace.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.protocol import ProtocolRequest, read_request
from api.stats import DatasetStats, StatsCache
from kg.config import Settings
from kg.errors import StoreMissing
from kg.executor import QueryPool


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_pool(request: Request) -> QueryPool:
    """The query pool; `StoreMissing` (503) when the app started without a store."""
    pool: QueryPool | None = request.app.state.pool
    if pool is None:
        raise request.app.state.pool_error or StoreMissing("the query pool is not running")
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
