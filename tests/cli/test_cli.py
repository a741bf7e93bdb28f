import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import Result
from typer.testing import CliRunner

from kg.config import PROJECT_ROOT, get_settings
from kg.sources.rdf_io import parse_file
from kg.store import layout as kgstore
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


def test_validate_exit_codes_and_formats() -> None:
    good = str(FIXTURES / "build" / "good" / "source.trig")
    bad = str(FIXTURES / "build" / "bad" / "source.trig")
    ok = runner.invoke(app, ["validate", good, "--against", "none"])
    assert ok.exit_code == 0 and ok.stdout.startswith("Conforme, 0 avertissement.")  # French, as the site
    english = runner.invoke(app, ["validate", good, "--against", "none", "--lang", "en"])
    assert english.exit_code == 0 and english.stdout.startswith("Conforms. 0 warning(s).")
    ko = runner.invoke(app, ["validate", bad, "--format", "json", "--against", "none"])
    assert ko.exit_code == 1
    report = json.loads(ko.stdout)
    assert report["conforms"] is False
    assert report["results"][0]["focus_node"].endswith("/epci/12345")
    assert report["results"][0]["severity"] == "Violation"
    ttl = runner.invoke(app, ["validate", bad, "--format", "turtle", "--against", "none"])
    g = rdflib.Graph().parse(data=ttl.stdout, format="turtle")
    assert (None, rdflib.namespace.SH.conforms, rdflib.Literal(False)) in g
    text = runner.invoke(app, ["validate", bad, "--against", "none"])
    assert text.exit_code == 1 and text.stdout.startswith("Non conforme : 1 violation, 0 avertissement.\n- [Violation]")
    english = runner.invoke(app, ["validate", bad, "--format", "json", "--against", "none", "--lang", "en"])
    assert json.loads(english.stdout)["language"] == "en" != report["language"]


def test_validate_parse_error_gives_file_line_column() -> None:
    result = runner.invoke(app, ["validate", str(FIXTURES / "rdf" / "broken.ttl")])
    assert result.exit_code == 2
    assert "broken.ttl:3:" in result.stderr


def test_validate_unknown_extension_is_a_usage_error(tmp_path: Path) -> None:
    f = tmp_path / "facts.txt"
    f.write_text("hello")
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 2
    assert "unknown RDF file extension" in " ".join(result.stderr.split())


def test_query_formats(built: Path) -> None:
    q = "SELECT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/territoires-industrie/ontology#Programme> } }"
    table = runner.invoke(app, ["query", q, "--store", str(built)])
    assert table.exit_code == 0 and "source/900" in table.stdout
    js = runner.invoke(app, ["query", q, "--format", "json", "--store", str(built)])
    assert json.loads(js.stdout)["results"]["bindings"][0]["g"]["value"].endswith("/source/900")
    csv = runner.invoke(app, ["query", q, "--format", "csv", "--store", str(built)])
    assert csv.stdout.splitlines()[0] == "g"
    construct = runner.invoke(app, ["query", "CONSTRUCT WHERE { ?s a ?c }", "--store", str(built)])
    g = rdflib.Graph().parse(data=construct.stdout, format="turtle")
    assert len(g) > 0


