"""A SHACL validation report for people (`kg.ingest.validate.ValidationResult`), the page POST /validate answers
to a browser and `kg validate --format html` prints.

The verdict first, then one table per severity (templates/validation_report.html): each result's focus node
linked to its page, its value, its message (in the language the result was put in, French by default) and the
rule it breaks, linked to that rule on /shapes.
"""

from __future__ import annotations

from dataclasses import replace

from kg.docs.shapes import model
from kg.ingest.report import ValidationIssue, ValidationResult

from ..web.shapes_page import HELPERS, plural
from ..web.templating import render

REPORT_SECTIONS = {
    "Violation": ("Violations", "violation", "violations"),
    "Warning": ("Avertissements", "avertissement", "avertissements"),
    "Info": ("Informations", "information", "informations"),
}


def verdict(result: ValidationResult) -> str:
    """The verdict in one French sentence: "Conforme" or "Non conforme : N violations, M avertissements"."""
    warnings = plural(len(result.warnings), "avertissement", "avertissements")
    if result.conforms:
        return "Conforme" + (f" ({warnings})" if result.warnings else "")
    return f"Non conforme : {plural(len(result.violations), 'violation', 'violations')}, {warnings}"


def sections_of(result: ValidationResult) -> list[tuple[str, tuple[str, str, str], list[ValidationIssue]]]:
    """The issues by severity — violations, warnings, information, then any other — each with its section's
    title and its words for one and for several."""
    by_severity: dict[str, list[ValidationIssue]] = {}
    for issue in result.issues:
        by_severity.setdefault(issue.severity, []).append(issue)
    order = [*model.SEVERITIES, *sorted(set(by_severity) - set(model.SEVERITIES))]
    return [(s, REPORT_SECTIONS.get(s, (s, s, s)), by_severity[s]) for s in order if s in by_severity]


def with_languages(result: ValidationResult) -> ValidationResult:
    """The result with each message a `model.Text` that knows its language, so that the page marks an English
    one `lang="en"` and leaves a French one unmarked (an untagged message is pySHACL's own, in English)."""
    issues = [replace(i, message=model.Text(i.message, i.message_language)) for i in result.issues]
    return ValidationResult(result.conforms, issues, result.report_graph, result.language)


def render_report(result: ValidationResult, *, source_name: str | None = None) -> str:
    """The whole report page, its messages in the result's language (`ValidationResult.in_language`);
    `source_name` (a file name) goes into the heading and the title."""
    result = with_languages(result)
    return render(
        "validation_report.html",
        result=result,
        verdict=verdict(result),
        sections=sections_of(result),
        source_name=source_name,
        **HELPERS,
    )
