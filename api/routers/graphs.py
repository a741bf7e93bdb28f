"""The SPARQL 1.1 Graph Store HTTP Protocol on /graphs, and SPARQL 1.1 Update on /update.

Reads (GET, HEAD) are open to all. Writes (PUT, POST, DELETE, and every update) need the write token
(api/writes.py) and go through `kg.write.update`: validated against the shapes with the rest of the graph,
applied atomically or not at all (422 with the SHACL report), recorded in the write log, and served by
the query endpoint before the response is sent. One graph per source document: `?graph=<IRI>` names it.
The default graph is the merge of the named graphs, so it can be read (`?default`) but not written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import asdict
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from kg.errors import GraphNotFound, UsageError
from kg.sources.namespaces import TID
from kg.store.interface import Queryable
from kg.write import update as kgwrite

from .. import caching, conneg
from ..deps import SettingsDep, StoreDep
from ..errors import MethodNotAllowed, UnsupportedMediaType
from ..methods import refusal
from ..protocol import SPARQL_UPDATE, content_type, decode_body, form_fields
from ..writes import WriteContextDep, read_rdf, serve_new_version

router = APIRouter(tags=["writes"])

GRAPH_FORMATS = (conneg.TURTLE, conneg.NTRIPLES, conneg.JSONLD, conneg.RDFXML, conneg.TRIG, conneg.NQUADS)
FORM = "application/x-www-form-urlencoded"
_DEFAULT_READ_ONLY = "the default graph is the merge of the named graphs: write a named graph with ?graph=<IRI>"
_WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token, or not the write token; nothing changed."},
    403: {"description": "Writes are disabled (no KG_WRITE_TOKEN), or the graph is managed by the build."},
    422: {"description": "The data would not conform to the shapes; the store is unchanged. The body has the report."},
    503: {
        "description": "Another write held the store too long, or the update ran past the query time limit; "
        "nothing changed."
    },
}


def _target(request: Request) -> str | None:
    """The graph a request names: its IRI, or None for `?default`; 400 for neither or both."""
    params = request.query_params
    graphs = params.getlist("graph")
    if "default" in params and graphs:
        raise UsageError("give either ?graph=<IRI> or ?default, not both")
    if "default" in params:
        return None
    if len(graphs) != 1:
        raise UsageError("name one graph with ?graph=<IRI> (or ?default for the merge of all graphs)")
    iri = graphs[0].strip()
    try:
        ox.NamedNode(iri)
    except ValueError:
        raise UsageError(f"?graph={iri!r} is not an absolute IRI") from None
    if ":" not in iri:
        raise UsageError(f"?graph={iri!r} is not an absolute IRI")
    return iri


@router.get(
    "/graphs",
    summary="Read a named graph (Graph Store Protocol)",
    response_class=Response,
    responses={200: {"content": {f.media_type: {} for f in GRAPH_FORMATS}}, 404: {"description": "No such graph."}},
)
async def get_graph(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    """The triples of `?graph=<IRI>` (or `?default`, the merge), in the syntax `Accept` or `?format=` asks for."""
    graph = _target(request)
    requested = [v for k in conneg.FORMAT_PARAMETERS for v in request.query_params.getlist(k)]
    fmt = conneg.choose(request.headers.get("accept"), GRAPH_FORMATS, requested, "a graph")
    read = await run_in_threadpool(store.read_graph, graph, fmt.key)
    if not read.triples:
        raise GraphNotFound(f"no graph named <{graph}> in the store")
    tag = caching.etag(read.version, "graph", graph, fmt.key)
    if (unchanged := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return unchanged
    body = read.body
    headers = caching.headers(tag, settings.cache_max_age, len(body))
    return Response(body, media_type=fmt.content_type, headers=headers)


def _triples_for(graph: str, quads: list[ox.Quad]) -> list[ox.Triple]:
    """The body's triples: a triple syntax, or a dataset syntax holding only that graph (or triples)."""
    others = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} - {graph}
    if others or any(isinstance(q.graph_name, ox.BlankNode) for q in quads):
        names = ", ".join(f"<{g}>" for g in sorted(others)) or "a blank node"
        raise UsageError(f"the body holds other graphs than <{graph}>: {names}")
    return [q.triple for q in quads]


