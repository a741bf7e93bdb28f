"""kg.ingest.links: graph:links, the links out that the build derives from the SIRENs the data holds."""

from __future__ import annotations

import pyoxigraph as ox

from kg.ingest import links
from kg.ingest.links import LINKS_GRAPH
from kg.store.local import LocalStore

TI = "https://w3id.org/territoires-industrie/ontology#"
ID = "https://w3id.org/territoires-industrie/id/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
IGEO = "http://rdf.insee.fr/def/geo#"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
GEO = ox.NamedNode(ID + "graph/etalab-decoupage-administratif")
DOC = ox.NamedNode(ID + "source/900")
REGISTER = "https://annuaire-entreprises.data.gouv.fr/entreprise/"


def q(s: str, p: str, o: str | ox.Literal, g: ox.NamedNode = GEO) -> ox.Quad:
    pred = TYPE if p == "a" else ox.NamedNode(p if "://" in p else TI + p)
    obj = o if isinstance(o, ox.Literal) else ox.NamedNode(o if "://" in o else TI + o)
    return ox.Quad(ox.NamedNode(ID + s), pred, obj, g)


STATED = [
    q("commune/71076", "a", "Commune"),
    q("commune/71076", IGEO + "codeINSEE", ox.Literal("71076")),
    q("commune/71076", "siren", ox.Literal("217100767")),
    q("departement/71", "a", "Departement"),
    q("departement/71", IGEO + "codeINSEE", ox.Literal("71")),
    q("region/27", "a", "Region"),
    q("region/27", IGEO + "codeINSEE", ox.Literal("27")),
    q("epci/247100589", "a", "Intercommunality"),
    q("epci/247100589", "siren", ox.Literal("247100589")),
    q("actor/usine", "a", "Company", DOC),
    q("actor/usine", "siren", ox.Literal("552100554"), DOC),
    q("commune/99999", "a", "Commune"),  # no code at all
    q("actor/sans-code", "a", "Company", DOC),
    q("actor/mal-ecrit", "siren", ox.Literal("55210055"), DOC),  # eight digits: not a SIREN
]


def _links(quads: list[ox.Quad]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for x in quads:
        if x.predicate.value == RDFS + "seeAlso":
            assert isinstance(x.subject, ox.NamedNode) and isinstance(x.object, ox.NamedNode)
            out.setdefault(x.subject.value, set()).add(x.object.value)
    return out


def test_each_siren_links_to_its_register_page_and_nothing_else_gets_a_link() -> None:
    quads = links.graph_quads(STATED)
    assert {x.graph_name for x in quads} == {ox.NamedNode(LINKS_GRAPH)}
    assert _links(quads) == {
        ID + "commune/71076": {REGISTER + "217100767"},  # a commune's SIREN is the collectivité's
        ID + "epci/247100589": {REGISTER + "247100589"},
        ID + "actor/usine": {REGISTER + "552100554"},
    }


def test_no_insee_iri_is_derived_from_a_code() -> None:
    # INSEE's geography IRIs are built on UUIDs, one per version of a territory: the code does not give them
    quads = links.graph_quads(STATED)
    assert not any("insee.fr" in x.object.value for x in quads if isinstance(x.object, ox.NamedNode))
    assert ID + "departement/71" not in _links(quads) and ID + "region/27" not in _links(quads)


def test_the_graph_is_described_with_what_it_is_derived_from() -> None:
    g = ox.NamedNode(LINKS_GRAPH)
    own = {(x.predicate.value, x.object) for x in links.graph_quads(STATED) if x.subject == g}
    assert ("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(TI + "Dataset")) in own
    assert {o.language for p, o in own if p == RDFS + "label" and isinstance(o, ox.Literal)} == {"fr", "en"}
    assert {o for p, o in own if p == "http://www.w3.org/ns/prov#wasDerivedFrom"} == {GEO, DOC}
    assert ("http://purl.org/dc/terms/references", ox.NamedNode("https://annuaire-entreprises.data.gouv.fr/")) in own


def test_no_code_no_graph() -> None:
    assert links.graph_quads([q("commune/99999", "a", "Commune")]) == []


def test_the_build_loads_the_links_described_and_merged(kg_store: ox.Store) -> None:
    store = LocalStore(kg_store)
    graph = f"<{LINKS_GRAPH}>"
    see_also = f"<{RDFS}seeAlso>"
    for subject, siren in (("epci/200072015", "200072015"), ("commune/71076", "217100767")):
        ask = f"ASK {{ GRAPH {graph} {{ <{ID}{subject}> {see_also} <{REGISTER}{siren}> }} }}"
        assert store.ask(ask), subject
        assert store.ask(f"ASK {{ <{ID}{subject}> {see_also} <{REGISTER}{siren}> }}")  # in the merge too
    for place in ("departement/07", "region/84"):  # no SIREN in the data: no link
        assert not store.ask(f"ASK {{ GRAPH {graph} {{ <{ID}{place}> ?p ?o }} }}")
    assert store.ask(
        f"ASK {{ GRAPH {graph} {{ {graph} a <{TI}Dataset> ; <http://www.w3.org/ns/prov#wasDerivedFrom> <{GEO.value}> }} }}"
    )
    every = store.rows(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{TI}siren> ?siren }} FILTER(?g != {graph}) }}"
    )
    linked = store.rows(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {graph} {{ ?s {see_also} ?page }} }}")
    assert linked == every  # every resource with a SIREN, once
