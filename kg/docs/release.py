"""The dataset as files: the gzip dumps of one version with their SHA-256, for `/download` and `kg release`.

A release folder holds `territoires-industrie.nq.gz` and `territoires-industrie.trig.gz` (the whole dataset
with its named graphs, as `kg export` writes it), a `.sha256` beside each (the `sha256sum` line), a
`SHA256SUMS` list of both (what `sha256sum -c` reads) and `dumps.json`, which says the version, the sizes and
counts. Every file is written beside its place and renamed over it, so a reader never sees half of one.

The server makes its release once per dataset version, in a cache beside the store (`cache_dir`): the first
request of a version writes it in a temporary folder renamed into place under an `flock` (replicas sharing
the folder dump it once), later ones only read it; releases of older versions are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.errors import ServerBusy
from kg.sources.files import atomic_write
from kg.store.export import DUMP_ATTEMPTS, dump_dataset_to
from kg.store.interface import Queryable

NAME = "territoires-industrie"
CHECKSUMS = "SHA256SUMS"
MANIFEST = "dumps.json"
KEPT_VERSIONS = 2  # the version served and the one before (a replica may still serve it for a moment)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DumpFormat:
    """One syntax of the dumps: its `kg export` name, file extension, media type and names for people."""

    key: str
    extension: str
    media_type: str
    label: str
    w3c: str  # its IRI under http://www.w3.org/ns/formats/
    eu_file_type: str  # its code in the EU's file-type table (DCAT-AP's dct:format)

    @property
    def file_name(self) -> str:
        return f"{NAME}.{self.extension}.gz"


FORMATS: tuple[DumpFormat, ...] = (
    DumpFormat("nquads", "nq", "application/n-quads", "N-Quads", "http://www.w3.org/ns/formats/N-Quads", "RDF_N_QUADS"),
    DumpFormat("trig", "trig", "application/trig", "TriG", "http://www.w3.org/ns/formats/TriG", "RDF_TRIG"),
)


@dataclass(frozen=True)
class DumpFile:
    """One dump as written: file name, syntax (`DumpFormat.key`), size in bytes, SHA-256 (hex), quads."""

    name: str
    format: str
    size: int
    sha256: str
    quads: int

    @property
    def syntax(self) -> DumpFormat:
        return next(f for f in FORMATS if f.key == self.format)

    @property
    def checksum_name(self) -> str:
        return f"{self.name}.sha256"

    @property
    def checksum_line(self) -> str:
        """The `sha256sum` line of the file (two spaces: text mode, as `sha256sum -c` expects)."""
        return f"{self.sha256}  {self.name}\n"


@dataclass(frozen=True)
class Release:
    """The dumps of one dataset version and the folder that holds them."""

    version: str
    built_at: str | None
    graphs: int
    files: tuple[DumpFile, ...]
    folder: Path

    def file(self, name: str) -> DumpFile | None:
        """The dump with this file name, if there is one."""
        return next((f for f in self.files if f.name == name), None)

    @property
    def checksums(self) -> str:
        """The SHA256SUMS list of every dump."""
        return "".join(f.checksum_line for f in self.files)


def write_release(
    store: Queryable, folder: Path, *, built_at: str | None = None, attempts: int = DUMP_ATTEMPTS
) -> Release:
    """Dump the store's current version into `folder` (created if needed): the dumps, a `.sha256` beside each,
    `SHA256SUMS` and `dumps.json`. Every dump reads the same version (a write in the middle starts it again,
    `attempts` times at most, then `ServerBusy`). `built_at` says when that version was made, if the store
    does not (`Queryable.built_at`)."""
    folder.mkdir(parents=True, exist_ok=True)
    files: list[DumpFile] = []
    versions: set[str] = set()
    graphs = 0
    for fmt in FORMATS:
        path = folder / fmt.file_name
        with _atomic_path(path) as tmp:
            dumped = dump_dataset_to(store, fmt.key, tmp, compress=True)
        versions.add(dumped.version)
        graphs = dumped.graphs
        files.append(DumpFile(path.name, fmt.key, path.stat().st_size, sha256_of(path), dumped.quads))
    if len(versions) > 1:  # a write landed between the two syntaxes: both again, from one version
        if attempts <= 1:
            raise ServerBusy("the data kept changing while it was being dumped; try again")
        return write_release(store, folder, built_at=built_at, attempts=attempts - 1)
    release = Release(versions.pop(), built_at or store.built_at, graphs, tuple(files), folder)
    for f in release.files:
        _write_text(folder / f.checksum_name, f.checksum_line)
    _write_text(folder / CHECKSUMS, release.checksums)
    manifest = {
        "version": release.version,
        "built_at": release.built_at,
        "graphs": release.graphs,
        "files": [asdict(f) for f in release.files],
    }
    _write_text(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return release


def read_release(folder: Path) -> Release:
    """A release written by `write_release`, from its `dumps.json`."""
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    files = tuple(DumpFile(**f) for f in data["files"])
    return Release(data["version"], data.get("built_at"), int(data["graphs"]), files, folder)


def cache_dir(store: Path) -> Path:
    """Where the server keeps its releases: beside the store (`<store>.dumps/`), not inside a build, which is
    never modified once published; one sub-folder per version."""
    return store.with_name(store.name + ".dumps")


def cached_release(store: Queryable, cache: Path) -> Release:
    """The release of the version the store serves, written once into `cache/<version>/` and read after.

    The first caller of a version dumps it under an `flock` on `cache/.lock` (threads and processes alike wait
    for it, then read what it wrote) into a temporary folder renamed into place; older versions are removed,
    but for the one before (`KEPT_VERSIONS`).
    """
    folder = cache / _safe(store.version)
    if (folder / MANIFEST).is_file():
        return read_release(folder)
    cache.mkdir(parents=True, exist_ok=True)
    with _locked(cache / ".lock"):
        folder = cache / _safe(store.version)
        if (folder / MANIFEST).is_file():
            return read_release(folder)
        tmp = Path(tempfile.mkdtemp(dir=cache, prefix=".release-"))
        try:
            tmp.chmod(0o755)  # mkdtemp makes it private; the release is served to anyone
            release = write_release(store, tmp)
            folder = cache / _safe(release.version)
            if (folder / MANIFEST).is_file():  # the store moved on to a version already cached
                shutil.rmtree(tmp, ignore_errors=True)
            else:
                shutil.rmtree(folder, ignore_errors=True)  # a folder without its manifest is half-made
                os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _prune(cache, keep=folder)
    return read_release(folder)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _safe(version: str) -> str:
    """A version as a folder name (versions are content hashes; anything else is made harmless)."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "_" for c in version).strip(".")
    return cleaned or "unversioned"


def _prune(cache: Path, keep: Path) -> None:
    """Remove the releases of older versions, newest `KEPT_VERSIONS` kept, and the temporary folders of dumps
    that were killed (called with the lock held, so no dump is under way)."""
    for leftover in cache.glob(".release-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    done = sorted(
        (p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".") and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for path in done[KEPT_VERSIONS - 1 :]:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def _atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`, renamed over it when the block succeeds, removed when it fails."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_text(path: Path, text: str) -> None:
    with atomic_write(path) as fh:
        fh.write(text.encode("utf-8"))
