"""One write as a transaction: copy the build, apply the change, validate, record, publish — or nothing.

`transact` runs every write (kg.write.update) under the store's writer lock (kg.store.layout.writer_lock, an
flock, so the server and the CLI are serialised too): the steps are those of kg.write.update's docstring.
A reader — a query worker — opened the old directory or opens the new one; it never sees a mix.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import ValidationFailed
from kg.ingest import inference, statistics
from kg.ingest.neighbourhood import StoreSource
from kg.ingest.report import ValidationResult
from kg.ingest.validate import validate_change
from kg.sources.namespaces import RDF, RDFS, TI, TID, XSD
from kg.store import delta
from kg.store import layout as kgstore
from kg.write import journal
from kg.write.journal import GraphDiff

WRITE_LOG_GRAPH = str(TID["graph/write-log"])
_PROV = "http://www.w3.org/ns/prov#"
_RDF_TYPE = ox.NamedNode(RDF + "type")


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


def transact(
    ctx: WriteContext, operation: str, graph: str | None, change: Callable[[ox.Store], dict[str, GraphDiff]]
) -> WriteReport:
    """Make `change` (the per-graph diffs it returns for the scratch copy it is given) the store's new version,
    if the result conforms; `graph` is the one graph a Graph Store Protocol write names (None for an update)."""
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
                return _unchanged(operation, graph, info.version, started)
            steps: list[dict[str, GraphDiff]] = []  # what is applied, in order: recorded for the workers
            made = delta.Change()  # what the steps really changed, for graph:statistics
            _step(db, steps, diffs, made)
            entailed = inference.write_diff(db, diffs)  # graph:inferred as a new build would derive it
            _step(db, steps, {inference.INFERRED_GRAPH: entailed}, made)
            result = _validate(db, ctx.shapes, {**diffs, inference.INFERRED_GRAPH: entailed})
            if not result.conforms:
                raise ValidationFailed(result.to_text(), len(result.violations), result)
            now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            version = hashlib.sha256(f"{info.version} {now} {uuid.uuid4()}".encode()).hexdigest()[:16]
            record, log_diff = prov_record(ctx.agent, operation, diffs, version)
            _step(db, steps, {WRITE_LOG_GRAPH: log_diff}, made)
            _step(db, steps, {inference.INFERRED_GRAPH: inference.write_diff(db, steps[-1])}, made)
            _step(
                db,
                steps,
                {statistics.STATISTICS_GRAPH: statistics.write_diff(db, made.graphs, made.classes)},
                made,
            )
            db.flush()
            new_info = replace(
                info,
                version=version,
                triples=info.triples + made.merged,
                graphs=sum(1 for _ in db.named_graphs()),
                updated_at=now,
                writes=info.writes + 1,
            )
            # A checkpoint is consistent and never opened for writing, so readers can trust it even while
            # the read-write handle (closed below, but Python decides when) still runs RocksDB compactions.
            db.backup(str(build_dir / kgstore.DB_DIR))
            del db
            new_info.write(build_dir)
            delta.record(build_dir, info.version, steps)
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


def _unchanged(operation: str, graph: str | None, version: str, started: float) -> WriteReport:
    """The report of a write that changed nothing: no record, no new build, the same version."""
    return WriteReport(
        operation=operation,
        graphs=[] if graph is None else [graph],
        created=False,
        added=0,
        removed=0,
        version=version,
        record="",
        warnings=0,
        seconds=round(time.perf_counter() - started, 3),
        changed=False,
    )


def _step(db: ox.Store, steps: list[dict[str, GraphDiff]], diffs: dict[str, GraphDiff], made: delta.Change) -> None:
    """Apply one step of the write (kg.store.delta), keep it for the record, add what it changed to `made`."""
    steps.append(diffs)
    made += delta.apply(db, diffs)


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
    return validate_change(StoreSource(db), changed, shapes, neighbours)


def prov_record(agent: str, operation: str, diffs: dict[str, GraphDiff], version: str) -> tuple[str, GraphDiff]:
    """The PROV record of one write, as the triples to add to the write log."""
    node = ox.NamedNode(f"{TID}write/{uuid.uuid4()}")
    now = ox.Literal(
        time.strftime("%Y-%m-%dT%H:%M:%S%z", time.gmtime()).replace("+0000", "Z"),
        datatype=ox.NamedNode(XSD + "dateTime"),
    )
    agent_node = ox.NamedNode(agent)
    graphs = ", ".join(f"<{g}>" for g in sorted(diffs)) or "aucun graphe"
    added = sum(len(d.added) for d in diffs.values())
    removed = sum(len(d.removed) for d in diffs.values())

    def lit(value: int | str) -> ox.Literal:
        if isinstance(value, int):
            return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
        return ox.Literal(value)

    triples = {
        ox.Triple(node, _RDF_TYPE, ox.NamedNode(str(TI.GraphWrite))),
        ox.Triple(node, _RDF_TYPE, ox.NamedNode(_PROV + "Activity")),
        ox.Triple(
            node,
            ox.NamedNode(RDFS + "label"),
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
