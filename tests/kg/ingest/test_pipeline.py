import hashlib
from pathlib import Path

import pytest
import rdflib

from kg.config import PROJECT_ROOT
from kg.errors import UsageError, ValidationFailed
from kg.ingest.pipeline import BuildReport, Sources, build
from kg.store import layout as kgstore
from kg.store.local import LocalStore

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "build"


def _sources(data_dir: Path) -> Sources:
    return Sources.from_dirs(PROJECT_ROOT / "ontology", PROJECT_ROOT / "shapes", data_dir)


def _tree_digest(path: Path) -> str:
    """Hash of every file under a directory (names and bytes): 'exactly as it was'."""
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def test_build_loads_named_graphs_and_ontology(tmp_path: Path) -> None:
    store = tmp_path / "store"
    report = build(_sources(FIXTURES / "good"), store)
    # the document's graph, the ontology graph, graph:inferred (kg.ingest.inference) and graph:statistics
    assert report.graphs == 4
    db = kgstore.open_read_only(store)
    rows = LocalStore(db).rows(
        "SELECT ?g WHERE { GRAPH ?g { ?s a <https://w3id.org/territoires-industrie/ontology#Programme> } }"
    )
    assert rows == [{"g": "https://w3id.org/territoires-industrie/id/source/900"}]
    info = kgstore.BuildInfo.read(kgstore.resolve(store))
    assert info.triples == report.triples == kgstore.count_merged_triples(db)
    assert info.version == _sources(FIXTURES / "good").version()


def test_default_graph_is_the_merge_with_set_semantics(tmp_path: Path) -> None:
    # the fixture states the programme's label and type in its graph, and the ontology graph is separate:
    # a triple stated in two named graphs must count once in the default graph, as SPARQL defines it
    store = tmp_path / "store"
    build(_sources(FIXTURES / "twice"), store)
    db = kgstore.open_read_only(store)
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    prog = "<https://w3id.org/territoires-industrie/id/programme/territoires-d-industrie>"
    per_graph = LocalStore(db).rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ {prog} {label} ?l }} }}")
    merged = LocalStore(db).rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ {prog} {label} ?l }}")
    assert per_graph == [{"n": "2"}]
    assert merged == [{"n": "1"}]


def test_non_conforming_data_leaves_the_store_exactly_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "store"
    build(_sources(FIXTURES / "good"), store)
    before_target = store.resolve()
    before = _tree_digest(kgstore.builds_dir(store))

    with pytest.raises(ValidationFailed) as info:
        build(_sources(FIXTURES / "bad"), store)
    assert info.value.violations == 1
    assert "epci/12345" in info.value.report_text

    assert store.resolve() == before_target
    assert _tree_digest(kgstore.builds_dir(store)) == before
    assert len(kgstore.builds(store)) == 1, "no half-built directory is left behind"


def test_a_failed_load_leaves_no_trace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "store"
    build(_sources(FIXTURES / "good"), store)
    before = _tree_digest(kgstore.builds_dir(store))

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(kgstore, "publish", boom)
    with pytest.raises(OSError, match="disk full"):
        build(_sources(FIXTURES / "good"), store)
    assert _tree_digest(kgstore.builds_dir(store)) == before


def test_triples_outside_a_named_graph_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="outside any named graph"):
        build(_sources(FIXTURES / "stray"), tmp_path / "store")
    assert not (tmp_path / "store").exists()


def test_progress_is_reported_for_each_stage(tmp_path: Path) -> None:
    seen: list[str] = []
    build(_sources(FIXTURES / "good"), tmp_path / "store", lambda stage, done, total: seen.append(stage))
    assert {"parse ontology", "parse data", "validate", "load"} <= set(seen)


def test_bundled_data_builds_and_conforms(built_store: tuple[Path, BuildReport]) -> None:
    _, report = built_store
    assert report.graphs >= 8  # five sources, curation, official geography, ontology
    assert report.triples > 5000


def test_the_inferred_graph_is_built_validated_and_merged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.ingest.pipeline

    seen: list[int] = []
    real = kg.ingest.pipeline.validate_graph

    def spy(data, shapes, ontology):  # type: ignore[no-untyped-def]
        # the shapes see the entailed types: src:900 is stated a ti:SourceDocument, entailed a prov:Entity
        entity = (
            rdflib.URIRef("https://w3id.org/territoires-industrie/id/source/900"),
            rdflib.RDF.type,
            rdflib.URIRef("http://www.w3.org/ns/prov#Entity"),
        )
        seen.append(int(entity in data))
        return real(data, shapes, ontology)

    monkeypatch.setattr(kg.ingest.pipeline, "validate_graph", spy)
    store = tmp_path / "store"
    build(_sources(FIXTURES / "good"), store)
    assert seen == [1]
    db = kgstore.open_read_only(store)
    inferred = "<https://w3id.org/territoires-industrie/id/graph/inferred>"
    entity = "<http://www.w3.org/ns/prov#Entity>"
    doc = "<https://w3id.org/territoires-industrie/id/source/900>"
    assert LocalStore(db).rows(f"SELECT ?g WHERE {{ GRAPH ?g {{ {doc} a {entity} }} }}") == [{"g": inferred[1:-1]}]
    assert LocalStore(db).rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ {doc} a {entity} }}") == [{"n": "1"}], "in the merge"
