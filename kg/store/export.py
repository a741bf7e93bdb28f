"""Dumping the whole dataset, keeping named graphs wherever the syntax can hold them.

Two ways in: `export` from a pyoxigraph store opened in this process (`kg export`), and `dump_dataset` through
the store interface, one named graph at a time (`read_graph`), so the server's pool or a remote SPARQL store
can be dumped as well (`/download`, `kg release`). Either can write gzip (`gzip_writer`): deterministic
bytes, so the same version always gives the same file and the same SHA-256, on every replica.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg import queries
from kg.errors import ServerBusy, UsageError
from kg.sources.namespaces import PREFIXES
from kg.store.interface import Queryable

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
GZIP_LEVEL = 6  # zlib's default: nearly the size of 9, in a fraction of the time
DUMP_ATTEMPTS = 3  # a write landing in the middle of a dump makes it start again, this many times at most


@dataclass(frozen=True)
class Dumped:
    """What `dump_dataset` wrote: the dataset version it read, its named graphs and quads."""

    version: str
    graphs: int
    quads: int


def keeps_graphs(fmt: str) -> bool:
    """Whether the syntax can carry named graphs (TriG, N-Quads, JSON-LD)."""
    return _format(fmt).supports_datasets


def wants_gzip(path: Path | None) -> bool:
    """Whether an output file's name asks for gzip (`… .gz`)."""
    return path is not None and path.suffix.lower() == ".gz"


def gzip_writer(out: BinaryIO) -> gzip.GzipFile:
    """A gzip stream over `out` with no time stamp and no file name in its header: the same input always gives
    the same bytes, so a dump's checksum and ETag depend on the data alone. Close it to finish the stream."""
    return gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=GZIP_LEVEL, mtime=0)


def export(store: ox.Store, fmt: str, out: BinaryIO) -> None:
    """Write the dataset to `out`: the named graphs for dataset syntaxes, their merge for triple syntaxes.

    The store's default graph is the merge `kg build` derives from the named graphs, so a dataset export
    leaves it out: loading the export elsewhere gives back exactly the sources.
    """
    rdf_format = _format(fmt)
    if rdf_format.supports_datasets:
        named = (q for q in store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph))
        ox.serialize(named, out, format=rdf_format, prefixes=PREFIXES)
    else:
        store.dump(out, format=rdf_format, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)


def named_graphs(store: Queryable) -> list[str]:
    """The names of the dataset's named graphs, in order (`void-graph-names`)."""
    return [row["graph"] for row in store.rows(queries.internal("void-graph-names").text) if row["graph"]]


def dump_dataset(store: Queryable, fmt: str, out: BinaryIO) -> Dumped:
    """Write every named graph of the store's current version to `out` in a dataset syntax (TriG, N-Quads).

    Read one graph at a time through the store interface (never cut at the row limit), so any `Queryable` can
    be dumped without holding the whole dataset in memory. Each graph read names the version it came from: one
    from another version than the store's means a write landed meanwhile (`dump_dataset_to` starts again),
    never a dump that mixes two versions.
    """
    rdf_format = _format(fmt)
    if not rdf_format.supports_datasets:
        raise UsageError(f"{fmt} cannot hold named graphs: a dump is TriG or N-Quads")
    version = store.version
    names = named_graphs(store)
    counted = [0]

    def quads() -> Iterator[ox.Quad]:
        for name in names:
            read = store.read_graph(name, "nquads")
            if read.version != version:
                raise _Changed(f"the data changed to version {read.version} while it was being dumped")
            for quad in ox.parse(read.body, format=ox.RdfFormat.N_QUADS):
                counted[0] += 1
                yield quad

    ox.serialize(quads(), out, format=rdf_format, prefixes=PREFIXES)
    return Dumped(version, len(names), counted[0])


def dump_dataset_to(store: Queryable, fmt: str, path: Path, *, compress: bool) -> Dumped:
    """`dump_dataset` into a file, gzip-compressed or not; started again (at most `DUMP_ATTEMPTS` times)
    when a write lands in the middle. The caller makes the file atomic."""
    for _ in range(DUMP_ATTEMPTS):
        try:
            with path.open("wb") as raw:
                if compress:
                    with gzip_writer(raw) as gz:
                        return dump_dataset(store, fmt, gz)  # type: ignore[arg-type]  # GzipFile is a binary file
                return dump_dataset(store, fmt, raw)
        except _Changed:
            store.refresh()
    raise ServerBusy(f"the data kept changing while it was being dumped ({DUMP_ATTEMPTS} attempts); try again")


class _Changed(ServerBusy):
    """A graph of another version was read in the middle of a dump (a 503 to try again, if it gets out)."""


def _format(fmt: str) -> ox.RdfFormat:
    try:
        return EXPORT_FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown export format {fmt!r} (use one of {', '.join(EXPORT_FORMATS)})") from None
