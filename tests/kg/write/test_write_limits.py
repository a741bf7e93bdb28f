"""kg.write.update under hostile or idle updates: bounded in time, guarded like queries, and honest when nothing changes."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import PROJECT_ROOT
from kg.errors import QueryRefused, WorkTimeout, WriteForbidden
from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file
from kg.store import layout as kgstore
from kg.write import update as kgwrite

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"
DOC = f"{TID}source/steward-001"
RUNAWAY = (
    f"INSERT {{ GRAPH <{DOC}> {{ <{DOC}> <http://www.w3.org/2000/01/rdf-schema#comment> ?o1 }} }} "
    "WHERE { ?s1 ?p1 ?o1 . ?s2 ?p2 ?o2 . ?s3 ?p3 ?o3 }"
)


@pytest.fixture
def ctx(store_copy: tuple[Path, Path], shapes) -> kgwrite.WriteContext:  # type: ignore[no-untyped-def]
    store, data = store_copy
    return kgwrite.WriteContext(
        store=store, shapes=shapes, data_dir=data, agent="mailto:steward@example.org", query_timeout=3
    )


def _state(ctx: kgwrite.WriteContext) -> tuple[str, int, int, list[Path], dict[Path, bytes]]:
    """What a write that changes nothing must leave as it was: version, write count, write-log size, builds,
    data files."""
    assert ctx.data_dir is not None
    build = kgstore.resolve(ctx.store)
    info = kgstore.BuildInfo.read(build)
    log = len(kgwrite.graph_triples(kgstore.open_read_only(ctx.store), kgwrite.WRITE_LOG_GRAPH))
    files = {p: p.read_bytes() for p in sorted(ctx.data_dir.rglob("*")) if p.is_file()}
    return info.version, info.writes, log, sorted(kgstore.builds(ctx.store)), files


def test_a_runaway_update_is_stopped_at_the_time_limit_and_changes_nothing(ctx: kgwrite.WriteContext) -> None:
    before = _state(ctx)
    started = time.perf_counter()
    with pytest.raises(WorkTimeout, match="longer than 3 s"):
        kgwrite.update(ctx, RUNAWAY)
    elapsed = time.perf_counter() - started
    assert 3 <= elapsed < 15, elapsed
    assert _state(ctx) == before
    # the writer lock was released: the next write does not wait for it
    quick = kgwrite.WriteContext(**{**ctx.__dict__, "lock_timeout": 1.0})
    report = kgwrite.put_graph(quick, DOC, [q.triple for q in parse_file(FIXTURE)])
    assert report.changed and report.version != before[0]


def test_an_update_calling_a_service_is_refused_and_nothing_connects(
    ctx: kgwrite.WriteContext, listener: socket.socket, connections: Callable[[socket.socket], int]
) -> None:
    port = listener.getsockname()[1]
    before = _state(ctx)
    update = (
        "DELETE { GRAPH <http://x/g> { <http://x/a> <http://x/b> ?x } } "
        f"WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }} }}"
    )
    with pytest.raises(QueryRefused, match=f"SERVICE <http://127.0.0.1:{port}/x> is not allowed"):
        kgwrite.update(ctx, update)
    with pytest.raises(QueryRefused, match="variable"):
        kgwrite.update(ctx, "DELETE { GRAPH <http://x/g> { ?x ?y ?z } } WHERE { SERVICE ?where { ?x ?y ?z } }")
    assert connections(listener) == 0
    assert _state(ctx) == before


def test_load_and_deep_updates_are_refused_before_the_engine_sees_them(ctx: kgwrite.WriteContext) -> None:
    before = _state(ctx)
    with pytest.raises(WriteForbidden, match="LOAD"):
        kgwrite.update(ctx, "LOAD <http://127.0.0.1:9/data.ttl> INTO GRAPH <http://x/g>")
    deep = f"INSERT {{ GRAPH <{DOC}> {{ ?s ?p ?o }} }} WHERE " + "{" * 20_000 + "?s ?p ?o" + "}" * 20_000
    with pytest.raises(QueryRefused, match="more than 200 levels deep"):
        kgwrite.update(ctx, deep)
    assert _state(ctx) == before


def test_writes_that_change_nothing_record_nothing_and_publish_nothing(ctx: kgwrite.WriteContext) -> None:
    doc = [q.triple for q in parse_file(FIXTURE)]
    first = kgwrite.put_graph(ctx, DOC, doc)
    assert first.changed and first.created
    before = _state(ctx)
    absent = f"DELETE DATA {{ GRAPH <{DOC}> {{ <{DOC}> <http://x/never> 'stated' }} }}"
    present = ox.Triple(doc[0].subject, doc[0].predicate, doc[0].object)
    insert_present = f"INSERT DATA {{ GRAPH <{DOC}> {{ {present.subject} {present.predicate} {present.object} }} }}"
    for report in (
        kgwrite.put_graph(ctx, DOC, doc),  # the same content again
        kgwrite.post_graph(ctx, DOC, doc[:3]),  # triples it already holds
        kgwrite.update(ctx, absent),
        kgwrite.update(ctx, insert_present),
        kgwrite.update(ctx, f"DELETE WHERE {{ GRAPH <{TID}source/nothing-here> {{ ?s ?p ?o }} }}"),
    ):
        assert not report.changed
        assert (report.added, report.removed, report.record, report.created) == (0, 0, "", False)
        assert report.version == first.version
    assert _state(ctx) == before
    # and a write that does change something after them is recorded as usual
    changed = kgwrite.update(ctx, absent.replace("DELETE DATA", "INSERT DATA"))
    assert changed.changed and changed.added == 1 and changed.record
    assert _state(ctx)[1] == before[1] + 1
