"""The embedded Oxigraph store evaluated in this process: SPARQL answers serialised in standard formats.

`execute` is the one place a query meets pyoxigraph: the pool's workers call it, and `LocalStore` — the
`Queryable` over a store opened in this process, for the CLI, the build and tests — calls it too. The
default graph of every query is the RDF merge of all named graphs, materialised by `kg build` (see
`kg.ingest.pipeline`); `GRAPH` reaches each source's own graph.
"""

from __future__ import annotations

import itertools
from typing import Any

import pyoxigraph as ox

from kg.docs import context
from kg.errors import QuerySyntaxError, UsageError
from kg.sources.namespaces import PREFIXES
from kg.store import lateral
from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest

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
UNLIMITED_ROWS = 2**62


class LocalStore(Queryable):
    """A store opened in this process: no worker, no time limit — for the command line, the build, tests."""

    def __init__(self, store: ox.Store, *, version: str = "local", max_rows: int = UNLIMITED_ROWS) -> None:
        self._store = store
        self._version = version
        self.max_rows = max_rows

    @property
    def version(self) -> str:
        return self._version

    def run(self, req: QueryRequest) -> QueryAnswer:
        return execute(self._store, req, self.max_rows)

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        return read_graph(self._store, self._version, graph, fmt)


def read_graph(store: ox.Store, version: str, graph: str | None, fmt: str) -> GraphRead:
    """One whole graph of `store`, serialised (the embedded stores' `Queryable.read_graph`)."""
    syntax = rdf_format(fmt)
    name: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    quads = list(store.quads_for_pattern(None, None, None, name))
    items: list[Any] = quads if syntax.supports_datasets else [q.triple for q in quads]
    body = serialize_graph(items, syntax) if quads else b""
    return GraphRead(version, body, len(quads))


def serialize_graph(items: list[Any], syntax: ox.RdfFormat) -> bytes:
    """Triples or quads in `syntax`; JSON-LD compacted with the project's context (kg.docs.context)."""
    if syntax == ox.RdfFormat.JSON_LD:
        return context.jsonld(items)
    return ox.serialize(items, format=syntax, prefixes=PREFIXES) or b""


def execute(store: ox.Store, req: QueryRequest, max_rows: int) -> QueryAnswer:
    """Evaluate and serialise one query (runs inside a worker; also usable in-process)."""
    kwargs: dict[str, Any] = {}
    if req.default_graphs is not None or req.named_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs or ()]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs or ()]
    # otherwise the query's own FROM / FROM NAMED, or the store's default graph: the materialised merge
    try:
        result = store.query(lateral.rewrite(req.query), **kwargs)  # `#lateral` hints (kg.store.lateral)
    except SyntaxError as e:
        raise QuerySyntaxError(f"malformed SPARQL query: {e}") from None
    if isinstance(result, ox.QueryBoolean):
        body = result.serialize(format=results_format(req.result_format)) or b""
        return QueryAnswer("boolean", req.result_format, body, 1, False)
    if isinstance(result, ox.QueryTriples):
        triples = list(itertools.islice(result, max_rows + 1))
        truncated = len(triples) > max_rows
        triples = triples[:max_rows]
        fmt = rdf_format(req.graph_format)
        items: list[Any] = triples
        if fmt.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        graph_body = serialize_graph(items, fmt)
        return QueryAnswer("graph", req.graph_format, graph_body, len(triples), truncated)
    variables = result.variables
    rows = list(itertools.islice(result, max_rows + 1))
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    # Rebuild the (possibly truncated) solutions through TSV, whose terms are N-Triples syntax, so that
    # Oxigraph's own serialisers write every format: datatypes and language tags are never lost.
    tsv = "\t".join(str(v) for v in variables) + "\n"
    tsv += "".join("\t".join("" if r[v] is None else str(r[v]) for v in variables) + "\n" for r in rows)
    solutions = ox.parse_query_results(tsv.encode("utf-8"), format=ox.QueryResultsFormat.TSV)
    body = solutions.serialize(format=results_format(req.result_format)) or b""
    return QueryAnswer("solutions", req.result_format, body, len(rows), truncated)


def results_format(fmt: str) -> ox.QueryResultsFormat:
    """The SPARQL results syntax of a `QueryRequest.result_format` name; `UsageError` if there is none."""
    try:
        return RESULT_FORMATS[fmt]
    except KeyError:
        raise UsageError(f"{fmt!r} is not a SPARQL results format") from None


def rdf_format(fmt: str) -> ox.RdfFormat:
    """The RDF syntax of a `QueryRequest.graph_format` name; `UsageError` if there is none."""
    try:
        return GRAPH_FORMATS[fmt]
    except KeyError:
        raise UsageError(f"{fmt!r} is not an RDF format") from None
