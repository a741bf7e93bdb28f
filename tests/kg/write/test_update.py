"""kg.write.update: validated, atomic, serialised writes, and their copy in the data files (kg.write.journal)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.config import PROJECT_ROOT
from kg.errors import GraphNotFound, QuerySyntaxError, ValidationFailed, WriteForbidden, WriterBusy
from kg.ingest.pipeline import Sources, build
from kg.sources.namespaces import TID
from kg.sources.rdf_io import parse_file
from kg.store import layout as kgstore
from kg.write import journal
from kg.write import update as kgwrite

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"
DOC = f"{TID}source/steward-001"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _doc() -> list[ox.Triple]:
    return [q.triple for q in parse_file(FIXTURE)]


def _named_quads(store: Path) -> set[ox.Quad]:
    db = kgstore.open_read_only(store)
    return {q for q in db.quads_for_pattern(None, None, None, None) if isinstance(q.graph_name, ox.NamedNode)}


def _data_files(data: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file()}


# --- what an update may touch -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("update", "targets"),
    [
        ("INSERT DATA { GRAPH <http://g1> { <http://a> <http://b> 'c' } }", {"http://g1"}),
        ("DELETE DATA { GRAPH <http://g1> { <http://a> <http://b> 'c' } }", {"http://g1"}),
        ("DELETE WHERE { GRAPH <http://g4> { ?s ?p ?o } }", {"http://g4"}),
        ("WITH <http://g3> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", {"http://g3"}),
        ("DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", None),
        ("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", None),
        ("CLEAR GRAPH <http://g5>", {"http://g5"}),
        ("DROP NAMED", None),
        ("COPY <http://a> TO <http://b>", {"http://b"}),
        ("MOVE <http://a> TO <http://b>", {"http://a", "http://b"}),
    ],
)
def test_update_targets(update: str, targets: set[str] | None) -> None:
    assert kgwrite.update_targets(update) == targets


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a> <http://b> 'c' }",
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
        "CLEAR DEFAULT",
        "DROP ALL",
        "ADD <http://a> TO DEFAULT",
        "LOAD <http://example.org/x.ttl>",
    ],
)
def test_updates_of_the_default_graph_or_from_the_web_are_refused(update: str) -> None:
    with pytest.raises(WriteForbidden):
        kgwrite.update_targets(update)


def test_malformed_update() -> None:
    with pytest.raises(QuerySyntaxError):
        kgwrite.update_targets("INSERT DATA { GRAPH <http://g> { <a> } ")


def test_load_file_triples_takes_the_files_graph() -> None:
    g = ox.NamedNode("http://g")
    t = ox.Triple(ox.NamedNode("http://a"), LABEL, ox.Literal("x"))
    assert kgwrite.load_file_triples([ox.Quad(t.subject, t.predicate, t.object, g)], None) == ("http://g", [t])
    assert kgwrite.load_file_triples([ox.Quad(t.subject, t.predicate, t.object)], "http://g") == ("http://g", [t])
    from kg.errors import UsageError

    with pytest.raises(UsageError, match="--graph"):
        kgwrite.load_file_triples([ox.Quad(t.subject, t.predicate, t.object)], None)
    with pytest.raises(UsageError, match="other named graphs"):
        kgwrite.load_file_triples([ox.Quad(t.subject, t.predicate, t.object, g)], "http://other")


# --- writes --------------------------------------------------------------------------------------------------


def test_an_accepted_write_reaches_the_store_and_the_files_and_survives_a_rebuild(ctx: kgwrite.WriteContext) -> None:
    assert ctx.data_dir is not None
    before = kgstore.BuildInfo.read(kgstore.resolve(ctx.store))
    report = kgwrite.put_graph(ctx, DOC, _doc())
    assert report.created and report.added == len(set(_doc()))
    after = kgstore.BuildInfo.read(kgstore.resolve(ctx.store))
    assert (after.version, after.writes) == (report.version, before.writes + 1)
    assert after.version != before.version
    assert kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC) == set(_doc())
    # the default graph stays the merge of the named graphs
    db = kgstore.open_read_only(ctx.store)
    merged = {q.triple for q in db.quads_for_pattern(None, None, None, None) if isinstance(q.graph_name, ox.NamedNode)}
    assert {q.triple for q in db.quads_for_pattern(None, None, None, ox.DefaultGraph())} == merged
    # the next build from the data files gives the same named graphs, the write log included
    written = _named_quads(ctx.store)
    build(Sources.from_dirs(PROJECT_ROOT / "ontology", PROJECT_ROOT / "shapes", ctx.data_dir), ctx.store)
    assert _named_quads(ctx.store) == written


def test_unload_removes_a_graph_from_the_store_and_the_files(ctx: kgwrite.WriteContext) -> None:
    assert ctx.data_dir is not None
    kgwrite.put_graph(ctx, DOC, _doc())
    report = kgwrite.delete_graph(ctx, DOC)
    assert report.removed == len(set(_doc()))
    assert not kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC)
    assert not (ctx.data_dir / "graphs" / "source-steward-001.trig").exists()
    with pytest.raises(GraphNotFound):
        kgwrite.delete_graph(ctx, DOC)


def test_a_change_to_a_shared_graph_edits_only_the_lines_it_changes(ctx: kgwrite.WriteContext) -> None:
    """The curation graph is spread over six files: removing one of its triples edits the file holding it."""
    assert ctx.data_dir is not None
    curation = f"{TID}graph/curation"
    src001 = ox.NamedNode(f"{TID}source/001")
    english = next(
        q.triple
        for q in parse_file(ctx.data_dir / "sources" / "001.trig")
        if q.graph_name == ox.NamedNode(curation) and q.subject == src001 and q.predicate == LABEL
    )
    before = {p: {q for q in parse_file(p)} for p in (ctx.data_dir / "sources").glob("*.trig")}
    update = f"DELETE DATA {{ GRAPH <{curation}> {{ {english.subject} {english.predicate} {english.object} }} }}"
    kgwrite.update(ctx, update)
    for path, quads in before.items():
        now = set(parse_file(path))
        if path.name == "001.trig":
            assert quads - now == {ox.Quad(english.subject, english.predicate, english.object, ox.NamedNode(curation))}
            assert now < quads
        else:
            assert now == quads


def test_a_non_conforming_write_changes_nothing(ctx: kgwrite.WriteContext) -> None:
    assert ctx.data_dir is not None
    link = os.readlink(ctx.store)
    files = _data_files(ctx.data_dir)
    quads = _named_quads(ctx.store)
    bad = [*_doc(), ox.Triple(ox.NamedNode(DOC), ox.NamedNode(f"{TID}x"), ox.NamedNode(f"{TID}y"))]
    bad = [t for t in bad if t.predicate != ox.NamedNode("https://w3id.org/territoires-industrie/ontology#seedFile")]
    with pytest.raises(ValidationFailed) as failed:
        kgwrite.put_graph(ctx, DOC, bad)
    assert failed.value.result is not None
    assert any(i.focus_node == DOC for i in failed.value.result.violations)
    assert os.readlink(ctx.store) == link
    assert _data_files(ctx.data_dir) == files
    assert _named_quads(ctx.store) == quads
    assert [p.name for p in kgstore.builds(ctx.store)] == [Path(link).name]


def test_removing_a_node_others_point_to_is_refused(ctx: kgwrite.WriteContext) -> None:
    """The nodes pointing to a changed node are validated too: an involvement's territory must stay a territory."""
    territory = f"{TID}territory/ardeche-drome-nord"
    with pytest.raises(ValidationFailed):
        kgwrite.update(ctx, f"DELETE WHERE {{ GRAPH ?g {{ <{territory}> a ?type }} }}")


