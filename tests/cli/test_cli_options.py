"""The command's own manners: --version, -h, help without types on flags, a busy port, one-line messages."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import api.main
from kg import __version__
from kg.config import PROJECT_ROOT, get_settings
from kg_cli.main import app
from kg_cli.web import web_module, web_package

runner = CliRunner()
FIXTURES = Path(__file__).parent.parent / "fixtures"
COMMANDS = sorted(c.name for c in typer.main.get_command(app).commands.values())  # type: ignore[attr-defined]


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"territoires-industrie-kg {__version__}\n"


@pytest.mark.parametrize("command", [[], *([c] for c in COMMANDS)], ids=lambda c: " ".join(c) or "kg")
def test_h_is_help_and_no_flag_shows_a_type(command: list[str]) -> None:
    """`-h` prints what `--help` prints; a flag takes no value, so no `<bool>` beside it (typer 0.29 prints one)."""
    long = runner.invoke(app, [*command, "--help"], terminal_width=200)
    short = runner.invoke(app, [*command, "-h"], terminal_width=200)
    assert long.exit_code == short.exit_code == 0
    assert short.stdout == long.stdout
    assert "Show this message and exit." in long.stdout and "-h" in long.stdout
    assert "bool" not in long.stdout.lower(), long.stdout


def test_option_types_are_still_shown() -> None:
    """Only flags lose their type: an option that takes a value still says which."""
    result = runner.invoke(app, ["serve", "--help"], terminal_width=200)
    assert "<integer>" in result.stdout or "<int>" in result.stdout, result.stdout


def test_serve_on_a_busy_port_is_one_line_and_exit_2() -> None:
    """Checked by binding before anything is built or printed: no "serving http://…" before the failure."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-c", "from kg_cli.main import main; main()", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: port {port} is already in use on 127.0.0.1: stop what listens there or choose another with --port"
    ]


def test_serve_on_an_address_this_machine_lacks_is_one_line_and_exit_2() -> None:
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["serve", "--host", "192.0.2.1", "--port", "0"])  # TEST-NET-1: never local
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot listen on 192.0.2.1:0: ")
    assert len(result.stderr.splitlines()) == 1
    assert "serving" not in result.output


def test_build_ends_with_one_line_whatever_the_width(tmp_path: Path) -> None:
    get_settings.cache_clear()
    try:
        result = runner.invoke(
            app,
            ["build", "--store", str(tmp_path / "a-store-whose-path-is-long-enough-to-wrap" / "store")],
            env={"KG_DATA_DIR": str(FIXTURES / "build" / "good"), "COLUMNS": "40"},
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"built {tmp_path}") and line.endswith(" s") and "named graphs, version" in line


def test_in_a_checkout_the_cli_uses_the_checkout_s_api_as_the_tests_do() -> None:
    """An editable install also maps `kg_api` to api/: the CLI must not load that second copy beside `api`."""
    assert web_package() == "api"
    assert web_module("main") is api.main
    assert "kg_api" not in sys.modules


def test_from_an_editable_install_outside_the_checkout_the_cli_uses_kg_api(tmp_path: Path) -> None:
    """Run from elsewhere, the checkout is not on sys.path: `api` is not this checkout's, `kg_api` is used."""
    code = "from kg_cli.web import web_package, web_module; print(web_package(), web_module('main').__name__)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    installed = importlib.util.find_spec("kg_api") is not None  # false only with an install older than kg_api
    assert done.stdout == ("kg_api kg_api.main\n" if installed else "api api.main\n")


def test_serve_builds_no_local_store_for_a_remote_backend(tmp_path: Path) -> None:
    from kg.config import Settings
    from kg_cli.serve import _build_if_missing

    remote = Settings(store=tmp_path / "store", backend="sparql", sparql_query_url="http://127.0.0.1:9/sparql")
    _build_if_missing(remote)
    assert not (tmp_path / "store").exists() and not (tmp_path / "store.builds").exists()
