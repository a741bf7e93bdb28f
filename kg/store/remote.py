"""Any SPARQL 1.1 store over HTTP as the store: the second implementation of `kg.store.interface.Queryable`.

Queries go by the SPARQL 1.1 Protocol (POST), writes by the Graph Store Protocol (`put_graph`, used by
`kg.store.publish`). Answers keep the embedded store's promises: each is read within the query time limit
(the HTTP client's, on top of the engine's own cap), at most `max_bytes` of it is read, it is parsed by
pyoxigraph, cut at `max_rows` with `truncated` set, and re-serialised by pyoxigraph in the format asked
for — so datatypes and language tags survive whatever the engine sends. An engine's partial answer (an
"anytime" mode) is never served: it is a timeout.

The dataset is the one `kg.store.publish` wrote: one named graph per source, a merge graph (their set union)
and a metadata graph, written last, holding the version, the build time and the list of named graphs. When a
request names no dataset, the profile sends `default-graph-uri=<merge>` and `named-graph-uri=<each graph>`,
since an engine's own default graph is rarely that merge (Virtuoso's is every graph it has, its own included).
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kg.errors import StoreFailed, StoreMissing, StoreTimeout, UsageError
from kg.sources.namespaces import DCTERMS, OWL, TID
from kg.store import guard
from kg.store.engines import GENERIC, EngineProfile, profile
from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest
from kg.store.remote_io import (
    Body,
    ask_value,
    boolean_body,
    error_text,
    graph_body,
    parse_rdf,
    public_url,
    solutions_body,
    take,
    transport_error,
)

if TYPE_CHECKING:
    from kg.config import Settings

MERGE_GRAPH = f"{TID}graph/merge"
METADATA_GRAPH = f"{TID}graph/metadata"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
NO_GRAPH = "urn:x-kg:no-graph"  # names an empty side of a dataset: a graph no store holds
DEFAULT_MAX_BYTES = 256 * 2**20
RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


@dataclass(frozen=True)
class Metadata:
    """What the metadata graph says: the dataset version, when it was built, its named graphs and size."""

    version: str
    built_at: str | None
    graphs: tuple[str, ...]
    triples: int | None = None


class SparqlStore(Queryable):
    """A remote SPARQL 1.1 store (query endpoint, optional update and Graph Store Protocol endpoints)."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        auth: httpx.Auth | None = None,
        engine: EngineProfile = GENERIC,
        timeout: float = 30.0,
        max_rows: int = 10_000,
        max_bytes: int = DEFAULT_MAX_BYTES,
        merge_graph: str = MERGE_GRAPH,
        metadata_graph: str = METADATA_GRAPH,
        transport: httpx.BaseTransport | None = None,
        metadata_ttl: float | None = None,
        chunk_triples: int = 100_000,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or engine.update_url(query_url)
        self.gsp_url = gsp_url or engine.gsp_url(query_url)
        self.engine = engine
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.merge_graph = merge_graph
        self.metadata_graph = metadata_graph
        self.chunk_triples = chunk_triples  # per GSP request of a publication (kg.store.publish)
        self._client = httpx.Client(auth=auth, follow_redirects=False, transport=transport)
        self._metadata: Metadata | None = None
        self._metadata_read = 0.0
        self.metadata_ttl = (
            metadata_ttl  # re-read the version this often (another process publishes); None: on refresh()
        )

    # --- the interface ------------------------------------------------------------------------------------

    @property
    def version(self) -> str:
        return self.metadata().version

    @property
    def built_at(self) -> str | None:
        return self.metadata().built_at

    @property
    def lacks(self) -> frozenset[str]:
        return self.engine.lacks

    def metadata(self) -> Metadata:
        """The metadata graph as last read (read again when older than `metadata_ttl`, so a build published by
        `kg build` elsewhere is served within that bound); `StoreMissing` if nothing is published."""
        stale = self.metadata_ttl is not None and time.monotonic() - self._metadata_read > self.metadata_ttl
        if self._metadata is None or stale:
            self.refresh()
        assert self._metadata is not None
        return self._metadata

    def refresh(self) -> bool:
        previous = self._metadata
        self._metadata, self._metadata_read = self._read_metadata(), time.monotonic()
        return previous is None or previous.version != self._metadata.version

    def health(self) -> dict[str, Any]:
        meta = self.metadata()
        return {
            "version": meta.version,
            "triples": meta.triples,
            "backend": "sparql",
            "engine": self.engine.name,
            "endpoint": public_url(self.query_url),
        }

    def close(self) -> None:
        self._client.close()

    def _probe_query(self, seconds: float) -> None:
        self._query("ASK {}", "ASK", (), self.max_rows, timeout=seconds)

    def run(self, req: QueryRequest) -> QueryAnswer:
        info = guard.inspect(req.query)
        dataset = self._dataset(req, info.dataset_clause or req.dataset_clause)
        result, truncated = self._query(req.query, info.form, dataset, self.max_rows)
        if isinstance(result, bool):
            return QueryAnswer("boolean", req.result_format, boolean_body(result, req.result_format), 1, False)
        if isinstance(result, list):  # triples
            triples: list[Any] = result
            return QueryAnswer(
                "graph", req.graph_format, graph_body(triples, None, req.graph_format), len(triples), truncated
            )
        variables, rows = result
        body = solutions_body(variables, rows, req.result_format)
        return QueryAnswer("solutions", req.result_format, body, len(rows), truncated)

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        """A CONSTRUCT of the graph (the merge for None), checked against its COUNT: an engine that caps its
        answers (Virtuoso's ResultSetMaxRows) must not lose triples silently."""
        version = self.version
        name = graph or self.merge_graph
        iri = ox.NamedNode(name)
        dataset = (("named-graph-uri", name), ("default-graph-uri", NO_GRAPH))
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}"
        counted, _ = self._query(count, "SELECT", dataset, 1)
        assert not isinstance(counted, bool)
        expected = int(str(counted[1][0][0].value)) if counted[1] and counted[1][0][0] is not None else 0
        construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {iri} {{ ?s ?p ?o }} }}"
        result, truncated = self._query(construct, "CONSTRUCT", dataset, 2**62)
        triples: list[Any] = result if isinstance(result, list) else []
        if truncated or len(triples) != expected:
            raise StoreFailed(f"the store gave {len(triples)} of the {expected} triples of <{name}> (an answer cap?)")
        body = graph_body(triples, graph, fmt) if triples else b""
        return GraphRead(version, body, len(triples))

    # --- writes (Graph Store Protocol) ------------------------------------------------------------------------

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace one named graph with these N-Triples (one Graph Store Protocol PUT)."""
        self._send_graph("PUT", graph, ntriples)

    def post_graph(self, graph: str, ntriples: bytes) -> None:
        """Add these N-Triples to one named graph (one Graph Store Protocol POST: merged, nothing replaced)."""
        self._send_graph("POST", graph, ntriples)

    def _send_graph(self, method: str, graph: str, ntriples: bytes) -> None:
        with self._exchange(
            method,
            self._gsp(),
            params=((self.engine.gsp_graph_param, graph),),
            content=ntriples,
            content_type="application/n-triples",
            timeout=max(self.timeout, 300),
        ):
            pass

    def update(self, sparql: str) -> None:
        """Run one SPARQL 1.1 Update (the protocol's `application/sparql-update` body) on the update endpoint."""
        if self.update_url is None:
            raise UsageError("this store has no SPARQL Update endpoint: set KG_SPARQL_UPDATE_URL")
        with self._exchange(
            "POST",
            self.update_url,
            content=sparql.encode("utf-8"),
            content_type="application/sparql-update",
            timeout=max(self.timeout, 300),
        ):
            pass

    def delete_graph(self, graph: str) -> None:
        """Remove one named graph (a graph already absent is no error)."""
        with self._exchange("DELETE", self._gsp(), params=((self.engine.gsp_graph_param, graph),), missing_ok=True):
            pass

    def _gsp(self) -> str:
        if self.gsp_url is None:
            raise UsageError("this store has no Graph Store Protocol endpoint: set KG_SPARQL_GSP_URL")
        return self.gsp_url

    # --- reading answers ------------------------------------------------------------------------------------

    def _dataset(self, req: QueryRequest, own_clause: bool) -> tuple[tuple[str, str], ...]:
        if req.default_graphs is not None or req.named_graphs is not None:
            return _dataset_params(req.default_graphs or (), req.named_graphs or ())
        if own_clause or not self.engine.explicit_dataset:
            return ()
        # A query that cannot name a graph (no `GRAPH` anywhere in its text, not even in an IRI or a string: a
        # conservative test) reads the merge only: listing every named graph on each request costs Virtuoso
        # about 100 ms at 1,149 graphs, whether the query looks at them or not.
        named = self.metadata().graphs if "GRAPH" in req.query.upper() else ()
        return _dataset_params((self.merge_graph,), named)

    def _query(
        self, text: str, form: str, dataset: Sequence[tuple[str, str]], limit: int, timeout: float | None = None
    ) -> tuple[Any, bool]:
        """(a bool, a list of triples, or (variables, rows)), and whether it was cut at `limit` or the budget."""
        accept = GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_ACCEPT
        with self._exchange("POST", self.query_url, query=text, params=dataset, accept=accept, timeout=timeout) as (
            response,
            body,
        ):
            media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
            rdf = ox.RdfFormat.from_media_type(media) or (ox.RdfFormat.N_TRIPLES if media == "text/plain" else None)
            if rdf is not None:
                triples, truncated = take(parse_rdf(body, rdf, self.engine), limit, body, media)
                return triples, self._capped(response, len(triples), limit) or truncated
            results = ox.QueryResultsFormat.from_media_type(media)
            if results is None:
                raise StoreFailed(f"the store answered in {media or 'no media type'}, not a SPARQL results format")
            try:
                parsed = ox.parse_query_results(io.BufferedReader(body), format=results)
            except SyntaxError as e:
                body.check()
                raise StoreFailed(f"the store's answer is not valid {media}: {e}") from None
            if isinstance(parsed, ox.QueryBoolean):
                return bool(parsed), False
            variables = [v.value for v in parsed.variables]
            term = self.engine.term
            rows, truncated = take(([term(s[v]) for v in variables] for s in parsed), limit, body, media)
            if form == "ASK" and self.engine.ask_as_select:
                return ask_value(rows), False
            return (variables, rows), self._capped(response, len(rows), limit) or truncated

    def _capped(self, response: httpx.Response, received: int, limit: int) -> bool:
        """Whether the engine cut the answer at its own row cap (Virtuoso's ResultSetMaxRows, which it says in a
        header). Below our limit that cut would pass for a complete answer (and stop `rows()` paging): an error."""
        cap = self.engine.row_cap({k.lower(): v for k, v in response.headers.items()})
        if cap is None or received < cap:
            return False
        if cap < min(limit, self.max_rows):
            raise StoreFailed(
                f"the store cuts answers at {cap} rows, below this server's {self.max_rows}: raise its row cap "
                "(Virtuoso: ResultSetMaxRows in virtuoso.ini)"
            )
        return True

    @contextlib.contextmanager
    def _exchange(
        self,
        method: str,
        url: str,
        *,
        query: str | None = None,
        params: Sequence[tuple[str, str]] = (),
        content: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        timeout: float | None = None,
        missing_ok: bool = False,
    ) -> Iterator[tuple[httpx.Response, Body]]:
        """One request, its answer streamed as a bounded `Body`; errors typed (never an httpx exception)."""
        seconds = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + seconds
        headers = {"Accept": accept} if accept else {}
        if query is not None and self.engine.query_body == "form":
            content, content_type, params = urlencode([("query", query), *params]).encode(), _FORM, ()
        elif query is not None:
            content, content_type = query.encode("utf-8"), "application/sparql-query"
        if content_type:
            headers["Content-Type"] = content_type
        request = self._client.build_request(
            method, url, params=list(params), content=content, headers=headers, timeout=httpx.Timeout(seconds)
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as e:
            raise transport_error(e, url) from None
        try:
            body = Body(response, deadline, self.max_bytes)
            if response.status_code == 404 and missing_ok:
                yield response, body
                return
            if response.status_code >= 300:
                raise self.engine.error(response.status_code, error_text(body))
            if self.engine.partial({k.lower(): v for k, v in response.headers.items()}):
                raise StoreTimeout("the store stopped the query at its time limit and offered a partial answer")
            yield response, body
            body.check()
        finally:
            response.close()

    def _read_metadata(self) -> Metadata:
        meta = ox.NamedNode(self.metadata_graph)
        text = f"SELECT ?p ?o WHERE {{ GRAPH {meta} {{ {meta} ?p ?o }} }}"
        result, _ = self._query(
            text, "SELECT", (("named-graph-uri", self.metadata_graph), ("default-graph-uri", NO_GRAPH)), 100_000
        )
        values: dict[str, list[str]] = {}
        for p, o in result[1]:
            if p is not None and o is not None:
                values.setdefault(p.value, []).append(o.value)
        if not values.get(OWL + "versionInfo"):
            raise StoreMissing(
                f"nothing published at {public_url(self.query_url)} (no <{self.metadata_graph}>): run `kg build`"
            )
        triples = values.get(VOID_TRIPLES)
        return Metadata(
            version=values[OWL + "versionInfo"][0],
            built_at=next(iter(values.get(DCTERMS + "modified", [])), None),
            graphs=tuple(sorted(values.get(DCTERMS + "hasPart", []))),
            triples=int(triples[0]) if triples else None,
        )


_FORM = "application/x-www-form-urlencoded"


def _dataset_params(default: Iterable[str], named: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Protocol dataset parameters; an empty side is named by a graph nobody has, since a store given only
    one side may fill the other with everything."""
    d, n = list(default) or [NO_GRAPH], list(named) or [NO_GRAPH]
    return tuple([("default-graph-uri", g) for g in d] + [("named-graph-uri", g) for g in n])


def open_remote(settings: Settings) -> SparqlStore:
    """The remote store the settings describe (`KG_BACKEND=sparql`); nothing is asked of it yet."""
    if settings.sparql_query_url is None:
        raise UsageError("KG_SPARQL_QUERY_URL is not set")
    auth: httpx.Auth | None = None
    if settings.sparql_user:
        password = settings.sparql_password.get_secret_value() if settings.sparql_password else ""
        scheme = httpx.DigestAuth if settings.sparql_auth == "digest" else httpx.BasicAuth
        auth = scheme(settings.sparql_user, password)
    return SparqlStore(
        settings.sparql_query_url,
        update_url=settings.sparql_update_url,
        gsp_url=settings.sparql_gsp_url,
        auth=auth,
        engine=profile(settings.sparql_engine),
        timeout=settings.query_timeout,
        max_rows=settings.max_rows,
        metadata_ttl=settings.sparql_refresh_seconds,
        chunk_triples=settings.sparql_chunk_triples,
    )
