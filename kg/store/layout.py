"""The on-disk Oxigraph store: where it lives, how a build is swapped in atomically, how it is opened.

`KG_STORE` is a symbolic link to one build directory under `<store>.builds/`. A build — or a steward's
write (kg.write.update) — makes a new directory, then replaces the link with `os.replace` (atomic on POSIX), so a
reader sees the old store or the new one and a failed or interrupted build leaves the previous store
untouched. A published directory is never modified again. Builds and writes take the writer lock (an
`flock` on `<store>.builds/.lock`), so writers in any process — server, CLI — are serialised.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreMissing, WriterBusy

MANIFEST = "build.json"
DB_DIR = "oxigraph"


@dataclass(frozen=True)
class BuildInfo:
    """What a build recorded about itself: content version, time, size."""

    version: str
    built_at: str
    triples: int  # distinct triples: the merge of all named graphs (the default graph)
    graphs: int  # named graphs
    updated_at: str | None = None  # time of the last accepted write since the build, if any
    writes: int = 0  # accepted writes since the build

    @classmethod
    def read(cls, store_dir: Path) -> BuildInfo:
        data = json.loads((store_dir / MANIFEST).read_text(encoding="utf-8"))
        return cls(**data)

    def write(self, store_dir: Path) -> None:
        (store_dir / MANIFEST).write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")


def builds_dir(store: Path) -> Path:
    """Directory holding the build directories the store link points into."""
    return store.with_name(store.name + ".builds")


def builds(store: Path) -> list[Path]:
    """The build directories under `<store>.builds/` (published or not), oldest name first."""
    root = builds_dir(store)
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def resolve(store: Path) -> Path:
    """The build directory the store currently points to; `StoreMissing` if there is none."""
    target = store.resolve()
    if not (target / MANIFEST).is_file():
        raise StoreMissing(f"no store at {store}: run `kg build` first")
    return target


def new_build_dir(store: Path) -> Path:
    """A fresh, empty directory for the next build, next to the current ones."""
    root = builds_dir(store)
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"build-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns()}"
    path.mkdir()
    return path


@contextlib.contextmanager
def writer_lock(store: Path, timeout: float) -> Iterator[None]:
    """Hold the store's writer lock (`WriterBusy` after `timeout` s): one build or write at a time.

    An `flock` is released by the kernel when its holder dies, so a killed writer never leaves it held.
    """
    path = builds_dir(store) / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WriterBusy(
                        f"another write has held the store for over {timeout:g} s; try again later"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def publish(store: Path, build_dir: Path) -> None:
    """Point the store link at `build_dir` atomically, then remove older builds.

    The build replaced is kept: query workers of a server may still be answering from it while they are
    being replaced. Call with the writer lock held.
    """
    if store.exists() and not store.is_symlink():
        raise StoreMissing(f"{store} exists and is not a store link made by `kg build`; move it away first")
    tmp_link = store.with_name(f".{store.name}.link-{os.getpid()}")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(build_dir.resolve(), target_is_directory=True)
    previous = store.resolve() if store.is_symlink() else None
    os.replace(tmp_link, store)
    _remove_stale_builds(store, keep={build_dir.resolve(), previous})


def discard(build_dir: Path) -> None:
    """Remove a build directory that will not be published."""
    shutil.rmtree(build_dir, ignore_errors=True)


def _remove_stale_builds(store: Path, keep: set[Path | None]) -> None:
    """Remove every build but `keep`, including those a killed build or write left half-made."""
    for path in builds_dir(store).iterdir():
        if path.is_dir() and path.resolve() not in keep:
            shutil.rmtree(path, ignore_errors=True)


def open_read_only(store: Path) -> ox.Store:
    """Open the current build for reading; several processes may do so at once."""
    return ox.Store.read_only(str(resolve(store) / DB_DIR))


def add_with_merge(db: ox.Store, quads: list[ox.Quad]) -> None:
    """Add named-graph quads and their triples to the default graph, which holds the merge (see kg.ingest.pipeline)."""
    db.bulk_extend(quads)
    db.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)


def count_merged_triples(db: ox.Store) -> int:
    """Triples of the default graph, which holds the merge of all named graphs."""
    return sum(1 for _ in db.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def open_in_memory(store: Path) -> ox.Store:
    """Copy the current build into memory: joins run several times faster than on disk."""
    mem = ox.Store()
    disk = open_read_only(store)
    mem.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    return mem
