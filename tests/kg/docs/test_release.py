"""A release folder (`kg release`, `/download`): the dumps, their checksums, written once per version."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.docs import release
from kg.store.interface import GraphRead
from kg.store.local import LocalStore

FILES = {
    "territoires-industrie.nq.gz",
    "territoires-industrie.nq.gz.sha256",
    "territoires-industrie.trig.gz",
    "territoires-industrie.trig.gz.sha256",
    release.CHECKSUMS,
    release.MANIFEST,
}


class _Counting(LocalStore):
    """A local store that counts the graphs read (each dump reads every graph once)."""

    reads = 0

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        type(self).reads += 1
        return super().read_graph(graph, fmt)


def test_a_release_holds_both_dumps_their_checksums_and_a_manifest(kg_store: ox.Store, tmp_path: Path) -> None:
    made = release.write_release(LocalStore(kg_store, version="abc"), tmp_path / "out", built_at="2026-12-01T10:00:00")
    folder = tmp_path / "out"
    assert {p.name for p in folder.iterdir()} == FILES
    assert made.version == "abc" and made.built_at == "2026-12-01T10:00:00" and made.graphs >= 10
    for f in made.files:
        data = (folder / f.name).read_bytes()
        assert f.size == len(data) and f.sha256 == hashlib.sha256(data).hexdigest()
        assert (folder / f.checksum_name).read_text() == f"{f.sha256}  {f.name}\n"
        quads = list(
            ox.parse(gzip.decompress(data), format=ox.RdfFormat.N_QUADS if f.format == "nquads" else ox.RdfFormat.TRIG)
        )
        assert len(quads) == f.quads > 30_000
    check = subprocess.run(["sha256sum", "-c", release.CHECKSUMS], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout.count(": OK") == 2, check.stdout + check.stderr
    assert release.read_release(folder) == made
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_the_cache_dumps_a_version_once_even_when_asked_at_once(kg_store: ox.Store, tmp_path: Path) -> None:
    cache = release.cache_dir(tmp_path / "store")
    assert cache == tmp_path / "store.dumps"
    store = _Counting(kg_store, version="v1")
    _Counting.reads = 0
    results: list[release.Release] = []
    threads = [threading.Thread(target=lambda: results.append(release.cached_release(store, cache))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    graphs = results[0].graphs
    assert _Counting.reads == graphs * len(release.FORMATS)  # one dump of each syntax, not three
    assert len({r.files for r in results}) == 1 and results[0].folder == cache / "v1"
    again = release.cached_release(store, cache)
    assert again.files == results[0].files and _Counting.reads == graphs * len(release.FORMATS)


def test_older_versions_are_removed_but_the_one_before(kg_store: ox.Store, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / ".release-killed").mkdir(parents=True)  # what a killed dump leaves
    for version in ("v1", "v2", "v3"):
        release.cached_release(LocalStore(kg_store, version=version), cache)
    assert sorted(p.name for p in cache.iterdir() if p.is_dir()) == ["v2", "v3"]


def test_a_failed_dump_leaves_nothing_behind(kg_store: ox.Store, tmp_path: Path) -> None:
    class Broken(LocalStore):
        def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
            raise OSError("disk full")

    cache = tmp_path / "cache"
    with pytest.raises(OSError, match="disk full"):
        release.cached_release(Broken(kg_store, version="v1"), cache)
    assert [p.name for p in cache.iterdir()] == [".lock"]


def test_a_version_becomes_a_harmless_folder_name() -> None:
    assert release._safe("580895edeb6bd243") == "580895edeb6bd243"
    assert "/" not in release._safe("../../etc") and release._safe("..") == "unversioned"
