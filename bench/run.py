"""Benchmark `kg serve` against pyoxigraph in-process, `oxigraph serve` and rdflib-endpoint, on one machine.

    python bench/run.py --scales bundled,1m,5m        # the full run (see bench/README.md for timings)
    python bench/run.py --quick                        # smoke run: bundled only, 1 s per measurement

For each dataset: (i) pyoxigraph in a child process, store in memory, query + JSON serialisation;
then every server is started on 127.0.0.1, each query is sent once to each server and the row counts
compared (a mismatch is printed loudly), then wrk (or the Python client) drives each server and query
at 1 connection (latency) and at N connections (throughput), one server at a time. Results go to
var/bench/results/<timestamp>.json, written after each dataset.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil

from bench import driver, report
from bench.measure import Plan, measure_query
from bench.queries import BenchQuery, by_key
from bench.servers import RssSampler, Server, free_port, kg_available, kg_server, oxigraph_server, rdflib_server
from bench.store import BENCH_VAR, PROJECT_ROOT, Dataset, dataset, parse_scale

RESULTS_DIR = BENCH_VAR / "results"


@dataclass(frozen=True)
class Options:
    seconds: float
    min_requests: int
    cap: float
    rounds: int
    connections: int
    kg_workers: int
    timeout: float
    rdflib_timeout: float
    rdflib_max_triples: int
    startup_timeout: float
    method: str
    skip: frozenset[str]
    kg_env: dict[str, str]


def run_inprocess(ds: Dataset, queries: list[BenchQuery], opts: Options) -> dict[str, Any]:
    argv = [
        sys.executable,
        str(PROJECT_ROOT / "bench" / "inprocess.py"),
        "--store",
        str(ds.store),
        "--seconds",
        str(opts.seconds),
        "--min-requests",
        str(opts.min_requests),
        "--cap",
        str(opts.cap),
        "--queries",
        *[q.key for q in queries],
    ]
    limit = 600 + len(queries) * (opts.cap + opts.timeout)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=limit, check=False)
    if out.returncode != 0:
        return {"status": f"failed: {out.stderr[-800:]}"}
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def _servers(ds: Dataset, opts: Options, log_dir: Path, kg_ok: bool) -> tuple[list[Server], dict[str, Any]]:
    servers: list[Server] = []
    skipped: dict[str, Any] = {}
    if "kg" in opts.skip:
        skipped.update({name: {"status": "skipped (--skip)"} for name in report.KG_SERVERS})
    elif not kg_ok:
        skipped.update({name: {"status": "not available: `kg serve --help` fails"} for name in report.KG_SERVERS})
    else:
        # two processes alike: one asked the same query again and again (its answer cache answers), the other a
        # query of its own each time (a comment per request: every answer computed)
        env = {"KG_QUERY_TIMEOUT": str(int(opts.timeout)), "KG_MAX_ROWS": "1000000", **opts.kg_env}
        servers.append(kg_server(ds.store, free_port(), opts.kg_workers, log_dir, env, name=report.KG_HIT))
        servers.append(kg_server(ds.store, free_port(), opts.kg_workers, log_dir, env, name=report.KG, unique=True))
    if "oxigraph" in opts.skip:
        skipped[report.OXI] = {"status": "skipped (--skip)"}
    else:
        servers.append(oxigraph_server(ds.db_dir, free_port(), log_dir, union=not ds.merged_default_graph))
    if "rdflib" in opts.skip:
        skipped[report.RDFLIB] = {"status": "skipped (--skip)"}
    elif ds.quads > opts.rdflib_max_triples:
        skipped[report.RDFLIB] = {
            "status": f"skipped: {ds.quads:,} quads > --rdflib-max-triples {opts.rdflib_max_triples:,}"
        }
    else:
        servers.append(rdflib_server(ds.quads_file, free_port(), log_dir))
    return servers, skipped


def _timeout(server: Server, opts: Options) -> float:
    return opts.rdflib_timeout if server.name == report.RDFLIB else opts.timeout


def bench_dataset(ds: Dataset, queries: list[BenchQuery], opts: Options, kg_ok: bool, stamp: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": ds.name,
        "triples": ds.triples,
        "quads": ds.quads,
        "disk_bytes": ds.disk_bytes,
        "store": str(ds.store),
        "merged_default_graph": ds.merged_default_graph,
        "servers": {},
        "queries": {q.key: {} for q in queries},
        "mismatches": [],
    }
    reference: dict[str, int | None] = {}
    if "inprocess" not in opts.skip:
        _say(f"[{ds.name}] pyoxigraph in-process (store copied into memory)")
        inproc = run_inprocess(ds, queries, opts)
        out["servers"][report.INPROC] = {k: v for k, v in inproc.items() if k != "queries"}
        out["servers"][report.INPROC]["status"] = inproc.get("status", "ok")
        for qkey, r in inproc.get("queries", {}).items():
            c1 = {k: r[k] for k in ("rps", "p50_ms", "p99_ms", "requests", "seconds")}
            out["queries"][qkey][report.INPROC] = {
                "rows": r["rows"],
                "status": "ok",
                "c1": c1,
                "first_ms": r["first_ms"],
            }
            reference[qkey] = r["rows"]
    log_dir = BENCH_VAR / "logs" / stamp / ds.name
    servers, skipped = _servers(ds, opts, log_dir, kg_ok)
    out["servers"].update(skipped)
    for qkey in out["queries"]:
        for name, info in skipped.items():
            out["queries"][qkey][name] = {"status": info["status"].split(":")[0]}
    try:
        with RssSampler(servers):
            for s in servers:
                s.start()
            with ThreadPoolExecutor(max_workers=max(1, len(servers))) as pool:  # started together, polled together
                up = list(pool.map(lambda s: s.wait_ready(opts.startup_timeout), servers))
            ready = [s for s, ok in zip(servers, up, strict=True) if ok]
            for s in servers:
                _say(f"[{ds.name}] {s.name}: {s.status}" + (f" in {s.ready_seconds:.1f} s" if s.ready_seconds else ""))
            checks = _check_all(ds, queries, ready, opts, out, reference)
            # query by query, the servers one after the other: on a shared, noisy machine the figures
            # compared with each other are then taken minutes apart at most
            plan = Plan(opts.seconds, opts.min_requests, opts.cap, opts.rounds, opts.connections, opts.method)
            for q in queries:
                answered = [s for s in ready if checks.get((s.name, q.key), driver.Check(None, 0, "")).status == "ok"]
                if not answered:
                    continue
                singles = {s.name: checks[(s.name, q.key)].seconds for s in answered}
                timeouts = {s.name: _timeout(s, opts) for s in answered}
                _say(
                    f"[{ds.name}] {q.key}: measuring "
                    + ", ".join(f"{k} ({v * 1000:.1f} ms)" for k, v in singles.items())
                )
                for name, result in measure_query(q, answered, singles, plan, timeouts).items():
                    out["queries"][q.key][name].update(result)
            for s in servers:
                out["servers"][s.name] = {
                    "status": s.status,
                    "ready_seconds": round(s.ready_seconds, 2) if s.ready_seconds else None,
                    "log": str(s.log_path),
                    "argv": s.argv,
                    "env": s.env,
                }
                if s.name in report.KG_SERVERS and s in ready:
                    out["servers"][s.name]["health"] = s.health()
    finally:
        for s in servers:
            s.stop()
    for s in servers:
        out["servers"][s.name]["peak_rss"] = s.peak_rss
        if s.status == "stopped":
            out["servers"][s.name]["status"] = "ok"
    out["ratios"] = report.ratios(out, [q.key for q in queries if q.small_result])
    return out


def _check_all(
    ds: Dataset,
    queries: list[BenchQuery],
    ready: list[Server],
    opts: Options,
    out: dict[str, Any],
    reference: dict[str, int | None],
) -> dict[tuple[str, str], driver.Check]:
    """Each query once on each server: row counts compared with pyoxigraph's (or oxigraph serve's)."""
    checks: dict[tuple[str, str], driver.Check] = {}
    for q in queries:
        for s in ready:
            if s.proc is None or s.proc.poll() is not None:
                checks[(s.name, q.key)] = driver.Check(None, 0.0, "server died")
                out["queries"][q.key][s.name] = {"status": "server died"}
                continue
            driver.check(s.sparql_url, q.text, _timeout(s, opts), opts.method)  # warm-up
            c = driver.check(s.sparql_url, q.text, _timeout(s, opts), opts.method)
            checks[(s.name, q.key)] = c
            out["queries"][q.key][s.name] = {"rows": c.rows, "status": c.status, "first_ms": round(c.seconds * 1000, 3)}
            if c.status == "timeout" and s.name == report.RDFLIB:
                out["queries"][q.key][s.name]["status"] = f"timeout (> {_timeout(s, opts):.0f} s)"
                _say(f"[{ds.name}] {s.name} {q.key}: timeout, restarting it (it keeps computing otherwise)")
                s.stop()
                s.start()
                s.wait_ready(opts.startup_timeout)
        rows = {s.name: checks[(s.name, q.key)].rows for s in ready if checks[(s.name, q.key)].status == "ok"}
        ref = reference.get(q.key)
        if ref is None and report.OXI in rows:
            ref = rows[report.OXI]
        for name, n in rows.items():
            if ref is not None and n != ref:
                msg = f"{ds.name} {q.key}: {name} returned {n} rows, reference (pyoxigraph) {ref}"
                out["mismatches"].append(msg)
                _say("!" * 100 + f"\n!!! ROW COUNT MISMATCH {msg}\n" + "!" * 100)
    return checks


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--scales", default="bundled,1m,5m", help="comma-separated: bundled and/or sizes (1m, 5m, 250k)")
    p.add_argument("--quick", action="store_true", help="smoke run: bundled only (unless --scales), 1 s runs")
    p.add_argument("--queries", default="", help="comma-separated query keys or prefixes (q1,q3…); default all")
    p.add_argument("--seconds", type=float, default=3.0, help="minimum duration of each load run")
    p.add_argument("--rounds", type=int, default=3, help="interleaved latency runs per server and query")
    p.add_argument("--min-requests", type=int, default=5, help="each run lasts until this many requests, within --cap")
    p.add_argument("--cap", type=float, default=60.0, help="maximum duration of each load run, seconds")
    p.add_argument("--connections", type=int, default=4, help="concurrent connections of the throughput run")
    p.add_argument("--kg-workers", type=int, default=2, help="`kg serve --workers`")
    p.add_argument("--kg-env", action="append", default=[], help="KEY=VALUE for kg serve (e.g. KG_IN_MEMORY=never)")
    p.add_argument("--timeout", type=float, default=120.0, help="per-request timeout for kg and oxigraph, seconds")
    p.add_argument("--rdflib-timeout", type=float, default=60.0, help="per-request timeout for rdflib-endpoint")
    p.add_argument("--rdflib-max-triples", type=int, default=1_500_000, help="do not load rdflib above this many quads")
    p.add_argument("--startup-timeout", type=float, default=900.0, help="seconds a server may take to be ready")
    p.add_argument("--method", choices=["post", "get"], default="post")
    p.add_argument("--skip", default="", help="comma-separated: kg, oxigraph, rdflib, inprocess")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    if args.quick:
        if args.scales == p.get_default("scales"):
            args.scales = "bundled"
        args.seconds, args.min_requests, args.cap, args.rounds = 1.0, 2, 10.0, 2
    return args


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so that `finally` stops the servers


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    args = parse_args(argv)
    names = [s.strip() for s in args.scales.split(",") if s.strip()]
    for name in names:
        if name != "bundled":
            parse_scale(name)
    opts = Options(
        seconds=args.seconds,
        min_requests=args.min_requests,
        cap=args.cap,
        rounds=args.rounds,
        connections=args.connections,
        kg_workers=args.kg_workers,
        timeout=args.timeout,
        rdflib_timeout=args.rdflib_timeout,
        rdflib_max_triples=args.rdflib_max_triples,
        startup_timeout=args.startup_timeout,
        method=args.method,
        skip=frozenset(s.strip() for s in args.skip.split(",") if s.strip()),
        kg_env=dict(kv.split("=", 1) for kv in args.kg_env),
    )
    queries = by_key([k.strip() for k in args.queries.split(",") if k.strip()] or None)
    kg_ok = "kg" not in opts.skip and kg_available()
    if not kg_ok and "kg" not in opts.skip:
        _say("`kg serve` is not available in this checkout: measuring the other servers only")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    results: dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "load_average_at_start": os.getloadavg(),
        "machine": {
            "cpus": psutil.cpu_count(),
            "memory_bytes": psutil.virtual_memory().total,
            "platform": platform.platform(),
        },
        "driver": "wrk" if driver.have_wrk() else "python-httpx",
        "options": {k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in opts.__dict__.items()},
        "queries": {q.key: {"title": q.title, "text": q.text} for q in queries},
        "datasets": {},
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{stamp}.json"
    for name in names:
        started = time.perf_counter()
        ds = dataset(name, args.seed)
        _say(
            f"[{name}] {ds.quads:,} quads, {ds.triples:,} distinct triples, store {ds.disk_bytes / 2**20:,.0f} MiB on disk"
        )
        try:
            result = bench_dataset(ds, queries, opts, kg_ok, stamp)
        except Exception:  # one dataset's failure must not lose the others' figures
            results["datasets"][name] = {"error": traceback.format_exc()}
            path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
            _say(f"[{name}] FAILED:\n{traceback.format_exc()}")
            continue
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["load_average_at_end"] = os.getloadavg()
        results["datasets"][name] = result
        path.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\n== {name}: {ds.quads:,} quads ({ds.triples:,} distinct triples), {result['seconds']} s ==")
        print(report.table(result, opts.connections))
        print(report.ratio_lines(result), flush=True)
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
