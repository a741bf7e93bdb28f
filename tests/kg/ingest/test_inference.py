"""kg.ingest.inference: the RDFS subclass/subproperty entailments and shared funding of graph:inferred, whole and per write."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox

from kg.ingest import inference
from kg.ingest.inference import INFERRED_GRAPH, Hierarchy, entailed, inferred_diff
from kg.ingest.pipeline import BuildReport
from kg.store import layout as kgstore
from kg.write.journal import GraphDiff

TI = "https://w3id.org/territoires-industrie/ontology#"
ID = "https://w3id.org/territoires-industrie/id/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
TYPE = inference.RDF_TYPE


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri if "://" in iri else TI + iri)


def t(s: str, p: str, o: str | ox.Literal) -> ox.Triple:
    return ox.Triple(n(s), TYPE if p == "a" else n(p), o if isinstance(o, ox.Literal) else n(o))


ONTOLOGY = [
    t("Fund", RDFS + "subClassOf", "SupportScheme"),
    t("SupportScheme", RDFS + "subClassOf", "http://www.w3.org/ns/prov#Plan"),
    t("Company", RDFS + "subClassOf", "Organisation"),
    t("Organisation", RDFS + "subClassOf", "Actor"),
    t("Actor", RDFS + "subClassOf", "http://www.w3.org/ns/prov#Agent"),
    t("funder", RDFS + "subPropertyOf", "http://schema.org/funder"),
    t("http://schema.org/funder", RDFS + "subPropertyOf", "http://schema.org/contributor"),
    t("funder", RDFS + "domain", "FundingFlow"),  # domains and ranges are not applied
    t("funder", RDFS + "range", "Actor"),
    t("A", RDFS + "subClassOf", "B"),  # a cycle
    t("B", RDFS + "subClassOf", "A"),
]


def test_rdfs9_with_the_transitive_closure_of_subclasses() -> None:
    got = entailed([t(ID + "scheme/fonds-vert", "a", "Fund")], ONTOLOGY)
    assert got == {
        t(ID + "scheme/fonds-vert", "a", "SupportScheme"),
        t(ID + "scheme/fonds-vert", "a", "http://www.w3.org/ns/prov#Plan"),
    }


def test_rdfs7_with_the_transitive_closure_of_subproperties_and_no_domain_or_range() -> None:
    flow, etat = ID + "funding/x", ID + "actor/etat"
    got = entailed([t(flow, "funder", etat)], ONTOLOGY)
    assert got == {t(flow, "http://schema.org/funder", etat), t(flow, "http://schema.org/contributor", etat)}
    assert t(flow, "a", "FundingFlow") not in got and t(etat, "a", "Actor") not in got


def test_a_cycle_of_subclasses_entails_each_other_not_itself() -> None:
    h = Hierarchy.of(ONTOLOGY)
    assert h.superclasses[n("A")] == {n("B")} and h.superclasses[n("B")] == {n("A")}
    assert entailed([t(ID + "x", "a", "A")], h) == {t(ID + "x", "a", "B")}


def test_a_flow_with_two_funders_is_shared_and_one_with_one_is_not() -> None:
    flow, other = ID + "funding/shared", ID + "funding/single"
    stated = [
        t(flow, "a", "FundingFlow"),
        t(flow, "funder", ID + "actor/etat"),
        t(flow, "funder", ID + "actor/region"),
        t(other, "a", "FundingFlow"),
        t(other, "funder", ID + "actor/etat"),
    ]
    got = entailed(stated, ONTOLOGY)
    assert t(flow, "sharedFunding", inference.TRUE) in got
    assert not any(x.predicate == inference.SHARED_FUNDING for x in got if x.subject == n(other))
    # two funders on something that is not a funding flow say nothing about sharing
    assert not any(x.predicate == inference.SHARED_FUNDING for x in entailed(stated[1:3], ONTOLOGY))


SKOS = "http://www.w3.org/2004/02/skos/core#"


def _names(triples: set[ox.Triple], subject: str) -> set[ox.Literal]:
    return {x.object for x in triples if x.subject == n(subject) and x.predicate == inference.DISPLAY_NAME}  # type: ignore[misc]


def test_a_display_name_per_language_prefers_the_smallest_preferred_label() -> None:
    a, b = ID + "actor/a", ID + "actor/b"
    stated = [
        t(a, RDFS + "label", ox.Literal("Zèbre", language="fr")),
        t(a, RDFS + "label", ox.Literal("Abeille", language="fr")),  # smaller, but a prefLabel exists in French
        t(a, SKOS + "prefLabel", ox.Literal("Mouche", language="fr")),
        t(a, RDFS + "label", ox.Literal("Bee", language="en")),  # no English prefLabel: the smallest label
        t(a, RDFS + "label", ox.Literal("Ant", language="en")),
        t(a, RDFS + "label", ox.Literal("sans langue")),  # no language: no display name
        t(b, RDFS + "label", ox.Literal("Élan", language="fr")),
        t(b, RDFS + "label", ox.Literal("Zèbre", language="fr")),  # "Z" < "É" in code-point order, as SPARQL MIN
    ]
    got = entailed(stated, ONTOLOGY)
    assert _names(got, a) == {ox.Literal("Mouche", language="fr"), ox.Literal("Ant", language="en")}
    assert _names(got, b) == {ox.Literal("Zèbre", language="fr")}


def test_display_names_are_the_sparql_rule_on_the_built_store(kg_store: ox.Store) -> None:
    """ti:displayName is exactly what `kg.sources.labels.sparql_name` chooses over the merge, in each language."""
    from kg.sources.labels import sparql_name

    prefixes = f"PREFIX skos: <{SKOS}> PREFIX rdfs: <{RDFS}> PREFIX ti: <{TI}> "
    for lang in ("fr", "en"):
        rule = {
            (r["r"], r["name"])
            for r in kg_store.query(prefixes + "SELECT ?r ?name WHERE { " + sparql_name("r", "name", lang) + " }")
        }
        stored = {
            (r["r"], r["name"])
            for r in kg_store.query(
                prefixes + f'SELECT ?r ?name WHERE {{ ?r ti:displayName ?name FILTER(lang(?name) = "{lang}") }}'
            )
        }
        assert len(rule) > 100 and stored == rule, lang


def test_the_diff_of_a_change_equals_recomputing_everything(built_store: tuple[Path, BuildReport]) -> None:
    # random writes on the real graph: adding and removing stated triples, types and funders included
    db = kgstore.open_read_only(built_store[0])
    h = inference.store_hierarchy(db)
    inferred = ox.NamedNode(INFERRED_GRAPH)
    stated = {
        q.triple
        for q in db.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != inferred
    }
    whole = entailed(stated, h)
    rng = random.Random(11)
    flows = sorted({x.subject.value for x in stated if x.object == inference.FUNDING_FLOW})
    ordered = sorted(stated, key=str)
    for _ in range(20):
        removed = set(rng.sample(ordered, 40))
        added = {t(rng.choice(flows), "funder", ID + "actor/anct"), t(ID + "actor/new", "a", "Company")}
        after = (stated - removed) | added
        touched = inference.touched_subjects([GraphDiff(added=added, removed=removed)])
        diff = inferred_diff({x for x in stated if x.subject in touched}, {x for x in after if x.subject in touched}, h)
        assert (whole - diff.removed) | diff.added == entailed(after, h)


def test_the_built_store_holds_the_entailments_in_their_own_described_graph(kg_store: ox.Store) -> None:
    g = ox.NamedNode(INFERRED_GRAPH)
    fund = ox.NamedNode(ID + "scheme/fonds-vert")
    assert ox.Quad(fund, TYPE, n("SupportScheme"), g) in kg_store
    assert ox.Quad(fund, TYPE, n("SupportScheme"), ox.DefaultGraph()) in kg_store, "the merge holds it too"
    prov = "http://www.w3.org/ns/prov#"
    ontology = ox.NamedNode("https://w3id.org/territoires-industrie/ontology")
    assert ox.Quad(g, ox.NamedNode(prov + "wasDerivedFrom"), ontology, g) in kg_store
    # exactly what the rules derive from every other named graph, plus the graph's own description
    stated = [
        q
        for q in kg_store.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != g
    ]
    own = inference.description()
    expected = own | entailed([*stated, *own], inference.store_hierarchy(kg_store))
    assert {q.triple for q in kg_store.quads_for_pattern(None, None, None, g)} == expected


def test_stated_triples_leave_out_the_inferred_graph(kg_store: ox.Store) -> None:
    fund = ox.NamedNode(ID + "scheme/fonds-vert")
    got = inference.stated_triples(kg_store, [fund])
    assert ox.Triple(fund, TYPE, n("Fund")) in got
    assert ox.Triple(fund, TYPE, n("SupportScheme")) not in got


def test_a_write_keeps_the_inferred_graph_equal_to_a_new_build(kg_store: ox.Store) -> None:
    # a copy in memory, changed as kg.write.update changes a store: per-graph diffs, the merge kept equal to the union
    db = ox.Store()
    db.bulk_extend(kg_store.quads_for_pattern(None, None, None, None))
    g = ox.NamedNode(INFERRED_GRAPH)
    doc = ID + "source/002"
    flow = ID + "funding/002-rebond-industriel"
    new_doc = ID + "source/900"
    diffs = {
        doc: GraphDiff(
            added={t(flow, "funder", ID + "actor/etat"), t(flow, "funder", ID + "actor/anct")},
            removed={t(ID + "scheme/fonds-vert", "a", "Fund")},
        ),
        new_doc: GraphDiff(added={t(ID + "actor/new", "a", "Company"), t(ID + "scheme/fonds-vert", "a", "Fund")}),
    }
    db.bulk_extend(ox.Quad(*x, ox.NamedNode(name)) for name, d in diffs.items() for x in d.added)
    for name, d in diffs.items():
        for x in d.removed:
            db.remove(ox.Quad(*x, ox.NamedNode(name)))
    change = inference.write_diff(db, diffs)
    assert t(flow, "sharedFunding", inference.TRUE) in change.added
    assert t(ID + "actor/new", "a", "Actor") in change.added
    # fonds-vert is still a fund, now stated by another document: its entailments stay, nothing to remove
    assert not change.removed
    db.bulk_extend(ox.Quad(*x, g) for x in change.added)
    for x in change.removed:
        db.remove(ox.Quad(*x, g))
    stated = [
        q
        for q in db.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != g
    ]
    own = inference.description()
    assert {q.triple for q in db.quads_for_pattern(None, None, None, g)} == own | entailed(
        [*stated, *own], inference.store_hierarchy(db)
    )
    # and removing the flow's new funder takes its shared funding away again
    undo = {doc: GraphDiff(removed={t(flow, "funder", ID + "actor/anct")})}
    db.remove(ox.Quad(*t(flow, "funder", ID + "actor/anct"), ox.NamedNode(doc)))
    assert t(flow, "sharedFunding", inference.TRUE) in inference.write_diff(db, undo).removed


def test_search_keys_are_the_names_folded_as_the_search_folds_them(kg_store: ox.Store) -> None:
    """Every name's key is the text search.rq compares (LCASE and its REPLACE chain, run by the store), so the
    keys never leave out a resource the search would find."""
    from kg import queries

    text = queries.get("search").text
    chain = text[text.index("BIND(LCASE(STR(?l)) AS ?l0)") : text.index("AS ?hay)") + len("AS ?hay)")]
    prefixes = f"PREFIX skos: <{SKOS}> PREFIX rdfs: <{RDFS}> PREFIX ti: <{TI}> "
    rows = list(
        kg_store.query(
            prefixes + "SELECT DISTINCT ?r ?hay WHERE { ?r rdfs:label|skos:prefLabel|skos:altLabel|ti:acronym ?l "
            "FILTER(isIRI(?r)) " + chain + " }"
        )
    )
    assert len(rows) > 1000
    keys = {(q.subject, q.object.value) for q in kg_store.quads_for_pattern(None, inference.SEARCH_KEY, None, None)}
    assert {(r["r"], r["hay"].value) for r in rows} == keys
    assert inference.fold("Ardèche-Drôme Nord’s Œuvre") == "ardeche-drome nord's oeuvre"
