"""A server killed with SIGKILL in the middle of a large load leaves the old graph or the new one, never a mix.

Each case starts a server over its own copy of the store and data files, sends a 40 000-triple PUT, and kills
the server (`kill -9`) at one moment of the write, seen from the file system:

- `validating`: the change is being made and validated in a scratch copy of the store;
- `checkpointed`: the result has been checkpointed into the directory that would be published;
- `staged`: the data files' new contents are written beside them (just before or after the commit point).

Then a new server is started on the same store: the graph holds none or all of the triples, the default
graph is still the merge of the named graphs, and after the next write the data files say what the store says.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest

from kg.ingest import inference, links, statistics
from kg.ingest.pipeline import BuildReport
from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file, rdf_files
from kg.store import layout as kgstore
from kg.write import journal
from tests.api.conftest import WRITE_TOKEN, WritableServer, _start, start_writable, stop

GRAPH = f"{TID}source/steward-bulk"
TRIPLES = 40_000
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _bulk_document() -> bytes:
    lines = [f'<{TID}test/bulk/{i}> <{LABEL}> "Élément de test n° {i}"@fr .\n' for i in range(TRIPLES)]
    return "".join(lines).encode("utf-8")


def _scratch_copied(server: WritableServer, before: set[Path]) -> bool:
    return any((p / kgstore.DB_DIR).exists() for p in kgstore.builds(server.store) if p not in before)


def _checkpointed(server: WritableServer, before: set[Path]) -> bool:
    return sum((p / kgstore.DB_DIR).exists() for p in kgstore.builds(server.store) if p not in before) >= 2


def _staged(server: WritableServer, before: set[Path]) -> bool:
    return any(server.data.rglob(f".*{journal.TMP_MARK}*"))


MOMENTS: dict[str, tuple[Callable[[WritableServer, set[Path]], bool], float]] = {
    "validating": (_scratch_copied, 1.0),  # then wait a second: the 40 000 new triples are being validated
    "checkpointed": (_checkpointed, 0.0),
    "staged": (_staged, 0.0),
}


def _count(db: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> int:
    return sum(1 for _ in db.quads_for_pattern(None, None, None, graph))


def _named(db: ox.Store) -> set[ox.Quad]:
    return {q for q in db.quads_for_pattern(None, None, None, None) if isinstance(q.graph_name, ox.NamedNode)}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_sigkill_in_the_middle_of_a_large_load(
    moment: str, built_store: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    server = start_writable(built_store[0], tmp_path)
    body = _bulk_document()
    old_quads = _named(kgstore.open_read_only(server.store))
    old_builds = set(kgstore.builds(server.store))
    outcome: list[object] = []

    def load() -> None:
        try:
            r = httpx.put(
                f"{server.url}/graphs?graph={quote(GRAPH, safe='')}",
                content=body,
                headers={"Content-Type": "application/n-triples", **AUTH},
                timeout=120,
            )
            outcome.append(r.status_code)
        except httpx.TransportError as e:
            outcome.append(e)

    writer = threading.Thread(target=load)
    try:
        writer.start()
        reached, wait = MOMENTS[moment]
        deadline = time.monotonic() + 90
        while not reached(server, old_builds):
            assert writer.is_alive(), f"the write ended before the {moment} moment: {outcome}"
            assert time.monotonic() < deadline, f"the write never reached the {moment} moment"
            time.sleep(0.002)
        time.sleep(wait)
        assert writer.is_alive(), f"the write ended before the kill: {outcome}"
        os.kill(server.server.process.pid, signal.SIGKILL)
        server.server.process.wait(timeout=10)
        writer.join(timeout=30)
        assert outcome and isinstance(outcome[0], httpx.TransportError), outcome
    finally:
        if server.server.process.poll() is None:
            stop(server)

    # the store: the old graph or the new one, and its default graph still the merge
    db = kgstore.open_read_only(server.store)
    size = _count(db, ox.NamedNode(GRAPH))
    assert size in (0, TRIPLES)
    print(f"killed while {moment}: the graph has {size} triples")
    assert _named(db) - {q for q in _named(db) if q.graph_name == ox.NamedNode(GRAPH)} - old_quads <= {
        q for q in _named(db) if q.graph_name == ox.NamedNode(f"{TID}graph/write-log")
    }
    merged = {q.triple for q in _named(db)}
    assert {q.triple for q in db.quads_for_pattern(None, None, None, ox.DefaultGraph())} == merged
    del db

    # a new server on the same store serves that state, and its next write finishes or cleans what was left
    restarted = _start(
        server.store, tmp_path / "restarted.log", {"KG_WRITE_TOKEN": WRITE_TOKEN, "KG_DATA_DIR": str(server.data)}
    )
    try:
        with httpx.Client(base_url=restarted.url, timeout=60) as client:
            q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
            answer = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+json"})
            assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == size
            note = f'<{TID}source/001> <{LABEL}> "Lancement (relu après l\'incident)"@fr .'
            r = client.post(
                f"/graphs?graph={quote(f'{TID}source/steward-after', safe='')}",
                content=note,
                headers={"Content-Type": "text/turtle", **AUTH},
            )
            assert r.status_code == 201, r.text
    finally:
        stop(restarted)

    # the data files now say exactly what the store says, graph by graph
    files = {q for path in rdf_files(server.data) for q in parse_file(path)}
    db = kgstore.open_read_only(server.store)
    ontology = ox.NamedNode("https://w3id.org/territoires-industrie/ontology")
    derived = {
        ox.NamedNode(inference.INFERRED_GRAPH),
        ox.NamedNode(links.LINKS_GRAPH),
        ox.NamedNode(statistics.STATISTICS_GRAPH),
    }  # made by each build, in no file
    assert files == {q for q in _named(db) if q.graph_name != ontology and q.graph_name not in derived}
    assert not list(server.data.rglob(f".*{journal.TMP_MARK}*"))
    assert len(kgstore.builds(server.store)) <= 2
