"""Soak benchmark: does the query pool stay up under overload, runaway queries, a killed worker and a write?

Starts `kg serve` on a free 127.0.0.1 port over a store it builds (or `--store`), with 2 workers and
KG_QUERY_TIMEOUT=5, then for 40 s: 16 clients send small queries one after the other; 3 runaway queries
arrive at 5 s and 3 more at 15 s; one worker is killed with SIGKILL at 20 s; a steward writes a graph
(PUT /graphs) at 30 s. A monitor samples `/health?probe=false` and the worker processes (/proc) every
0.25 s. Printed: the share of small queries answered 200 per 5 s window (by the time they were sent),
p50/p99, every status seen, the worker PIDs over time, and how long the pool took to be whole again
after each fault; `--json FILE` writes it all.

Targets: >= 95 % of small queries answered 200 in every window from the one in which the first runaway
is stopped, no 500 at all, the pool whole within 5 s of each fault.

Every client binds its own loopback source address (127.0.1.N, the runaways 127.0.2.1), so that
`--per-client N` (KG_MAX_QUERIES_PER_CLIENT) sees them as distinct clients; all load goes to 127.0.0.1.

    .venv/bin/python bench/soak.py [--per-client 1] [--json soak.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from kg.store.pool import WORKER_NAME  # each worker names its process so (Linux /proc/PID/comm)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KG = PROJECT_ROOT / ".venv" / "bin" / "kg"
STEWARD_FILE = PROJECT_ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"
STEWARD_GRAPH = "https://w3id.org/territoires-industrie/id/source/steward-001"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = [
    "ASK { ?s ?p ?o }",
    "SELECT ?l WHERE { <https://w3id.org/territoires-industrie/id/actor/anct> "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?l }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?t a <https://w3id.org/territoires-industrie/ontology#IndustryTerritory> }",
]
WINDOW = 5.0
POOL_FIELDS = ("workers_ready", "workers_busy", "workers_restarting", "queue_length", "pool_whole", "workers_started")


@dataclass
class Answer:
    """One request: when it was sent (s since the start), how long it took, its status (0 = no answer)."""

    kind: str
    sent: float
    seconds: float
    status: int
    problem: str | None = None


@dataclass
class Sample:
    t: float
    pids: list[int]
    health: dict[str, Any] | None


@dataclass
class Run:
    answers: list[Answer] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer) -> None:
        with self.lock:
            self.answers.append(answer)

    def event(self, t: float, kind: str, **details: Any) -> None:
        with self.lock:
            self.events.append({"t": round(t, 3), "kind": kind, **details})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client(url: str, source: str | None, timeout: float) -> httpx.Client:
    """An HTTP client to 127.0.0.1 whose connections come from `source` (a loopback address)."""
    transport = httpx.HTTPTransport(local_address=source) if source else httpx.HTTPTransport()
    return httpx.Client(base_url=url, timeout=timeout, transport=transport)


def source_addresses_work() -> bool:
    try:
        with socket.socket() as s:
            s.bind(("127.0.1.1", 0))
        return True
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            out += [int(p) for p in (task / "children").read_text().split()]
    return out


def worker_pids(server_pid: int) -> list[int]:
    """Live query workers: processes under the server (its forkserver's children) named kg-query-worker."""
    seen: set[int] = set()
    todo, live = _children(server_pid), []
    while todo and len(seen) < 1000:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        todo += _children(pid)
        with contextlib.suppress(OSError, IndexError):
            if Path(f"/proc/{pid}/comm").read_text().strip() != WORKER_NAME:
                continue
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                live.append(pid)
    return sorted(live)


def problem_type(r: httpx.Response) -> str | None:
    if r.headers.get("content-type", "").startswith("application/problem+json"):
        with contextlib.suppress(ValueError, KeyError):
            return str(r.json()["type"]).rsplit("/", 1)[-1]
    return None


def send(http: httpx.Client, run: Run, t0: float, kind: str, query: str) -> Answer:
    sent = time.monotonic()
    try:
        r = http.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        answer = Answer(kind, sent - t0, time.monotonic() - sent, r.status_code, problem_type(r))
    except httpx.HTTPError as e:
        answer = Answer(kind, sent - t0, time.monotonic() - sent, 0, type(e).__name__)
    run.add(answer)
    return answer


def small_client(url: str, source: str | None, run: Run, t0: float, seconds: float, think: float, i: int) -> None:
    with client(url, source, 30.0) as http:
        n = i
        while time.monotonic() - t0 < seconds:
            send(http, run, t0, "small", SMALL[n % len(SMALL)])
            n += 1
            time.sleep(think)


def runaway(url: str, source: str | None, run: Run, t0: float) -> None:
    with client(url, source, 60.0) as http:
        answer = send(http, run, t0, "runaway", RUNAWAY)
    run.event(answer.sent + answer.seconds, "runaway answered", status=answer.status, problem=answer.problem)


def monitor(url: str, server_pid: int, run: Run, t0: float, seconds: float, stop: threading.Event) -> None:
    with httpx.Client(base_url=url, timeout=2.0) as http:
        while not stop.is_set() and time.monotonic() - t0 < seconds:
            t = time.monotonic() - t0
            health: dict[str, Any] | None = None
            with contextlib.suppress(httpx.HTTPError, ValueError):
                health = http.get("/health", params={"probe": "false"}).json()
            with run.lock:
                run.samples.append(Sample(round(t, 3), worker_pids(server_pid), health))
            stop.wait(0.25)


def kill_a_worker(server_pid: int, run: Run, t0: float) -> None:
    pids = worker_pids(server_pid)
    if not pids:
        run.event(time.monotonic() - t0, "no worker to kill")
        return
    victim = pids[0]
    os.kill(victim, signal.SIGKILL)
    run.event(time.monotonic() - t0, "worker killed", pid=victim)


def steward_write(url: str, token: str, run: Run, t0: float) -> None:
    sent = time.monotonic()
    run.event(sent - t0, "write sent")
    with httpx.Client(base_url=url, timeout=120.0) as http:
        try:
            r = http.put(
                "/graphs",
                params={"graph": STEWARD_GRAPH},
                content=STEWARD_FILE.read_bytes(),
                headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
            )
            status, problem = r.status_code, problem_type(r)
        except httpx.HTTPError as e:
            status, problem = 0, type(e).__name__
    done = time.monotonic()
    run.add(Answer("write", sent - t0, done - sent, status, problem))
    run.event(done - t0, "write answered", status=status, problem=problem, seconds=round(done - sent, 2))


def at(t0: float, when: float, fn: Any, *args: Any) -> threading.Thread:
    def body() -> None:
        time.sleep(max(0.0, t0 + when - time.monotonic()))
        fn(*args)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


# --- the server ------------------------------------------------------------------------------------------


def build_store(root: Path) -> Path:
    store = root / "store"
    env = {**os.environ, "KG_STORE": str(store)}
    subprocess.run([str(KG), "build"], env=env, cwd=PROJECT_ROOT, check=True, timeout=600, capture_output=True)
    return store


def start_server(store: Path, args: argparse.Namespace, token: str, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(
        {
            "KG_STORE": str(store),
            "KG_QUERY_TIMEOUT": str(args.timeout),
            "KG_WRITE_TOKEN": token,
            "KG_WRITE_DATA_FILES": "false",  # the write goes to the soak's store only, never to data/
            "KG_MAX_QUERIES_PER_CLIENT": str(args.per_client),
        }
    )
    argv = [str(KG), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"kg serve exited with {proc.returncode}:\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return proc, url
        time.sleep(0.2)
    stop_server(proc)
    raise SystemExit(f"kg serve was not healthy within 120 s:\n{log.read_text()}")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


# --- the report ------------------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def windows(run: Run, seconds: float) -> list[dict[str, Any]]:
    out = []
    small = [a for a in run.answers if a.kind == "small"]
    for k in range(int(seconds // WINDOW + (seconds % WINDOW > 0))):
        lo, hi = k * WINDOW, (k + 1) * WINDOW
        inside = [a for a in small if lo <= a.sent < hi]
        ok = [a for a in inside if a.status == 200]
        latencies = [a.seconds for a in inside]
        out.append(
            {
                "window": f"{lo:g}-{hi:g}s",
                "start": lo,
                "sent": len(inside),
                "ok": len(ok),
                "share_200": round(len(ok) / len(inside), 4) if inside else None,
                "p50_ms": round(1000 * (pct(latencies, 50) or 0), 1),
                "p99_ms": round(1000 * (pct(latencies, 99) or 0), 1),
                "statuses": dict(sorted(Counter(_label(a) for a in inside).items())),
            }
        )
    return out


def _label(a: Answer) -> str:
    return f"{a.status} {a.problem}" if a.problem else str(a.status)


def recoveries(run: Run, workers: int) -> list[dict[str, Any]]:
    """For each fault, how long until the pool was whole again (per /health and the live processes)."""
    faults = []
    for e in run.events:
        if e["kind"] == "runaway answered" and e.get("problem") == "query-timeout":
            faults.append((e["t"], "runaway stopped (worker killed by the pool)", None))
        elif e["kind"] == "worker killed":
            faults.append((e["t"], f"worker {e['pid']} killed with SIGKILL", e["pid"]))
        elif e["kind"] == "write answered":
            faults.append((e["t"], "steward write answered (new version served)", None))
    out = []
    for t, what, pid in sorted(faults, key=lambda f: f[0]):
        whole_at = None
        for s in run.samples:
            if s.t < t or s.health is None:
                continue
            if pid is not None and pid in s.pids:
                continue
            if s.health.get("pool_whole") and len(s.pids) >= workers:
                whole_at = s.t
                break
        out.append(
            {
                "t": round(t, 2),
                "fault": what,
                "whole_after_s": None if whole_at is None else round(max(0.0, whole_at - t), 2),
            }
        )
    return out


def pid_timeline(run: Run) -> list[dict[str, Any]]:
    timeline: list[dict[str, Any]] = []
    for s in run.samples:
        if not timeline or timeline[-1]["pids"] != s.pids:
            timeline.append({"t": s.t, "pids": s.pids})
    return timeline


def report(run: Run, args: argparse.Namespace, started: int | None) -> dict[str, Any]:
    small = [a for a in run.answers if a.kind == "small"]
    latencies = [a.seconds for a in small]
    stopped = [e["t"] for e in run.events if e["kind"] == "runaway answered" and e.get("problem") == "query-timeout"]
    first_stop = min(stopped, default=None)  # a runaway that ran and was stopped (not one refused at once)
    judged_from = None if first_stop is None else WINDOW * (first_stop // WINDOW)
    table = windows(run, args.seconds)
    judged = [w for w in table if judged_from is not None and w["start"] >= judged_from and w["sent"]]
    faults = recoveries(run, args.workers)
    statuses = {
        kind: dict(sorted(Counter(_label(a) for a in run.answers if a.kind == kind).items()))
        for kind in ("small", "runaway", "write")
    }
    five_hundreds = sum(1 for a in run.answers if 500 <= a.status < 600 and a.status != 503)
    seen = sorted({p for s in run.samples for p in s.pids})
    return {
        "config": {
            "workers": args.workers,
            "query_timeout": args.timeout,
            "per_client": args.per_client,
            "clients": args.clients,
            "seconds": args.seconds,
            "think": args.think,
        },
        "small_queries": {
            "sent": len(small),
            "ok": sum(1 for a in small if a.status == 200),
            "p50_ms": round(1000 * (pct(latencies, 50) or 0), 1),
            "p99_ms": round(1000 * (pct(latencies, 99) or 0), 1),
        },
        "windows": table,
        "statuses": statuses,
        "events": run.events,
        "faults": faults,
        "worker_pids": pid_timeline(run),
        "pool_samples": [
            {"t": s.t, **{k: s.health.get(k) for k in POOL_FIELDS}} if s.health else {"t": s.t, "health": None}
            for s in run.samples
        ],
        "worker_processes_seen": len(seen),
        "workers_started_per_server": started,
        "targets": {
            "first_runaway_stopped_at_s": first_stop,
            "min_share_200_after_first_stop": min((w["share_200"] for w in judged), default=None),
            "share_200_ge_95_in_every_window": bool(judged) and all(w["share_200"] >= 0.95 for w in judged),
            "count_500": five_hundreds,
            "no_500": five_hundreds == 0 and not any(a.status == 500 for a in run.answers),
            "max_whole_after_s": max((f["whole_after_s"] or 0 for f in faults), default=None),
            "whole_within_5s_of_each_fault": bool(faults)
            and all(f["whole_after_s"] is not None and f["whole_after_s"] <= 5 for f in faults),
        },
    }


def print_report(r: dict[str, Any]) -> None:
    c = r["config"]
    print(
        f"soak: {c['clients']} clients, {c['seconds']} s, {c['workers']} workers, KG_QUERY_TIMEOUT={c['query_timeout']}, "
        f"KG_MAX_QUERIES_PER_CLIENT={c['per_client']}"
    )
    s = r["small_queries"]
    print(f"small queries: {s['ok']}/{s['sent']} answered 200, p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms")
    print(f"{'window':>9} {'sent':>5} {'200':>5} {'share':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses")
    for w in r["windows"]:
        share = "-" if w["share_200"] is None else f"{100 * w['share_200']:.1f}%"
        print(
            f"{w['window']:>9} {w['sent']:>5} {w['ok']:>5} {share:>7} {w['p50_ms']:>8} {w['p99_ms']:>8}  {w['statuses']}"
        )
    for kind, seen in r["statuses"].items():
        print(f"statuses ({kind}): {seen}")
    print("events:")
    for e in r["events"]:
        details = {k: v for k, v in e.items() if k not in ("t", "kind")}
        print(f"  {e['t']:7.2f} s  {e['kind']} {details if details else ''}")
    print("worker PIDs over time:")
    for p in r["worker_pids"]:
        print(f"  {p['t']:7.2f} s  {p['pids']}")
    print(
        f"worker processes seen: {r['worker_processes_seen']} (started by the pool: {r['workers_started_per_server']})"
    )
    print("pool whole again after each fault:")
    for f in r["faults"]:
        print(f"  {f['t']:7.2f} s  {f['fault']}: {f['whole_after_s']} s")
    t = r["targets"]
    print(
        f"targets: >=95% 200 in every window from the first stop ({t['first_runaway_stopped_at_s']} s): "
        f"{t['share_200_ge_95_in_every_window']} (min {t['min_share_200_after_first_stop']}); "
        f"no 500: {t['no_500']} ({t['count_500']}); whole within 5 s: {t['whole_within_5s_of_each_fault']} "
        f"(max {t['max_whole_after_s']} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--store", type=Path, help="serve this built store (a copy is written to) instead of building one"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=5.0, help="KG_QUERY_TIMEOUT")
    parser.add_argument("--per-client", type=int, default=0, help="KG_MAX_QUERIES_PER_CLIENT (0 = off)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--think", type=float, default=0.05, help="pause of each small client between queries")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="kg-soak-"))
    try:
        if args.store:
            store = root / "store"
            build = args.store.resolve()
            shutil.copytree(build, root / "builds" / build.name)
            store.symlink_to(root / "builds" / build.name, target_is_directory=True)
        else:
            print("building the store…", file=sys.stderr)
            store = build_store(root)
        token = secrets.token_urlsafe(24)
        proc, url = start_server(store, args, token, root / "serve.log")
        started: int | None = None
        try:
            result = soak(url, proc.pid, token, args)
            with contextlib.suppress(httpx.HTTPError, ValueError):
                started = httpx.get(url + "/health", params={"probe": "false"}, timeout=5).json()["workers_started"]
        finally:
            stop_server(proc)
        r = report(result, args, started)
        r["server_log_tail"] = (root / "serve.log").read_text(errors="replace").splitlines()[-40:]
        print_report(r)
        if args.json:
            args.json.write_text(json.dumps(r, indent=2))
            print(f"wrote {args.json}")
        t = r["targets"]
        return 0 if t["share_200_ge_95_in_every_window"] and t["no_500"] and t["whole_within_5s_of_each_fault"] else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


def soak(url: str, server_pid: int, token: str, args: argparse.Namespace) -> Run:
    run = Run()
    distinct = source_addresses_work()
    small_source = (lambda i: f"127.0.1.{i + 1}") if distinct else (lambda i: None)
    runaway_source = "127.0.2.1" if distinct else None
    stop = threading.Event()
    t0 = time.monotonic()
    threads = [threading.Thread(target=monitor, args=(url, server_pid, run, t0, args.seconds + 8, stop), daemon=True)]
    threads += [
        threading.Thread(
            target=small_client, args=(url, small_source(i), run, t0, args.seconds, args.think, i), daemon=True
        )
        for i in range(args.clients)
    ]
    for thread in threads:
        thread.start()
    scheduled = [at(t0, 5.0, runaway, url, runaway_source, run, t0) for _ in range(3)]
    scheduled += [at(t0, 15.0, runaway, url, runaway_source, run, t0) for _ in range(3)]
    scheduled.append(at(t0, 20.0, kill_a_worker, server_pid, run, t0))
    scheduled.append(at(t0, 30.0, steward_write, url, token, run, t0))
    for thread in threads[1:] + scheduled:
        thread.join(args.seconds + 150)
    time.sleep(max(0.0, t0 + args.seconds + 6 - time.monotonic()))  # the monitor sees the last recovery
    stop.set()
    threads[0].join(10)
    return run


if __name__ == "__main__":
    sys.exit(main())
