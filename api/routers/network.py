"""Networks for researchers over HTTP: `/network`, `/network/neighbourhood`, `/network/paths`.

The same `kg.network` functions as `kg network`, run on the store interface (through the worker pool, so
the time limit holds). Their rows are kept per dataset version (kg.store.cache): the network is small, its queries are the
expensive part, and the answer can only change when `kg build` publishes a new store. Bad inputs are the
`UsageError`s `kg.network` raises — one set of checks and messages for the CLI and the API — hence 400.
Resources are named as on `/resource`: an IRI or a prefixed name (`actor:bpifrance`), read by the same
`kg.docs.describe.parse_iri`. A network is a file to open in Gephi or Cytoscape: it comes as an attachment
with a file name that says what it holds (`network-actors.graphml`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Query, Request, Response

from kg import network as kgnetwork
from kg import network_export
from kg.config import Settings
from kg.docs.describe import parse_iri
from kg.errors import BadParameter
from kg.sources.namespaces import BASE
from kg.store.interface import Queryable

from .. import caching, conneg
from ..deps import CachedStoreDep, SettingsDep
from ..errors import PROBLEM_SCHEMA

router = APIRouter(prefix="/network", tags=["network"])

OFFERS: tuple[conneg.Format, ...] = tuple(
    conneg.Format(key, network_export.FORMATS[key].split(";")[0], (), (key,))
    for key in ("json", "graphml", "gexf", "csv")
)
"""The export formats by Accept; node-link JSON is the default."""
EXAMPLE_TERRITORY = BASE + "id/territory/ardeche-drome-nord"
_NAMED = "an IRI, or a prefixed name such as `{}` (the prefixes of `/resource`)"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


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


def resource(value: str | None, name: str) -> str | None:
    """An IRI from what the parameter holds, as `/resource` reads it; None (no filter) for nothing at all."""
    return None if value is None or value == "" else parse_iri(value, name)


def file_name(*parts: object, fmt: str) -> str:
    """A download's file name from what it holds: `network-full-territory-ardeche-drome-nord.gexf`."""
    words = [str(p).removeprefix(BASE + "id/").removeprefix(BASE) for p in parts if p is not None]
    stem = _UNSAFE.sub("-", "-".join(words)).strip("-.") or "network"
    return f"{stem}.{fmt}"


def cached(
    request: Request,
    settings: Settings,
    store: Queryable,
    parts: tuple[object, ...],
    media_type: str,
    make: Callable[[], bytes],
    filename: str | None = None,
) -> Response:
    """304 when If-None-Match names this answer's ETag, else the answer `make` builds, with cache headers;
    with `filename`, as an attachment of that name."""
    tag = caching.etag(store.version, "network", *parts)
    if (unchanged := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return unchanged
    body = make()
    headers = caching.headers(tag, settings.cache_max_age, len(body))
    if filename is not None:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers=headers)


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
            description="Only links concerning this territory: " + _NAMED.format("territory:ardeche-drome-nord") + ".",
            json_schema_extra={"example": EXAMPLE_TERRITORY},
        ),
    ] = None,
) -> Response:
    """Nodes carry type, label, IRI, official code where there is one, degree and betweenness; edges the
    relation, its label and the documents (named graphs) that state it. As `kg network` exports it."""
    chosen = network_format(fmt, request.headers.get("accept"))
    area = resource(territory, "territory")

    def build() -> nx.Graph:
        return kgnetwork.add_centrality(kgnetwork.network(store, kind, area))

    parts = ("network", kind, area, chosen)
    name = file_name("network", kind, area, fmt=chosen)
    return cached(request, settings, store, parts, network_export.FORMATS[chosen], _export(build, chosen), name)


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
            description="The resource at the centre (a territory, an actor, a scheme…): "
            + _NAMED.format("territory:ardeche-drome-nord")
            + ".",
            json_schema_extra={"example": EXAMPLE_TERRITORY},
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
    centre = parse_iri(iri, "iri")
    parts = ("neighbourhood", centre, hops, chosen)
    return cached(
        request,
        settings,
        store,
        parts,
        network_export.FORMATS[chosen],
        _export(lambda: kgnetwork.neighbourhood(store, centre, hops), chosen),
        file_name("neighbourhood", centre, f"{hops}-hops", fmt=chosen),
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
            description="Where the paths start: " + _NAMED.format("actor:anct") + ".",
            json_schema_extra={"example": BASE + "id/actor/anct"},
        ),
    ],
    target: Annotated[
        str,
        Query(
            description="Where they end: " + _NAMED.format("actor:bpifrance") + ".",
            json_schema_extra={"example": BASE + "id/actor/bpifrance"},
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

    start, end = parse_iri(source, "source"), parse_iri(target, "target")

    def make() -> bytes:
        found = kgnetwork.shortest_paths(store, start, end, max_paths)
        return json.dumps(found, ensure_ascii=False).encode("utf-8")

    return cached(request, settings, store, ("paths", start, end, max_paths), "application/json", make)
