"""OPTIONS on any resource: 204 with `Allow` listing the methods its routes take (RFC 9110 §9.3.7), in one place.

A pure ASGI middleware inside CORS, so a CORS preflight (OPTIONS with `Origin` and
`Access-Control-Request-Method`) is still answered by `CORSMiddleware` before it gets here. The methods are
read from the application's own routes at request time, so a new route is covered without being listed.
Routes that exist only to refuse a method with a better message than the router's (a 405 naming every
method, a 404 naming the known queries) are marked with `@refusal`: their methods are not allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi.routing import iter_route_contexts
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

_REFUSAL = "__kg_refusal__"
_STATIC = frozenset({"GET", "HEAD"})  # a mount (static files) takes these
_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

F = TypeVar("F", bound=Callable[..., Any])


def refusal(endpoint: F) -> F:
    """Mark an endpoint that only refuses its method(s): OPTIONS does not list them in `Allow`."""
    setattr(endpoint, _REFUSAL, True)
    return endpoint


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
    return sorted(methods, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))


def _is_preflight(scope: Scope) -> bool:
    names = {name for name, _ in scope.get("headers", [])}
    return b"origin" in names and b"access-control-request-method" in names


class OptionsAllow:
    """Answer a plain OPTIONS request with 204 and `Allow`; everything else goes to the app unchanged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS" or _is_preflight(scope):
            await self.app(scope, receive, send)
            return
        methods = allowed_methods(scope["app"].router.routes, scope)
        if not methods:  # nothing here: the app's own 404
            await self.app(scope, receive, send)
            return
        headers = [(b"allow", ", ".join(methods).encode("ascii")), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
