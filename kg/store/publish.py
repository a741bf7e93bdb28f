"""A validated build published to a remote SPARQL store: every named graph, their merge, the metadata LAST.

Readers (`kg.store.remote.SparqlStore`) take the dataset's version and its list of named graphs from the
metadata graph, so until it is written they keep serving the previous version's list and version; the
graphs themselves are replaced one Graph Store Protocol PUT each (no engine makes a multi-graph PUT
atomic). A failure half-way raises `PublishFailed` naming the graphs already written — the metadata graph
is then unchanged, and publishing again replaces everything. A large graph goes in chunks of
`SparqlStore.chunk_triples` (`KG_SPARQL_CHUNK_TRIPLES`): a PUT, then POSTs adding to it — one request of
millions of triples can stall a store (Virtuoso 7.2 never answered a 1.7 M-triple PUT). Graphs of the
previous version that this one no longer has are removed after the metadata graph is written, when nothing
reads them any more.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KGError, PublishFailed, StoreMissing
from kg.sources.namespaces import DCTERMS, OWL, XSD
from kg.store import layout
from kg.store.remote import VOID_TRIPLES, SparqlStore

DATE_TIME = XSD + "dateTime"


@dataclass(frozen=True)
class PublishReport:
    """What a publication wrote: the graphs (in order, metadata last), triples sent, and how long it took."""

    version: str
    graphs: tuple[str, ...]
    removed: tuple[str, ...]
    triples: int
    seconds: float


def publish(
    store: SparqlStore,
    quads_by_graph: Mapping[str, Iterable[ox.Triple]],
    version: str,
    built_at: str,
) -> PublishReport:
    """Replace the store's dataset with these named graphs (graph IRI → triples), then their merge, then the
    metadata graph recording `version`, `built_at` and the graphs."""
    started = time.perf_counter()
    try:
        previous: tuple[str, ...] = store.metadata().graphs if store.gsp_url else ()
    except StoreMissing:
        previous = ()
    written: list[str] = []
    merge: set[ox.Triple] = set()
    sent = 0

    def put(graph: str, triples: Iterable[ox.Triple]) -> int:
        items = list(triples)
        chunks = _chunks(items, store.chunk_triples)
        try:  # the first chunk replaces the graph, the others are added to it
            store.put_graph(graph, ox.serialize(next(chunks), format=ox.RdfFormat.N_TRIPLES) or b"")
            for chunk in chunks:
                store.post_graph(graph, ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b"")
        except KGError as e:
            raise PublishFailed(f"publishing <{graph}> failed: {e}", tuple(written)) from None
        written.append(graph)
        return len(items)

    for graph, triples in quads_by_graph.items():
        if graph in (store.merge_graph, store.metadata_graph):
            raise PublishFailed(f"<{graph}> is managed by the publication itself, not a data graph", ())
        items = list(triples)
        merge.update(items)
        sent += put(graph, items)
    sent += put(store.merge_graph, merge)
    graphs = tuple(sorted(quads_by_graph))
    sent += put(store.metadata_graph, metadata_triples(store.metadata_graph, version, built_at, graphs, len(merge)))
    removed = tuple(g for g in previous if g not in quads_by_graph)
    for graph in removed:
        try:
            store.delete_graph(graph)
        except KGError as e:  # the new version is live already: only a stale graph is left behind
            raise PublishFailed(
                f"version {version} is published, but removing <{graph}> failed: {e}", tuple(written)
            ) from None
    store.refresh()
    return PublishReport(version, tuple(written), removed, sent, round(time.perf_counter() - started, 2))


def _chunks(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """The triples in requests of `size` (at least one request, maybe empty). Every triple with a blank node goes
    in the first: a blank node label names the same node only within one request."""
    blank = [t for t in triples if isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)]
    rest = [t for t in triples if not (isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode))]
    first = max(size - len(blank), 0)
    yield blank + rest[:first]
    for start in range(first, len(rest), size):
        yield rest[start : start + size]


def metadata_triples(
    metadata_graph: str, version: str, built_at: str, graphs: Iterable[str], triples: int
) -> list[ox.Triple]:
    """The metadata graph: its own IRI with the version, the build time, each named graph and the merge's size."""
    subject = ox.NamedNode(metadata_graph)
    out = [
        ox.Triple(subject, ox.NamedNode(OWL + "versionInfo"), ox.Literal(version)),
        ox.Triple(
            subject, ox.NamedNode(VOID_TRIPLES), ox.Literal(str(triples), datatype=ox.NamedNode(XSD + "integer"))
        ),
    ]
    out.append(ox.Triple(subject, ox.NamedNode(DCTERMS + "modified"), _date_time(built_at)))
    out += [ox.Triple(subject, ox.NamedNode(DCTERMS + "hasPart"), ox.NamedNode(g)) for g in graphs]
    return out


def _date_time(value: str) -> ox.Literal:
    """`BuildInfo.built_at` (`…T14:00:00+0100`) as an xsd:dateTime (`…T14:00:00+01:00`)."""
    if len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        value = f"{value[:-2]}:{value[-2:]}"
    return ox.Literal(value, datatype=ox.NamedNode(DATE_TIME))


def publish_build(
    store: SparqlStore, build: Path | ox.Store, *, version: str | None = None, built_at: str | None = None
) -> PublishReport:
    """Publish what `kg.ingest.pipeline.build` produced: its store link or build directory (version and time
    from its build.json), or an open Oxigraph store with `version` and `built_at` given. The named graphs
    are published; the embedded default graph (their merge) is recomputed as the merge graph."""
    if isinstance(build, Path):
        build_dir = layout.resolve(build)
        info = layout.BuildInfo.read(build_dir)
        db = ox.Store.read_only(str(build_dir / layout.DB_DIR))
        version, built_at = version or info.version, built_at or info.built_at
    else:
        db = build
    if version is None or built_at is None:
        raise StoreMissing("publishing an open store needs its version and built_at")
    graphs = {
        g.value: [q.triple for q in db.quads_for_pattern(None, None, None, g)]
        for g in sorted(db.named_graphs(), key=lambda g: g.value)
        if isinstance(g, ox.NamedNode)
    }
    return publish(store, graphs, version, built_at)
