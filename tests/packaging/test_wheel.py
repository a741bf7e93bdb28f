"""The wheel, installed as a user would install it: in a fresh virtual environment, used from an empty folder.

It is built from a copy of the project's files (so nothing is written into the checkout), installed with its
dependencies from the package index, and run with no KG_* setting, HOME and XDG_DATA_HOME in the test's own
folder: `kg --version`, `kg shapes`, `kg validate` on a broken document, `kg build`, then `kg serve` answering
a SPARQL ASK and a page. Each step prints its time (`pytest -s` shows them).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from kg import __version__
from kg.config import BUNDLED, PROJECT_ROOT
from kg_cli.main import app

SOURCES = ["pyproject.toml", "README.md", "LICENSE", "LICENSE-DATA", "kg", "kg_cli", "api", *BUNDLED]
BROKEN = (
    PROJECT_ROOT / "tests" / "fixtures" / "shapes" / "amount-two-values.ttl"
)  # an amount with two values: a violation
STEP_TIMEOUT = 300  # seconds; the whole test takes about a minute and a half on 2 cores with pip's cache warm


class Steps:
    """Runs the installed `kg` and says how long each step took."""

    def __init__(self, venv: Path, cwd: Path, env: dict[str, str]) -> None:
        self.venv, self.cwd, self.env = venv, cwd, env
        self.started = time.monotonic()

    def time(self, name: str, since: float) -> None:
        print(f"{name}: {time.monotonic() - since:.1f} s", file=sys.stderr)

    def run(self, *args: str, name: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        t = time.monotonic()
        done = subprocess.run(
            [str(self.venv / "bin" / args[0]), *args[1:]],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=STEP_TIMEOUT,
        )
        self.time(name, t)
        if check:
            assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Steps]]:
    """(the wheel, steps in a fresh virtual environment where it is installed, working in an empty folder)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        if (PROJECT_ROOT / name).is_dir():
            shutil.copytree(PROJECT_ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(PROJECT_ROOT / name, src / name)
    t = time.monotonic()
    build = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(root / "dist"), str(src)],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert "deprecat" not in (build.stdout + build.stderr).lower(), build.stdout + build.stderr  # project.license
    (wheel,) = (root / "dist").glob("*.whl")
    print(f"\nbuild the wheel: {time.monotonic() - t:.1f} s", file=sys.stderr)

    t = time.monotonic()
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=STEP_TIMEOUT)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT,
    )
    assert pip.returncode == 0, pip.stdout + pip.stderr
    print(f"fresh venv + pip install of the wheel and its dependencies: {time.monotonic() - t:.1f} s", file=sys.stderr)

    work = root / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {"HOME": str(root / "home"), "XDG_DATA_HOME": str(root / "xdg"), "PATH": f"{venv / 'bin'}:/usr/bin:/bin"}
    env |= {"COLUMNS": "200", "NO_COLOR": "1"}
    yield wheel, Steps(venv, work, env)
    print(f"fresh venv, install and every step: {time.monotonic() - t:.1f} s", file=sys.stderr)


def test_the_wheel_holds_the_model_the_data_and_the_web_package_under_its_own_name(
    installed: tuple[Path, Steps],
) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not any(n.startswith("api/") for n in names)
    expected = {
        f"kg/bundled/{p.relative_to(PROJECT_ROOT)}"
        for folder in BUNDLED
        for p in (PROJECT_ROOT / folder).rglob("*")
        if p.is_file()
    }
    expected |= {f"kg_api/{p.relative_to(PROJECT_ROOT / 'api')}" for p in (PROJECT_ROOT / "api").rglob("*.html")}
    expected |= {f"kg/{p.relative_to(PROJECT_ROOT / 'kg')}" for p in (PROJECT_ROOT / "kg").rglob("*.rq")}
    assert sorted(expected - names) == []
    static = {p for p in (PROJECT_ROOT / "api" / "static").rglob("*") if p.is_file()}
    assert {f"kg_api/{p.relative_to(PROJECT_ROOT / 'api')}" for p in static} <= names
    licences = {n.rsplit("/", 1)[-1] for n in names if ".dist-info/licenses/" in n}
    assert {"LICENSE", "LICENSE-DATA", "THIRD-PARTY-LICENSES.txt"} <= licences


def test_the_installed_kg_works_from_an_empty_folder(installed: tuple[Path, Steps], tmp_path: Path) -> None:
    _, steps = installed
    env, work = steps.env, steps.cwd

    version = steps.run("kg", "--version", name="kg --version")
    assert version.stdout == f"territoires-industrie-kg {__version__}\n"
    finder = steps.run("python", "-c", "import importlib.util as u; print(u.find_spec('api'))", name="no api")
    assert finder.stdout == "None\n"  # the web package is kg_api: nothing named api is installed

    shapes = steps.run("kg", "shapes", name="kg shapes")
    checkout = CliRunner().invoke(app, ["shapes"])
    assert checkout.exit_code == 0
    assert len(shapes.stdout.splitlines()) == len(checkout.stdout.splitlines()) > 300
    assert shapes.stdout == checkout.stdout

    shutil.copy(BROKEN, work / "broken.ttl")
    broken = steps.run(
        "kg", "validate", "broken.ttl", "--against", "none", "--format", "json", name="kg validate", check=False
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    expected = CliRunner().invoke(app, ["validate", str(BROKEN), "--against", "none", "--format", "json"])
    assert expected.exit_code == 1
    results = json.loads(broken.stdout)["results"]
    assert len(results) >= 1 and {r["severity"] for r in results} == {"Violation"}
    assert _facts(results) == _facts(json.loads(expected.stdout)["results"])
    page = steps.run(
        "kg", "validate", "broken.ttl", "--against", "none", "--format", "html", name="html report", check=False
    )
    assert page.returncode == 1 and "<html" in page.stdout  # the page of kg_api.web, as POST /validate answers

    build = steps.run("kg", "build", name="kg build")
    store = Path(env["XDG_DATA_HOME"]) / "territoires-industrie-kg" / "store"
    (line,) = build.stderr.splitlines()
    assert line.startswith(f"built {store}: ") and " named graphs, version " in line
    assert list(work.iterdir()) == [work / "broken.ttl"]  # nothing written in the working folder

    port = _free_port()
    t = time.monotonic()
    server = subprocess.Popen(
        [str(steps.venv / "bin" / "kg"), "serve", "--port", str(port), "--workers", "1"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/health", server)
        steps.time("kg serve: up", t)
        ask = httpx.get(
            f"{base}/sparql",
            params={"query": "ASK { GRAPH ?g { ?s a ?type } }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert ask.status_code == 200 and ask.json()["boolean"] is True
        home = httpx.get(f"{base}/")
        assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
        shapes_page = httpx.get(f"{base}/shapes", headers={"Accept": "text/html"})
        assert shapes_page.status_code == 200 and "<html" in shapes_page.text
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    steps.time("kg serve: up, three requests, stopped", t)
    assert f"serving http://127.0.0.1:{port}/sparql" in output


def _facts(results: list[dict[str, str]]) -> list[tuple[str, str, str]]:
    return sorted((r["focus_node"], r["severity"], r["shape"]) for r in results)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(url: str, server: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"kg serve stopped (exit {server.returncode}):\n{server.stdout.read() if server.stdout else ''}"
            )
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    pytest.fail(f"{url} did not answer within {seconds} s")
