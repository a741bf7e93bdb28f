"""Dumping the whole dataset through the store interface: every named graph, one version, gzip that is the
same bytes for the same data."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import ServerBusy, UsageError
from kg.store import export
from kg.store.interface import GraphRead, Queryable, QueryAnswer, QueryRequest
from kg.store.local import LocalStore


def _named_quads(store: ox.Store) -> set[ox.Quad]:
    return {q for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)}


def test_a_dump_holds_every_named_graph_and_not_the_merge(kg_store: ox.Store) -> None:
    for fmt, syntax in (("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)):
        out = io.BytesIO()
        dumped = export.dump_dataset(LocalStore(kg_store, version="v1"), fmt, out)
        quads = set(ox.parse(out.getvalue(), format=syntax))
        assert quads == _named_quads(kg_store), fmt
        assert dumped.quads == len(quads) and dumped.version == "v1"
        assert dumped.graphs == len({q.graph_name for q in quads}) >= 10


def test_a_dump_is_what_kg_export_writes(kg_store: ox.Store) -> None:
    through_interface, direct = io.BytesIO(), io.BytesIO()
    export.dump_dataset(LocalStore(kg_store), "nquads", through_interface)
    export.export(kg_store, "nquads", direct)
    parsed = [set(ox.parse(b.getvalue(), format=ox.RdfFormat.N_QUADS)) for b in (through_interface, direct)]
    assert parsed[0] == parsed[1]


def test_gzip_dumps_are_the_same_bytes_every_time(kg_store: ox.Store, tmp_path: Path) -> None:
    first, second = tmp_path / "a.nq.gz", tmp_path / "b.nq.gz"
    export.dump_dataset_to(LocalStore(kg_store), "nquads", first, compress=True)
    export.dump_dataset_to(LocalStore(kg_store), "nquads", second, compress=True)
    assert first.read_bytes() == second.read_bytes()  # no time stamp, no file name in the gzip header
    assert first.read_bytes()[:2] == b"\x1f\x8b"
    quads = set(ox.parse(gzip.decompress(first.read_bytes()), format=ox.RdfFormat.N_QUADS))
    assert quads == _named_quads(kg_store)


def test_only_dataset_syntaxes_make_a_dump(kg_store: ox.Store) -> None:
    with pytest.raises(UsageError, match="named graphs"):
        export.dump_dataset(LocalStore(kg_store), "turtle", io.BytesIO())


def test_wants_gzip_reads_the_file_name() -> None:
    assert export.wants_gzip(Path("dump.nq.gz")) and export.wants_gzip(Path("DUMP.TRIG.GZ"))
    assert not export.wants_gzip(Path("dump.trig")) and not export.wants_gzip(None)


class _Moving(Queryable):
    """A store whose graphs come from a newer version than the one it serves, `moves` times."""

    max_rows = 1000

    def __init__(self, inner: LocalStore, moves: int) -> None:
        self.inner, self.moves, self.refreshed = inner, moves, 0

    @property
    def version(self) -> str:
        return "old"

    def run(self, req: QueryRequest) -> QueryAnswer:
        return self.inner.run(req)

    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        read = self.inner.read_graph(graph, fmt)
        return GraphRead("new" if self.refreshed < self.moves else "old", read.body, read.triples)

    def refresh(self) -> bool:
        self.refreshed += 1
        return True


def test_a_write_in_the_middle_of_a_dump_starts_it_again(kg_store: ox.Store, tmp_path: Path) -> None:
    store = _Moving(LocalStore(kg_store), moves=1)
    dumped = export.dump_dataset_to(store, "trig", tmp_path / "d.trig", compress=False)
    assert store.refreshed == 1 and dumped.version == "old" and dumped.quads == len(_named_quads(kg_store))


def test_a_dump_that_never_settles_is_a_server_busy(kg_store: ox.Store, tmp_path: Path) -> None:
    store = _Moving(LocalStore(kg_store), moves=99)
    with pytest.raises(ServerBusy, match="kept changing"):
        export.dump_dataset_to(store, "nquads", tmp_path / "d.nq", compress=False)
    assert store.refreshed == export.DUMP_ATTEMPTS
