"""Start, watch and stop the servers under test; each runs as its own process group on 127.0.0.1.

Every wait is bounded: a server that is not ready within its start-up timeout is stopped and reported.
A background sampler records the peak resident memory (RSS) of each server's whole process tree.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
ASK = "ASK { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """One HTTP SPARQL server: how to start it, where to send queries, how to know it is ready."""

    name: str
    argv: list[str]
    sparql_url: str
    ready_url: str | None  # GET that answers 200 when ready; None: POST an ASK to sparql_url
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    unique_queries: bool = False  # each request a query of its own (a comment): what an answer cache cannot answer
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    ready_seconds: float | None = None
    peak_rss: int = 0
    status: str = "not started"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so stop() ends its workers too
        )
        log.close()
        self.status = "starting"

    def wait_ready(self, timeout: float) -> bool:
        """Poll until ready, the process dies, or `timeout` seconds pass."""
        deadline = time.perf_counter() + timeout
        with httpx.Client(timeout=5.0) as client:
            while time.perf_counter() < deadline:
                if self.proc is None or self.proc.poll() is not None:
                    self.status = f"exited with {self.proc.returncode if self.proc else '?'} (see {self.log_path})"
                    return False
                with contextlib.suppress(httpx.HTTPError):
                    if self.ready_url is not None:
                        r = client.get(self.ready_url)
                    else:
                        r = client.post(
                            self.sparql_url,
                            content=ASK,
                            headers={
                                "Content-Type": "application/sparql-query",
                                "Accept": "application/sparql-results+json",
                            },
                        )
                    if r.status_code == 200:
                        self.ready_seconds = time.perf_counter() - self.started_at
                        self.status = "ready"
                        return True
                time.sleep(0.25)
        self.status = f"not ready after {timeout:.0f} s (see {self.log_path})"
        return False

    def health(self) -> object:
        """What the ready URL answers (JSON if it is JSON), for the record."""
        if self.ready_url is None:
            return None
        try:
            r = httpx.get(self.ready_url, timeout=5.0)
            try:
                return r.json()
            except ValueError:
                return r.text[:500]
        except httpx.HTTPError as e:
            return f"error: {e}"

    def rss_tree(self) -> int:
        if self.proc is None:
            return 0
        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM to the server's process group, SIGKILL after `grace` seconds."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=grace)
        if self.status in ("ready", "starting"):
            self.status = "stopped"


class RssSampler:
    """Samples every server's process-tree RSS in a daemon thread and keeps the peak."""

    def __init__(self, servers: list[Server], interval: float = 0.25) -> None:
        self._servers = servers
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            for s in list(self._servers):
                s.peak_rss = max(s.peak_rss, s.rss_tree())
            self._stop.wait(self._interval)


def kg_available() -> bool:
    """Whether this checkout's `kg` has a `serve` command yet."""
    kg = VENV_BIN / "kg"
    if not kg.exists():
        return False
    r = subprocess.run([str(kg), "serve", "--help"], capture_output=True, timeout=60, check=False)
    return r.returncode == 0


def kg_server(
    store: Path,
    port: int,
    workers: int,
    log_dir: Path,
    env: dict[str, str],
    name: str = "kg serve",
    unique: bool = False,
) -> Server:
    return Server(
        name=name,
        unique_queries=unique,
        argv=[str(VENV_BIN / "kg"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        sparql_url=f"http://127.0.0.1:{port}/sparql",
        ready_url=f"http://127.0.0.1:{port}/health",
        log_path=log_dir / f"{name.replace(' ', '-').replace('(', '').replace(')', '')}.log",
        env={"KG_STORE": str(store), **env},
    )


def oxigraph_server(db_dir: Path, port: int, log_dir: Path, union: bool) -> Server:
    """`oxigraph serve-read-only` on the same RocksDB directory.

    The project's stores hold the merge of the named graphs in their default graph (see kg.ingest.pipeline), which
    Oxigraph then serves as is; with `union` (a store without that merge) the default graph is the union
    of the named graphs instead (`--union-default-graph`, a multiset: repeated triples come back twice).

    No `--timeout-s`: with it, Oxigraph 0.5 starts one thread per query that sleeps for the whole timeout,
    so at a few thousand requests a second it runs out of threads ("Resource temporarily unavailable",
    then a panic) within seconds. The client's per-request timeout bounds every request instead.
    """
    argv = [str(VENV_BIN / "oxigraph"), "serve-read-only", "--location", str(db_dir), "--bind", f"127.0.0.1:{port}"]
    if union:
        argv.append("--union-default-graph")
    return Server(
        name="oxigraph serve",
        argv=argv,
        sparql_url=f"http://127.0.0.1:{port}/query",
        ready_url=None,
        log_path=log_dir / "oxigraph-serve.log",
    )


def rdflib_server(quads_file: Path, port: int, log_dir: Path) -> Server:
    return Server(
        name="rdflib-endpoint",
        argv=[
            sys.executable,
            str(PROJECT_ROOT / "bench" / "rdflib_server.py"),
            "--quads",
            str(quads_file),
            "--port",
            str(port),
        ],
        sparql_url=f"http://127.0.0.1:{port}/sparql",
        ready_url=None,
        log_path=log_dir / "rdflib-endpoint.log",
    )
