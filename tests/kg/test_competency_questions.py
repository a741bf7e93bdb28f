"""Each competency question of ../shared/competency-questions.md, answered by one SPARQL query on the built store."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg.query import select

PREFIXES = """
PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX src: <https://w3id.org/territoires-industrie/id/source/>
PREFIX phase: <https://w3id.org/territoires-industrie/id/phase/>
PREFIX territory: <https://w3id.org/territoires-industrie/id/territory/>
PREFIX reg: <https://w3id.org/territoires-industrie/id/region/>
PREFIX country: <https://w3id.org/territoires-industrie/id/country/>
PREFIX actor: <https://w3id.org/territoires-industrie/id/actor/>
PREFIX scheme: <https://w3id.org/territoires-industrie/id/scheme/>
PREFIX measure: <https://w3id.org/territoires-industrie/id/measure/>
PREFIX role: <https://w3id.org/territoires-industrie/id/role/>
PREFIX qual: <https://w3id.org/territoires-industrie/id/qualifier/>
PREFIX epci: <https://w3id.org/territoires-industrie/id/epci/>
"""


def ask(store: ox.Store, body: str) -> list[dict[str, str | None]]:
    return select(store, PREFIXES + body).rows


def col(rows: list[dict[str, str | None]], name: str) -> list[str | None]:
    return [r[name] for r in rows]


def doc(iri: str | None) -> str:
    """'…/id/source/001' → '001'."""
    assert iri is not None
    return iri.rsplit("/", 1)[-1]


def test_cq01_phase_2_period(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT (MIN(?start) AS ?from) (MAX(?end) AS ?to) WHERE {
             OPTIONAL { phase:2 ti:startYear ?start } OPTIONAL { phase:2 ti:endYear ?end } }""",
    )
    assert rows == [{"from": "2023", "to": "2027"}]
    # every document states the end year; 001, 003, 004 also the start
    by_doc = ask(kg_store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { phase:2 ti:endYear ?end } } ORDER BY ?g")
    assert [doc(g) for g in col(by_doc, "g")] == ["000", "001", "002", "003", "004"]
    starts = ask(kg_store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { phase:2 ti:startYear 2023 } } ORDER BY ?g")
    starts += ask(
        kg_store, "SELECT DISTINCT ?g WHERE { GRAPH ?g { phase:2 ti:startYear '2023'^^xsd:gYear } } ORDER BY ?g"
    )
    assert sorted(doc(g) for g in col(starts, "g")) == ["001", "003", "004"]


def test_cq02_territories_in_phase_2_nationally(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT DISTINCT ?n WHERE { ?s ti:measure measure:labelled-territories ; ti:forPhase phase:2 ;
                                      ti:area country:france ; ti:value ?n }""",
    )
    assert [Decimal(v) for v in col(rows, "n")] == [Decimal(183)]


CVL_12 = [
    "Berry-Sologne",
    "Chartres métropole",
    "Châteauroux-Buzançais-Argenton",
    "Est du Loiret",
    "Grand-Est Touraine",
    "Issoudun",
    "Nord Loiret",
    "Orléans Métropole – Beauce Loirétaine",
    "Pays de Dreux - Portes Euréliennes d'Ile-de-France",
    "Perche Industrie",
    "Sologne - Val de Cher",
    "Sud Eure-et-Loir",
]


def test_cq03_centre_val_de_loire_laureates(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?t (GROUP_CONCAT(?l; separator="|") AS ?labels) WHERE {
             ?t a ti:IndustryTerritory ; ti:laureateOf phase:2 ; ti:inRegion reg:24 .
             GRAPH src:002 { ?t rdfs:label ?l } } GROUP BY ?t""",
    )
    assert len(rows) == 12
    label_sets = [set((r["labels"] or "").split("|")) for r in rows]
    for name in CVL_12:
        assert sum(name in labels for labels in label_sets) == 1, name


