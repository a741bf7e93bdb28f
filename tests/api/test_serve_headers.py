"""`kg serve` over a real socket: header fields over the limit get the app's 431, and far over it the server
stops reading (kg_cli.serve.bounded_httptools) instead of buffering them whole, as httptools alone does."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kg.config import PROJECT_ROOT
from tests.processes import free_port


@pytest.fixture(scope="module")
def kg_serve(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("kg-serve") / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({"KG_WORKERS": "1"})
    command = [sys.executable, "-c", "from kg_cli.main import main; main()", "serve", "--port", str(port)]
    command += ["--store", str(store_path)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"kg serve did not start:\n{log.read_text()}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _send_header(url: str, size: int) -> tuple[bytes, int]:
    """(the status line answered, or b"" if the server closed first; bytes sent before that)."""
    port = int(url.rsplit(":", 1)[1])
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        try:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Padding: ")
            chunk = b"a" * 65536
            while sent < size:
                part = chunk[: min(len(chunk), size - sent)]
                s.sendall(part)
                sent += len(part)
            s.sendall(b"\r\n\r\n")
            return s.recv(200).split(b"\r\n")[0], sent
        except (BrokenPipeError, ConnectionResetError):
            return b"", sent


def test_header_fields_over_the_limit_are_431(kg_serve: str) -> None:
    r = httpx.get(kg_serve + "/health", headers={"X-Padding": "a" * 40_000})
    assert r.status_code == 431
    assert r.headers["content-type"] == "application/problem+json"
    assert httpx.get(kg_serve + "/health", headers={"X-Padding": "a" * 20_000}).status_code == 200


def test_far_over_the_limit_the_server_stops_reading(kg_serve: str) -> None:
    status, sent = _send_header(kg_serve, 20_000_000)
    assert status in (b"", b"HTTP/1.1 400 Bad Request"), status
    assert sent < 20_000_000  # cut off long before the end: never buffered whole
    assert httpx.get(kg_serve + "/health").status_code == 200
