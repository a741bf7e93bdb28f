"""The `kg` command: a thin layer over the `kg` functions, mapping typed errors to exit codes.

Exit codes: 0 success (or data conforms), 1 data does not conform, 2 usage, parse or query error.
The commands live in `kg_cli.data` (build, validate, load, unload, export, release, import-geo), `kg_cli.ask` (query,
queries, shapes, stats, describe, network) and `kg_cli.serve`; they raise `KGError`s, and `_command` turns
each into its exit code here, once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from kg.errors import KGError, QuerySyntaxError, RDFParseError, StoreMissing, ValidationFailed
from kg_cli import ask, data
from kg_cli.common import EXIT_NONCONFORMING, EXIT_USAGE, err
from kg_cli.serve import serve

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    help="Territoires d'industrie knowledge graph: build, validate, query and export it.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(e: KGError) -> typer.Exit:
    """The error on standard error (with the SHACL report when data does not conform) and its exit code."""
    code = EXIT_NONCONFORMING if isinstance(e, ValidationFailed) else EXIT_USAGE
    kind = {
        RDFParseError: "parse error",
        QuerySyntaxError: "query error",
        ValidationFailed: "validation failed",
        StoreMissing: "no store",
    }.get(type(e), "error")
    err.print(f"[bold red]{kind}:[/] {e}", highlight=False)
    if isinstance(e, ValidationFailed):
        err.print(e.report_text, highlight=False, markup=False)
    return typer.Exit(code)


def _command(fn: Callable[P, R], name: str | None = None) -> None:
    """Register `fn` as a command whose `KGError`s end it with their exit code, never a traceback."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except KGError as e:
            raise _fail(e) from None

    app.command(name)(run)


_command(data.build)
_command(data.validate)
_command(data.load)
_command(data.unload)
_command(ask.query)
_command(ask.list_queries, "queries")
_command(ask.shapes, "shapes")
_command(data.export)
_command(data.release)
_command(ask.stats)
_command(ask.describe)
_command(data.import_geo, "import-geo")
_command(ask.network)
_command(serve)


def main() -> None:  # pragma: no cover - console entry point
    app()