def test_cq04_intercommunalities_of_ardeche_drome_nord(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?label WHERE { GRAPH src:001 { territory:ardeche-drome-nord ti:hasMemberIntercommunality ?e .
                                                 ?e rdfs:label ?label } } ORDER BY ?label""",
    )
    assert sorted(col(rows, "label")) == [  # type: ignore[type-var]
        "Annonay Rhône Agglo",
        "Arche Agglo",
        "Pays de Lamastre",
        "Porte de Drôme Ardèche",
        "Privas Centre Ardèche",
        "Rhône Crussol",
        "Val Eyrieux",
        "Val d’Ay",
    ]


def test_cq05_sectors_of_valence_romans_agglo(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?label WHERE { GRAPH src:000 { territory:valence-romans-agglo ti:hasSector ?s . ?s rdfs:label ?label } }
           ORDER BY ?label""",
    )
    assert col(rows, "label") == [
        "L'agroalimentaire-naturalité",
        "L'électronique de puissance-composants aéronautiques",
        "La métallurgie",
        "Le haut de gamme (cuir-textile-bijouterie)",
        "Les ICC (industries culturelles et créatives)",
        "Les transitions digitales et vertes",
    ]


def test_cq06_four_priority_axes_and_who_states_them(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?notation ?en (GROUP_CONCAT(DISTINCT STRAFTER(STR(?g), "/source/"); separator=",") AS ?docs) WHERE {
             GRAPH ?g { phase:2 ti:priorityAxis ?axis }
             ?axis skos:notation ?notation ; skos:prefLabel ?en FILTER(lang(?en) = "en")
           } GROUP BY ?notation ?en ORDER BY ?notation""",
    )
    assert col(rows, "en") == [
        "Accelerate the ecological and energy transition",
        "Make territories innovation ecosystems",
        "Remove obstacles to recruitment and develop skills",
        "Mobilise industrial land",
    ]
    for row in rows:
        assert row["docs"] is not None
        assert {"001", "002", "003"} <= set(row["docs"].split(","))
    # 000 gives them as the four themes targeted by the State, for the territory's action plans
    themes = ask(kg_store, "SELECT (COUNT(DISTINCT ?axis) AS ?n) WHERE { GRAPH src:000 { ?axis a ti:PriorityAxis } }")
    assert themes == [{"n": "4"}]


def test_cq07_selection_announcement_date_and_place(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?date ?code ?g WHERE {
             GRAPH ?g { ?e a ti:Event ; ti:about phase:2 ; ti:date ?date FILTER(?date = "2023-11-09"^^xsd:date) }
             OPTIONAL { GRAPH ?g { ?e ti:place ?place } ?place igeo:codeINSEE ?code }
           } ORDER BY ?g""",
    )
    assert [doc(g) for g in col(rows, "g")] == ["000", "001", "003"]
    assert {r["code"] for r in rows if doc(r["g"]) == "003"} == {"71076"}
    assert all(r["code"] is None for r in rows if doc(r["g"]) != "003")


