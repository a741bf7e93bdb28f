"""Answers whose body depends on Accept-Language say so: `Vary: Accept-Language` for caches (with the `Accept`
they already vary on) and `Content-Language` for the language they are in — POST /validate in each of its
formats, and a refused write's problem document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import SH

from api.errors import from_error
from kg.errors import ValidationFailed
from tests.api.test_language import _refused

ROOT = Path(__file__).resolve().parents[2]
BROKEN = (ROOT / "tests" / "fixtures" / "shapes" / "amount-max-negative.ttl").read_bytes()
FRENCH = "schema:maxValue doit être un seul nombre ≥ 0 (xsd:decimal ou xsd:integer)."
ENGLISH = "schema:maxValue must be one number ≥ 0 (xsd:decimal or xsd:integer)."


def _vary(headers: object) -> set[str]:
    return {v.strip().lower() for v in str(headers).split(",") if v.strip()}


@pytest.mark.parametrize(("accept_language", "language"), [(None, "fr"), ("en-GB,en;q=0.9", "en"), ("de", "fr")])
@pytest.mark.parametrize("accept", ["application/json", "text/html", "text/plain"])
def test_each_report_names_its_language_and_varies_on_it(
    client: TestClient, accept: str, accept_language: str | None, language: str
) -> None:
    headers = {"Content-Type": "text/turtle", "Accept": accept}
    if accept_language:
        headers["Accept-Language"] = accept_language
    r = client.post("/validate", content=BROKEN, headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    assert r.headers["content-language"] == language
    assert {"accept", "accept-language"} <= _vary(r.headers["vary"])
    assert (FRENCH if language == "fr" else ENGLISH) in r.text


def test_the_text_report_is_the_one_kg_validate_prints(client: TestClient) -> None:
    french = client.post("/validate?format=text", content=BROKEN, headers={"Content-Type": "text/turtle"})
    assert french.headers["content-type"] == "text/plain; charset=utf-8"
    first, *lines = french.text.splitlines()
    assert first == "Non conforme : 1 violation, 0 avertissement."
    assert lines == [
        f"- [Violation] http://example.org/fixture/amount (montant) chemin http://schema.org/maxValue valeur -1 : {FRENCH}"
    ]
    english = client.post(
        "/validate",
        content=BROKEN,
        headers={"Content-Type": "text/turtle", "Accept": "text/plain", "Accept-Language": "en"},
    )
    assert english.text.splitlines()[0] == "Does NOT conform: 1 violation(s). 0 warning(s)."
    assert english.text.endswith(f": {ENGLISH}")


def test_the_turtle_report_keeps_both_languages_and_still_varies(client: TestClient) -> None:
    """The Turtle report carries every language, so it names none; the other answers at this URL vary."""
    r = client.post(
        "/validate",
        content=BROKEN,
        headers={"Content-Type": "text/turtle", "Accept": "text/turtle", "Accept-Language": "en"},
    )
    assert "content-language" not in r.headers
    assert {"accept", "accept-language"} <= _vary(r.headers["vary"])
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert {m.language for m in g.objects(None, SH.resultMessage)} == {"fr", "en"}  # type: ignore[attr-defined]


def test_a_refused_writes_problem_varies_on_accept_language() -> None:
    answer = from_error(_refused(), "en")
    assert answer.status_code == 422 and "accept-language" in _vary(answer.headers["vary"])
    assert json.loads(answer.body)["language"] == "en"
    other = from_error(ValidationFailed("no report", 1))  # without a report, nothing depends on the header
    assert "vary" not in other.headers
