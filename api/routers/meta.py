"""The endpoint's metadata: the VoID description at `/.well-known/void` and `/health` for probes."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.conneg import FORMAT_PARAMETERS
from api.deps import SettingsDep, StatsDep
from api.descriptions import describe_dataset
from kg.errors import KGError
from kg.executor import QueryPool, QueryRequest

router = APIRouter(tags=["metadata"])
HEALTH_PROBE_SECONDS = 5.0


@router.get("/.well-known/void", name="void", summary="VoID description of the dataset", response_class=Response)
def void(request: Request, stats: StatsDep, settings: SettingsDep) -> Response:
    """In Turtle, JSON-LD, RDF/XML or N-Triples by `Accept` or `?format=`; HTML for a browser.

    Triples, entities, classes, properties, licences, sources and one subset per named graph."""
    requested = [v for name, v in request.query_params.multi_items() if name in FORMAT_PARAMETERS]
    return describe_dataset(request, stats, settings, request.headers.get("accept"), requested)


def probe(pool: QueryPool, seconds: float) -> str | None:
    """None when a worker answers `ASK {}` within `seconds`, else why not (it never waits longer)."""
    outcome: list[str | None] = []

    def ask() -> None:
        try:
            pool.run(QueryRequest("ASK {}"))
            outcome.append(None)
        except KGError as e:
            outcome.append(str(e))

    thread = threading.Thread(target=ask, daemon=True, name="kg-health-probe")
    thread.start()
    thread.join(seconds)
    return outcome[0] if outcome else f"no query worker answered within {seconds:g} s"


@router.get("/health", summary="Liveness and readiness: can a worker answer a query now?")
def health(request: Request, settings: SettingsDep) -> JSONResponse:
    """200 with the dataset version when a worker answers at once; 503 otherwise."""
    pool: QueryPool | None = request.app.state.pool
    headers = {"Cache-Control": "no-store"}
    if pool is None:
        reason = str(request.app.state.pool_error or "the query pool is not running")
        return JSONResponse({"status": "unavailable", "detail": reason}, status_code=503, headers=headers)
    body: dict[str, Any] = {
        "version": pool.version,
        "triples": pool.info.triples,
        "workers": pool.size,
        "in_memory": pool.in_memory,
    }
    problem = probe(pool, min(HEALTH_PROBE_SECONDS, settings.query_timeout))
    if problem:
        return JSONResponse({"status": "unavailable", "detail": problem, **body}, status_code=503, headers=headers)
    return JSONResponse({"status": "ok", **body}, headers=headers)
