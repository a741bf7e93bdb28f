"""Every error the API answers, as RFC 9457 `application/problem+json`, mapped from typed errors in one table.

The `kg` errors say what went wrong; this module alone decides which HTTP status that is. Protocol errors
that only exist over HTTP (406, 413, 414, 415) are typed here. Nothing else turns an exception into a
response, and an unexpected exception becomes a 500 that says so without a traceback.
"""

from __future__ import annotations

import json
import logging
import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import (
    BadParameter,
    DumpNotFound,
    GraphNotFound,
    KGError,
    QueryQuarantined,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    RDFParseError,
    ServerBusy,
    StoreFailed,
    StoreMissing,
    StoreTimeout,
    StoreUnreachable,
    TooManyQueries,
    UnknownQuery,
    UnknownResource,
    UpdateRefused,
    UploadRefused,
    UploadTooLarge,
    UsageError,
    ValidationFailed,
    WorkerCrashed,
    WorkTimeout,
    WriteForbidden,
)
from kg.sources.namespaces import BASE

from .language import DEFAULT_LANGUAGE, preferred_language
from .methods import allowed_methods

# The problem document (RFC 9457) as the OpenAPI schemas of every route describe it.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "parameter": {"type": "string", "description": "the parameter at fault"},
        "available": {"type": "array", "items": {"type": "string"}, "description": "the media types on offer"},
    },
}


log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = BASE + "problem/"  # problem type IRIs: identifiers, not (yet) pages
RETRY_AFTER_SECONDS = 5


class APIError(Exception):
    """A request the HTTP layer cannot serve as sent; `extra` adds members to the problem document."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.extra = extra


class NotAcceptable(APIError):
    """Nothing the client accepts can carry this answer (406); `available` lists what can."""


class UnsupportedMediaType(APIError):
    """A POST body in a type the SPARQL protocol does not define (415)."""


class RequestTooLarge(APIError):
    """A request body over the configured limit (413)."""


class URITooLong(APIError):
    """A request target over the configured limit (414): the query belongs in a POST body."""


class HeadersTooLarge(APIError):
    """Request header fields over the configured total size (431, RFC 6585)."""


class Unauthorized(APIError):
    """A write without the right bearer token (401, RFC 6750): nothing was read or changed.

    `token_sent`: a token came and was wrong (`error="invalid_token"`), rather than none at all.
    """

    def __init__(self, detail: str, token_sent: bool) -> None:
        super().__init__(detail)
        self.token_sent = token_sent


class MethodNotAllowed(APIError):
    """A method this resource does not take (405); `allow` lists those it does."""

    def __init__(self, detail: str, allow: str) -> None:
        super().__init__(detail)
        self.allow = allow


# (error type, status, title, problem slug): the first matching row wins, so subclasses come first.
_TABLE: list[tuple[type[Exception], int, str, str]] = [
    (Unauthorized, 401, "Unauthorized", "unauthorized"),
    (WriteForbidden, 403, "Writes forbidden", "write-forbidden"),
    (MethodNotAllowed, 405, "Method not allowed", "method-not-allowed"),
    (GraphNotFound, 404, "No such graph", "graph-not-found"),
    (DumpNotFound, 404, "No such download", "dump-not-found"),
    (ValidationFailed, 422, "Does not conform to the shapes", "validation-failed"),
    (RDFParseError, 400, "Malformed RDF", "malformed-rdf"),
    (UploadRefused, 400, "Document refused", "upload-refused"),
    (UploadTooLarge, 413, "Document too large", "upload-too-large"),
    (UpdateRefused, 403, "Read-only endpoint", "read-only"),
    (QueryRefused, 400, "Query refused", "query-refused"),
    (QuerySyntaxError, 400, "Malformed query", "malformed-query"),
    (UnknownQuery, 404, "Unknown canned query", "unknown-query"),
    (UnknownResource, 404, "Unknown resource", "unknown-resource"),
    (BadParameter, 400, "Bad parameter", "bad-parameter"),
    (UsageError, 400, "Bad request", "bad-request"),
    (StoreTimeout, 504, "Store timeout", "store-timeout"),  # a QueryTimeout: before it (remote store, RFC 9110 15.6.5)
    (QueryTimeout, 503, "Query timeout", "query-timeout"),
    (WorkTimeout, 503, "Took too long", "work-timeout"),
    (ServerBusy, 503, "Server busy", "server-busy"),
    (StoreMissing, 503, "No store", "no-store"),
    (NotAcceptable, 406, "Not acceptable", "not-acceptable"),
    (UnsupportedMediaType, 415, "Unsupported media type", "unsupported-media-type"),
    (RequestTooLarge, 413, "Request too large", "request-too-large"),
    (URITooLong, 414, "URI too long", "uri-too-long"),
    (HeadersTooLarge, 431, "Request header fields too large", "headers-too-large"),
    (WorkerCrashed, 503, "Query worker crashed", "worker-crashed"),
    (QueryQuarantined, 400, "Query quarantined", "query-quarantined"),
    (TooManyQueries, 429, "Too many queries", "too-many-queries"),
    (StoreUnreachable, 503, "Store unreachable", "store-unreachable"),  # nothing reached it: try again (Retry-After)
    (StoreFailed, 502, "Store failed", "store-failed"),  # it answered, with an error or nonsense (RFC 9110 15.6.3)
    (KGError, 500, "Internal error", "internal-error"),
]
_POSITION = re.compile(r"\bat (\d+):(\d+)")


def problem(
    status: int, title: str, detail: str, slug: str | None = None, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """An RFC 9457 problem document; `slug` names a problem type of this API, else `about:blank`."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + slug if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(exc: Exception) -> int:
    """The HTTP status of a typed error (500 for anything not in the table)."""
    return next((row[1] for row in _TABLE if isinstance(exc, row[0])), 500)


