"""Focused validation (the nodes a change touched) must report exactly what whole-graph validation reports
on those nodes: writes and uploads rely on it to validate in a fraction of the time."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import SH

from kg.config import PROJECT_ROOT
from kg.ingest.report import ValidationIssue
from kg.ingest.validate import load_graph_dir, validate_graph

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "shapes"
BROKEN = sorted(p for p in FIXTURES.glob("*.ttl") if p.stem != "valid")


@functools.cache
def shapes() -> rdflib.Graph:
    return load_graph_dir(PROJECT_ROOT / "shapes")


@functools.cache
def ontology() -> rdflib.Graph:
    return load_graph_dir(PROJECT_ROOT / "ontology")


def _key(i: ValidationIssue) -> tuple[object, ...]:
    return (i.severity, i.focus_node, i.path, i.value, i.message, i.shape, tuple(sorted(i.messages.items())))


def test_no_named_shape_is_nested_under_a_logical_or_node_constraint() -> None:
    """Focused validation lists node shapes with their named property shapes; a named shape under
    sh:node, sh:or, sh:and, sh:xone, sh:not or sh:qualifiedValueShape would need more care."""
    g = shapes()
    nested = {o for p in (SH.node, SH["not"], SH.qualifiedValueShape) for o in g.objects(None, p)}
    nested |= {i for p in (SH["and"], SH["or"], SH.xone) for lst in g.objects(None, p) for i in g.items(lst)}
    assert not {n for n in nested if isinstance(n, rdflib.URIRef)}


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_focused_validation_reports_what_full_validation_reports_on_the_focus(path: Path) -> None:
    data = rdflib.Graph().parse(path, format="turtle")
    focus = {str(s) for s in data.subjects() if isinstance(s, rdflib.URIRef)}
    full = validate_graph(data, shapes(), ontology())
    focused = validate_graph(data, shapes(), ontology(), focus=focus)
    assert {_key(i) for i in focused.issues} == {_key(i) for i in full.issues if i.focus_node in focus}
    assert len(focused.issues) == len({_key(i) for i in focused.issues}), "each result once"
    untranslated = [i for i in full.issues if set(i.messages) != {"fr", "en"}]
    assert not untranslated, "every result in French and in English, tagged"
    assert all(i.message == i.messages["fr"] for i in full.issues), "French by default"


def test_a_sparql_result_keeps_the_language_of_its_messages() -> None:
    """pySHACL fills in the `{?var}` of a SPARQL constraint's messages but drops their language tags; the
    report gets them back, so the Turtle report and the issue both say which text is French and which English."""
    data = rdflib.Graph().parse(FIXTURES / "epci-commune-in-other-region.ttl", format="turtle")
    result = validate_graph(data, shapes(), ontology())
    (issue,) = result.issues
    commune, region = "http://example.org/fixture/commune", "http://example.org/fixture/region27"
    assert issue.messages == {
        "fr": f"La commune membre {commune} est dans la région {region}, qui n’est pas une région de "
        "l’intercommunalité.; Vérifiez le ti:inRegion de l’intercommunalité d’après ses communes membres.",
        "en": "Check the intercommunality's ti:inRegion against its member communes.; Member commune "
        f"{commune} lies in region {region}, which is not a region of the intercommunality.",
    }
    assert issue.message == issue.messages["fr"] and issue.message_language == "fr"
    english = result.in_language("en-GB")
    assert english.issues[0].message == issue.messages["en"] and english.language == "en"
    assert f"Member commune {commune}" in english.to_text() and '"language": "en"' in english.to_json()
    assert "La commune membre" in result.to_text() and "Member commune" not in result.to_json()
    tags = {m.language for m in result.report_graph.objects(None, SH.resultMessage)}  # type: ignore[union-attr]
    assert tags == {"fr", "en"}, "the Turtle report keeps both, tagged"
    assert result.in_language("de").issues[0].message == issue.messages["fr"], "French for a language not offered"


def test_focus_on_nodes_no_shape_targets_is_conforming() -> None:
    data = rdflib.Graph().parse(FIXTURES / "valid.ttl", format="turtle")
    result = validate_graph(data, shapes(), ontology(), focus={"http://example.org/not-in-the-graph"})
    assert result.conforms
    assert result.issues == []
