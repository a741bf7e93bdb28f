"""What a SHACL validation says, in the forms people and programs read: text, Turtle, JSON.

Kept apart from the validation itself so that the typed errors (kg.errors.ValidationFailed) can carry a
report without importing the validator.

The shapes' messages are written in French and English (`sh:message "…"@fr, "…"@en`): an issue keeps them
all (`messages`, by language) and shows one (`message`), French unless a reader asked for another language
(`ValidationResult.in_language`). The Turtle report keeps every language; text and JSON show the chosen one,
and the text report's own words (its verdict, severities) are in that language too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import rdflib

DEFAULT_LANGUAGE = "fr"
"""The site's language, and the report's unless a reader asks for another one."""


def choose_message(messages: Mapping[str, str], language: str = DEFAULT_LANGUAGE) -> str:
    """The text of `messages` (language tag → text, "" for untagged) in `language`, else the untagged one, else
    French, else English, else the first."""
    wanted = language.split("-")[0].lower()
    by_primary: dict[str, str] = {}
    for tag, text in messages.items():
        by_primary.setdefault(tag.split("-")[0].lower(), text)
    for tag in (wanted, "", DEFAULT_LANGUAGE, "en"):
        if tag in by_primary:
            return by_primary[tag]
    return next(iter(messages.values()), "")


@dataclass(frozen=True)
class ValidationIssue:
    """One result of the SHACL report, flattened for people and programs.

    `message` is the text shown (in the report's language); `messages` every text the shapes give, by
    language tag ("" for an untagged one).
    """

    severity: str
    focus_node: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str | None
    constraint: str | None
    messages: Mapping[str, str] = field(default_factory=dict, hash=False)

    def in_language(self, language: str) -> ValidationIssue:
        """The same issue, its message in `language` (or the nearest, `choose_message`)."""
        return replace(self, message=choose_message(self.messages, language)) if self.messages else self

    @property
    def message_language(self) -> str | None:
        """The language tag of the message shown (None when untagged or not one of `messages`)."""
        return next((tag or None for tag, text in self.messages.items() if text == self.message), None)

    def to_dict(self) -> dict[str, str | None]:
        """The issue for JSON: its message in the report's language only."""
        return {
            "severity": self.severity,
            "focus_node": self.focus_node,
            "focus_label": self.focus_label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "shape": self.shape,
            "constraint": self.constraint,
        }


@dataclass
class ValidationResult:
    """What a validation run says: conformance, the issues, and the raw SHACL report."""

    conforms: bool
    issues: list[ValidationIssue] = field(default_factory=list)
    report_graph: rdflib.Graph = field(default_factory=rdflib.Graph)
    language: str = DEFAULT_LANGUAGE

    @property
    def violations(self) -> list[ValidationIssue]:
        return [i for i in self.issues if i.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationIssue]:
        return [i for i in self.issues if i.severity == "Warning"]

    def in_language(self, language: str) -> ValidationResult:
        """The same result, every message in `language` (a primary tag such as "en"); the Turtle report is
        unchanged, since it carries every language."""
        issues = [i.in_language(language) for i in self.issues]
        return ValidationResult(self.conforms, issues, self.report_graph, language.split("-")[0].lower())

    def to_json(self) -> str:
        return json.dumps(
            {
                "conforms": self.conforms,
                "violations": len(self.violations),
                "warnings": len(self.warnings),
                "language": self.language,
                "results": [i.to_dict() for i in self.issues],
            },
            ensure_ascii=False,
            indent=2,
        )

    def to_turtle(self) -> str:
        return self.report_graph.serialize(format="turtle")

    def to_text(self) -> str:
        """The report for a terminal or `text/plain`: a verdict, then one line per issue, every word in the
        report's language (French, or English for `en`)."""
        words = _TEXT_WORDS.get(self.language, _TEXT_WORDS[DEFAULT_LANGUAGE])
        lines = [words.heading(self.conforms, len(self.violations), len(self.warnings))]
        for i in self.issues:
            label = f" ({i.focus_label})" if i.focus_label else ""
            path = f" {words.path} {i.path}" if i.path else ""
            value = f" {words.value} {i.value}" if i.value else ""
            severity = words.severities.get(i.severity, i.severity)
            lines.append(f"- [{severity}] {i.focus_node}{label}{path}{value}{words.colon} {i.message}")
        return "\n".join(lines)


def _count(n: int, singular: str, plural: str) -> str:
    """The count and its noun ("0 avertissement", "2 violations"): in French, 0 and 1 take the singular."""
    return f"{n} {singular if n <= 1 else plural}"


def _french_heading(conforms: bool, violations: int, warnings: int) -> str:
    counted = _count(warnings, "avertissement", "avertissements")
    if conforms:
        return f"Conforme, {counted}."
    return f"Non conforme : {_count(violations, 'violation', 'violations')}, {counted}."


def _english_heading(conforms: bool, violations: int, warnings: int) -> str:
    head = "Conforms." if conforms else f"Does NOT conform: {violations} violation(s)."
    return f"{head} {warnings} warning(s)."


@dataclass(frozen=True)
class _Words:
    """The words of the text report in one language."""

    heading: Callable[[bool, int, int], str]  # (conforms, violations, warnings) → the first line
    severities: Mapping[str, str]  # sh:Violation's local name → its name in this language
    path: str
    value: str
    colon: str  # before the message: French puts a space before the colon


_TEXT_WORDS: dict[str, _Words] = {
    "fr": _Words(
        _french_heading,
        {"Violation": "Violation", "Warning": "Avertissement", "Info": "Information"},
        "chemin",
        "valeur",
        " :",
    ),
    "en": _Words(_english_heading, {}, "path", "value", ":"),
}
