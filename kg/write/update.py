"""Validated, atomic, serialised writes: the only way a steward's change enters a built store.

Every write — a Graph Store Protocol PUT, POST or DELETE, a SPARQL Update, `kg load`, `kg unload` — runs
`_transact` under the store's writer lock (kg.store.layout.writer_lock, an flock, so the server and the CLI are
serialised too):

1. copy the current build (an Oxigraph/RocksDB checkpoint: hard links, milliseconds) into a new directory;
2. apply the change there, keeping the default graph equal to the merge of the named graphs (kg.build.pipeline); a
   change that changes nothing stops here: no record, no new version, no new build (`changed=False`);
3. validate the result against the shapes, the ontology and the rest of the graph, on the nodes the change
   touched (every subject and object IRI of an added or removed triple; the whole graph when a blank node
   was touched, since pySHACL's focus filter only takes IRIs) — a non-conforming change raises
   `ValidationFailed` and the new directory is thrown away;
4. record the write (PROV: who, when, which graphs, how many triples) in the write-log graph and bump the
   dataset version, which is what ETags are made of;
5. stage the edited data files (kg.write.journal), swap the store link (the commit point), rename the files.

A reader — a query worker — opened the old directory or opens the new one; it never sees a mix. A process
killed anywhere leaves the old store (before step 5's swap) or the new one (after it).

A SPARQL Update is text from a client: it is checked by the one guard (kg.store.guard: depth, SERVICE
allow-list, no LOAD), then parsed and evaluated in a bounded child process (kg.sandbox), because neither
rdflib's parser nor Oxigraph's evaluation can be interrupted in ours and a three-way product in a WHERE
would otherwise hold the writer lock for hours. The child works on its own checkpoint of the current build
and hands back only the diff (as N-Quads); past `query_timeout` it is killed (`WorkTimeout`), the writer
lock is released and nothing has changed.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.build import inference
from kg.build.validate import ValidationResult, validate_change
from kg.errors import GraphNotFound, QuerySyntaxError, UsageError, ValidationFailed, WriteForbidden
from kg.sandbox import run_bounded
from kg.sources.namespaces import BASE, ONTOLOGY_IRI, TI, TID
from kg.store import layout as kgstore
from kg.store.guard import check_request
from kg.write import journal
from kg.write.journal import GraphDiff

WRITE_LOG_GRAPH = str(TID["graph/write-log"])
GENID = BASE + ".well-known/genid/"
PROTECTED_GRAPHS = frozenset({ONTOLOGY_IRI, WRITE_LOG_GRAPH, inference.INFERRED_GRAPH})
_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass(frozen=True)
class WriteContext:
    """What every write needs besides the change: the store, the shapes, where the data files are, who writes."""

    store: Path
    shapes: rdflib.Graph
    data_dir: Path | None  # None: the store only (tests of the store alone); else the files are edited too
    agent: str  # an IRI: mailto:… from the HTTP From header, or the local user for the CLI
    lock_timeout: float = 30.0
    # what a SPARQL Update may do and use (Settings.query_timeout, worker_memory_mb, service_allowlist,
    # max_query_depth): it is parsed and evaluated in a child process killed past `query_timeout`
    query_timeout: float = 30.0
    memory_mb: int = 2048
    service_allowlist: tuple[str, ...] = ()
    max_query_depth: int = 200


@dataclass(frozen=True)
class WriteReport:
    """What an accepted write did; `changed=False` when it changed nothing (then no record, same version)."""

    operation: str
    graphs: list[str]
    created: bool  # the graph did not exist before (PUT / POST: 201 Created)
    added: int
    removed: int
    version: str  # the dataset version after the write (the same as before when nothing changed)
    record: str  # IRI of the PROV record in the write log ("" when nothing changed)
    warnings: int
    seconds: float
    validation: ValidationResult | None = None
    changed: bool = True


def graph_triples(db: ox.Store, graph: str) -> set[ox.Triple]:
    """The triples of one named graph."""
    return {q.triple for q in db.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


# --- the operations ----------------------------------------------------------------------------------------


def skolemize(triples: Iterable[ox.Triple]) -> set[ox.Triple]:
    """Blank nodes replaced by fresh `/.well-known/genid/` IRIs (RDF 1.1 §3.5), one per blank node.

    A blank node has no name outside its document, so a stored one could not be matched again — by a
    later write's diff, by the data files' edits (kg.write.journal) or by a focused validation.
    """
    names: dict[ox.BlankNode, ox.NamedNode] = {}

    def iri(term: ox.BlankNode) -> ox.NamedNode:
        if term not in names:
            names[term] = ox.NamedNode(f"{GENID}{uuid.uuid4().hex}")
        return names[term]

    out = set()
    for t in triples:
        s = iri(t.subject) if isinstance(t.subject, ox.BlankNode) else t.subject
        o = iri(t.object) if isinstance(t.object, ox.BlankNode) else t.object
        out.add(ox.Triple(s, t.predicate, o))
    return out


def put_graph(ctx: WriteContext, graph: str, triples: Iterable[ox.Triple]) -> WriteReport:
    """Replace a named graph with `triples` (creating it if needed)."""
    new = skolemize(triples)
    _check_writable(graph)

    def change(db: ox.Store) -> dict[str, GraphDiff]:
        old = graph_triples(db, graph)
        return {graph: GraphDiff(added=new - old, removed=old - new)}

    return _transact(ctx, "PUT", graph, change)


def post_graph(ctx: WriteContext, graph: str, triples: Iterable[ox.Triple]) -> WriteReport:
    """Add `triples` to a named graph (creating it if needed): the RDF merge of the Graph Store Protocol."""
    new = skolemize(triples)
    _check_writable(graph)

    def change(db: ox.Store) -> dict[str, GraphDiff]:
        return {graph: GraphDiff(added=new - graph_triples(db, graph))}

    return _transact(ctx, "POST", graph, change)


def delete_graph(ctx: WriteContext, graph: str) -> WriteReport:
    """Remove a named graph; `GraphNotFound` if it holds nothing."""
    _check_writable(graph)

    def change(db: ox.Store) -> dict[str, GraphDiff]:
        old = graph_triples(db, graph)
        if not old:
            raise GraphNotFound(f"no graph named <{graph}> in the store")
        return {graph: GraphDiff(removed=old)}

    return _transact(ctx, "DELETE", graph, change)


def update(ctx: WriteContext, sparql: str) -> WriteReport:
    """Run a SPARQL 1.1 Update; it may only change named graphs, never the default graph (the merge).

    The guard runs first (400/403 before the writer lock is taken); parsing and evaluation run in a bounded
    child under the lock (`WorkTimeout` past `ctx.query_timeout`).
    """
    check_request(sparql, "update", ctx.service_allowlist, ctx.max_query_depth)

    def change(db: ox.Store) -> dict[str, GraphDiff]:
        current = kgstore.resolve(ctx.store)  # under the writer lock: the build the scratch copy was made of
        work = kgstore.new_build_dir(ctx.store)  # the child's own checkpoint: ours stays untouched
        try:
            added, removed = run_bounded(
                _evaluate_update,
                str(current / kgstore.DB_DIR),
                str(work / kgstore.DB_DIR),
                sparql,
                timeout=ctx.query_timeout,
                memory_mb=ctx.memory_mb,
                what="the update",
            )
        finally:
            kgstore.discard(work)
        return _diffs_from_nquads(added, removed)

    return _transact(ctx, "UPDATE", None, change)


def _evaluate_update(source: str, work: str, sparql: str) -> tuple[bytes, bytes]:
    """In a bounded child (kg.sandbox): parse the update, run it on a checkpoint of `source` made at `work`,
    and return what it added and removed in each named graph, as N-Quads (a fraction of the cost of
    pickling each term). Refusals (`WriteForbidden`, `QuerySyntaxError`) are raised to the parent."""
    targets = update_targets(sparql)
    ox.Store.read_only(source).backup(work)
    db = ox.Store(work)
    named = _named_graphs(db) if targets is None else targets
    before = {g: graph_triples(db, g) for g in named}
    default_before = _default_size(db) if targets is None else 0
    try:
        db.update(sparql)
    except SyntaxError as e:
        raise QuerySyntaxError(f"malformed SPARQL update: {e}") from None
    if targets is None:
        if _default_size(db) != default_before:
            raise WriteForbidden("the update changed the default graph, which is the merge of the named graphs")
        named = named | _named_graphs(db)
    added: list[ox.Quad] = []
    removed: list[ox.Quad] = []
    for g in named:
        if targets is None and g == inference.INFERRED_GRAPH:
            continue  # `GRAPH ?g` reached the derived graph: the write derives it again from what it changed
        old, new = before.get(g, set()), graph_triples(db, g)
        if old != new:
            _check_writable(g)
            name = ox.NamedNode(g)
            fresh = new - old
            blank = {t for t in fresh if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)}
            # inserted by the update as blank nodes: stored under genid IRIs instead
            added += (ox.Quad(t.subject, t.predicate, t.object, name) for t in (fresh - blank) | skolemize(blank))
            removed += (ox.Quad(t.subject, t.predicate, t.object, name) for t in old - new)
    del db
    nquads = ox.RdfFormat.N_QUADS
    return ox.serialize(added, format=nquads) or b"", ox.serialize(removed, format=nquads) or b""


def _diffs_from_nquads(added: bytes, removed: bytes) -> dict[str, GraphDiff]:
    """The per-graph diffs `_evaluate_update` returned."""
    diffs: dict[str, GraphDiff] = {}
    for data, field_name in ((added, "added"), (removed, "removed")):
        for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            assert isinstance(q.graph_name, ox.NamedNode)
            diff = diffs.setdefault(q.graph_name.value, GraphDiff())
            getattr(diff, field_name).add(q.triple)
    return diffs


def update_targets(sparql: str) -> set[str] | None:
    """The named graphs an update can change, read from its text; None when a `GRAPH ?var` makes it open.

    Refuses (`WriteForbidden`) what is never allowed: LOAD (no fetching from the web), and any write to the
    default graph, which is not stored but derived from the named graphs.
    """
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        ops = translateUpdate(parseUpdate(sparql)).algebra
    except Exception as e:  # rdflib's parser raises pyparsing errors
        raise QuerySyntaxError(f"malformed SPARQL update: {e}") from None
    targets: set[str] = set()
    open_ended = False
    default = "the default graph is the merge of the named graphs: write into GRAPH <document> instead"
    for op in ops:
        name = op.name
        if name == "Load":
            raise WriteForbidden("LOAD is not allowed (nothing is fetched from the web): PUT the graph on /graphs")
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            if op.triples:
                raise WriteForbidden(f"{name}: {default}")
            for g in op.quads:
                if isinstance(g, rdflib.Variable):
                    open_ended = True
                else:
                    targets.add(str(g))
        elif name == "Modify":  # rdflib's CompValue: test keys with `in`, its get() does not default
            with_graph = op["withClause"] if "withClause" in op else None  # noqa: SIM401
            for clause in (op[k] for k in ("delete", "insert") if k in op):
                if clause.get("triples"):
                    if with_graph is None:
                        raise WriteForbidden(f"DELETE/INSERT: {default}")
                    targets.add(str(with_graph))
                for g in clause["quads"] if "quads" in clause else {}:  # noqa: SIM401
                    if isinstance(g, rdflib.Variable):
                        open_ended = True
                    else:
                        targets.add(str(g))
        elif name in ("Clear", "Drop", "Create"):
            g = op.graphiri
            if g in ("DEFAULT", "ALL"):
                raise WriteForbidden(f"{name.upper()} {g}: {default}")
            if g == "NAMED":
                open_ended = True
            else:
                targets.add(str(g))
        elif name in ("Add", "Move", "Copy"):
            source, target = op.graph
            if target == "DEFAULT" or (name == "Move" and source == "DEFAULT"):
                raise WriteForbidden(f"{name.upper()}: {default}")
            targets.add(str(target))
            if name == "Move":
                targets.add(str(source))
        else:  # pragma: no cover - every SPARQL 1.1 Update operation is listed above
            open_ended = True
    return None if open_ended else targets


def load_file_triples(quads: Iterable[ox.Quad], graph: str | None) -> tuple[str, list[ox.Triple]]:
    """The graph and triples a file holds for `kg load`: its default-graph triples go to `graph`, and a
    dataset file may hold that one named graph (or, without `graph`, exactly one named graph)."""
    quads = list(quads)
    named = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    if graph is None:
        if len(named) != 1 or any(isinstance(q.graph_name, ox.DefaultGraph) for q in quads):
            raise UsageError(
                "say which graph to write with --graph IRI (the file does not hold exactly one named graph)"
            )
        graph = named.pop()
    elif named - {graph}:
        others = ", ".join(f"<{g}>" for g in sorted(named - {graph}))
        raise UsageError(f"the file holds other named graphs than <{graph}>: {others}")
    if any(isinstance(q.graph_name, ox.BlankNode) for q in quads):
        raise UsageError("the file has a graph named by a blank node")
    return graph, [q.triple for q in quads]


# --- the transaction ---------------------------------------------------------------------------------------


def _named_graphs(db: ox.Store) -> set[str]:
    return {g.value for g in db.named_graphs() if isinstance(g, ox.NamedNode)}


def _default_size(db: ox.Store) -> int:
    return sum(1 for _ in db.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _check_writable(graph: str) -> None:
    if graph in PROTECTED_GRAPHS:
        raise WriteForbidden(f"<{graph}> is managed by the build, not written by hand")


def _transact(
    ctx: WriteContext, operation: str, graph: str | None, change: Callable[[ox.Store], dict[str, GraphDiff]]
) -> WriteReport:
    started = time.perf_counter()
    with kgstore.writer_lock(ctx.store, ctx.lock_timeout):
        current = kgstore.resolve(ctx.store)
        if ctx.data_dir is not None:
            journal.recover(current, ctx.data_dir)
        info = kgstore.BuildInfo.read(current)
        scratch = kgstore.new_build_dir(ctx.store)  # where the change is made, by a read-write handle
        build_dir = kgstore.new_build_dir(ctx.store)  # what is published: a checkpoint of the result
        published = False
        try:
            ox.Store.read_only(str(current / kgstore.DB_DIR)).backup(str(scratch / kgstore.DB_DIR))
            db = ox.Store(str(scratch / kgstore.DB_DIR))
            created = graph is not None and not graph_triples(db, graph)
            diffs = {g: d for g, d in change(db).items() if d}
            if not diffs:  # nothing to record, validate or publish: the store and its version stay as they are
                del db
                return WriteReport(
                    operation=operation,
                    graphs=[] if graph is None else [graph],
                    created=False,
                    added=0,
                    removed=0,
                    version=info.version,
                    record="",
                    warnings=0,
                    seconds=round(time.perf_counter() - started, 3),
                    changed=False,
                )
            _apply(db, diffs)
            entailed = _entail(db, diffs)
            result = _validate(db, ctx.shapes, {**diffs, inference.INFERRED_GRAPH: entailed})
            if not result.conforms:
                raise ValidationFailed(result.to_text(), len(result.violations), result)
            now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            version = hashlib.sha256(f"{info.version} {now} {uuid.uuid4()}".encode()).hexdigest()[:16]
            record, log_diff = _record(ctx.agent, operation, diffs, version)
            _apply(db, {WRITE_LOG_GRAPH: log_diff})
            _entail(db, {WRITE_LOG_GRAPH: log_diff})
            db.flush()
            new_info = replace(
                info,
                version=version,
                triples=kgstore.count_merged_triples(db),
                graphs=sum(1 for _ in db.named_graphs()),
                updated_at=now,
                writes=info.writes + 1,
            )
            # A checkpoint is consistent and never opened for writing, so readers can trust it even while
            # the read-write handle (closed below, but Python decides when) still runs RocksDB compactions.
            db.backup(str(build_dir / kgstore.DB_DIR))
            del db
            new_info.write(build_dir)
            if ctx.data_dir is not None:
                journal.stage(build_dir, ctx.data_dir, {**diffs, WRITE_LOG_GRAPH: log_diff})
            kgstore.publish(ctx.store, build_dir)
            published = True
            journal.finish(build_dir)
        finally:
            if not published:  # refused, failed, or nothing to publish
                kgstore.discard(build_dir)
            kgstore.discard(scratch)
    return WriteReport(
        operation=operation,
        graphs=sorted(diffs) if graph is None else [graph],
        created=created and bool(diffs),
        added=sum(len(d.added) for d in diffs.values()),
        removed=sum(len(d.removed) for d in diffs.values()),
        version=version,
        record=record,
        warnings=len(result.warnings),
        seconds=round(time.perf_counter() - started, 3),
        validation=result,
    )


def _apply(db: ox.Store, diffs: dict[str, GraphDiff]) -> None:
    """Apply diffs to the named graphs and keep the default graph equal to their merge."""
    for g, diff in diffs.items():
        name = ox.NamedNode(g)
        for t in diff.removed:
            db.remove(ox.Quad(t.subject, t.predicate, t.object, name))
        db.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in diff.added)
    for diff in diffs.values():
        db.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in diff.added)
        for t in diff.removed:
            still = any(
                isinstance(q.graph_name, ox.NamedNode) for q in db.quads_for_pattern(t.subject, t.predicate, t.object)
            )
            if not still:
                db.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))


def _entail(db: ox.Store, diffs: dict[str, GraphDiff]) -> GraphDiff:
    """Keep graph:inferred equal to what a new build would derive, after `diffs` were applied; the data
    files never hold it (the build derives it again)."""
    entailed = inference.write_diff(db, diffs)
    _apply(db, {inference.INFERRED_GRAPH: entailed})
    return entailed


def _validate(db: ox.Store, shapes: rdflib.Graph, diffs: dict[str, GraphDiff]) -> ValidationResult:
    """The shapes on the merged graph after the change, on the nodes the change touched and their neighbours."""
    changed = [t for diff in diffs.values() for t in diff.added | diff.removed]
    subjects = {t.subject for t in changed if isinstance(t.subject, ox.NamedNode)}
    neighbours = {
        q.subject.value
        for s in subjects
        for q in db.quads_for_pattern(None, None, s, ox.DefaultGraph())
        if isinstance(q.subject, ox.NamedNode)
    }
    merged = list(db.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return validate_change(merged, changed, shapes, neighbours)


def _record(agent: str, operation: str, diffs: dict[str, GraphDiff], version: str) -> tuple[str, GraphDiff]:
    """The PROV record of one write, as the triples to add to the write log."""
    node = ox.NamedNode(f"{TID}write/{uuid.uuid4()}")
    now = ox.Literal(
        time.strftime("%Y-%m-%dT%H:%M:%S%z", time.gmtime()).replace("+0000", "Z"),
        datatype=ox.NamedNode(_XSD + "dateTime"),
    )
    agent_node = ox.NamedNode(agent)
    graphs = ", ".join(f"<{g}>" for g in sorted(diffs)) or "aucun graphe"
    added = sum(len(d.added) for d in diffs.values())
    removed = sum(len(d.removed) for d in diffs.values())

    def lit(value: int | str) -> ox.Literal:
        if isinstance(value, int):
            return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
        return ox.Literal(value)

    triples = {
        ox.Triple(node, _RDF_TYPE, ox.NamedNode(str(TI.GraphWrite))),
        ox.Triple(node, _RDF_TYPE, ox.NamedNode(_PROV + "Activity")),
        ox.Triple(
            node,
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal(f"{operation} {graphs}", language="fr"),
        ),
        ox.Triple(node, ox.NamedNode(str(TI.operation)), lit(operation)),
        ox.Triple(node, ox.NamedNode(_PROV + "wasAssociatedWith"), agent_node),
        ox.Triple(agent_node, _RDF_TYPE, ox.NamedNode(_PROV + "Agent")),
        ox.Triple(node, ox.NamedNode(_PROV + "endedAtTime"), now),
        ox.Triple(node, ox.NamedNode(str(TI.triplesAdded)), lit(added)),
        ox.Triple(node, ox.NamedNode(str(TI.triplesRemoved)), lit(removed)),
        ox.Triple(node, ox.NamedNode(str(TI.datasetVersion)), lit(version)),
    }
    triples |= {ox.Triple(node, ox.NamedNode(str(TI.changedGraph)), ox.NamedNode(g)) for g in diffs}
    return node.value, GraphDiff(added=triples)
