"""Steward writes on a remote store (Virtuoso): SHACL-gated, recorded, one operation per graph, undone when
the store fails half-way (kg.write.remote) — the same answers as a write on the embedded store.

This module starts its own Virtuoso (the session's one serves tests that compare its answers with the
embedded store's, which writes would change), publishes the bundled build to it, and writes through the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from api.main import create_app
from kg.config import PROJECT_ROOT, Settings
from kg.errors import StoreFailed
from kg.ingest import neighbourhood as nb
from kg.ingest import statistics
from kg.ingest.pipeline import BuildReport
from kg.ingest.validate import focus_of, load_graph_dir
from kg.sources.namespaces import RDFS, TID
from kg.sources.rdf_io import parse_file
from kg.store import layout as kgstore
from kg.store.engines import VIRTUOSO
from kg.store.publish import publish_build
from kg.store.remote import SparqlStore
from kg.write import update as kgwrite
from kg.write.remote import QueryableSource
from kg.write.transaction import WRITE_LOG_GRAPH
from kg_cli.main import app as cli
from tests.conftest import copy_store
from tests.kg.store import virtuoso as vt
from tests.kg.store.virtuoso_fixtures import remote_store

TOKEN = "token-for-the-remote-write-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
JSON = {"Accept": "application/sparql-results+json"}
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "write" / "steward-document.ttl"
INFERRED = "https://w3id.org/territoires-industrie/id/graph/inferred"
INVOLVEMENT = "https://w3id.org/territoires-industrie/id/involvement/steward-001-anct-rebond-industriel"
BROKEN = "@prefix ti: <https://w3id.org/territoires-industrie/ontology#> .\n<{g}> a ti:SourceDocument .\n"


@pytest.fixture(scope="module")
def own_virtuoso(
    tmp_path_factory: pytest.TempPathFactory, built_store: tuple[Path, BuildReport]
) -> Iterator[vt.Virtuoso]:
    if not vt.VIRTUOSO.exists():
        pytest.fail(vt.MISSING)
    server = vt.start(tmp_path_factory.mktemp("virtuoso-writes") / "db")
    store = remote_store(server, max_rows=100_000)
    publish_build(store, built_store[0])
    store.close()
    try:
        yield server
    finally:
        server.stop()


class FailingStore(SparqlStore):
    """A store whose updates of one graph fail, as a store that falls over half-way through a write."""

    fail_on: str | None = None

    def update(self, sparql: str) -> None:
        if self.fail_on is not None and f"GRAPH <{self.fail_on}>" in sparql:
            raise StoreFailed("the store answered 500: injected failure")
        super().update(sparql)


@pytest.fixture(scope="module")
def store(own_virtuoso: vt.Virtuoso) -> Iterator[FailingStore]:
    s = FailingStore(
        own_virtuoso.query_url,
        gsp_url=own_virtuoso.gsp_url,
        auth=httpx.DigestAuth(own_virtuoso.user, own_virtuoso.password),
        engine=VIRTUOSO,
        max_rows=100_000,
        metadata_ttl=0.0,  # another process (the CLI test) writes too: read the version on every request
    )
    yield s
    s.close()


@pytest.fixture
def remote(api_settings: Settings, own_virtuoso: vt.Virtuoso, store: FailingStore) -> Iterator[TestClient]:
    settings = api_settings.model_copy(
        update={
            "backend": "sparql",
            "sparql_query_url": own_virtuoso.query_url,
            "sparql_engine": "virtuoso",
            "write_token": SecretStr(TOKEN),
            "max_rows": 100_000,
        }
    )
    store.fail_on = None
    with TestClient(create_app(settings, store), raise_server_exceptions=False) as c:
        yield c


def _url(graph: str) -> str:
    return f"/graphs?graph={quote(graph, safe='')}"


def _doc(local: str) -> bytes:
    return FIXTURE.read_text(encoding="utf-8").replace("src:steward-001", f"src:{local}").encode("utf-8")


def _count(c: TestClient, where: str = "?s ?p ?o") -> int:
    # COUNT(?s), not COUNT(*): Virtuoso 7.2 counts 1 for `GRAPH <g> { ?s ?p ?o }` when <g> is not in the dataset
    r = c.post("/sparql", data={"query": f"SELECT (COUNT(?s) AS ?n) WHERE {{ {where} }}"}, headers=JSON)
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def _statistics(c: TestClient) -> set[tuple[str, str, str]]:
    query = f"SELECT ?s ?p ?o WHERE {{ GRAPH <{statistics.STATISTICS_GRAPH}> {{ ?s ?p ?o }} }}"
    r = c.post("/sparql", data={"query": query}, headers=JSON)
    assert r.status_code == 200, r.text
    return {(b["s"]["value"], b["p"]["value"], b["o"]["value"]) for b in r.json()["results"]["bindings"]}


def _version(c: TestClient) -> str:
    return str(c.get("/health").json()["version"])


def test_a_write_needs_the_token_and_a_conforming_document(remote: TestClient) -> None:
    graph = f"{TID}source/remote-refused"
    before, merge = _version(remote), _count(remote)
    r = remote.put(_url(graph), content=_doc("remote-refused"), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    r = remote.put(_url(graph), content=BROKEN.format(g=graph).encode(), headers=AUTH)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert (_version(remote), _count(remote)) == (before, merge), "nothing reached the store"
    assert _count(remote, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 0


def test_a_conforming_write_is_served_recorded_and_equal_to_the_embedded_one(
    remote: TestClient, built_store: tuple[Path, BuildReport], tmp_path: Path
) -> None:
    graph = f"{TID}source/steward-001"
    before, merge = _version(remote), _count(remote)
    r = remote.put(_url(graph), content=_doc("steward-001"), headers=AUTH)
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["version"] != before and _version(remote) == report["version"]
    record = report["record"]
    version_of = f"VALUES ?s {{ <{record}> }} ?s <https://w3id.org/territoires-industrie/ontology#datasetVersion> ?v"
    assert _count(remote, f"GRAPH <{WRITE_LOG_GRAPH}> {{ {version_of} }}") == 1, "the PROV record of the write"
    # the same write on a copy of the embedded store: the same graph, the same inferences, the same growth
    local_store, _ = copy_store(built_store[0], tmp_path)
    ctx = kgwrite.WriteContext(
        store=local_store,
        shapes=load_graph_dir(PROJECT_ROOT / "shapes"),
        data_dir=None,
        agent="mailto:steward@example.org",
    )
    local = kgwrite.put_graph(ctx, graph, [q.triple for q in parse_file(FIXTURE)])
    assert (report["added"], report["removed"]) == (local.added, local.removed)
    db = kgstore.open_read_only(local_store)
    local_merge = sum(1 for _ in db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert _count(remote) - merge == local_merge - built_store[1].triples, "the merge grew alike"
    for g in (graph, INFERRED):
        local_rows = {str(q.triple) for q in db.quads_for_pattern(None, None, None, ox.NamedNode(g))}
        assert _count(remote, f"GRAPH <{g}> {{ ?s ?p ?o }}") == len(local_rows), g
    assert _count(remote, f"GRAPH <{INFERRED}> {{ VALUES ?s {{ <{INVOLVEMENT}> }} ?s a ?c }}") >= 1
    assert _statistics(remote) == {
        (q.subject.value, q.predicate.value, q.object.value)  # type: ignore[union-attr]
        for q in db.quads_for_pattern(None, None, None, ox.NamedNode(statistics.STATISTICS_GRAPH))
    }, "graph:statistics counted alike"
    # replacing the graph sends its difference only: one label changed is one triple out, one in
    changed = _doc("steward-001").replace(
        b'les pilotes du dispositif"@fr ;\n    dcterms:title', b'ses pilotes"@fr ;\n    dcterms:title', 1
    )
    assert changed != _doc("steward-001")
    r = remote.put(_url(graph), content=changed, headers=AUTH)
    assert r.status_code == 200, r.text
    assert (r.json()["added"], r.json()["removed"]) == (1, 1)
    # a DELETE takes it all out of the merge again, its inferences included
    r = remote.delete(_url(graph), headers={"Authorization": AUTH["Authorization"]})
    assert r.status_code == 200, r.text
    assert _count(remote, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 0
    assert _count(remote, f"VALUES ?s {{ <{INVOLVEMENT}> }} ?s ?p ?o") == 0


def test_a_failure_half_way_puts_everything_back(remote: TestClient, store: FailingStore) -> None:
    graph = f"{TID}source/remote-half-way"
    before, merge = _version(remote), _count(remote)
    log = _count(remote, f"GRAPH <{WRITE_LOG_GRAPH}> {{ ?s ?p ?o }}")
    store.fail_on = store.merge_graph  # the graph, graph:inferred and the log are written, then the merge fails
    r = remote.put(_url(graph), content=_doc("remote-half-way"), headers=AUTH)
    assert r.status_code == 502, r.text
    detail = r.json()["detail"]
    assert "injected failure" in detail and "put back as it was" in detail and f"<{graph}>" in detail
    store.fail_on = None
    assert (_version(remote), _count(remote)) == (before, merge)
    assert _count(remote, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 0
    assert _count(remote, f"GRAPH <{WRITE_LOG_GRAPH}> {{ ?s ?p ?o }}") == log, "no record of a write not done"


def test_sparql_update_is_refused_on_a_remote_store_with_the_way_to_write(remote: TestClient) -> None:
    r = remote.post(
        "/update",
        content=b"INSERT DATA { GRAPH <http://x/g> { <http://x/s> <http://x/p> 1 } }",
        headers={"Authorization": AUTH["Authorization"], "Content-Type": "application/sparql-update"},
    )
    assert r.status_code == 403, r.text
    assert "Graph Store Protocol" in r.json()["detail"]


def test_kg_load_and_unload_write_the_remote_store_the_same_way(
    remote: TestClient, own_virtuoso: vt.Virtuoso, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {
        "KG_BACKEND": "sparql",
        "KG_SPARQL_QUERY_URL": own_virtuoso.query_url,
        "KG_SPARQL_GSP_URL": own_virtuoso.gsp_url,
        "KG_SPARQL_USER": own_virtuoso.user,
        "KG_SPARQL_PASSWORD": own_virtuoso.password,
        "KG_SPARQL_AUTH": "digest",
        "KG_SPARQL_ENGINE": "virtuoso",
    }.items():
        monkeypatch.setenv(name, value)
    graph = f"{TID}source/remote-cli"
    doc = tmp_path / "doc.ttl"
    doc.write_bytes(_doc("remote-cli"))
    before = _version(remote)
    result = CliRunner().invoke(cli, ["load", str(doc), "--graph", graph, "--store", str(tmp_path / "unused")])
    assert result.exit_code == 0, result.output
    assert _count(remote, f"GRAPH <{graph}> {{ ?s ?p ?o }}") > 0 and _version(remote) != before
    result = CliRunner().invoke(cli, ["unload", "--graph", graph, "--store", str(tmp_path / "unused")])
    assert result.exit_code == 0, result.output
    assert _count(remote, f"GRAPH <{graph}> {{ ?s ?p ?o }}") == 0
    doc.write_text(BROKEN.format(g=graph), encoding="utf-8")
    result = CliRunner().invoke(cli, ["load", str(doc), "--graph", graph, "--store", str(tmp_path / "unused")])
    assert result.exit_code == 1, result.output


def test_validate_reads_the_remote_graph_and_reports_as_on_the_embedded_store(
    remote: TestClient, client: TestClient
) -> None:
    turtle = {"Content-Type": "text/turtle", "Accept": "application/json"}
    good = remote.post("/validate", content=_doc("remote-validated"), headers=turtle)
    assert good.status_code == 200, good.text
    assert good.json()["conforms"] is True
    broken = BROKEN.format(g=f"{TID}source/remote-validated").encode()
    on_virtuoso = remote.post("/validate", content=broken, headers=turtle).json()
    embedded = client.post("/validate", content=broken, headers=turtle).json()
    assert on_virtuoso["conforms"] is False
    assert on_virtuoso == embedded


def test_the_neighbourhood_read_from_the_store_is_the_embedded_one(
    store: FailingStore, built_store: tuple[Path, BuildReport]
) -> None:
    """What a remote write is validated on: the same triples the embedded store gives for the same nodes."""
    reach = nb.reach_of(load_graph_dir(PROJECT_ROOT / "shapes"))
    local = nb.StoreSource(kgstore.open_read_only(built_store[0]))
    triples = [q.triple for q in parse_file(FIXTURE)]
    territory = f"{TID}territory/ardeche-drome-nord"
    # but the counts of graph:statistics, which the other tests' writes to this store changed (a class's
    # instances: the classes come with every neighbourhood)
    counts = {statistics.INSTANCE_COUNT, statistics.VOID_TRIPLES}
    for focus in (focus_of(triples) or set(), {territory}, {INVOLVEMENT, f"{TID}actor/anct"}):
        remote_part = {t for t in nb.neighbourhood(QueryableSource(store), focus, reach) if t.predicate not in counts}
        assert remote_part and remote_part == {
            t for t in nb.neighbourhood(local, focus, reach) if t.predicate not in counts
        }, focus
    every = {t.predicate for t in nb.neighbourhood(local, {territory}, reach)}
    assert ox.NamedNode(f"{RDFS}subClassOf") in every, "the hierarchy comes with every neighbourhood"
