"""Networks for researchers: who works with whom, and how the graph's resources connect, as networkx graphs.

Everything comes from the internal queries `kg/queries/internal/network-*.rq`, run on a `Queryable` (the
store interface), so the CLI can pass an in-process store and the API its worker pool:

- `actor_network`: one undirected edge per pair of actors (organisations, persons, EPCIs) that take part in
  the same scheme, plan, territory, funding flow, candidacy, programme or phase, event, project or mission,
  or that a mandate, a representation or an affiliation ties; the edge says which kinds of link, how many
  shared things (`count`, also `weight` for Gephi), by which relations, and which named graphs state them.
- `full_network`: a `MultiDiGraph` with one edge per (subject, relation, object) between the network's
  resources, aggregated over the graphs that state it; involvements and mandates — n-ary facts — are read
  as direct edges (agent →ti:involvedIn→ thing, agent →ti:onBehalfOf→ organisation, holder
  →ti:organisation→ organisation) whose `via` names the involvement or mandate. The official geography's
  links to its 400-odd communes are left out (they would be most of the network); the communes the
  documents name stay.
- `neighbourhood` and `shortest_paths` work on the full network: one query, a predictable cost through a
  worker pool, rather than one round trip per node.

Nodes carry `type` (the most specific class's local name), `label`, `iri`, `code` (SIREN or INSEE code, when
there is one), and after `add_centrality` `degree` and `betweenness`. `sources` are the IRIs of the named
graphs stating an edge: a source document (`…/id/source/001`), the editorial graph or the official
geography. Lists stay lists in memory and in JSON; GraphML, GEXF and CSV cannot hold them, so `export`
joins them with "; " (kg/network_export.py).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg import queries
from kg.errors import UsageError
from kg.network_export import LIST_SEPARATOR
from kg.store.interface import Queryable

KINDS = ("actors", "full")
MAX_HOPS = 4
MAX_PATHS = 100
EXACT_BETWEENNESS_MAX_NODES = 5000  # above this, betweenness is estimated from a fixed sample of sources
BETWEENNESS_SAMPLE = 1000

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


@dataclass(frozen=True)
class _Node:
    iri: str
    type: str
    label: str
    code: str | None
    actor: bool
    area: bool

    def attributes(self) -> dict[str, Any]:
        attrs: dict[str, Any] = {"type": self.type, "label": self.label, "iri": self.iri}
        if self.code:
            attrs["code"] = self.code
        return attrs


# --- building --------------------------------------------------------------------------------------------


def network(store: Queryable, kind: str = "actors", territory: str | None = None) -> nx.Graph:
    """The network `kg network` and `GET /network` export: the actor network or the full one, with centrality."""
    if kind == "actors":
        return actor_network(store, territory)
    if kind == "full":
        return full_network(store, territory)
    raise UsageError(f"unknown network kind {kind!r} (use one of: {', '.join(KINDS)})")


def actor_network(store: Queryable, territory: str | None = None) -> nx.Graph:
    """Who works with whom: actors linked when they take part in the same thing, with the kinds, count and sources.

    Edge attributes: `kinds`, `count` (how many distinct things the two share; also `weight`, which Gephi
    reads), `relations` (how each takes part), `label` (the shared things' names), `via` (their IRIs) and
    `sources`. Without a territory every actor is a node, so the isolated ones show; with one, only the
    linked actors.
    """
    nodes = _nodes(store)
    territory = _territory(nodes, territory)
    g = nx.Graph(name="Territoires d'industrie: actor network", kind="actors")
    if territory:
        g.graph["territory"] = territory
    else:
        for node in nodes.values():
            if node.actor:
                g.add_node(node.iri, **node.attributes())
    links: dict[tuple[str, str], dict[str, set[str]]] = {}
    for row in _run(store, "network-actor-links", territory):
        a, b, kind = row["a"], row["b"], row["kind"]
        if not a or not b or not kind:
            continue
        link = links.setdefault(
            (a, b), {k: set() for k in ("kinds", "things", "via", "relations", "labels", "sources")}
        )
        via = row.get("via")
        link["kinds"].add(kind)
        link["things"].add(f"{kind} {via or ''}")
        if via:
            link["via"].add(via)
        link["labels"].add(row.get("viaLabel") or (_local_name(via) if via else kind))
        link["relations"].update(r for r in (row.get("relationA"), row.get("relationB")) if r)
        link["sources"].update(d for d in (row.get("docA"), row.get("docB")) if d)
    for (a, b), link in sorted(links.items()):
        _add_node(g, nodes, a)
        _add_node(g, nodes, b)
        count = len(link["things"])
        g.add_edge(
            a,
            b,
            kinds=sorted(link["kinds"]),
            count=count,
            weight=count,
            relations=sorted(link["relations"]),
            label=LIST_SEPARATOR.join(sorted(link["labels"])),
            via=sorted(link["via"]),
            sources=sorted(link["sources"]),
        )
    add_centrality(g)
    return g


def full_network(store: Queryable, territory: str | None = None) -> nx.MultiDiGraph:
    """Every stated link between the network's resources, one edge per (subject, relation, object), with centrality.

    Parallel edges are different relations (the edge key is the relation's IRI); each edge lists the
    involvements or mandates it stands for (`via`), their roles and areas, and the graphs stating it.
    """
    g, _ = _full(store, territory)
    add_centrality(g)
    return g


def neighbourhood(store: Queryable, iri: str, hops: int) -> nx.MultiDiGraph:
    """Everything within `hops` links (1 to 4, either direction) of a resource, as a full-network subgraph."""
    if isinstance(hops, bool) or not isinstance(hops, int) or not 1 <= hops <= MAX_HOPS:
        raise UsageError(f"hops must be an integer from 1 to {MAX_HOPS}, not {hops!r}")
    iri = _check_iri(iri, "resource")
    g, nodes = _full(store, None)
    _known(nodes, iri)
    if iri not in g:  # a node nothing links to
        g.add_node(iri, **nodes[iri].attributes())
    sub = nx.ego_graph(g, iri, radius=hops, undirected=True)
    sub.graph.update(name=f"Territoires d'industrie: {hops}-hop neighbourhood", kind="neighbourhood")
    sub.graph.update(center=iri, hops=hops)
    add_centrality(sub)
    return sub


def shortest_paths(
    store: Queryable, source_iri: str, target_iri: str, max_paths: int = 5
) -> list[list[dict[str, Any]]]:
    """How two resources (typically actors) connect: up to `max_paths` shortest paths in the full network.

    Each path is a list of steps `{from, from_label, to, to_label, relation, relation_label, inverse, via,
    roles, sources}`; `inverse` is true when the documents state the relation from `to` to `from`. Two
    resources joined by several relations give one path per choice. No path: an empty list.
    """
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or not 1 <= max_paths <= MAX_PATHS:
        raise UsageError(f"max_paths must be an integer from 1 to {MAX_PATHS}, not {max_paths!r}")
    source = _check_iri(source_iri, "source")
    target = _check_iri(target_iri, "target")
    g, nodes = _full(store, None)
    _known(nodes, source)
    _known(nodes, target)
    if source == target:
        return [[]]
    if source not in g or target not in g:
        return []
    simple = nx.Graph()
    simple.add_edges_from(g.edges())
    paths: list[list[dict[str, Any]]] = []
    try:
        for node_path in nx.all_shortest_paths(simple, source, target):
            choices = [_steps(g, u, v) for u, v in itertools.pairwise(node_path)]
            for combination in itertools.product(*choices):
                paths.append([dict(step) for step in combination])
                if len(paths) == max_paths:
                    return paths
    except nx.NetworkXNoPath:
        return []
    return paths


def add_centrality(g: nx.Graph) -> nx.Graph:
    """Set `degree` (distinct neighbours, either direction) and `betweenness` (normalised) on every node.

    Both are computed on the undirected simple graph, so parallel edges and directions do not count twice.
    Above EXACT_BETWEENNESS_MAX_NODES nodes, betweenness is estimated from BETWEENNESS_SAMPLE sources
    (with a fixed seed, so exports are reproducible).
    """
    simple = nx.Graph()
    simple.add_nodes_from(g.nodes)
    simple.add_edges_from((u, v) for u, v in g.edges() if u != v)
    n = simple.number_of_nodes()
    if n > EXACT_BETWEENNESS_MAX_NODES:
        betweenness = nx.betweenness_centrality(simple, k=BETWEENNESS_SAMPLE, seed=0)
    else:
        betweenness = nx.betweenness_centrality(simple)
    for node in g.nodes:
        g.nodes[node]["degree"] = int(simple.degree(node))
        g.nodes[node]["betweenness"] = float(betweenness.get(node, 0.0))
    return g


# --- queries and checks ----------------------------------------------------------------------------------


def _run(store: Queryable, name: str, territory: str | None = None) -> list[dict[str, str | None]]:
    return store.rows(queries.internal(name).bind({"territory": territory} if territory else {}))


def _nodes(store: Queryable) -> dict[str, _Node]:
    nodes: dict[str, _Node] = {}
    for row in _run(store, "network-nodes"):
        iri = row["node"]
        if not iri:
            continue
        nodes[iri] = _Node(
            iri=iri,
            type=_local_name(row.get("type") or ""),
            label=row.get("label") or _local_name(iri),
            code=row.get("code") or None,
            actor=row.get("actor") == "true",
            area=row.get("area") == "true",
        )
    return nodes


def _full(store: Queryable, territory: str | None) -> tuple[nx.MultiDiGraph, dict[str, _Node]]:
    nodes = _nodes(store)
    territory = _territory(nodes, territory)
    g = nx.MultiDiGraph(name="Territoires d'industrie: full network", kind="full")
    if territory:
        g.graph["territory"] = territory
        _add_node(g, nodes, territory)
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in _run(store, "network-edges", territory):
        s, relation, o = row["s"], row["relation"], row["o"]
        if not s or not relation or not o:
            continue
        edge = edges.setdefault(
            (s, relation, o),
            {
                "label": row.get("relationLabel") or _local_name(relation),
                "via": set(),
                "roles": set(),
                "areas": set(),
                "sources": set(),
            },
        )
        if row.get("via"):
            edge["via"].add(row["via"])
        edge["roles"].update((row.get("roles") or "").split())
        edge["areas"].update((row.get("areas") or "").split())
        if row.get("doc"):
            edge["sources"].add(row["doc"])
    for (s, relation, o), edge in edges.items():
        _add_node(g, nodes, s)
        _add_node(g, nodes, o)
        attrs: dict[str, Any] = {
            "relation": relation,
            "relation_label": edge["label"],
            "label": edge["label"],
            "sources": sorted(edge["sources"]),
        }
        for name in ("via", "roles", "areas"):
            if edge[name]:
                attrs[name] = sorted(edge[name])
        g.add_edge(s, o, key=relation, **attrs)
    return g, nodes


def _steps(g: nx.MultiDiGraph, u: str, v: str) -> list[dict[str, Any]]:
    """Every edge between two adjacent nodes of a path, as steps from u to v."""
    steps = []
    for a, b, inverse in ((u, v, False), (v, u, True)):
        for relation, data in sorted((g.get_edge_data(a, b) or {}).items()):
            steps.append(
                {
                    "from": u,
                    "from_label": g.nodes[u].get("label", u),
                    "to": v,
                    "to_label": g.nodes[v].get("label", v),
                    "relation": relation,
                    "relation_label": data.get("relation_label", _local_name(relation)),
                    "inverse": inverse,
                    "via": list(data.get("via", [])),
                    "roles": list(data.get("roles", [])),
                    "sources": list(data.get("sources", [])),
                }
            )
    return steps


def _add_node(g: nx.Graph, nodes: dict[str, _Node], iri: str) -> None:
    if iri in g:
        return
    node = nodes.get(iri)
    g.add_node(iri, **(node.attributes() if node else {"type": "Resource", "label": _local_name(iri), "iri": iri}))


def _check_iri(value: object, what: str) -> str:
    if not isinstance(value, str) or not _ABSOLUTE_IRI.match(value):
        raise UsageError(f"{what} must be an absolute IRI, not {value!r}")
    try:
        ox.NamedNode(value)
    except ValueError as e:
        raise UsageError(f"{what} {value!r} is not a valid IRI: {e}") from None
    return value


def _known(nodes: dict[str, _Node], iri: str) -> None:
    if iri not in nodes:
        raise UsageError(
            f"unknown resource {iri!r}: it is not a node of the network (involvements and mandates are edges; "
            "roles and other concepts, amounts and documents are attributes)"
        )


def _territory(nodes: dict[str, _Node], territory: str | None) -> str | None:
    if territory is None or territory == "":
        return None
    territory = _check_iri(territory, "territory")
    if territory not in nodes or not nodes[territory].area:
        raise UsageError(
            f"unknown territory {territory!r}: not a territory, intercommunalité or other area of the graph"
        )
    return territory


def _local_name(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] if iri else iri
