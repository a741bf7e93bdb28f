"""Steward writes to a remote SPARQL store: validated here, applied one operation per graph, undone on failure.

No engine makes a write across several graphs atomic (Virtuoso not even one update), so a Graph Store
Protocol write (`put_graph`, `post_graph`, `delete_graph`) goes:

1. read the graph's current triples, and every stated triple of the subjects the write touches (all their
   named graphs): a small in-memory copy on which the write's entailments (kg.ingest.inference) and the
   merge's change are worked out exactly as a local write does;
2. validate the merge as it would be after the write, on the nodes it touches and what the shapes reach from
   them (kg.ingest.neighbourhood, read by CONSTRUCT queries, with the change overlaid): nothing is sent
   to the store before the change conforms;
3. apply, in order: the graph itself (one PUT, or DELETE), graph:inferred, the write log and the merge graph
   (one `DELETE DATA … ; INSERT DATA …` update each), then the metadata graph with the new version, last —
   readers take the version from it, so caches move only once everything else is there;
4. if a step fails, undo the steps done, newest first (the old graph PUT back, the inverse updates, the old
   metadata), and raise `WriteFailed` naming what was put back and, if an undo failed too, which graph now
   differs and by how much.

One writer: this process serialises its writes with a lock; nothing else may write to the store (README).
A SPARQL Update cannot be validated before it runs without running it on a copy of the whole dataset, so on
a remote store updates are refused (403): write graphs with the Graph Store Protocol.
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib

from kg.errors import (
    GraphNotFound,
    KGError,
    ServerBusy,
    StoreFailed,
    ValidationFailed,
    WriteFailed,
    WriteForbidden,
)
from kg.ingest import inference, statistics
from kg.ingest.neighbourhood import Node, Overlay, Value
from kg.ingest.validate import FOCUS_LIMIT, validate_change
from kg.sources.namespaces import ONTOLOGY_IRI, RDFS
from kg.store import delta
from kg.store.interface import QueryRequest, Term
from kg.store.publish import metadata_triples
from kg.store.remote import SparqlStore
from kg.write.journal import GraphDiff
from kg.write.transaction import WRITE_LOG_GRAPH, WriteReport, prov_record

BATCH = 200  # terms per VALUES block: a few kilobytes of query, well under any engine's limit
UPDATE_BATCH = 10_000  # triples per DELETE DATA / INSERT DATA request

_writer = threading.Lock()


@dataclass(frozen=True)
class RemoteWriteContext:
    """What a write to a remote store needs: the store, the shapes, who writes, how long to wait for the lock."""

    store: SparqlStore
    shapes: rdflib.Graph
    agent: str
    lock_timeout: float = 60.0


# --- reading the store as the validation and the inference need it ----------------------------------------


class QueryableSource:
    """The merge of a SPARQL store, read by CONSTRUCT queries with `VALUES` (kg.ingest.neighbourhood's source).

    Blank nodes cannot be named from one request to the next: meeting one raises `ValueError`, and the
    validation then reads the whole merge (the project's own data has none: writes skolemise them)."""

    def __init__(self, store: SparqlStore) -> None:
        self.store = store

    def _construct(self, where: str, template: str = "?s ?p ?o") -> list[ox.Triple]:
        query = f"CONSTRUCT {{ {template} }} WHERE {{ {where} }}"
        # the merge alone as the dataset: not the store's own graph list, a parameter per graph on every request
        request = QueryRequest(
            query, graph_format="ntriples", default_graphs=(self.store.merge_graph,), named_graphs=()
        )
        answer = self.store.run(request)
        if answer.truncated:
            raise StoreFailed(f"the store cut a neighbourhood read at {answer.rows} triples: raise KG_MAX_ROWS")
        return _triples(answer.body)

    def outgoing(self, subjects: Collection[Node], predicate: ox.NamedNode | None) -> Iterator[ox.Triple]:
        p = "?p" if predicate is None else str(predicate)
        for batch in _batches(subjects):
            yield from self._construct(f"VALUES ?s {{ {batch} }} ?s {p} ?o .", f"?s {p} ?o")

    def incoming(self, objects: Collection[Value], predicate: ox.NamedNode) -> Iterator[ox.Triple]:
        for batch in _batches(objects):
            yield from self._construct(f"VALUES ?o {{ {batch} }} ?s {predicate} ?o .", f"?s {predicate} ?o")

    def outgoing_by_predicate(self, predicate: ox.NamedNode) -> Iterator[ox.Triple]:
        yield from self._construct(f"?s {predicate} ?o .", f"?s {predicate} ?o")

    def everything(self) -> Iterator[ox.Triple]:
        yield from _triples(self.store.read_graph(None, "ntriples").body)


def _triples(ntriples: bytes) -> list[ox.Triple]:
    """N-Triples as triples (pyoxigraph parses them as quads of the default graph)."""
    return [q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]


def _batches(terms: Collection[Value]) -> Iterator[str]:
    items = sorted(str(t) for t in terms)
    if any(t.startswith("_:") for t in items):
        raise ValueError("a blank node cannot be named in a query to a remote store")
    for i in range(0, len(items), BATCH):
        yield " ".join(items[i : i + BATCH])


def _ox(term: Term) -> Any:
    """A term of a SELECT answer as a pyoxigraph term."""
    if term.kind == "uri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype) if term.datatype else None)


def _graph(store: SparqlStore, graph: str) -> set[ox.Triple]:
    return set(_triples(store.read_graph(graph, "ntriples").body))


def _stated(store: SparqlStore, subjects: Collection[Node]) -> ox.Store:
    """Every quad of these subjects in the store's named graphs, as a small in-memory store with its merge."""
    db = ox.Store()
    for batch in _batches(subjects):
        rows = store.select(
            f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?s {{ {batch} }} GRAPH ?g {{ ?s ?p ?o }} }}", complete=True
        )
        quads = [ox.Quad(_ox(r["s"]), _ox(r["p"]), _ox(r["o"]), _ox(r["g"])) for r in rows.rows]
        db.extend(quads)
        db.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return db


