"""Dumping the whole dataset, keeping named graphs wherever the syntax can hold them."""

from __future__ import annotations

from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import UsageError
from kg.sources.namespaces import PREFIXES

EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def keeps_graphs(fmt: str) -> bool:
    """Whether the syntax can carry named graphs (TriG, N-Quads, JSON-LD)."""
    return _format(fmt).supports_datasets


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


def _format(fmt: str) -> ox.RdfFormat:
    try:
        return EXPORT_FORMATS[fmt]
    except KeyError:
        raise UsageError(f"unknown export format {fmt!r} (use one of {', '.join(EXPORT_FORMATS)})") from None
