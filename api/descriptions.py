"""Answering the service description and the VoID description: content negotiation, syntax, caching.

Both are RDF graphs (Turtle by default; JSON-LD compacted with the project's published context, as every
JSON-LD answer is (kg.docs.context); RDF/XML, N-Triples) or, for a browser, an HTML page.
They change only with the dataset version, the settings and the URL the client used, so the ETag covers
exactly these.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Request, Response
from rdflib import Graph

from kg.config import Settings
from kg.docs import context
from kg.docs.release import FORMATS

from . import caching, conneg
from .service_description import service_description, void_description
from .stats import DatasetStats
from .web.service_page import service_page, void_page

RDFLIB_FORMATS = {"turtle": "turtle", "jsonld": "json-ld", "rdfxml": "xml", "ntriples": "nt"}


def _answer(fmt: conneg.Format, tag: str, settings: Settings, body: str | bytes) -> Response:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return caching.response(data, fmt.content_type, tag, settings.cache_max_age)


def _serialize(graph: Graph, fmt: conneg.Format) -> bytes:
    if fmt is conneg.JSONLD:  # compacted, not expanded: `"void:triples"`, `"@id": "tid:dataset"`
        return context.compact(graph)
    return graph.serialize(format=RDFLIB_FORMATS[fmt.key], encoding="utf-8")


def describe_service(
    request: Request, stats: DatasetStats, settings: Settings, accept: str | None, requested: Sequence[str]
) -> Response:
    """The `sd:Service` description (GET on the endpoint without a query)."""
    endpoint, void_url = str(request.url_for("sparql")), str(request.url_for("void"))
    fmt = conneg.choose(accept, conneg.DESCRIPTIONS, requested, what="the service description")
    tag = caching.etag(stats.version, "sd", fmt.key, endpoint, settings.model_dump_json())
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    if fmt is conneg.HTML:
        return _answer(fmt, tag, settings, service_page(endpoint, void_url, stats, settings))
    graph = service_description(endpoint, void_url, stats, settings)
    return _answer(fmt, tag, settings, _serialize(graph, fmt))


def describe_dataset(
    request: Request, stats: DatasetStats, settings: Settings, accept: str | None, requested: Sequence[str]
) -> Response:
    """The VoID description of the dataset (/.well-known/void), with the dumps of its version (/download)."""
    endpoint, void_url = str(request.url_for("sparql")), str(request.url_for("void"))
    dumps = [str(request.url_for("download_file", version=stats.version, file=f.file_name)) for f in FORMATS]
    catalog = str(request.url_for("catalog"))
    fmt = conneg.choose(accept, conneg.DESCRIPTIONS, requested, what="the VoID description")
    tag = caching.etag(stats.version, "void", fmt.key, endpoint)
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    if fmt is conneg.HTML:
        return _answer(fmt, tag, settings, void_page(endpoint, void_url, stats, dumps, catalog))
    graph = void_description(endpoint, void_url, stats, dumps, catalog)
    return _answer(fmt, tag, settings, _serialize(graph, fmt))
