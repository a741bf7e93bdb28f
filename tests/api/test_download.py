"""`/download`: the dumps of the version served, listed, streamed with their headers and checksums; any other
version is a 404 that names the current URL."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import pickle
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import VOID
from typer.testing import CliRunner

from api import errors
from api.main import create_app
from kg.config import Settings
from kg.docs import release
from kg.errors import DumpNotFound
from kg.store.local import LocalStore
from kg_cli.main import app

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def listing(client: TestClient) -> dict[str, object]:
    r = client.get("/download")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body: dict[str, object] = r.json()
    return body


def _named_quads(store: ox.Store) -> set[ox.Quad]:
    return {q for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)}


def test_the_listing_names_each_dump_with_its_size_and_checksum(client: TestClient, listing: dict) -> None:
    assert listing["version"] == client.get("/health", params={"probe": "false"}).json()["version"]
    dumps = {d["name"]: d for d in listing["dumps"]}
    assert set(dumps) == {"territoires-industrie.nq.gz", "territoires-industrie.trig.gz"}
    nq = dumps["territoires-industrie.nq.gz"]
    assert nq["media_type"] == "application/n-quads" and nq["compression"] == "gzip"
    assert nq["url"].endswith(f"/download/{listing['version']}/territoires-industrie.nq.gz")
    assert nq["sha256_url"] == nq["url"] + ".sha256" and len(nq["sha256"]) == 64 and nq["quads"] > 30_000
    assert listing["checksums"].endswith(f"/download/{listing['version']}/SHA256SUMS")
    assert listing["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_a_dump_is_the_whole_dataset_with_its_headers(client: TestClient, listing: dict, kg_store: ox.Store) -> None:
    for dump in listing["dumps"]:
        r = client.get(dump["url"], headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200
        assert r.headers["content-type"] == "application/gzip"
        assert "content-encoding" not in r.headers  # the file itself, not compressed again on the way
        assert r.headers["content-disposition"] == f'attachment; filename="{dump["name"]}"'
        assert int(r.headers["content-length"]) == len(r.content) == dump["size"]
        digest = hashlib.sha256(r.content).hexdigest()
        assert digest == dump["sha256"] and r.headers["etag"] == f'"{digest}"'
        assert r.headers["repr-digest"] == f"sha-256=:{base64.b64encode(hashlib.sha256(r.content).digest()).decode()}:"
        assert "immutable" in r.headers["cache-control"]
        syntax = ox.RdfFormat.N_QUADS if dump["name"].endswith(".nq.gz") else ox.RdfFormat.TRIG
        assert set(ox.parse(gzip.decompress(r.content), format=syntax)) == _named_quads(kg_store)
        again = client.get(dump["url"], headers={"If-None-Match": r.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_the_checksums_are_served_beside_the_dumps(client: TestClient, listing: dict) -> None:
    lines = []
    for dump in listing["dumps"]:
        r = client.get(dump["sha256_url"])
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        assert r.text == f"{dump['sha256']}  {dump['name']}\n"
        lines.append(r.text)
    assert client.get(listing["checksums"]).text == "".join(lines)


def test_another_version_is_a_404_naming_the_current_url(client: TestClient, listing: dict) -> None:
    r = client.get("/download/0123456789abcdef/territoires-industrie.trig.gz")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["current"] == next(d["url"] for d in listing["dumps"] if d["name"].endswith(".trig.gz"))
    assert problem["version"] == listing["version"] and "0123456789abcdef" in problem["detail"]
    assert problem["type"].endswith("/problem/dump-not-found") and problem["title"] == "No such download"
    unknown = client.get(f"/download/{listing['version']}/secrets.txt")
    assert unknown.status_code == 404 and "territoires-industrie.nq.gz" in unknown.json()["detail"]
    assert unknown.headers["content-type"] == "application/problem+json"
    assert unknown.json()["type"] == problem["type"] and "current" not in unknown.json()
    head = client.head("/download/0123456789abcdef/territoires-industrie.trig.gz")
    assert head.status_code == 404 and head.content == b""


def test_a_missing_dump_is_a_typed_error_mapped_once() -> None:
    """kg.errors.DumpNotFound, 404 by the one table of api.errors; it survives a trip between processes."""
    moved = DumpNotFound("version v1 is not served here", current_version="v2", current="http://x/download/v2/f")
    assert errors.status_of(moved) == 404 and errors.status_of(DumpNotFound("no file")) == 404
    body = json.loads(errors.from_error(pickle.loads(pickle.dumps(moved))).body)
    assert (body["status"], body["detail"], body["version"], body["current"]) == (
        404,
        "version v1 is not served here",
        "v2",
        "http://x/download/v2/f",
    )


def test_the_dumps_are_made_once_per_version(client: TestClient, listing: dict, api_settings: Settings) -> None:
    folder = release.cache_dir(api_settings.store) / str(listing["version"])
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert client.get("/download").status_code == 200
    assert client.get(listing["dumps"][0]["url"]).status_code == 200
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_a_browser_gets_a_page_of_the_downloads(client: TestClient, listing: dict) -> None:
    r = client.get("/download", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Télécharger le jeu de données</h1>" in r.text
    for dump in listing["dumps"]:
        assert f'href="{dump["url"]}"' in r.text and dump["sha256"] in r.text
    assert 'href="http://testserver/catalog"' in r.text


def test_the_listing_is_cached_by_version(client: TestClient) -> None:
    first = client.get("/download")
    again = client.get("/download", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/download", headers={"Accept": "text/csv"}).status_code == 406


def test_the_void_dumps_download_from_a_real_server(http: httpx.Client) -> None:
    """Through uvicorn and every middleware: the URLs VoID gives, streamed whole, matching their checksums."""
    void = Graph().parse(data=http.get("/.well-known/void").content, format="turtle")
    dumps = sorted(
        str(u) for u in void.objects(URIRef("https://w3id.org/territoires-industrie/id/dataset"), VOID.dataDump)
    )
    assert [u.rsplit("/", 1)[-1] for u in dumps] == ["territoires-industrie.nq.gz", "territoires-industrie.trig.gz"]
    for url in dumps:
        r = http.get(url, headers={"Accept-Encoding": "gzip"})
        assert r.status_code == 200 and "content-encoding" not in r.headers
        assert int(r.headers["content-length"]) == len(r.content)
        line = http.get(url + ".sha256").text
        assert line == f"{hashlib.sha256(r.content).hexdigest()}  {url.rsplit('/', 1)[-1]}\n"


def test_kg_release_writes_the_very_files_the_server_serves(
    client: TestClient, listing: dict, api_settings: Settings, tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, ["release", str(tmp_path), "--store", str(api_settings.store)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / release.CHECKSUMS).read_text() == client.get(listing["checksums"]).text


def test_the_void_page_links_the_dumps_and_the_catalogue(client: TestClient, listing: dict) -> None:
    page = client.get("/.well-known/void", headers={"Accept": BROWSER}).text
    for dump in listing["dumps"]:
        assert f'href="{dump["url"]}"' in page
    assert 'href="http://testserver/catalog"' in page


def test_a_new_version_gets_new_dumps_and_the_old_urls_say_where_they_went(kg_store: ox.Store, tmp_path: Path) -> None:
    store = LocalStore(kg_store, version="aaaa")
    with TestClient(create_app(Settings(store=tmp_path / "store", workers=1), store)) as c:
        old = c.get("/download").json()
        store._version = "bbbb"  # what a build or a steward's write does to the version served
        new = c.get("/download").json()
        assert (old["version"], new["version"]) == ("aaaa", "bbbb")
        gone = c.get(old["dumps"][0]["url"])
        assert gone.status_code == 404 and gone.json()["current"] == new["dumps"][0]["url"]
        assert c.get(new["dumps"][0]["url"]).status_code == 200
        # the same data under another version gives the same bytes
        assert [d["sha256"] for d in old["dumps"]] == [d["sha256"] for d in new["dumps"]]
    assert sorted(p.name for p in release.cache_dir(tmp_path / "store").iterdir() if p.is_dir()) == ["aaaa", "bbbb"]
