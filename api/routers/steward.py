"""The data stewards' pages: `/shapes`, the SHACL shapes in words (HTML) or as their Turtle source.

The page is generated once per process from `Settings.shapes_dir` and `Settings.ontology_dir` (the shapes
only change with a deployment), and its ETag is a digest of what it was generated from.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response

from api import caching, conneg, steward_pages
from api.conneg import FORMAT_PARAMETERS
from api.deps import SettingsDep
from kg import shapes_doc
from kg.rdf_io import rdf_files
from kg.shapes_doc import ShapesDoc

router = APIRouter(tags=["stewards"])

OFFERS: tuple[conneg.Format, ...] = (conneg.HTML, conneg.TURTLE)
"""An HTML page by default; `text/turtle` (or `?format=turtle`) gives the shapes themselves."""


@dataclass(frozen=True)
class ShapesView:
    """What /shapes answers, built once: the model, its page, the Turtle source and their digest."""

    doc: ShapesDoc
    html: str
    turtle: bytes
    digest: str


def _digest(*directories: Path) -> str:
    h = hashlib.sha256()
    for directory in directories:
        for path in rdf_files(directory):
            h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


@functools.cache
def shapes_view(shapes_dir: Path, ontology_dir: Path) -> ShapesView:
    """The shapes page of these directories (cached for the life of the process)."""
    doc = shapes_doc.load(shapes_dir, ontology_dir)
    return ShapesView(
        doc, steward_pages.shapes_page(doc), shapes_doc.source(shapes_dir), _digest(shapes_dir, ontology_dir)
    )


@router.get(
    "/shapes",
    name="shapes",
    summary="The SHACL shapes: what each class must and should have",
    response_class=Response,
    responses={
        200: {
            "description": "A page for people (HTML) or the shapes themselves (Turtle)",
            "content": {"text/html": {}, "text/turtle": {}},
        },
        406: {"description": "Neither HTML nor Turtle is acceptable"},
    },
)
def shapes(request: Request, settings: SettingsDep) -> Response:
    """For each class, the rules its resources must follow (violations) and should follow (warnings), with the
    property, the message a report shows and the shape; `Accept: text/turtle` or `?format=turtle` gives the
    shapes' Turtle source."""
    requested = [v for name, v in request.query_params.multi_items() if name in FORMAT_PARAMETERS]
    fmt = conneg.choose(request.headers.get("accept"), OFFERS, requested, what="the shapes")
    view = shapes_view(settings.shapes_dir, settings.ontology_dir)
    tag = caching.etag(view.digest, "shapes", fmt.key)
    headers = caching.headers(tag, settings.cache_max_age, len(view.turtle))
    if caching.matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    body = view.html.encode("utf-8") if fmt is conneg.HTML else view.turtle
    return Response(body, media_type=fmt.content_type, headers=headers)
