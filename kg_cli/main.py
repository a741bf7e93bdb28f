"""The `kg` command: a thin layer over the `kg` functions, mapping typed errors to exit codes.

Exit codes: 0 success (or data conforms), 1 data does not conform, 2 usage, parse or query error.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import queries
from kg.build import pipeline as kgbuild
from kg.build.shapes_required import load_shapes
from kg.build.validate import load_graph_dir, validate_graph, validate_upload
from kg.config import Settings, get_settings
from kg.errors import KGError, QuerySyntaxError, RDFParseError, StoreMissing, UsageError, ValidationFailed
from kg.sources.files import atomic_write
from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file, parse_files, rdf_files, to_rdflib_graph
from kg.store import export as kgexport
from kg.store import layout as kgstore
from kg.store import local as kgquery
from kg.write import update as kgwrite

app = typer.Typer(
    help="Territoires d'industrie knowledge graph: build, validate, query and export it.",
    no_args_is_help=True,
    add_completion=False,
)
err = Console(stderr=True)

EXIT_NONCONFORMING = 1
EXIT_USAGE = 2


def _fail(e: KGError) -> typer.Exit:
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


@contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except KGError as e:
        raise _fail(e) from None


def _settings(store: Path | None) -> Settings:
    try:
        settings = get_settings()
    except ValidationError as e:  # one line per wrong setting, then exit 2 (never a traceback)
        for problem in e.errors():
            name = "KG_" + "_".join(str(p) for p in problem["loc"]).upper()
            err.print(f"[bold red]settings:[/] {name}: {problem['msg']}", highlight=False)
        raise typer.Exit(EXIT_USAGE) from None
    return settings.model_copy(update={"store": store.absolute()}) if store else settings


StoreOpt = Annotated[Path | None, typer.Option("--store", help="Store directory (default: KG_STORE).")]


@app.command()
def build(store: StoreOpt = None) -> None:
    """Validate ontology + data against the shapes and, if they conform, load them into a new store."""
    s = _settings(store)
    with _errors():
        sources = kgbuild.Sources.from_dirs(s.ontology_dir, s.shapes_dir, s.data_dir)
        load_shapes(s.shapes_dir)
        with Progress(
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
    err.print(
        f"built {report.store}: {report.triples} triples in {report.graphs} named graphs, "
        f"version {report.version}, {report.warnings} SHACL warning(s), {report.seconds} s",
        highlight=False,
    )


class ReportFormat(StrEnum):
    text = "text"
    turtle = "turtle"
    json = "json"
    html = "html"


class Against(StrEnum):
    store = "store"
    data = "data"
    none = "none"


@app.command()
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
    store: StoreOpt = None,
) -> None:
    """Validate RDF files against the SHACL shapes. Exit 0 conforms, 1 violations, 2 errors."""
    s = _settings(store)
    with _errors():
        shapes = load_shapes(s.shapes_dir)
        if not files:
            result = validate_graph(
                to_rdflib_graph(parse_files(rdf_files(s.data_dir))), shapes, load_graph_dir(s.ontology_dir)
            )
        elif against is Against.store:
            result = validate_upload(s.store, parse_files(files), shapes)
        else:
            paths = [*rdf_files(s.data_dir), *files] if against is Against.data else list(files)
            result = validate_graph(to_rdflib_graph(parse_files(paths)), shapes, load_graph_dir(s.ontology_dir))
    if fmt is ReportFormat.html:
        from api.steward_pages import validation_report_page  # the same page POST /validate answers

        out = validation_report_page(result, source_name=", ".join(str(f) for f in files or []) or None)
    else:
        out = {
            ReportFormat.text: result.to_text,
            ReportFormat.turtle: result.to_turtle,
            ReportFormat.json: result.to_json,
        }[fmt]()
    typer.echo(out)
    raise typer.Exit(0 if result.conforms else EXIT_NONCONFORMING)


def _write_context(s: Settings, agent: str | None) -> kgwrite.WriteContext:
    who = agent or f"{TID}agent/local-user/{quote(getpass.getuser(), safe='')}"
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


@app.command()
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
    s = _settings(store)
    with _errors():
        target, triples = kgwrite.load_file_triples(parse_file(file), graph)
        _report_write(kgwrite.put_graph(_write_context(s, agent), target, triples))


@app.command()
def unload(
    graph: Annotated[str, typer.Option("--graph", help="The named graph to remove.")],
    agent: AgentOpt = None,
    store: StoreOpt = None,
) -> None:
    """Remove a named graph, if the rest of the graph still conforms without it (else exit 1, nothing removed)."""
    s = _settings(store)
    with _errors():
        _report_write(kgwrite.delete_graph(_write_context(s, agent), graph))


QUERY_FORMATS = ["table", *kgquery.RESULT_FORMATS, *kgquery.GRAPH_FORMATS]


@app.command()
def query(
    text: Annotated[str | None, typer.Argument(help="SPARQL query text.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="Read the query from a .rq file.")] = None,
    canned: Annotated[
        str | None, typer.Option("--canned", help="Run a canned query by name (see `kg queries`).")
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A canned query's parameter, as name=value (repeatable).")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help=f"One of: {', '.join(QUERY_FORMATS)}. Default: table for SELECT/ASK, turtle for CONSTRUCT/DESCRIBE.",
        ),
    ] = "",
    store: StoreOpt = None,
) -> None:
    """Run a SPARQL query over the store (default graph = union of all named graphs)."""
    s = _settings(store)
    with _errors():
        sparql = _query_text(text, file, canned, _params(param or []))
        db = kgstore.open_read_only(s.store)
        result = kgquery.run(db, sparql)
        is_graph = isinstance(result, kgquery.ox.QueryTriples)
        chosen = fmt or ("turtle" if is_graph else "table")
        if chosen not in QUERY_FORMATS:
            raise UsageError(f"unknown format {chosen!r} (use one of {', '.join(QUERY_FORMATS)})")
        if chosen == "table":
            if is_graph:
                raise UsageError(
                    "a CONSTRUCT or DESCRIBE answer is a graph: use --format turtle, ntriples, jsonld or rdfxml"
                )
            _print_table(kgquery.to_table(result))
        else:
            sys.stdout.buffer.write(kgquery.serialize(result, chosen))
            sys.stdout.flush()


def _params(pairs: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--param {pair!r}: write it as name=value")
        if name in values:
            raise UsageError(f"--param {name} is given twice")
        values[name] = value
    return values


def _query_text(text: str | None, file: Path | None, canned: str | None, params: dict[str, str]) -> str:
    given = [x for x in (text, file, canned) if x is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of: a query text, --file F.rq, --canned NAME")
    if params and canned is None:
        raise UsageError("--param goes with --canned NAME")
    if file is not None:
        if not file.is_file():
            raise UsageError(f"{file}: no such file")
        return file.read_text(encoding="utf-8")
    if canned is not None:
        return queries.get(canned).bind(params)
    assert text is not None
    return text


def _print_table(table: kgquery.Table) -> None:
    """A rich table on a terminal; tab-separated lines when piped, so nothing is cut or wrapped."""
    out = Console()
    if out.is_terminal:
        t = Table(*table.variables, show_lines=False)
        for row in table.rows:
            t.add_row(*[row[v] or "" for v in table.variables])
        out.print(t)
    else:
        typer.echo("\t".join(table.variables))
        for row in table.rows:
            typer.echo("\t".join(row[v] or "" for v in table.variables))
    err.print(f"{len(table.rows)} row(s)")


@app.command("queries")
def list_queries() -> None:
    """List the canned queries with their parameters."""
    for name in queries.names():
        q = queries.get(name)
        typer.echo(f"{name}\t{q.title}")
        for p in q.params:
            need = "required" if p.required else "optional"
            typer.echo(f"    --param {p.name}=<{p.type}>\t{need}. {p.description} e.g. {p.example}")


@app.command("shapes")
def shapes(
    fmt: Annotated[str, typer.Option("--format", help="markdown or text.")] = "markdown",
) -> None:
    """The SHACL shapes in words: what each class must and should have (the /shapes page, as text)."""
    from kg.docs import shapes_doc

    s = _settings(None)
    with _errors():
        typer.echo(shapes_doc.render(shapes_doc.load(s.shapes_dir, s.ontology_dir), fmt), nl=False)


@contextmanager
def _output(path: Path | None) -> Iterator[BinaryIO]:
    """Standard output, or a file written atomically (nothing half-written if the command fails)."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    with atomic_write(path) as fh:
        yield fh
    err.print(f"wrote {path}", highlight=False)


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(kgexport.EXPORT_FORMATS)}.")] = "trig",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: standard output).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the whole dataset; TriG, N-Quads and JSON-LD keep the named graphs, the others give the union."""
    s = _settings(store)
    with _errors():
        if fmt not in kgexport.EXPORT_FORMATS:
            raise UsageError(f"unknown export format {fmt!r} (use one of {', '.join(kgexport.EXPORT_FORMATS)})")
        db = kgstore.open_read_only(s.store)
        if not kgexport.keeps_graphs(fmt):
            err.print(f"note: {fmt} cannot hold named graphs; exporting the union of all graphs")
        with _output(output) as fh:
            kgexport.export(db, fmt, fh)