def test_cq08_state_funding_for_valence_romans_agglo(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?min ?max ?qual ?per ?pmin ?pmax ?apply ?manager ?consulted WHERE {
             GRAPH src:000 {
               ?f a ti:FundingFlow ; ti:funder actor:etat ; ti:recipient territory:valence-romans-agglo ;
                  ti:amount ?a ; ti:perPeriod ?per ; ti:projectCount ?pc ; ti:applicationRequired ?apply .
               ?a schema:minValue ?min ; schema:maxValue ?max ; ti:qualifier ?qual .
               ?pc schema:minValue ?pmin ; schema:maxValue ?pmax .
               ?i1 ti:involvedIn ?f ; ti:role role:envelope-manager ; ti:agent ?m . ?m rdfs:label ?manager .
               ?i2 ti:involvedIn ?f ; ti:role role:consulted ; ti:agent ?c . ?c rdfs:label ?consulted .
             } }""",
    )
    assert len(rows) == 1
    r = rows[0]
    assert (Decimal(r["min"]), Decimal(r["max"])) == (Decimal(500000), Decimal(1000000))
    assert r["qual"] is not None and r["qual"].endswith("/qualifier/on-average")
    assert r["per"] == "P1Y"
    assert (Decimal(r["pmin"]), Decimal(r["pmax"])) == (1, 2)
    assert r["apply"] == "true"
    assert r["manager"] == "Préfet de région"
    assert r["consulted"] == "Région"
    support = ask(
        kg_store,
        """SELECT ?scheme WHERE { GRAPH src:000 { ?f a ti:FundingFlow ; ti:funder actor:etat ; ti:throughScheme ?scheme } }
           ORDER BY ?scheme""",
    )
    assert [s.rsplit("/", 1)[-1] for s in col(support, "scheme")] == [
        "cofinancement-chef-de-projet",
        "ingenierie-et-etudes",
    ]


def test_cq09_rebond_industriel_envelope_for_ardeche_drome_nord(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?v ?purpose ?beneficiaries ?start WHERE { GRAPH src:001 {
             ?f ti:throughScheme scheme:rebond-industriel ; ti:recipient territory:ardeche-drome-nord ;
                ti:amount/schema:value ?v ; ti:purpose ?purpose ; ti:beneficiaryDescription ?beneficiaries ;
                ti:startDate ?start } }""",
    )
    assert len(rows) == 1
    r = rows[0]
    assert Decimal(r["v"]) == Decimal(2000000)
    assert r["purpose"] is not None and "décarbonation" in r["purpose"]
    assert r["beneficiaries"] is not None and "fort potentiel" in r["beneficiaries"]
    assert r["start"] == "2024-01"


def test_cq10_acceleration_fund_in_nouvelle_aquitaine(kg_store: ox.Store) -> None:
    flow = ask(
        kg_store,
        """SELECT ?f ?amount ?projects WHERE { GRAPH src:004 {
             ?f ti:throughScheme scheme:fonds-acceleration-investissements-industriels ; ti:area reg:75 ;
                ti:amount/schema:value ?amount ; ti:projectCount/schema:value ?projects } }""",
    )
    assert len(flow) == 1
    assert Decimal(flow[0]["amount"]) == Decimal(88000000)
    assert Decimal(flow[0]["projects"]) == 244
    stats = ask(
        kg_store,
        f"""SELECT ?m ?v WHERE {{ GRAPH src:004 {{ ?s ti:about <{flow[0]["f"]}> ; ti:measure ?m ; ti:value ?v }} }}""",
    )
    got = {m.rsplit("/", 1)[-1]: Decimal(v) for m, v in ((r["m"], r["v"]) for r in stats)}
    assert got == {
        "beneficiary-sme": 144,
        "beneficiary-eti": 28,
        "laureates-in-territories": 133,
        "laureates-in-territories-share": 55,
    }


def test_cq11_industrial_statistics_of_ardeche_drome_nord(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?m ?v ?unit ?year ?source ?cmpv ?cmparea WHERE { GRAPH src:001 {
             ?s ti:area territory:ardeche-drome-nord ; ti:measure ?m ; ti:value ?v ; ti:unit ?unit .
             OPTIONAL { ?s ti:refYear ?year } OPTIONAL { ?s ti:statisticSource ?source }
             OPTIONAL { ?s ti:comparedWith ?c . ?c ti:value ?cmpv ; ti:area ?cmparea } } } ORDER BY ?m""",
    )
    got = {r["m"].rsplit("/", 1)[-1]: r for r in rows}
    assert Decimal(got["industry-employment-share"]["v"]) == 30
    assert Decimal(got["industrial-jobs"]["v"]) == 20500
    est = got["industrial-establishments"]
    assert Decimal(est["v"]) == 800 and est["year"] == "2020" and est["source"].endswith("/actor/insee")
    share = got["industrial-establishment-share"]
    assert Decimal(share["v"]) == 10 and share["year"] == "2020" and share["source"].endswith("/actor/insee")
    assert Decimal(share["cmpv"]) == 8 and share["cmparea"].endswith("/region/84")


def test_cq12_total_stated_for_centre_val_de_loire(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT (SUM(COALESCE(?v, ?min)) AS ?lower) (COUNT(?f) AS ?flows) (SUM(?lb) AS ?bounds) WHERE {
             GRAPH src:002 { ?f a ti:FundingFlow ; ti:area reg:24 ; ti:amount ?a .
                             OPTIONAL { ?a schema:value ?v } OPTIONAL { ?a schema:minValue ?min }
                             ?a ti:qualifier ?q BIND(IF(?q = qual:more-than, 1, 0) AS ?lb) } }""",
    )
    assert Decimal(rows[0]["lower"]) == Decimal(45900000)
    assert rows[0]["flows"] == "3"
    assert rows[0]["bounds"] == "1", "the 36 M€ is 'plus de': the total is a lower bound"


