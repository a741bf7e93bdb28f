"""rdflib-endpoint serving an in-memory rdflib Dataset loaded from N-Quads, default graph = union.

    python bench/rdflib_server.py --quads var/bench/1m/data.nq --port 8102

The same as `rdflib-endpoint serve FILE` (which also builds `Dataset(default_union=True)`), plus the
format given explicitly and the load time printed, so the benchmark can report it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quads", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(str(args.quads), format="nquads")
    print(
        f"rdflib: loaded {len(dataset):,} triples in {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True
    )
    app = SparqlEndpoint(graph=dataset, path="/sparql", title="rdflib-endpoint (benchmark)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
