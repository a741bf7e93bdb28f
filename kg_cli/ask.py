"""The commands that ask the store: query, queries, describe, network, stats, shapes.

Every query goes through the store interface (`kg.store.interface.Queryable`), here a `LocalStore` over the
store opened read-only in this process, so the command line and the server run the same code.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg import queries
from kg.errors import UsageError
from kg.store import layout as kgstore
from kg.store.interface import QueryAnswer, QueryRequest, read_json_results
from kg.store.local import GRAPH_FORMATS, RESULT_FORMATS
from kg_cli.common import OutputOpt, StoreOpt, err, open_store, output_to, print_table, settings

QUERY_FORMATS = ["table", *RESULT_FORMATS, *GRAPH_FORMATS]


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
    s = settings(store)
    sparql = _query_text(text, file, canned, _params(param or []))
    answer = open_store(s).run(
        QueryRequest(
            sparql,
            result_format=fmt if fmt in RESULT_FORMATS else "json",
            graph_format=fmt if fmt in GRAPH_FORMATS else "turtle",
        )
    )
    chosen = fmt or ("turtle" if answer.kind == "graph" else "table")
    if chosen not in QUERY_FORMATS:
        raise UsageError(f"unknown format {chosen!r} (use one of {', '.join(QUERY_FORMATS)})")
    if chosen == "table":
        _print_answer(answer)
        return
    _check_format(answer, chosen)
    sys.stdout.buffer.write(answer.body)
    sys.stdout.flush()


def _print_answer(answer: QueryAnswer) -> None:
    """A SELECT's rows, or an ASK's one `boolean` row, as a table; a graph has no table."""
    if answer.kind == "graph":
        raise UsageError("a CONSTRUCT or DESCRIBE answer is a graph: use --format turtle, ntriples, jsonld or rdfxml")
    solutions = read_json_results(answer.body)  # the JSON the request asked for
    if isinstance(solutions, bool):
        print_table(["boolean"], [{"boolean": "true" if solutions else "false"}])
    else:
        print_table(solutions.variables, solutions.values())


def _check_format(answer: QueryAnswer, fmt: str) -> None:
    """A results syntax for solutions and booleans, an RDF syntax for graphs."""
    if answer.kind == "graph" and fmt not in GRAPH_FORMATS:
        raise UsageError(f"format {fmt!r} is not an RDF format (use one of {', '.join(GRAPH_FORMATS)})")
    if answer.kind != "graph" and fmt not in RESULT_FORMATS:
        raise UsageError(f"format {fmt!r} is not a SPARQL results format (use one of {', '.join(RESULT_FORMATS)})")


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


def list_queries() -> None:
    """List the canned queries with their parameters, in French (their titles and descriptions in French)."""
    for name in queries.names():
        q = queries.get(name)
        typer.echo(f"{name}\t{q.title}")
        for p in q.params:
            need = "obligatoire" if p.required else "facultatif"
            typer.echo(f"    --param {p.name}=<{p.type}>\t{need}. {p.description} Exemple : {p.example}")


def shapes(
    fmt: Annotated[str, typer.Option("--format", help="markdown or text.")] = "markdown",
) -> None:
    """The SHACL shapes in words: what each class must and should have (the /shapes page, as text)."""
    from kg.docs.shapes import reader, render

    s = settings(None)
    typer.echo(render.render(reader.load(s.shapes_dir, s.ontology_dir), fmt), nl=False)


def stats(store: StoreOpt = None) -> None:
    """Triples per named graph, instances per class, and how many territories the official geography places."""
    s = settings(store)
    db = open_store(s)
    info = kgstore.BuildInfo.read(kgstore.resolve(s.store))
    err.print(
        f"store {s.store} — version {info.version}, built {info.built_at}, {info.triples} triples", highlight=False
    )
    for name in ("triples-per-graph", "instances-per-class", "coverage"):
        table = db.select(queries.get(name).text)
        print_table(table.variables, table.values())


def describe(
    iri: Annotated[str, typer.Argument(help="The resource: an IRI or a prefixed name (territory:agenais, ti:Phase).")],
    fmt: Annotated[
        str, typer.Option("--format", help="text (statements with their sources), turtle, ntriples, jsonld or rdfxml.")
    ] = "text",
    store: StoreOpt = None,
) -> None:
    """What the graph says about a resource, both ways, and which documents say it (as its web page does)."""
    from kg.docs import describe as kgdescribe

    s = settings(store)
    resource = kgdescribe.parse_iri(iri)
    if fmt != "text" and fmt not in GRAPH_FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use text or one of {', '.join(GRAPH_FORMATS)})")
    db = open_store(s)
    if fmt == "text":
        typer.echo(kgdescribe.as_text(kgdescribe.describe(db, resource)), nl=False)
        return
    body = db.run(QueryRequest(kgdescribe.graph_query(resource), graph_format=fmt)).body
    if body.strip() == b"" and not kgdescribe.used_as_property(db, resource):
        raise kgdescribe.UnknownResource(f"the graph says nothing about <{resource}>")
    sys.stdout.buffer.write(body)
    sys.stdout.flush()


def network(
    fmt: Annotated[
        str, typer.Option("--format", help="graphml, gexf, csv (edge list) or json (node-link).")
    ] = "graphml",
    kind: Annotated[
        str, typer.Option(help="actors: actors linked by shared involvement; full: every relation.")
    ] = "actors",
    territory: Annotated[str | None, typer.Option(help="Only links concerning this territory (its IRI).")] = None,
    output: OutputOpt = None,
    store: StoreOpt = None,
) -> None:
    """Export the actor network (or the full network) for Gephi, Cytoscape, networkx or a web page."""
    from kg import network as kgnetwork
    from kg import network_export

    s = settings(store)
    if fmt not in network_export.FORMATS:
        raise UsageError(f"unknown network format {fmt!r} (use one of {', '.join(network_export.FORMATS)})")
    graph = kgnetwork.add_centrality(kgnetwork.network(open_store(s), kind, territory))
    body = network_export.export(graph, fmt)
    with output_to(output) as fh:
        fh.write(body)
    err.print(f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges", highlight=False)
