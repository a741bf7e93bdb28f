"""Processes the tests start themselves (servers, Virtuoso, nginx) on free 127.0.0.1 ports, and stop."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable

import httpx


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_answering(process: subprocess.Popen[bytes], url: str, seconds: float) -> str | None:
    """None once `url` answers 200 within `seconds`; else why not (the process exited, or it never answered)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"exited with {process.returncode}"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code == 200:
                return None
        time.sleep(0.1)
    return f"did not answer within {seconds:g} s"


def stop_process(process: subprocess.Popen[bytes], grace: float, *, group: bool = False) -> None:
    """SIGTERM, then SIGKILL after `grace` seconds (to its whole session when `group`: workers included)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        kill: Callable[[], None] = process.kill
        if group:
            kill = lambda: os.killpg(process.pid, signal.SIGKILL)  # noqa: E731
        with contextlib.suppress(ProcessLookupError):
            kill()
        process.wait(timeout=10)
