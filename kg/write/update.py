"""Validated, atomic, serialised writes: the only way a steward's change enters a built store.

Every write — a Graph Store Protocol PUT, POST or DELETE, a SPARQL Update, `kg load`, `kg unload` — runs
`transact` (kg.write.transaction) under the store's writer lock (kg.store.layout.writer_lock, an flock, so the server and the CLI are
serialised too):

1. copy the current build (an Oxigraph/RocksDB checkpoint: hard links, milliseconds) into a new directory;
2. apply the change there, keeping the default graph equal to the merge of the named graphs (kg.ingest.pipeline); a
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

import uuid
from collections.abc import Iterable

import pyoxigraph as ox

from kg.errors import GraphNotFound, QuerySyntaxError, UsageError, WriteForbidden
from kg.ingest import inference, links, statistics
from kg.sandbox import run_bounded
from kg.sources.namespaces import BASE, ONTOLOGY_IRI
from kg.store import layout as kgstore
from kg.store.guard import check_request
from kg.write import remote
from kg.write.journal import GraphDiff
from kg.write.targets import update_targets
from kg.write.transaction import WRITE_LOG_GRAPH, WriteContext, WriteReport, graph_triples, transact

__all__ = [
    "GENID",
    "PROTECTED_GRAPHS",
    "WRITE_LOG_GRAPH",
    "Context",
    "WriteContext",
    "WriteReport",
    "delete_graph",
    "graph_triples",
    "load_file_triples",
    "post_graph",
    "put_graph",
    "skolemize",
    "update",
    "update_targets",
]

GENID = BASE + ".well-known/genid/"
PROTECTED_GRAPHS = frozenset(
    {ONTOLOGY_IRI, WRITE_LOG_GRAPH, inference.INFERRED_GRAPH, links.LINKS_GRAPH, statistics.STATISTICS_GRAPH}
)
DERIVED_GRAPHS = frozenset({inference.INFERRED_GRAPH, statistics.STATISTICS_GRAPH})  # derived again by the write


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


Context = WriteContext | remote.RemoteWriteContext  # a built store on this machine, or a remote SPARQL store


def put_graph(ctx: Context, graph: str, triples: Iterable[ox.Triple]) -> WriteReport:
    """Replace a named graph with `triples` (creating it if needed)."""
    new = skolemize(triples)
    _check_writable(graph)
    if isinstance(ctx, remote.RemoteWriteContext):
        return remote.put_graph(ctx, graph, new)

    def change(db: ox.Store) -> dict[str, GraphDiff]:
        old = graph_triples(db, graph)
        return {graph: GraphDiff(added=new - old, removed=old - new)}

    return transact(ctx, "PUT", graph, change)


def post_graph(ctx: Context, graph: str, triples: Iterable[ox.Triple]) -> WriteReport:
    """Add `triples` to a named graph (creating it if needed): the RDF merge of the Graph Store Protocol."""
    new = skolemize(triples)
    _check_writable(graph)
    if isinstance(ctx, remote.RemoteWriteContext):
        return remote.post_graph(ctx, graph, new)

    def change(db: ox.Store) -> dict[str, GraphDiff]:
        return {graph: GraphDiff(added=new - graph_triples(db, graph))}

    return transact(ctx, "POST", graph, change)


def delete_graph(ctx: Context, graph: str) -> WriteReport:
    """Remove a named graph; `GraphNotFound` if it holds nothing."""
    _check_writable(graph)
    if isinstance(ctx, remote.RemoteWriteContext):
        return remote.delete_graph(ctx, graph)

    def change(db: ox.Store) -> dict[str, GraphDiff]:
        old = graph_triples(db, graph)
        if not old:
            raise GraphNotFound(f"no graph named <{graph}> in the store")
        return {graph: GraphDiff(removed=old)}

    return transact(ctx, "DELETE", graph, change)


def update(ctx: Context, sparql: str) -> WriteReport:
    """Run a SPARQL 1.1 Update; it may only change named graphs, never the default graph (the merge).

    The guard runs first (400/403 before the writer lock is taken); parsing and evaluation run in a bounded
    child under the lock (`WorkTimeout` past `ctx.query_timeout`). Not on a remote store (kg.write.remote).
    """
    if isinstance(ctx, remote.RemoteWriteContext):
        raise WriteForbidden(
            "SPARQL Update is not accepted on a remote store: it could not be validated before it runs; "
            "write whole graphs with the Graph Store Protocol (PUT, POST or DELETE /graphs?graph=IRI)"
        )
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

    return transact(ctx, "UPDATE", None, change)


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
        if targets is None and g in DERIVED_GRAPHS:
            continue  # `GRAPH ?g` reached a derived graph: the write derives it again from what it changed
        old, new = before.get(g, set()), graph_triples(db, g)
        if old != new:
            more, fewer = _graph_change(g, old, new)
            added += more
            removed += fewer
    del db
    nquads = ox.RdfFormat.N_QUADS
    return ox.serialize(added, format=nquads) or b"", ox.serialize(removed, format=nquads) or b""


def _graph_change(graph: str, old: set[ox.Triple], new: set[ox.Triple]) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """The quads an update added to and removed from one graph, if that graph may be written."""
    _check_writable(graph)
    name = ox.NamedNode(graph)
    fresh = new - old
    blank = {t for t in fresh if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)}
    # inserted by the update as blank nodes: stored under genid IRIs instead
    added = [ox.Quad(t.subject, t.predicate, t.object, name) for t in (fresh - blank) | skolemize(blank)]
    return added, [ox.Quad(t.subject, t.predicate, t.object, name) for t in old - new]


def _diffs_from_nquads(added: bytes, removed: bytes) -> dict[str, GraphDiff]:
    """The per-graph diffs `_evaluate_update` returned."""
    diffs: dict[str, GraphDiff] = {}
    for data, field_name in ((added, "added"), (removed, "removed")):
        for q in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            assert isinstance(q.graph_name, ox.NamedNode)
            diff = diffs.setdefault(q.graph_name.value, GraphDiff())
            getattr(diff, field_name).add(q.triple)
    return diffs


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


# --- helpers ----------------------------------------------------------------------------------------------


def _named_graphs(db: ox.Store) -> set[str]:
    return {g.value for g in db.named_graphs() if isinstance(g, ox.NamedNode)}


def _default_size(db: ox.Store) -> int:
    return sum(1 for _ in db.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def _check_writable(graph: str) -> None:
    if graph in PROTECTED_GRAPHS:
        raise WriteForbidden(f"<{graph}> is managed by the build, not written by hand")
