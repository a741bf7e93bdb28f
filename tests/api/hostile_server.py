"""A real server for the hostile-input suite, and how much memory its process tree holds (read from /proc).

The server is `start_writable` of tests/api/conftest.py (uvicorn in a subprocess over a private copy of the
store, with the write token), with the limits a hostile client meets. What this module adds:

- the memory of the server and of every process below it (query workers, the forkserver and the bounded
  children it forks), as the sum of their `VmRSS`, and the peak of the server process itself (`VmHWM`, reset
  before each case through `/proc/PID/clear_refs`), so a case can assert what it cost;
- a watchdog that kills the whole tree when it passes a ceiling: an input that makes the server allocate
  without bound (a defect the suite exists to catch) must fail its test, not take the shared machine down;
- a restart, used when a case left the server dead, killed or still busy with the input past its answer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kg.sources.namespaces import TID
from tests.api.conftest import WRITE_TOKEN, WritableServer, start_writable, stop

MB = 1024 * 1024
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


# --- /proc ---------------------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time in clock ticks) of a process, None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the command name may hold spaces and brackets
    return int(fields[1]), int(fields[19])


def descendants(root: int) -> list[int]:
    """The process and every process below it, found through the parent pid of each process in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (st := _stat(int(entry.name))) is not None:
            children.setdefault(st[0], []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def status_bytes(pid: int, key: str) -> int:
    """One `kB` line of /proc/PID/status (VmRSS, VmHWM) in bytes; 0 once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants."""
    return sum(status_bytes(pid, "VmRSS") for pid in descendants(root))


def cpu_seconds(root: int) -> float:
    """CPU time (user and system) the process and its descendants have used so far."""
    total = 0
    for pid in descendants(root):
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def settles(root: int, *, within: float, window: float = 0.25, busy: float = 0.05) -> bool:
    """Whether the tree goes idle (under `busy` CPU seconds in a `window`) within `within` seconds: a worker
    being replaced settles in a second or two, work left running on a client's input never does."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        used = cpu_seconds(root)
        time.sleep(window)
        if cpu_seconds(root) - used < busy:
            return True
    return False


def reset_peak(pid: int) -> None:
    """Set the process's VmHWM back to its current VmRSS (proc(5): writing 5 to clear_refs)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


WORKER_COMM = "kg-query-worker"  # the name kg/store/pool.py gives its worker processes (/proc/PID/comm)


def query_workers(root: int) -> set[int]:
    """The query worker processes of the pool, wherever they hang in the tree (forked by the forkserver),
    by the name the executor gives them; or, for an executor that spawns them unnamed, its direct children
    started by `spawn_main`."""
    tree = descendants(root)[1:]
    named = {pid for pid in tree if comm(pid) == WORKER_COMM}
    spawned = {pid for pid in tree if (st := _stat(pid)) is not None and st[0] == root and "spawn_main" in cmdline(pid)}
    return named or spawned


def workers_at_most(root: int, count: int, within: float = 8) -> set[int]:
    """The query workers once there are at most `count` of them, or whatever there are after `within`
    seconds: after a write the pool retires its old workers within seconds (kg.store.pool's RETIRE_GRACE)."""
    deadline = time.monotonic() + within
    while len(workers := query_workers(root)) > count and time.monotonic() < deadline:
        time.sleep(0.05)
    return workers


def stable_workers(root: int, quiet: float = 1.0, within: float = 10) -> set[int]:
    """The query workers once the set has not changed for `quiet` seconds (or after `within` seconds)."""
    deadline = time.monotonic() + within
    workers, since = query_workers(root), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() < deadline:
        time.sleep(0.05)
        if (now := query_workers(root)) != workers:
            workers, since = now, time.monotonic()
    return workers


# --- the server ------------------------------------------------------------------------------------------------


@dataclass
class HostileServer:
    """A writable server that can be measured, guarded and restarted."""

    built: Path
    root: Path
    env: dict[str, str]
    headroom: int  # bytes the process tree may hold beyond its size at start before the watchdog kills it
    running: WritableServer | None = None
    tainted: str = ""  # why the next case needs a fresh server ("" = it does not)
    killed_by_watchdog: int = 0  # the tree's size when the watchdog last killed it, 0 = never
    starts: int = 0
    _stop_watch: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        assert self.running is not None
        return self.running.url

    @property
    def pid(self) -> int:
        assert self.running is not None
        return self.running.server.process.pid

    def start(self) -> None:
        self.starts += 1
        self.running = start_writable(self.built, self.root / f"run-{self.starts}", self.env)
        self.tainted = ""
        self.killed_by_watchdog = 0
        self._stop_watch = threading.Event()
        ceiling = tree_rss(self.pid) + self.headroom
        threading.Thread(target=self._watch, args=(self.pid, ceiling, self._stop_watch), daemon=True).start()
        self._warm_up()

    def _warm_up(self) -> None:
        """A validation, a query and a write, so what is loaded once (the shapes, the forkserver with its
        preloaded libraries, the write path's first validation of the whole graph) is in the baseline and
        not counted against the first case that needs it."""
        note = f'<{TID}source/001> <{LABEL}> "Note de mise en route"@fr .'.encode()
        with httpx.Client(base_url=self.url, timeout=60) as client:
            answers = [
                client.post("/validate", content=note, headers={"Content-Type": "text/turtle"}),
                client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}),
                client.put(
                    "/graphs",
                    params={"graph": f"{TID}source/hostile-warm-up"},
                    content=note,
                    headers={"Content-Type": "text/turtle", **AUTH},
                ),
            ]
        for r in answers:
            assert r.status_code in (200, 201), f"warm-up {r.request.method} {r.request.url.path}: {r.text}"
        stable_workers(self.pid)  # the write's new workers are in, its old ones retired

    def stop(self) -> None:
        """Stop the server, then kill whatever of its tree outlived it (a worker stuck in a query)."""
        if self.running is None:
            return
        self._stop_watch.set()
        tree = [(pid, _stat(pid)) for pid in descendants(self.pid)]
        if self.tainted:  # it may be busy with the input for good: a graceful stop would wait for it
            _kill(tree)
            self.running.server.process.wait(timeout=10)
        elif self.running.server.process.poll() is None:
            stop(self.running)
        _kill(tree)
        self.running = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def ensure_fresh(self) -> str:
        """Restart the server if the last case left it tainted, dead or unhealthy; say why, or ""."""
        reason = self.tainted
        if not reason and (self.running is None or self.running.server.process.poll() is not None):
            reason = "the server had exited"
        if not reason:
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code != 200:
                    reason = "the server was unhealthy"
            except httpx.HTTPError as e:
                reason = f"/health failed: {e!r}"
        if reason:
            self.restart()
        return reason

    def _watch(self, pid: int, ceiling: int, done: threading.Event) -> None:
        while not done.wait(0.05):
            size = tree_rss(pid)
            if size > ceiling:
                self.killed_by_watchdog = size
                self.tainted = f"the watchdog killed the server at {size // MB} MB"
                _kill([(p, _stat(p)) for p in descendants(pid)])
                return


