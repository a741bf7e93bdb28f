"""The load driver: `wrk` (Debian package) with a small Lua script, or a bounded Python client without it.

Every run is bounded: wrk by its duration (`-d`) and per-request `--timeout`; the Python client by a
request count and a deadline. Queries go as `POST application/sparql-query` by default (the SPARQL 1.1
Protocol's direct POST, which every server here supports and no HTTP cache answers), or as
`GET ?query=` with `method="get"`.
"""

from __future__ import annotations

import itertools
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

ACCEPT = "application/sparql-results+json"


@dataclass
class RunResult:
    """One load run against one server and one query."""

    connections: int
    seconds: float
    requests: int
    errors: int
    rps: float
    p50_ms: float
    p99_ms: float
    tool: str
    error_kinds: dict[str, int] | None = None  # wrk: connect, read, write, status (non-2xx/3xx), timeout
    failure: str | None = None  # the run could not be made

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class Check:
    """One request, for the row count and a first latency."""

    rows: int | None
    seconds: float
    status: str  # "ok", "timeout", "http NNN", "error: …"


def check(url: str, query: str, timeout: float, method: str = "post") -> Check:
    started = time.perf_counter()
    try:
        with httpx.Client(timeout=timeout) as client:
            r = _send(client, url, query, method)
        elapsed = time.perf_counter() - started
        if r.status_code != 200:
            return Check(None, elapsed, f"http {r.status_code}: {r.text[:200]}")
        return Check(len(r.json()["results"]["bindings"]), elapsed, "ok")
    except httpx.TimeoutException:
        return Check(None, time.perf_counter() - started, "timeout")
    except (httpx.HTTPError, ValueError, KeyError) as e:
        return Check(None, time.perf_counter() - started, f"error: {e}")


def _send(client: httpx.Client, url: str, query: str, method: str) -> httpx.Response:
    if method == "get":
        return client.get(url, params={"query": query}, headers={"Accept": ACCEPT})
    return client.post(
        url, content=query.encode(), headers={"Content-Type": "application/sparql-query", "Accept": ACCEPT}
    )


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


_LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d, '
      .. '"error_kinds": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


_LUA_UNIQUE = """
local sent = 0
request = function()
  sent = sent + 1
  return wrk.format(nil, nil, nil, "# miss " .. math.random(1, 1000000000) .. "-" .. sent .. "\\n" .. wrk.body)
end
"""


def _lua(url: str, query: str, method: str, unique: bool = False) -> str:
    fence = "=" * 8
    if method == "get" and unique:
        raise ValueError("unique queries (cache misses) are sent by POST")
    if method == "get":
        path = url.split("/", 3)[3] if url.count("/") >= 3 else ""
        return (
            f'wrk.method = "GET"\nwrk.path = "/{path}?query={quote(query, safe="")}"\nwrk.headers["Accept"] = "{ACCEPT}"\n'
            + _LUA_DONE
        )
    return (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/sparql-query"\n'
        f'wrk.headers["Accept"] = "{ACCEPT}"\n'
        f"wrk.body = [{fence}[{query}]{fence}]\n" + (_LUA_UNIQUE if unique else "") + _LUA_DONE
    )


def run_wrk(
    url: str,
    query: str,
    *,
    connections: int,
    seconds: float,
    timeout: float,
    method: str = "post",
    unique: bool = False,
) -> RunResult:
    threads = min(connections, 2)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as f:
        f.write(_lua(url, query, method, unique))
        script = Path(f.name)
    try:
        argv = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={max(1, round(timeout))}s",
            "-s",
            str(script),
            url,
        ]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + timeout + 30, check=False)
    finally:
        script.unlink(missing_ok=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result: {out.stdout[-500:]} {out.stderr[-500:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    secs = data["duration_us"] / 1e6
    ok = max(0, data["requests"] - data["errors"])
    return RunResult(
        connections=connections,
        seconds=round(secs, 2),
        requests=data["requests"],
        errors=data["errors"],
        rps=round(ok / secs, 2) if secs else 0.0,
        p50_ms=round(data["p50_us"] / 1000, 3),
        p99_ms=round(data["p99_us"] / 1000, 3),
        tool="wrk",
        error_kinds=data["error_kinds"] if data["errors"] else None,
    )


def run_python(
    url: str,
    query: str,
    *,
    connections: int,
    seconds: float,
    timeout: float,
    method: str = "post",
    max_requests: int = 100_000,
    unique: bool = False,
) -> RunResult:
    """`connections` threads, each with its own keep-alive connection, until `seconds` or `max_requests`;
    with `unique`, each request starts with a comment of its own, so that no answer cache can answer it."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    counter = itertools.count()  # next() on a count is atomic in CPython
    run_id = uuid.uuid4().hex[:12]  # unique across runs too: no request is ever sent twice

    def worker() -> None:
        with httpx.Client(timeout=timeout) as client:
            while time.perf_counter() < deadline:
                with lock:
                    if len(latencies) + errors[0] >= max_requests:
                        return
                text = f"# miss {run_id}-{next(counter)}\n{query}" if unique else query
                t0 = time.perf_counter()
                try:
                    ok = _send(client, url, text, method).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    if ok:
                        latencies.append(time.perf_counter() - t0)
                    else:
                        errors[0] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=seconds + timeout + 5)
    elapsed = time.perf_counter() - started
    return RunResult(
        connections=connections,
        seconds=round(elapsed, 2),
        requests=len(latencies) + errors[0],
        errors=errors[0],
        rps=round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        p50_ms=round(percentile(latencies, 50) * 1000, 3),
        p99_ms=round(percentile(latencies, 99) * 1000, 3),
        tool="python-httpx",
    )


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[max(0, min(98, round(pct) - 1))]


def load(
    url: str,
    query: str,
    *,
    connections: int,
    seconds: float,
    timeout: float,
    method: str = "post",
    unique: bool = False,
) -> RunResult:
    """One bounded run; a run that could not be made (server gone, wrk failed) comes back with `failure` set.
    `unique`: every request a query of its own (a comment), to measure an answer cache's misses."""
    options = {"connections": connections, "seconds": seconds, "timeout": timeout, "method": method, "unique": unique}
    try:
        if have_wrk():
            return run_wrk(url, query, **options)  # type: ignore[arg-type]
        return run_python(url, query, **options)  # type: ignore[arg-type]
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        nan = float("nan")
        return RunResult(
            connections, 0.0, 0, 0, 0.0, nan, nan, "wrk" if have_wrk() else "python-httpx", None, str(e)[:300]
        )
