"""Request size limits, enforced before any handler runs: a request target over the limit is a 414, header
fields a 431, a body a 413.

A pure ASGI middleware, so that an oversized body is refused from its Content-Length without being read,
and a body sent without one (chunked) is cut off as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import HeadersTooLarge, RequestTooLarge, URITooLong, from_error

UPLOAD_PATHS = ("/graphs", "/update", "/validate")  # where stewards send documents, not queries


class RequestLimits:
    """Refuse request targets longer than `max_target` bytes, header fields over `max_headers` bytes in all
    and bodies larger than `max_body` bytes (`max_upload` on the paths that take RDF documents)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        max_target: int,
        max_upload: int | None = None,
        max_headers: int | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload or max_body
        self.max_target = max_target
        self.max_headers = max_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
        query: bytes = scope.get("query_string", b"")
        target = len(path) + (len(query) + 1 if query else 0)
        if target > self.max_target:
            error = URITooLong(
                f"the request target is {target} bytes, over the limit of {self.max_target}: send the query by POST",
                limit=self.max_target,
            )
            await from_error(error)(scope, receive, send)
            return
        if self.max_headers is not None and (size := header_bytes(scope)) > self.max_headers:
            too_large = HeadersTooLarge(
                f"the request header fields are {size} bytes, over the limit of {self.max_headers}",
                limit=self.max_headers,
            )
            await from_error(too_large)(scope, receive, send)
            return
        limit = self.max_upload if scope["path"] in UPLOAD_PATHS else self.max_body
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await from_error(_too_large(declared, limit))(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(received, limit, at_least=True)
            return message

        await self.app(scope, limited, send)


def _too_large(size: int, limit: int, at_least: bool = False) -> RequestTooLarge:
    more = "more than " if at_least else ""
    return RequestTooLarge(f"the request body is {more}{size} bytes, over the limit of {limit}", limit=limit)


def header_bytes(scope: Scope) -> int:
    """The size of the header fields as sent: each `name: value` line with its CRLF."""
    return sum(len(name) + len(value) + 4 for name, value in scope.get("headers", []))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
