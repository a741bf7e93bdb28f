"""Dereferenceable IRIs: `/id/{path}` is the resource `https://w3id.org/territoires-industrie/id/{path}`,
`/resource?iri=…` any IRI the graph mentions (INSEE's, W3C vocabularies', the ontology's terms).

Direct content negotiation on one URL (with `Vary: Accept`), as w3id.org redirects an IRI to it: a browser
gets the resource page — its name in French and English, its types, every statement about it both ways,
each with the documents that state it — and an RDF client the same statements in Turtle, JSON-LD,
N-Triples or RDF/XML (`Accept` or `?format=`). Unknown IRIs are a 404, and so is a path under /id/ that
makes no IRI (`/id/a%20b`): an HTML page for a browser, problem+json otherwise; a missing, repeated or malformed
`iri` parameter is a 400 naming it. The queries are `kg.docs.describe`'s, which `kg describe` runs too; the pages
are api/web/resource_page.py's.

The dataset's own IRIs are described by documents of their own rather than by the graph, so they answer
303 See Other to them (the httpRange-14 answer for a slash IRI): the dataset and the subset of each named
graph (`…/id/dataset`, `…/id/dataset/source-001`) to the VoID description, the catalogue, its SPARQL service
and distributions (`…/id/catalog`, `…/id/dataset/sparql-endpoint`, `…/id/dataset/distribution/nq`) to the
DCAT-AP record; the format parameters go along, and `Accept` is negotiated there.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from kg.config import Settings
from kg.docs import catalog as dcat
from kg.docs import describe as kgdescribe
from kg.docs.release import FORMATS as DUMP_FORMATS
from kg.errors import BadParameter, UnknownResource
from kg.store.interface import Queryable, QueryRequest

from ... import caching, conneg, errors
from ...deps import SettingsDep, StoreDep
from ...service_description import MAX_ROWS_HEADER, TRUNCATED_HEADER, subset_node
from ...stats import StatsCache
from ...web.filters import ID, href
from ...web.resource_page import not_found_page, resource_page

router = APIRouter(tags=["resources"])

EXAMPLE = ID + "territory/ardeche-drome-nord"
DESCRIBED_BY_CATALOG = frozenset(  # the IRIs the DCAT-AP record (/catalog) describes, besides the dataset
    {
        str(dcat.CATALOG),
        str(dcat.SPARQL_SERVICE),
        *(f"{dcat.DATASET}/distribution/{key}" for key in ("sparql", *(f.extension for f in DUMP_FORMATS))),
    }
)

_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The resource page (HTML) or its statements both ways (RDF)",
        "content": {f.media_type: {} for f in conneg.PAGES},
    },
    303: {
        "description": "One of the dataset's own IRIs: see the VoID description (the dataset, its subsets) or the "
        "DCAT-AP record (the catalogue, its distributions and service)"
    },
    400: {"description": "A missing, repeated or malformed IRI"},
    404: {"description": "The graph says nothing about this IRI (or the path makes no IRI)"},
    406: {"description": "No acceptable format"},
}


@router.get(
    "/id/{path:path}",
    name="resource_by_path",
    summary="A resource of the graph by its IRI's path (content negotiation)",
    response_class=Response,
    responses=_RESPONSES,
)
def by_path(path: str, request: Request, settings: SettingsDep, store: StoreDep) -> Response:
    """`https://w3id.org/territoires-industrie/id/{path}`: its page, or its statements in RDF; a path that makes
    no IRI (`/id/a%20b`) is a 404 like any IRI the graph does not mention."""
    return answer(request, settings, store, ID + path, href(ID + path))


@router.get(
    "/resource",
    name="resource",
    summary="Any IRI the graph mentions (content negotiation)",
    response_class=Response,
    responses=_RESPONSES,
)
def by_iri(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    iri: Annotated[
        str,
        Query(
            description="An absolute IRI, or a prefixed name of the project's prefixes (`ti:Phase`).",
            json_schema_extra={"example": EXAMPLE},
        ),
    ],
) -> Response:
    """The page of any resource, including other namespaces' (INSEE, W3C vocabularies), or its RDF."""
    if (given := len(request.query_params.getlist("iri"))) > 1:
        raise BadParameter("iri", f"given {given} times; give it once")
    resource = kgdescribe.parse_iri(iri)
    return answer(request, settings, store, resource, "/resource?" + urlencode({"iri": resource}))


def answer(request: Request, settings: Settings, store: Queryable, iri: str, page: str) -> Response:
    """Negotiate, then the page or the RDF; a 404 that varies with Accept like the answer itself; a 303 to its
    description for one of the dataset's own IRIs."""
    if (description := describing_document(request, store, iri)) is not None:
        formats = [(k, v) for k, v in request.query_params.multi_items() if k in conneg.FORMAT_PARAMETERS]
        target = str(request.url_for(description)) + ("?" + urlencode(formats) if formats else "")
        return RedirectResponse(target, status_code=303)
    fmt = conneg.choose_for(request, conneg.PAGES, "a resource description")
    tag = caching.etag(store.version, "resource", iri, fmt.key, store.max_rows)
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    cut: list[bool] = []
    try:
        if not kgdescribe.is_iri(iri):
            raise UnknownResource(f"{iri!r} is not an IRI, so the graph says nothing about it")
        if fmt is conneg.HTML:
            d = kgdescribe.describe(store, iri)
            body, cut = resource_page(d, page, truncated=d.truncated).encode("utf-8"), [d.truncated]
        else:
            result = store.run(QueryRequest(kgdescribe.graph_query(iri), graph_format=fmt.key))
            if result.rows == 0 and not kgdescribe.used_as_property(store, iri):
                raise UnknownResource(f"the graph says nothing about <{iri}>")
            body, cut = result.body, [result.truncated]
    except UnknownResource as e:
        if fmt is conneg.HTML:
            return HTMLResponse(not_found_page(iri), status_code=errors.status_of(e), headers={"Vary": "Accept"})
        problem = errors.from_error(e)
        problem.headers["Vary"] = "Accept"
        return problem
    response = caching.response(body, fmt.content_type, tag, settings.cache_max_age)
    if any(cut):
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[MAX_ROWS_HEADER] = str(store.max_rows)
    return response


def describing_document(request: Request, store: Queryable, iri: str) -> str | None:
    """The route of the document that describes one of the dataset's own IRIs ("void", "catalog"), else None
    (a resource of the graph, or nothing)."""
    if iri in DESCRIBED_BY_CATALOG:
        return "catalog"
    if iri == str(dcat.DATASET):
        return "void"
    if iri.startswith(f"{dcat.DATASET}/"):  # a subset: only those of the named graphs the VoID lists
        stats: StatsCache = request.app.state.stats
        if any(str(subset_node(graph)) == iri for graph in stats.get(store).graphs):
            return "void"
    return None
