"""The SHACL shapes: every constraint fails on its own fixture, and the valid fixture conforms.

Each broken fixture in tests/fixtures/shapes/ is named after the constraint it breaks and starts with

    # expect: <focus node IRI> Violation|Warning     one line per (focus node, severity) expected
    # shape: tish:ShapeName                           the shapes that must report it, and only those

`valid.ttl` must conform without any result and be a focus node of every node shape. A constraint
(a shape and one of its constraint components) that no fixture makes fail fails the coverage test.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SH

from kg.ingest.report import ValidationResult
from kg.ingest.validate import validate_graph

ROOT = Path(__file__).resolve().parents[2]
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY_DIR = ROOT / "ontology"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
VALID = "valid"
TISH = rdflib.Namespace("https://w3id.org/territoires-industrie/shapes#")

EXPECT_LINE = re.compile(r"^# expect: <(?P<focus>[^>\s]+)> (?P<severity>Violation|Warning)\s*$")
SHAPE_LINE = re.compile(r"^# shape: tish:(?P<shape>\S+)\s*$")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# SPARQL-based targets (sh:target, SHACL-AF) select only the nodes a rule can report, so a valid graph gives them
# no focus node by design; their coverage comes from the broken fixtures alone.
CORE_TARGETS = TARGETS[:-1]
# constraint parameter → the component a validation result names
COMPONENTS = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.pattern: "PatternConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH.uniqueLang: "UniqueLangConstraintComponent",
    SH.equals: "EqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH.lessThan: "LessThanConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH["not"]: "NotConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH.xone: "XoneConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH.qualifiedMinCount: "QualifiedMinCountConstraintComponent",
    SH.qualifiedMaxCount: "QualifiedMaxCountConstraintComponent",
    SH.closed: "ClosedConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH["in"]: "InConstraintComponent",
    SH.sparql: "SPARQLConstraintComponent",
}


def _load_dir(directory: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted(directory.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@functools.cache
def shapes() -> rdflib.Graph:
    return _load_dir(SHAPES_DIR)


@functools.cache
def ontology() -> rdflib.Graph:
    return _load_dir(ONTOLOGY_DIR)


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.ttl"


def fixture_data(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(fixture_path(name), format="turtle")


@functools.cache
def result(name: str) -> ValidationResult:
    return validate_graph(fixture_data(name), shapes(), ontology())


def header(name: str) -> tuple[set[tuple[str, str]], set[str]]:
    """The (focus, severity) pairs and the shape names announced by a fixture's leading comments."""
    expected: set[tuple[str, str]] = set()
    shape_names: set[str] = set()
    for line in fixture_path(name).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if m := EXPECT_LINE.match(line):
            expected.add((m["focus"], m["severity"]))
        elif m := SHAPE_LINE.match(line):
            shape_names.add(m["shape"])
    return expected, shape_names


BROKEN = sorted(p.stem for p in FIXTURES.glob("*.ttl") if p.stem != VALID)


def reportable_shapes() -> set[rdflib.term.Node]:
    """Shapes whose own constraints produce results: targeted node shapes and their property shapes."""
    g = shapes()
    node_shapes = {s for t in TARGETS for s in g.subjects(t, None)}
    return node_shapes | {p for s in node_shapes for p in g.objects(s, SH.property)}


def declared_constraints() -> set[tuple[str, str]]:
    """(shape, constraint component) for every constraint of every reportable shape."""
    g = shapes()
    return {
        (str(s), str(SH[component]))
        for s in reportable_shapes()
        for parameter, component in COMPONENTS.items()
        if (s, parameter, None) in g
    }


def focus_nodes(shape: rdflib.term.Node, data: rdflib.Graph) -> set[rdflib.term.Node]:
    """The focus nodes of a node shape in `data` (which must include the ontology, for subclasses)."""
    g = shapes()
    nodes: set[rdflib.term.Node] = set(g.objects(shape, SH.targetNode))
    for cls in g.objects(shape, SH.targetClass):
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            nodes.update(data.subjects(RDF.type, sub))
    for prop in g.objects(shape, SH.targetSubjectsOf):
        nodes.update(data.subjects(prop, None))
    for prop in g.objects(shape, SH.targetObjectsOf):
        nodes.update(data.objects(None, prop))
    return nodes


# --- broken fixtures -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", BROKEN)
def test_broken_fixture_reports_exactly_what_it_expects(name: str) -> None:
    expected, shape_names = header(name)
    assert expected, f"{name}.ttl has no '# expect: <focus> Violation|Warning' line"
    assert shape_names, f"{name}.ttl has no '# shape: tish:…' line"
    res = result(name)
    got = {(i.focus_node, i.severity) for i in res.issues}
    assert got == expected, res.to_text()
    fired = {i.shape for i in res.issues}
    assert None not in fired, "every shape that reports must have an IRI (blank-node shapes are unreadable)"
    assert {str(TISH[s]) for s in shape_names} == fired, res.to_text()
    has_violation = any(sev == "Violation" for _, sev in expected)
    assert res.conforms is not has_violation


