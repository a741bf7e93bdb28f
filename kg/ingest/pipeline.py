"""sources → validated → store: the only way data enters the on-disk store.

`build` parses the ontology and every data file, validates their union against the shapes, and only if
they conform loads them into a new Oxigraph directory that is then swapped in (see `kg.store.layout`).

The store's default graph is filled with the RDF merge of all named graphs. SPARQL defines the default
graph as a graph — a set of triples — and Oxigraph's "default graph as union" option is a bag: a label
stated by three documents would be counted three times by `COUNT(*)` or `SUM`. Materialising the merge
gives standard answers, and `GRAPH ?g` still reaches each document's own statements.

The build also derives the named graph graph:inferred (kg.ingest.inference: the ontology's subclass and
subproperty entailments, shared funding) from the stated triples, validates it with them — so the shapes
see the entailed types — and loads it like any other graph, into the merge too. Likewise graph:links
(kg.ingest.links: `rdfs:seeAlso` the public-register page of each SIREN), derived from the codes the data holds
first, so that graph:inferred is a function of every other named graph, as the writes keep it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from kg.errors import UsageError, ValidationFailed
from kg.ingest import inference, links, statistics
from kg.ingest.report import ValidationResult
from kg.ingest.validate import validate_graph
from kg.sources.namespaces import ONTOLOGY_IRI
from kg.sources.rdf_io import parse_file, rdf_files, to_rdflib_graph
from kg.store import layout as kgstore
from kg.write import journal

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total) so the CLI can draw a progress bar."""


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Sources:
    """The files a build reads."""

    ontology: list[Path]
    shapes: list[Path]
    data: list[Path]
    data_dir: Path | None = None  # where the data files are, when read from a directory

    @classmethod
    def from_dirs(cls, ontology_dir: Path, shapes_dir: Path, data_dir: Path) -> Sources:
        sources = cls(rdf_files(ontology_dir), rdf_files(shapes_dir), rdf_files(data_dir), data_dir)
        for name, files, folder in (
            ("ontology", sources.ontology, ontology_dir),
            ("shapes", sources.shapes, shapes_dir),
            ("data", sources.data, data_dir),
        ):
            if not files:
                raise UsageError(f"no {name} files (RDF) found in {folder}")
        return sources

    def version(self) -> str:
        """A content hash of every input: the dataset version that caches and ETags can key on."""
        h = hashlib.sha256()
        for path in [*self.ontology, *self.shapes, *self.data]:
            h.update(path.name.encode())
            h.update(path.read_bytes())
        return h.hexdigest()[:16]


def load_data_quads(files: list[Path], progress: Progress = _no_progress) -> list[ox.Quad]:
    """Data quads; every triple must sit in a named graph, because the graph is its provenance."""
    quads: list[ox.Quad] = []
    for i, path in enumerate(files, 1):
        file_quads = parse_file(path)
        stray = next((q for q in file_quads if isinstance(q.graph_name, ox.DefaultGraph)), None)
        if stray is not None:
            raise UsageError(
                f"{path}: triple outside any named graph ({stray.subject} {stray.predicate} …): "
                "put it in the graph of the document that states it"
            )
        quads.extend(file_quads)
        progress("parse data", i, len(files))
    return quads


def validate_sources(sources: Sources, data_quads: list[ox.Quad], ontology_quads: list[ox.Quad]) -> ValidationResult:
    """SHACL validation of the data's union graph, with the ontology mixed in."""
    shapes = to_rdflib_graph(q for p in sources.shapes for q in parse_file(p))
    ontology = to_rdflib_graph(ontology_quads)
    return validate_graph(to_rdflib_graph(data_quads), shapes, ontology)


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did."""

    store: str
    version: str
    triples: int
    graphs: int
    warnings: int
    seconds: float


def build(
    sources: Sources,
    store: Path,
    progress: Progress = _no_progress,
    lock_timeout: float = 30.0,
) -> BuildReport:
    """Validate the sources and, only if they conform, publish them as the new store.

    The writer lock is held throughout, and a steward's write that a crash left half-copied to the data
    files is finished first (kg.write.journal), so a build never undoes an accepted write.
    """
    with kgstore.writer_lock(store, lock_timeout):
        if sources.data_dir is not None and store.is_symlink() and (store.resolve() / kgstore.MANIFEST).is_file():
            journal.recover(store.resolve(), sources.data_dir)
            sources = replace(sources, data=rdf_files(sources.data_dir))
        return _build(sources, store, progress)


def derived_quads(ontology_quads: list[ox.Quad], data_quads: list[ox.Quad]) -> list[ox.Quad]:
    """graph:links, graph:inferred and graph:statistics's description as the build derives them from the stated
    quads (the benchmark's synthetic stores are derived by this same function, then counted by `add_counts`,
    so the canned queries find what they read)."""
    link_quads = links.graph_quads(data_quads)  # graph:links (kg.ingest.links), read by the rules like any graph
    own = statistics.description_quads()  # graph:statistics's counts come once everything is loaded
    return inference.graph_quads([*ontology_quads, *data_quads, *link_quads, *own], ontology_quads) + link_quads + own


def add_counts(db: ox.Store) -> None:
    """Count the loaded store into graph:statistics (kg.ingest.statistics), its merge included."""
    kgstore.add_with_merge(db, statistics.count_quads(db))


def _build(sources: Sources, store: Path, progress: Progress) -> BuildReport:
    started = time.perf_counter()
    ontology_quads = [q for p in sources.ontology for q in parse_file(p, default_graph=ONTOLOGY_IRI)]
    progress("parse ontology", 1, 1)
    data_quads = load_data_quads(sources.data, progress)
    progress("infer", 0, 1)
    inferred_quads = derived_quads(ontology_quads, data_quads)
    progress("infer", 1, 1)

    progress("validate", 0, 1)
    result = validate_sources(sources, data_quads + inferred_quads, ontology_quads)
    progress("validate", 1, 1)
    if not result.conforms:
        raise ValidationFailed(result.to_text(), len(result.violations))

    scratch = kgstore.new_build_dir(store)  # loaded by a read-write handle
    build_dir = kgstore.new_build_dir(store)  # published: a checkpoint of it (see kg.write.update)
    try:
        quads = ontology_quads + data_quads + inferred_quads
        db = ox.Store(str(scratch / kgstore.DB_DIR))
        chunk = 5000
        for start in range(0, len(quads), chunk):
            kgstore.add_with_merge(db, quads[start : start + chunk])
            progress("load", min(start + chunk, len(quads)), len(quads))
        progress("count", 0, 1)
        add_counts(db)
        progress("count", 1, 1)
        db.flush()
        triples = kgstore.count_merged_triples(db)
        graphs = sum(1 for _ in db.named_graphs())
        db.backup(str(build_dir / kgstore.DB_DIR))
        del db
        info = kgstore.BuildInfo(
            version=sources.version(),
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            triples=triples,
            graphs=graphs,
        )
        info.write(build_dir)
        kgstore.publish(store, build_dir)
    except BaseException:
        kgstore.discard(build_dir)
        raise
    finally:
        kgstore.discard(scratch)
    return BuildReport(
        store=str(store),
        version=info.version,
        triples=triples,
        graphs=graphs,
        warnings=len(result.warnings),
        seconds=round(time.perf_counter() - started, 2),
    )
