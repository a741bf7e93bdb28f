"""The site's navigation (api.web.navigation.NAV, shown by base.html on every page) leads to the downloads and
the DCAT-AP catalogue too, and each of its links answers a page for a browser."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from api.web.navigation import NAV, NAV_DESCRIPTIONS

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NAV_LINK = re.compile(r'<li><a href="([^"]+)"(?: aria-current=page)?>([^<]+)</a></li>')


def _nav(page: str) -> list[tuple[str, str]]:
    nav = page[page.index('<nav aria-label="Navigation principale">') : page.index("</nav>")]
    return [(url, unescape(name)) for url, name in NAV_LINK.findall(nav)]


def test_the_navigation_has_the_downloads_and_the_catalogue() -> None:
    assert ("/download", "Téléchargements") in NAV and ("/catalog", "Catalogue") in NAV
    urls = [url for url, _ in NAV]
    assert urls.index("/.well-known/void") < urls.index("/download") < urls.index("/catalog"), "beside the dataset"
    assert NAV_DESCRIPTIONS["/download"] and NAV_DESCRIPTIONS["/catalog"], "the home page says what each is for"


@pytest.mark.parametrize("path", ["/", "/sparql", "/shapes", "/download", "/catalog", "/validate"])
def test_every_page_shows_the_whole_navigation(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), path
    assert _nav(r.text) == list(NAV)


@pytest.mark.parametrize(("url", "name"), NAV)
def test_each_link_is_a_page(client: TestClient, url: str, name: str) -> None:
    r = client.get(url, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), (url, name)