def test_managed_graphs_are_not_writable(ctx: kgwrite.WriteContext) -> None:
    with pytest.raises(WriteForbidden):
        kgwrite.delete_graph(ctx, "https://w3id.org/territoires-industrie/ontology")
    with pytest.raises(WriteForbidden):
        kgwrite.put_graph(ctx, kgwrite.WRITE_LOG_GRAPH, [])


# --- crashes and concurrency ------------------------------------------------------------------------------


def test_a_crash_after_the_commit_point_is_finished_by_the_next_build(
    ctx: kgwrite.WriteContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store link was swapped but the files not yet renamed: the journal lets the next build finish them."""
    assert ctx.data_dir is not None

    def crash(build_dir: Path) -> None:
        if (build_dir / journal.JOURNAL).exists():
            raise KeyboardInterrupt  # as if the process died right after the swap, before the renames

    monkeypatch.setattr(journal, "finish", crash)
    with pytest.raises(KeyboardInterrupt):
        kgwrite.put_graph(ctx, DOC, _doc())
    assert kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC) == set(_doc())  # committed
    assert not (ctx.data_dir / "graphs" / "source-steward-001.trig").exists()  # files not yet renamed
    assert (kgstore.resolve(ctx.store) / journal.JOURNAL).exists()
    monkeypatch.undo()
    build(Sources.from_dirs(PROJECT_ROOT / "ontology", PROJECT_ROOT / "shapes", ctx.data_dir), ctx.store)
    assert kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC) == set(_doc())
    assert not list(ctx.data_dir.rglob(f"*{journal.TMP_MARK}*"))


def test_a_crash_before_the_commit_point_leaves_nothing(
    ctx: kgwrite.WriteContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ctx.data_dir is not None
    files = _data_files(ctx.data_dir)

    def crash(store: Path, build_dir: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(kgstore, "publish", crash)
    with pytest.raises(KeyboardInterrupt):
        kgwrite.put_graph(ctx, DOC, _doc())
    monkeypatch.undo()
    assert not kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC)
    assert len(kgstore.builds(ctx.store)) == 1
    # the temporary files staged before the crash are removed by the next writer
    kgwrite.put_graph(ctx, f"{TID}source/steward-next", [t for t in _doc() if t.subject != ox.NamedNode(DOC)])
    assert not list(ctx.data_dir.rglob(f"*{journal.TMP_MARK}*"))
    assert {p for p in _data_files(ctx.data_dir)} >= set(files)


def test_the_writer_lock_serialises_and_times_out(ctx: kgwrite.WriteContext) -> None:
    with kgstore.writer_lock(ctx.store, 1), pytest.raises(WriterBusy):
        kgwrite.put_graph(kgwrite.WriteContext(**{**ctx.__dict__, "lock_timeout": 0.2}), DOC, _doc())


def test_two_processes_loading_at_once_are_both_applied(ctx: kgwrite.WriteContext, tmp_path: Path) -> None:
    """Two `kg load` commands started together: the flock serialises them, neither is lost."""
    assert ctx.data_dir is not None
    files = []
    for i in (1, 2):
        text = FIXTURE.read_text(encoding="utf-8").replace("steward-001", f"steward-cli-{i}")
        path = tmp_path / f"doc-{i}.ttl"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    env = {**os.environ, "KG_STORE": str(ctx.store), "KG_DATA_DIR": str(ctx.data_dir)}
    kg = [sys.executable, "-c", "from kg_cli.main import app; app()"]
    procs = [
        subprocess.Popen(
            [*kg, "load", str(f), "--graph", f"{TID}source/steward-cli-{i}"],
            env=env,
            cwd=PROJECT_ROOT,
            stderr=subprocess.PIPE,
        )
        for i, f in zip((1, 2), files, strict=True)
    ]
    for p in procs:
        _, stderr = p.communicate(timeout=120)
        assert p.returncode == 0, stderr.decode()
    db = kgstore.open_read_only(ctx.store)
    for i in (1, 2):
        assert kgwrite.graph_triples(db, f"{TID}source/steward-cli-{i}")
    assert kgstore.BuildInfo.read(kgstore.resolve(ctx.store)).writes == 2


def test_blank_nodes_are_stored_under_genid_iris(ctx: kgwrite.WriteContext) -> None:
    """A blank node could not be matched again by a later write or in the data files: it is skolemized."""
    assert ctx.data_dir is not None
    note = ox.BlankNode()
    triples = [
        *_doc(),
        ox.Triple(ox.NamedNode(DOC), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso"), note),
        ox.Triple(note, LABEL, ox.Literal("Note du steward", language="fr")),
    ]
    kgwrite.put_graph(ctx, DOC, triples)
    stored = kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC)
    assert not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in stored)
    genids = {t.subject for t in stored if t.subject.value.startswith(kgwrite.GENID)}
    assert len(genids) == 1
    kgwrite.update(ctx, f'INSERT DATA {{ GRAPH <{DOC}> {{ [ <{LABEL.value}> "Autre note"@fr ] }} }}')
    stored = kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC)
    assert len({t.subject for t in stored if t.subject.value.startswith(kgwrite.GENID)}) == 2
    # replacing the graph removes the genid triples from the store and from the data file alike
    kgwrite.put_graph(ctx, DOC, _doc())
    saved = {q.triple for q in parse_file(ctx.data_dir / "graphs" / "source-steward-001.trig")}
    assert saved == set(_doc()) == kgwrite.graph_triples(kgstore.open_read_only(ctx.store), DOC)
