"""HEAD on every resource that takes GET: GET's status and headers without the body (RFC 9110 §9.3.2), in one place.

A pure ASGI middleware outside GZip, so that HEAD gives the very headers GET gives — `Content-Type`, `ETag`,
`Cache-Control`, `Vary`, and the `Content-Encoding` and `Content-Length` of the body GET would send. A HEAD
request whose path a GET route (or a mount) takes goes on as that GET, so the endpoint needs no HEAD of its
own and a conditional HEAD (`If-None-Match`) is a 304 exactly when the GET would be; the body is dropped on
the way out. Elsewhere HEAD goes on unchanged (a 404, or the 405 of a resource without GET), body dropped too.
The server's own scope keeps the method, so its access log says HEAD.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .methods import takes

_BODY = frozenset({"http.response.body", "http.response.pathsend"})


class HeadAsGet:
    """Answer HEAD as the GET of the same request would be answered, headers only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        inner = {**scope, "method": "GET"} if takes(scope["app"].router.routes, scope, "GET") else scope
        ended = False

        async def headers_only(message: Message) -> None:
            nonlocal ended
            if message["type"] not in _BODY:
                await send(message)
            elif not ended and not message.get("more_body", False):  # the last part: end with no body at all
                ended = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app(inner, receive, headers_only)
