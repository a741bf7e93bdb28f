"""Networks as files: GraphML and GEXF for Gephi and Cytoscape, networkx node-link JSON for d3, an edge list CSV.

Lists stay lists in JSON; GraphML, GEXF and CSV cannot hold them, so they are joined with "; ".
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import networkx as nx

from kg.errors import UsageError

FORMATS: dict[str, str] = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
"""Export formats and their media types."""
LIST_SEPARATOR = "; "


# --- formats ----------------------------------------------------------------------------------------------


def export(g: nx.Graph, fmt: str) -> bytes:
    """The network in a file format Gephi, Cytoscape, networkx or a web page opens.

    graphml and gexf: nodes and edges with every attribute, lists joined with "; ". json: networkx
    node-link data (`nodes`, `links`, lists kept), which d3 draws. csv: one table, the edge list — one row
    per edge with `source`, `target`, their labels and types, then the edge's attributes (Gephi and Cytoscape
    import it as an edge table); nodes without any edge are not in it.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown network format {fmt!r} (use one of: {', '.join(FORMATS)})")
    if fmt == "json":
        data = nx.node_link_data(_without_none(g), edges="links")
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    flat = _flattened(g)
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)
        return buffer.getvalue()
    if fmt == "gexf":
        nx.write_gexf(flat, buffer, encoding="utf-8", prettyprint=True)
        return buffer.getvalue()
    return _edge_csv(flat)


def _edge_csv(g: nx.Graph) -> bytes:
    edges = [(u, v, data) for u, v, data in g.edges(data=True)]
    first = ["relation", "relation_label", "kinds", "label", "count", "weight", "relations", "via", "roles"]
    names = {name for _, _, data in edges for name in data}
    columns = [c for c in first if c in names] + sorted(names - set(first) - {"sources"})
    if "sources" in names:
        columns.append("sources")
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["source", "target", "source_label", "target_label", "source_type", "target_type", *columns])
    for u, v, data in edges:
        ends = [g.nodes[u].get("label", u), g.nodes[v].get("label", v), g.nodes[u].get("type"), g.nodes[v].get("type")]
        writer.writerow([u, v, *ends, *(data.get(c, "") for c in columns)])
    return text.getvalue().encode("utf-8")


def _flattened(g: nx.Graph) -> nx.Graph:
    """A copy whose attribute values are all scalars: lists joined, None dropped."""
    flat = g.__class__()
    flat.graph.update(_flat_attributes(g.graph))
    flat.add_nodes_from((n, _flat_attributes(data)) for n, data in g.nodes(data=True))
    if g.is_multigraph():
        flat.add_edges_from((u, v, k, _flat_attributes(d)) for u, v, k, d in g.edges(keys=True, data=True))
    else:
        flat.add_edges_from((u, v, _flat_attributes(d)) for u, v, d in g.edges(data=True))
    return flat


def _flat_attributes(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            value = LIST_SEPARATOR.join(str(v) for v in value)
        out[key] = value
    return out


def _without_none(g: nx.Graph) -> nx.Graph:
    clean = g.copy()
    clean.graph = {k: v for k, v in g.graph.items() if v is not None}
    return clean
