"""HTTP caching tied to the dataset version: an answer can only change when `kg build` makes a new store.

The ETag is weak (gzip may re-encode the body) and covers the dataset version and everything that shapes
the answer: the query, its dataset parameters, the format and the row limit. A matching `If-None-Match`
is answered 304 before the query runs.
"""

from __future__ import annotations

import hashlib
import json

GZIP_MINIMUM_SIZE = 1000  # bytes; smaller answers are sent as they are


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
