"""The commands that make and change the data: build, validate, load, unload, import-geo, export, release."""

from __future__ import annotations

import getpass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO, cast
from urllib.parse import quote

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from kg.config import Settings
from kg.docs import release as kgrelease
from kg.errors import UsageError
from kg.ingest import pipeline as kgbuild
from kg.ingest.shapes_required import load_shapes
from kg.ingest.validate import load_graph_dir, validate_graph, validate_upload
from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file, parse_files, rdf_files, to_rdflib_graph
from kg.store import export as kgexport
from kg.store import layout as kgstore
from kg.store.local import LocalStore
from kg.store.remote import open_remote
from kg.write import update as kgwrite
from kg.write.remote import RemoteWriteContext
from kg.write.upload import current_graph
from kg_cli.common import EXIT_NONCONFORMING, OutputOpt, StoreOpt, err, output_to, settings
from kg_cli.web import web_module


def build(store: StoreOpt = None) -> None:
    """Validate ontology + data against the shapes and, if they conform, load them into a new store."""
    s = settings(store)
    sources = kgbuild.Sources.from_dirs(s.ontology_dir, s.shapes_dir, s.data_dir)
    load_shapes(s.shapes_dir)
    with Progress(
        SpinnerColumn(finished_text="[green]✓[/]"),  # turns while a stage runs: validation is one long step
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        report = kgbuild.build(sources, s.store, progress, lock_timeout=s.write_lock_timeout)
    err.print(  # one line whatever the terminal's width, so that it reads (and greps) as one
        f"built {report.store}: {report.triples} triples in {report.graphs} named graphs, "
        f"version {report.version}, {report.warnings} SHACL warning(s), {report.seconds} s",
        highlight=False,
        soft_wrap=True,
    )
    if s.backend == "sparql":  # validated and built here as always, then published to the remote store
        from kg.store.publish import publish_build
        from kg.store.remote import open_remote

        remote = open_remote(s)
        try:
            published = publish_build(remote, s.store)
        finally:
            remote.close()
        err.print(
            f"published to {s.sparql_query_url}: {len(published.graphs)} graph(s), {published.triples} triples, "
            f"version {report.version}, {published.seconds:.1f} s",
            highlight=False,
        )


class ReportFormat(StrEnum):
    text = "text"
    turtle = "turtle"
    json = "json"
    html = "html"


class ReportLanguage(StrEnum):
    fr = "fr"
    en = "en"


class Against(StrEnum):
    store = "store"
    data = "data"
    none = "none"


def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="RDF files (.ttl .trig .nt .nq .jsonld .rdf); default: the bundled data."),
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Report format.")] = ReportFormat.text,
    against: Annotated[
        Against,
        typer.Option(
            "--against",
            help="What the files are validated with: the current store (as POST /validate does, so references to "
            "existing territories and actors resolve; the report covers the files' own nodes), the data files, "
            "or the ontology alone.",
        ),
    ] = Against.store,
    lang: Annotated[
        ReportLanguage,
        typer.Option("--lang", help="The report's language (as Accept-Language on POST /validate; French by default)."),
    ] = ReportLanguage.fr,
    store: StoreOpt = None,
) -> None:
    """Validate RDF files against the SHACL shapes. Exit 0 conforms, 1 violations, 2 errors."""
    s = settings(store)
    shapes = load_shapes(s.shapes_dir)
    if not files:
        result = validate_graph(
            to_rdflib_graph(parse_files(rdf_files(s.data_dir))), shapes, load_graph_dir(s.ontology_dir)
        )
    elif against is Against.store:
        upload = parse_files(files)
        result = validate_upload(current_graph(s.store), upload, shapes)
    else:
        paths = [*rdf_files(s.data_dir), *files] if against is Against.data else list(files)
        result = validate_graph(to_rdflib_graph(parse_files(paths)), shapes, load_graph_dir(s.ontology_dir))
    result = result.in_language(lang.value)
    if fmt is ReportFormat.html:
        render_report = web_module("web.validation_page").render_report  # the same page POST /validate answers
        out = render_report(result, source_name=", ".join(str(f) for f in files or []) or None)
    else:
        out = {
            ReportFormat.text: result.to_text,
            ReportFormat.turtle: result.to_turtle,
            ReportFormat.json: result.to_json,
        }[fmt]()
    typer.echo(out)
    raise typer.Exit(0 if result.conforms else EXIT_NONCONFORMING)


def _write_context(s: Settings, agent: str | None) -> kgwrite.Context:
    """The built store here, or the remote store (`KG_BACKEND=sparql`): the same write either way."""
    who = agent or f"{TID}agent/local-user/{quote(getpass.getuser(), safe='')}"
    if s.backend == "sparql":
        return RemoteWriteContext(open_remote(s), load_shapes(s.shapes_dir), who, s.write_lock_timeout)
    return kgwrite.WriteContext(
        store=s.store,
        shapes=load_shapes(s.shapes_dir),
        data_dir=s.data_dir if s.write_data_files else None,
        agent=who,
        lock_timeout=s.write_lock_timeout,
    )


