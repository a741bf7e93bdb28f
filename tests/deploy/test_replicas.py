"""Read replicas behind nginx (issue 13, part 3): balanced reads, a cache that honours ETag and max-age, writes
to the primary only, and every replica on the new version within a bound after a write, each answer the old one
or the new one.

Two tests check that no answer mixes versions behind a moved link (deploy/README.md): the ETag of a replica's
first answer after the move names the new version, and a replica never confirms the old ETag with a 304.
The figures (time from a write's answer to both replicas on the new version, to nginx serving the new answer,
and the cache's HIT ratio) are printed: run with `-s` to see them.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file
from tests.api.conftest import WRITE_TOKEN
from tests.deploy.conftest import MAX_AGE, Deployment

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "write" / "steward-document.ttl"
GRAPH = f"{TID}source/steward-001"
GRAPH_URL = f"/graphs?graph={quote(GRAPH, safe='')}"
AUTH = {"Authorization": f"Bearer {WRITE_TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
BOUND = 10.0  # seconds: both replicas must serve the new version this long after the write's answer
POLL = 0.05  # seconds between rounds of polling


def _version(url: str) -> str:
    """A replica's dataset version, asked directly (`?probe=false`: runs no query, so it moves nothing)."""
    response = httpx.get(url + "/health", params={"probe": "false"}, timeout=10)
    assert response.status_code == 200, response.text
    version: str = response.json()["version"]
    return version


def _etag_version(response: httpx.Response) -> str:
    """The dataset version an ETag names (api.caching.etag: `W/"<version>-<digest>"`)."""
    match = re.fullmatch(r'W/"(.+)-[0-9a-f]{20}"', response.headers["etag"])
    assert match, response.headers["etag"]
    return match.group(1)


@dataclass(frozen=True)
class Answer:
    """One answer to COUNT: what it counted, which version its ETag names, who answered, from the cache or not."""

    count: int
    version: str
    upstream: str
    cache: str

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        assert response.status_code == 200, response.text
        count = int(response.json()["results"]["bindings"][0]["n"]["value"])
        return cls(
            count,
            _etag_version(response),
            response.headers.get("x-upstream", ""),
            response.headers.get("x-cache-status", ""),
        )


# --- reads -------------------------------------------------------------------------------------------------


def test_queries_through_nginx_reach_both_replicas(deployment: Deployment) -> None:
    d = deployment
    upstreams: Counter[str] = Counter()
    for i in range(10):  # distinct texts: each one a cache MISS, sent to the next replica
        r = d.client.get("/sparql", params={"query": f"SELECT ?x WHERE {{ VALUES ?x {{ {i} }} }}"}, headers=JSON)
        assert r.status_code == 200, r.text
        assert r.headers["x-cache-status"] == "MISS"
        upstreams[r.headers["x-upstream"]] += 1
    for i in range(10):  # POST queries are proxied, never cached
        r = d.client.post("/sparql", data={"query": f"ASK {{ ?s ?p {i} }}"}, headers=JSON)
        assert r.status_code == 200, r.text
        assert "x-cache-status" not in r.headers, r.headers
        upstreams[r.headers["x-upstream"]] += 1
    print(f"\nqueries per replica through nginx: {dict(upstreams)}")
    assert set(upstreams) == {d.address(d.primary), d.address(d.replica)}
    assert min(upstreams.values()) >= 8  # round robin: 10 each, give or take a retried connection


