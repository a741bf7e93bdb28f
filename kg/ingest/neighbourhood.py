"""The part of a graph the shapes can see from some focus nodes: what a write is validated on.

Validating a write used to read the whole merged graph into rdflib (80 s at 1 M triples) although pySHACL
then looks only at the focus nodes and what their shapes reach. `reach_of` reads from the shapes how far
that is — how many steps of outgoing edges the core constraints follow (`sh:path` lengths, through `sh:node`,
`sh:class`, `sh:qualifiedValueShape`, `sh:or`…), which incoming edges `sh:targetObjectsOf` needs, and the
triple patterns of every SPARQL constraint and target — and `neighbourhood` fetches exactly those triples
from a `TripleSource`: the scratch Oxigraph store of a local write, or any SPARQL 1.1 store (CONSTRUCT queries
with `VALUES`), overlaid with a change not yet applied there.

A SPARQL query's patterns are followed from `$this` outwards, each variable taking every value any pattern
gives it: a superset of what any solution binds, so every triple a solution uses is fetched. When the shapes
use what this cannot bound — `*`/`+` paths, inverse or negated paths in core constraints, a pattern not
connected to `$this`, an unbounded `sh:node` recursion — `reach_of` says `complete=False` and callers
validate the whole graph, as before. tests/kg/ingest/test_neighbourhood.py checks, on every broken fixture,
that validating the neighbourhood gives the results whole-graph validation gives on the same focus nodes.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH
from rdflib.paths import AlternativePath, InvPath, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kg.sources.namespaces import RDFS as RDFS_IRI

Node = ox.NamedNode | ox.BlankNode
Value = ox.NamedNode | ox.BlankNode | ox.Literal

MAX_DEPTH = 6
"""Past this many shapes nested in one another (`sh:node`, `sh:property`, `sh:or`…) the shapes are said to
reach too far (`complete=False`): a recursive shape would otherwise never end."""


class TripleSource(Protocol):
    """Where the neighbourhood is read from: triples of the merged graph matching a few bound terms."""

    def outgoing(self, subjects: Collection[Node], predicate: ox.NamedNode | None) -> Iterable[ox.Triple]:
        """The triples whose subject is one of `subjects` (and whose predicate is `predicate`, if given)."""

    def incoming(self, objects: Collection[Value], predicate: ox.NamedNode) -> Iterable[ox.Triple]:
        """The triples whose object is one of `objects` and whose predicate is `predicate`."""

    def outgoing_by_predicate(self, predicate: ox.NamedNode) -> Iterable[ox.Triple]:
        """Every triple with that predicate (for small vocabularies: rdfs:subClassOf)."""

    def everything(self) -> Iterable[ox.Triple]:
        """The whole merged graph: what is validated when the shapes reach too far for a neighbourhood."""


class StoreSource:
    """The default graph (the merge) of an Oxigraph store, read by pattern: microseconds per node."""

    def __init__(self, db: ox.Store) -> None:
        self.db = db

    def outgoing(self, subjects: Collection[Node], predicate: ox.NamedNode | None) -> Iterator[ox.Triple]:
        default = ox.DefaultGraph()
        for s in subjects:
            yield from (q.triple for q in self.db.quads_for_pattern(s, predicate, None, default))

    def incoming(self, objects: Collection[Value], predicate: ox.NamedNode) -> Iterator[ox.Triple]:
        default = ox.DefaultGraph()
        for o in objects:
            yield from (q.triple for q in self.db.quads_for_pattern(None, predicate, o, default))

    def outgoing_by_predicate(self, predicate: ox.NamedNode) -> Iterator[ox.Triple]:
        return (q.triple for q in self.db.quads_for_pattern(None, predicate, None, ox.DefaultGraph()))

    def everything(self) -> Iterator[ox.Triple]:
        return (q.triple for q in self.db.quads_for_pattern(None, None, None, ox.DefaultGraph()))


class Overlay:
    """A source with a change applied on top, for a store the change has not reached yet (a remote write
    is validated before anything is sent)."""

    def __init__(self, base: TripleSource, added: Iterable[ox.Triple], removed: Iterable[ox.Triple]) -> None:
        self.base = base
        self.added = set(added)
        self.removed = set(removed) - self.added

    def outgoing(self, subjects: Collection[Node], predicate: ox.NamedNode | None) -> Iterator[ox.Triple]:
        wanted = set(subjects)
        yield from (t for t in self.base.outgoing(subjects, predicate) if t not in self.removed)
        yield from (t for t in self.added if t.subject in wanted and (predicate is None or t.predicate == predicate))

    def incoming(self, objects: Collection[Value], predicate: ox.NamedNode) -> Iterator[ox.Triple]:
        wanted = set(objects)
        yield from (t for t in self.base.incoming(objects, predicate) if t not in self.removed)
        yield from (t for t in self.added if t.object in wanted and t.predicate == predicate)

    def outgoing_by_predicate(self, predicate: ox.NamedNode) -> Iterator[ox.Triple]:
        yield from (t for t in self.base.outgoing_by_predicate(predicate) if t not in self.removed)
        yield from (t for t in self.added if t.predicate == predicate)

    def everything(self) -> Iterator[ox.Triple]:
        yield from (t for t in self.base.everything() if t not in self.removed and t not in self.added)
        yield from self.added


# --- what the shapes reach ----------------------------------------------------------------------------------

Term = rdflib.term.Node
Pattern = tuple[Term, Term | None, Term]  # subject, predicate (None: a variable), object; Variables stand open


@dataclass(frozen=True)
class Query:
    """The triple patterns of one SPARQL constraint or target, and whether `$this` is only a nested shape's."""

    patterns: tuple[Pattern, ...]
    nested: bool  # the shape has no target of its own: `$this` may be any node the core constraints reach


