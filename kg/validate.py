"""SHACL validation of data against the project's shapes, with the ontology mixed in.

The ontology (classes and the controlled vocabularies: roles, units, qualifiers…) is merged into the data
graph before validation, so `sh:targetClass ti:Actor` also reaches instances of its subclasses (SHACL
follows `rdfs:subClassOf` in the data graph) and `sh:class ti:Role` finds the roles the ontology defines.
pySHACL's own `ont_graph` mix-in copies only class axioms, not the vocabulary's instances.
Only `sh:Violation` breaks conformance; `sh:Warning` and `sh:Info` are reported but accepted.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import RDF, RDFS, SH, SKOS

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


def validate_graph(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph) -> ValidationResult:
    """Validate `data` (plus `ontology`) against `shapes`; never raises for non-conforming data."""
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
    )
    issues = _issues(report_graph, data)
    conforms = not any(i.severity == "Violation" for i in issues)
    return ValidationResult(conforms=conforms, issues=issues, report_graph=report_graph)


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
