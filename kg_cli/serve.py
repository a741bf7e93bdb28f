"""`kg serve`: the SPARQL endpoint and the site over the store, built first when it is missing.

The listening socket is bound here, before anything is built or printed, and handed to uvicorn: a port
already in use ends the command with one line and exit 2 (uvicorn would log "serving" first, then an error
and a traceback-like shutdown), and no other process can take the port between a check and the start.
"""

from __future__ import annotations

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
    """How `kg serve` runs uvicorn: with h11, whose buffer for a request's line and header fields is bounded.

    httptools (uvicorn's default when installed) buffers header fields without limit: a 20 MB header was
    read whole before the app's 431 could refuse it. h11 stops at `h11_max_incomplete_event_size` and answers
    400; the bound leaves room for the longest target and `max_header_bytes`, so the app's 414 and 431 (with
    their problem documents) answer everything up to it.
    """
    bound = s.max_url_length + s.max_header_bytes + HEAD_SLACK_BYTES
    return {
        "host": s.host,
        "port": s.port,
        "log_level": "info",
        "access_log": False,
        "http": "h11",
        "h11_max_incomplete_event_size": bound,
    }