@functools.lru_cache(maxsize=4)
def _hierarchy(store: SparqlStore, built_at: str | None) -> inference.Hierarchy:
    """The ontology's hierarchies, read once per build (writes never change the ontology graph)."""
    where = f"GRAPH <{ONTOLOGY_IRI}> {{ ?s ?p ?o FILTER(?p IN (<{RDFS}subClassOf>, <{RDFS}subPropertyOf>)) }}"
    answer = store.run(QueryRequest(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}", graph_format="ntriples"))
    return inference.Hierarchy.of(_triples(answer.body))


def _pointing_to(store: SparqlStore, nodes: Collection[Node]) -> set[str]:
    """The IRIs that point to these nodes in the merge (their shapes may depend on what the nodes lose)."""
    found: set[str] = set()
    for batch in _batches(nodes):
        query = (  # FROM the merge: not a dataset parameter per graph of the store on the request
            f"SELECT DISTINCT ?s FROM <{store.merge_graph}> WHERE {{ VALUES ?o {{ {batch} }} ?s ?p ?o FILTER(isIRI(?s)) }} "
            f"LIMIT {FOCUS_LIMIT + 1}"
        )
        found |= {r["s"].value for r in store.select(query).rows if "s" in r}
    return found


# --- the write ---------------------------------------------------------------------------------------------


def put_graph(ctx: RemoteWriteContext, graph: str, triples: set[ox.Triple]) -> WriteReport:
    """Replace a named graph (creating it if needed)."""
    return _transact(ctx, "PUT", graph, lambda old: triples)


def post_graph(ctx: RemoteWriteContext, graph: str, triples: set[ox.Triple]) -> WriteReport:
    """Add triples to a named graph (creating it if needed)."""
    return _transact(ctx, "POST", graph, lambda old: old | triples)


def delete_graph(ctx: RemoteWriteContext, graph: str) -> WriteReport:
    """Remove a named graph; `GraphNotFound` if it holds nothing."""

    def nothing(old: set[ox.Triple]) -> set[ox.Triple]:
        if not old:
            raise GraphNotFound(f"no graph named <{graph}> in the store")
        return set()

    return _transact(ctx, "DELETE", graph, nothing)


def _transact(
    ctx: RemoteWriteContext, operation: str, graph: str, new_of: Callable[[set[ox.Triple]], set[ox.Triple]]
) -> WriteReport:
    started = time.perf_counter()
    store = ctx.store
    if graph in (store.merge_graph, store.metadata_graph):
        raise WriteForbidden(f"<{graph}> is managed by the publication, not written by hand")
    if store.gsp_url is None or store.update_url is None:
        raise WriteForbidden(
            "writes to this remote store need its Graph Store Protocol and SPARQL Update endpoints: "
            "set KG_SPARQL_GSP_URL and KG_SPARQL_UPDATE_URL (the engine profile knows Virtuoso's)"
        )
    if not _writer.acquire(timeout=ctx.lock_timeout):
        raise ServerBusy(f"another write held the writer lock for {ctx.lock_timeout:g} s: try again")
    try:
        store.refresh()  # the version and graphs as they are now, not as last read
        meta = store.metadata()
        old = _graph(store, graph)
        new = new_of(old)
        diff = GraphDiff(added=new - old, removed=old - new)
        if not diff:
            return WriteReport(operation, [graph], False, 0, 0, meta.version, "", 0, _since(started), changed=False)
        plan = _Plan(store, ctx, graph, diff)
        result = plan.validate()
        if not result.conforms:
            raise ValidationFailed(result.to_text(), len(result.violations), result)
        version = hashlib.sha256(f"{meta.version} {time.time()} {uuid.uuid4()}".encode()).hexdigest()[:16]
        record = plan.record(operation, version)
        plan.count()
        graphs = sorted((set(meta.graphs) | {graph, WRITE_LOG_GRAPH}) - (set() if new else {graph}))
        count = (meta.triples or 0) + plan.grown
        metadata = metadata_triples(store.metadata_graph, version, meta.built_at or "", graphs, count)
        _apply(store, plan.operations(old, new, metadata, _graph(store, store.metadata_graph)))
        store.refresh()
    finally:
        _writer.release()
    return WriteReport(
        operation=operation,
        graphs=[graph],
        created=not old,
        added=len(diff.added),
        removed=len(diff.removed),
        version=version,
        record=record,
        warnings=len(result.warnings),
        seconds=_since(started),
        validation=result,
    )


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


class _Plan:
    """One write's changes to every graph, worked out on a small copy of the subjects it touches."""

    def __init__(self, store: SparqlStore, ctx: RemoteWriteContext, graph: str, diff: GraphDiff) -> None:
        self.store, self.ctx, self.graph = store, ctx, graph
        self.hierarchy = _hierarchy(store, store.metadata().built_at)
        subjects = inference.touched_subjects([diff])
        self.pointing = _pointing_to(store, subjects)
        self.db, self.loaded, self.merge_before = ox.Store(), set[Node](), set[ox.Triple]()
        self._load(subjects)
        self.steps: dict[str, GraphDiff] = {}
        self.made = delta.Change()  # what the steps really change, for graph:statistics
        self._add(graph, diff)
        self._add(inference.INFERRED_GRAPH, inference.write_diff(self.db, {graph: diff}, self.hierarchy))

    def _load(self, subjects: Collection[Node]) -> None:
        """Copy the store's quads of these subjects (every named graph, and the merge) into the small copy."""
        new = set(subjects) - self.loaded
        if not new:
            return
        copy = _stated(self.store, new)
        self.db.extend(copy.quads_for_pattern(None, None, None, None))
        self.merge_before |= {q.triple for q in copy.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        self.loaded |= new

    def _add(self, graph: str, diff: GraphDiff) -> None:
        """Add a change of one graph to the plan, as what it really changes there (a record's agent, say, may
        be in the write log already: undoing the write must not remove it)."""
        self._load(inference.touched_subjects([diff]))
        name = ox.NamedNode(graph)
        diff = GraphDiff(
            added={t for t in diff.added if ox.Quad(t.subject, t.predicate, t.object, name) not in self.db},
            removed={t for t in diff.removed if ox.Quad(t.subject, t.predicate, t.object, name) in self.db},
        )
        if not diff:
            return
        self.made += delta.apply(self.db, {graph: diff})
        step = self.steps.setdefault(graph, GraphDiff())
        step.added |= diff.added
        step.removed |= diff.removed

    @property
    def grown(self) -> int:
        """How many triples the merge gains (negative: loses)."""
        return self.made.merged

    def count(self) -> None:
        """Add graph:statistics's change to the plan, last: the counts of the graphs and classes the plan
        changes, as they hold now, changed by what it changes (kg.ingest.statistics)."""
        graphs, classes = dict(self.made.graphs), dict(self.made.classes)
        self._load({ox.NamedNode(n) for n in [*graphs, *classes, statistics.STATISTICS_GRAPH]})
        self._add(statistics.STATISTICS_GRAPH, statistics.write_diff(self.db, graphs, classes))

    def merge_change(self) -> GraphDiff:
        after = {q.triple for q in self.db.quads_for_pattern(None, None, None, ox.DefaultGraph())}
        return GraphDiff(added=after - self.merge_before, removed=self.merge_before - after)

    def validate(self) -> Any:
        merge = self.merge_change()
        source = Overlay(QueryableSource(self.store), added=merge.added, removed=merge.removed)
        changed = [t for d in self.steps.values() for t in d.added | d.removed]
        return validate_change(source, changed, self.ctx.shapes, self.pointing)

    def record(self, operation: str, version: str) -> str:
        """Add the write's PROV record (and what it entails) to the plan; its IRI."""
        record, log = prov_record(self.ctx.agent, operation, {self.graph: self.steps[self.graph]}, version)
        self._add(WRITE_LOG_GRAPH, log)
        self._add(inference.INFERRED_GRAPH, inference.write_diff(self.db, {WRITE_LOG_GRAPH: log}, self.hierarchy))
        return record

    def operations(
        self, old: set[ox.Triple], new: set[ox.Triple], metadata: Iterable[ox.Triple], old_metadata: set[ox.Triple]
    ) -> list[_Operation]:
        """What to send, in order, each with its undo."""
        s, g = self.store, self.graph
        ops = [
            _Operation(
                f"<{g}>",
                (lambda: s.put_graph(g, _nt(new))) if new else (lambda: s.delete_graph(g)),
                (lambda: s.put_graph(g, _nt(old))) if old else (lambda: s.delete_graph(g)),
            )
        ]
        for name, diff in [(n, d) for n, d in self.steps.items() if n != g] + [(s.merge_graph, self.merge_change())]:
            ops.append(
                _Operation(
                    f"<{name}> (+{len(diff.added)} -{len(diff.removed)} triples)",
                    functools.partial(_update, s, name, diff.added, diff.removed),
                    functools.partial(_update, s, name, diff.removed, diff.added),
                )
            )
        meta = list(metadata)
        ops.append(
            _Operation(
                f"<{s.metadata_graph}>",
                lambda: s.put_graph(s.metadata_graph, _nt(meta)),
                lambda: s.put_graph(s.metadata_graph, _nt(old_metadata)),
            )
        )
        return ops


@dataclass(frozen=True)
class _Operation:
    what: str
    do: Callable[[], None]
    undo: Callable[[], None]


def _apply(store: SparqlStore, ops: list[_Operation]) -> None:
    """Run the operations in order; on a failure undo those done, newest first, and say what is left."""
    done: list[_Operation] = []
    for op in ops:
        try:
            op.do()
        except KGError as e:
            restored, unrestored = [], []
            for prior in reversed(done):
                try:
                    prior.undo()
                    restored.append(prior.what)
                except KGError as undo_error:
                    unrestored.append(f"{prior.what}: {undo_error}")
            raise WriteFailed(f"writing {op.what} failed: {e}", tuple(restored), tuple(unrestored)) from None
        done.append(op)


def _nt(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b""


def _update(store: SparqlStore, graph: str, added: set[ox.Triple], removed: set[ox.Triple]) -> None:
    """`DELETE DATA` then `INSERT DATA` on one graph, in requests of at most UPDATE_BATCH triples."""
    for verb, triples in (("DELETE", removed), ("INSERT", added)):
        items = sorted(triples, key=str)
        for i in range(0, len(items), UPDATE_BATCH):
            body = _nt(items[i : i + UPDATE_BATCH]).decode("utf-8")
            store.update(f"{verb} DATA {{ GRAPH <{graph}> {{\n{body}}} }}")
