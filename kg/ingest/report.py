"""What a SHACL validation says, in the forms people and programs read: text, Turtle, JSON.

Kept apart from the validation itself so that the typed errors (kg.errors.ValidationFailed) can carry a
report without importing the validator.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import rdflib


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
