"""Reading a remote store's answers within bounds, and writing them again as the embedded store does.

`Body` streams an HTTP answer to pyoxigraph's streaming parsers and ends it early past a byte budget or a
deadline; `take` keeps at most `max_rows` of what was parsed and says whether more came; the writers
re-serialise rows and triples with pyoxigraph (as `kg.store.local.execute` does), so no datatype or
language tag is lost whatever syntax the engine answered in — and JSON-LD through the same function as the
embedded store, compacted with the project's context (kg.docs.context). Used by `kg.store.remote` only.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from kg.errors import KGError, StoreFailed, StoreTimeout, StoreUnreachable
from kg.store.engines import EngineProfile
from kg.store.local import rdf_format, results_format, serialize_graph

_ERROR_BYTES = 64 * 1024  # of an error answer, enough for its message


class Body(io.RawIOBase):
    """A streamed answer as a file for pyoxigraph's streaming parsers: it ends early (and says why) past the
    byte budget or the deadline, or when the connection fails, so reading is always bounded."""

    def __init__(self, response: httpx.Response, deadline: float, budget: int) -> None:
        self._chunks = response.iter_bytes()
        self._pending = b""
        self._deadline = deadline
        self._budget = budget
        self.read_bytes = 0
        self.overflow = False
        self.failure: KGError | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending and not self._fill():
            return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def _fill(self) -> bool:
        if self.overflow or self.failure is not None:
            return False
        if time.monotonic() > self._deadline:
            self.failure = StoreTimeout("the store's answer did not arrive within the query time limit")
            return False
        try:
            chunk = next(self._chunks, b"")
        except httpx.HTTPError as e:
            self.failure = transport_error(e)
            return False
        if not chunk:
            return False
        room = self._budget - self.read_bytes
        if len(chunk) > room:
            chunk, self.overflow = chunk[:room], True
        self.read_bytes += len(chunk)
        self._pending = chunk
        return bool(chunk)

    def check(self) -> None:
        """Raise what stopped the reading early, if anything but the byte budget did."""
        if self.failure is not None:
            raise self.failure


def parse_rdf(body: Body, fmt: ox.RdfFormat, engine: EngineProfile) -> Iterator[Any]:
    for quad in ox.parse(io.BufferedReader(body), format=fmt):
        yield engine.term(quad.triple if isinstance(quad, ox.Quad) else quad)


def take(items: Iterable[Any], limit: int, body: Body, media: str) -> tuple[list[Any], bool]:
    """At most `limit` items, and whether there were more (or the byte budget cut the answer)."""
    taken: list[Any] = []
    try:
        for item in items:
            taken.append(item)
            if len(taken) > limit:
                break
    except SyntaxError as e:
        body.check()
        if not body.overflow:
            raise StoreFailed(f"the store's answer is not valid {media}: {e}") from None
    body.check()
    truncated = len(taken) > limit or body.overflow
    return taken[:limit], truncated


def ask_value(rows: list[list[Any]]) -> bool:
    """Virtuoso's ASK: one row, one 0/1 (or true/false) value when true, no row when false."""
    if not rows:
        return False
    value = str(rows[0][0].value) if rows and rows[0] and rows[0][0] is not None else ""
    if value not in ("0", "1", "true", "false"):
        raise StoreFailed(f"the store answered an ASK with {value!r}, not a boolean")
    return value in ("1", "true")


def boolean_body(value: bool, fmt: str) -> bytes:
    doc = b'{"head":{},"boolean":true}' if value else b'{"head":{},"boolean":false}'
    return ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON).serialize(format=results_format(fmt)) or b""


def solutions_body(variables: list[str], rows: list[list[Any]], fmt: str) -> bytes:
    """Rows re-serialised through TSV (terms in N-Triples syntax), as `kg.store.local.execute` does."""
    tsv = "\t".join(f"?{v}" for v in variables) + "\n"
    tsv += "".join("\t".join("" if t is None else str(t) for t in row) + "\n" for row in rows)
    parsed = ox.parse_query_results(tsv.encode("utf-8"), format=ox.QueryResultsFormat.TSV)
    return parsed.serialize(format=results_format(fmt)) or b""


def graph_body(triples: list[Any], graph: str | None, fmt: str) -> bytes:
    rdf = rdf_format(fmt)
    items: list[Any] = triples
    if rdf.supports_datasets:
        name: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
        items = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    return serialize_graph(items, rdf)


def error_text(body: Body) -> str:
    data = b""
    while len(data) < _ERROR_BYTES and (chunk := body.read(_ERROR_BYTES - len(data))):
        data += chunk
    return data.decode("utf-8", errors="replace")


def public_url(url: str) -> str:
    """A URL without credentials or query, fit for messages and /health."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def transport_error(e: httpx.HTTPError, url: str | None = None) -> KGError:
    where = f" at {public_url(url)}" if url else ""
    if isinstance(e, httpx.ConnectTimeout | httpx.ConnectError):
        return StoreUnreachable(f"the SPARQL store{where} cannot be reached: {e}")
    if isinstance(e, httpx.TimeoutException):
        return StoreTimeout(f"the SPARQL store{where} did not answer within the query time limit")
    return StoreFailed(f"the exchange with the SPARQL store{where} failed: {e}")
