"""The endpoint's metadata: the VoID description at `/.well-known/void` and `/health` for probes."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.conneg import FORMAT_PARAMETERS
from api.deps import SettingsDep, StatsDep
from api.descriptions import describe_dataset
from kg.errors import KGError
from kg.store.pool import QueryPool, QueryRequest

router = APIRouter(tags=["metadata"])
HEALTH_PROBE_SECONDS = 5.0


@router.get("/.well-known/void", name="void", summary="VoID description of the dataset", response_class=Response)
def void(request: Request, stats: StatsDep, settings: SettingsDep) -> Response:
    """In Turtle, JSON-LD, RDF/XML or N-Triples by `Accept` or `?format=`; HTML for a browser.

    Triples, entities, classes, properties, licences, sources and one subset per named graph."""
    requested = [v for name, v in request.query_params.multi_items() if name in FORMAT_PARAMETERS]
    return describe_dataset(request, stats, settings, request.headers.get("accept"), requested)


def probe(pool: QueryPool, seconds: float) -> str | None:
    """None when a worker answers `ASK {}` within `seconds`, else why not (it never waits longer).

    The probe queues like any request, but for `seconds` at most, so it leaves no thread behind for long.
    """
    outcome: list[str | None] = []

    def ask() -> None:
        try:
            pool.run(QueryRequest("ASK {}"), queue_timeout=seconds)
            outcome.append(None)
        except KGError as e:
            outcome.append(str(e))

    thread = threading.Thread(target=ask, daemon=True, name="kg-health-probe")
    thread.start()
    thread.join(seconds)
    return outcome[0] if outcome else f"no query worker answered within {seconds:g} s"


def pool_fields(pool: QueryPool) -> dict[str, Any]:
    """The dataset served and what the workers are doing, as /health reports them."""
    state = pool.status()
    return {
        "version": pool.version,
        "triples": pool.info.triples,
        "workers": pool.size,
        "in_memory": pool.in_memory,
        "workers_ready": state.ready,
        "workers_busy": state.busy,
        "workers_restarting": state.restarting,
        "queue_length": state.queued,
        "workers_started": state.started,
        "pool_whole": state.whole,
        "queries_quarantined": state.quarantined,
    }


@router.get("/health", summary="Liveness and readiness: can a worker answer a query now?")
def health(
    request: Request,
    settings: SettingsDep,
    probe_worker: Annotated[bool, Query(alias="probe", description="false: report the pool, run no query")] = True,
) -> JSONResponse:
    """200 with the dataset version and the pool's state when a worker answers `ASK {}` within 5 s; 503
    otherwise. `?probe=false` reports the same fields without running a query (liveness, or watching the
    pool under load: it never waits for a worker)."""
    pool: QueryPool | None = request.app.state.pool
    headers = {"Cache-Control": "no-store"}
    if pool is None:
        reason = str(request.app.state.pool_error or "the query pool is not running")
        return JSONResponse({"status": "unavailable", "detail": reason}, status_code=503, headers=headers)
    body = pool_fields(pool)  # before the probe: the state the request found
    problem = probe(pool, min(HEALTH_PROBE_SECONDS, settings.query_timeout)) if probe_worker else None
    if problem:
        return JSONResponse({"status": "unavailable", "detail": problem, **body}, status_code=503, headers=headers)
    return JSONResponse({"status": "ok", **body}, headers=headers)
