"""HTTP caching tied to the dataset version: an answer can only change when `kg build` makes a new store.

The ETag is weak (gzip may re-encode the body) and covers the dataset version and everything that shapes
the answer: the query, its dataset parameters, the format and the row limit. A matching `If-None-Match`
is answered 304 before the query runs (`not_modified`).

Pages generated from source files (`/ontology`, `/shapes`) are kept in memory per state of those files
(`on_files`): editing, adding or removing a file makes the next request generate them again.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fastapi import Request, Response

from kg.sources.rdf_io import rdf_files

GZIP_MINIMUM_SIZE = 1000  # bytes; smaller answers are sent as they are
FILE_STATES_KEPT = 4  # generated answers kept, one per state of the files

T = TypeVar("T")
FilesState = tuple[tuple[str, int, int], ...]


def etag(version: str, *parts: object) -> str:
    """A weak validator for the answer the given parts produce from this dataset version."""
    digest = hashlib.sha256(json.dumps(parts, default=str, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f'W/"{version}-{digest[:20]}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether `If-None-Match` names this ETag (weak comparison, RFC 9110 §13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    opaque = tag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in if_none_match.split(","))


def headers(tag: str, max_age: int, body_size: int) -> dict[str, str]:
    """ETag, Cache-Control and Vary for a cacheable answer of `body_size` bytes.

    The middleware completes Vary, so that it names each header once: GZipMiddleware adds `Accept-Encoding`
    for the bodies it may compress (it is added here for the smaller ones) and CORSMiddleware `Origin`.
    """
    vary = "Accept" if body_size >= GZIP_MINIMUM_SIZE else "Accept, Accept-Encoding"
    return {"ETag": tag, "Cache-Control": f"public, max-age={max_age}", "Vary": vary}


def not_modified(request: Request, tag: str, max_age: int) -> Response | None:
    """A 304 when the request's `If-None-Match` names this ETag, else None (answer in full)."""
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers(tag, max_age, 0))
    return None


def response(body: bytes, media_type: str, tag: str, max_age: int) -> Response:
    """A 200 with its cache headers, computed from the body actually sent."""
    return Response(body, media_type=media_type, headers=headers(tag, max_age, len(body)))


def files_state(*directories: Path) -> FilesState:
    """The RDF files below the directories with their modification times and sizes (missing directories: none)."""
    return tuple(
        (str(path), stat.st_mtime_ns, stat.st_size)
        for directory in directories
        if directory.is_dir()
        for path in rdf_files(directory)
        for stat in (path.stat(),)
    )


def files_digest(*directories: Path) -> str:
    """A digest of the RDF files below the directories, names and contents: an ETag's version for what they make."""
    h = hashlib.sha256()
    for directory in directories:
        for path in rdf_files(directory):
            h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def on_files(generate: Callable[..., T]) -> Callable[..., T]:
    """`generate(*directories)` kept for each state of the directories' RDF files (paths, times, sizes)."""

    @functools.lru_cache(maxsize=FILE_STATES_KEPT)
    def kept(directories: tuple[Path, ...], state: FilesState) -> T:
        return generate(*directories)

    @functools.wraps(generate)
    def cached(*directories: Path) -> T:
        return kept(directories, files_state(*directories))

    return cached
