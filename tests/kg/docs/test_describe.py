"""kg.docs.describe: what the graph says about a resource, both ways, with the documents that say it; `kg describe`."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from typer.testing import CliRunner

from kg.docs import describe as kgdescribe
from kg.docs.describe import Description
from kg.errors import BadParameter, UnknownResource
from kg.sources import labels
from kg.store.interface import Queryable, QueryRequest, Term
from kg.store.local import LocalStore
from kg_cli.main import app

ID = "https://w3id.org/territoires-industrie/id/"
TI = "https://w3id.org/territoires-industrie/ontology#"
ADN = ID + "territory/ardeche-drome-nord"
runner = CliRunner()


@pytest.fixture(scope="module")
def run(kg_store: ox.Store) -> Queryable:
    return LocalStore(kg_store)


def _describe(run: Queryable, iri: str) -> Description:
    return kgdescribe.describe(run, iri)


def test_a_territory_with_its_label_types_facts_and_sources(run: Queryable) -> None:
    d = _describe(run, ADN)
    assert d.label.fr == "Ardèche-Drôme Nord"
    assert [t.value.value for t in d.types] == [TI + "IndustryTerritory"]
    assert d.types[0].value_label.fr == "Territoire d'industrie" and d.types[0].value_label.en == "industry territory"
    members = [f for f in d.outgoing if f.property == TI + "hasMemberIntercommunality"]
    assert len(members) == 8
    annonay = next(f for f in members if f.value.value == ID + "epci/200072015")
    assert [s.graph for s in annonay.sources] == [ID + "source/001"]
    assert annonay.property_label.fr == "a pour intercommunalité membre"
    assert annonay.value_label.fr == "CA Annonay Rhône Agglo"  # its preferred label: the official name
    region = next(f for f in d.outgoing if f.property == TI + "inRegion")
    assert [s.graph for s in region.sources] == [ID + "graph/curation"]  # inferred by the editors, not stated
    about = [f for f in d.incoming if f.property == TI + "about"]
    assert about and about[0].value.value.startswith(ID + "event/")
    titles = {s.graph: s.title for s in d.sources}
    assert set(titles) == {ID + "source/001", ID + "graph/curation"}
    assert titles[ID + "source/001"] is not None and "Ardèche Drôme Nord" in titles[ID + "source/001"]


def test_each_fact_keeps_the_documents_that_state_it_even_when_they_disagree(run: Queryable) -> None:
    d = _describe(run, ID + "phase/1")
    ends = {
        f.value.value: sorted(s.graph.rsplit("/", 1)[1] for s in f.sources)
        for f in d.outgoing
        if f.property == TI + "endYear"
    }
    assert ends == {"2022": ["003", "004"], "2023": ["002"]}
    year = next(f.value for f in d.outgoing if f.property == TI + "endYear")
    assert year.datatype == "http://www.w3.org/2001/XMLSchema#gYear" and year.lang is None
    labels = {(f.value.value, f.value.lang) for f in d.outgoing if f.property.endswith("#label")}
    assert ("phase 1", "fr") in labels and ("phase 1", "en") in labels


def test_standard_terms_get_names_when_the_graph_gives_none(run: Queryable) -> None:
    d = _describe(run, ADN)
    label = next(f for f in d.outgoing if f.property == "http://www.w3.org/2000/01/rdf-schema#label")
    assert label.property_label.fr == "libellé" and label.property_label.en == "label"
    assert label.value_label == kgdescribe.Label()  # a literal has no label of its own


def test_other_namespaces_and_ontology_terms_are_described(run: Queryable) -> None:
    commune = _describe(run, "http://rdf.insee.fr/def/geo#Commune")  # INSEE's class: the ontology aligns with it
    assert any(f.property == "http://www.w3.org/2002/07/owl#equivalentClass" for f in commune.incoming)
    phase = _describe(run, TI + "Phase")
    assert phase.label.fr == "phase" and "https://w3id.org/territoires-industrie/ontology" in {
        s.graph for s in phase.sources
    }
    assert len([f for f in phase.incoming if f.property.endswith("#type")]) == 2  # phase/1 and phase/2


def test_a_property_the_graph_only_uses_is_known_but_has_no_statements(run: Queryable) -> None:
    d = _describe(run, "http://www.w3.org/2000/01/rdf-schema#label")
    assert d.known and d.used_as_property and not d.outgoing and not d.incoming
    assert kgdescribe.used_as_property(run, "http://www.w3.org/2000/01/rdf-schema#label")
    assert not kgdescribe.used_as_property(run, ADN)


def test_an_iri_the_graph_never_mentions_is_unknown(run: Queryable) -> None:
    with pytest.raises(UnknownResource, match="nowhere"):
        _describe(run, ID + "territory/nowhere")


def test_the_rdf_description_has_both_directions(kg_store: ox.Store) -> None:
    body = LocalStore(kg_store).run(QueryRequest(kgdescribe.graph_query(ADN), graph_format="ntriples")).body
    g = rdflib.Graph().parse(data=body, format="nt")
    s = rdflib.URIRef(ADN)
    assert (s, rdflib.URIRef(TI + "hasMemberIntercommunality"), rdflib.URIRef(ID + "epci/200072015")) in g
    assert (None, rdflib.URIRef(TI + "about"), s) in g
    assert all(subject == s or obj == s for subject, _, obj in g)


def test_the_iri_is_bound_as_a_term_never_as_text() -> None:
    query = kgdescribe.facts_query(ADN)
    assert f"VALUES (?resource) {{ (<{ADN}>) }}" in query
    with pytest.raises(BadParameter):
        kgdescribe.graph_query("http://x/> } ; DROP ALL ; <")
    with pytest.raises(BadParameter):
        kgdescribe.uses_query("http://x/> ?o } } #")
    assert kgdescribe.is_iri(ADN) and not kgdescribe.is_iri(ID + "a b") and not kgdescribe.is_iri(ID + "a>b")


def test_the_uses_of_a_property_with_their_graphs(run: Queryable) -> None:
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    query = kgdescribe.uses_query(label)
    assert f"<{label}>" not in query.split("VALUES", 1)[0]  # the IRI only in the VALUES block
    rows = run.select(query).rows
    assert len(rows) == 200 and all({"subject", "object", "graph"} <= set(row) for row in rows)


def test_one_table_names_the_standard_terms() -> None:
    assert kgdescribe.Label().or_known(kgdescribe.RDF_TYPE) == kgdescribe.Label("type", "type")
    assert kgdescribe.Label("nom").or_known(kgdescribe.RDF_TYPE) == kgdescribe.Label("nom")  # the graph's own wins
    assert kgdescribe.Label is labels.Label and all(fr and en for fr, en in labels.STANDARD_LABELS.values())


@pytest.mark.parametrize(
    ("typed", "iri"),
    [
        (ADN, ADN),
        (f"  <{ADN}> ", ADN),
        ("territory:ardeche-drome-nord", ADN),
        ("ti:Phase", TI + "Phase"),
        ("rdfs:label", "http://www.w3.org/2000/01/rdf-schema#label"),
        ("foaf:Person", "http://xmlns.com/foaf/0.1/Person"),
        ("urn:x-local:thing", "urn:x-local:thing"),
    ],
)
def test_iris_and_prefixed_names_are_accepted(typed: str, iri: str) -> None:
    assert kgdescribe.parse_iri(typed) == iri


@pytest.mark.parametrize("typed", ["", "   ", "not an iri", "ardeche", "http://a b/", "<>"])
def test_what_is_not_an_iri_is_a_bad_parameter(typed: str) -> None:
    with pytest.raises(BadParameter) as e:
        kgdescribe.parse_iri(typed)
    assert e.value.name == "iri"


def test_compact_names() -> None:
    assert kgdescribe.compact(TI + "Phase") == "ti:Phase"
    assert kgdescribe.compact(ID + "epci/200072015") == "epci:200072015"
    assert kgdescribe.compact("http://example.org/x") == "http://example.org/x"
    assert kgdescribe.n3(Term("uri", "http://example.org/x")) == "<http://example.org/x>"
    assert (
        kgdescribe.n3(Term("literal", "8", datatype="http://www.w3.org/2001/XMLSchema#integer")) == '"8"^^xsd:integer'
    )
    assert kgdescribe.n3(Term("literal", 'dit "oui"', lang="fr")) == '"dit \\"oui\\""@fr'


def test_kg_describe_prints_statements_with_their_sources(store_path_for_cli: Path) -> None:
    r = runner.invoke(app, ["describe", "phase:1", "--store", str(store_path_for_cli)])
    assert r.exit_code == 0, r.output
    assert 'ti:endYear  "2022"^^xsd:gYear    [src:003, src:004]' in r.stdout
    assert "src:002  Le point sur le programme" in r.stdout
    ttl = runner.invoke(app, ["describe", ADN, "--format", "turtle", "--store", str(store_path_for_cli)])
    assert ttl.exit_code == 0
    g = rdflib.Graph().parse(data=ttl.stdout, format="turtle")
    assert (rdflib.URIRef(ADN), rdflib.RDF.type, rdflib.URIRef(TI + "IndustryTerritory")) in g
    unknown = runner.invoke(app, ["describe", "territory:nowhere", "--store", str(store_path_for_cli)])
    assert unknown.exit_code == 2 and "says nothing" in unknown.output
    bad = runner.invoke(app, ["describe", ADN, "--format", "csv", "--store", str(store_path_for_cli)])
    assert bad.exit_code == 2


@pytest.fixture(scope="module")
def store_path_for_cli(built_store: tuple[Path, object]) -> Path:
    return built_store[0]
