"""What a client uploads as RDF, handled where it cannot hurt the server: checked, parsed and validated in a
bounded child process (kg.sandbox), never in the caller's.

`read_upload` gives the quads of a document (for a write); `validate_document` its SHACL report with the
current graph (POST /validate). Both run the cheap pre-checks of kg.sources.rdf_limits first, in the child too,
since even a regular expression over 64 MB is work the server should not do. The child hands the parsed
quads back as N-Quads: pickling a pyoxigraph term per object costs 20 times as much as serialising
them (4 s against 0.18 s for 200,000 quads).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyoxigraph as ox
import rdflib

from kg.errors import ServerBusy, UploadTooLarge, UsageError
from kg.ingest.neighbourhood import Reach, StoreSource, reach_of
from kg.ingest.report import ValidationResult
from kg.ingest.validate import FOCUS_LIMIT, focus_of, load_graph_dir, validate_upload
from kg.sandbox import run_bounded
from kg.sources.rdf_io import format_for_media_type, parse_bytes
from kg.sources.rdf_limits import UploadLimits, check_upload
from kg.store import layout as kgstore
from kg.store.remote import SparqlStore
from kg.write.remote import QueryableSource
from kg.write.update import skolemize

T = TypeVar("T")


@dataclass(frozen=True)
class Bounds:
    """The time (seconds) and address space (MiB) one upload's child process may use; how many such children
    run at once in this process (`at_once`), and how long an upload waits for its turn (`wait`, then 503)."""

    timeout: float
    memory_mb: int
    at_once: int = 2
    wait: float = 10.0


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _bounded(fn: Callable[..., T], *args: Any, bounds: Bounds, what: str) -> T:
    """`run_bounded`, at most `bounds.at_once` at a time: each child may take `memory_mb`, so without a cap
    a burst of uploads would take the machine's memory together, even though none takes more than its own."""
    with _slots_lock:
        slots = _slots.setdefault(bounds.at_once, threading.BoundedSemaphore(bounds.at_once))
    if not slots.acquire(timeout=bounds.wait):
        raise ServerBusy(f"{what} waited {bounds.wait:g} s for one of the {bounds.at_once} upload slots: try again")
    try:
        return run_bounded(fn, *args, timeout=bounds.timeout, memory_mb=bounds.memory_mb, what=what)
    finally:
        slots.release()


def read_upload(
    data: bytes,
    fmt: ox.RdfFormat,
    limits: UploadLimits,
    bounds: Bounds,
    name: str = "upload",
    base_iri: str | None = None,
) -> list[ox.Quad]:
    """The quads of an uploaded document, checked and parsed in a bounded child; blank nodes get fresh labels."""
    nquads = _bounded(
        _parse_to_nquads, data, fmt.media_type, limits, name, base_iri, bounds=bounds, what=f"parsing the {name}"
    )
    return list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))


def validate_document(
    store: Path,
    data: bytes,
    fmt: ox.RdfFormat,
    shapes_dir: Path,
    limits: UploadLimits,
    bounds: Bounds,
    name: str = "document",
) -> ValidationResult:
    """The SHACL report of an uploaded document with the current graph (`validate_upload`), all of it —
    checks, parsing, reading the store, validation — in a bounded child. What the shapes reach is worked
    out here, once per process, and handed to the child."""
    reach = _reach(shapes_dir)
    return _bounded(
        _validate,
        store,
        data,
        fmt.media_type,
        shapes_dir,
        limits,
        name,
        reach,
        bounds=bounds,
        what=f"validating the {name}",
    )


def validate_remote_document(
    store: SparqlStore,
    data: bytes,
    fmt: ox.RdfFormat,
    shapes_dir: Path,
    limits: UploadLimits,
    bounds: Bounds,
    name: str = "document",
) -> ValidationResult:
    """`validate_document` with a remote store's graph: parsed in a bounded child, then validated here on the
    neighbourhood read from the store (kg.ingest.neighbourhood). Its blank nodes get the IRIs a write would give
    them (kg.write.update.skolemize), so that the neighbourhood can be read; more than 2,000 nodes would need the
    whole remote graph, and are refused (413) rather than read."""
    quads = read_upload(data, fmt, limits, bounds, name)
    if not quads:
        raise UsageError(f"the {name} holds no triple")
    triples = skolemize(q.triple for q in quads)
    if focus_of(triples) is None:
        raise UploadTooLarge(
            f"the {name} touches more than {FOCUS_LIMIT} nodes: against a remote store it is validated on their "
            "neighbourhood only; split it"
        )
    shapes = _shapes(shapes_dir)
    return validate_upload(
        QueryableSource(store), [ox.Quad(t.subject, t.predicate, t.object) for t in triples], shapes, reach_of(shapes)
    )


@functools.lru_cache(maxsize=4)
def _shapes(shapes_dir: Path) -> rdflib.Graph:
    return load_graph_dir(shapes_dir)


@functools.lru_cache(maxsize=4)
def _reach(shapes_dir: Path) -> Reach:
    return reach_of(load_graph_dir(shapes_dir))


def warm_up(shapes_dir: Path) -> None:
    """Work out what the shapes reach now, so that the first validation does not wait for it."""
    _reach(shapes_dir)


def parse_checked(
    data: bytes, fmt: ox.RdfFormat, limits: UploadLimits, name: str, base_iri: str | None = None
) -> list[ox.Quad]:
    """The pre-checks, then the strict parse: what the child runs."""
    check_upload(data, fmt, limits, name)
    return parse_bytes(data, fmt, name, base_iri)


def _parse_to_nquads(data: bytes, media_type: str, limits: UploadLimits, name: str, base_iri: str | None) -> bytes:
    quads = parse_checked(data, format_for_media_type(media_type), limits, name, base_iri)
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _validate(
    store: Path, data: bytes, media_type: str, shapes_dir: Path, limits: UploadLimits, name: str, reach: Reach
) -> ValidationResult:
    quads = parse_checked(data, format_for_media_type(media_type), limits, name)
    if not quads:
        raise UsageError(f"the {name} holds no triple")
    return validate_upload(current_graph(store), quads, load_graph_dir(shapes_dir), reach)


def current_graph(store: Path) -> StoreSource:
    """The store's default graph (the merge), as a validation reads it: by the nodes it needs. Opened by the
    bounded child from the build on disk, not sent through a pipe."""
    return StoreSource(kgstore.open_read_only(store))
