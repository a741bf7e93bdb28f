"""Timings of the steward path on the bundled graph: `kg.write.update.put_graph`, `kg.ingest.validate.validate_upload`.

`python bench/writes.py [--rounds N]` builds the bundled data into a temporary store (with a copy of the
data files, which writes edit), then times N writes of the steward document of the tests (a new graph
each time) and N validations of it, and prints the median and the extremes.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kg.config import PROJECT_ROOT
from kg.ingest.pipeline import Sources, build
from kg.ingest.validate import load_graph_dir, validate_upload
from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file
from kg.write import update as kgwrite

DOCUMENT = PROJECT_ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"


def _summary(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return f"{name:<34} n={len(ms):<3} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   max {ms[-1]:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(PROJECT_ROOT / "data", root / "data")
        store = root / "store"
        started = time.perf_counter()
        build(Sources.from_dirs(PROJECT_ROOT / "ontology", PROJECT_ROOT / "shapes", root / "data"), store)
        print(f"{'build (bundled data)':<34} {time.perf_counter() - started:7.1f} s")
        shapes = load_graph_dir(PROJECT_ROOT / "shapes")
        ctx = kgwrite.WriteContext(store=store, shapes=shapes, data_dir=root / "data", agent="mailto:bench@example.org")
        quads = parse_file(DOCUMENT)
        triples = [q.triple for q in quads]
        validations, writes = [], []
        for i in range(args.rounds):
            started = time.perf_counter()
            validate_upload(store, quads, shapes)
            validations.append(time.perf_counter() - started)
            started = time.perf_counter()
            kgwrite.put_graph(ctx, f"{TID}source/bench-{i}", triples)
            writes.append(time.perf_counter() - started)
        print(_summary("validate_upload (POST /validate)", validations))
        print(_summary("put_graph (PUT /graphs)", writes))


if __name__ == "__main__":
    main()
