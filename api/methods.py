"""`Allow`, in one place: OPTIONS on any resource is a 204 listing the methods its routes take (RFC 9110 §9.3.7).

A pure ASGI middleware inside CORS, so a CORS preflight (OPTIONS with `Origin` and
`Access-Control-Request-Method`) is still answered by `CORSMiddleware` before it gets here. The methods are
read from the application's own routes at request time, so a new route is covered without being listed.
Routes that exist only to refuse a method with a better message than the router's (a 405 naming every
method, a 404 naming the known queries) are marked with `@refusal`: their methods are not allowed.
Every resource that takes GET takes HEAD (api/head.py answers it), so `Allow` lists HEAD beside GET, in the
204 of an OPTIONS and in any 405.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REFUSAL = "__kg_refusal__"
_STATIC = frozenset({"GET", "HEAD"})  # a mount (static files) takes these
_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

F = TypeVar("F", bound=Callable[..., Any])


def refusal(endpoint: F) -> F:
    """Mark an endpoint that only refuses its method(s): OPTIONS does not list them in `Allow`."""
    setattr(endpoint, _REFUSAL, True)
    return endpoint


def takes(routes: Any, scope: Scope, method: str) -> bool:
    """Whether a route (a refusal too) or a mount takes this request's path with `method`."""
    probe = {**scope, "method": method}
    return any(route.matches(probe)[0] is Match.FULL for route in iter_route_contexts(routes))


def allowed_methods(routes: Any, scope: Scope) -> list[str]:
    """The methods the routes matching this request's path take, OPTIONS included; [] when none matches."""
    methods: set[str] = set()
    probe = {**scope, "method": "OPTIONS"}
    for route in iter_route_contexts(routes):
        match, _ = route.matches(probe)
        if match is Match.NONE or getattr(route.endpoint, _REFUSAL, False):
            continue
        methods |= set(route.methods) if route.methods is not None else _STATIC
    if not methods:
        return []
    methods.add("OPTIONS")
    return _in_order(_with_head(methods))


def _with_head(methods: set[str]) -> set[str]:
    return methods | {"HEAD"} if "GET" in methods else methods


def _in_order(methods: set[str]) -> list[str]:
    return sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))


def _completed(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A 405's headers with HEAD in `Allow` wherever GET is (the router lists a route's own methods)."""
    out = []
    for name, value in headers:
        if name.lower() == b"allow":
            listed = [m.strip() for m in value.decode("latin-1").split(",") if m.strip()]
            if "GET" in listed and "HEAD" not in listed:
                value = ", ".join(_in_order(_with_head(set(listed)))).encode("latin-1")
        out.append((name, value))
    return out


def _is_preflight(scope: Scope) -> bool:
    names = {name for name, _ in scope.get("headers", [])}
    return b"origin" in names and b"access-control-request-method" in names


class OptionsAllow:
    """Answer a plain OPTIONS request with 204 and `Allow`, and list HEAD beside GET in a 405's `Allow`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] != "OPTIONS" or _is_preflight(scope):

            async def allow_head(message: Message) -> None:
                if message["type"] == "http.response.start" and message["status"] == 405:
                    message = {**message, "headers": _completed(list(message.get("headers", [])))}
                await send(message)

            await self.app(scope, receive, allow_head)
            return
        methods = allowed_methods(scope["app"].router.routes, scope)
        if not methods:  # nothing here: the app's own 404
            await self.app(scope, receive, send)
            return
        headers = [(b"allow", ", ".join(methods).encode("ascii")), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
