"""A real Virtuoso for the remote-store tests, started once per session with the bundled build published
(a pytest plugin, registered in tests/conftest.py, so the store and API tests share one server)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.ingest.pipeline import BuildReport
from kg.store.engines import VIRTUOSO
from kg.store.publish import PublishReport, publish_build
from kg.store.remote import SparqlStore
from tests.kg.store import virtuoso as vt

TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[vt.Virtuoso]:
    """virtuoso-t on free loopback ports, with a scratch database; a failure, not a skip, when it is not installed."""
    if not vt.VIRTUOSO.exists() or not vt.ISQL.exists():
        pytest.fail(vt.MISSING)  # never a silent skip: .ci/run installs it
    server = vt.start(tmp_path_factory.mktemp("virtuoso") / "db")
    TIMINGS["virtuoso start"] = server.started_in
    try:
        yield server
    finally:
        server.stop()


def remote_store(server: vt.Virtuoso, **kwargs: Any) -> SparqlStore:
    """A `SparqlStore` on the scratch Virtuoso, writing as dba with Digest authentication."""
    return SparqlStore(
        server.query_url,
        gsp_url=server.gsp_url,
        auth=httpx.DigestAuth(server.user, server.password),
        engine=VIRTUOSO,
        **kwargs,
    )


@pytest.fixture(scope="session")
def published(
    virtuoso_server: vt.Virtuoso, built_store: tuple[Path, BuildReport]
) -> Iterator[tuple[SparqlStore, PublishReport]]:
    """The bundled build (the session's `kg build`) published to the scratch Virtuoso."""
    store = remote_store(virtuoso_server, max_rows=100_000)
    started = time.perf_counter()
    report = publish_build(store, built_store[0])
    TIMINGS["publish"] = time.perf_counter() - started
    try:
        yield store, report
    finally:
        store.close()


@pytest.fixture(scope="session")
def virtuoso_store(published: tuple[SparqlStore, PublishReport]) -> SparqlStore:
    return published[0]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TIMINGS:
        terminalreporter.write_line("virtuoso: " + ", ".join(f"{k} {v:.2f} s" for k, v in TIMINGS.items()), yellow=True)
