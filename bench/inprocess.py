"""The engine's floor: pyoxigraph in this process, the store copied into memory, no HTTP.

Each request is `store.query(...)` plus full serialisation of the answer to SPARQL JSON, one after the
other on one thread. Run as its own process by bench/run.py (so its memory is given back afterwards):

    python bench/inprocess.py --store var/bench/1m/store --seconds 5 --min-requests 5 --cap 60

prints one JSON object: load time, RSS, and per query the row count, req/s, p50 and p99.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from bench.driver import percentile
from bench.queries import by_key
from kg.store import layout as kgstore


def _answer(store: ox.Store, text: str, union: bool) -> bytes:
    """One request: evaluate and serialise the whole answer to SPARQL JSON, as a server would."""
    solutions = store.query(text, use_default_graph_as_union=union)
    assert isinstance(solutions, ox.QuerySolutions), "the benchmark queries are SELECT queries"
    body = solutions.serialize(format=ox.QueryResultsFormat.JSON)
    assert body is not None
    return body


def measure(
    store: ox.Store, text: str, seconds: float, min_requests: int, cap: float, union: bool
) -> dict[str, object]:
    """Run `text` until `seconds` have passed and `min_requests` were made, never longer than `cap`."""
    t0 = time.perf_counter()
    body = _answer(store, text, union)
    first = time.perf_counter() - t0
    rows = len(json.loads(body)["results"]["bindings"])
    latencies: list[float] = []
    started = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - started
        if elapsed >= cap or (elapsed >= seconds and len(latencies) >= min_requests) or len(latencies) >= 1_000_000:
            break
        t0 = time.perf_counter()
        _answer(store, text, union)
        latencies.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    return {
        "rows": rows,
        "first_ms": round(first * 1000, 3),
        "requests": len(latencies),
        "seconds": round(total, 2),
        "rps": round(len(latencies) / total, 2) if total else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 3),
        "p99_ms": round(percentile(latencies, 99) * 1000, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--store", type=Path, required=True, help="a store link (KG_STORE) or build directory")
    parser.add_argument("--queries", nargs="*", default=None, help="query keys (prefixes); default all")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--min-requests", type=int, default=5)
    parser.add_argument("--cap", type=float, default=60.0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    store = kgstore.open_in_memory(args.store)
    load_s = time.perf_counter() - started
    result: dict[str, object] = {"load_seconds": round(load_s, 2), "quads_in_memory": len(store), "queries": {}}
    queries: dict[str, object] = {}
    # the project's stores hold the merge of the named graphs in the default graph (kg.ingest.pipeline); else use the union
    union = next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
    result["default_graph"] = "union of named graphs" if union else "stored merge"
    for q in by_key(args.queries):
        queries[q.key] = measure(store, q.text, args.seconds, args.min_requests, args.cap, union)
    result["queries"] = queries
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
