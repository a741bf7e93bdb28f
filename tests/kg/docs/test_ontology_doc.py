"""kg.docs.ontology: the ontology read as documentation (labels in two languages, hierarchy, domains, vocabularies)."""

from __future__ import annotations

import pytest
import rdflib

from kg.config import PROJECT_ROOT
from kg.docs.ontology import OntologyDoc, document, load
from kg.sources.labels import Label, pick
from kg.sources.rdf_io import rdf_files

TI = "https://w3id.org/territoires-industrie/ontology#"
ID = "https://w3id.org/territoires-industrie/id/"


@pytest.fixture(scope="module")
def doc() -> OntologyDoc:
    return document(load(rdf_files(PROJECT_ROOT / "ontology")))


def test_the_header(doc: OntologyDoc) -> None:
    assert doc.title.fr == "Ontologie des Territoires d'industrie"
    assert doc.title.en == "Territoires d'industrie ontology"
    assert doc.licence == "https://creativecommons.org/licenses/by/4.0/"
    assert doc.prefix == "ti" and doc.namespace == TI
    assert doc.version


def test_a_class_with_labels_comment_hierarchy_and_properties(doc: OntologyDoc) -> None:
    territory = next(e for e in doc.classes if e.iri == TI + "IndustryTerritory")
    assert territory.anchor == "IndustryTerritory" and territory.kind == "class"
    assert (territory.label.fr, territory.label.en) == ("Territoire d'industrie", "industry territory")
    assert territory.comment.fr and territory.comment.en
    assert territory.related("superclasses") == (TI + "Area",)
    assert TI + "hasMemberIntercommunality" in territory.related("domain_of")
    area = next(e for e in doc.classes if e.iri == TI + "Area")
    assert TI + "IndustryTerritory" in area.related("subclasses")
    commune = next(e for e in doc.classes if e.iri == TI + "Commune")
    assert commune.related("equivalent") == ("http://rdf.insee.fr/def/geo#Commune",)


def test_properties_by_kind_with_domain_range_inverse_and_characteristics(doc: OntologyDoc) -> None:
    objects = {e.iri: e for e in doc.properties["object"]}
    phase_of = objects[TI + "phaseOf"]
    assert phase_of.related("domain") == (TI + "Phase",) and phase_of.related("range") == (TI + "Programme",)
    assert phase_of.related("inverse") == (TI + "hasPhase",)
    assert objects[TI + "hasPhase"].related("inverse") == (TI + "phaseOf",)  # declared once, shown both ways
    assert "fonctionnelle" in phase_of.characteristics
    data = {e.iri for e in doc.properties["datatype"]}
    assert TI + "endYear" in data and TI + "endYear" not in objects
    assert all(not e.iri.startswith("http://www.w3.org/") for e in doc.properties["object"])  # only its own terms


def test_every_class_is_in_the_hierarchy_and_under_each_superclass(doc: OntologyDoc) -> None:
    assert {iri for iri, _ in doc.hierarchy} == {e.iri for e in doc.classes}
    parents = set()
    for i, (iri, depth) in enumerate(doc.hierarchy):
        if iri == TI + "Intercommunality":
            parents.add(next(p for p, d in reversed(doc.hierarchy[:i]) if d == depth - 1))
    assert parents == {TI + "Area", TI + "LocalAuthority"}


def test_controlled_vocabularies_list_their_concepts(doc: OntologyDoc) -> None:
    roles = next(s for s in doc.schemes if s.iri == ID + "concepts/roles")
    assert roles.anchor == "scheme-roles"
    pilot = next(m for m in roles.members if m.iri == ID + "role/pilot")
    assert (pilot.label.fr, pilot.label.en, pilot.notation) == ("pilote", "pilot", "pilot")
    assert pilot.comment.fr == "Pilote le dispositif."


def test_anchors_are_unique_and_local_names(doc: OntologyDoc) -> None:
    entries = [*doc.classes, *(e for es in doc.properties.values() for e in es), *doc.schemes]
    anchors = [e.anchor for e in entries]
    assert len(anchors) == len(set(anchors))
    assert doc.anchors == {e.iri: e.anchor for e in entries}  # what the page links to within itself
    assert doc.anchors[TI + "Phase"] == "Phase" and "http://www.w3.org/ns/prov#Agent" not in doc.anchors


def test_names_are_picked_and_sorted_as_on_the_other_pages() -> None:
    g = rdflib.Graph().parse(
        data=f"""@prefix ti: <{TI}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        ti:E a owl:Class ; rdfs:label "Événement"@fr-FR, "event"@en .
        ti:F a owl:Class ; rdfs:label "fonds" .
        ti:D a owl:Class ; rdfs:label "dispositif"@fr .
        <{ID}concepts/c> a skos:ConceptScheme ; rdfs:label "libellé"@fr ; skos:prefLabel "préféré"@fr .""",
        format="turtle",
    )
    d = document(g)
    assert [e.label.fr for e in d.classes] == ["dispositif", "Événement", "fonds"]  # accents and case ignored
    assert d.classes[1].label == Label("Événement", "event")  # a regional French tag is French
    assert d.labels[ID + "concepts/c"] == pick([("préféré", "fr"), ("libellé", "fr")]) == Label("préféré")


def test_a_small_ontology_in_a_graph() -> None:
    g = rdflib.Graph().parse(
        data=f"""@prefix ti: <{TI}> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <https://w3id.org/territoires-industrie/ontology> a owl:Ontology ; rdfs:label "O"@fr .
        ti:A a owl:Class ; rdfs:label "a"@fr . ti:B a owl:Class ; rdfs:subClassOf ti:A ; rdfs:label "b"@en .
        ti:p a owl:ObjectProperty ; rdfs:domain ti:B .""",
        format="turtle",
    )
    d = document(g)
    assert [e.anchor for e in d.classes] == ["A", "B"]
    assert d.hierarchy == ((TI + "A", 0), (TI + "B", 1))
    assert d.classes[1].label.fr is None and d.classes[1].label.en == "b"
    assert d.classes[1].related("domain_of") == (TI + "p",)
    assert d.schemes == () and d.properties["datatype"] == ()