def test_query_errors(built: Path, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["query", "SELEC * {}", "--store", str(built)])
    assert bad.exit_code == 2 and "malformed SPARQL query" in bad.stderr
    none = runner.invoke(app, ["query", "--store", str(built)])
    assert none.exit_code == 2 and "exactly one" in none.stderr
    missing = runner.invoke(app, ["query", "ASK {}", "--store", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "kg build" in missing.stderr
    fmt = runner.invoke(app, ["query", "ASK {}", "--format", "turtle", "--store", str(built)])
    assert fmt.exit_code == 2 and "not an RDF format" not in fmt.stdout


def test_query_from_file_and_canned(built: Path, tmp_path: Path) -> None:
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?s ?p ?o }")
    assert "true" in runner.invoke(app, ["query", "--file", str(f), "--store", str(built)]).stdout
    canned = runner.invoke(app, ["query", "--canned", "triples-per-graph", "--format", "csv", "--store", str(built)])
    assert canned.exit_code == 0 and "source/900" in canned.stdout


def test_export_keeps_named_graphs_and_writes_atomically(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "dump.trig"
    result = runner.invoke(app, ["export", "--format", "trig", "--output", str(out), "--store", str(built)])
    assert result.exit_code == 0
    ds = rdflib.Dataset()
    ds.parse(out, format="trig")
    names = {str(c.identifier) for c in ds.graphs()}
    assert "https://w3id.org/territoires-industrie/id/source/900" in names
    nq = runner.invoke(app, ["export", "--format", "nquads", "--store", str(built)])
    assert "<https://w3id.org/territoires-industrie/id/source/900> ." in nq.stdout
    ttl = runner.invoke(app, ["export", "--format", "turtle", "--store", str(built)])
    assert "cannot hold named graphs" in ttl.stderr
    assert len(rdflib.Graph().parse(data=ttl.stdout, format="turtle")) > 0
    unknown = runner.invoke(
        app, ["export", "--format", "csv", "--output", str(tmp_path / "x.csv"), "--store", str(built)]
    )
    assert unknown.exit_code == 2 and not (tmp_path / "x.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_stats(built: Path) -> None:
    result = runner.invoke(app, ["stats", "--store", str(built)])
    assert result.exit_code == 0
    assert "source/900" in result.stdout
    assert "Programme" in result.stdout


def test_network_export_reads_back_in_networkx(tmp_path: Path) -> None:
    import networkx as nx

    store = tmp_path / "store"
    get_settings.cache_clear()
    assert (
        runner.invoke(app, ["build", "--store", str(store)], env={"KG_DATA_DIR": str(PROJECT_ROOT / "data")}).exit_code
        == 0
    )
    get_settings.cache_clear()
    out = tmp_path / "actors.graphml"
    result = runner.invoke(app, ["network", "--format", "graphml", "--output", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(out)
    anct = "https://w3id.org/territoires-industrie/id/actor/anct"
    assert g.nodes[anct]["type"] == "StateOperator" and "betweenness" in g.nodes[anct]
    assert g.has_edge(anct, "https://w3id.org/territoires-industrie/id/actor/bpifrance")
    bad = runner.invoke(app, ["network", "--format", "xls", "--store", str(store)])
    assert bad.exit_code == 2 and "unknown network format" in bad.stderr


# --- steward writes from the command line --------------------------------------------------------------------

STEWARD = FIXTURES / "write" / "steward-document.ttl"
STEWARD_GRAPH = "https://w3id.org/territoires-industrie/id/source/steward-001"


@pytest.fixture
def writable(store_copy: tuple[Path, Path]) -> dict[str, str]:
    """Environment for a CLI run over a private copy of the built store and of the data files."""
    store, data = store_copy
    get_settings.cache_clear()
    return {"KG_STORE": str(store), "KG_DATA_DIR": str(data)}


def _invoke(args: list[str], env: dict[str, str]) -> Result:
    get_settings.cache_clear()
    try:
        return runner.invoke(app, args, env=env)
    finally:
        get_settings.cache_clear()


def test_validate_against_the_store_resolves_references(writable: dict[str, str]) -> None:
    """The steward document cites a territory and an actor it does not describe: alone it does not conform."""
    assert _invoke(["validate", str(STEWARD)], writable).exit_code == 0
    alone = _invoke(["validate", str(STEWARD), "--against", "none", "--format", "json"], writable)
    assert alone.exit_code == 1
    assert json.loads(alone.stdout)["violations"] > 0
    page = _invoke(["validate", str(FIXTURES / "shapes" / "amount-max-negative.ttl"), "--format", "html"], writable)
    assert page.exit_code == 1
    assert page.stdout.startswith("<!doctype html>")
    assert "Non conforme" in page.stdout


def test_load_and_unload(writable: dict[str, str]) -> None:
    loaded = _invoke(["load", str(STEWARD), "--graph", STEWARD_GRAPH, "--agent", "mailto:a@example.org"], writable)
    assert loaded.exit_code == 0, loaded.output
    assert "created" in loaded.stderr
    db = kgstore.open_read_only(Path(writable["KG_STORE"]))
    assert len(list(db.quads_for_pattern(None, None, None, ox.NamedNode(STEWARD_GRAPH)))) == len(parse_file(STEWARD))
    assert (Path(writable["KG_DATA_DIR"]) / "graphs" / "source-steward-001.trig").is_file()
    unloaded = _invoke(["unload", "--graph", STEWARD_GRAPH], writable)
    assert unloaded.exit_code == 0, unloaded.output
    again = _invoke(["unload", "--graph", STEWARD_GRAPH], writable)
    assert again.exit_code == 2
    assert "no graph named" in " ".join(again.stderr.split())


def test_load_refuses_non_conforming_data_and_changes_nothing(writable: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        STEWARD.read_text(encoding="utf-8").replace('ti:seedFile "001_49d4d9abeb580c94.txt"', "ti:seedFile 12")
    )
    link = os.readlink(writable["KG_STORE"])
    result = _invoke(["load", str(bad), "--graph", STEWARD_GRAPH], writable)
    assert result.exit_code == 1
    assert "validation failed" in result.stderr
    assert os.readlink(writable["KG_STORE"]) == link
    assert _invoke(["load", str(STEWARD)], writable).exit_code == 2  # a Turtle file names no graph: --graph needed


# --- refusing to validate with nothing to validate against, and weak settings ------------------------------------


@pytest.fixture
def no_shapes(tmp_path: Path) -> dict[str, str]:
    """A shapes folder whose one file parses but declares no shape (a mistyped KG_SHAPES_DIR gives the same)."""
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "empty.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n<a:b> <a:c> <a:d> .\n")
    return {"KG_SHAPES_DIR": str(shapes), "KG_STORE": str(tmp_path / "store")}


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", str(FIXTURES / "build" / "bad" / "source.trig"), "--against", "none"],
        ["build"],
        ["serve", "--port", "1"],
    ],
)
def test_zero_shapes_is_an_error_never_conforms(no_shapes: dict[str, str], args: list[str]) -> None:
    result = _invoke(args, no_shapes)
    assert result.exit_code == 2, result.output
    assert "Conforme" not in result.stdout and "Conforms" not in result.stdout
    assert "no SHACL shapes found in" in " ".join(result.stderr.split())
    assert not Path(no_shapes["KG_STORE"]).exists()


def test_a_missing_shapes_folder_is_an_error(tmp_path: Path) -> None:
    result = _invoke(["validate"], {"KG_SHAPES_DIR": str(tmp_path / "nowhere")})
    assert result.exit_code == 2
    assert "no SHACL shapes found in" in " ".join(result.stderr.split())


def test_a_short_write_token_stops_the_command_with_one_clear_line() -> None:
    result = _invoke(["serve", "--port", "1"], {"KG_WRITE_TOKEN": "s3cret"})
    assert result.exit_code == 2
    assert "KG_WRITE_TOKEN" in result.stderr and "at least 16 characters" in " ".join(result.stderr.split())
    assert "s3cret" not in result.output
    assert "Traceback" not in result.output


def test_serve_bounds_what_the_http_parser_buffers() -> None:
    from kg_cli.serve import HEAD_SLACK_BYTES, uvicorn_options

    s = get_settings().model_copy(update={"max_url_length": 1000, "max_header_bytes": 2000, "port": 8123})
    options = uvicorn_options(s)
    protocol = options["http"]
    assert protocol.__name__ == "BoundedHttpToolsProtocol"  # httptools alone buffers header fields without limit
    assert protocol.max_head_bytes == 3000 + HEAD_SLACK_BYTES
    assert (options["host"], options["port"]) == ("127.0.0.1", 8123)