def test_cq13_supporters_of_agen_candidacy(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT (COUNT(DISTINCT ?actor) AS ?n) WHERE { GRAPH src:003 {
             ?i ti:involvedIn ?c ; ti:role role:candidacy-supporter ; ti:agent ?actor . ?c ti:candidate epci:200096956 } }""",
    )
    assert rows == [{"n": "11"}]


def test_cq14_documents_stating_183(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT DISTINCT ?g ?file WHERE { GRAPH ?g { ?s ti:measure measure:labelled-territories ; ti:value ?v FILTER(?v = 183) }
                                            ?g ti:seedFile ?file } ORDER BY ?g""",
    )
    assert [doc(g) for g in col(rows, "g")] == ["001", "003", "004"]
    assert col(rows, "file")[0] == "001_49d4d9abeb580c94.txt"


def test_cq15_end_of_phase_1_by_source(kg_store: ox.Store) -> None:
    rows = ask(kg_store, "SELECT ?g ?year WHERE { GRAPH ?g { phase:1 ti:endYear ?year } } ORDER BY ?g")
    assert [(doc(r["g"]), r["year"]) for r in rows] == [("002", "2023"), ("003", "2022"), ("004", "2022")]


def test_cq16_sirens_of_the_eight_intercommunalities(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?name ?siren ?official ?region WHERE {
             GRAPH src:001 { territory:ardeche-drome-nord ti:hasMemberIntercommunality ?e . ?e rdfs:label ?name }
             ?e ti:siren ?siren ; ti:officialName ?official ; ti:inRegion ?r . ?r igeo:codeINSEE ?region } ORDER BY ?name""",
    )
    assert sorted((r["name"], r["siren"]) for r in rows) == [  # type: ignore[type-var]
        ("Annonay Rhône Agglo", "200072015"),
        ("Arche Agglo", "200073096"),
        ("Pays de Lamastre", "200016905"),
        ("Porte de Drôme Ardèche", "200040491"),
        ("Privas Centre Ardèche", "200071413"),
        ("Rhône Crussol", "200041366"),
        ("Val Eyrieux", "200041465"),
        ("Val d’Ay", "240700716"),
    ]
    assert {r["region"] for r in rows} == {"84"}
    assert next(r["official"] for r in rows if r["siren"] == "200040491") == "CC Porte de Dromardèche"


def test_cq17_co_pilots_of_agen_industrie(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?name ?family ?org ?title WHERE { GRAPH src:003 {
             ?i ti:involvedIn territory:agenais ; ti:role role:co-pilot ; ti:agent ?p ; ti:onBehalfOf ?o .
             ?p rdfs:label ?name . ?o rdfs:label ?org .
             OPTIONAL { ?m ti:holder ?p ; ti:organisation ?o ; ti:postTitle ?post }
             OPTIONAL { ?i ti:role role:industrial-representative BIND("représentant industriel" AS ?rep) }
             BIND(COALESCE(?post, ?rep) AS ?title)
             BIND(STRAFTER(?name, " ") AS ?family) } } ORDER BY ?family""",
    )
    assert [(r["name"], r["org"], r["title"]) for r in rows] == [
        ("Olivier GRIMA", "Agglomération d’Agen", "Vice-Président en charge de l’Economie"),
        ("Fabien HAAS", "TOTAL ENERGIE BIOGAZ", "représentant industriel"),
    ]