@dataclass(frozen=True)
class Reach:
    """How far the shapes look from a focus node (see the module docstring)."""

    depth: int = 1
    incoming: frozenset[str] = frozenset()  # predicates of sh:targetObjectsOf: edges into the focus nodes
    queries: tuple[Query, ...] = ()
    complete: bool = True
    why: str = ""  # when not complete: what the shapes use that the neighbourhood cannot bound


class _Unbounded(Exception):
    """The shapes use something the neighbourhood cannot bound; its message says what."""


@functools.lru_cache(maxsize=8)
def _cached_reach(shapes_key: int, shapes: rdflib.Graph) -> Reach:  # keyed by identity: shapes load once
    try:
        return _reach(shapes)
    except _Unbounded as e:
        return Reach(complete=False, why=str(e))


def reach_of(shapes: rdflib.Graph) -> Reach:
    """What the shapes reach from a focus node; worked out once per shapes graph."""
    return _cached_reach(id(shapes), shapes)


def _reach(shapes: rdflib.Graph) -> Reach:
    targeted = {s for p in _TARGETS for s in shapes.subjects(p, None)} | set(shapes.subjects(RDF.type, SH.NodeShape))
    depth = max((_shape_depth(shapes, s, 0) for s in targeted), default=1)
    incoming = frozenset(str(p) for p in shapes.objects(None, SH.targetObjectsOf))
    prefixes = "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for d in shapes.objects(None, SH.declare)
    )
    has_target = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    queries = []
    for owner, pred in itertools.chain(
        ((s, o) for s, o in shapes.subject_objects(SH.sparql)), ((s, o) for s, o in shapes.subject_objects(SH.target))
    ):
        select = shapes.value(pred, SH.select)
        if select is None:
            if (pred, RDF.type, SH.SPARQLTarget) in shapes or pred in has_target:
                raise _Unbounded(f"a SPARQL target or constraint of {owner} without sh:select")
            continue
        patterns = _patterns(prefixes + str(select))
        _check_connected(patterns, owner)
        queries.append(Query(patterns, nested=owner not in has_target))
    return Reach(depth=max(depth, 1), incoming=incoming, queries=tuple(queries))


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_SHAPE_LISTS = (SH["or"], SH["and"], SH.xone)
_SHAPE_VALUES = (SH.node, SH["not"], SH.qualifiedValueShape)


