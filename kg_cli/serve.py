"""`kg serve`: the SPARQL endpoint and the site over the store, built first when it is missing.

The listening socket is bound here, before anything is built or printed, and handed to uvicorn: a port
already in use ends the command with one line and exit 2 (uvicorn would log "serving" first, then an error
and a traceback-like shutdown), and no other process can take the port between a check and the start.
"""

from __future__ import annotations

import asyncio
import errno
import socket
from typing import Annotated, Any

import typer

from kg.config import Settings
from kg.errors import StoreMissing
from kg.ingest import pipeline as kgbuild
from kg.ingest.shapes_required import load_shapes
from kg.store import layout as kgstore
from kg_cli.common import EXIT_USAGE, StoreOpt, err, settings
from kg_cli.web import web_module

HEAD_SLACK_BYTES = 4096  # the method, version and line ends, and a read that ends past the header fields


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default: KG_HOST, 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: KG_PORT, 8000).")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Query worker processes (default: KG_WORKERS, the CPU count).")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Serve the SPARQL 1.1 endpoint over the store; builds it first when it is missing."""
    import uvicorn

    create_app = web_module("main").create_app
    s = settings(store)
    s = s.model_copy(update={k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None})
    load_shapes(s.shapes_dir)  # /validate and the writes would accept anything
    sock = bind(s.host, s.port)
    try:
        _build_if_missing(s)
        port_bound = sock.getsockname()[1]  # the port given, or the one the system chose for --port 0
        err.print(f"serving http://{s.host}:{port_bound}/sparql with {s.workers} query worker(s)", highlight=False)
        server = uvicorn.Server(uvicorn.Config(create_app(s), **uvicorn_options(s)))
        server.run(sockets=[sock])
    finally:
        sock.close()  # a failed build or start-up leaves no socket behind (a test's process goes on)
    if not server.started:  # the app's start-up failed; uvicorn has logged why
        raise typer.Exit(EXIT_USAGE)


def _build_if_missing(s: Settings) -> None:
    """Build the embedded store when there is none; a remote store (`KG_BACKEND=sparql`) is published by
    `kg build`, never built behind the user's back here."""
    if s.backend != "oxigraph":
        return
    try:
        kgstore.resolve(s.store)
    except StoreMissing:
        err.print(f"no store at {s.store}: building it from {s.data_dir}", highlight=False, soft_wrap=True)
        sources = kgbuild.Sources.from_dirs(s.ontology_dir, s.shapes_dir, s.data_dir)
        report = kgbuild.build(sources, s.store)
        err.print(f"built {report.triples} triples in {report.graphs} named graphs ({report.seconds} s)")


def bind(host: str, port: int) -> socket.socket:
    """The server's socket, bound as uvicorn binds it (not yet listening: connections are refused until then).

    A port in use (or an address this machine does not have) is one line on standard error and exit 2.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port left in TIME_WAIT is free, a listener is not
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            why = f"port {port} is already in use on {host}: stop what listens there or choose another with --port"
        else:
            why = f"cannot listen on {host}:{port}: {e.strerror or e}"
        err.print(f"[bold red]error:[/] {why}", highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_USAGE) from None
    sock.set_inheritable(True)
    return sock


def uvicorn_options(s: Settings) -> dict[str, Any]:
    """How `kg serve` runs uvicorn: with httptools, the request line and header fields of each request read up
    to a bound (`bounded_httptools`); the bound leaves room for the longest target and `max_header_bytes`, so
    the app's 414 and 431 (with their problem documents) answer everything up to it."""
    return {
        "host": s.host,
        "port": s.port,
        "log_level": "info",
        "access_log": False,
        "http": bounded_httptools(s.max_url_length + s.max_header_bytes + HEAD_SLACK_BYTES),
    }


def bounded_httptools(bound: int) -> type[asyncio.Protocol]:
    """uvicorn's httptools protocol, answering 400 and closing once a request's head passes `bound` bytes.

    httptools buffers header fields without limit (a 20 MB header was read whole before the app's 431 could
    refuse it); uvicorn's h11 protocol is bounded but parses in Python, and served a third fewer small answers
    (2,419 vs 3,499 req/s, bench/README.md). A chunk read from the socket is counted when it is all head: the
    parser holds at most the bound and one chunk, and a body, or a chunk that ends a request, is not counted.
    """
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        max_head_bytes = bound
        head: int | None = 0  # bytes of the current request's head so far; None while its body is read
        in_head = False  # whether the chunk being parsed began inside a head

        def data_received(self, data: bytes) -> None:
            self.in_head = self.head is not None
            super().data_received(data)
            if self.in_head and self.head is not None:  # the whole chunk was head, and the head goes on
                self.head += len(data)
                if self.head > self.max_head_bytes and not self.transport.is_closing():
                    self.send_400_response("Request line and header fields too large.")

        def on_headers_complete(self) -> None:
            self.head = None
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self.head, self.in_head = 0, False  # the rest of the chunk begins the next request's head

    return BoundedHttpToolsProtocol