@app.command()
def stats(store: StoreOpt = None) -> None:
    """Triples per named graph, instances per class, and how many territories the official geography places."""
    s = _settings(store)
    with _errors():
        db = kgstore.open_read_only(s.store)
        info = kgstore.BuildInfo.read(kgstore.resolve(s.store))
        err.print(
            f"store {s.store} — version {info.version}, built {info.built_at}, {info.triples} triples", highlight=False
        )
        for name in ("triples-per-graph", "instances-per-class", "coverage"):
            _print_table(kgquery.select(db, queries.get(name).text))


@app.command()
def describe(
    iri: Annotated[str, typer.Argument(help="The resource: an IRI or a prefixed name (territory:agenais, ti:Phase).")],
    fmt: Annotated[
        str, typer.Option("--format", help="text (statements with their sources), turtle, ntriples, jsonld or rdfxml.")
    ] = "text",
    store: StoreOpt = None,
) -> None:
    """What the graph says about a resource, both ways, and which documents say it (as its web page does)."""
    from kg.docs import describe as kgdescribe

    s = _settings(store)
    with _errors():
        resource = kgdescribe.parse_iri(iri)
        if fmt != "text" and fmt not in kgquery.GRAPH_FORMATS:
            raise UsageError(f"unknown format {fmt!r} (use text or one of {', '.join(kgquery.GRAPH_FORMATS)})")
        db = kgstore.open_read_only(s.store)

        def run(sparql: str) -> bytes:
            return kgquery.serialize(kgquery.run(db, sparql), "json")

        if fmt == "text":
            typer.echo(kgdescribe.as_text(kgdescribe.describe(run, resource)), nl=False)
            return
        graph = kgquery.run(db, kgdescribe.graph_query(resource))
        body = kgquery.serialize(graph, fmt)
        if body.strip() == b"" and not kgdescribe.used_as_property(run, resource):
            raise kgdescribe.UnknownResource(f"the graph says nothing about <{resource}>")
        sys.stdout.buffer.write(body)
        sys.stdout.flush()


