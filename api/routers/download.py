"""The dataset for download: `/download` lists the dumps of the version served, `/download/{version}/{file}`
serves them (`territoires-industrie.nq.gz`, `.trig.gz`), the `.sha256` beside each and `SHA256SUMS`.

The dumps are made once per version by `kg.docs.release.cached_release`, in a folder beside the store, and
streamed from disk (`FileResponse`: `Content-Length`, ranges). A dump's URL names its version, so its bytes
never change: the ETag is its SHA-256 and it may be cached for good. A version that is not the one served
is a 404 problem document (`kg.errors.DumpNotFound`, as is a file that does not exist) naming the current
URL, not a redirect: a client that holds an old URL also holds its old checksum, and silently getting other
bytes there would fail that check (or worse, pass a stale one off as current); `/download` is the URL that
always leads to the current files.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from kg.docs.catalog import CC_BY
from kg.docs.release import CHECKSUMS, Release, cache_dir, cached_release
from kg.errors import DumpNotFound
from kg.store.interface import Queryable

from .. import caching, conneg
from ..deps import SettingsDep, StoreDep
from ..web.templating import render

router = APIRouter(tags=["downloads"])
LISTING = conneg.Format("json", "application/json", (), ("json",))
OFFERS = (LISTING, conneg.HTML)
FOREVER = "public, max-age=31536000, immutable"  # a versioned file never changes
TEXT = "text/plain; charset=utf-8"


async def current_release(store: Queryable, settings: SettingsDep) -> Release:
    """The release of the version served, dumped by the first request of that version."""
    return await run_in_threadpool(cached_release, store, cache_dir(settings.store))


def listing(request: Request, release: Release) -> dict[str, Any]:
    """What `/download` answers: the version, and for each dump its URL, size, SHA-256 and checksum file."""

    def url(name: str) -> str:
        return str(request.url_for("download_file", version=release.version, file=name))

    return {
        "version": release.version,
        "built_at": release.built_at,
        "graphs": release.graphs,
        "license": str(CC_BY),
        "dumps": [
            {
                "name": f.name,
                "url": url(f.name),
                "format": f.syntax.label,
                "media_type": f.syntax.media_type,
                "compression": "gzip",
                "size": f.size,
                "sha256": f.sha256,
                "sha256_url": url(f.checksum_name),
                "quads": f.quads,
            }
            for f in release.files
        ],
        "checksums": url(CHECKSUMS),
        "void": str(request.url_for("void")),
        "catalog": str(request.url_for("catalog")),
    }


@router.get("/download", name="downloads", summary="The dumps of the whole dataset", response_class=Response)
async def downloads(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    """JSON by default (`application/json`), an HTML page for a browser: for each dump of the version served
    (N-Quads and TriG, gzip, every named graph) its URL, size, SHA-256 and checksum file, and the `SHA256SUMS`
    list. The first request of a version makes the dumps; later ones read them."""
    fmt = conneg.choose_for(request, OFFERS, "the list of downloads")
    tag = caching.etag(store.version, "download", fmt.key, str(request.base_url))
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    release = await current_release(store, settings)
    body = listing(request, release)
    tag = caching.etag(release.version, "download", fmt.key, str(request.base_url))
    if fmt is conneg.HTML:
        page = render("download.html", **body).encode("utf-8")
        return caching.response(page, fmt.content_type, tag, settings.cache_max_age)
    data = json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")
    return caching.response(data, LISTING.content_type, tag, settings.cache_max_age)


@router.get(
    "/download/{version}/{file}",
    name="download_file",
    summary="One dump of the dataset, its checksum or the checksum list",
    response_class=Response,
    responses={200: {"content": {"application/gzip": {}, "text/plain": {}}}, 404: {"description": "Not this version"}},
)
async def download_file(request: Request, version: str, file: str, store: StoreDep, settings: SettingsDep) -> Response:
    """`territoires-industrie.nq.gz` or `.trig.gz` (`application/gzip`, as an attachment, with `ETag` — its
    SHA-256 — `Content-Length` and `Repr-Digest`), `….sha256` (its `sha256sum` line) or `SHA256SUMS`; only for
    the version served: any other is a 404 whose `current` member is the URL to fetch instead."""
    release = await current_release(store, settings)
    names = {f.name for f in release.files} | {f.checksum_name for f in release.files} | {CHECKSUMS}
    if file not in names:
        raise DumpNotFound(f"there is no file {file!r} to download (there are: {', '.join(sorted(names))})")
    if version != release.version:
        current = str(request.url_for("download_file", version=release.version, file=file))
        detail = f"version {version} is not served here (only the current one, {release.version}, is)"
        raise DumpNotFound(detail, current_version=release.version, current=current)
    dump = release.file(file)
    if dump is None:  # a checksum file
        lines = {f.checksum_name: f.checksum_line for f in release.files}
        text = release.checksums if file == CHECKSUMS else lines[file]
        tag = caching.etag(release.version, "checksums", file)
        if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
            return cached
        return Response(text.encode("utf-8"), media_type=TEXT, headers={"ETag": tag, "Cache-Control": FOREVER})
    tag = f'"{dump.sha256}"'
    headers = {"ETag": tag, "Cache-Control": FOREVER}
    if caching.matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    digest = base64.b64encode(bytes.fromhex(dump.sha256)).decode("ascii")
    headers["Repr-Digest"] = f"sha-256=:{digest}:"  # RFC 9530: the digest of the file as served (no re-encoding)
    return FileResponse(release.folder / dump.name, media_type="application/gzip", filename=dump.name, headers=headers)
