"""The project's JSON-LD `@context`, and the one way JSON-LD answers are written: compacted with it.

The context maps the project's prefixes (kg.sources.namespaces: `ti:`, `commune:`, `epci:`…, and the standard
vocabularies `rdfs:`, `skos:`, `dcterms:`, `prov:`, `xsd:`, `schema:`…) and nothing else — no term aliases, no
coercion — so that compacting changes only how IRIs are spelled (`"rdfs:label"`, `"@id": "commune:71076"`),
never what a value means. It is served at `/context.jsonld` and embedded whole in every compacted answer, so a
JSON-LD processor reads an answer without fetching anything.

`jsonld` is what the embedded store (kg.store.local) and the remote store's re-serialisation
(kg.store.remote_io) both call for CONSTRUCT / DESCRIBE answers, resource descriptions and Graph Store reads.
It compacts through rdflib's JSON-LD serialiser, which is slow: about 75 µs a triple (0.75 s for 10,000
triples, 1 s for 10,000 quads in named graphs, measured on the project's two shared cores; pyoxigraph writes
the expanded form fifty times faster). So it compacts up to `COMPACT_MAX_TRIPLES` — the default
`KG_MAX_ROWS`, so every query answer of a default server — and a larger answer (a Graph Store read of the
official geography's 15,000 triples, a server with a higher row limit) is written expanded by pyoxigraph:
the same triples, valid JSON-LD, without the short names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
import rdflib

from kg.sources.namespaces import PREFIXES, TID
from kg.sources.rdf_io import to_rdflib_term

CONTEXT_PATH = "/context.jsonld"
MEDIA_TYPE = "application/ld+json"
COMPACT_MAX_TRIPLES = 10_000

_VOCABULARIES = {  # used by the dataset's own descriptions (VoID, DCAT-AP record, service description)
    "dcat": "http://www.w3.org/ns/dcat#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "spdx": "http://spdx.org/rdf/terms#",
}
_KINDS = {  # the IRI table of data/README.md: prefix → the path after `…/id/`, as the data files spell them
    "mandate": "mandate",
    "inv": "involvement",
    "candidacy": "candidacy",
    "funding": "funding",
    "amount": "amount",
    "quantity": "quantity",
    "stat": "statistic",
    "event": "event",
    "mission": "mission",
    "project": "project",
    "axis": "axis",
    "principle": "principle",
    "sector": "sector",
    "cs": "concepts",
    "role": "role",
    "qual": "qualifier",
    "unit": "unit",
    "measure": "measure",
    "evtype": "event-type",
    "genre": "genre",
}
CONTEXT: dict[str, str] = {
    **PREFIXES,
    **{k: f"{TID}{path}/" for k, path in _KINDS.items() if k not in PREFIXES},
    **{k: v for k, v in _VOCABULARIES.items() if k not in PREFIXES},
}
"""Prefix → namespace: every one ends in `/` or `#`, so JSON-LD 1.1 uses it to compact IRIs."""


def document() -> bytes:
    """The context as the JSON-LD document published at `/context.jsonld`."""
    return json.dumps({"@context": CONTEXT}, ensure_ascii=False, indent=2).encode("utf-8")


def jsonld(items: Sequence[ox.Triple] | Sequence[ox.Quad]) -> bytes:
    """JSON-LD of triples (one graph) or quads (a dataset: each named graph kept as a node with `@graph`),
    compacted with `CONTEXT` embedded; expanded, as pyoxigraph writes it, past `COMPACT_MAX_TRIPLES`."""
    if len(items) > COMPACT_MAX_TRIPLES:
        return ox.serialize(items, format=ox.RdfFormat.JSON_LD) or b""
    return compact(to_rdflib(items))


def compact(graph: rdflib.Graph) -> bytes:
    """An rdflib graph (or dataset) as JSON-LD compacted with `CONTEXT` (for rdflib-built documents too)."""
    return graph.serialize(format="json-ld", context=CONTEXT, encoding="utf-8")


def to_rdflib(items: Sequence[ox.Triple] | Sequence[ox.Quad]) -> rdflib.Graph:
    """Triples as an rdflib graph; quads as an rdflib dataset when some are in a named graph."""
    names = {x.graph_name.value for x in items if isinstance(x, ox.Quad) and isinstance(x.graph_name, ox.NamedNode)}
    if not names:
        graph = rdflib.Graph()
        graph.addN((_term(x.subject), _term(x.predicate), _term(x.object), graph) for x in items)
        return graph
    dataset = rdflib.Dataset()
    graphs: dict[str | None, rdflib.Graph] = {n: dataset.graph(rdflib.URIRef(n)) for n in names}
    graphs[None] = dataset.default_graph

    def graph_of(x: ox.Triple | ox.Quad) -> rdflib.Graph:
        if isinstance(x, ox.Quad) and isinstance(x.graph_name, ox.NamedNode):
            return graphs[x.graph_name.value]
        return graphs[None]

    dataset.addN((_term(x.subject), _term(x.predicate), _term(x.object), graph_of(x)) for x in items)
    return dataset


def _term(term: object) -> Any:
    return to_rdflib_term(term)
