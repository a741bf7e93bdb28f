import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import StoreMissing
from kg.store import layout as kgstore

EX = "http://example.org/"


def _make_build(store: Path, label: str) -> Path:
    build_dir = kgstore.new_build_dir(store)
    db = ox.Store(str(build_dir / kgstore.DB_DIR))
    db.add(ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal(label), ox.NamedNode(EX + "g")))
    db.flush()
    del db
    info = {"version": label, "built_at": "now", "triples": 1, "graphs": 1}
    (build_dir / kgstore.MANIFEST).write_text(json.dumps(info))
    return build_dir


def _label(store: Path) -> str:
    db = kgstore.open_read_only(store)
    return next(iter(db.query("SELECT ?o { GRAPH ?g { ?s ?p ?o } }")))["o"].value


def test_missing_store_is_a_typed_error(tmp_path: Path) -> None:
    with pytest.raises(StoreMissing, match="kg build"):
        kgstore.open_read_only(tmp_path / "store")


def test_publish_swaps_the_link_keeps_the_previous_build_and_removes_older_ones(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = _make_build(store, "one")
    kgstore.publish(store, first)
    assert store.is_symlink()
    assert _label(store) == "one"
    assert kgstore.BuildInfo.read(kgstore.resolve(store)).version == "one"

    second = _make_build(store, "two")
    assert _label(store) == "one", "an unpublished build is invisible"
    kgstore.publish(store, second)
    assert _label(store) == "two"
    assert first.exists(), "the build replaced is kept: workers of a server may still be reading it"

    third = _make_build(store, "three")
    kgstore.publish(store, third)
    assert _label(store) == "three"
    assert [p.name for p in kgstore.builds(store)] == sorted([second.name, third.name])


def test_publish_refuses_to_replace_a_real_directory(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "precious.txt").write_text("keep me")
    build_dir = _make_build(store, "x")
    with pytest.raises(StoreMissing, match="not a store link"):
        kgstore.publish(store, build_dir)
    assert (store / "precious.txt").read_text() == "keep me"


def test_in_memory_copy_has_the_same_quads(tmp_path: Path) -> None:
    store = tmp_path / "store"
    kgstore.publish(store, _make_build(store, "mem"))
    mem = kgstore.open_in_memory(store)
    assert len(mem) == 1
    assert next(iter(mem.query("SELECT ?o { GRAPH ?g { ?s ?p ?o } }")))["o"].value == "mem"
