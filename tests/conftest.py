"""Shared fixtures: the real store is built once per session from the bundled sources."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import PROJECT_ROOT, get_settings
from kg.ingest.pipeline import BuildReport, Sources, build
from kg.store import layout as kgstore

pytest_plugins = ("tests.kg.store.virtuoso_fixtures",)  # a real Virtuoso, for the store and the API tests

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _settings_from_this_tests_environment() -> Iterator[None]:
    """The CLI reads its settings once per process; a test that sets `KG_*` variables must not see another's."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def bundled_sources() -> Sources:
    return Sources.from_dirs(PROJECT_ROOT / "ontology", PROJECT_ROOT / "shapes", PROJECT_ROOT / "data")


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory, bundled_sources: Sources) -> tuple[Path, BuildReport]:
    """The bundled data built exactly as `kg build` does (validated, then published)."""
    store = tmp_path_factory.mktemp("kg") / "store"
    report = build(bundled_sources, store)
    return store, report


@pytest.fixture(scope="session")
def kg_store(built_store: tuple[Path, BuildReport]) -> ox.Store:
    """A read-only handle on the built store."""
    return kgstore.open_read_only(built_store[0])


def copy_store(built: Path, root: Path) -> tuple[Path, Path]:
    """A private copy of a built store (its build directory and link) and of the bundled data files, for writes."""
    build_dir = kgstore.resolve(built)
    store = root / "store"
    target = kgstore.builds_dir(store) / build_dir.name
    shutil.copytree(build_dir, target)
    store.symlink_to(target, target_is_directory=True)
    data = root / "data"
    shutil.copytree(PROJECT_ROOT / "data", data)
    return store, data


@pytest.fixture
def store_copy(built_store: tuple[Path, BuildReport], tmp_path: Path) -> tuple[Path, Path]:
    """(store, data directory): the built store and the data files copied for one test that writes."""
    return copy_store(built_store[0], tmp_path)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket listening on 127.0.0.1: a test asserts that nothing connects to it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        s.settimeout(0.5)
        yield s


def _accepted(listener: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            return count
        conn.close()
        count += 1


@pytest.fixture
def connections() -> Callable[[socket.socket], int]:
    """How many connections reached a listener (waiting half a second for late ones)."""
    return _accepted


# --- markers (registered in pyproject.toml): `make test-fast` runs `pytest -m "not browser and not slow"` -------------

TESTS = Path(__file__).parent
BROWSER_FIXTURES = {"chromium", "browser_page"}  # tests/api/conftest.py: Playwright driving Debian's Chromium
# Slow: tests that take seconds each (real servers killed or overloaded, writes, runaway children stopped at their time
# limit) and the reruns of the 194 broken SHACL fixtures, focused and uploaded (tests/shapes runs each once, in the
# fast set). Measured with `pytest --durations` per folder on 2 cores (2 December 2026). Files by name, tests by
# function name (or "file name::function" when the name is not unique), so that a move keeps them marked; a name
# that matches no test file any more is a warning.
SLOW_FILES = {
    "test_hostile.py",  # 15 tests, 32 s: each case sent to a real server, its memory and /health measured
    "test_pool_http.py",  # 5 tests, 5 s: 429 and 503 from a saturated pool
    "test_routers_graphs.py",  # 33 tests, 59 s: writes through a real server, its workers restarted
    "test_write_crash.py",  # 3 tests, 62 s: SIGKILL during a 40,000-triple load
    "test_pool_overload.py",  # 9 tests, 27 s: dead workers, runaways, backoff
    "test_update.py",  # 29 tests, 42 s: checkpointed, validated writes, rebuilds
    "test_write_limits.py",  # 4 tests, 9 s: runaway updates stopped at the time limit
    "test_remote.py",  # 61 tests, 25-38 s: a real Virtuoso started, loaded and queried
    "test_remote_backend.py",  # 7 tests, 24 s: the API and kg build over Virtuoso
    "test_replicas.py",  # 8 tests, 25 s: two kg serve replicas behind nginx
    "test_remote_writes.py",  # 4 tests, 14 s: its own Virtuoso, steward writes through the API
    "test_wheel.py",  # 2 tests, ~90 s: the wheel built, installed in a fresh venv from the index, run from an empty folder
}
SLOW_TESTS = {
    "test_each_broken_upload_is_reported_on_its_focus_node",  # 49 x 0.8 s: every fourth fixture uploaded to /validate
    "test_focused_validation_reports_what_full_validation_reports_on_the_focus",  # 195 x 0.24 s: focused
    "test_the_neighbourhood_validates_as_the_whole_graph",  # 195 x 0.3 s: neighbourhoods validated
    "test_other_syntaxes_by_content_type",  # 6 s
    "test_the_api_and_the_cli_build_the_same_network_even_in_pages",  # 26 s
    "test_routers_network.py::test_answers_carry_an_etag_and_revalidate",  # 5 s
    "test_network_export_reads_back_in_networkx",  # 9 s
    "test_the_diff_of_a_change_equals_recomputing_everything",  # 9 s
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark by file name and fixture, so that no test file has to say how it is run."""
    for item in items:
        function = getattr(item, "originalname", item.name)
        if item.path.name.startswith("test_ui_") or BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        if {item.path.name, function, f"{item.path.name}::{function}"} & (SLOW_FILES | SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
    for stale in _stale_slow_names():
        config.issue_config_time_warning(
            pytest.PytestConfigWarning(f"tests/conftest.py marks {stale} slow: not found"), 2
        )


def _stale_slow_names() -> list[str]:
    """Names in SLOW_FILES and SLOW_TESTS that no test file has any more (renamed or removed)."""
    files = {p.name: p.read_text(encoding="utf-8") for p in TESTS.rglob("test_*.py")}
    stale = sorted(SLOW_FILES - files.keys())
    for test in sorted(SLOW_TESTS):
        name, _, function = test.rpartition("::")
        texts = [files.get(name, "")] if name else files.values()
        if not any(f"def {function}(" in text for text in texts):
            stale.append(test)
    return stale
