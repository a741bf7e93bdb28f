"""Every canned query answers a real question on the bundled data; parameters are validated and bound safely."""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from kg import queries
from kg.errors import BadParameter, UnknownQuery
from kg.ingest import inference
from kg.store.local import LocalStore
from kg.write.journal import GraphDiff
from kg_cli.main import app

ID = "https://w3id.org/territoires-industrie/id/"


def run(store: ox.Store, name: str, **params: str) -> list[dict[str, str | None]]:
    return LocalStore(store).rows(queries.get(name).bind(params))


def test_territories_by_region_and_phase(kg_store: ox.Store) -> None:
    rows = run(kg_store, "territories")
    assert (
        Counter(r["regionName"] for r in rows)
        == {
            "Centre-Val de Loire": 15,  # 12 phase-2 laureates + Montargis-Gien, Châteauroux-Issoudun, Dreux – Portes Euréliennes
            "Nouvelle-Aquitaine": 16,
            "Auvergne-Rhône-Alpes": 2,
            # inferred from the members (graph:inferred-places), kept beside the stated région: Tarbes
            # (Lacq - Pau - Tarbes) and the Eure communes of the CA Agglo du Pays de Dreux
            "Occitanie": 1,
            "Normandie": 1,
        }
    )
    agen = next(r for r in rows if r["t"] == ID + "territory/agenais")
    assert agen["territory"] == "Agenais", "its preferred label (curation), not 003's « AGEN INDUSTRIE »"
    assert agen["phases"] == "2"
    assert sorted((agen["sources"] or "").split(", ")) == ["003_fbefc44526347a99.txt", "004_6547c7d38fa0d6c3.txt"]
    cvl2 = run(kg_store, "territories", region=ID + "region/24", phase=ID + "phase/2")
    assert len(cvl2) == 12
    assert len(run(kg_store, "territories", phase=ID + "phase/1")) == 6


def test_territory_members_with_codes(kg_store: ox.Store) -> None:
    rows = run(kg_store, "territory-members", territory=ID + "territory/ardeche-drome-nord")
    sirens = {r["siren"] for r in rows if r["relation"] == "member intercommunality"}
    assert len(sirens) == 8 and "240700716" in sirens
    annonay = [r for r in rows if r["siren"] == "200072015"]
    assert {"07010"} <= {r["insee"] for r in annonay}  # Annonay itself
    assert all(r["insee"] and len(r["insee"]) == 5 for r in rows)
    est = run(kg_store, "territory-members", territory=ID + "territory/est-du-loiret")
    assert sorted(r["communeName"] for r in est) == ["Gien", "Montargis", "Sully-sur-Loire"]


def test_actors_of_a_territory(kg_store: ox.Store) -> None:
    rows = run(kg_store, "territory-actors", territory=ID + "territory/agenais")
    by_role = Counter(r["roleName"] for r in rows)
    assert by_role["candidacy supporter"] == 11
    assert by_role["co-pilot"] == 2
    assert by_role["operator to be mobilised"] == 5
    adn = run(kg_store, "territory-actors", territory=ID + "territory/ardeche-drome-nord")
    assert {r["actor"].rsplit("/", 1)[-1] for r in adn if r["roleName"] in ("pilot", "support")} == {
        "anct",
        "banque-des-territoires",
        "bpifrance",
        "prefecture-ardeche",
        "prefecture-drome",
    }


def test_schemes_with_plans_and_actors(kg_store: ox.Store) -> None:
    (rebond,) = run(kg_store, "schemes", scheme=ID + "scheme/rebond-industriel")
    assert rebond["plans"] == "France 2030"
    # the preferred label (curation), no longer the smallest French wording ("ANCT")
    assert "Agence nationale de la cohésion des territoires (support)" in (rebond["actors"] or "")
    assert "(pilot)" in (rebond["actors"] or "")
    assert len(run(kg_store, "schemes")) >= 12


