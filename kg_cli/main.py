"""The `kg` command: a thin layer over the `kg` functions, mapping typed errors to exit codes.

Exit codes: 0 success (or data conforms), 1 data does not conform, 2 usage, parse or query error.
The commands live in `kg_cli.data` (build, validate, load, unload, export, release, import-geo), `kg_cli.ask` (query,
queries, shapes, stats, describe, network) and `kg_cli.serve`; they raise `KGError`s, and `_command` turns
each into its exit code here, once.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from kg import __version__
from kg.config import DISTRIBUTION
from kg.errors import KGError, QuerySyntaxError, RDFParseError, StoreMissing, ValidationFailed
from kg_cli import ask, data
from kg_cli.common import EXIT_NONCONFORMING, EXIT_USAGE, err
from kg_cli.serve import serve

P = ParamSpec("P")
R = TypeVar("R")


class _FlagsTakeNoValue:
    """Typer 0.29's rich help prints every option's type, flags' too (`--help  <bool>`): its plain help, like
    typer 0.28's rich help, skips the type of a flag, which takes no value. An empty metavar is what the rich
    help prints instead of the type, so each flag gets one (`--help`, `--version` and any boolean option)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
                param.metavar = ""
        return params


class Command(_FlagsTakeNoValue, TyperCommand):
    pass


class Group(_FlagsTakeNoValue, TyperGroup):
    pass


app = typer.Typer(
    cls=Group,
    help="Territoires d'industrie knowledge graph: build, validate, query and export it.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"{DISTRIBUTION} {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Territoires d'industrie knowledge graph: build, validate, query and export it."""


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

    app.command(name, cls=Command)(run)


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