def test_cq18_actors_of_schemes_funding_ardeche_drome_nord(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT DISTINCT ?scheme ?actor WHERE {
             ?f a ti:FundingFlow ; ti:recipient ?t ; ti:throughScheme ?scheme .
             FILTER(?t = territory:ardeche-drome-nord || EXISTS { territory:ardeche-drome-nord ti:hasMemberIntercommunality ?t })
             ?i ti:involvedIn ?scheme ; ti:agent ?actor .
             OPTIONAL { ?i ti:area ?area } FILTER(!BOUND(?area) || ?area = territory:ardeche-drome-nord) } ORDER BY ?actor""",
    )
    actors = sorted({r["actor"].rsplit("/", 1)[-1] for r in rows})
    assert actors == ["anct", "banque-des-territoires", "bpifrance", "prefecture-ardeche", "prefecture-drome"]
    plan = ask(kg_store, "SELECT ?plan WHERE { GRAPH src:001 { scheme:rebond-industriel ti:partOfPlan ?plan } }")
    assert [p.rsplit("/", 1)[-1] for p in col(plan, "plan")] == ["france-2030"]
    programme = ask(
        kg_store,
        """SELECT ?actor WHERE { GRAPH src:001 { ?i ti:involvedIn ?p ; ti:agent ?actor . ?p a ti:Programme } } ORDER BY ?actor""",
    )
    assert [a.rsplit("/", 1)[-1] for a in col(programme, "actor")] == [
        "elus-locaux",
        "etat",
        "industriels",
        "partenaires",
        "regions",
    ]


def test_cq19_activities_of_anct(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?g ?role ?what ?date WHERE { GRAPH ?g { ?i ti:agent actor:anct ; ti:role ?role ; ti:involvedIn ?what .
                                                       OPTIONAL { ?what ti:date ?date } } } ORDER BY ?g ?role""",
    )
    got = {(doc(r["g"]), r["role"].rsplit("/", 1)[-1], r["what"].rsplit("/", 1)[-1]) for r in rows}
    assert ("001", "support", "rebond-industriel") in got
    assert ("003", "operator-to-mobilise", "agenais") in got
    assert ("004", "creator", "fabrique-prospective") in got
    assert any(d == "004" and role == "producer" for d, role, _ in got)
    assert len(got) == 4
    portraits = [r for r in rows if r["role"].endswith("/producer")]
    assert portraits[0]["date"] == "2024-11"


def test_cq20_plan_de_relance_in_centre_val_de_loire(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        """SELECT ?funder ?v ?q ?n ?nq WHERE { GRAPH src:002 {
             ?f ti:partOfPlan ?plan ; ti:area reg:24 ; ti:funder ?funder ; ti:amount ?a ; ti:projectCount ?pc .
             ?a schema:value ?v ; ti:qualifier ?q . ?pc schema:value ?n ; ti:qualifier ?nq } } ORDER BY ?funder""",
    )
    assert [r["funder"].rsplit("/", 1)[-1] for r in rows] == ["conseil-regional-centre-val-de-loire", "etat"]
    for r in rows:
        assert Decimal(r["v"]) == Decimal(36000000) and r["q"].endswith("/more-than")
        assert Decimal(r["n"]) == 100 and r["nq"].endswith("/more-than")


@pytest.mark.parametrize("number", ["000", "001", "002", "003", "004"])
def test_every_document_describes_itself_in_its_graph(kg_store: ox.Store, number: str) -> None:
    rows = ask(
        kg_store,
        f"""SELECT ?title ?file ?genre WHERE {{ GRAPH src:{number} {{
              src:{number} a ti:SourceDocument ; dcterms:title ?title ; ti:seedFile ?file ; ti:genre ?genre }} }}""",
    )
    assert len(rows) == 1
    assert rows[0]["file"].startswith(number + "_")
