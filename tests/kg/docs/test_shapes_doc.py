"""The shapes in words (kg.docs.shapes): every shape is described, each rule is classified by its severity.

The real shapes are checked against their own graph, read here independently with rdflib; the small shapes
in tests/fixtures/shapes_doc/ pin the wording of each kind of target and constraint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, SH
from typer.testing import CliRunner

from kg.config import PROJECT_ROOT, get_settings
from kg.docs.shapes import model, reader, render
from kg.docs.shapes.model import Rule, ShapesDoc
from kg.errors import UsageError
from kg.sources import labels
from kg.sources.labels import Label
from kg_cli.main import app

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "shapes_doc"
TI = "https://w3id.org/territoires-industrie/ontology#"
TISH = model.SHAPES_NS
EX = "http://example.org/doc/"
EXS = "http://example.org/doc/shapes#"


@pytest.fixture(scope="module")
def real() -> ShapesDoc:
    return reader.load(PROJECT_ROOT / "shapes", PROJECT_ROOT / "ontology")


@pytest.fixture(scope="module")
def real_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((PROJECT_ROOT / "shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def small() -> ShapesDoc:
    return reader.load(FIXTURES / "shapes", FIXTURES / "ontology")


def _rule(rules: tuple[Rule, ...], shape: str) -> Rule:
    found = [r for r in rules if r.shape == shape]
    assert len(found) == 1, (shape, rules)
    return found[0]


# --- the real shapes ------------------------------------------------------------------------------------------


def test_every_node_shape_of_the_shapes_is_described(real: ShapesDoc, real_graph: rdflib.Graph) -> None:
    node_shapes = {str(s) for s in real_graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)}
    targeted = {str(s) for s in real_graph.subjects(SH.targetSubjectsOf, None) if (s, SH.path, None) in real_graph}
    assert len(node_shapes) > 30 and len(targeted) > 80  # the range shapes each have their own target
    assert node_shapes | targeted == {s.iri for s in real.shapes}
    assert len({s.anchor for s in real.shapes}) == len(real.shapes)  # one anchor each on /shapes


def test_every_named_property_shape_is_a_rule_with_its_own_severity(real: ShapesDoc, real_graph: rdflib.Graph) -> None:
    named = {p for p in real_graph.objects(None, SH.property) if isinstance(p, rdflib.URIRef)}
    rules = {r.shape: r for r in real.rules if r.shape}
    for prop in named:
        declared = real_graph.value(prop, SH.severity)
        expected = str(declared).rsplit("#", 1)[-1] if declared is not None else "Violation"
        assert rules[str(prop)].severity == expected, prop
        assert rules[str(prop)].message == _french_message(real_graph, prop)


def test_every_sparql_constraint_is_a_rule_with_its_message(real: ShapesDoc, real_graph: rdflib.Graph) -> None:
    constraints = list(real_graph.subjects(RDF.type, SH.SPARQLConstraint))
    sparql_rules = [r for r in real.rules if r.sparql]
    assert len(sparql_rules) == len(constraints) > 10
    messages = {_french_message(real_graph, c) for c in constraints}
    assert {r.message for r in sparql_rules} == messages


def _french_message(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    """The French sh:message of a shape: the one the documentation shows (each has a French and an English one)."""
    (french,) = [str(m) for m in graph.objects(node, SH.message) if getattr(m, "language", None) == "fr"]
    return french


def test_phase_must_have_one_programme_and_one_number(real: ShapesDoc) -> None:
    phase = real.for_class(TI + "Phase")
    assert phase is not None and phase.term.label == "phase"
    phase_of = _rule(phase.required, TISH + "Phase-phaseOf")
    assert phase_of.predicate is not None and phase_of.predicate.curie == "ti:phaseOf"
    assert phase_of.requirements == ("obligatoire, une seule valeur",)
    number = _rule(phase.required, TISH + "Phase-phaseNumber")
    assert number.requirements == ("obligatoire, une seule valeur", "nombre entier (xsd:integer)", "≥ 1")
    assert _rule(phase.required, TISH + "PhaseYearOrderShape").sparql is not None
    assert _rule(phase.recommended, TISH + "PhaseYearDisagreementShape").severity == "Warning"
    assert _rule(phase.required, TISH + "Label-fr").requirements == ("au moins une valeur en langue : fr",)


def test_funding_flow_should_name_its_funder_and_must_have_one_amount(real: ShapesDoc) -> None:
    flow = real.for_class(TI + "FundingFlow")
    assert flow is not None
    funder = _rule(flow.recommended, TISH + "FundingFlow-funder-missing")
    assert funder.requirements == ("recommandé",) and funder.predicate is not None
    assert funder.predicate.label == "financeur"
    assert _rule(flow.required, TISH + "FundingFlow-amount").requirements == ("au plus une valeur",)
    either = _rule(flow.recommended, TISH + "FundingFlowShape")  # sh:or on the node shape, a warning
    assert (
        either.path is None and "ti:amount" in either.requirements[0] and "ti:throughScheme" in either.requirements[0]
    )
    assert not any(r.shape == TISH + "FundingFlow-funder-missing" for r in flow.required)


def test_territory_region_is_recommended_not_required(real: ShapesDoc) -> None:
    territory = real.for_class(TI + "IndustryTerritory")
    assert territory is not None
    assert _rule(territory.recommended, TISH + "IndustryTerritory-inRegion-missing").path == "ti:inRegion"
    assert all(r.path != "ti:inRegion" for r in territory.required)


def test_epci_type_lists_its_allowed_codes_and_actor_subclasses_are_named(real: ShapesDoc) -> None:
    epci = real.for_class(TI + "Intercommunality")
    assert epci is not None
    assert _rule(epci.required, TISH + "Intercommunality-epciType").requirements == (
        "au plus une valeur",
        'une valeur parmi : "CC", "CA", "CU", "METRO", "MET69"',
    )
    actor = real.for_class(TI + "Actor")
    assert actor is not None and TI + "Person" in {t.iri for t in actor.subclasses}
    assert TI + "Actor" in {t.iri for t in epci.see_also}  # an EPCI acts: the actors' rules apply to it too


def test_shapes_without_a_class_target_are_described_by_their_targets(real: ShapesDoc) -> None:
    others = {s.iri: s for s in real.other_shapes}
    datatypes = others[TISH + "Datatype-startYear"]  # a property shape with its own target
    assert {t.kind for t in datatypes.targets} == {"subjectsOf"}
    assert "ti:startYear" in model.describe_targets(datatypes.targets)
    commune = others[TISH + "CommuneRegionConsistencyShape"]
    assert [t.kind for t in commune.targets] == ["sparql"]
    assert commune.targets[0].select and "ti:Commune" in commune.targets[0].select
    assert commune.comment == "Une commune se trouve dans la région de son département."


# --- the small fixture shapes ---------------------------------------------------------------------------------


def test_fixture_header_order_and_prefixes(small: ShapesDoc) -> None:
    assert (small.title, small.version) == ("Formes d'essai", "9.9.9")
    assert [s.curie for s in small.shapes] == [  # file order, with the prefixes of sh:declare
        "exs:ThingShape",
        "exs:PersonShape",
        "exs:DatesShape",
        "exs:ConsistencyShape",
        "exs:OffShape",
    ]


def test_fixture_required_recommended_and_info(small: ShapesDoc) -> None:
    thing = small.for_class(EX + "Thing")
    assert thing is not None
    assert (thing.term.label, thing.comment) == ("chose", "Une chose d'essai.")
    assert [t.label for t in thing.subclasses] == ["gadget"]
    name = _rule(thing.required, EXS + "Thing-name")  # no sh:severity: a violation
    assert name.requirements == ("obligatoire, une seule valeur", "texte sans langue (xsd:string)")
    assert name.predicate is not None and name.predicate.label == "nom" and name.name == "name of the thing"
    kind = _rule(thing.required, EXS + "Thing-kind")
    assert kind.requirements == ('une valeur parmi : "a", "b"', "conforme au motif ^[ab]$")
    code = _rule(thing.recommended, EXS + "Thing-code-missing")
    assert code.requirements == ("recommandé",) and code.predicate is not None and code.predicate.label == "code"
    (owner,) = thing.by_severity("Info")
    assert (owner.path, owner.shape, owner.link_shape) == ("^ex:owns", None, EXS + "ThingShape")
    assert owner.requirements == ("une ressource de type ex:Owner",)
    assert all(r.path != "ex:legacy" for r in thing.shapes[0].rules)  # deactivated property shape: no rule


def test_fixture_node_level_not_and_deactivated_shape(small: ShapesDoc) -> None:
    person = small.for_class(EX + "Person")
    assert person is not None
    (rule,) = person.required
    assert rule.requirements == ("interdit : une ressource de type « organisation » (ex:Organisation)",)
    assert rule.message == "A person is not an organisation." and rule.shape == EXS + "PersonShape"
    off = small.shape(EXS + "OffShape")
    assert off is not None and off.deactivated and off.rules == ()


def test_fixture_other_targets(small: ShapesDoc) -> None:
    assert [s.curie for s in small.other_shapes] == ["exs:DatesShape", "exs:ConsistencyShape"]
    dates = small.shape(EXS + "DatesShape")
    assert dates is not None
    assert model.describe_targets(dates.targets) == "toute ressource qui utilise l'une des propriétés ex:end, ex:start"
    start = _rule(dates.rules, EXS + "Dates-start")
    assert start.severity == "Warning"
    assert "date AAAA-MM-JJ (xsd:date) ou année AAAA (xsd:gYear)" in start.requirements
    consistency = small.shape(EXS + "ConsistencyShape")
    assert consistency is not None
    (target,) = consistency.targets
    assert target.kind == "sparql" and target.select is not None and target.select.startswith("SELECT ?this")
    (sparql,) = consistency.rules
    assert sparql.severity == "Warning" and sparql.message == "Owner {?value} does not list this thing."
    assert sparql.requirements == ("règle SPARQL : owners agree",) and sparql.sparql is not None


# --- names, sources and renderings ----------------------------------------------------------------------------


def test_curie_anchor_and_constraint_label() -> None:
    assert model.curie(TI + "Phase") == "ti:Phase"
    assert model.curie(TISH + "Label-fr") == "tish:Label-fr"
    assert model.curie("http://example.net/x/y") == "<http://example.net/x/y>"
    assert model.anchor(TISH + "PhaseShape") == "PhaseShape"
    assert model.anchor("http://example.net/a b/c?d") == "c-d"
    assert model.anchor("http://example.net/shapes/") == "shapes"
    assert model.anchor("#").startswith("forme-")
    assert model.class_anchor(TI + "Phase") == "classe-Phase"
    assert model.constraint_label(str(SH) + "MinCountConstraintComponent") == "nombre minimal de valeurs"
    assert model.is_iri(TI + "Phase") and not model.is_iri("n0f3a") and not model.is_iri(None)


def test_source_is_the_file_itself_or_the_union_of_several() -> None:
    real = PROJECT_ROOT / "shapes"
    union = rdflib.Graph().parse(data=reader.source(real), format="turtle")
    for path in sorted(real.glob("*.ttl")):  # every shapes file (the main one, inference-shapes.ttl) is in it
        shapes_of_file = set(rdflib.Graph().parse(path, format="turtle").subjects(RDF.type, SH.NodeShape))
        assert shapes_of_file and shapes_of_file <= set(union.subjects(RDF.type, SH.NodeShape)), path.name
    merged = rdflib.Graph().parse(data=reader.source(FIXTURES / "split"), format="turtle")
    assert {str(s) for s in merged.subjects(RDF.type, SH.NodeShape)} == {EX + "AShape", EX + "BShape"}
    # each file's `_:b0` stays its own property shape: one path and one constraint each, not merged
    a, b = (merged.value(rdflib.URIRef(EX + name), SH.property) for name in ("AShape", "BShape"))
    assert a != b
    assert set(merged.objects(a, SH.path)) == {rdflib.URIRef(EX + "p")}
    assert set(merged.objects(b, SH.path)) == {rdflib.URIRef(EX + "q")}


def test_split_shapes_are_read_with_their_own_blank_nodes() -> None:
    doc = reader.load(FIXTURES / "split", FIXTURES / "ontology")
    rules = {s.iri: [(r.path, r.severity) for r in s.rules] for s in doc.shapes}
    assert rules == {EX + "AShape": [(f"<{EX}p>", "Violation")], EX + "BShape": [(f"<{EX}q>", "Warning")]}


def test_standard_terms_are_named_as_on_the_resource_pages(real: ShapesDoc) -> None:
    # one table of standard names (kg.sources.labels) for the shapes page and the resource pages
    terms = {r.predicate.iri: r.predicate for r in real.rules if r.predicate is not None}
    in_scheme = terms["http://www.w3.org/2004/02/skos/core#inScheme"]
    assert in_scheme.label == Label().or_known(in_scheme.iri).fr == "dans le vocabulaire"
    assert reader.sort_key is labels.sort_key


def test_markdown_and_text(small: ShapesDoc) -> None:
    md = render.render(small, "markdown")
    assert "### chose (`ex:Thing`)" in md
    thing = md.split("### chose")[1].split("###")[0]
    must, should = thing.split("**Devrait avoir**")
    assert "nom (`ex:name`) : obligatoire, une seule valeur" in must and "[`exs:Thing-name`]" in must
    assert "code (`ex:code`) : recommandé" in should and "ex:name" not in should
    text = render.render(small, "text")
    assert "chose (ex:Thing)\n~~~~" in text and "`" not in text.replace("`kg build`", "")
    with pytest.raises(UsageError):
        render.render(small, "html")


def test_cli_prints_the_shapes_of_the_settings() -> None:
    runner = CliRunner()
    env = {"KG_SHAPES_DIR": str(FIXTURES / "shapes"), "KG_ONTOLOGY_DIR": str(FIXTURES / "ontology")}
    get_settings.cache_clear()
    try:
        md = runner.invoke(app, ["shapes"], env=env)
        text = runner.invoke(app, ["shapes", "--format", "text"], env=env)
        bad = runner.invoke(app, ["shapes", "--format", "pdf"], env=env)
    finally:
        get_settings.cache_clear()
    assert md.exit_code == 0, md.output
    assert md.stdout == render.render(reader.load(FIXTURES / "shapes", FIXTURES / "ontology"))
    assert text.exit_code == 0 and text.stdout.startswith("Règles de validation des données — Formes d'essai")
    assert bad.exit_code == 2
