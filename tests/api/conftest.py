"""API fixtures: a query pool over the built store, an in-process client, and real servers in subprocesses.

The subprocess servers are what the issue asks the protocol tests to run against: `uvicorn --factory
api.main:from_environment` with `KG_*` variables, as an operator would start it. Two at most per session:
`server` with the default limits, and `limited_server` with a 2 s timeout, 5 rows and small request limits.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.config import PROJECT_ROOT, Settings
from kg.ingest.pipeline import BuildReport
from kg.store.local import LocalStore
from kg.store.pool import QueryPool
from tests.conftest import copy_store
from tests.processes import free_port, stop_process, wait_until_answering

LIMITED_ENV = {
    "KG_QUERY_TIMEOUT": "2",
    "KG_MAX_ROWS": "5",
    "KG_MAX_REQUEST_BYTES": "2048",
    "KG_MAX_URL_LENGTH": "1024",
}


@dataclass(frozen=True)
class Server:
    """A running `uvicorn` subprocess serving the API."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"


def _start(store: Path, log: Path, extra_env: dict[str, str]) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_STORE": str(store), "KG_WORKERS": "2", "KG_IN_MEMORY": "auto", **extra_env})
    command = [sys.executable, "-m", "uvicorn", "--factory", "api.main:from_environment"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    problem = wait_until_answering(process, server.url + "/health", 60)
    if problem is None:
        return server
    _stop(server)
    pytest.fail(f"the server {problem}:\n{log.read_text()}")


def _stop(server: Server) -> None:
    stop_process(server.process, 15)


WRITE_TOKEN = "token-for-the-write-tests"


@dataclass(frozen=True)
class WritableServer:
    """A server with writes enabled over its own copy of the store and of the data files."""

    server: Server
    store: Path
    data: Path

    @property
    def url(self) -> str:
        return self.server.url


def start_writable(built: Path, root: Path, extra_env: dict[str, str] | None = None) -> WritableServer:
    """Start a server with the write token over a fresh copy of the store under `root`."""
    store, data = copy_store(built, root)
    env = {"KG_WRITE_TOKEN": WRITE_TOKEN, "KG_DATA_DIR": str(data), **(extra_env or {})}
    return WritableServer(_start(store, root / "uvicorn.log", env), store, data)


def stop(server: Server | WritableServer) -> None:
    _stop(server.server if isinstance(server, WritableServer) else server)


@pytest.fixture(scope="session")
def store_path(built_store: tuple[Path, BuildReport]) -> Path:
    return built_store[0]


@pytest.fixture(scope="session")
def server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with the default limits."""
    running = _start(store_path, tmp_path_factory.mktemp("server") / "uvicorn.log", {})
    yield running
    _stop(running)


@pytest.fixture(scope="session")
def limited_server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server with a 2 s timeout, at most 5 rows, 2 KB bodies and 1 KB request targets."""
    running = _start(store_path, tmp_path_factory.mktemp("limited") / "uvicorn.log", LIMITED_ENV)
    yield running
    _stop(running)


@pytest.fixture
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


@pytest.fixture
def limited_http(limited_server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=limited_server.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def pool(store_path: Path) -> Iterator[QueryPool]:
    """A real worker pool over the built store, for in-process handler tests."""
    running = QueryPool(store_path, workers=2, timeout=10, max_rows=1000, in_memory=True)
    yield running
    running.close()


@pytest.fixture(scope="session")
def api_settings(store_path: Path) -> Settings:
    return Settings(store=store_path, workers=2, query_timeout=10, max_rows=1000)


@pytest.fixture
def client(api_settings: Settings, pool: QueryPool) -> Iterator[TestClient]:
    """The app in-process over the shared pool."""
    with TestClient(create_app(api_settings, pool)) as c:
        yield c


def config_of(html: str, element_id: str) -> dict[str, object]:
    """The JSON a page hands to its script."""
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, f"no #{element_id} in the page"
    data: dict[str, object] = json.loads(match.group(1))
    return data


def _rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    return [{n: v for n, v in row.items() if v is not None} for row in LocalStore(store).rows(query)]


@pytest.fixture(scope="session")
def store_rows(kg_store: ox.Store) -> Callable[[str], list[dict[str, str]]]:
    """Rows of a SELECT run directly on the built store by `kg` (no server): what the endpoint must answer."""
    return lambda query: _rows(kg_store, query)


# --- a real browser: Playwright driving Debian's Chromium ----------------------------------------------------

CHROMIUM = Path(os.environ.get("KG_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """A headless Chromium per test module (Debian's, installed by .ci/run; Playwright never downloads one).

    Module scope, because Playwright's sync API keeps an event loop running in the main thread while it
    is open, and tests elsewhere call `asyncio.run`.
    """
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`.ci/run` does)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class BrowserPage:
    """A fresh page, and every console error and failed request it saw: a test asserts there were none."""

    page: Any
    console_errors: list[str]
    failed_requests: list[str]

    def screenshot(self, name: str) -> Path:
        """Save a full-page screenshot under test-artifacts/ for a reviewer to look at."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        # a long page on a busy 2-core machine can take longer than the page's 15 s default to capture whole
        self.page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=60_000)
        return path

    def assert_clean(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.failed_requests == [], self.failed_requests


@pytest.fixture
def browser_page(chromium: Any) -> Iterator[BrowserPage]:
    """A page in a new browser context, recording console errors, page errors and failed requests."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = BrowserPage(page, [], [])
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.console_errors.append(str(e)))
    page.on("requestfailed", lambda r: seen.failed_requests.append(f"{r.method} {r.url}: {r.failure}"))
    yield seen
    context.close()