def test_a_repeated_get_is_a_hit_and_a_conditional_get_is_304(deployment: Deployment) -> None:
    d = deployment
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?class } # the cache test"}
    first = d.client.get("/sparql", params=params, headers=JSON)
    again = d.client.get("/sparql", params=params, headers=JSON)
    assert (first.status_code, first.headers["x-cache-status"]) == (200, "MISS")
    assert first.headers["cache-control"] == f"public, max-age={MAX_AGE}"
    assert (again.status_code, again.headers["x-cache-status"]) == (200, "HIT")
    assert "x-upstream" not in again.headers  # nginx answered alone
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]

    # a client that has the answer asks with its ETag: nginx says 304 from its cache
    conditional = d.client.get("/sparql", params=params, headers={**JSON, "If-None-Match": first.headers["etag"]})
    assert conditional.status_code == 304
    assert conditional.headers["etag"] == first.headers["etag"]

    # another Accept is another answer, cached on its own
    xml = d.client.get("/sparql", params=params, headers={"Accept": "application/sparql-results+xml"})
    assert (xml.status_code, xml.headers["x-cache-status"]) == (200, "MISS")
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert d.client.get("/sparql", params=params, headers=JSON).content == first.content

    # Vary: Accept-Encoding: a client that takes no gzip gets its own variant, and the gzipped one stays cached
    big = {"query": "SELECT DISTINCT ?class WHERE { ?s a ?class } ORDER BY ?class # the variants test"}
    gzipped = d.client.get("/sparql", params=big, headers={**JSON, "Accept-Encoding": "gzip"})
    plain = d.client.get("/sparql", params=big, headers={**JSON, "Accept-Encoding": "identity"})
    assert (gzipped.headers["x-cache-status"], gzipped.headers["content-encoding"]) == ("MISS", "gzip")
    assert (plain.headers["x-cache-status"], plain.headers.get("content-encoding")) == ("MISS", None)
    for encoding, first_answer in (("gzip", gzipped), ("identity", plain)):
        r = d.client.get("/sparql", params=big, headers={**JSON, "Accept-Encoding": encoding})
        assert r.headers["x-cache-status"] == "HIT"
        assert r.headers.get("content-encoding") == first_answer.headers.get("content-encoding")
        assert r.content == first_answer.content

    # past max-age nginx asks a replica with If-None-Match; the version is the same, so a 304 keeps the answer
    time.sleep(MAX_AGE + 1.1)
    late = d.client.get("/sparql", params=params, headers=JSON)
    assert (late.status_code, late.headers["x-cache-status"]) == (200, "REVALIDATED")
    assert late.content == first.content


def test_requests_with_credentials_go_to_the_primary_and_are_never_cached(deployment: Deployment) -> None:
    d = deployment
    params = {"query": "ASK { ?s ?p ?o } # with credentials"}
    for _ in range(4):
        r = d.client.get("/sparql", params=params, headers={**JSON, **AUTH})
        assert r.status_code == 200, r.text
        assert r.headers["x-cache-status"] == "BYPASS"
        assert r.headers["x-upstream"] == d.address(d.primary)
    # the read-only replica would refuse a write: only the primary can have made the one below
    direct = httpx.put(
        d.replica.url + GRAPH_URL, content=b"", headers={**AUTH, "Content-Type": "text/turtle"}, timeout=10
    )
    assert direct.status_code == 403


# --- a write, and the replicas following it --------------------------------------------------------------------


@dataclass(frozen=True)
class AfterWrite:
    """What polling saw after one write through nginx: seconds are counted from the write's answer."""

    old: str  # dataset versions before and after
    new: str
    old_count: int  # COUNT's answer before and after
    new_count: int
    moved: dict[str, float]  # replica -> when its /health first named the new version
    nginx_count: float | None  # when nginx first served the new count to the cached GET
    nginx_etag: float | None  # ... and an ETag naming the new version
    answers: list[tuple[float, str, Answer]]  # (when, GET or POST, answer) through nginx, in order
    cache: Counter[str]  # X-Cache-Status of the GETs while polling

    @property
    def both_moved(self) -> float:
        return max(self.moved.values()) if len(self.moved) == 2 else float("inf")


@pytest.fixture(scope="module")
def after_write(deployment: Deployment) -> AfterWrite:
    """Write the steward document through nginx, then poll for at most BOUND s, every POLL s: the cached GET and
    an uncached POST of COUNT through nginx (round robin: each replica gets queries) and each replica's /health."""
    d = deployment
    old = _version(d.primary.url)
    assert _version(d.replica.url) == old
    before = Answer.of(d.client.get("/sparql", params={"query": COUNT}, headers=JSON))
    assert (before.count, before.version) == (0, old)
    assert Answer.of(d.client.get("/sparql", params={"query": COUNT}, headers=JSON)).cache == "HIT"  # cached

    r = d.client.put(GRAPH_URL, content=FIXTURE.read_bytes(), headers={**AUTH, "Content-Type": "text/turtle"})
    written = time.monotonic()
    assert r.status_code == 201, r.text
    assert r.headers["x-upstream"] == d.address(d.primary)
    assert "x-cache-status" not in r.headers  # not a method nginx caches
    new, new_count = r.json()["version"], r.json()["added"]
    assert new != old
    assert new_count == len({q.triple for q in parse_file(FIXTURE)})

    replicas = {"primary": d.primary.url, "replica": d.replica.url}
    moved: dict[str, float] = {}
    nginx_count: float | None = None
    nginx_etag: float | None = None
    answers: list[tuple[float, str, Answer]] = []
    cache: Counter[str] = Counter()
    while time.monotonic() - written < BOUND and (len(moved) < 2 or nginx_count is None or nginx_etag is None):
        for name, url in replicas.items():  # first: a replica's /health runs no query, so it moves nothing
            if name not in moved and _version(url) == new:
                moved[name] = time.monotonic() - written
        now = time.monotonic() - written
        get = Answer.of(d.client.get("/sparql", params={"query": COUNT}, headers=JSON))
        post = Answer.of(d.client.post("/sparql", data={"query": COUNT}, headers=JSON))
        answers += [(now, "GET", get), (now, "POST", post)]
        cache[get.cache] += 1
        if nginx_count is None and get.count == new_count:
            nginx_count = now
        if nginx_etag is None and get.version == new:
            nginx_etag = now
        time.sleep(POLL)
    result = AfterWrite(old, new, 0, new_count, moved, nginx_count, nginx_etag, answers, cache)
    hits = cache["HIT"] / sum(cache.values())
    print(
        f"\nafter the write's answer: replicas on the new version after {moved} s, both after "
        f"{result.both_moved:.3f} s; nginx served the new count after {nginx_count} s and an ETag of the new "
        f"version after {nginx_etag} s (max-age {MAX_AGE} s); {len(answers)} answers polled; "
        f"cache statuses of the polled GET: {dict(cache)}, HIT ratio {hits:.2f}"
    )
    return result


