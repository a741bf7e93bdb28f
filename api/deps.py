"""What handlers depend on, taken from the application (never from module globals), so tests can swap it.

`create_app` puts the settings, the store and the statistics cache on `app.state`; handlers ask for
them through these dependencies, which `app.dependency_overrides` can replace.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from kg.config import Settings
from kg.errors import StoreMissing
from kg.store.cache import RowCache
from kg.store.interface import Queryable
from kg.store.pool import current_client

from .protocol import ProtocolRequest, read_request
from .stats import DatasetStats, StatsCache


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


async def get_store(request: Request) -> Queryable:
    """The store every route queries (the embedded pool, or any `Queryable`); `StoreMissing` (503) when the
    app started without one.

    Every route reaches the store through here, so this is where the request's client address is noted
    (`kg.store.pool.current_client`, a context variable: it follows the request into the thread of a plain
    `def` handler and into its dependencies). The pool counts each query against that address when
    `max_queries_per_client` is set, without any route having to pass it along.
    """
    store: Queryable | None = request.app.state.store
    if store is None:
        raise request.app.state.store_error or StoreMissing("the query pool is not running")
    current_client.set(request.client.host if request.client else None)
    if store.stale():  # another process published a build: serve it before any ETag or 304 is worked out
        await asyncio.to_thread(store.refresh)
    return store


def get_row_cache(request: Request, store: Annotated[Queryable, Depends(get_store)]) -> Queryable:
    """The store behind a cache of `rows()` answers for the version served (the network and funding pages)."""
    cache: RowCache | None = request.app.state.row_cache
    if cache is None or cache.store is not store:
        cache = request.app.state.row_cache = RowCache(store)
    return cache


async def get_stats_cache(request: Request) -> StatsCache:
    cache: StatsCache = request.app.state.stats
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Queryable, Depends(get_store)]
CachedStoreDep = Annotated[Queryable, Depends(get_row_cache)]
StatsCacheDep = Annotated[StatsCache, Depends(get_stats_cache)]
ProtocolDep = Annotated[ProtocolRequest, Depends(read_request)]


def get_stats(store: StoreDep, cache: StatsCacheDep) -> DatasetStats:
    """The VoID statistics of the served version (a plain def: the first call queries the store)."""
    return cache.get(store)


StatsDep = Annotated[DatasetStats, Depends(get_stats)]
