"""The read-scale deployment on loopback: two `kg serve` replicas over ONE store directory, nginx in front.

Replica 1 is the primary (the write token, the data files); replica 2 serves the same store directory
read-only. nginx runs `deploy/nginx/kg-replicas.conf.template` rendered on free 127.0.0.1 ports, unprivileged
(`nginx -p DIR -c FILE`, everything under DIR). Every process is stopped at the end, even on failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from kg.config import PROJECT_ROOT
from kg.ingest.pipeline import BuildReport
from tests.api.conftest import Server, WritableServer, _start, start_writable, stop
from tests.processes import free_port, stop_process, wait_until_answering

NGINX = Path(os.environ.get("KG_TEST_NGINX", "/usr/sbin/nginx"))
TEMPLATE = PROJECT_ROOT / "deploy" / "nginx" / "kg-replicas.conf.template"
MAX_AGE = 1  # KG_CACHE_MAX_AGE of both replicas, seconds: short, so that the test can wait it out


def render(template: str, values: dict[str, str]) -> str:
    """What `envsubst '${A} ${B}…'` does: replace the named `${…}` placeholders only (nginx's `$vars` stay)."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    left = sorted(set(re.findall(r"\$\{KG_\w+\}", template)))
    assert not left, f"placeholders left unrendered: {left}"
    return template


@dataclass(frozen=True)
class Nginx:
    """A running nginx master (its own session, so that its workers can be stopped with it)."""

    url: str
    process: subprocess.Popen[bytes]
    directory: Path

    def log(self, lines: int = 30) -> str:
        """The last lines of what nginx printed and of its error log, for a failure's message."""
        return "\n".join(
            f"--- {name}\n" + "\n".join((self.directory / name).read_text(errors="replace").splitlines()[-lines:])
            for name in ("nginx.out", "error.log")
            if (self.directory / name).exists()
        )


def start_nginx(directory: Path, primary: str, replicas: list[str]) -> Nginx:
    """Render the template under `directory`, check it with `nginx -t`, start nginx and wait until it answers."""
    for sub in ("tmp", "cache"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    values = {
        "KG_NGINX_DIR": str(directory),
        "KG_NGINX_LISTEN": f"127.0.0.1:{port}",
        "KG_PRIMARY": primary,
        "KG_REPLICA_SERVERS": " ".join(f"server {r};" for r in replicas),
    }
    conf = directory / "nginx.conf"
    text = render(TEMPLATE.read_text(encoding="utf-8"), values)
    if os.geteuid() == 0:  # as root, nginx runs its workers as `nobody`, who cannot enter pytest's private tmp
        text = "user root root;\n" + text
    conf.write_text(text, encoding="utf-8")
    command = [str(NGINX), "-p", str(directory), "-c", str(conf)]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, f"nginx -t refused the rendered config:\n{checked.stderr}"
    with (directory / "nginx.out").open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    running = Nginx(f"http://127.0.0.1:{port}", process, directory)
    problem = wait_until_answering(process, running.url + "/health?probe=false", 15)
    if problem is None:
        return running
    stop_nginx(running)
    pytest.fail(f"nginx {problem}:\n{running.log()}")


def stop_nginx(nginx: Nginx) -> None:
    """SIGTERM (fast shutdown) to the master; if it lingers, SIGKILL to the session it leads, workers included."""
    stop_process(nginx.process, 10, group=True)


@dataclass
class Deployment:
    """The primary, the read-only replica, nginx, and a client through nginx that tallies `X-Cache-Status`."""

    primary: WritableServer
    replica: Server
    nginx: Nginx
    client: httpx.Client
    cache_status: Counter[str] = field(default_factory=Counter)

    def address(self, server: Server | WritableServer) -> str:
        """host:port as nginx's `$upstream_addr` names it."""
        return server.url.removeprefix("http://")

    def hit_ratio(self) -> float:
        """HITs among the answers nginx looked up in its cache (HIT, MISS, EXPIRED, REVALIDATED, UPDATING, STALE)."""
        looked_up = sum(n for status, n in self.cache_status.items() if status != "BYPASS")
        return self.cache_status["HIT"] / looked_up if looked_up else 0.0


@pytest.fixture(scope="module")
def deployment(built_store: tuple[Path, BuildReport], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: install Debian's nginx-light (`.ci/run` does)")  # never a silent skip
    root = tmp_path_factory.mktemp("replicas")
    env = {"KG_CACHE_MAX_AGE": str(MAX_AGE), "KG_QUERY_TIMEOUT": "20"}
    with contextlib.ExitStack() as stack:
        primary = start_writable(built_store[0], root, env)
        stack.callback(stop, primary)
        replica = _start(primary.store, root / "replica-2.log", env)  # the same store directory, no write token
        stack.callback(stop, replica)
        nginx = start_nginx(
            root / "nginx",
            primary.url.removeprefix("http://"),
            [
                primary.url.removeprefix("http://"),
                replica.url.removeprefix("http://"),
            ],
        )
        stack.callback(stop_nginx, nginx)
        tally: Counter[str] = Counter()

        def count(response: httpx.Response) -> None:
            if status := response.headers.get("x-cache-status"):
                tally[status] += 1

        client = stack.enter_context(httpx.Client(base_url=nginx.url, timeout=30, event_hooks={"response": [count]}))
        running = Deployment(primary, replica, nginx, client, tally)
        yield running
        print(f"\nnginx cache statuses over the module: {dict(tally)}; HIT ratio {running.hit_ratio():.2f}")