def from_error(exc: Exception, language: str = DEFAULT_LANGUAGE) -> JSONResponse:
    """The problem response for a typed error: the one mapping from errors to HTTP. A refused write's SHACL
    results are in `language` (the reader's, `api.language`; French by default)."""
    for kind, status, title, slug in _TABLE:
        if isinstance(exc, kind):
            extra: dict[str, Any] = dict(exc.extra) if isinstance(exc, APIError) else {}
            headers: dict[str, str] = {}
            if isinstance(exc, BadParameter):  # a client can point at the field to fix
                extra["parameter"] = exc.name
            if isinstance(exc, QuerySyntaxError) and (m := _POSITION.search(str(exc))):
                extra.update(line=int(m.group(1)), column=int(m.group(2)))
            if isinstance(exc, RDFParseError):
                extra.update(line=exc.line, column=exc.column)
            if isinstance(exc, DumpNotFound) and exc.current_version is not None:
                extra.update(version=exc.current_version, current=exc.current)
            if isinstance(exc, ValidationFailed) and exc.result is not None:
                report = exc.result.in_language(language)
                extra.update(json.loads(report.to_json()))  # conforms, violations, warnings, language, results
                # the results' messages are in the reader's language (no Content-Language: the title and the
                # detail stay English, as in every problem; the body's `language` names the messages')
                headers["Vary"] = "Accept-Language"
            if isinstance(exc, Unauthorized):
                challenge = 'Bearer realm="territoires-industrie"'
                headers["WWW-Authenticate"] = challenge + (', error="invalid_token"' if exc.token_sent else "")
            if isinstance(exc, MethodNotAllowed):
                headers["Allow"] = exc.allow
            if status in (429, 503):
                headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            if status == 500:
                log.error("internal error: %s", exc)
            return problem(status, title, str(exc), slug, headers or None, **extra)
    return unexpected(exc)


def unexpected(exc: Exception) -> JSONResponse:
    """A 500 that tells the client nothing about the code; the log keeps the traceback."""
    log.exception("unexpected error", exc_info=exc)
    return problem(
        500, "Internal error", "an unexpected error occurred on the server; it has been logged", "internal-error"
    )


async def _typed(request: Request, exc: Exception) -> JSONResponse:
    return from_error(exc, preferred_language(request.headers.get("accept-language")))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    detail = str(exc.detail) if exc.detail else HTTPStatus(status).phrase
    if status == 404:
        detail = f"nothing at {request.url.path}: the SPARQL endpoint is /sparql, its dataset is described at /.well-known/void"
    headers = dict(exc.headers or {})
    if status == 405:
        allowed = ", ".join(allowed_methods(request.app.router.routes, request.scope)) or headers.get("Allow", "")
        headers["Allow"] = allowed
        detail = f"{request.method} is not allowed on {request.url.path} (allowed: {allowed})"
    return problem(status, HTTPStatus(status).phrase, detail, headers=headers or None)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    messages = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in errors)
    extra: dict[str, Any] = {}
    if len(errors) == 1 and len(loc := tuple(errors[0].get("loc", ()))) == 2 and loc[0] == "query":
        extra["parameter"] = str(loc[1])  # as for a canned query's BadParameter
    return problem(400, "Bad request", messages or "the request is not valid", "bad-request", **extra)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    return unexpected(exc)


def install(app: FastAPI) -> None:
    """Register the handlers, so every error leaves the app as problem+json."""
    app.add_exception_handler(KGError, _typed)
    app.add_exception_handler(APIError, _typed)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
