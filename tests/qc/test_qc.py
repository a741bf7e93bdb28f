"""Quality checks in the style of ODK's: each `*-violation.rq` here is a SELECT that must find nothing.

A query's rows are its violations, so a check fails by listing them. Each file starts with a comment saying
what it checks and why; adding a check is adding a file, plus a broken example below that it must catch
(so that no check passes because it can match nothing, as a mis-scoped FILTER would).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

QC_DIR = Path(__file__).parent
CHECKS = sorted(p.stem.removesuffix("-violation") for p in QC_DIR.glob("*-violation.rq"))

PREFIXES = """\
@prefix ti:   <https://w3id.org/territoires-industrie/ontology#> .
@base <https://w3id.org/territoires-industrie/id/> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""
ONTOLOGY = """\
<https://w3id.org/territoires-industrie/ontology> {
    <https://w3id.org/territoires-industrie/ontology> a owl:Ontology ; rdfs:label "ontologie"@fr .
    ti:IndustryTerritory a owl:Class ; rdfs:label "territoire d'industrie"@fr , "industry territory"@en ;
        rdfs:comment "…"@fr , "…"@en ; rdfs:isDefinedBy <https://w3id.org/territoires-industrie/ontology> .
    ti:inRegion a owl:ObjectProperty ; rdfs:label "dans la région"@fr , "in region"@en ;
        rdfs:comment "…"@fr , "…"@en ; rdfs:isDefinedBy <https://w3id.org/territoires-industrie/ontology> .
}
"""
# For each check, a small dataset (TriG, with the prefixes and the ontology graph above, which passes every
# check alone) that it must report.
BROKEN = {
    "concept": '<source/009> { <role/new> a skos:Concept ; rdfs:label "nouveau rôle"@fr . }',
    "graph-description": '<source/009> { <territory/x> rdfs:label "X"@fr . }',
    "label-formatting": '<source/009> { <territory/x> rdfs:label "X  Y"@fr . }',
    "label-missing": "<source/009> { <territory/x> a ti:IndustryTerritory . }",
    "orphan": '<source/009> { <territory/x> rdfs:label "X"@fr ; ti:inRegion <region/nowhere> . }',
    "term-annotation": (
        "<https://w3id.org/territoires-industrie/ontology> {"
        ' ti:Sector a owl:Class ; rdfs:label "secteur"@fr ; rdfs:comment "…"@fr . }'
    ),
    "undeclared-term": '<source/009> { <territory/x> a ti:IndustryTerritory ; ti:inRegionn "84" . }',
}


def _query(name: str) -> str:
    return (QC_DIR / f"{name}-violation.rq").read_text(encoding="utf-8")


def _rows(result: ox.QuerySolutions) -> list[str]:
    variables = [v.value for v in result.variables]
    return ["  ".join(f"{v}={row[v]}" for v in variables if row[v] is not None) for row in result]


@pytest.mark.parametrize("name", CHECKS)
def test_the_bundled_graph_has_no_violation(kg_store: ox.Store, name: str) -> None:
    result = kg_store.query(_query(name))
    assert isinstance(result, ox.QuerySolutions), f"{name}-violation.rq must be a SELECT query"
    rows = _rows(result)
    assert not rows, f"{name}-violation.rq found {len(rows)} violation(s):\n" + "\n".join(rows)


def _violations(name: str, trig: str) -> list[str]:
    store = ox.Store()
    store.load((PREFIXES + ONTOLOGY + trig).encode("utf-8"), format=ox.RdfFormat.TRIG)
    result = store.query(_query(name), use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return _rows(result)


@pytest.mark.parametrize("name", CHECKS)
def test_each_check_reports_its_broken_example(name: str) -> None:
    assert name in BROKEN, f"add a broken example for {name}-violation.rq to BROKEN"
    assert not _violations(name, ""), "the ontology stub of the broken examples must pass every check"
    assert _violations(name, BROKEN[name]), f"{name}-violation.rq found nothing in its broken example"


def test_every_check_says_what_it_checks() -> None:
    assert CHECKS, "no *-violation.rq file in tests/qc"
    for name in CHECKS:
        header = _query(name).split("\n", 1)[0]
        assert header.startswith("# ") and len(header) > 20, (
            f"{name}-violation.rq: start with a comment saying what it checks"
        )
    assert set(BROKEN) == set(CHECKS), "BROKEN names a check that has no file"
