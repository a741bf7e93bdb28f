"""How one query is measured on the servers: interleaved latency rounds, then one throughput run each.

The machine is small and shared, so background load changes from minute to minute. The latency
(1 connection) figures that are compared between servers are therefore taken in `rounds` short runs,
the servers taking turns in a rotating order, and combined: p50 and p99 are the medians of the rounds',
req/s is all answered requests over all the time. The throughput run (N connections) follows, once per
server. After every run the driver waits until the server is idle again, because wrk leaves requests
in flight when its time is up.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

import psutil

from bench import driver
from bench.queries import BenchQuery
from bench.servers import Server

SERIAL_SERVERS = frozenset(
    {"rdflib-endpoint"}
)  # answers one request at a time (rdflib-endpoint runs queries in its event loop)


@dataclass(frozen=True)
class Plan:
    seconds: float  # minimum duration of a run
    min_requests: int  # a run lasts until about this many answers…
    cap: float  # …but never longer than this
    rounds: int
    connections: int
    method: str


def duration(plan: Plan, single: float, connections: int, share: int = 1) -> float:
    """Long enough for `min_requests` answers (over `share` runs) at `single` seconds each, within [seconds, cap/share].

    With N connections on 2 cores the first answers come after about N/2 single times: they are added.
    """
    extra = connections if connections > 1 else 0
    wanted = (plan.min_requests + extra) * single / max(1, min(connections, 2)) / share
    return min(plan.cap / share, max(plan.seconds, wanted))


def drain(server: Server, limit: float) -> None:
    """Wait (at most `limit` s) until the server's process tree uses less than 10 % of a core."""
    if server.proc is None:
        return
    deadline = time.perf_counter() + limit
    try:
        root = psutil.Process(server.proc.pid)
        while time.perf_counter() < deadline:
            procs = [root, *root.children(recursive=True)]
            for p in procs:
                p.cpu_percent(None)
            time.sleep(0.5)
            if sum(p.cpu_percent(None) for p in procs if p.is_running()) < 10:
                return
    except psutil.Error:
        return


def _alive(s: Server, out: dict[str, dict[str, Any]]) -> bool:
    if s.proc is not None and s.proc.poll() is None:
        return True
    out[s.name]["status"] = f"server died (see {s.log_path})"
    s.status = "died"
    return False


def _combine(runs: list[driver.RunResult]) -> dict[str, Any]:
    answered = sum(r.requests - r.errors for r in runs)
    seconds = sum(r.seconds for r in runs)
    p50s = [r.p50_ms for r in runs if r.requests > r.errors]
    p99s = [r.p99_ms for r in runs if r.requests > r.errors]
    return {
        "connections": runs[0].connections,
        "rounds": len(runs),
        "seconds": round(seconds, 2),
        "requests": sum(r.requests for r in runs),
        "errors": sum(r.errors for r in runs),
        "rps": round(answered / seconds, 2) if seconds else 0.0,
        "p50_ms": round(statistics.median(p50s), 3) if p50s else None,
        "p99_ms": round(statistics.median(p99s), 3) if p99s else None,
        "round_p50_ms": [r.p50_ms for r in runs],
        "tool": runs[0].tool,
    }


def measure_query(
    q: BenchQuery, servers: list[Server], singles: dict[str, float], plan: Plan, timeouts: dict[str, float]
) -> dict[str, dict[str, Any]]:
    """Measure `q` on `servers` (all answered its check; `singles` = the check's seconds per server)."""
    out: dict[str, dict[str, Any]] = {s.name: {} for s in servers}
    c1_runs: dict[str, list[driver.RunResult]] = {s.name: [] for s in servers}
    for r in range(plan.rounds):
        for s in servers[r % len(servers) :] + servers[: r % len(servers)]:
            if not _alive(s, out):
                continue
            single = singles[s.name]
            run = driver.load(
                s.sparql_url,
                q.text,
                connections=1,
                seconds=duration(plan, single, 1, plan.rounds),
                timeout=timeouts[s.name],
                method=plan.method,
                unique=s.unique_queries,
            )
            c1_runs[s.name].append(run)
            drain(s, min(120.0, single * 2 + 5))
    for s in servers:
        if not c1_runs[s.name]:
            continue
        out[s.name]["c1"] = _combine(c1_runs[s.name])
        single = singles[s.name]
        if not _alive(s, out):
            continue
        if s.name in SERIAL_SERVERS and single * plan.connections > plan.cap / 2:
            out[s.name]["note"] = f"c={plan.connections} not run: serial server, one answer takes {single:.1f} s"
            continue
        cn = driver.load(
            s.sparql_url,
            q.text,
            connections=plan.connections,
            seconds=duration(plan, single * (plan.connections if s.name in SERIAL_SERVERS else 1), plan.connections),
            timeout=timeouts[s.name],
            method=plan.method,
            unique=s.unique_queries,
        )
        drain(s, min(120.0, single * plan.connections + 5))
        out[s.name]["cn"] = _combine([cn])
        failures = [x.failure for x in [*c1_runs[s.name], cn] if x.failure]
        if failures:
            out[s.name]["note"] = f"{len(failures)} run(s) failed: {failures[0]}"
            continue
        errors = sum(x.errors for x in c1_runs[s.name]) + cn.errors
        if errors:
            kinds = {k: v for k, v in (cn.error_kinds or {}).items() if v}
            out[s.name]["note"] = f"{errors} failed requests {kinds or ''}".strip()
    for result in out.values():
        for key in ("c1", "cn"):
            if key in result and result[key]["requests"] == result[key]["errors"]:
                result.setdefault("note", f"no answer within the run at {key}")
    return out