def _shape_depth(shapes: rdflib.Graph, shape: Term, level: int) -> int:
    """Steps of outgoing edges the shape's core constraints follow from its focus node."""
    if level > MAX_DEPTH:
        raise _Unbounded("shapes nested deeper than the neighbourhood follows")
    path = shapes.value(shape, SH.path)
    steps = 0 if path is None else _path_length(shapes, path)
    depth = steps
    if any(shapes.value(shape, p) is not None for p in (SH.lessThan, SH.lessThanOrEquals, SH.equals, SH.disjoint)):
        depth = max(depth, 1)  # compared with another property of the focus node
    if shapes.value(shape, SH.closed) is not None or shapes.value(shape, SH["class"]) is not None:
        depth = max(depth, steps + 1)  # the value nodes' own edges: their types, or all of them
    nested: list[Term] = [o for p in (*_SHAPE_VALUES, SH.property) for o in shapes.objects(shape, p)]
    for p in _SHAPE_LISTS:
        for lst in shapes.objects(shape, p):
            nested += list(shapes.items(lst))
    for other in nested:  # applied to the value nodes (the focus node itself for a node shape: steps = 0)
        depth = max(depth, steps + _shape_depth(shapes, other, level + 1))
    if shapes.value(shape, SH.qualifiedValueShapesDisjoint) is not None:
        depth = max(depth, steps + 1)
    return depth


def _path_length(shapes: rdflib.Graph, path: Term) -> int:
    if isinstance(path, rdflib.URIRef):
        return 1
    alternative = shapes.value(path, SH.alternativePath)
    if alternative is not None:
        return max(_path_length(shapes, p) for p in shapes.items(alternative))
    if (path, RDF.first, None) in shapes:
        return sum((_path_length(shapes, p) for p in shapes.items(path)), 0)
    raise _Unbounded(f"a property path the neighbourhood does not follow ({shapes.cbd(path).serialize()})")


def _check_connected(patterns: tuple[Pattern, ...], owner: Term) -> None:
    """Every pattern must share a variable with `$this`, through the others, or start at a constant."""
    bound, left = {"this"}, list(patterns)
    while True:
        joined = [pat for pat in left if not isinstance(pat[0], rdflib.Variable) or {str(pat[0]), str(pat[2])} & bound]
        if not joined:
            break
        for pat in joined:
            left.remove(pat)
            bound |= {str(t) for t in pat if isinstance(t, rdflib.Variable)}
    if left:
        raise _Unbounded(f"a SPARQL pattern of {owner} not connected to $this: {left[0]}")


def _patterns(query: str) -> tuple[Pattern, ...]:
    """Every triple pattern of a SELECT, EXISTS and NOT EXISTS included, paths spelled out as patterns."""
    found: list[Pattern] = []
    fresh = (rdflib.Variable(f"_path{i}") for i in itertools.count())

    def add(s: Term, p: object, o: Term) -> None:
        if isinstance(p, rdflib.Variable):
            found.append((s, None, o))
        elif isinstance(p, rdflib.URIRef):
            found.append((s, p, o))
        elif isinstance(p, AlternativePath):
            for a in p.args:
                add(s, a, o)
        elif isinstance(p, SequencePath):
            nodes = [s, *(next(fresh) for _ in p.args[1:]), o]
            for a, (x, y) in zip(p.args, itertools.pairwise(nodes), strict=True):
                add(x, a, y)
        elif isinstance(p, InvPath):
            add(o, p.arg, s)
        else:
            raise _Unbounded(f"a SPARQL property path the neighbourhood does not follow: {p}")

    def walk(node: object) -> None:
        if isinstance(node, CompValue):
            if node.name == "BGP":
                for s, p, o in node.triples:
                    add(s, p, o)
            for value in node.values():
                walk(value)
        elif isinstance(node, list | tuple):
            for item in node:
                walk(item)

    walk(prepareQuery(query).algebra)
    return tuple(found)


# --- fetching it ---------------------------------------------------------------------------------------------


