"""`kg serve`: the SPARQL endpoint and the site over the store, built first when it is missing."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kg.config import Settings
from kg.errors import StoreMissing
from kg.ingest import pipeline as kgbuild
from kg.ingest.shapes_required import load_shapes
from kg.store import layout as kgstore
from kg_cli.common import StoreOpt, err, settings

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

    from api.main import create_app

    s = settings(store)
    s = s.model_copy(update={k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None})
    load_shapes(s.shapes_dir)  # /validate and the writes would accept anything
    try:
        kgstore.resolve(s.store)
    except StoreMissing:
        err.print(f"no store at {s.store}: building it from {s.data_dir}")
        sources = kgbuild.Sources.from_dirs(s.ontology_dir, s.shapes_dir, s.data_dir)
        report = kgbuild.build(sources, s.store)
        err.print(f"built {report.triples} triples in {report.graphs} named graphs ({report.seconds} s)")
    err.print(f"serving http://{s.host}:{s.port}/sparql with {s.workers} query worker(s)", highlight=False)
    uvicorn.run(create_app(s), **uvicorn_options(s))


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
