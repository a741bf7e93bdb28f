"""The embedded Oxigraph store evaluated in this process: SPARQL answers serialised in standard formats.

`execute` is the one place a query meets pyoxigraph: the pool's workers call it, and `LocalStore` — the
`Queryable` over a store opened in this process, for the CLI, the build and tests — calls it too. The
default graph of every query is the RDF merge of all named graphs, materialised by `kg build` (see
`kg.ingest.pipeline`); `GRAPH` reaches each source's own graph.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import IO, Any, cast

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
    body, rows, truncated = _solutions_tsv(result, max_rows)
    if req.result_format != "tsv":
        # TSV writes every term in N-Triples syntax, so re-reading it loses no datatype or language tag; Oxigraph's
        # own parser and serialisers do the rest (a Python object per term cost 0.1 ms per row of 14 columns)
        body = (
            ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV).serialize(
                format=results_format(req.result_format)
            )
            or b""
        )
    return QueryAnswer("solutions", req.result_format, body, rows, truncated)


class _Full(Exception):
    """Raised by `_RowWriter` to stop the serialiser once it has written enough rows."""


class _RowWriter:
    """Collects what Oxigraph's TSV serialiser writes (one line per solution, after a header line) and stops it
    one row past `max_rows`, so that a large answer is never written whole to be cut."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows, self.chunks, self.lines = max_rows, list[bytes](), 0

    def write(self, data: bytes) -> int:
        if self.lines > self.max_rows + 1:  # stopped: the serialiser's buffer, flushed again as it is dropped
            return len(data)
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.lines += chunk.count(b"\n")
        if self.lines > self.max_rows + 1:
            raise _Full
        return len(chunk)

    def flush(self) -> None:
        """(Nothing is buffered here.)"""


def _solutions_tsv(result: ox.QuerySolutions, max_rows: int) -> tuple[bytes, int, bool]:
    """(TSV of the first `max_rows` solutions, how many, whether there were more)."""
    writer = _RowWriter(max_rows)
    with contextlib.suppress(_Full):
        result.serialize(cast(IO[bytes], writer), format=ox.QueryResultsFormat.TSV)
    if writer.lines <= max_rows + 1:
        return b"".join(writer.chunks), max(writer.lines - 1, 0), False
    last = writer.chunks.pop()
    keep = max_rows + 1 - (writer.lines - last.count(b"\n"))  # lines of the last chunk that are kept
    end = -1
    for _ in range(keep):
        end = last.index(b"\n", end + 1)
    return b"".join(writer.chunks) + last[: end + 1], max_rows, True


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