def test_funding_flows_filters(kg_store: ox.Store) -> None:
    assert len(run(kg_store, "funding-flows")) == 14
    adn = run(kg_store, "funding-flows", territory=ID + "territory/ardeche-drome-nord")
    assert len(adn) == 3
    envelope = next(r for r in adn if r["amount"])
    assert Decimal(envelope["amount"] or 0) == 2_000_000 and envelope["source"] == "001_49d4d9abeb580c94.txt"
    cvl = run(kg_store, "funding-flows", region=ID + "region/24")
    assert sorted(Decimal(r["amount"] or 0) for r in cvl) == [3_900_000, 6_000_000, 36_000_000]
    relance = run(kg_store, "funding-flows", scheme=ID + "plan/france-relance")
    assert len(relance) == 1 and relance[0]["qualifier"] == "more than"
    assert len(run(kg_store, "funding-flows", funder=ID + "actor/etat", phase=ID + "phase/2")) == 4


def test_a_territory_and_a_region_keep_the_flows_in_both(kg_store: ox.Store) -> None:
    """The territory's candidates are checked against the région (a check that always failed, or always passed,
    would go unseen by the example parameters, whose territory is not in their région)."""
    adn = ID + "territory/ardeche-drome-nord"
    alone = run(kg_store, "funding-flows", territory=adn)
    assert len(alone) == 3
    assert run(kg_store, "funding-flows", territory=adn, region=ID + "region/84") == alone  # Auvergne-Rhône-Alpes
    assert run(kg_store, "funding-flows", territory=adn, region=ID + "region/24") == []
    totals = run(kg_store, "funding-totals", territory=adn)
    assert totals and run(kg_store, "funding-totals", territory=adn, region=ID + "region/84") == totals
    assert run(kg_store, "funding-totals", territory=adn, region=ID + "region/24") == []


def test_funding_totals_keep_lower_bounds_and_ranges(kg_store: ox.Store) -> None:
    by_region = {r["key"]: r for r in run(kg_store, "funding-totals", group="region")}
    cvl = by_region[ID + "region/24"]
    assert Decimal(cvl["minimum"] or 0) == 45_900_000
    assert cvl["maximum"] == "" and cvl["openEnded"] == "true", "'plus de 36 M€' leaves the upper bound open"
    ara = by_region[ID + "region/84"]
    assert (Decimal(ara["minimum"] or 0), Decimal(ara["maximum"] or 0)) == (2_500_000, 3_000_000)
    assert ara["openEnded"] == "false"
    na = by_region[ID + "region/75"]
    assert Decimal(na["minimum"] or 0) == Decimal(na["maximum"] or 0) == 88_000_000


def test_statistics_of_an_area(kg_store: ox.Store) -> None:
    rows = run(kg_store, "statistics", area=ID + "territory/ardeche-drome-nord")
    got = {r["measure"]: r for r in rows}
    assert Decimal(got["industrial jobs"]["value"] or 0) == 20500
    est = got["active industrial establishments"]
    assert est["year"] == "2020" and est["qualifier"] == "about"
    assert est["producer"] == "Institut national de la statistique et des études économiques"  # its prefLabel
    assert len(run(kg_store, "statistics")) == 28


def test_what_a_document_states(kg_store: ox.Store) -> None:
    rows = run(kg_store, "document-facts", document=ID + "source/001")
    assert len(rows) == 346  # every quad of graph source/001 (315, plus what issue 11 moved from text to structure)
    assert any(r["object"] == "001_49d4d9abeb580c94.txt" for r in rows)


def test_disagreements_between_documents(kg_store: ox.Store) -> None:
    rows = run(kg_store, "disagreements")
    claims = {
        (
            r["subject"].rsplit("/", 2)[-2] + "/" + r["subject"].rsplit("/", 1)[-1],
            r["aspect"],
            r["value"],
            r["document"][:3],
        )
        for r in rows
    }  # type: ignore[union-attr,index]
    assert {
        ("phase/1", "end year", "2023", "002"),
        ("phase/1", "end year", "2022", "003"),
        ("phase/1", "end year", "2022", "004"),
    } <= claims
    announced = {(v, d) for s, a, v, d in claims if s == "phase/2" and a == "announcement date"}
    assert announced == {
        ("2023-05", "002"),
        ("2023-05", "004"),
        ("2023-11-09", "000"),
        ("2023-11-09", "001"),
        ("2023-11-09", "003"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ardeche", ID + "territory/ardeche-drome-nord"),
        ("bpi", ID + "actor/bpifrance"),
        ("CHÂTEAUROUX", ID + "territory/chateauroux-buzancais-argenton"),
        ("drômardèche", ID + "epci/200040491"),
    ],
)
def test_search_ignores_case_and_accents(kg_store: ox.Store, text: str, expected: str) -> None:
    assert expected in {r["resource"] for r in run(kg_store, "search", text=text)}