def test_a_write_through_nginx_reaches_both_replicas_within_the_bound(
    deployment: Deployment, after_write: AfterWrite
) -> None:
    w = after_write
    assert set(w.moved) == {"primary", "replica"}, f"not every replica moved within {BOUND} s: {w.moved}"
    assert w.moved["primary"] < 1.0  # the primary serves its write's version before it answers
    # and each replica, asked directly, answers the query from the new version
    for server in (deployment.primary, deployment.replica):
        answer = Answer.of(httpx.get(server.url + "/sparql", params={"query": COUNT}, headers=JSON, timeout=30))
        assert (answer.count, answer.version) == (w.new_count, w.new)


def test_every_answer_is_the_old_or_the_new_one(after_write: AfterWrite) -> None:
    w = after_write
    assert {a.count for _, _, a in w.answers} <= {w.old_count, w.new_count}
    assert {a.version for _, _, a in w.answers} <= {w.old, w.new}
    # once both replicas are on the new version, nothing old is answered by a replica
    late = [(t, how, a) for t, how, a in w.answers if t > w.both_moved and a.upstream]
    assert all(a.count == w.new_count for _, _, a in late), late


def test_nginx_stops_serving_the_old_answer_within_max_age_of_the_replicas_moving(after_write: AfterWrite) -> None:
    """The cached answer lives max-age (nginx counts whole seconds: up to one more) from its last fetch or
    revalidation, and that was at the latest when the last replica moved."""
    w = after_write
    assert w.nginx_count is not None and w.nginx_etag is not None, w.answers
    bound = w.both_moved + MAX_AGE + 1 + 1.0  # + 1 s for the polling round's own time
    assert w.nginx_count <= bound
    assert w.nginx_etag <= bound


def test_no_answer_mixes_versions(after_write: AfterWrite) -> None:
    """The count an answer carries belongs to the version its ETag names."""
    w = after_write
    mixed = [(t, how, a) for t, how, a in w.answers if (a.version == w.new) != (a.count == w.new_count)]
    assert mixed == []


def test_a_replica_behind_a_write_does_not_confirm_the_old_etag(deployment: Deployment) -> None:
    """nginx revalidates with If-None-Match: a 304 from a replica still on the old version keeps the old answer
    cached for another max-age (the bound above allows for it: once every replica has moved, none can)."""
    d = deployment
    query = {"query": "ASK { ?s ?p ?o } # revalidated behind a write"}
    etag = httpx.get(d.replica.url + "/sparql", params=query, headers=JSON, timeout=30).headers["etag"]
    graph = f"{TID}source/steward-002"
    body = FIXTURE.read_text(encoding="utf-8").replace("src:steward-001", "src:steward-002")
    r = d.client.put(
        f"/graphs?graph={quote(graph, safe='')}", content=body, headers={**AUTH, "Content-Type": "text/turtle"}
    )
    assert r.status_code == 201, r.text
    again = httpx.get(d.replica.url + "/sparql", params=query, headers={**JSON, "If-None-Match": etag}, timeout=30)
    assert again.status_code == 200  # the version changed, so the ETag did
    assert again.headers["etag"] != etag
