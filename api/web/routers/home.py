"""The home page: what the graph holds, where it comes from, when it was built, and links to everything.

The territories by région come from the canned query `territories`, the counts from `instances-per-class` and
`source-documents`, run through the
query pool like any query, and the named graphs from the VoID statistics; nothing is hand-maintained. The page
is api/web/home_page.py's. An RDF client asking `/` for RDF is sent (303) to the dataset's VoID description.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from kg import queries

from ... import caching, conneg
from ...deps import SettingsDep, StatsDep, StoreDep
from ...web.home_page import home_page

router = APIRouter()


@router.get("/", name="home", include_in_schema=False, response_class=Response)
def home(request: Request, settings: SettingsDep, store: StoreDep, stats: StatsDep) -> Response:
    """The page for a browser; 303 to /.well-known/void for an RDF client."""
    fmt = conneg.choose_for(request, conneg.PAGES, "the home page")
    if fmt is not conneg.HTML:
        target = str(request.url_for("void"))
        if conneg.requested_formats(request):
            target += "?format=" + fmt.key
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
    tag = caching.etag(store.version, "home")
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    classes = store.rows(queries.get("instances-per-class").text)
    documents = store.rows(queries.get("source-documents").text)
    coverage = store.rows(queries.get("coverage").text)
    territories = store.rows(queries.get("territories").bind({}))
    body = home_page(stats, classes, documents, coverage, territories).encode("utf-8")
    return caching.response(body, conneg.HTML.content_type, tag, settings.cache_max_age)
