"""What the write routes share: the bearer-token check, the writer's identity, the shapes, the RDF body.

Writes need `KG_WRITE_TOKEN`: without it they are disabled (403, whatever the request carries); a missing
or wrong token is a 401 with `WWW-Authenticate: Bearer` (RFC 6750). The check runs before the body is
read, so a refused request changes nothing and costs nothing.
"""

from __future__ import annotations

import hmac
import re
import threading
from typing import Annotated

import pyoxigraph as ox
import rdflib
from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from kg.config import Settings
from kg.errors import UsageError, WriteForbidden
from kg.ingest.neighbourhood import reach_of
from kg.ingest.validate import load_graph_dir
from kg.sources.namespaces import TID
from kg.sources.rdf_io import UPLOAD_FORMATS, format_for_media_type
from kg.sources.rdf_limits import UploadLimits
from kg.store.interface import Queryable
from kg.store.remote import SparqlStore
from kg.write import update as kgwrite
from kg.write import upload
from kg.write.remote import RemoteWriteContext
from kg.write.upload import Bounds, read_upload

from . import caching
from .deps import SettingsDep, StoreDep
from .errors import Unauthorized, UnsupportedMediaType
from .protocol import content_type

TOKEN_AGENT = str(TID["agent/write-token-holder"])
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+$")
_shapes_lock = threading.Lock()


async def require_writer(request: Request, settings: SettingsDep) -> str:
    """The writer's agent IRI, once the bearer token is checked: the `From` header (RFC 9110) names a
    person as `mailto:`; without it the agent is the holder of the write token."""
    if settings.write_token is None:
        raise WriteForbidden("writes are disabled on this server (no KG_WRITE_TOKEN is configured)")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this write needs the header `Authorization: Bearer <token>`", token_sent=False)
    if not hmac.compare_digest(token.strip().encode(), settings.write_token.get_secret_value().encode()):
        raise Unauthorized("the bearer token is not the write token", token_sent=True)
    sender = request.headers.get("from", "").strip()
    return _mailto(sender) if sender else TOKEN_AGENT


def _mailto(sender: str) -> str:
    """The `mailto:` IRI of a From header, refused (400) unless it is an e-mail address that makes a valid
    IRI: the agent is recorded as an IRI once the write has been validated, too late for a 400."""
    agent = f"mailto:{sender}"
    if _EMAIL.match(sender) and _is_iri(agent):
        return agent
    raise UsageError(f"the From header must be an e-mail address that makes a mailto: IRI, not {sender!r}")


def _is_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI, by the same parser that records it (pyoxigraph's)."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


WriterDep = Annotated[str, Depends(require_writer)]


_load_shapes = caching.on_files(load_graph_dir)


def shapes(settings: SettingsDep) -> rdflib.Graph:
    """The shapes graph writes and /validate check against, parsed again only when its files change."""
    with _shapes_lock:  # one parse at a time: concurrent first requests would each parse
        return _load_shapes(settings.shapes_dir)


ShapesDep = Annotated[rdflib.Graph, Depends(shapes)]


def warm_up(settings: Settings) -> None:
    """Work out what the shapes reach (kg.ingest.neighbourhood: about a second) before the first write or
    /validate needs it, rather than during it."""
    reach_of(shapes(settings))
    upload.warm_up(settings.shapes_dir)


def write_context(settings: SettingsDep, writer: WriterDep, shapes: ShapesDep, store: StoreDep) -> kgwrite.Context:
    """The context of one authenticated write: the built store here, or the remote store served."""
    if isinstance(store.underlying, SparqlStore):
        return RemoteWriteContext(
            store=store.underlying, shapes=shapes, agent=writer, lock_timeout=settings.write_lock_timeout
        )
    return kgwrite.WriteContext(
        store=settings.store,
        shapes=shapes,
        data_dir=settings.data_dir if settings.write_data_files else None,
        agent=writer,
        lock_timeout=settings.write_lock_timeout,
        query_timeout=settings.query_timeout,
        memory_mb=settings.worker_memory_mb,
        service_allowlist=tuple(settings.service_allowlist),
        max_query_depth=settings.max_query_depth,
    )


WriteContextDep = Annotated[kgwrite.Context, Depends(write_context)]


def upload_limits(settings: Settings) -> UploadLimits:
    """The pre-checks' limits for what clients upload."""
    return UploadLimits(max_depth=settings.max_rdf_depth, max_literal_bytes=settings.max_literal_bytes)


def upload_bounds(settings: Settings) -> Bounds:
    """The time and memory the child handling one upload may use; as many uploads at once as query workers,
    each waiting for its turn as long as a query waits for a worker."""
    return Bounds(
        timeout=settings.validate_timeout,
        memory_mb=settings.worker_memory_mb,
        at_once=settings.workers,
        wait=settings.queue_timeout,
    )


def rdf_format(media_type: str) -> ox.RdfFormat:
    """The RDF syntax a Content-Type names; 415 for any other type (`text/plain` included)."""
    try:
        return format_for_media_type(media_type)
    except UsageError as e:
        raise UnsupportedMediaType(str(e), supported=sorted(RDF_MEDIA_TYPES)) from None


async def read_rdf(request: Request, base_iri: str | None = None) -> list[ox.Quad]:
    """The request body as quads, in the syntax its Content-Type names (415 for a non-RDF type): checked
    and parsed in a bounded child (kg.write.upload), so no document can take the server's time or memory."""
    media_type, _ = content_type(request.headers.get("content-type"))
    fmt = rdf_format(media_type)
    settings: Settings = request.app.state.settings
    body = await request.body()
    return await run_in_threadpool(
        read_upload, body, fmt, upload_limits(settings), upload_bounds(settings), "request body", base_iri
    )


RDF_MEDIA_TYPES = frozenset(UPLOAD_FORMATS)


async def serve_new_version(store: Queryable) -> None:
    """Switch the query workers to the build a write just published, before the write is answered,
    so the writer's next query sees its change."""
    await run_in_threadpool(store.refresh)
