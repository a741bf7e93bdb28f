"""SHACL validation of data against the project's shapes, with the ontology mixed in.

The ontology (classes and the controlled vocabularies: roles, units, qualifiers…) is merged into the data
graph before validation, so `sh:targetClass ti:Actor` also reaches instances of its subclasses (SHACL
follows `rdfs:subClassOf` in the data graph) and `sh:class ti:Role` finds the roles the ontology defines.
pySHACL's own `ont_graph` mix-in copies only class axioms, not the vocabulary's instances.
Only `sh:Violation` breaks conformance; `sh:Warning` and `sh:Info` are reported but accepted.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query

from kg.ingest.neighbourhood import Overlay, Reach, TripleSource, neighbourhood, reach_of
from kg.ingest.report import ValidationIssue, ValidationResult, choose_message
from kg.sources.labels import pick
from kg.sources.rdf_io import parse_files, rdf_files, to_rdflib_graph


def load_graph_dir(directory: Path) -> rdflib.Graph:
    """Every RDF file of a directory, merged into one rdflib graph."""
    return to_rdflib_graph(parse_files(rdf_files(directory)))


def validate_graph(
    data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph, focus: set[str] | None = None
) -> ValidationResult:
    """Validate `data` (plus `ontology`) against `shapes`; never raises for non-conforming data.

    With `focus`, only those nodes (IRIs) are checked — the nodes a change touched: a 10 000-triple graph
    then validates in a fraction of a second instead of seconds (see `_focused_reports`).
    """
    if focus is not None and not focus:
        return ValidationResult(conforms=True)
    merged = rdflib.Graph()
    merged += data
    merged += ontology
    options: dict[str, Any] = {
        "inference": "none",
        "inplace": True,
        "advanced": True,
        "allow_warnings": True,
        "allow_infos": True,
    }
    if focus is None:
        _, report_graph, _ = pyshacl.validate(merged, shacl_graph=shapes, **options)
    else:
        reports = []
        for shape_group, nodes in _focused_groups(merged, shapes, {rdflib.URIRef(f) for f in focus}):
            _, report, _ = pyshacl.validate(
                merged, shacl_graph=shapes, use_shapes=list(shape_group), focus_nodes=list(nodes), **options
            )
            reports.append(report)
        report_graph = _merge_reports(reports)
    _tag_messages(report_graph, shapes)
    issues = _issues(report_graph, data)
    conforms = not any(i.severity == "Violation" for i in issues)
    return ValidationResult(conforms=conforms, issues=issues, report_graph=report_graph)


def _focused_groups(
    data: rdflib.Graph, shapes: rdflib.Graph, focus: set[rdflib.URIRef]
) -> list[tuple[list[rdflib.URIRef], list[rdflib.URIRef]]]:
    """(shapes, focus nodes) pairs: each shape with the focus nodes among its targets.

    pySHACL's own `focus_nodes` option filters the value nodes of nested shapes too (`sh:or`, `sh:node`…),
    which then pass vacuously; given `use_shapes` as well, it applies the shapes to the nodes given and
    nothing else. So the targets are matched here — class (with subclasses), subjects-of, objects-of,
    node and SPARQL targets — and each group of shapes gets exactly its focus nodes. pySHACL leaves out
    the named shapes not listed, so a node shape comes with its named `sh:property` shapes (which take the
    same focus nodes; the duplicate results are merged). Named shapes under `sh:node`, `sh:or`… would not
    take the same focus nodes: the shapes have none, and a test (tests/kg/test_validate.py) keeps it so.
    """
    prefixes = "".join(
        f"PREFIX {shapes.value(d, SH.prefix)}: <{shapes.value(d, SH.namespace)}>\n"
        for d in shapes.objects(None, SH.declare)
    )
    groups: dict[frozenset[rdflib.URIRef], list[rdflib.URIRef]] = {}
    shape_nodes = {s for p in _TARGET_PREDICATES for s in shapes.subjects(p, None)}
    for shape in shape_nodes:
        if not isinstance(shape, rdflib.URIRef) or (shape, SH.deactivated, rdflib.Literal(True)) in shapes:
            continue
        nodes = frozenset(_targets_among(data, shapes, shape, focus, prefixes))
        if nodes:
            group = groups.setdefault(nodes, [])
            group.append(shape)
            group.extend(p for p in shapes.objects(shape, SH.property) if isinstance(p, rdflib.URIRef))
    return [(sorted(set(group)), sorted(nodes)) for nodes, group in groups.items()]


def _merge_reports(reports: list[rdflib.Graph]) -> rdflib.Graph:
    """One SHACL validation report from several, each result once."""
    merged = rdflib.Graph()
    node = rdflib.BNode()
    merged.add((node, RDF.type, SH.ValidationReport))
    seen: set[tuple[object, ...]] = set()
    keys = (SH.focusNode, SH.resultPath, SH.value, SH.resultMessage, SH.resultSeverity, SH.sourceShape)
    conforms = True
    for report in reports:
        for result in report.subjects(RDF.type, SH.ValidationResult):
            key = tuple(report.value(result, k) for k in keys)
            if key in seen:
                continue
            seen.add(key)
            conforms = conforms and report.value(result, SH.resultSeverity) != SH.Violation
            merged += report.cbd(result)
            merged.add((node, SH.result, result))
    merged.add((node, SH.conforms, rdflib.Literal(conforms)))
    return merged


_TARGET_PREDICATES = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)


def _targets_among(
    data: rdflib.Graph, shapes: rdflib.Graph, shape: rdflib.URIRef, focus: set[rdflib.URIRef], prefixes: str
) -> set[rdflib.URIRef]:
    found: set[rdflib.URIRef] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
        found |= {n for n in focus if any(t in classes for t in data.objects(n, RDF.type))}
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        found |= {n for n in focus if (n, prop, None) in data}
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        found |= {n for n in focus if (None, prop, n) in data}
    found |= {n for n in shapes.objects(shape, SH.targetNode) if n in focus}  # type: ignore[misc]
    for target in shapes.objects(shape, SH.target):
        select = shapes.value(target, SH.select)
        if select is None:  # a target type this code does not know: every focus node, to stay on the safe side
            return set(focus)
        query = _prepared(prefixes + str(select))
        for n in focus:
            if any(row[0] == n for row in data.query(query, initBindings={"this": n})):  # type: ignore[index]
                found.add(n)
    return found


@functools.lru_cache(maxsize=64)
def _prepared(query: str) -> Query:
    """A SPARQL target's query, parsed once (parsing costs rdflib 30 ms, evaluating it on a node far less)."""
    return prepareQuery(query)


