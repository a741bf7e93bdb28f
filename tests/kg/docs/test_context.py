"""kg.docs.context: the published JSON-LD @context and compaction with it, which must round-trip."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.docs import context
from kg.sources.namespaces import PREFIXES

ID = "https://w3id.org/territoires-industrie/id/"
TI = "https://w3id.org/territoires-industrie/ontology#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPH = ox.NamedNode(ID + "source/000")


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


TRIPLES = [
    ox.Triple(n(ID + "commune/71076"), n(RDFS + "label"), ox.Literal("Chalon-sur-Saône", language="fr")),
    ox.Triple(n(ID + "commune/71076"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(TI + "Commune")),
    ox.Triple(n(ID + "commune/71076"), n(TI + "siren"), ox.Literal("217100767")),
    ox.Triple(n(ID + "amount/x"), n("http://schema.org/value"), ox.Literal("36000000", datatype=n(XSD + "decimal"))),
    ox.Triple(n(ID + "event/y"), n(TI + "date"), ox.Literal("2023-05", datatype=n(XSD + "gYearMonth"))),
    ox.Triple(
        n(ID + "commune/71076"),
        n(RDFS + "seeAlso"),
        n("https://annuaire-entreprises.data.gouv.fr/entreprise/217100767"),
    ),
    ox.Triple(n(ID + "actor/anct"), n(RDFS + "seeAlso"), n(ID)),  # an IRI equal to a namespace
    ox.Triple(ox.BlankNode("b1"), n(RDFS + "label"), ox.Literal("sans nom")),
    ox.Triple(n(ID + "actor/anct"), n(TI + "note"), ox.BlankNode("b1")),
]


def _nt(items: list[ox.Triple]) -> rdflib.Graph:
    return rdflib.Graph().parse(data=ox.serialize(items, format=ox.RdfFormat.N_TRIPLES), format="nt")


def test_the_context_is_the_projects_prefixes_each_usable_to_compact() -> None:
    assert PREFIXES.items() <= context.CONTEXT.items()
    for prefix in ("ti", "tid", "commune", "epci", "rdfs", "skos", "dcterms", "prov", "xsd", "schema", "dcat"):
        assert prefix in context.CONTEXT, prefix
    assert all(iri.endswith(("/", "#")) for iri in context.CONTEXT.values())  # JSON-LD 1.1 prefix rule
    assert json.loads(context.document()) == {"@context": context.CONTEXT}


def test_a_graph_is_compacted_with_the_context_embedded_and_round_trips() -> None:
    body = context.jsonld(TRIPLES)
    doc = json.loads(body)
    assert doc["@context"] == context.CONTEXT
    nodes = {node["@id"]: node for node in doc["@graph"]}
    assert nodes["commune:71076"]["rdfs:label"] == {"@language": "fr", "@value": "Chalon-sur-Saône"}
    assert nodes["commune:71076"]["@type"] == "ti:Commune"
    assert nodes["amount:x"]["schema:value"] == {"@type": "xsd:decimal", "@value": "36000000"}
    assert isomorphic(rdflib.Graph().parse(data=body, format="json-ld"), _nt(TRIPLES))


def test_named_graphs_are_kept() -> None:
    quads = [ox.Quad(t.subject, t.predicate, t.object, GRAPH) for t in TRIPLES[:3]]
    quads.append(ox.Quad(n(ID + "actor/anct"), n(RDFS + "label"), ox.Literal("ANCT", language="fr"), ox.DefaultGraph()))
    body = context.jsonld(quads)
    back = rdflib.Dataset().parse(data=body, format="json-ld")
    assert isomorphic(back.graph(rdflib.URIRef(GRAPH.value)), _nt(TRIPLES[:3]))
    assert len(back.default_graph) == 1
    assert {q.graph_name for q in quads} == {GRAPH, ox.DefaultGraph()}


def test_quads_all_in_the_default_graph_are_one_graph() -> None:
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in TRIPLES]
    assert isomorphic(rdflib.Graph().parse(data=context.jsonld(quads), format="json-ld"), _nt(TRIPLES))


def test_past_the_cap_the_answer_is_expanded_with_the_same_triples(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "COMPACT_MAX_TRIPLES", 3)
    body = context.jsonld(TRIPLES)
    assert isinstance(json.loads(body), list)  # pyoxigraph's expanded form: no @context
    assert isomorphic(rdflib.Graph().parse(data=body, format="json-ld"), _nt(TRIPLES))
    assert "@context" in json.loads(context.jsonld(TRIPLES[:3]))


def test_an_empty_graph_is_an_empty_document() -> None:
    doc = json.loads(context.jsonld([]))
    assert doc == {"@context": context.CONTEXT, "@graph": []}
