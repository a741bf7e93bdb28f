"""A steward's write, end to end over HTTP, at the bundled and national scales (issue 13, part 4).

    python bench/writes.py --scales bundled,1m [--rounds 5] [--json FILE]

For each scale it copies the store (an Oxigraph checkpoint: the cached bench store is never written), starts
`kg serve` with writes enabled on a free 127.0.0.1 port, then, `--rounds` times: POSTs the steward
document of the tests to `/validate` (the report a steward reads before writing), PUTs it as a new named
graph (the answer comes once every query worker serves the new version), and asks `/sparql` whether the new
graph is there. It prints the median, min and max of each, and the workers' restarts and replays from
`/health` (a write should be replayed by the in-memory workers, not reloaded), and writes them as JSON.
Target: the PUT under 2 s at 1 M triples.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import pyoxigraph as ox

from bench.backends import virtuoso
from bench.servers import free_port, kg_server
from bench.store import dataset
from kg.config import PROJECT_ROOT
from kg.sources.namespaces import TID
from kg.store import layout as kgstore

DOCUMENT = PROJECT_ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"
TOKEN = "bench-token-for-writes-only"


def copy_store(source: Path, root: Path) -> Path:
    """A writable copy of a store's current build (a checkpoint: hard links where it can)."""
    store = root / "store"
    build = kgstore.new_build_dir(store)
    current = kgstore.resolve(source)
    ox.Store.read_only(str(current / kgstore.DB_DIR)).backup(str(build / kgstore.DB_DIR))
    kgstore.BuildInfo.read(current).write(build)
    kgstore.publish(store, build)
    return store


def _document(i: int) -> tuple[str, bytes]:
    graph = f"{TID}source/bench-write-{i}"
    text = DOCUMENT.read_text(encoding="utf-8").replace("src:steward-001", f"src:bench-write-{i}")
    return graph, text.encode("utf-8")


def _ms(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "min_ms": round(ms[0], 1),
        "max_ms": round(ms[-1], 1),
    }


def bench_scale(scale: str, backend: str, rounds: int, workers: int) -> list[dict[str, Any]]:
    data = dataset(scale)
    with tempfile.TemporaryDirectory(prefix=f"kg-bench-writes-{scale}-") as tmp:
        root = Path(tmp)
        store = copy_store(data.store, root)
        env = {"KG_WRITE_TOKEN": TOKEN, "KG_WRITE_DATA_FILES": "false", "KG_DATA_DIR": str(root / "data")}
        shutil.copytree(PROJECT_ROOT / "data", root / "data")
        with contextlib.ExitStack() as stack:
            if backend == "virtuoso":
                env |= stack.enter_context(_virtuoso(root, store, scale))
            port = free_port()
            server = kg_server(store, port, workers, root / "logs", env)
            server.start()
            stack.callback(server.stop)
            if not server.wait_ready(600):
                raise SystemExit(f"kg serve did not start over the {scale} store: see {server.log_path}")
            print(f"{scale}/{backend}: kg serve ready in {server.ready_seconds:.1f} s ({workers} workers)", flush=True)
            return _rounds(f"http://127.0.0.1:{port}", scale, backend, rounds)


@contextlib.contextmanager
def _virtuoso(root: Path, store: Path, scale: str) -> Iterator[dict[str, str]]:
    """Debian's Virtuoso on free loopback ports, the store published to it; the settings of `kg serve` over it."""
    with virtuoso(root, store, scale) as published:
        yield published.kg_env()


def _rounds(url: str, scale: str, backend: str, rounds: int) -> list[dict[str, Any]]:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    timings: dict[str, list[float]] = {"validate": [], "put": [], "visible": []}
    with httpx.Client(base_url=url, timeout=300) as client:
        before = client.get("/health").json()
        for i in range(rounds):
            graph, body = _document(i)
            started = time.perf_counter()
            r = client.post(
                "/validate", content=body, headers={"Content-Type": "text/turtle", "Accept": "application/json"}
            )
            timings["validate"].append(time.perf_counter() - started)
            if r.status_code != 200 or not r.json().get("conforms", False):
                raise SystemExit(f"{scale}: the steward document does not validate: {r.status_code} {r.text[:500]}")
            started = time.perf_counter()
            r = client.put(
                "/graphs", params={"graph": graph}, content=body, headers={"Content-Type": "text/turtle", **auth}
            )
            timings["put"].append(time.perf_counter() - started)
            if r.status_code != 201:
                raise SystemExit(f"{scale}: PUT answered {r.status_code}: {r.text[:500]}")
            ask = client.post(
                "/sparql",
                data={"query": f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
                headers={"Accept": "application/sparql-results+json"},
            )
            timings["visible"].append(time.perf_counter() - started)
            if not ask.json().get("boolean"):
                raise SystemExit(f"{scale}: the written graph is not served after the PUT answered")
        after = client.get("/health").json()
    out = []
    for op, seconds in timings.items():
        out.append({"scale": scale, "backend": backend, "operation": op, **_ms(seconds)})
    print(
        f"{scale}/{backend}: triples {before['triples']:,} -> {after['triples']:,}; workers started "
        f"{before['workers_started']} -> {after['workers_started']}, writes replayed by workers "
        f"{after.get('workers_replayed_writes', 0) - before.get('workers_replayed_writes', 0)}"
        if "workers_started" in before
        else f"{scale}/{backend}: triples {before.get('triples')} -> {after.get('triples')}"
    )
    for row in out:
        print(
            f"  {row['operation']:<9} n={row['n']:<3} median {row['p50_ms']:8.1f} ms   min {row['min_ms']:8.1f}   max {row['max_ms']:8.1f}"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--scales", default="bundled", help="comma-separated: bundled, 1m, 5m…")
    parser.add_argument("--backends", default="oxigraph", help="comma-separated: oxigraph, virtuoso")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the figures there as a JSON list")
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    for scale in args.scales.split(","):
        for backend in args.backends.split(","):
            rows += bench_scale(scale.strip(), backend.strip(), args.rounds, args.workers)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
