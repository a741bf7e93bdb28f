"""`/shapes` for data stewards: the SHACL shapes in words (HTML, api.web.shapes_page) or as their Turtle source.

The page is generated from `Settings.shapes_dir` and `Settings.ontology_dir` and kept until one of their files
changes (`api.caching.on_files`, as `/ontology`), and its ETag is a digest of what it was generated from.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response

from kg.docs.shapes import reader

from ... import caching, conneg
from ...deps import SettingsDep
from ...web.shapes_page import shapes_page

router = APIRouter(tags=["stewards"])

OFFERS: tuple[conneg.Format, ...] = (conneg.HTML, conneg.TURTLE)
"""An HTML page by default; `text/turtle` (or `?format=turtle`) gives the shapes themselves."""


@dataclass(frozen=True)
class ShapesView:
    """What /shapes answers for one state of the files: its page, the Turtle source and their digest."""

    html: bytes
    turtle: bytes
    digest: str


@caching.on_files
def shapes_view(shapes_dir: Path, ontology_dir: Path) -> ShapesView:
    """The shapes page of these directories, generated again when one of their files changes."""
    doc = reader.load(shapes_dir, ontology_dir)
    return ShapesView(
        shapes_page(doc).encode("utf-8"),
        reader.source(shapes_dir),
        caching.files_digest(shapes_dir, ontology_dir),
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
    fmt = conneg.choose_for(request, OFFERS, "the shapes")
    view = shapes_view(settings.shapes_dir, settings.ontology_dir)
    tag = caching.etag(view.digest, "shapes", fmt.key)
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    body = view.html if fmt is conneg.HTML else view.turtle
    return caching.response(body, fmt.content_type, tag, settings.cache_max_age)
