"""The application factory: `create_app(settings)` wires settings, the query pool, routers, errors and middleware.

Nothing is read or started at import time. Without a pool, the app's lifespan checks that there are shapes
(else it refuses to start), starts a pool over `settings.store` (in memory when small enough) and stops it at
shutdown; tests pass their own pool.
`uvicorn --factory api.main:from_environment` serves with settings from `KG_*` variables.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from kg.config import Settings
from kg.errors import StoreMissing
from kg.ingest.shapes_required import load_shapes
from kg.store.cache import AnswerCache
from kg.store.interface import Queryable
from kg.store.pool import QueryPool, choose_in_memory
from kg.store.remote import open_remote

from . import errors, writes
from .caching import GZIP_MINIMUM_SIZE
from .head import HeadAsGet
from .limits import RequestLimits
from .methods import OptionsAllow
from .routers import (
    catalog,
    context,
    docs,
    download,
    graphs,
    meta,
    network,
    queries,
    sparql,
)
from .service_description import MAX_ROWS_HEADER, TRUNCATED_HEADER
from .stats import StatsCache
from .web import static
from .web.routers import funding, home, ontology, resources, shapes, validation
from .web.routers import network as network_page

log = logging.getLogger(__name__)


def _version() -> str:
    """The distribution's version (read from its metadata: `kg` may be a namespace package under pytest)."""
    try:
        return version("territoires-industrie-kg")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def open_store(settings: Settings) -> Queryable:
    """The store the settings choose: the embedded Oxigraph pool, or a remote SPARQL 1.1 store."""
    if settings.backend == "sparql":
        store = open_remote(settings)
        store.metadata()  # StoreMissing (503s that say so) when nothing is published there yet
        return store
    return open_pool(settings)


def open_pool(settings: Settings) -> QueryPool:
    """The worker pool the settings describe."""
    return QueryPool(
        settings.store,
        workers=settings.workers,
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        in_memory=choose_in_memory(settings.store, settings.in_memory, settings.in_memory_max_triples),
        queue_timeout=settings.queue_timeout,
        max_per_client=settings.max_queries_per_client,
    )


def create_app(settings: Settings, store: Queryable | None = None) -> FastAPI:
    """The SPARQL endpoint over `settings.store`, or over `store` when given (the caller then owns it)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own: Queryable | None = None
        if app.state.store is None:
            # serving for real: refuse to start when /validate and the writes would check nothing
            await run_in_threadpool(load_shapes, settings.shapes_dir)
            threading.Thread(target=writes.warm_up, args=(settings,), daemon=True, name="kg-warm-up").start()
            try:
                own = await run_in_threadpool(open_store, settings)
                if settings.cache_bytes:  # every route queries through it (kg.store.cache.AnswerCache)
                    own = AnswerCache(own, settings.cache_bytes)
            except StoreMissing as e:  # serve 503s that say so, rather than not start at all
                log.error("%s", e)
                app.state.store_error = e
            app.state.store = own
        try:
            yield
        finally:
            if own is not None:
                app.state.store = None
                await run_in_threadpool(own.close)

    app = FastAPI(
        title="Territoires d'industrie — SPARQL endpoint",
        description="Read-only W3C SPARQL 1.1 Protocol endpoint over the Territoires d'industrie knowledge graph, "
        "its canned queries (`/queries`) and its networks for researchers (`/network`). "
        "The default graph is the union of all named graphs.",
        version=_version(),
        lifespan=lifespan,
        docs_url=None,  # FastAPI's pages load their scripts from a CDN: api/routers/docs.py serves local ones
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.store_error = None
    app.state.stats = StatsCache()
    app.state.row_cache = None  # api.deps.get_row_cache: rows of the network and funding pages, per version
    errors.install(app)
    app.include_router(sparql.router)
    app.include_router(meta.router)
    app.include_router(download.router)
    app.include_router(catalog.router)
    app.include_router(context.router)
    app.include_router(queries.build_router())
    app.include_router(network.router)
    app.include_router(home.router)
    app.include_router(resources.router)
    app.include_router(ontology.router)
    app.include_router(network_page.router)
    app.include_router(funding.router)
    app.include_router(shapes.router)
    app.include_router(graphs.router)
    app.include_router(validation.router)
    docs.install(app)
    static.install(app)
    # added innermost first: CORS wraps everything, so even a 413, 414 or 431 carries its headers, and answers
    # preflights before OptionsAllow answers plain OPTIONS
    app.add_middleware(OptionsAllow)
    app.add_middleware(
        RequestLimits,
        max_body=settings.max_request_bytes,
        max_target=settings.max_url_length,
        max_upload=settings.max_upload_bytes,
        max_headers=settings.max_header_bytes,
    )
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_SIZE)
    app.add_middleware(HeadAsGet)  # outside GZip: HEAD carries the Content-Encoding and Content-Length of GET's body
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["ETag", TRUNCATED_HEADER, MAX_ROWS_HEADER, "Retry-After"],
        max_age=86400,
    )
    return app


def from_environment() -> FastAPI:
    """The app with settings from `KG_*` environment variables (for `uvicorn --factory`)."""
    return create_app(Settings())
