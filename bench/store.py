"""The datasets the benchmark serves: the bundled store, and cached synthetic stores under var/bench/<scale>/.

A synthetic store is loaded from the generator's N-Quads with `Store.bulk_load` into a build directory
laid out exactly as `kg build` lays it out (`oxigraph/` + `build.json`, published through the same
atomic link, see `kg.store.layout`; the default graph holds the merge of the named graphs, as in `kg.ingest.pipeline`),
so `KG_STORE=var/bench/1m/store kg serve` serves it like the real one.

What the build derives (graph:inferred, graph:links) is derived by the build's own function and added to the
generated quads. It is NOT validated against the SHACL shapes: the data is synthetic, made by `bench/generate.py` from the
ontology's own terms, and validating millions of triples with pySHACL would take longer than the whole
benchmark. Never publish a store made here as the project's data.

Reruns reuse `var/bench/<scale>/data.nq` and the store when the generator version, seed and size match
(recorded in `build.json` as the store's version).

    python bench/store.py 1m 5m        # generate and load if not cached, print what is there
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox

from bench.generate import GENERATOR_VERSION, generate
from kg.errors import StoreMissing
from kg.ingest.pipeline import add_counts, derived_quads
from kg.sources.namespaces import ONTOLOGY_IRI
from kg.store import layout as kgstore

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = PROJECT_ROOT / "var" / "bench"
BUNDLED_STORE = PROJECT_ROOT / "var" / "store"
ONTOLOGY = ox.NamedNode(ONTOLOGY_IRI)


@dataclass(frozen=True)
class Dataset:
    """One graph to serve: its store link (for `KG_STORE`), its RocksDB directory, the same quads as a file."""

    name: str
    store: Path
    db_dir: Path
    quads_file: Path
    triples: int  # as build.json says (distinct triples of the merge, in the current kg.ingest.pipeline)
    quads: int  # named-graph quads in quads_file
    disk_bytes: int
    version: str
    merged_default_graph: bool  # the default graph holds the merge; else engines must use the union option


def parse_scale(text: str) -> int:
    """'1m' → 1_000_000, '250k' → 250_000, '20000' → 20_000."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kKmM]?)", text.strip())
    if not match:
        raise ValueError(f"not a scale: {text!r} (try 1m, 250k, 20000)")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[match.group(2).lower()]
    return int(float(match.group(1)) * factor)


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _dataset(name: str, store: Path, quads_file: Path) -> Dataset:
    build = kgstore.resolve(store)
    info = kgstore.BuildInfo.read(build)
    db = build / kgstore.DB_DIR
    ro = ox.Store.read_only(str(db))
    merged = next(iter(ro.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None
    del ro
    with quads_file.open("rb") as f:
        quads = sum(1 for _ in f)
    return Dataset(name, store, db, quads_file, info.triples, quads, dir_size(db), info.version, merged)


def append_derived(quads_file: Path) -> int:
    """Add to the file what `kg build` derives from it (kg.ingest.pipeline.derived_quads): the entailed types,
    shared funding, display names and links out that the canned queries read."""
    ontology, data = [], []
    for q in ox.parse(path=str(quads_file), format=ox.RdfFormat.N_QUADS):
        (ontology if q.graph_name == ONTOLOGY else data).append(q)
    derived = derived_quads(ontology, data)
    with quads_file.open("ab") as f:
        ox.serialize(derived, f, format=ox.RdfFormat.N_QUADS)
    return len(derived)


def load_store(quads_file: Path, store: Path, version: str) -> kgstore.BuildInfo:
    """Bulk-load `quads_file` into a new build of `store` and publish it (no SHACL validation: see module doc)."""
    build_dir = kgstore.new_build_dir(store)
    try:
        db = ox.Store(str(build_dir / kgstore.DB_DIR))
        db.bulk_load(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
        # the default graph holds the merge of the named graphs, as `kg build` makes it (see kg.ingest.pipeline)
        default = ox.DefaultGraph()
        merged = ox.parse(path=str(quads_file), format=ox.RdfFormat.N_QUADS)
        db.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, default) for q in merged)
        add_counts(db)  # graph:statistics's counts, as `kg build` adds them once everything is loaded
        db.flush()
        db.optimize()
        info = kgstore.BuildInfo(
            version=version,
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            triples=sum(1 for _ in db.quads_for_pattern(None, None, None, default)),
            graphs=sum(1 for _ in db.named_graphs()),
        )
        del db
        (build_dir / kgstore.MANIFEST).write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
        kgstore.publish(store, build_dir)
    except BaseException:
        kgstore.discard(build_dir)
        raise
    return info


def synthetic(scale: str, seed: int = 1, root: Path = BENCH_VAR, log: bool = True) -> Dataset:
    """The synthetic dataset of that scale, generated and loaded only if not cached already."""
    triples = parse_scale(scale)
    folder = root / scale
    store, quads_file = folder / "store", folder / "data.nq"
    version = f"synthetic-g{GENERATOR_VERSION}-merged-derived2-counted-seed{seed}-n{triples}"
    try:
        if kgstore.BuildInfo.read(kgstore.resolve(store)).version == version and quads_file.is_file():
            return _dataset(scale, store, quads_file)
    except (StoreMissing, OSError):
        pass
    folder.mkdir(parents=True, exist_ok=True)
    stamp = quads_file.with_name("data.nq.version")
    if not (quads_file.is_file() and stamp.is_file() and stamp.read_text() == version):
        started = time.perf_counter()
        count, flows = generate(quads_file, triples=triples, seed=seed)
        _log(log, f"{scale}: generated {count:,} quads ({flows:,} flows) in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        added = append_derived(quads_file)
        stamp.write_text(version)
        _log(
            log,
            f"{scale}: derived {added:,} quads (graph:inferred, graph:links) in {time.perf_counter() - started:.1f} s",
        )
    started = time.perf_counter()
    info = load_store(quads_file, store, version)
    _log(
        log,
        f"{scale}: loaded {info.triples:,} quads in {info.graphs:,} graphs in {time.perf_counter() - started:.1f} s",
    )
    return _dataset(scale, store, quads_file)


def bundled(store: Path = BUNDLED_STORE, root: Path = BENCH_VAR, log: bool = True) -> Dataset:
    """The store `kg build` made from the bundled data (built first if missing), and its quads as a file."""
    try:
        kgstore.resolve(store)
    except StoreMissing:
        _log(log, "bundled: no store, running `kg build`")
        subprocess.run([str(PROJECT_ROOT / ".venv" / "bin" / "kg"), "build"], check=True, cwd=PROJECT_ROOT)
    info = kgstore.BuildInfo.read(kgstore.resolve(store))
    quads_file = root / "bundled" / "data.nq"
    stamp = quads_file.with_name("data.nq.version")
    if not (quads_file.is_file() and stamp.is_file() and stamp.read_text() == info.version):
        quads_file.parent.mkdir(parents=True, exist_ok=True)
        db = kgstore.open_read_only(store)
        named = (q for q in db.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph))
        ox.serialize(named, str(quads_file), format=ox.RdfFormat.N_QUADS)
        del db
        stamp.write_text(info.version)
    return _dataset("bundled", store, quads_file)


def dataset(name: str, seed: int = 1) -> Dataset:
    return bundled() if name == "bundled" else synthetic(name, seed)


def _log(enabled: bool, message: str) -> None:
    if enabled:
        print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or ["bundled"]
    for name in names:
        ds = dataset(name)
        print(
            f"{ds.name}: {ds.quads:,} quads ({ds.triples:,} distinct triples), store {ds.store} "
            f"({ds.disk_bytes / 1e6:.1f} MB on disk), "
            f"quads {ds.quads_file} ({ds.quads_file.stat().st_size / 1e6:.1f} MB)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