AgentOpt = Annotated[
    str | None,
    typer.Option("--agent", help="Who writes, as an IRI (mailto:…); default: this machine's user."),
]


def _report_write(report: kgwrite.WriteReport) -> None:
    verb = "created" if report.created else "changed" if report.changed else "unchanged (nothing written)"
    err.print(
        f"[green]{report.operation}[/] {', '.join(report.graphs) or 'no graph'} {verb}: +{report.added} "
        f"-{report.removed} triples, {report.warnings} warning(s), version {report.version} ({report.seconds} s)",
        highlight=False,
    )
    if report.validation is not None and report.validation.warnings:
        err.print(report.validation.to_text(), highlight=False, markup=False)


def load(
    file: Annotated[Path, typer.Argument(help="RDF file: its triples, or its one named graph.")],
    graph: Annotated[
        str | None,
        typer.Option("--graph", help="The named graph to replace (one per source document); default: the file's own."),
    ] = None,
    agent: AgentOpt = None,
    store: StoreOpt = None,
) -> None:
    """Replace a named graph with a file's triples: validated with the whole graph, applied atomically or not at all.

    Exit 0 written, 1 does not conform (nothing written), 2 usage or parse error.
    """
    s = settings(store)
    target, triples = kgwrite.load_file_triples(parse_file(file), graph)
    _report_write(kgwrite.put_graph(_write_context(s, agent), target, triples))


def unload(
    graph: Annotated[str, typer.Option("--graph", help="The named graph to remove.")],
    agent: AgentOpt = None,
    store: StoreOpt = None,
) -> None:
    """Remove a named graph, if the rest of the graph still conforms without it (else exit 1, nothing removed)."""
    s = settings(store)
    _report_write(kgwrite.delete_graph(_write_context(s, agent), graph))


def export(
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(kgexport.EXPORT_FORMATS)}.")] = "trig",
    output: OutputOpt = None,
    store: StoreOpt = None,
) -> None:
    """Export the whole dataset; TriG, N-Quads and JSON-LD keep the named graphs, the others give the union.

    An output file whose name ends in .gz is gzip-compressed."""
    s = settings(store)
    if fmt not in kgexport.EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (use one of {', '.join(kgexport.EXPORT_FORMATS)})")
    db = kgstore.open_read_only(s.store)
    if not kgexport.keeps_graphs(fmt):
        err.print(f"note: {fmt} cannot hold named graphs; exporting the union of all graphs")
    with output_to(output) as fh:
        if kgexport.wants_gzip(output):
            with kgexport.gzip_writer(fh) as gz:
                kgexport.export(db, fmt, cast(BinaryIO, gz))
        else:
            kgexport.export(db, fmt, fh)


def release(
    folder: Annotated[Path, typer.Argument(help="Folder to write the release into (created if missing).")],
    store: StoreOpt = None,
) -> None:
    """Write the whole dataset for a data portal: N-Quads and TriG dumps (gzip, every named graph), a .sha256 beside each, SHA256SUMS (for `sha256sum -c`) and dumps.json — the files GET /download serves."""
    s = settings(store)
    build = kgstore.resolve(s.store)
    info = kgstore.BuildInfo.read(build)
    local = LocalStore(kgstore.open_read_only(s.store), version=info.version)
    made = kgrelease.write_release(local, folder, built_at=info.built_at)
    for f in made.files:
        line = f"wrote {folder / f.name}: {f.size} bytes, {f.quads} quads, sha256 {f.sha256}"
        err.print(line, highlight=False, soft_wrap=True)  # one line each, whatever the terminal's width
    line = f"wrote {folder / kgrelease.CHECKSUMS} (version {made.version}, {made.graphs} named graphs)"
    err.print(line, highlight=False, soft_wrap=True)


def import_geo(
    etalab: Annotated[Path, typer.Option(help="Folder of Etalab's decoupage-administratif JSON files (package/data).")],
    mapping: Annotated[Path, typer.Option(help="Reviewed mapping CSV.")] = Path("data/mappings/places.csv"),
    output: Annotated[Path, typer.Option(help="TriG file to write.")] = Path(
        "data/official/decoupage-administratif.trig"
    ),
    data: Annotated[Path, typer.Option(help="Data folder declaring the territories.")] = Path("data"),
    inferred_output: Annotated[Path, typer.Option(help="TriG file of the inferred places.")] = Path(
        "data/inferred/places.trig"
    ),
) -> None:
    """Turn Etalab's official geography into RDF for the places the documents name, and infer the territories'."""
    from kg.sources.geo import importer as geo

    report = geo.import_geo(etalab, mapping, output, data, inferred_output)
    err.print(str(report), highlight=False)
