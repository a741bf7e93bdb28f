"""The reader's language from Accept-Language (api.language), and a refused write's report in it (api.errors)."""

from __future__ import annotations

import json

import pytest

from api.errors import from_error
from api.language import preferred_language
from kg.errors import ValidationFailed
from kg.ingest.report import ValidationIssue, ValidationResult


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "fr"),  # no header: the site's language
        ("", "fr"),
        ("en", "en"),
        ("EN-gb", "en"),  # a regional variant asks for its language, in any case
        ("fr-FR", "fr"),
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9,fr;q=0.8", "en"),  # a browser set to English
        ("de-DE,de;q=0.9,en;q=0.7", "en"),  # German is not offered: the next one that is
        ("de, it", "fr"),  # nothing offered: French, not a 406
        ("fr;q=0.2, en;q=0.5", "en"),  # q-values, not the header's order
        ("en, fr", "en"),  # a tie: the header's order
        ("fr, en", "fr"),
        ("*", "fr"),  # anything: the site's language
        ("*;q=0.5, en;q=0.4", "fr"),  # `*` stands for French, not named, at 0.5
        ("fr;q=0, *", "en"),  # French refused, anything else is fine
        ("fr;q=0, en;q=0", "fr"),  # everything refused: French all the same
        ("en;q=abc, fr;q=0.1", "fr"),  # a malformed q-value ignores its range
        ("en;q=0.001", "en"),
        (" , ;q=1, en ;q=0.7", "en"),  # empty ranges skipped
    ],
)
def test_the_preferred_language(header: str | None, language: str) -> None:
    assert preferred_language(header) == language


def test_only_what_is_offered_is_chosen() -> None:
    assert preferred_language("en", offered=("fr",)) == "fr"
    assert preferred_language("fr, en", offered=("en", "fr")) == "fr"
    assert preferred_language("de", offered=("en", "fr")) == "en", "the first offered is the default"


def _refused() -> ValidationFailed:
    issue = ValidationIssue(
        "Violation",
        "http://example.org/x",
        None,
        None,
        None,
        "Message en français.",
        None,
        None,
        messages={"fr": "Message en français.", "en": "Message in English."},
    )
    result = ValidationResult(conforms=False, issues=[issue])
    return ValidationFailed(result.to_text(), 1, result)


def test_a_refused_write_reports_in_french_unless_english_is_asked() -> None:
    french = json.loads(from_error(_refused()).body)
    assert french["status"] == 422 and french["language"] == "fr"
    assert [r["message"] for r in french["results"]] == ["Message en français."]
    english = json.loads(from_error(_refused(), "en").body)
    assert english["language"] == "en" and [r["message"] for r in english["results"]] == ["Message in English."]
    assert "messages" not in english["results"][0], "the JSON carries the chosen language only"