FOCUS_LIMIT = 2000
"""Past this many touched nodes the whole graph is validated at once, which is then faster."""


def focus_of(triples: Iterable[ox.Triple]) -> set[str] | None:
    """The nodes a change touches — subject and object IRIs — or None to validate the whole graph: when a
    blank node is among them (pySHACL takes only IRIs as focus nodes) or when they are very many."""
    touched: set[str] = set()
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode):
                touched.add(term.value)
            elif isinstance(term, ox.BlankNode):
                return None
    return touched if len(touched) <= FOCUS_LIMIT else None


def validate_change(
    source: TripleSource,
    changed: Iterable[ox.Triple],
    shapes: rdflib.Graph,
    neighbours: set[str] | None = None,
    reach: Reach | None = None,
) -> ValidationResult:
    """Validate the graph `source` holds after a change, on the nodes the change touched, reading only what
    the shapes reach from them (kg.ingest.neighbourhood) — the whole graph for blank nodes, very many nodes,
    or shapes that reach too far.

    `neighbours` are the nodes that point to a changed subject: they are checked too, since their
    `sh:class` or `sh:node` constraints may depend on what it lost (its type, say). `reach` is the shapes'
    (`reach_of`), when the caller has it already: a child process would work it out again (a second).
    """
    changed = list(changed)
    focus = focus_of(changed)
    if focus is not None and neighbours:
        focus |= neighbours
        if len(focus) > FOCUS_LIMIT:
            focus = None
    if focus is not None and not focus:
        return ValidationResult(conforms=True)
    triples: Iterable[ox.Triple] | None = None
    reach = reach or reach_of(shapes)
    if focus is not None and reach.complete:
        with contextlib.suppress(ValueError):  # a pattern the neighbourhood cannot follow: the whole graph
            triples = neighbourhood(source, focus, reach)
    if triples is None:
        triples = source.everything()
    graph = to_rdflib_graph(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return validate_graph(graph, shapes, rdflib.Graph(), focus=focus)


def validate_upload(
    current: TripleSource, upload: list[ox.Quad], shapes: rdflib.Graph, reach: Reach | None = None
) -> ValidationResult:
    """An upload as it would be if written: merged with the current graph (`current`, the store's default
    graph, the ontology included), so its references to existing territories and actors resolve; the report
    covers the upload's own nodes."""
    triples = [q.triple for q in upload]
    return validate_change(Overlay(current, added=triples, removed=()), triples, shapes, reach=reach)


def _issues(report: rdflib.Graph, data: rdflib.Graph) -> list[ValidationIssue]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        sev = report.value(r, SH.resultSeverity)
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        messages = _messages(report.objects(r, SH.resultMessage))
        out.append(
            ValidationIssue(
                severity=str(sev).rsplit("#", 1)[-1] if sev else "Violation",
                focus_node=str(focus),
                focus_label=_label(data, focus),
                path=str(path) if path is not None else None,
                value=str(value) if value is not None else None,
                message=choose_message(messages),
                shape=_str(report.value(r, SH.sourceShape)),
                constraint=_str(report.value(r, SH.sourceConstraintComponent)),
                messages=messages,
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(out, key=lambda i: (order.get(i.severity, 3), i.focus_node, i.path or "", i.message))


def _messages(literals: Iterable[rdflib.term.Node]) -> dict[str, str]:
    """A result's messages by language tag ("" untagged), those of one language joined with "; " (a SPARQL
    result carries its constraint's message and its shape's)."""
    by_language: dict[str, list[str]] = {}
    for m in literals:
        by_language.setdefault(getattr(m, "language", None) or "", []).append(str(m))
    return {tag: "; ".join(sorted(texts)) for tag, texts in sorted(by_language.items())}


def _tag_messages(report: rdflib.Graph, shapes: rdflib.Graph) -> None:
    """Give back their language tags to the messages of SPARQL constraints' results, in place.

    pySHACL (0.40) writes a message whose `{?var}` it fills in as an untagged literal: the French and the
    English text of one result could not be told apart. Each such message is matched against the messages
    of the result's constraint and shape, `{?var}` standing for any text, and takes the tag of the one it
    matches (it stays untagged if none does).
    """
    for r in list(report.subjects(RDF.type, SH.ValidationResult)):
        untagged = [m for m in report.objects(r, SH.resultMessage) if isinstance(m, rdflib.Literal) and not m.language]
        if not untagged:
            continue
        constraint, shape = report.value(r, SH.sourceConstraint), report.value(r, SH.sourceShape)
        templates = [
            t
            for graph, node in ((report, constraint), (shapes, constraint), (shapes, shape))
            if node is not None
            for t in graph.objects(node, SH.message)
            if isinstance(t, rdflib.Literal) and t.language
        ]
        for m in untagged:
            tag = next((t.language for t in templates if _template(str(t)).fullmatch(str(m))), None)
            if tag is not None:
                report.remove((r, SH.resultMessage, m))
                report.add((r, SH.resultMessage, rdflib.Literal(str(m), lang=tag)))


@functools.lru_cache(maxsize=1024)
def _template(message: str) -> re.Pattern[str]:
    """A message with `{?var}` or `{$var}` placeholders as a pattern in which each stands for any text."""
    parts = re.split(r"\{[?$]\w+\}", message)
    return re.compile("(?s:.*?)".join(re.escape(p) for p in parts), re.DOTALL)


def _label(g: rdflib.Graph, node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    return pick(
        (str(o), getattr(o, "language", None))
        for p in (SKOS.prefLabel, RDFS.label)
        for o in g.objects(node, p)  # type: ignore[arg-type]
    ).text


def _str(node: rdflib.term.Node | None) -> str | None:
    return None if node is None or isinstance(node, rdflib.BNode) else str(node)
