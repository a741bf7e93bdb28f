"""The endpoint's metadata: the VoID description at `/.well-known/void` and `/health` for probes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from kg.store.interface import Queryable

from ..conneg import FORMAT_PARAMETERS
from ..deps import SettingsDep, StatsDep
from ..descriptions import describe_dataset

router = APIRouter(tags=["metadata"])
HEALTH_PROBE_SECONDS = 5.0


@router.get("/.well-known/void", name="void", summary="VoID description of the dataset", response_class=Response)
def void(request: Request, stats: StatsDep, settings: SettingsDep) -> Response:
    """In Turtle, JSON-LD, RDF/XML or N-Triples by `Accept` or `?format=`; HTML for a browser.

    Triples, entities, classes, properties, licences, sources and one subset per named graph."""
    requested = [v for name, v in request.query_params.multi_items() if name in FORMAT_PARAMETERS]
    return describe_dataset(request, stats, settings, request.headers.get("accept"), requested)


@router.get("/health", summary="Liveness and readiness: can a worker answer a query now?")
def health(
    request: Request,
    settings: SettingsDep,
    probe_worker: Annotated[bool, Query(alias="probe", description="false: report the pool, run no query")] = True,
) -> JSONResponse:
    """200 with the dataset version and the pool's state when a worker answers `ASK {}` within 5 s; 503
    otherwise. `?probe=false` reports the same fields without running a query (liveness, or watching the
    pool under load: it never waits for a worker)."""
    store: Queryable | None = request.app.state.store
    headers = {"Cache-Control": "no-store"}
    if store is None:
        reason = str(request.app.state.store_error or "the query pool is not running")
        return JSONResponse({"status": "unavailable", "detail": reason}, status_code=503, headers=headers)
    body = store.health()  # before the probe: the state the request found
    problem = store.probe(min(HEALTH_PROBE_SECONDS, settings.query_timeout)) if probe_worker else None
    if problem:
        return JSONResponse({"status": "unavailable", "detail": problem, **body}, status_code=503, headers=headers)
    return JSONResponse({"status": "ok", **body}, headers=headers)
