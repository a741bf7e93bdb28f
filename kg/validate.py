"""SHACL validation of data against the project's shapes, with the ontology mixed in.

The ontology (classes and the controlled vocabularies: roles, units, qualifiers…) is merged into the data
graph before validation, so `sh:targetClass ti:Actor` also reaches instances of its subclasses (SHACL
follows `rdfs:subClassOf` in the data graph) and `sh:class ti:Role` finds the roles the ontology defines.
pySHACL's own `ont_graph` mix-in copies only class axioms, not the vocabulary's instances.
Only `sh:Violation` breaks conformance; `sh:Warning` and `sh:Info` are reported but accepted.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH, SKOS

from kg import store as kgstore
from kg.rdf_io import parse_files, rdf_files, to_rdflib_graph


@dataclass(frozen=True)
class ValidationIssue:
    """One result of the SHACL report, flattened for people and programs."""

    severity: str
    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str | None
    constraint: str | None


@dataclass
class ValidationResult:
    """What a validation run says: conformance, the issues, and the raw SHACL report."""

    conforms: bool
    issues: list[ValidationIssue] = field(default_factory=list)
    report_graph: rdflib.Graph = field(default_factory=rdflib.Graph)

    @property
    def violations(self) -> list[ValidationIssue]:
        return [i for i in self.issues if i.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationIssue]:
        return [i for i in self.issues if i.severity == "Warning"]

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": len(self.violations),
                "warnings": len(self.warnings),
                "results": [asdict(i) for i in self.issues],
            },
            ensure_ascii=False,
            indent=2,
        )

    def to_turtle(self) -> str:
        return self.report_graph.serialize(format="turtle")

    def to_text(self) -> str:
        head = "Conforms." if self.conforms else f"Does NOT conform: {len(self.violations)} violation(s)."
        lines = [head + f" {len(self.warnings)} warning(s)."]
        for i in self.issues:
            label = f" ({i.focus_label})" if i.focus_label else ""
            path = f" path {i.path}" if i.path else ""
            value = f" value {i.value}" if i.value else ""
            lines.append(f"- [{i.severity}] {i.focus_node}{label}{path}{value}: {i.message}")
        return "\n".join(lines)


def load_graph_dir(directory: Path) -> rdflib.Graph:
    """Every RDF file of a directory, merged into one rdflib graph."""
    return to_rdflib_graph(parse_files(rdf_files(directory)))


def validate_graph(
    data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph, focus: set[str] | None = None
) -> ValidationResult:
    """Validate `data` (plus `ontology`) against `shapes`; never raises for non-conforming data.

    With `focus`, only those nodes (IRIs) are checked — the nodes a change touched: a 10 000-triple graph
    then validates in a tenth of a second instead of seconds.
    """
    if focus is not None and not focus:
        return ValidationResult(conforms=True)
    merged = rdflib.Graph()
    merged += data
    merged += ontology
    _, report_graph, _ = pyshacl.validate(
        merged,
        shacl_graph=shapes,
        inference="none",
        inplace=True,
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        focus_nodes=sorted(focus) if focus else None,
    )
    issues = _issues(report_graph, data)
    conforms = not any(i.severity == "Violation" for i in issues)
    return ValidationResult(conforms=conforms, issues=issues, report_graph=report_graph)


FOCUS_LIMIT = 2000
"""Past this many touched nodes the whole graph is validated: pySHACL looks focus nodes up in a list."""


def focus_of(triples: Iterable[ox.Triple]) -> set[str] | None:
    """The nodes a change touches — subject and object IRIs — or None to validate the whole graph: when a
    blank node is among them (pySHACL's focus filter only takes IRIs) or when they are very many."""
    touched: set[str] = set()
    for t in triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode):
                touched.add(term.value)
            elif isinstance(term, ox.BlankNode):
                return None
    return touched if len(touched) <= FOCUS_LIMIT else None


def validate_change(
    merged: Iterable[ox.Quad],
    changed: Iterable[ox.Triple],
    shapes: rdflib.Graph,
    neighbours: set[str] | None = None,
) -> ValidationResult:
    """Validate a graph after a change, on the nodes the change touched (the whole graph for blank nodes).

    `neighbours` are the nodes that point to a changed subject: they are checked too, since their
    `sh:class` or `sh:node` constraints may depend on what it lost (its type, say).
    """
    changed = list(changed)
    focus = focus_of(changed)
    if focus is not None and neighbours:
        focus |= neighbours
        if len(focus) > FOCUS_LIMIT:
            focus = None
    if focus is not None and not focus:
        return ValidationResult(conforms=True)
    return validate_graph(to_rdflib_graph(merged), shapes, rdflib.Graph(), focus=focus)


def validate_upload(store: Path, upload: list[ox.Quad], shapes: rdflib.Graph) -> ValidationResult:
    """An upload as it would be if written: merged with the current graph (the ontology included), so its
    references to existing territories and actors resolve; the report covers the upload's own nodes."""
    current = kgstore.open_read_only(store).quads_for_pattern(None, None, None, ox.DefaultGraph())
    triples = [q.triple for q in upload]
    merged = itertools.chain(current, (ox.Quad(t.subject, t.predicate, t.object) for t in triples))
    return validate_change(merged, triples, shapes)


def _issues(report: rdflib.Graph, data: rdflib.Graph) -> list[ValidationIssue]:
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        sev = report.value(r, SH.resultSeverity)
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        out.append(
            ValidationIssue(
                severity=str(sev).rsplit("#", 1)[-1] if sev else "Violation",
                focus_node=str(focus),
                focus_label=_label(data, focus),
                path=str(path) if path is not None else None,
                value=str(value) if value is not None else None,
                message="; ".join(str(m) for m in report.objects(r, SH.resultMessage)),
                shape=_str(report.value(r, SH.sourceShape)),
                constraint=_str(report.value(r, SH.sourceConstraintComponent)),
            )
        )
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    return sorted(out, key=lambda i: (order.get(i.severity, 3), i.focus_node, i.path or "", i.message))


def _label(g: rdflib.Graph, node: rdflib.term.Node | None) -> str | None:
    if node is None:
        return None
    labels = list(g.objects(node, SKOS.prefLabel)) + list(g.objects(node, RDFS.label))  # type: ignore[arg-type]
    fr = [lab for lab in labels if getattr(lab, "language", None) == "fr"]
    chosen = (fr or labels)[:1]
    return str(chosen[0]) if chosen else None


def _str(node: rdflib.term.Node | None) -> str | None:
    return None if node is None or isinstance(node, rdflib.BNode) else str(node)
