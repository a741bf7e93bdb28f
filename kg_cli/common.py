"""What the commands share: the error console, the settings, the store they query, tables, atomic output."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from kg.config import Settings, get_settings
from kg.sources.files import atomic_write
from kg.store import layout as kgstore
from kg.store.local import LocalStore

err = Console(stderr=True)

EXIT_NONCONFORMING = 1
EXIT_USAGE = 2

StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store directory (default: KG_STORE).")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: standard output).")]


def settings(store: Path | None) -> Settings:
    """The settings, with `--store` when given; a wrong setting is one line each and exit 2, never a traceback."""
    try:
        current = get_settings()
    except ValidationError as e:
        for problem in e.errors():
            name = "KG_" + "_".join(str(p) for p in problem["loc"]).upper()
            err.print(f"[bold red]settings:[/] {name}: {problem['msg']}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    return current.model_copy(update={"store": store.absolute()}) if store else current


def open_store(s: Settings) -> LocalStore:
    """The store of the settings, read-only, as a `Queryable` evaluated in this process."""
    return LocalStore(kgstore.open_read_only(s.store))


def print_table(variables: Sequence[str], rows: Sequence[Mapping[str, str | None]]) -> None:
    """A rich table on a terminal; tab-separated lines when piped, so nothing is cut or wrapped."""
    out = Console()
    if out.is_terminal:
        t = Table(*variables, show_lines=False)
        for row in rows:
            t.add_row(*[row[v] or "" for v in variables])
        out.print(t)
    else:
        typer.echo("\t".join(variables))
        for row in rows:
            typer.echo("\t".join(row[v] or "" for v in variables))
    err.print(f"{len(rows)} row(s)")


@contextmanager
def output_to(path: Path | None) -> Iterator[BinaryIO]:
    """Standard output, or a file written atomically (nothing half-written if the command fails)."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    with atomic_write(path) as fh:
        yield fh
    err.print(f"wrote {path}", highlight=False)
