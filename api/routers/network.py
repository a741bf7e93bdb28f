"""Networks for researchers over HTTP: `/network`, `/network/neighbourhood`, `/network/paths`.

The same `kg.network` functions as `kg network`, given a `select` that runs through the worker pool (so the
time limit holds). Their rows are kept per dataset version: the network is small, its queries are the
expensive part, and the answer can only change when `kg build` publishes a new store. Bad inputs are the
`UsageError`s `kg.network` raises — one set of checks and messages for the CLI and the API — hence 400.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Depends, Query, Request, Response

from api import caching, conneg
from api.deps import PoolDep, SettingsDep, pool_select
from api.routers.queries import PROBLEM_SCHEMA
from kg import network as kgnetwork
from kg.config import Settings
from kg.errors import BadParameter
from kg.network import Select
from kg.sources.namespaces import BASE
from kg.store.pool import QueryPool

router = APIRouter(prefix="/network", tags=["network"])

OFFERS: tuple[conneg.Format, ...] = tuple(
    conneg.Format(key, kgnetwork.FORMATS[key].split(";")[0], (), (key,)) for key in ("json", "graphml", "gexf", "csv")
)
"""The export formats by Accept; node-link JSON is the default."""
EXAMPLE_TERRITORY = BASE + "id/territory/ardeche-drome-nord"
MAX_CACHED_QUERIES = 128


class SelectCache:
    """Rows of the network queries for the dataset version being served, least recently used dropped first."""

    def __init__(self, max_entries: int = MAX_CACHED_QUERIES) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._rows: OrderedDict[str, list[dict[str, str | None]]] = OrderedDict()
        self._max = max_entries

    def select(self, pool: QueryPool) -> Select:
        """A `select` over the pool that answers a query it has seen for this version from memory."""
        run = pool_select(pool)

        def select(query: str) -> list[dict[str, str | None]]:
            with self._lock:
                if self._version != pool.version:
                    self._version, self._rows = pool.version, OrderedDict()
                if query in self._rows:
                    self._rows.move_to_end(query)
                    return self._rows[query]
            rows = run(query)
            with self._lock:
                if self._version == pool.version:
                    self._rows[query] = rows
                    while len(self._rows) > self._max:
                        self._rows.popitem(last=False)
            return rows

        return select


def get_select(request: Request, pool: PoolDep) -> Select:
    """The pool's `select`, through the app's cache of network rows."""
    cache: SelectCache = request.app.state.network_rows
    return cache.select(pool)


SelectDep = Annotated[Select, Depends(get_select)]
FormatQuery = Annotated[
    str | None,
    Query(
        alias="format",
        description="graphml, gexf, csv (edge list) or json (node-link data); wins over Accept "
        "(application/json, application/graphml+xml, application/gexf+xml, text/csv). Default json.",
        json_schema_extra={"enum": list(kgnetwork.FORMATS)},
    ),
]
_PROBLEM = {"content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The network", "content": {f.media_type: {} for f in OFFERS}},
    304: {"description": "Not modified (If-None-Match matched the ETag)"},
    400: {"description": "Unknown kind or format, bad IRI, unknown resource, hops out of range", **_PROBLEM},
    406: {"description": "No acceptable format (the problem lists what is available)"},
    503: {"description": "Query timeout, every worker busy, or no store"},
}


def network_format(requested: str | None, accept: str | None) -> str:
    """The export format: the `format` parameter if given (else a 400), else by Accept (else a 406)."""
    if requested is not None:
        if requested not in kgnetwork.FORMATS:
            keys = ", ".join(f.key for f in OFFERS)
            raise BadParameter("format", f"unknown network format {requested!r} (use one of {keys})")
        return requested
    return conneg.choose(accept, OFFERS, what="a network").key


def cached(
    request: Request,
    settings: Settings,
    pool: QueryPool,
    parts: tuple[object, ...],
    media_type: str,
    make: Callable[[], bytes],
) -> Response:
    """304 when If-None-Match names this answer's ETag, else the answer `make` builds, with cache headers."""
    tag = caching.etag(pool.version, "network", *parts)
    if (unchanged := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return unchanged
    body = make()
    return Response(body, media_type=media_type, headers=caching.headers(tag, settings.cache_max_age, len(body)))


def _export(g: Callable[[], nx.Graph], fmt: str) -> Callable[[], bytes]:
    return lambda: kgnetwork.export(g(), fmt)


@router.get(
    "", summary="The actor network or the full network, with centrality", response_class=Response, responses=_RESPONSES
)
def network(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    select: SelectDep,
    fmt: FormatQuery = None,
    kind: Annotated[
        str,
        Query(
            description="actors: actors linked when they take part in the same thing; full: every stated relation "
            "between the network's resources.",
            json_schema_extra={"enum": list(kgnetwork.KINDS)},
        ),
    ] = "actors",
    territory: Annotated[
        str | None,
        Query(
            description="Only links concerning this territory (its IRI).",
            json_schema_extra={"format": "uri", "example": EXAMPLE_TERRITORY},
        ),
    ] = None,
) -> Response:
    """Nodes carry type, label, IRI, official code where there is one, degree and betweenness; edges the
    relation, its label and the documents (named graphs) that state it. As `kg network` exports it."""
    chosen = network_format(fmt, request.headers.get("accept"))

    def build() -> nx.Graph:
        return kgnetwork.add_centrality(kgnetwork.network(select, kind, territory))

    parts = ("network", kind, territory, chosen)
    return cached(request, settings, pool, parts, kgnetwork.FORMATS[chosen], _export(build, chosen))


@router.get(
    "/neighbourhood",
    summary="Everything within N links of a resource",
    response_class=Response,
    responses=_RESPONSES,
)
def neighbourhood(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    select: SelectDep,
    iri: Annotated[
        str,
        Query(
            description="The resource at the centre (a territory, an actor, a scheme…).",
            json_schema_extra={"format": "uri", "example": EXAMPLE_TERRITORY},
        ),
    ],
    hops: Annotated[
        int,
        Query(
            description=f"How many links away, in either direction (1 to {kgnetwork.MAX_HOPS}).",
            json_schema_extra={"minimum": 1, "maximum": kgnetwork.MAX_HOPS},
        ),
    ] = 1,
    fmt: FormatQuery = None,
) -> Response:
    """A subgraph of the full network, with centrality computed on the subgraph."""
    chosen = network_format(fmt, request.headers.get("accept"))
    parts = ("neighbourhood", iri, hops, chosen)
    return cached(
        request,
        settings,
        pool,
        parts,
        kgnetwork.FORMATS[chosen],
        _export(lambda: kgnetwork.neighbourhood(select, iri, hops), chosen),
    )


@router.get(
    "/paths",
    summary="The shortest paths between two resources, each step with its relation and sources",
    responses={
        **_RESPONSES,
        200: {"description": "A list of paths; each a list of steps", "content": {"application/json": {}}},
    },
    response_class=Response,
)
def paths(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    select: SelectDep,
    source: Annotated[
        str,
        Query(
            description="Where the paths start (an IRI).",
            json_schema_extra={"format": "uri", "example": BASE + "id/actor/anct"},
        ),
    ],
    target: Annotated[
        str,
        Query(
            description="Where they end (an IRI).",
            json_schema_extra={"format": "uri", "example": BASE + "id/actor/bpifrance"},
        ),
    ],
    max_paths: Annotated[
        int,
        Query(
            description=f"At most this many paths (1 to {kgnetwork.MAX_PATHS}).",
            json_schema_extra={"minimum": 1, "maximum": kgnetwork.MAX_PATHS},
        ),
    ] = 5,
) -> Response:
    """Steps are `{from, from_label, to, to_label, relation, relation_label, inverse, via, roles, sources}`;
    `inverse` is true when the documents state the relation from `to` to `from`. No path: `[]`."""

    def make() -> bytes:
        found = kgnetwork.shortest_paths(select, source, target, max_paths)
        return json.dumps(found, ensure_ascii=False).encode("utf-8")

    return cached(request, settings, pool, ("paths", source, target, max_paths), "application/json", make)