@app.command("import-geo")
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

    with _errors():
        report = geo.import_geo(etalab, mapping, output, data, inferred_output)
    err.print(str(report), highlight=False)


@app.command()
def network(
    fmt: Annotated[
        str, typer.Option("--format", help="graphml, gexf, csv (edge list) or json (node-link).")
    ] = "graphml",
    kind: Annotated[
        str, typer.Option(help="actors: actors linked by shared involvement; full: every relation.")
    ] = "actors",
    territory: Annotated[str | None, typer.Option(help="Only links concerning this territory (its IRI).")] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: standard output).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Export the actor network (or the full network) for Gephi, Cytoscape, networkx or a web page."""
    from kg import network as kgnetwork

    s = _settings(store)
    with _errors():
        if fmt not in kgnetwork.FORMATS:
            raise UsageError(f"unknown network format {fmt!r} (use one of {', '.join(kgnetwork.FORMATS)})")
        db = kgstore.open_read_only(s.store)
        graph = kgnetwork.add_centrality(kgnetwork.network(lambda q: kgquery.select(db, q).rows, kind, territory))
        body = kgnetwork.export(graph, fmt)
        with _output(output) as fh:
            fh.write(body)
        err.print(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges", highlight=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: KG_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: KG_PORT, 8000).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Query worker processes (default: KG_WORKERS, the CPU count).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the SPARQL 1.1 endpoint over the store; builds it first when it is missing."""
    import uvicorn

    from api.main import create_app

    s = _settings(store)
    s = s.model_copy(update={k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None})
    with _errors():
        load_shapes(s.shapes_dir)  # /validate and the writes would accept anything
        try:
            kgstore.resolve(s.store)
        except StoreMissing:
            err.print(f"no store at {s.store}: building it from {s.data_dir}")
            sources = kgbuild.Sources.from_dirs(s.ontology_dir, s.shapes_dir, s.data_dir)
            report = kgbuild.build(sources, s.store)
            err.print(f"built {report.triples} triples in {report.graphs} named graphs ({report.seconds} s)")
        err.print(f"serving http://{s.host}:{s.port}/sparql with {s.workers} query worker(s)", highlight=False)
        uvicorn.run(create_app(s), **uvicorn_options(s))


HEAD_SLACK_BYTES = 4096  # the method, version and line ends, and a read that ends past the header fields


def uvicorn_options(s: Settings) -> dict[str, Any]:
    """How `kg serve` runs uvicorn: with h11, whose buffer for a request's line and header fields is bounded.

    httptools (uvicorn's default when installed) buffers header fields without limit: a 20 MB header was
    read whole before the app's 431 could refuse it. h11 stops at `h11_max_incomplete_event_size` and answers
    400; the bound leaves room for the longest target and `max_header_bytes`, so the app's 414 and 431 (with
    their problem documents) answer everything up to it.
    """
    bound = s.max_url_length + s.max_header_bytes + HEAD_SLACK_BYTES
    return {
        "host": s.host,
        "port": s.port,
        "log_level": "info",
        "access_log": False,
        "http": "h11",
        "h11_max_incomplete_event_size": bound,
    }


def main() -> None:  # pragma: no cover - console entry point
    app()