def test_fixture_names_and_headers_are_well_formed() -> None:
    assert BROKEN, "no broken fixture found"
    known = {str(s) for s in reportable_shapes()}
    for name in BROKEN:
        assert KEBAB.match(name), f"{name}.ttl: name fixtures in kebab case after the constraint they break"
        for shape in header(name)[1]:
            assert str(TISH[shape]) in known, f"{name}.ttl names unknown shape tish:{shape}"


def test_every_constraint_has_a_failing_fixture() -> None:
    fired = {(i.shape, i.constraint) for name in BROKEN for i in result(name).issues}
    missing = sorted(declared_constraints() - fired)
    assert not missing, "constraints without a failing fixture:\n" + "\n".join(f"{s} {c}" for s, c in missing)


# --- the valid fixture -----------------------------------------------------------------------------


def test_valid_fixture_conforms_without_any_result() -> None:
    res = result(VALID)
    assert res.conforms, res.to_text()
    assert res.issues == [], res.to_text()


def test_valid_fixture_exercises_every_node_shape() -> None:
    data = fixture_data(VALID) + ontology()
    g = shapes()
    targeted = {s for t in CORE_TARGETS for s in g.subjects(t, None)}
    idle = sorted(str(s) for s in targeted if not focus_nodes(s, data))
    assert not idle, "node shapes with no focus node in valid.ttl:\n" + "\n".join(idle)


# --- the shapes themselves --------------------------------------------------------------------------


def test_every_shape_is_named_documented_and_has_a_message() -> None:
    g = shapes()
    problems = []
    for shape in sorted(reportable_shapes(), key=str):
        if not str(shape).startswith(str(TISH)):
            problems.append(f"{shape}: not an IRI under tish:")
            continue
        if (shape, SH.name, None) not in g and (shape, RDFS.label, None) not in g:
            problems.append(f"{shape}: no sh:name or rdfs:label")
        if (shape, SH.message, None) not in g:
            problems.append(f"{shape}: no sh:message")
        if (shape, RDFS.comment, None) not in g:
            problems.append(f"{shape}: no rdfs:comment")
    assert not problems, "\n".join(problems)


PLACEHOLDER = re.compile(r"\{[?$]\w+\}")


def test_every_message_is_in_french_and_in_english_with_the_same_placeholders() -> None:
    """The site is French first: every sh:message once in French and once in English, so that a report shows
    the reader's language; a SPARQL constraint's `{?var}` are filled in alike in both."""
    g = shapes()
    problems = []
    holders = sorted(set(g.subjects(SH.message, None)), key=str)
    assert len(holders) > 150
    for node in holders:
        messages = list(g.objects(node, SH.message))
        by_language = {getattr(m, "language", None): str(m) for m in messages}
        if len(messages) != 2 or set(by_language) != {"fr", "en"}:
            problems.append(f"{node}: {[(str(m), getattr(m, 'language', None)) for m in messages]}")
        elif sorted(PLACEHOLDER.findall(by_language["fr"])) != sorted(PLACEHOLDER.findall(by_language["en"])):
            problems.append(f"{node}: placeholders differ: {by_language}")
        elif by_language["fr"] == by_language["en"]:
            problems.append(f"{node}: the French message is the English one")
    assert not problems, "\n".join(problems)


def test_every_shape_text_is_in_french_and_in_english() -> None:
    """Names, labels and comments too: /shapes and `kg shapes` show them, in French."""
    g = shapes()
    problems = []
    for predicate in (RDFS.label, SH.name, RDFS.comment):
        for node in set(g.subjects(predicate, None)):
            languages = sorted(str(getattr(o, "language", None)) for o in g.objects(node, predicate))
            if languages != ["en", "fr"]:
                problems.append(f"{node} {predicate}: {languages}")
    assert not problems, "\n".join(sorted(problems))


# --- integration with the controlled vocabularies -------------------------------------------------------

VOCABULARY_USE = """
@prefix ti:   <https://w3id.org/territoires-industrie/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/fixture/involvement> a ti:Involvement ; rdfs:label "participation"@fr ;
    ti:agent <http://example.org/fixture/anct> ; ti:involvedIn <http://example.org/fixture/rebond> ;
    ti:role <https://w3id.org/territoires-industrie/id/role/support> .
<http://example.org/fixture/anct> a ti:StateOperator ; rdfs:label "ANCT"@fr .
<http://example.org/fixture/rebond> a ti:SupportScheme ; rdfs:label "Rebond industriel"@fr .
"""


def test_controlled_concepts_of_the_vocabulary_are_visible_to_the_shapes() -> None:
    # pySHACL's ont_graph copies only RDFS/OWL axioms, not the concepts of ontology/vocabularies.ttl;
    # validate_graph merges the whole ontology into the data graph so sh:class ti:Role finds role:support.
    res = validate_graph(rdflib.Graph().parse(data=VOCABULARY_USE, format="turtle"), shapes(), ontology())
    assert res.conforms, res.to_text()
