"""The project's JSON-LD `@context` at `/context.jsonld`: the prefixes every JSON-LD answer is compacted with.

Each answer embeds it whole (kg.docs.context), so reading one needs no fetch; this is the same object at a
stable address, for clients that compact or frame their own documents with the project's short names.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from kg.docs import context

from .. import caching
from ..deps import SettingsDep

router = APIRouter(tags=["metadata"])
_BODY = context.document()
_TAG = caching.etag("context", _BODY.decode("utf-8"))


@router.get(
    context.CONTEXT_PATH,
    name="jsonld_context",
    summary="JSON-LD context of the dataset's answers",
    response_class=Response,
    responses={200: {"content": {context.MEDIA_TYPE: {}}, "description": "The `@context` (prefixes only)."}},
)
def jsonld_context(request: Request, settings: SettingsDep) -> Response:
    """The prefixes (`ti:`, `commune:`, `rdfs:`, `skos:`…) that compact the JSON-LD of `/id/…`, CONSTRUCT and
    DESCRIBE answers and Graph Store reads, as a JSON-LD document with one `@context`."""
    if (cached := caching.not_modified(request, _TAG, settings.cache_max_age)) is not None:
        return cached
    return caching.response(_BODY, context.MEDIA_TYPE, _TAG, settings.cache_max_age)
