"""Reading a SPARQL 1.1 Protocol request: the query, its RDF dataset and the wanted format, from any of its forms.

The protocol allows three ways to send a query (GET `?query=`, POST form, POST `application/sparql-query`)
and names the dataset with `default-graph-uri` / `named-graph-uri`. Reading is done once, here, before
anything runs: a second `query` is a 400, an update in any guise a 403, an unknown body type a 415, and so
is a charset other than UTF-8 for the protocol's own types (form, sparql-query, sparql-update), which the
protocol defines in UTF-8 only (SPARQL 1.1 Protocol §2.1.2, §2.1.3, §2.2.1, §2.2.2).
Parameters this endpoint does not know (clients add their own) are ignored.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import Request

from kg.errors import UpdateRefused, UsageError

from .conneg import FORMAT_PARAMETERS
from .errors import UnsupportedMediaType

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: send SPARQL Update to /update, with the write token"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
UTF8_ONLY = (FORM, SPARQL_QUERY, SPARQL_UPDATE)
_UTF8_CHARSETS = ("utf-8", "ascii")  # codec names: ASCII is a subset of UTF-8, so a client that says so is right


@dataclass(frozen=True)
class ProtocolRequest:
    """What a protocol request asks: a query (None: describe the service), its dataset, its format."""

    query: str | None
    default_graphs: tuple[str, ...] | None = None  # None: the parameter was not given
    named_graphs: tuple[str, ...] | None = None
    formats: tuple[str, ...] = ()  # values of format / output / results, in order
    accept: str | None = None


async def read_request(request: Request) -> ProtocolRequest:
    """Read a GET or POST to the SPARQL endpoint (a FastAPI dependency: the body is read here, once)."""
    params = list(request.query_params.multi_items())
    body_query: str | None = None
    if request.method == "POST":
        media_type, charset = content_type(request.headers.get("content-type"))
        if media_type == SPARQL_UPDATE:
            raise UpdateRefused(READ_ONLY)
        if media_type not in (FORM, SPARQL_QUERY):
            raise UnsupportedMediaType(
                f"a SPARQL query is sent as {FORM} or {SPARQL_QUERY}, not {media_type or 'a body without Content-Type'}",
                supported=[FORM, SPARQL_QUERY],
            )
        body = await request.body()
        if media_type == FORM:
            params += form_fields(body)
        else:
            body_query = decode_body(body, charset)
    return from_params(params, body_query, request.headers.get("accept"), post=request.method == "POST")


def from_params(
    params: Sequence[tuple[str, str]], body_query: str | None, accept: str | None, *, post: bool
) -> ProtocolRequest:
    """The request from its parameters (URL and form) and, for `application/sparql-query`, its body."""
    if any(name == "update" for name, _ in params):
        raise UpdateRefused(READ_ONLY)
    queries = [value for name, value in params if name == "query"]
    if body_query is not None:
        if queries:
            raise UsageError("the query is in the request body: a `query` parameter cannot be sent with it")
        queries = [body_query]
    if len(queries) > 1:
        raise UsageError(f"exactly one query per request: {len(queries)} `query` parameters were sent")
    if not queries and post:
        raise UsageError("a POST to the SPARQL endpoint needs a query (the `query` parameter or the body)")
    query = queries[0] if queries else None
    if query is not None and not query.strip():
        raise UsageError("the query is empty")
    return ProtocolRequest(
        query=query,
        default_graphs=_graphs(params, "default-graph-uri"),
        named_graphs=_graphs(params, "named-graph-uri"),
        formats=tuple(value for name, value in params if name in FORMAT_PARAMETERS),
        accept=accept,
    )


def content_type(header: str | None) -> tuple[str, str]:
    """(media type, charset) of a Content-Type header, lower-cased; charset defaults to UTF-8.

    The protocol's own types (`UTF8_ONLY`) with another charset are `UnsupportedMediaType` (415): their
    bodies are UTF-8 by definition, and decoding them otherwise would run a query the client did not send.
    """
    media_type, *params = (p.strip() for p in (header or "").split(";"))
    media_type = media_type.lower()
    charset = "utf-8"
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if media_type in UTF8_ONLY and _codec(charset) not in _UTF8_CHARSETS:
        raise UnsupportedMediaType(
            f"{media_type} is UTF-8 only (SPARQL 1.1 Protocol), not charset={charset}: send the body in UTF-8",
            supported=[f"{media_type}; charset=utf-8"],
        )
    return media_type, charset


def _codec(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def decode_body(body: bytes, charset: str) -> str:
    try:
        codecs.lookup(charset)
        return body.decode(charset)
    except LookupError:
        raise UsageError(f"unknown charset {charset!r} in Content-Type") from None
    except UnicodeDecodeError as e:
        raise UsageError(f"the request body is not valid {charset}: {e.reason} at byte {e.start}") from None


def form_fields(body: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(body.decode("ascii"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise UsageError(f"the form body is not URL-encoded UTF-8: {e.reason}") from None


def _graphs(params: Sequence[tuple[str, str]], name: str) -> tuple[str, ...] | None:
    values = [value.strip() for n, value in params if n == name]
    if not values:
        return None
    for value in values:
        try:
            if not _SCHEME.match(value):
                raise ValueError("not an absolute IRI")
            ox.NamedNode(value)
        except ValueError as e:
            raise UsageError(f"{name} {value!r} is not an absolute IRI ({e})") from None
    return tuple(values)
