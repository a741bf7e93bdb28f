"""Running SPARQL on the Oxigraph store and serialising the answers in standard formats.

The default graph of every query is the RDF merge of all named graphs, materialised by `kg build` (see
`kg.build.pipeline`); `GRAPH` reaches each source's own graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import QuerySyntaxError, UsageError

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def run(store: ox.Store, sparql: str) -> Result:
    """Evaluate a SPARQL query; its default graph is the merge of all named graphs."""
    try:
        return store.query(sparql)
    except SyntaxError as e:
        raise QuerySyntaxError(f"malformed SPARQL query: {e}") from None


def serialize(result: Result, fmt: str) -> bytes:
    """The answer in a standard syntax: SPARQL results formats for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE."""
    if isinstance(result, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise UsageError(f"format {fmt!r} is not an RDF format (use one of {', '.join(GRAPH_FORMATS)})")
        return result.serialize(format=GRAPH_FORMATS[fmt]) or b""
    if fmt not in RESULT_FORMATS:
        raise UsageError(f"format {fmt!r} is not a SPARQL results format (use one of {', '.join(RESULT_FORMATS)})")
    return result.serialize(format=RESULT_FORMATS[fmt]) or b""


@dataclass(frozen=True)
class Table:
    """SELECT answers as plain Python values, for tables and tests."""

    variables: list[str]
    rows: list[dict[str, str | None]]


def to_table(result: Result) -> Table:
    """Rows of a SELECT (or the single boolean of an ASK) as strings."""
    if isinstance(result, ox.QueryBoolean):
        return Table(["boolean"], [{"boolean": "true" if bool(result) else "false"}])
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError("a CONSTRUCT or DESCRIBE answer is a graph, not a table")
    names = [v.value for v in result.variables]
    rows = [{n: (None if sol[n] is None else sol[n].value) for n in names} for sol in result]
    return Table(names, rows)


def select(store: ox.Store, sparql: str) -> Table:
    """Run a SELECT and return its rows: the convenient form for code and tests."""
    return to_table(run(store, sparql))
