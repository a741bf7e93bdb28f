"""`kg release FOLDER` and `kg export --output X.gz`: the dataset as files, compressed when the name says so."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg.config import get_settings
from kg_cli.main import app

FIXTURES = Path(__file__).parent.parent / "fixtures"
runner = CliRunner()


@pytest.fixture
def built(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    get_settings.cache_clear()
    result = runner.invoke(app, ["build", "--store", str(store)], env={"KG_DATA_DIR": str(FIXTURES / "build" / "good")})
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return store


def test_release_writes_the_dumps_and_their_checksums(built: Path, tmp_path: Path) -> None:
    folder = tmp_path / "portal"
    result = runner.invoke(app, ["release", str(folder), "--store", str(built)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS",
        "dumps.json",
        "territoires-industrie.nq.gz",
        "territoires-industrie.nq.gz.sha256",
        "territoires-industrie.trig.gz",
        "territoires-industrie.trig.gz.sha256",
    ]
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    manifest = json.loads((folder / "dumps.json").read_text())
    build = json.loads((built / "build.json").read_text())
    assert manifest["version"] == build["version"] and manifest["built_at"] == build["built_at"]
    quads = list(
        ox.parse(gzip.decompress((folder / "territoires-industrie.trig.gz").read_bytes()), format=ox.RdfFormat.TRIG)
    )
    assert "https://w3id.org/territoires-industrie/id/source/900" in {str(q.graph_name.value) for q in quads}
    assert f"wrote {folder / 'SHA256SUMS'}" in result.stderr


def test_release_without_a_store_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["release", str(tmp_path / "out"), "--store", str(tmp_path / "none")])
    assert result.exit_code == 2 and "run `kg build` first" in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_export_compresses_when_the_file_name_ends_in_gz(built: Path, tmp_path: Path) -> None:
    packed, plain = tmp_path / "dump.nq.gz", tmp_path / "dump.nq"
    for out in (packed, plain):
        result = runner.invoke(app, ["export", "--format", "nquads", "--output", str(out), "--store", str(built)])
        assert result.exit_code == 0, result.output
    assert packed.read_bytes()[:2] == b"\x1f\x8b" and plain.read_bytes()[:1] == b"<"
    assert gzip.decompress(packed.read_bytes()) == plain.read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