def neighbourhood(source: TripleSource, focus: Collection[str], reach: Reach) -> set[ox.Triple]:
    """The triples the shapes can see from `focus` (IRIs), read from `source`; `reach.complete` must hold.

    Raises `ValueError` when a SPARQL pattern cannot be reached from `$this` (then validate the whole graph).
    """
    if not reach.complete:
        raise ValueError(f"the shapes reach too far for a neighbourhood: {reach.why}")
    nodes: set[Node] = {ox.NamedNode(f) for f in focus}
    # class targets and sh:class follow rdfs:subClassOf in the data graph: the hierarchy comes whole
    found = set(source.outgoing_by_predicate(ox.NamedNode(RDFS_IRI + "subClassOf")))
    for p in reach.incoming:
        found |= set(source.incoming(nodes, ox.NamedNode(p)))
    frontier, reached, seen = set(nodes), set(nodes), set[Node]()
    for _ in range(reach.depth):
        step = set(source.outgoing(frontier - seen, None))
        seen |= frontier
        found |= step
        frontier = {t.object for t in step if isinstance(t.object, ox.NamedNode | ox.BlankNode)} - seen
        reached |= frontier
    while blanks := {n for n in frontier if isinstance(n, ox.BlankNode)} - seen:  # blank nodes whole (CBD)
        step = set(source.outgoing(blanks, None))
        seen |= blanks
        found |= step
        frontier = {t.object for t in step if isinstance(t.object, ox.BlankNode)}
    for q in reach.queries:
        found |= _follow(source, q.patterns, reached if q.nested else nodes)
    return found


def _follow(source: TripleSource, patterns: tuple[Pattern, ...], start: set[Node]) -> set[ox.Triple]:
    """The triples matching `patterns` with `$this` in `start`, every variable taking every value found.

    A pattern is read from its subject's side when that is bound (a node's own edges are few), else from its
    object's side when a variable bound it; a pattern held only by a constant object (`?x a ti:Commune`)
    waits until nothing else binds its subject, since read from that side it would be every commune.
    """
    values: dict[str, set[Value]] = {"this": set(start)}
    asked: dict[tuple[int, str], set[Value]] = {}
    found: set[ox.Triple] = set()

    def fetch(i: int, side: str, terms: set[Value], pred: ox.NamedNode | None) -> set[ox.Triple]:
        done = asked.setdefault((i, side), set())
        new = terms - done
        done |= new
        if not new:
            return set()
        if side == "s":
            return set(source.outgoing([t for t in new if not isinstance(t, ox.Literal)], pred))
        assert pred is not None
        return set(source.incoming(new, pred))

    def bind(step: set[ox.Triple], s: Term, o: Term) -> bool:
        grew = False
        for term, pick in ((s, lambda t: t.subject), (o, lambda t: t.object)):
            if isinstance(term, rdflib.Variable) and step:
                have = values.setdefault(str(term), set())
                got = {pick(t) for t in step}
                if not got <= have:
                    have |= got
                    grew = True
        return grew

    def one_pass(constants: bool) -> bool:
        grew = False
        for i, (s, p, o) in enumerate(patterns):
            pred = None if p is None else ox.NamedNode(str(p))
            subjects, objects = _values(s, values), _values(o, values)
            if subjects is not None:
                step = fetch(i, "s", subjects, pred)
            elif objects is not None and pred is not None and (constants or isinstance(o, rdflib.Variable)):
                step = fetch(i, "o", objects, pred)
            else:
                continue
            found.update(step)
            grew = bind(step, s, o) or grew
        return grew

    while one_pass(False) or one_pass(True):
        pass
    return found


def _values(term: Term, values: dict[str, set[Value]]) -> set[Value] | None:
    """The values a pattern position may take: a constant's one, a variable's found so far, or None."""
    if isinstance(term, rdflib.Variable):
        return values.get(str(term))
    if isinstance(term, rdflib.URIRef):
        return {ox.NamedNode(str(term))}
    if isinstance(term, rdflib.Literal):
        if term.language:
            return {ox.Literal(str(term), language=term.language)}
        return {ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)}
    return None
