"""The SPARQL 1.1 Protocol endpoint, `/sparql`: queries by GET and POST, the service description by GET.

Handlers are `async`: `QueryPool.run_async` waits on the worker's pipe from the event loop, so a slow
query never holds up the others and no thread is tied up per request. Before
anything runs the query is checked (read-only, SERVICE allow-list) and the answer's format negotiated.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from kg.config import Settings
from kg.store.guard import check_request
from kg.store.interface import Queryable, QueryRequest

from .. import caching, conneg
from ..deps import ProtocolDep, SettingsDep, StatsCacheDep, StoreDep
from ..descriptions import describe_service
from ..methods import refusal
from ..protocol import FORM, SPARQL_QUERY, ProtocolRequest
from ..service_description import MAX_ROWS_HEADER, TRUNCATED_HEADER

router = APIRouter(tags=["SPARQL"])

_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The answer: SPARQL results (SELECT, ASK) or an RDF graph (CONSTRUCT, DESCRIBE)",
        "content": {f.media_type: {} for f in (*conneg.RESULTS, *conneg.GRAPHS)},
    },
    304: {"description": "Not modified (If-None-Match matched the ETag)"},
    400: {"description": "Malformed query, repeated `query`, SERVICE refused, bad dataset IRI"},
    403: {"description": "SPARQL Update: this endpoint is read-only"},
    406: {"description": "No acceptable format for this kind of answer"},
    413: {"description": "Request body too large"},
    414: {"description": "Request target too long"},
    415: {"description": "POST body neither form-encoded nor application/sparql-query"},
    503: {"description": "Query timeout, every worker busy, or no store"},
}


_QUERY_TEXT = {"type": "string", "pattern": r"\S", "description": "The SPARQL query (not blank: that is a 400)"}


async def answer_query(request: Request, call: ProtocolRequest, settings: Settings, store: Queryable) -> Response:
    """Check, negotiate, run and answer one query, with caching headers tied to the dataset version."""
    assert call.query is not None
    info = check_request(call.query, "query", settings.service_allowlist, settings.max_query_depth)
    if info.returns_graph:
        fmt = conneg.choose(call.accept, conneg.GRAPHS, call.formats, what="an RDF graph (CONSTRUCT, DESCRIBE)")
    else:
        fmt = conneg.choose(call.accept, conneg.RESULTS, call.formats, what="SPARQL results (SELECT, ASK)")
    tag = caching.etag(store.version, call.query, fmt.key, call.default_graphs, call.named_graphs, store.max_rows)
    if (unchanged := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return unchanged
    answer = await store.run_async(
        QueryRequest(
            call.query,
            result_format=fmt.key if not info.returns_graph else conneg.RESULTS[0].key,
            graph_format=fmt.key if info.returns_graph else conneg.GRAPHS[0].key,
            default_graphs=call.default_graphs,
            named_graphs=call.named_graphs,
            dataset_clause=info.dataset_clause,
        )
    )
    headers = caching.headers(tag, settings.cache_max_age, len(answer.body))
    if answer.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[MAX_ROWS_HEADER] = str(store.max_rows)
    return Response(answer.body, media_type=conneg.by_key(answer.format).content_type, headers=headers)


@router.get(
    "/sparql",
    name="sparql",
    summary="Query by GET, or read the service description",
    response_class=Response,
    responses={**_RESPONSES, 200: {"description": "The query's answer, or without `query` the service description"}},
)
async def sparql_get(
    request: Request, call: ProtocolDep, settings: SettingsDep, store: StoreDep, stats: StatsCacheDep
) -> Response:
    """`?query=` runs a query; without it the endpoint describes itself (Turtle, JSON-LD, RDF/XML, or HTML
    for a browser)."""
    if call.query is None:
        dataset = await run_in_threadpool(stats.get, store)  # the first call per version queries the pool
        return describe_service(request, dataset, settings, call.accept, call.formats)
    return await answer_query(request, call, settings, store)


@router.post(
    "/sparql",
    name="sparql_post",
    summary="Query by POST: a form (`query=`) or the query as an application/sparql-query body",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {"schema": {"type": "object", "required": ["query"], "properties": {"query": _QUERY_TEXT}}},
                SPARQL_QUERY: {"schema": _QUERY_TEXT},
            },
        }
    },
)
async def sparql_post(request: Request, call: ProtocolDep, settings: SettingsDep, store: StoreDep) -> Response:
    """The same query as GET, in the body."""
    return await answer_query(request, call, settings, store)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
@refusal
def sparql_other_methods() -> None:
    """A 405 naming both methods (the router's own 405 would name only the first route's)."""
    raise HTTPException(405, headers={"Allow": "GET, HEAD, POST"})
