"""`/ontology`: the ontology's documentation for people, its source for RDF clients.

The page is generated from `ontology/*.ttl` (`kg.docs.ontology`, then api/web/ontology_page.py) and kept until
one of the files changes (`api.caching.on_files`, as `/shapes`); each term's anchor is its local name, so the IRI `…/ontology#Phase`,
redirected here by w3id.org, lands on `ti:Phase`. `text/turtle` (or `?format=turtle`) answers the source file
itself, comments and all, when there is one Turtle file; with several, their triples serialised together (the
blank nodes of each file kept apart). JSON-LD, N-Triples and RDF/XML carry the same triples. pyLODE was tried
and not kept: see the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from kg.docs import context
from kg.docs.describe import DISPLAY_PREFIXES
from kg.docs.ontology import document, load
from kg.errors import KGError
from kg.sources.rdf_io import parse_files, rdf_files
from kg.store.local import GRAPH_FORMATS

from ... import caching, conneg
from ...deps import SettingsDep
from ...web.ontology_page import ontology_page

router = APIRouter()


@dataclass(frozen=True)
class Rendered:
    """Everything /ontology answers, made once for one state of the source files."""

    digest: str
    html: bytes
    graphs: dict[str, bytes]  # format key → the triples in that syntax (Turtle: the source file when one)


@router.get(
    "/ontology",
    name="ontology",
    summary="The ontology: documentation for people, its Turtle source for RDF clients",
    response_class=Response,
    responses={
        200: {"content": {f.media_type: {} for f in conneg.PAGES}},
        406: {"description": "No acceptable format"},
    },
)
def ontology(request: Request, settings: SettingsDep) -> Response:
    """HTML for a browser; `text/turtle` the source; JSON-LD, N-Triples, RDF/XML the same triples."""
    fmt = conneg.choose_for(request, conneg.PAGES, "the ontology")
    out = rendered(settings.ontology_dir)
    tag = caching.etag(out.digest, "ontology", fmt.key)
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    body = out.html if fmt is conneg.HTML else out.graphs[fmt.key]
    return caching.response(body, fmt.content_type, tag, settings.cache_max_age)


@caching.on_files
def rendered(directory: Path) -> Rendered:
    """The answers for the ontology files in `directory`, generated again when one of them changes."""
    paths = rdf_files(directory) if directory.is_dir() else []
    if not paths:
        raise KGError(f"no ontology files in {directory}")
    quads = parse_files(paths)  # `_:b0` of two files: two nodes
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    graphs = {key: ox.serialize(triples, format=GRAPH_FORMATS[key]) or b"" for key in ("ntriples", "rdfxml")}
    graphs["jsonld"] = context.jsonld(triples)  # compacted with the published context, as every JSON-LD answer
    if len(paths) == 1 and paths[0].suffix.lower() == ".ttl":
        graphs["turtle"] = paths[0].read_bytes()  # the source itself, comments and all
    else:
        graphs["turtle"] = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=DISPLAY_PREFIXES) or b""
    html = ontology_page(document(load(paths))).encode("utf-8")
    return Rendered(caching.files_digest(directory), html, graphs)