def _kill(tree: list[tuple[int, tuple[int, int] | None]]) -> None:
    """SIGKILL the processes of a tree listed earlier that are still the same processes (same start time)."""
    for pid, st in tree:
        current = _stat(pid)
        if st is not None and current is not None and current[1] == st[1]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid, st) for pid, st in tree):
        time.sleep(0.05)


def _alive(pid: int, st: tuple[int, int] | None) -> bool:
    current = _stat(pid)
    if current is None or st is None or current[1] != st[1]:
        return False
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/status").read_text().find("State:\tZ") >= 0:
            return False  # a zombie holds no memory; its parent reaps it
    return True


# --- one measured case -------------------------------------------------------------------------------------------


@dataclass
class Footprint:
    """The process tree's memory before a case, and what the case cost."""

    server: HostileServer
    before: int = 0
    server_before: int = 0
    workers: int = 0

    def start(self) -> None:
        pid = self.server.pid
        self.workers = len(query_workers(pid))
        self.server_before = status_bytes(pid, "VmRSS")
        reset_peak(pid)
        self.before = tree_rss(pid)

    def growth(self) -> int:
        """Bytes the tree holds, once the workers a write retired are gone, beyond what it held before."""
        workers_at_most(self.server.pid, self.workers)
        return tree_rss(self.server.pid) - self.before

    def server_peak_growth(self) -> int:
        """Bytes the server process itself reached during the case beyond what it held before."""
        return status_bytes(self.server.pid, "VmHWM") - self.server_before
