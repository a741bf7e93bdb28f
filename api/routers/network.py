"""Networks for researchers over HTTP: `/network`, `/network/neighbourhood`, `/network/paths`.

The same `kg.network` functions as `kg network`, run on the store interface (through the worker pool, so
the time limit holds). Their rows are kept per dataset version (kg.store.cache): the network is small, its queries are the
expensive part, and the answer can only change when `kg build` publishes a new store. Bad inputs are the
`UsageError`s `kg.network` raises — one set of checks and messages for the CLI and the API — hence 400.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Query, Request, Response

from api import caching, conneg
from api.deps import CachedStoreDep, SettingsDep
from api.errors import PROBLEM_SCHEMA
from kg import network as kgnetwork
from kg import network_export
from kg.config import Settings
from kg.errors import BadParameter
from kg.sources.namespaces import BASE
from kg.store.interface import Queryable

router = APIRouter(prefix="/network", tags=["network"])

OFFERS: tuple[conneg.Format, ...] = tuple(
    conneg.Format(key, network_export.FORMATS[key].split(";")[0], (), (key,))
    for key in ("json", "graphml", "gexf", "csv")
)
"""The export formats by Accept; node-link JSON is the default."""
EXAMPLE_TERRITORY = BASE + "id/territory/ardeche-drome-nord"


FormatQuery = Annotated[
    str | None,
    Query(
        alias="format",
        description="graphml, gexf, csv (edge list) or json (node-link data); wins over Accept "
        "(application/json, application/graphml+xml, application/gexf+xml, text/csv). Default json.",
        json_schema_extra={"enum": list(network_export.FORMATS)},
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
        if requested not in network_export.FORMATS:
            keys = ", ".join(f.key for f in OFFERS)
            raise BadParameter("format", f"unknown network format {requested!r} (use one of {keys})")
        return requested
    return conneg.choose(accept, OFFERS, what="a network").key


def cached(
    request: Request,
    settings: Settings,
    store: Queryable,
    parts: tuple[object, ...],
    media_type: str,
    make: Callable[[], bytes],
) -> Response:
    """304 when If-None-Match names this answer's ETag, else the answer `make` builds, with cache headers."""
    tag = caching.etag(store.version, "network", *parts)
    if (unchanged := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return unchanged
    body = make()
    return Response(body, media_type=media_type, headers=caching.headers(tag, settings.cache_max_age, len(body)))


def _export(g: Callable[[], nx.Graph], fmt: str) -> Callable[[], bytes]:
    return lambda: network_export.export(g(), fmt)


@router.get(
    "", summary="The actor network or the full network, with centrality", response_class=Response, responses=_RESPONSES
)
def network(
    request: Request,
    settings: SettingsDep,
    store: CachedStoreDep,
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
        return kgnetwork.add_centrality(kgnetwork.network(store, kind, territory))

    parts = ("network", kind, territory, chosen)
    return cached(request, settings, store, parts, network_export.FORMATS[chosen], _export(build, chosen))


@router.get(
    "/neighbourhood",
    summary="Everything within N links of a resource",
    response_class=Response,
    responses=_RESPONSES,
)
def neighbourhood(
    request: Request,
    settings: SettingsDep,
    store: CachedStoreDep,
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
        store,
        parts,
        network_export.FORMATS[chosen],
        _export(lambda: kgnetwork.neighbourhood(store, iri, hops), chosen),
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
    store: CachedStoreDep,
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
        found = kgnetwork.shortest_paths(store, source, target, max_paths)
        return json.dumps(found, ensure_ascii=False).encode("utf-8")

    return cached(request, settings, store, ("paths", source, target, max_paths), "application/json", make)
