"""Hostile input against a real server (issue 10): every case is refused with the right status, cheaply.

One server for the module (uvicorn in a subprocess, tests/api/hostile_server.py): 2 query workers, a 5 s
query timeout, a 10 s validation timeout, 1 GiB per bounded worker, writes enabled. Each case asserts

(a) the HTTP status, (b) an `application/problem+json` answer whose detail names the problem,
(c) that the server's process tree holds less than `BOUND` more memory afterwards, and that the server
    process itself never grew by `BOUND` during the case (its `VmHWM`, reset before the case), and
(d) that `GET /health` answers 200 within a second afterwards, and that the server then goes idle: nothing
    it started for the input is still running behind its answer.

A case that leaves the server dead, unanswering or busy past its answer fails, and the next case gets a
fresh server, so one defect never hides the results of the other cases. A watchdog kills the server if its
tree grows by `HEADROOM`: a defect that allocates without bound fails its case instead of exhausting the machine.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kg.ingest.pipeline import BuildReport
from kg.sources.namespaces import TI, TID
from tests.api.hostile_server import AUTH, LABEL, MB, Footprint, HostileServer, query_workers, settles

QUERY_TIMEOUT = 5
VALIDATE_TIMEOUT = 10
WRITE_LOCK_TIMEOUT = 3  # a write behind a lock that was never released fails in seconds, not in a minute
MARGIN = 5  # seconds an answer may come after the server's own time limit
BOUND = 150 * MB  # more memory than a case may leave behind or make the server process itself take
SETTLE = 5  # seconds within which the server must go idle after a case
HEADROOM = 1536 * MB  # a bounded worker may reach 1 GiB; past this the watchdog kills the server
ENV = {
    "KG_WORKERS": "2",
    "KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
    "KG_VALIDATE_TIMEOUT": str(VALIDATE_TIMEOUT),
    "KG_WORKER_MEMORY_MB": "1024",
    "KG_WRITE_LOCK_TIMEOUT": str(WRITE_LOCK_TIMEOUT),
}
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DEPTH = r"deep|depth|nest"


@pytest.fixture(scope="module")
def hostile(built_store: tuple[Path, BuildReport], tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileServer]:
    """The module's server, over its own copy of the built store (restarted by `case` when a case harmed it)."""
    server = HostileServer(built_store[0], tmp_path_factory.mktemp("hostile"), ENV, headroom=HEADROOM)
    server.start()
    yield server
    server.stop()


class Case:
    """One hostile case against the server: send requests, then check the answer and the server."""

    def __init__(self, server: HostileServer) -> None:
        self.server = server
        self.footprint = Footprint(server)
        self.footprint.start()

    def send(self, method: str, path: str, *, timeout: float = 15, **kwargs: Any) -> httpx.Response:
        """One request; no answer within `timeout` fails the case and marks the server for a restart."""
        try:
            return httpx.request(method, self.server.url + path, timeout=timeout, **kwargs)
        except httpx.HTTPError as e:
            killed = self.server.tainted  # set by the watchdog when it killed the server
            self.server.tainted = killed or f"{method} {path} got no answer: {e!r}"
            pytest.fail(f"{method} {path}: no answer in {timeout:g} s ({e!r}){'; ' + killed if killed else ''}")

    def timed(self, method: str, path: str, *, within: float, **kwargs: Any) -> httpx.Response:
        """A request that must be answered within `within` seconds."""
        started = time.monotonic()
        r = self.send(method, path, timeout=within, **kwargs)
        seconds = time.monotonic() - started
        assert seconds < within, f"answered {r.status_code} after {seconds:.1f} s, over {within} s"
        return r

    def unharmed(self) -> None:
        """(c) and (d): the server kept no memory from the case, answers /health at once, and goes idle (no work
        on the input is left running behind the answer)."""
        assert not self.server.killed_by_watchdog, self.server.tainted
        growth, peak = self.footprint.growth(), self.footprint.server_peak_growth()
        print(f"memory: the tree grew by {growth / MB:.0f} MB, the server process peaked {peak / MB:.0f} MB higher")
        assert growth < BOUND, f"the server's process tree grew by {growth // MB} MB"
        assert peak < BOUND, f"the server process itself took {peak // MB} MB more during the case"
        started = time.monotonic()
        r = self.send("GET", "/health", timeout=1.0)
        assert r.status_code == 200, r.text
        assert time.monotonic() - started < 1.0
        if not settles(self.server.pid, within=SETTLE):
            self.server.tainted = "the server was still working after the case"
            pytest.fail(f"{self.server.tainted}: it did not go idle within {SETTLE} s of its answer")


