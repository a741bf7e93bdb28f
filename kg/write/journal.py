"""Accepted writes reach the data files too, so the next `kg build` keeps them; a journal makes that crash-safe.

The files under `data/` are the sources the store is built from. A write that only changed the store would
be undone by the next build, so `kg.write.update` also edits the files: the triples a write removed are taken
out of every file that holds them in that graph, the triples it added go to the graph's first file, or
to `data/graphs/<name>.trig` for a new graph. Files are re-serialised by Oxigraph (comments are not kept).

Order of a write, under the writer lock: new file contents go to temporary files beside their targets and
a journal listing the renames is put in the new build directory; the store link is swapped (the commit
point); then the renames are done and the journal removed. A crash before the swap leaves the old store
and old files (the temporary files are removed by the next writer); a crash after it leaves a journal
that the next writer or build replays first, so store and files end up saying the same thing.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.sources.files import atomic_write
from kg.sources.namespaces import BASE, PREFIXES
from kg.sources.rdf_io import format_for, parse_file, rdf_files

JOURNAL = "pending-files.json"
TMP_MARK = ".kgwrite-"


@dataclass
class GraphDiff:
    """What a write did to one named graph, as sets of triples."""

    added: set[ox.Triple] = field(default_factory=set)
    removed: set[ox.Triple] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


def file_for_new_graph(data_dir: Path, graph: str) -> Path:
    """`data/graphs/<name>.trig` for a graph no file holds yet, named after its IRI."""
    local = graph.removeprefix(BASE).removeprefix("id/")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", local).strip("-.") or "graph"
    return data_dir / "graphs" / f"{slug[:120]}.trig"


def stage(build_dir: Path, data_dir: Path, diffs: dict[str, GraphDiff]) -> list[dict[str, str]]:
    """Write the new contents of every data file the diffs touch to temporary files; journal the renames."""
    files = {path: parse_file(path) for path in rdf_files(data_dir)}
    edited: dict[Path, list[ox.Quad]] = {}
    for graph, diff in diffs.items():
        name = ox.NamedNode(graph)
        holders = [p for p, quads in files.items() if any(q.graph_name == name for q in quads)]
        for path in holders:
            quads = edited.get(path, files[path])
            edited[path] = [q for q in quads if not (q.graph_name == name and q.triple in diff.removed)]
        if diff.added:
            home = holders[0] if holders else file_for_new_graph(data_dir, graph)
            current = edited.get(home, files.get(home, []))
            present = {q.triple for q in current if q.graph_name == name}
            edited[home] = current + [
                ox.Quad(t.subject, t.predicate, t.object, name) for t in _sorted(diff.added - present)
            ]
    ops: list[dict[str, str]] = []
    for path, quads in edited.items():
        if not quads:
            ops.append({"delete": str(path)})
            continue
        tmp = path.with_name(f".{path.name}{TMP_MARK}{build_dir.name}.tmp")
        with atomic_write(tmp) as fh:
            fh.write(ox.serialize(quads, format=format_for(path), prefixes=PREFIXES) or b"")
        ops.append({"rename": str(tmp), "to": str(path)})
    with atomic_write(build_dir / JOURNAL) as fh:
        fh.write(json.dumps({"data_dir": str(data_dir), "ops": ops}, indent=2).encode())
    return ops


def finish(build_dir: Path) -> None:
    """Carry out a journal's renames and deletions (idempotent), then remove it."""
    journal = build_dir / JOURNAL
    if not journal.is_file():
        return
    plan = json.loads(journal.read_text(encoding="utf-8"))
    for op in plan["ops"]:
        if "rename" in op:
            if Path(op["rename"]).exists():
                Path(op["to"]).parent.mkdir(parents=True, exist_ok=True)
                os.replace(op["rename"], op["to"])
        else:
            Path(op["delete"]).unlink(missing_ok=True)
    _fsync_dir(Path(plan["data_dir"]))
    journal.unlink()


def recover(current_build: Path, data_dir: Path) -> None:
    """Before any build or write: finish the journal a crash left, remove temporary files of unpublished writes."""
    finish(current_build)
    for tmp in data_dir.rglob(f".*{TMP_MARK}*.tmp"):
        tmp.unlink(missing_ok=True)


def _sorted(triples: set[ox.Triple]) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _fsync_dir(path: Path) -> None:
    if not path.is_dir():
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
