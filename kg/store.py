"""The on-disk Oxigraph store: where it lives, how a build is swapped in atomically, how it is opened.

`KG_STORE` is a symbolic link to one build directory under `<store>.builds/`. A build writes a new
directory, then replaces the link with `os.replace` (atomic on POSIX), so a reader sees the old store
or the new one and a failed or interrupted build leaves the previous store untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreMissing

MANIFEST = "build.json"
DB_DIR = "oxigraph"


@dataclass(frozen=True)
class BuildInfo:
    """What a build recorded about itself: content version, time, size."""

    version: str
    built_at: str
    triples: int  # distinct triples: the merge of all named graphs (the default graph)
    graphs: int  # named graphs

    @classmethod
    def read(cls, store_dir: Path) -> BuildInfo:
        data = json.loads((store_dir / MANIFEST).read_text(encoding="utf-8"))
        return cls(**data)


def builds_dir(store: Path) -> Path:
    """Directory holding the build directories the store link points into."""
    return store.with_name(store.name + ".builds")


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


def publish(store: Path, build_dir: Path) -> None:
    """Point the store link at `build_dir` atomically, then remove builds nothing points to."""
    if store.exists() and not store.is_symlink():
        raise StoreMissing(f"{store} exists and is not a store link made by `kg build`; move it away first")
    tmp_link = store.with_name(f".{store.name}.link-{os.getpid()}")
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(build_dir.resolve(), target_is_directory=True)
    os.replace(tmp_link, store)
    _remove_stale_builds(store, keep=build_dir.resolve())


def discard(build_dir: Path) -> None:
    """Remove a build directory that will not be published."""
    shutil.rmtree(build_dir, ignore_errors=True)


def _remove_stale_builds(store: Path, keep: Path) -> None:
    for path in builds_dir(store).iterdir():
        if path.resolve() != keep:
            shutil.rmtree(path, ignore_errors=True)


def open_read_only(store: Path) -> ox.Store:
    """Open the current build for reading; several processes may do so at once."""
    return ox.Store.read_only(str(resolve(store) / DB_DIR))


def add_with_merge(db: ox.Store, quads: list[ox.Quad]) -> None:
    """Add named-graph quads and their triples to the default graph, which holds the merge (see kg.build)."""
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