@pytest.fixture
def case(hostile: HostileServer) -> Case:
    """A case on a server in a known state: restarted first if the previous case left it harmed."""
    if reason := hostile.ensure_fresh():
        print(f"restarted the server: {reason}")
    return Case(hostile)


def assert_problem(r: httpx.Response, statuses: tuple[int, ...], detail: str) -> None:
    """(a) and (b): one of `statuses`, as problem+json, with a detail that matches the regex `detail`."""
    print(f"{r.request.method} {r.request.url.path} -> {r.status_code} in {r.elapsed.total_seconds():.1f} s")
    assert r.status_code in statuses, f"{r.status_code} {r.headers.get('content-type')}: {r.text[:500]}"
    assert r.headers.get("content-type", "").startswith("application/problem+json"), r.text[:500]
    problem = r.json()
    assert problem["status"] == r.status_code
    assert re.search(detail, problem["detail"], re.IGNORECASE), problem["detail"]


def turtle(body: str) -> dict[str, Any]:
    return {"content": body.encode("utf-8"), "headers": {"Content-Type": "text/turtle"}}


def graph_exists(case: Case, graph: str) -> bool:
    r = case.send("GET", "/graphs", params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert r.status_code in (200, 404), r.text
    return r.status_code == 200


# --- 1-4, 6, 10: uploads to /validate (no token needed) ---------------------------------------------------------


def test_1_an_entity_bomb_in_rdf_xml_is_400(case: Case) -> None:
    entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{10 * f"&l{i - 1};"}">' for i in range(1, 9))
    body = (
        f'<!DOCTYPE r [{entities}]><rdf:RDF xmlns:rdf="{RDF}" xmlns:s="http://x/">'
        '<rdf:Description rdf:about="http://x/a"><s:p>&l8;</s:p></rdf:Description></rdf:RDF>'
    )
    r = case.send("POST", "/validate", content=body.encode(), headers={"Content-Type": "application/rdf+xml"})
    assert_problem(r, (400,), r"entit|DOCTYPE|DTD")
    case.unharmed()


DEEP = 100_000
DEEP_TURTLE = {
    "blank-nodes": "<http://x/a> <http://x/p> " + "[ <http://x/p> " * DEEP + "<http://x/o>" + " ]" * DEEP + " .",
    "collections": "<http://x/a> <http://x/p> " + "( " * DEEP + ")" * DEEP + " .",
}


@pytest.mark.parametrize("shape", list(DEEP_TURTLE))
def test_2_turtle_nested_100000_deep_is_400_at_once(case: Case, shape: str) -> None:
    r = case.timed("POST", "/validate", within=5, **turtle(DEEP_TURTLE[shape]))
    assert_problem(r, (400,), DEPTH)
    case.unharmed()


def test_3_rdf_xml_nested_50000_deep_is_400(case: Case) -> None:
    depth = 50_000
    body = (
        f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:s="http://x/"><rdf:Description rdf:about="http://x/a">'
        + "<s:p><rdf:Description>" * depth
        + "</rdf:Description></s:p>" * depth
        + "</rdf:Description></rdf:RDF>"
    )
    r = case.timed(
        "POST",
        "/validate",
        within=VALIDATE_TIMEOUT,
        content=body.encode(),
        headers={"Content-Type": "application/rdf+xml"},
    )
    assert_problem(r, (400,), DEPTH)
    case.unharmed()


def test_4_twenty_thousand_blank_nodes_are_validated_or_refused_in_time(case: Case) -> None:
    territory = f'[] a <{TI}IndustryTerritory> ; <{LABEL}> "Territoire {{}}"@fr .\n'
    body = "".join(territory.format(i) for i in range(20_000))
    r = case.timed("POST", "/validate", within=VALIDATE_TIMEOUT + MARGIN, **turtle(body))
    if r.status_code == 200:  # validated in time: a report that the territories do not conform
        print(f"POST /validate -> 200 in {r.elapsed.total_seconds():.1f} s")
        assert r.json()["conforms"] is False
    else:
        assert_problem(r, (413, 503), r"took longer|stopped|MiB|memory|too large")
    case.unharmed()


def test_6_a_30_mb_literal_is_413(case: Case) -> None:
    body = '<http://x/a> <http://x/p> "' + "a" * 30_000_000 + '" .'
    r = case.timed("POST", "/validate", within=VALIDATE_TIMEOUT + MARGIN, **turtle(body))
    assert_problem(r, (413,), r"literal|string")
    case.unharmed()


def test_10_validate_refuses_text_plain_with_415(case: Case) -> None:
    r = case.send(
        "POST", "/validate", content=b"<http://x/a> <http://x/p> <http://x/o> .", headers={"Content-Type": "text/plain"}
    )
    assert_problem(r, (415,), r"text/plain")
    case.unharmed()


# --- 5, 9, 12: the query endpoint and the protocol ---------------------------------------------------------------


def test_5_a_query_nested_20000_deep_is_400_and_no_worker_dies(case: Case) -> None:
    query = "SELECT * WHERE " + "{" * 20_000 + "?s ?p ?o" + "}" * 20_000
    workers, size = query_workers(case.server.pid), case.send("GET", "/health").json()["workers"]
    assert workers
    for _ in range(3):
        r = case.send("POST", "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
        assert_problem(r, (400,), DEPTH)
    assert query_workers(case.server.pid) == workers, "a query worker died (or was replaced)"
    case.unharmed()
    assert case.send("GET", "/health").json()["workers"] == size


def test_9_a_utf_16_query_body_is_refused(case: Case) -> None:
    headers = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    r = case.send("POST", "/sparql", content="ASK { ?s ?p ?o }".encode("utf-16"), headers=headers)
    assert_problem(r, (415, 400), r"charset|utf-16|encoding")
    case.unharmed()


HEADERS = {
    "one-header": {"X-Padding": "a" * MB},
    "many-headers": {f"X-Padding-{i}": "a" * 4096 for i in range(256)},
}


@pytest.mark.parametrize("shape", list(HEADERS))
def test_12_a_megabyte_of_headers_is_431(case: Case, shape: str) -> None:
    r = case.send("GET", "/sparql", params={"query": "ASK {}"}, headers=HEADERS[shape])
    assert_problem(r, (431, 400), r"header")
    case.unharmed()


# --- 7, 8, 11: writes, with the token ------------------------------------------------------------------------------


def test_7_a_from_header_that_is_no_address_is_400_and_nothing_is_written(case: Case) -> None:
    graph = f"{TID}source/hostile-from"
    note = f'<{TID}source/001> <{LABEL}> "Note"@fr .'
    r = case.send(
        "PUT",
        "/graphs",
        params={"graph": graph},
        content=note.encode(),
        headers={"Content-Type": "text/turtle", "From": "a{b}@c", **AUTH},
    )
    assert_problem(r, (400,), r"\bFrom\b")
    assert not graph_exists(case, graph)
    case.unharmed()


@pytest.mark.parametrize("operation", ["service", "load"])
def test_8_an_update_never_connects_anywhere(
    case: Case, operation: str, listener: socket.socket, connections: Callable[[socket.socket], int]
) -> None:
    target = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
    statuses: tuple[int, ...]
    if operation == "service":
        update = (
            "DELETE { GRAPH <http://x/g> { <http://x/a> <http://x/b> ?x } } "
            f"WHERE {{ SERVICE <{target}> {{ ?x ?y ?z }} }}"
        )
        statuses, detail = (400,), r"SERVICE"
    else:
        update, statuses, detail = f"LOAD <{target}>", (400, 403), r"LOAD"
    r = case.send(
        "POST", "/update", content=update.encode(), headers={"Content-Type": "application/sparql-update", **AUTH}
    )
    assert_problem(r, statuses, detail)
    assert connections(listener) == 0
    case.unharmed()


def test_11_a_runaway_update_is_stopped_and_releases_the_writer_lock(case: Case) -> None:
    update = "INSERT { GRAPH <http://x/g> { ?a <http://x/p> ?c } } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = case.timed(
        "POST",
        "/update",
        within=QUERY_TIMEOUT + MARGIN,
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update", **AUTH},
    )
    assert_problem(r, (503,), r"took longer|stopped|timeout|time limit")
    graph = f"{TID}source/hostile-after-runaway"
    note = f'<{TID}source/001> <{LABEL}> "Note après la mise à jour arrêtée"@fr .'
    after = case.send(  # behind a lock never released it would be a 503 after WRITE_LOCK_TIMEOUT
        "PUT",
        "/graphs",
        timeout=60,
        params={"graph": graph},
        content=note.encode(),
        headers={"Content-Type": "text/turtle", **AUTH},
    )
    assert after.status_code == 201, after.text
    assert not graph_exists(case, "http://x/g")
    case.unharmed()
