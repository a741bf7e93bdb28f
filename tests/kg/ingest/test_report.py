"""The text report (`kg validate`, `text/plain` on POST /validate) speaks the report's language: its verdict,
severities and words, not only the shapes' messages."""

from __future__ import annotations

import pytest

from kg.ingest.report import ValidationIssue, ValidationResult


def _issue(severity: str, node: str, path: str | None = None, value: str | None = None) -> ValidationIssue:
    return ValidationIssue(
        severity,
        node,
        "Un libellé",
        path,
        value,
        "Message en français.",
        None,
        None,
        messages={"fr": "Message en français.", "en": "Message in English."},
    )


BROKEN = ValidationResult(
    False,
    [
        _issue("Violation", "http://example.org/a", "http://example.org/p", "12345"),
        _issue("Violation", "http://example.org/b"),
        _issue("Violation", "http://example.org/c"),
        _issue("Warning", "http://example.org/d"),
    ],
)


@pytest.mark.parametrize(
    ("result", "heading"),
    [
        (ValidationResult(True), "Conforme, 0 avertissement."),
        (ValidationResult(True, [_issue("Warning", "http://example.org/d")]), "Conforme, 1 avertissement."),
        (
            ValidationResult(
                True, [_issue("Warning", "http://example.org/d"), _issue("Warning", "http://example.org/e")]
            ),
            "Conforme, 2 avertissements.",
        ),
        (BROKEN, "Non conforme : 3 violations, 1 avertissement."),
        (
            ValidationResult(False, [_issue("Violation", "http://example.org/a")]),
            "Non conforme : 1 violation, 0 avertissement.",
        ),
    ],
)
def test_the_french_heading(result: ValidationResult, heading: str) -> None:
    assert result.language == "fr", "French by default"
    assert result.to_text().splitlines()[0] == heading


def test_the_french_lines() -> None:
    lines = BROKEN.to_text().splitlines()
    assert lines[1] == (
        "- [Violation] http://example.org/a (Un libellé) chemin http://example.org/p valeur 12345 : Message en français."
    )
    assert lines[4] == "- [Avertissement] http://example.org/d (Un libellé) : Message en français."
    assert "Conforms" not in BROKEN.to_text() and "warning" not in BROKEN.to_text()


def test_english_is_unchanged() -> None:
    english = BROKEN.in_language("en-GB")
    assert english.to_text().splitlines() == [
        "Does NOT conform: 3 violation(s). 1 warning(s).",
        "- [Violation] http://example.org/a (Un libellé) path http://example.org/p value 12345: Message in English.",
        "- [Violation] http://example.org/b (Un libellé): Message in English.",
        "- [Violation] http://example.org/c (Un libellé): Message in English.",
        "- [Warning] http://example.org/d (Un libellé): Message in English.",
    ]
    assert ValidationResult(True).in_language("en").to_text() == "Conforms. 0 warning(s)."


def test_a_language_not_offered_reads_french() -> None:
    """`in_language` keeps the primary tag it was given; a language the report has no words for is French."""
    assert ValidationResult(True).in_language("de").to_text() == "Conforme, 0 avertissement."