def test_triples_per_graph_and_instances_per_class(kg_store: ox.Store) -> None:
    graphs = {r["graph"]: int(r["triples"] or 0) for r in run(kg_store, "triples-per-graph")}
    for n in ("000", "001", "002", "003", "004"):
        assert graphs[f"{ID}source/{n}"] > 100
    assert graphs[f"{ID}graph/etalab-decoupage-administratif"] > 3000
    classes = {r["class"]: int(r["instances"] or 0) for r in run(kg_store, "instances-per-class")}
    onto = "https://w3id.org/territoires-industrie/ontology#"
    assert classes[onto + "IndustryTerritory"] == 33
    assert classes[onto + "Intercommunality"] == 56  # the 13 named, and the intercommunalité of every named commune
    assert classes[onto + "SourceDocument"] == 5


# --- parameters ------------------------------------------------------------------------------------------


FRENCH_WORDS = re.compile(r"\b(les?|la|des|du|une?|et|par|dans|avec|sans|qui|ce|cette|chaque|seulement)\b", re.I)


@pytest.mark.parametrize(
    ("name", "q"),
    [(n, queries.get(n)) for n in queries.names()]
    + [(f"internal/{n}", queries.internal(n)) for n in queries.internal_names()],
)
def test_every_header_is_in_french_with_english_beside_it(name: str, q: queries.CannedQuery) -> None:
    """`title` and `description` (of the query and of each parameter) French, `title_en` and `description_en`
    English: the site is French first, its API says both."""
    for key in ("title", "description"):
        french, english = q.header.get(key), q.header.get(f"{key}_en")
        assert isinstance(french, str) and isinstance(english, str) and french != english, (name, key)
        assert q.text_in(key, "fr") == french and q.text_in(key, "en-GB") == english == getattr(q, f"{key}_en")
    assert FRENCH_WORDS.search(q.description), name
    for p in q.params:
        assert p.description and p.description_en and p.description != p.description_en, (name, p.name)


def test_kg_queries_lists_them_in_french() -> None:
    out = CliRunner().invoke(app, ["queries"])
    assert out.exit_code == 0, out.output
    assert "funding-flows\tFlux de financement" in out.output
    assert "--param territory=<iri>\tobligatoire. Le territoire. Exemple : " in out.output
    assert "Funding flows" not in out.output and "required" not in out.output


def test_every_header_declares_well_formed_parameters() -> None:
    for name in queries.names():
        q = queries.get(name)
        assert q.title and q.description, name
        for p in q.params:
            assert p.example, f"{name}: parameter {p.name} has an example"
            assert f"?{p.name}" in q.text.split("WHERE", 1)[1], f"{name}: ?{p.name} is used in the query"
            q.bind({p.name: p.example})  # the example itself is valid


@pytest.mark.parametrize(
    ("name", "params", "bad"),
    [
        ("territory-members", {}, "territory"),  # required
        ("territory-members", {"territory": "not an iri"}, "territory"),
        ("territory-members", {"territory": ID + "x> } SERVICE <http://127.0.0.1:9/> { ?a ?b ?c"}, "territory"),
        ("funding-totals", {"group": "commune"}, "group"),  # not in the enumeration
        ("territories", {"colour": "blue"}, "colour"),  # unknown
    ],
)
def test_bad_parameters_are_refused_by_name(name: str, params: dict[str, str], bad: str) -> None:
    with pytest.raises(BadParameter) as info:
        queries.get(name).bind(params)
    assert info.value.name == bad


