"""The site's own static files: stylesheets, icon, page scripts, and the vendored front-end packages.

Everything is served from `api/static/`, never from a CDN, so the whole site works offline.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ..web.filters import SITE_STATIC, VENDOR_STATIC

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def install(app: FastAPI) -> None:
    """Mount the site's files and the vendored packages (copied by `make vendor`, see frontend/)."""
    app.mount(SITE_STATIC, StaticFiles(directory=STATIC_DIR / "site"), name="site-static")
    app.mount(VENDOR_STATIC, StaticFiles(directory=STATIC_DIR / "vendor"), name="vendor-static")
