"""The DCAT-AP 3 record of the dataset at `/catalog`: Turtle by default, JSON-LD (compacted with the
vocabularies' prefixes), RDF/XML or N-Triples by `Accept` or `?format=`, an HTML page for a browser.

The record is built by `kg.docs.catalog` from the release of the version served (the dumps' sizes and
checksums: the first request of a version makes them) and the source documents the VoID statistics list;
like VoID it changes only with the version and the host, which the ETag covers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from kg.docs import catalog as dcat
from kg.docs.release import Release
from kg.sources.namespaces import TI

from .. import caching, conneg
from ..deps import SettingsDep, StatsDep, StoreDep
from ..routers.download import current_release
from ..stats import DatasetStats
from ..web.templating import render

router = APIRouter(tags=["metadata"])
RDFLIB_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "rdfxml": "xml", "ntriples": "nt"}


def links(request: Request, release: Release) -> dcat.Links:
    """The URLs of this server that the record points to."""
    files = {f.name: str(request.url_for("download_file", version=release.version, file=f.name)) for f in release.files}
    return dcat.Links(
        home=str(request.url_for("home")),
        endpoint=str(request.url_for("sparql")),
        void=str(request.url_for("void")),
        catalog=str(request.url_for("catalog")),
        downloads=str(request.url_for("downloads")),
        files=files,
    )


def sources(stats: DatasetStats) -> list[dcat.Source]:
    """The source documents of the graph: the named graphs whose own description says they are one."""
    return [dcat.Source(g.name, g.title) for g in stats.graphs if g.kind == str(TI.SourceDocument)]


def serialize(graph: Graph, fmt: conneg.Format) -> bytes:
    """The record in one syntax; JSON-LD compacted with the graph's prefixes rather than expanded."""
    if fmt is conneg.JSONLD:
        return graph.serialize(
            format="json-ld", context=dcat.jsonld_context(graph), auto_compact=True, encoding="utf-8"
        )
    return graph.serialize(format=RDFLIB_FORMATS[fmt.key], encoding="utf-8")


@router.get("/catalog", name="catalog", summary="DCAT-AP record of the dataset", response_class=Response)
async def catalog(request: Request, store: StoreDep, stats: StatsDep, settings: SettingsDep) -> Response:
    """The catalogue, the dataset, its distributions (the two dumps, with size and SHA-256, and the SPARQL
    endpoint) and the endpoint as a `dcat:DataService`, with licence, themes, spatial coverage and sources;
    in Turtle, JSON-LD, RDF/XML or N-Triples, or HTML for a browser."""
    fmt = conneg.choose_for(request, conneg.DESCRIPTIONS, "the DCAT-AP record")
    tag = caching.etag(stats.version, "catalog", fmt.key, str(request.base_url))
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    release = await current_release(store, settings)
    where = links(request, release)
    documents = sources(stats)
    if fmt is conneg.HTML:
        page = render("catalog.html", release=release, links=where, sources=documents, dcat=dcat)
        return caching.response(page.encode("utf-8"), fmt.content_type, tag, settings.cache_max_age)
    graph = await run_in_threadpool(dcat.catalog_graph, release, documents, where)
    return caching.response(serialize(graph, fmt), fmt.content_type, tag, settings.cache_max_age)
