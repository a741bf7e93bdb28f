"""A scratch Virtuoso for the remote-store tests: Debian's virtuoso-t on free loopback ports, its own database
directory and virtuoso.ini, a random dba password, stopped and removed afterwards.

Not a test module: `tests/kg/store/virtuoso_fixtures.py` starts one per session. Tests that need it fail,
saying so, when /usr/bin/virtuoso-t is absent (`.ci/run` installs virtuoso-opensource-7-bin): never a skip.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.processes import free_port, stop_process

VIRTUOSO = Path("/usr/bin/virtuoso-t")
ISQL = Path("/usr/bin/isql-vt")
MISSING = f"{VIRTUOSO} is not installed (apt-get install virtuoso-opensource-7-bin; .ci/run does)"

# MaxQueryExecutionTime: the engine's own cap, answered as an error (S1T00 "Transaction timed out"), not the
# partial "anytime" answer it gives only to clients that send `timeout=` (this project never does).
# MaxQueryCostEstimationTime: 0 turns the estimator off (it refuses heavy but fast queries otherwise).
# ResultSetMaxRows: above any answer the tests read, or the engine cuts answers silently.
INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = {d}
MaxQueryMem = 500M

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxClientConnections = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = {max_seconds}
"""


@dataclass
class Virtuoso:
    """One running virtuoso-t."""

    directory: Path
    http_port: int
    sql_port: int
    password: str
    process: subprocess.Popen[bytes] | None = None
    started_in: float = 0.0
    user: str = "dba"
    notes: list[str] = field(default_factory=list)

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def gsp_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def isql(self, statement: str, password: str | None = None) -> str:
        """Run one SQL statement as dba (what configuration needs beyond virtuoso.ini)."""
        done = subprocess.run(
            [str(ISQL), str(self.sql_port), self.user, password or self.password, f"exec={statement}"],
            capture_output=True,
            timeout=60,
            check=False,
        )
        out = done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
        if done.returncode != 0 or "*** Error" in out:
            raise RuntimeError(f"isql-vt {statement!r} failed: {out}")
        return out

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, 20)
        shutil.rmtree(self.directory, ignore_errors=True)


def start(directory: Path, *, max_seconds: int = 20, wait: float = 60.0, buffers: int = 20_000) -> Virtuoso:
    """Start virtuoso-t in `directory` (created) and wait until its SPARQL endpoint answers."""
    directory.mkdir(parents=True, exist_ok=True)
    vt = Virtuoso(directory, free_port(), free_port(), secrets.token_urlsafe(12))
    (directory / "virtuoso.ini").write_text(
        INI.format(
            d=directory,
            sql_port=vt.sql_port,
            http_port=vt.http_port,
            max_seconds=max_seconds,
            buffers=buffers,
            dirty=buffers * 3 // 4,
        )
    )
    started = time.perf_counter()
    vt.process = subprocess.Popen(
        [str(VIRTUOSO), "+foreground", "+configfile", str(directory / "virtuoso.ini")],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + wait
        while True:
            if vt.process.poll() is not None:
                log = (directory / "virtuoso.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"virtuoso-t exited with {vt.process.returncode}: {log}")
            try:
                if httpx.get(vt.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not answer within {wait:g} s")
            time.sleep(0.1)
        vt.started_in = time.perf_counter() - started
        # the database is new, so dba's password is the well-known default: replace it before anything else
        vt.isql(f"USER_SET_PASSWORD('dba', '{vt.password}')", password="dba")
    except BaseException:
        vt.stop()
        raise
    return vt