async def _write(store: Queryable, write: Callable[..., kgwrite.WriteReport], *args: Any) -> JSONResponse:
    """Run a write, serve its version, and answer: 201 with Location when it made a new graph, else 200;
    the body says what was done. A write that changed nothing (`changed: false`) published no version, so
    the query workers are left as they are."""
    report: kgwrite.WriteReport = await run_in_threadpool(write, *args)
    if report.changed:
        await serve_new_version(store)
    body = {k: v for k, v in asdict(report).items() if k != "validation"}
    headers = {"ETag": caching.etag(report.version, "write", report.record)}
    if report.created:
        headers["Location"] = f"/graphs?graph={quote(report.graphs[0], safe='')}"
        return JSONResponse(body, status_code=201, headers=headers)
    return JSONResponse(body, status_code=200, headers=headers)


@router.put("/graphs", summary="Create or replace a named graph (Graph Store Protocol)", responses=_WRITE_RESPONSES)
async def put_graph(request: Request, ctx: WriteContextDep, store: StoreDep) -> JSONResponse:
    """Replace `?graph=<IRI>` with the body (Turtle, N-Triples, JSON-LD, RDF/XML, or TriG/N-Quads of that graph)."""
    graph = _target(request)
    if graph is None:
        raise MethodNotAllowed(_DEFAULT_READ_ONLY, allow="GET, HEAD")
    triples = _triples_for(graph, await read_rdf(request, base_iri=graph))
    return await _write(store, kgwrite.put_graph, ctx, graph, triples)


@router.post("/graphs", summary="Add triples to a named graph (Graph Store Protocol)", responses=_WRITE_RESPONSES)
async def post_graph(request: Request, ctx: WriteContextDep, store: StoreDep) -> JSONResponse:
    """Merge the body into `?graph=<IRI>`; without `?graph`, create a new graph and answer 201 with its Location."""
    params = request.query_params
    if "default" in params:
        raise MethodNotAllowed(_DEFAULT_READ_ONLY, allow="GET, HEAD")
    graph = _target(request) if "graph" in params else None
    if graph is None:  # the Graph Store itself: a new graph with an IRI of the server's choosing
        graph = f"{TID}graph/{uuid.uuid4()}"
    triples = _triples_for(graph, await read_rdf(request, base_iri=graph))
    return await _write(store, kgwrite.post_graph, ctx, graph, triples)


@router.delete("/graphs", summary="Remove a named graph (Graph Store Protocol)", responses=_WRITE_RESPONSES)
async def delete_graph(request: Request, ctx: WriteContextDep, store: StoreDep) -> JSONResponse:
    """Remove `?graph=<IRI>`: 200 with what was removed, 404 if there is no such graph."""
    graph = _target(request)
    if graph is None:
        raise MethodNotAllowed(_DEFAULT_READ_ONLY, allow="GET, HEAD")
    return await _write(store, kgwrite.delete_graph, ctx, graph)


@router.post("/update", summary="SPARQL 1.1 Update (validated, atomic)", responses=_WRITE_RESPONSES)
async def sparql_update(request: Request, ctx: WriteContextDep, store: StoreDep) -> JSONResponse:
    """Run an update sent as `application/sparql-update` or as the form field `update` (SPARQL 1.1 Protocol)."""
    media_type, charset = content_type(request.headers.get("content-type"))
    body = await request.body()
    if media_type == SPARQL_UPDATE:
        text = decode_body(body, charset)
    elif media_type == FORM:
        params = form_fields(body)
        updates = [v for k, v in params if k == "update"]
        if len(updates) != 1:
            raise UsageError("send exactly one `update` field")
        if any(k in ("using-graph-uri", "using-named-graph-uri") for k, _ in params):
            raise UsageError("using-graph-uri and using-named-graph-uri are not supported: write USING in the update")
        text = updates[0]
    else:
        raise UnsupportedMediaType(
            f"an update is sent as {SPARQL_UPDATE} or {FORM}, not {media_type or 'a body without Content-Type'}",
            supported=[SPARQL_UPDATE, FORM],
        )
    return await _write(store, kgwrite.update, ctx, text)


@router.get("/update", include_in_schema=False)
@refusal
def update_get() -> None:
    """SPARQL 1.1 Protocol: updates are sent by POST only."""
    raise MethodNotAllowed("a SPARQL update is sent by POST", allow="POST")