def test_a_string_cannot_escape_its_literal(kg_store: ox.Store) -> None:
    attack = 'x" ) } UNION { ?resource ?p ?o } #'
    bound = queries.get("search").bind({"text": attack})
    assert "UNION { ?resource ?p ?o }" not in bound.replace('\\"', "") or bound.count('\\"') == 1
    assert run(kg_store, "search", text=attack) == []


def test_unknown_query() -> None:
    with pytest.raises(UnknownQuery, match="territories"):
        queries.get("../../etc/passwd")


# --- names: one per resource and language (kg.sources.labels) and shared funding ------------------------------------

NAME_SUBSELECT = re.compile(
    r"\{ SELECT \?(?P<var>\w+) \(STRLANG\(MIN\(STR\(\?(?P=var)_label\)\), \"\w+\"\) AS \?(?P<out>\w+)\) "
    r"WHERE \{ (?P<where>.*?)\?(?P=var) skos:prefLabel\|rdfs:label .*?GROUP BY \?(?P=var) \}"
)
OLD_NAME_CHOICE = re.compile(r"\(MIN\(\?\w+\) AS \?\w+\) WHERE \{(?:(?!skos:prefLabel)[^}])*rdfs:label")


DISPLAY_NAME = re.compile(r'ti:displayName \?(?P<out>\w+) FILTER\(lang\(\?(?P=out)\) = "\w+"\)')


@pytest.mark.parametrize("name", queries.names())
def test_every_canned_query_names_a_resource_by_the_one_rule(name: str) -> None:
    """Names are read from ti:displayName (the build applies kg.sources.labels' rule once), never chosen again
    among every label of the graph at each request."""
    text = queries.get(name).text
    assert not OLD_NAME_CHOICE.search(text), "a name chosen among rdfs:label alone: read ti:displayName"
    assert not NAME_SUBSELECT.search(text), "a name chosen by a sub-select over every label: read ti:displayName"
    names = {m["out"] for m in DISPLAY_NAME.finditer(text)}
    group_by = re.findall(r"^GROUP BY (.*)$", text, re.MULTILINE)
    for variables in group_by:  # grouping on a name splits a resource unless the name is the one chosen
        for v in re.findall(r"\?(\w+)", variables):
            if re.search(r"(?i)(label|name)$", v) or (v == "territory" and name == "territories"):
                assert v in names, f"GROUP BY ?{v}: a name that is not one per resource"


@pytest.fixture(scope="module")
def relabelled(kg_store: ox.Store) -> ox.Store:
    """The built store in memory, where a territory and a flow get a preferred label and a second French label."""
    db = ox.Store()
    db.bulk_extend(kg_store.quads_for_pattern(None, None, None, None))
    skos, rdfs = "http://www.w3.org/2004/02/skos/core#", "http://www.w3.org/2000/01/rdf-schema#"
    extra = [
        (ID + "territory/agenais", skos + "prefLabel", "Agenais (préféré)", ID + "graph/curation"),
        (ID + "territory/agenais", rdfs + "label", "Aaa autre nom de l'Agenais", ID + "source/900"),
        (ID + "funding/002-plan-de-relance", skos + "prefLabel", "Plan de relance (préféré)", ID + "graph/curation"),
        (ID + "funding/002-plan-de-relance", rdfs + "label", "Aaa autre nom du flux", ID + "source/900"),
    ]
    diffs: dict[str, GraphDiff] = {}
    for s, *_ in extra:  # its own preferred labels, if the curation graph gives some, are replaced
        for q in list(db.quads_for_pattern(ox.NamedNode(s), ox.NamedNode(skos + "prefLabel"), None, None)):
            db.remove(q)
            if isinstance(q.graph_name, ox.NamedNode):
                diffs.setdefault(q.graph_name.value, GraphDiff(added=set(), removed=set())).removed.add(q.triple)
    for s, p, o, g in extra:
        triple = ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.Literal(o, language="fr"))
        diffs.setdefault(g, GraphDiff(added=set(), removed=set())).added.add(triple)
        for graph in (ox.NamedNode(g), ox.DefaultGraph()):
            db.add(ox.Quad(*triple, graph))
    names = inference.write_diff(db, diffs)  # graph:inferred (ti:displayName) as a write would keep it
    for graph in (ox.NamedNode(inference.INFERRED_GRAPH), ox.DefaultGraph()):
        for triple in names.removed:
            db.remove(ox.Quad(*triple, graph))
        for triple in names.added:
            db.add(ox.Quad(*triple, graph))
    return db


