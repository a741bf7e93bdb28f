"""Request size limits, enforced before any handler runs: a request target over the limit is a 414, a body a 413.

A pure ASGI middleware, so that an oversized body is refused from its Content-Length without being read,
and a body sent without one (chunked) is cut off as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import RequestTooLarge, URITooLong, from_error


class RequestLimits:
    """Refuse request targets longer than `max_target` bytes and bodies larger than `max_body` bytes."""

    def __init__(self, app: ASGIApp, *, max_body: int, max_target: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_target = max_target

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
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await from_error(self._too_large(declared))(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise self._too_large(received, at_least=True)
            return message

        await self.app(scope, limited, send)

    def _too_large(self, size: int, at_least: bool = False) -> RequestTooLarge:
        more = "more than " if at_least else ""
        return RequestTooLarge(
            f"the request body is {more}{size} bytes, over the limit of {self.max_body}", limit=self.max_body
        )


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
