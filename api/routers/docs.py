"""Interactive API documentation from local files: Swagger UI at `/docs`, ReDoc at `/redoc`.

FastAPI's own pages load their scripts from a CDN, which a server without outside access, or a reader
behind a strict network, cannot reach; here every asset is served by the app itself, under STATIC_PATH.
The assets are those the `fastapi-offline` package ships (Swagger UI 5, ReDoc 2), used as files only.
`swagger-ui-bundle` was the first choice, but it ships Swagger UI 4.15, which refuses the OpenAPI 3.1
documents FastAPI writes ("Unable to render this definition"); Swagger UI 5 reads them.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
STATIC_PATH = "/static/docs"

router = APIRouter(include_in_schema=False)


def _urls(request: Request) -> tuple[str, str]:
    """(the OpenAPI document, the assets folder) as paths under the app's root path: same origin, always."""
    root = request.scope.get("root_path", "").rstrip("/")
    return root + (request.app.openapi_url or "/openapi.json"), root + STATIC_PATH


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI: every operation, canned queries included, can be tried from the page."""
    openapi, static = _urls(request)
    return get_swagger_ui_html(
        openapi_url=openapi,
        title=f"{request.app.title} — API",
        swagger_js_url=f"{static}/swagger-ui-bundle.js",
        swagger_css_url=f"{static}/swagger-ui.css",
        swagger_favicon_url=f"{static}/favicon.png",
        swagger_ui_parameters={"validatorUrl": None},  # else the page asks validator.swagger.io for a badge
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc: the same document as a three-column reference, without Google Fonts."""
    openapi, static = _urls(request)
    return get_redoc_html(
        openapi_url=openapi,
        title=f"{request.app.title} — API reference",
        redoc_js_url=f"{static}/redoc.standalone.js",
        redoc_favicon_url=f"{static}/favicon.png",
        with_google_fonts=False,
    )


def install(app: FastAPI) -> None:
    """Mount the assets and add the two pages."""
    app.mount(STATIC_PATH, StaticFiles(directory=ASSETS), name="docs-assets")
    app.include_router(router)