def test_a_resource_with_several_labels_is_one_row_under_its_preferred_label(relabelled: ox.Store) -> None:
    rows = run(relabelled, "territories")
    agenais = [r for r in rows if r["t"] == ID + "territory/agenais"]
    assert [r["territory"] for r in agenais] == ["Agenais (préféré)"]
    assert len({r["t"] for r in rows}) == 33
    assert len({(r["t"], r["territory"]) for r in rows}) == 33, "one name per territory"
    flows = run(relabelled, "funding-flows")
    assert len(flows) == 14
    (relance,) = [r for r in flows if r["flow"] == ID + "funding/002-plan-de-relance"]
    assert relance["label"] == "Plan de relance (préféré)"
    assert "Agenais (préféré)" in {r["label"] for r in run(relabelled, "search", text="agenais")}


def test_a_flow_shared_by_two_funders_is_marked_and_totalled_apart(kg_store: ox.Store) -> None:
    flows = {r["flow"]: r for r in run(kg_store, "funding-flows")}
    assert flows[ID + "funding/002-plan-de-relance"]["sharedFunding"] == "true"  # État and the Conseil régional
    assert {f for f, r in flows.items() if r["sharedFunding"] == "true"} == {ID + "funding/002-plan-de-relance"}
    by_funder = {r["key"]: r for r in run(kg_store, "funding-totals", group="funder")}
    etat, region = by_funder[ID + "actor/etat"], by_funder[ID + "actor/conseil-regional-centre-val-de-loire"]
    # the 36 M€ "plus de" is theirs together: apart from each one's own total, counted once when summed
    for funder in (etat, region):
        assert (funder["sharedFlows"], Decimal(funder["sharedMinimum"] or 0)) == ("1", 36_000_000)
        assert funder["sharedMaximum"] == "" and funder["sharedOpenEnded"] == "true"
    assert Decimal(etat["minimum"] or 0) == 4_400_000 and etat["openEnded"] == "false"
    assert Decimal(region["minimum"] or 0) == 0
    # grouped by région the flow is counted once, in full
    cvl = {r["key"]: r for r in run(kg_store, "funding-totals", group="region")}[ID + "region/24"]
    assert (cvl["sharedFlows"], Decimal(cvl["minimum"] or 0)) == ("0", 45_900_000)


def test_a_part_of_another_flow_is_not_summed_with_it(kg_store: ox.Store) -> None:
    # with or without ti:partOfFlow in the data: state it here, on a copy, for the two national phase-1 figures
    db = ox.Store()
    db.bulk_extend(kg_store.quads_for_pattern(None, None, None, None))
    part, whole = (
        ox.NamedNode(ID + "funding/004-financements-orientes-phase-1"),
        ox.NamedNode(ID + "funding/003-premiere-vague-2018-2022"),
    )
    part_of = ox.NamedNode("https://w3id.org/territoires-industrie/ontology#partOfFlow")
    stated = ox.Quad(part, part_of, whole, ox.DefaultGraph()) in kg_store
    db.add(ox.Quad(part, part_of, whole, ox.DefaultGraph()))
    phase1 = {r["key"]: r for r in run(db, "funding-totals", group="phase")}[ID + "phase/1"]
    assert (phase1["flows"], phase1["partFlows"]) == ("2", "1")
    assert Decimal(phase1["minimum"] or 0) == 2_000_000_000, "the 1 Md€ is within the 2 Md€, not added to it"
    if not stated:  # without the statement both figures add up, as before
        phase1 = {r["key"]: r for r in run(kg_store, "funding-totals", group="phase")}[ID + "phase/1"]
        assert Decimal(phase1["minimum"] or 0) == 3_000_000_000 and phase1["partFlows"] == "0"
