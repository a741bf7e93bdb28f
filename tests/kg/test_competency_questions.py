"""Each competency question of ../shared/competency-questions.md, answered by one SPARQL query on the built store."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from kg.store.local import LocalStore

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
    return LocalStore(store).rows(PREFIXES + body)


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


# =====================================================================================================
# Places: the territories in the official geography (issue 11, section 1)
# Answers use Etalab's découpage administratif 6.0.0 (INSEE codes, SIRENs) and the links of
# graph:inferred-places (kg/sources/geo/infer.py), each a ti:Inference with its rule, confidence and sources.
# =====================================================================================================

PLACES = """
PREFIX commune: <https://w3id.org/territoires-industrie/id/commune/>
PREFIX dep: <https://w3id.org/territoires-industrie/id/departement/>
PREFIX rule: <https://w3id.org/territoires-industrie/id/inference-rule/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
INFERRED = "<https://w3id.org/territoires-industrie/id/graph/inferred-places>"


def ask_places(store: ox.Store, body: str) -> list[dict[str, str | None]]:
    return ask(store, PLACES + body)


def test_cq_places_departements_of_the_centre_val_de_loire_laureates(kg_store: ox.Store) -> None:
    """In which départements (INSEE codes) do the 12 phase-2 territories of Centre-Val de Loire lie?

    002 lists the territories (and some of their communes); the départements come from the communes it
    names, the places in the territories' names and their intercommunalités. Pays de Dreux reaches the Eure
    (27): the CA Agglo du Pays de Dreux has member communes there.
    """
    rows = ask(
        kg_store,
        """SELECT ?t (GROUP_CONCAT(DISTINCT ?code; separator=" ") AS ?codes) WHERE {
             GRAPH src:002 { ?t ti:laureateOf phase:2 ; ti:inRegion reg:24 }
             OPTIONAL { ?t ti:inDepartement/igeo:codeINSEE ?code } } GROUP BY ?t ORDER BY ?t""",
    )
    got = {doc(r["t"]): set((r["codes"] or "").split()) for r in rows}
    assert got == {
        "berry-sologne": {"18"},
        "chartres-metropole": {"28"},
        "chateauroux-buzancais-argenton": {"36"},
        "est-du-loiret": {"45"},
        "grand-est-touraine": {"37"},
        "issoudun": {"36"},
        "nord-loiret": {"45"},
        "orleans-metropole-beauce-loiretaine": {"45"},
        "pays-de-dreux-portes-eureliennes-d-ile-de-france": {"27", "28"},
        "perche-industrie": {"28"},
        "sologne-val-de-cher": {"41"},
        "sud-eure-et-loir": {"28"},
    }


def test_cq_places_communes_named_by_chateauroux_buzancais_argenton(kg_store: ox.Store) -> None:
    """Which communes does the name « Châteauroux-Buzançais-Argenton » (002) denote, with INSEE codes?

    Châteauroux 36044, Buzançais 36031, Argenton-sur-Creuse 36006 (the only commune named exactly Argenton
    is in Lot-et-Garonne; 002 places the territory in Centre-Val de Loire): inferred, derived from 002.
    """
    rows = ask_places(
        kg_store,
        f"""SELECT ?insee ?name ?matched ?confidence ?source WHERE {{ GRAPH {INFERRED} {{
              ?i rdf:subject territory:chateauroux-buzancais-argenton ; rdf:predicate ti:includesCommune ;
                 rdf:object ?c ; ti:inferenceRule rule:place-named-in-territory-name ; ti:matchedName ?matched ;
                 ti:confidence ?confidence ; prov:wasDerivedFrom ?source . FILTER(STRSTARTS(STR(?source), STR(src:))) }}
              ?c igeo:codeINSEE ?insee ; rdfs:label ?name }} ORDER BY ?insee""",
    )
    assert [(r["insee"], r["name"], r["matched"], doc(r["source"])) for r in rows] == [
        ("36006", "Argenton-sur-Creuse", "Argenton", "002"),
        ("36031", "Buzançais", "Buzançais", "002"),
        ("36044", "Châteauroux", "Châteauroux", "002"),
    ]
    assert Decimal(rows[0]["confidence"] or "0") < Decimal(rows[2]["confidence"] or "0")  # the short name is less sure


def test_cq_places_intercommunality_of_each_commune_002_names(kg_store: ox.Store) -> None:
    """Which intercommunalité (SIREN, type) is each commune that 002 says a territory « inclut notamment » in?"""
    rows = ask(
        kg_store,
        """SELECT ?insee ?siren ?type WHERE { GRAPH src:002 { ?t ti:includesCommune ?c }
             ?c igeo:codeINSEE ?insee ; ti:memberOfIntercommunality ?e . ?e ti:siren ?siren ; ti:epciType ?type }
           ORDER BY ?insee""",
    )
    assert [(r["insee"], r["siren"], r["type"]) for r in rows] == [
        ("18033", "241800507", "CA"),  # Bourges: CA Bourges Plus
        ("18279", "200090561", "CC"),  # Vierzon: CC Vierzon-Sologne-Berry
        ("28088", "200069961", "CC"),  # Châteaudun: CC du Grand Châteaudun
        ("28280", "200006971", "CC"),  # Nogent-le-Rotrou: CC du Perche
        ("37003", "200043065", "CC"),  # Amboise: CC du Val d'Amboise
        ("41194", "200018406", "CC"),  # Romorantin-Lanthenay: CC du Romorantinais et du Monestois
        ("41232", "244100806", "CC"),  # Salbris: CC de la Sologne des Rivières
        ("45155", "244500211", "CC"),  # Gien: CC Giennoises
        ("45208", "244500203", "CA"),  # Montargis: CA Montargoise et Rives du Loing
        ("45252", "200066280", "CC"),  # Pithiviers: CC du Pithiverais
        ("45315", "200070100", "CC"),  # Sully-sur-Loire: CC du Val de Sully
    ]


def test_cq_places_regions_that_disagree_with_the_documents(kg_store: ox.Store) -> None:
    """Which territories lie, per the official geography, in a région the documents do not give them?

    Lacq - Pau - Tarbes: 004 lists it in Nouvelle-Aquitaine (75), Tarbes is in the Hautes-Pyrénées, Occitanie
    (76). Pays de Dreux - Portes Euréliennes d'Ile-de-France: 002 says Centre-Val de Loire (24), its CA has
    communes in the Eure, Normandie (28). Both régions are kept.
    """
    rows = ask_places(
        kg_store,
        f"""SELECT ?t ?inferred ?stated ?statedIn WHERE {{
              GRAPH {INFERRED} {{ ?i ti:differsFromStated true ; rdf:subject ?t ; rdf:object ?r }}
              ?r igeo:codeINSEE ?inferred .
              GRAPH ?statedIn {{ ?t ti:inRegion ?s }} ?statedIn a ti:SourceDocument . ?s igeo:codeINSEE ?stated
            }} ORDER BY ?t""",
    )
    assert [(doc(r["t"]), r["inferred"], r["stated"], doc(r["statedIn"])) for r in rows] == [
        ("lacq-pau-tarbes", "76", "75", "004"),
        ("pays-de-dreux-portes-eureliennes-d-ile-de-france", "28", "24", "002"),
    ]


def test_cq_places_departements_of_ardeche_drome_nord(kg_store: ox.Store) -> None:
    """In which départements does Ardèche-Drôme Nord lie, as stated and as its members' official geography says?

    Ardèche (07) and Drôme (26) both ways: the editorial graph states them (« les préfectures de l’Ardèche et
    de la Drôme », 001), and the member communes of its eight intercommunalités (001) lie in exactly those.
    """
    rows = ask(
        kg_store,
        """SELECT ?how (GROUP_CONCAT(DISTINCT ?code; separator=" ") AS ?codes) WHERE {
             { territory:ardeche-drome-nord ti:inDepartement ?d BIND("stated or inferred" AS ?how) }
             UNION
             { GRAPH src:001 { territory:ardeche-drome-nord ti:hasMemberIntercommunality ?e }
               ?e ti:hasMemberCommune/ti:inDepartement ?d BIND("members" AS ?how) }
             ?d igeo:codeINSEE ?code } GROUP BY ?how ORDER BY ?how""",
    )
    assert [(r["how"], set((r["codes"] or "").split())) for r in rows] == [
        ("members", {"07", "26"}),
        ("stated or inferred", {"07", "26"}),
    ]


def test_cq_places_communes_of_ardeche_drome_nord_per_departement(kg_store: ox.Store) -> None:
    """How many communes make up the eight intercommunalités of Ardèche-Drôme Nord (001), per département?

    207 in all: 160 in the Ardèche (07), 47 in the Drôme (26), per Etalab 6.0.0.
    """
    rows = ask(
        kg_store,
        """SELECT ?code (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH src:001 { territory:ardeche-drome-nord ti:hasMemberIntercommunality ?e }
             ?e ti:hasMemberCommune ?c . ?c ti:inDepartement/igeo:codeINSEE ?code } GROUP BY ?code ORDER BY ?code""",
    )
    assert [(r["code"], int(r["n"] or 0)) for r in rows] == [("07", 160), ("26", 47)]


def test_cq_places_intercommunalities_of_bordeaux_metropole_bassin_d_arcachon_nord(kg_store: ox.Store) -> None:
    """Which intercommunalités does « Bordeaux métropole Bassin d'Arcachon nord » (004) denote, SIREN and type?"""
    rows = ask(
        kg_store,
        """SELECT ?siren ?type ?name WHERE { territory:bordeaux-metropole-bassin-d-arcachon-nord ti:hasMemberIntercommunality ?e .
             ?e ti:siren ?siren ; ti:epciType ?type ; ti:officialName ?name } ORDER BY ?siren""",
    )
    assert [(r["siren"], r["type"], r["name"]) for r in rows] == [
        ("243300316", "METRO", "Bordeaux Métropole"),
        ("243301504", "CA", "CA du Bassin d'Arcachon Nord (COBAN)"),
    ]


def test_cq_places_where_the_selection_was_announced(kg_store: ox.Store) -> None:
    """In which département, région and intercommunalité is Chalon-sur-Saône, where 003 says phase 2 was announced?

    Saône-et-Loire (71), Bourgogne-Franche-Comté (27), CA Le Grand Chalon (247100589); no territory of the
    documents lies there.
    """
    rows = ask_places(
        kg_store,
        """SELECT DISTINCT ?dep ?reg ?siren (EXISTS { ?t a ti:IndustryTerritory ; ti:inDepartement ?d } AS ?territory) WHERE {
             GRAPH src:003 { ?event ti:place commune:71076 }
             commune:71076 ti:inDepartement ?d ; ti:inRegion ?r ; ti:memberOfIntercommunality ?e .
             ?d igeo:codeINSEE ?dep . ?r igeo:codeINSEE ?reg . ?e ti:siren ?siren }""",
    )
    assert [(r["dep"], r["reg"], r["siren"], r["territory"]) for r in rows] == [("71", "27", "247100589", "false")]


def test_cq_places_coverage_of_the_phase_2_territories(kg_store: ox.Store) -> None:
    """How many of the 30 phase-2 territories of the documents have an official member, a département, a région?

    28 have a member (not Creuse Industrie, placed by its département only, nor Grand Libournais, a pays),
    29 a département, all 30 a région; 10 have a member stated by a document.
    """
    from kg import queries

    rows = {r["scope"]: r for r in LocalStore(kg_store).rows(queries.get("coverage").text)}
    p2 = rows["phase 2"]
    assert (p2["territories"], p2["withMember"], p2["withDepartement"], p2["withRegion"]) == ("30", "28", "29", "30")
    assert (p2["withMemberStated"], p2["regionDisagreements"]) == ("10", "2")


def test_cq_places_unplaced_territories_of_nouvelle_aquitaine(kg_store: ox.Store) -> None:
    """Which of the 16 Nouvelle-Aquitaine territories (004) have no official commune or intercommunalité?"""
    rows = ask(
        kg_store,
        """SELECT ?t WHERE { GRAPH src:004 { ?t ti:laureateOf phase:2 ; ti:inRegion reg:75 }
             FILTER NOT EXISTS { ?t ti:hasMemberIntercommunality|^ti:memberOfTerritory|ti:includesCommune ?m .
                                 GRAPH <https://w3id.org/territoires-industrie/id/graph/etalab-decoupage-administratif> { ?m a ?kind } } }
           ORDER BY ?t""",
    )
    assert [doc(r["t"]) for r in rows] == ["creuse-industrie", "grand-libournais"]


# --- issue 11 (data fidelity): what the documents state as structure, collective actors, claims from the corpus only
# Each question is answered by one SPARQL query on the built store; the comment names the documents that state it.

E11 = """
PREFIX id: <https://w3id.org/territoires-industrie/id/>
PREFIX sector: <https://w3id.org/territoires-industrie/id/sector/>
PREFIX stat: <https://w3id.org/territoires-industrie/id/statistic/>
PREFIX funding: <https://w3id.org/territoires-industrie/id/funding/>
PREFIX event: <https://w3id.org/territoires-industrie/id/event/>
PREFIX graph: <https://w3id.org/territoires-industrie/id/graph/>
PREFIX evtype: <https://w3id.org/territoires-industrie/id/event-type/>
"""


def key(iri: str | None) -> str:
    """'…/id/actor/anct' → 'actor/anct'."""
    assert iri is not None
    return iri.split("/id/", 1)[-1]


def test_cq_e11_01_organisations_in_more_than_one_document(kg_store: ox.Store) -> None:
    # consumer, §3: named organisations only, never "les Régions" or "les industriels" (000–004)
    rows = ask(
        kg_store,
        E11
        + """SELECT ?o (COUNT(DISTINCT ?g) AS ?docs) WHERE {
             ?o a ?c . ?c rdfs:subClassOf* ti:Organisation . GRAPH ?g { ?o ?p ?x }
             FILTER(STRSTARTS(STR(?g), STR(src:))) } GROUP BY ?o HAVING (COUNT(DISTINCT ?g) > 1) ORDER BY ?o""",
    )
    got = {key(r["o"]): int(r["docs"] or 0) for r in rows}
    assert got == {
        "actor/anct": 3,  # 001, 003, 004
        "actor/banque-des-territoires": 2,  # 001, 003
        "actor/bpifrance": 2,  # 001, 003
        "actor/etat": 5,  # every document
        "actor/insee": 2,  # 001, 004
        "actor/president-de-la-republique": 2,  # 002, 004
    }


def test_cq_e11_02_collective_actors_per_document(kg_store: ox.Store) -> None:
    # researcher, §3: the generic collectives each document names, none of them an organisation or a person
    rows = ask(
        kg_store,
        """SELECT ?g ?a WHERE { GRAPH ?g { ?a a ti:CollectiveActor } } ORDER BY ?g ?a""",
    )
    by_doc: dict[str, set[str]] = {}
    for r in rows:
        by_doc.setdefault(doc(r["g"]), set()).add(key(r["a"]).removeprefix("actor/"))
    assert by_doc == {
        "001": {"collectivites", "elus-locaux", "entreprises", "industriels", "partenaires", "regions"},
        "002": {"prefectures-centre-val-de-loire"},
        "003": {"intercommunalites", "regions"},
        "004": {
            "elus-locaux",
            "industriels",
            "intercommunalites",
            "pouvoirs-publics",
            "regions",
            "reseau-des-sous-prefets",
            "services-deconcentres-etat",
        },
    }
    both = ask(
        kg_store, "SELECT ?a WHERE { ?a a ti:CollectiveActor . { ?a a ti:Organisation } UNION { ?a a ti:Person } }"
    )
    assert both == []


def test_cq_e11_03_historic_and_recent_sectors_of_the_agenais(kg_store: ox.Store) -> None:
    # researcher, §2: the classification 003 makes of the four sectors it lists ("historiques", "plus récentes")
    rows = ask(
        kg_store,
        """SELECT ?kind ?s WHERE { GRAPH src:003 { territory:agenais ?kind ?s
             VALUES ?kind { ti:historicSector ti:recentSector } } } ORDER BY ?kind ?s""",
    )
    got = {(r["kind"].rsplit("#", 1)[-1], key(r["s"]).removeprefix("sector/")) for r in rows}
    assert got == {
        ("historicSector", "industrie-agro-alimentaire"),
        ("historicSector", "industrie-pharmaceutique-et-chimique"),
        ("recentSector", "energies-renouvelables"),
        ("recentSector", "logistique"),
    }


def test_cq_e11_04_what_the_figures_of_000_leave_out(kg_store: ox.Store) -> None:
    # researcher, §2: "sans compter les services à l'industrie", "28 autres nouveaux territoires" (000)
    rows = ask(
        kg_store,
        E11 + """SELECT ?stat ?item WHERE { GRAPH src:000 { ?stat ti:excludesItem ?item } } ORDER BY ?stat""",
    )
    assert [(key(r["stat"]), key(r["item"])) for r in rows] == [
        ("statistic/000-autres-nouveaux-territoires", "territory/valence-romans-agglo"),
        ("statistic/000-part-industrie-emplois-directs", "sector/services-a-l-industrie"),
    ]
    new = ask(kg_store, "SELECT ?g WHERE { GRAPH ?g { territory:valence-romans-agglo ti:newLaureateOf phase:2 } }")
    assert [doc(r["g"]) for r in new] == ["000"]


def test_cq_e11_05_regional_counts_match_the_lists_they_count(kg_store: ox.Store) -> None:
    # steward, §2: 002's 12 laureates of Centre-Val de Loire and 004's 16 of Nouvelle-Aquitaine, each listed
    rows = ask(
        kg_store,
        """SELECT ?g ?area ?value (COUNT(DISTINCT ?t) AS ?listed) WHERE { GRAPH ?g {
             ?s ti:measure measure:labelled-territories ; ti:area ?area ; ti:value ?value ; ti:includesItem ?t }
             ?area a ti:Region } GROUP BY ?g ?area ?value ORDER BY ?g""",
    )
    got = [(doc(r["g"]), key(r["area"]), Decimal(r["value"] or 0), int(r["listed"] or 0)) for r in rows]
    assert got == [("002", "region/24", Decimal(12), 12), ("004", "region/75", Decimal(16), 16)]


def test_cq_e11_06_what_happened_in_may_2023_per_document(kg_store: ox.Store) -> None:
    # researcher, §2: 002 says the President announced phase 2; 004 says it was announced and, separately, confirmed
    rows = ask(
        kg_store,
        """SELECT ?g ?e ?type WHERE { GRAPH ?g { ?e a ti:Event ; ti:date "2023-05"^^xsd:gYearMonth ; ti:eventType ?type } }
           ORDER BY ?g ?e""",
    )
    got = {(doc(r["g"]), key(r["e"]), key(r["type"])) for r in rows}
    assert got == {
        ("002", "event/phase-2-announcement-2023-05", "event-type/announcement"),
        ("004", "event/phase-2-announcement-2023-05", "event-type/announcement"),
        ("004", "event/phase-2-confirmation-2023-05", "event-type/confirmation"),
    }
    two_types = ask(kg_store, "SELECT ?e WHERE { ?e ti:eventType ?a , ?b FILTER(STR(?a) < STR(?b)) }")
    assert two_types == [], "one event, one claim: no event carries the types of two claims"


def test_cq_e11_07_accepted_candidacies(kg_store: ox.Store) -> None:
    # consumer, §2: "a été retenue" (001), "La sélection du territoire", "labellisée" (003)
    rows = ask(
        kg_store,
        """SELECT ?g ?c ?who WHERE { GRAPH ?g { ?c ti:outcome ?o } ?c ti:candidate ?who .
             FILTER(STRENDS(STR(?o), "/outcome/accepted")) } ORDER BY ?g""",
    )
    assert [(doc(r["g"]), key(r["c"]), key(r["who"])) for r in rows] == [
        ("001", "candidacy/ardeche-drome-nord-phase-2", "territory/ardeche-drome-nord"),
        ("003", "candidacy/agen-phase-2", "epci/200096956"),
    ]


def test_cq_e11_08_types_of_support_per_flow(kg_store: ox.Store) -> None:
    # researcher, §2: 000's headings ("Les financements", "L'accompagnement de l'État") and 001's wording
    rows = ask(
        kg_store,
        """SELECT ?g ?f ?t WHERE { GRAPH ?g { ?f a ti:FundingFlow ; ti:supportType ?t } } ORDER BY ?g ?f ?t""",
    )
    got: dict[tuple[str, str], set[str]] = {}
    for r in rows:
        got.setdefault((doc(r["g"]), key(r["f"])), set()).add(key(r["t"]).removeprefix("support-type/"))
    assert got == {
        ("000", "funding/000-etat-cofinancement-chef-de-projet"): {"accompaniment"},
        ("000", "funding/000-etat-ingenierie-projets"): {"accompaniment", "engineering"},
        ("000", "funding/000-etat-projets-usines"): {"financing"},
        ("001", "funding/001-rebond-industriel-soutien-accru"): {"engineering", "financing", "investment"},
        ("001", "funding/001-soutien-programme-ardeche-drome-nord"): {"animation", "engineering", "financing"},
    }


def test_cq_e11_09_flows_that_are_parts_of_a_national_total(kg_store: ox.Store) -> None:
    # consumer, §2 (for totals): 000's factory-project funding is part of 004's national 100 M€ envelope
    rows = ask(
        kg_store,
        """SELECT ?part ?whole ?v ?area ?g WHERE { GRAPH ?g { ?part ti:partOfFlow ?whole }
             ?whole ti:amount/schema:value ?v ; ti:area ?area } ORDER BY ?part""",
    )
    assert [(key(r["part"]), key(r["whole"]), Decimal(r["v"] or 0), key(r["area"]), key(r["g"])) for r in rows] == [
        (
            "funding/000-etat-projets-usines",
            "funding/004-enveloppe-investissements-productifs",
            Decimal(100_000_000),
            "country/france",
            "graph/curation",
        ),
    ]


def test_cq_e11_10_programme_element_of_each_amount_of_004(kg_store: ox.Store) -> None:
    # researcher, §2: "principe de concentration des moyens : … plus d'un milliard", "(enveloppe nationale de 100 M€)"
    rows = ask(
        kg_store,
        """SELECT ?f ?el ?v WHERE { GRAPH src:004 { ?f ti:programmeElement ?el ; ti:amount ?a } ?a schema:value ?v }
           ORDER BY ?v""",
    )
    assert [(key(r["el"]), Decimal(r["v"] or 0)) for r in rows] == [
        ("project/004-soutien-investissements-productifs", Decimal(100_000_000)),
        ("principle/concentration-of-means", Decimal(1_000_000_000)),
    ]


def test_cq_e11_11_kinds_the_documents_state_in_words(kg_store: ox.Store) -> None:
    # researcher, §2: "l'AMI" (001), "projet de loi" (003), "appels à projets" (004), "Technopole", "espace économique"
    rows = ask(kg_store, "SELECT ?g ?s ?k WHERE { GRAPH ?g { ?s ti:statedKind ?k } } ORDER BY ?g ?s ?k")
    got = {(doc(r["g"]), key(r["s"]), key(r["k"]).removeprefix("kind/")) for r in rows}
    assert got == {
        ("001", "scheme/rebond-industriel", "call-for-expressions-of-interest"),
        ("003", "plan/industrie-verte", "bill"),
        ("003", "actor/technopole-agropole", "technopole"),
        ("003", "actor/technopole-agen-garonne", "technopole"),
        ("003", "actor/technopole-agen-garonne", "economic-zone"),
        ("003", "project/003-pole-innovation-la-serre", "innovation-support-structure"),
        ("004", "scheme/pia-ingenierie-formations-professionnelles-innovantes", "call-for-projects"),
    }


def test_cq_e11_12_publishers_come_from_the_documents_themselves(kg_store: ox.Store) -> None:
    # steward, §5: a publisher is inferred (curation graph, with its rule) or left out; 002 and 004 name none
    rows = ask(
        kg_store,
        E11
        + """SELECT ?d ?pub ?rule WHERE { GRAPH ?g { ?d a ti:SourceDocument } OPTIONAL { GRAPH graph:curation {
             ?d dcterms:publisher ?pub ; ti:byRule ?rule FILTER(STRENDS(STR(?rule), "/publisher-from-self-reference")) } } }
           ORDER BY ?d""",
    )
    got = {key(r["d"]): (key(r["pub"]) if r["pub"] else None) for r in rows}
    assert got == {
        "source/000": "epci/200068781",
        "source/001": "actor/prefecture-ardeche",
        "source/002": None,
        "source/003": "epci/200096956",
        "source/004": None,
    }
    in_documents = ask(
        kg_store,
        E11 + "SELECT ?d WHERE { GRAPH ?g { ?d dcterms:publisher ?p } FILTER(STRSTARTS(STR(?g), STR(src:))) }",
    )
    assert in_documents == [], "no document states its own publisher"


def test_cq_e11_13_date_bounds_of_documents_without_a_publication_date(kg_store: ox.Store) -> None:
    # steward, §5: published after the event it reports (001, 002, 004), no later than its update (001)
    rows = ask(
        kg_store,
        E11
        + """SELECT ?d ?after ?before WHERE { GRAPH graph:curation { ?d ti:byRule ?r
             OPTIONAL { ?d ti:notBefore ?after } OPTIONAL { ?d ti:notAfter ?before } }
             FILTER(STRENDS(STR(?r), "/published-after-reported-event")) } ORDER BY ?d""",
    )
    assert [(key(r["d"]), r["after"], r["before"]) for r in rows] == [
        ("source/001", "2023-11-09", "2024-01-17"),
        ("source/002", "2024-02", None),
        ("source/004", "2024-11", None),
    ]
    dated = ask(kg_store, "SELECT ?d WHERE { ?d ti:notBefore ?x ; dcterms:date ?y }")
    assert dated == [], "a stated date needs no inferred bound"


def test_cq_e11_14_no_claim_rests_on_a_source_outside_the_corpus(kg_store: ox.Store) -> None:
    # steward, §5: no editorial note (French or English) cites a web address or "general knowledge" (000–004, curation)
    rows = ask(
        kg_store,
        """SELECT ?s ?n WHERE { ?s ti:editorialNote ?n
             FILTER(CONTAINS(?n, "http") || CONTAINS(LCASE(?n), "general knowledge") || CONTAINS(?n, "known, not stated")
                    || CONTAINS(?n, "usual acronym") || CONTAINS(?n, "as known")
                    || CONTAINS(LCASE(?n), "connaissance générale") || CONTAINS(LCASE(?n), "culture générale")
                    || CONTAINS(?n, "connu, non énoncé") || CONTAINS(?n, "sigle usuel")
                    || CONTAINS(?n, "comme on le sait")) }""",
    )
    assert rows == []


def test_cq_e11_15_one_preferred_name_per_language(kg_store: ox.Store) -> None:
    # consumer, §4: the official or most complete name, in the curation graph, one per language (000–004)
    rows = ask(
        kg_store,
        E11
        + """SELECT ?r ?fr ?en WHERE { GRAPH graph:curation { ?r skos:prefLabel ?fr , ?en
             FILTER(lang(?fr) = "fr" && lang(?en) = "en") } VALUES ?r { reg:84 actor:anct territory:agenais } }
           ORDER BY ?r""",
    )
    assert [(key(r["r"]), r["fr"], r["en"]) for r in rows] == [
        ("actor/anct", "Agence nationale de la cohésion des territoires", "National Agency for Territorial Cohesion"),
        ("region/84", "Auvergne-Rhône-Alpes", "Auvergne-Rhône-Alpes"),
        ("territory/agenais", "Agenais", "Agenais"),
    ]
    missing = ask(
        kg_store,
        E11
        + """SELECT DISTINCT ?r WHERE { GRAPH ?g { ?r a ?c } FILTER(STRSTARTS(STR(?g), STR(src:)))
             FILTER(NOT EXISTS { ?r skos:prefLabel ?p FILTER(lang(?p) = "fr") }
                    || NOT EXISTS { ?r skos:prefLabel ?q FILTER(lang(?q) = "en") }) }""",
    )
    assert missing == []
    twice = ask(kg_store, """SELECT ?r WHERE { ?r skos:prefLabel ?a , ?b FILTER(lang(?a) = lang(?b) && ?a != ?b) }""")
    assert twice == []


def test_cq_e11_16_territories_the_national_183_explicitly_include(kg_store: ox.Store) -> None:
    # consumer, §2: "parmi 183 territoires" (001), "183 territoires … dont le territoire de l'Agenais" (003)
    rows = ask(
        kg_store,
        """SELECT ?g ?t WHERE { GRAPH ?g { ?s ti:value ?v ; ti:includesItem ?t } FILTER(?v = 183) } ORDER BY ?g""",
    )
    assert [(doc(r["g"]), key(r["t"])) for r in rows] == [
        ("001", "territory/ardeche-drome-nord"),
        ("003", "territory/agenais"),
    ]


# --- issue 11 §4: inferred types, co-funded totals, one label per resource (graph:inferred, kg/ingest/inference.py) ---

INF = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX graph: <https://w3id.org/territoires-industrie/id/graph/>
PREFIX funding: <https://w3id.org/territoires-industrie/id/funding/>
PREFIX person: <https://w3id.org/territoires-industrie/id/person/>
PREFIX mandate: <https://w3id.org/territoires-industrie/id/mandate/>
PREFIX phase: <https://w3id.org/territoires-industrie/id/phase/>
"""


ID_GRAPH_INFERRED = "https://w3id.org/territoires-industrie/id/graph/inferred"


def short(iri: str | None) -> str:
    """'…/id/scheme/fonds-vert' → 'scheme/fonds-vert'."""
    assert iri is not None
    return "/".join(iri.rsplit("/", 2)[-2:])


def test_cq_e11_inf_01_support_schemes_include_funds(kg_store: ox.Store) -> None:
    # 002 "fonds vert", 004 "fonds d'accélération des investissements industriels": stated as ti:Fund only;
    # asking for support schemes finds them through graph:inferred (ti:Fund rdfs:subClassOf ti:SupportScheme)
    rows = ask(
        kg_store,
        INF
        + """SELECT ?s ?stated WHERE { ?s a ti:SupportScheme .
               GRAPH ?stated { ?s a ti:Fund } FILTER(STRSTARTS(STR(?stated), STR(src:)))
               FILTER NOT EXISTS { GRAPH ?g { ?s a ti:SupportScheme } FILTER(?g != graph:inferred) } } ORDER BY ?s""",
    )
    assert [(short(r["s"]), doc(r["stated"])) for r in rows] == [
        ("scheme/fonds-acceleration-investissements-industriels", "004"),
        ("scheme/fonds-vert", "002"),
    ]


def test_cq_e11_inf_02_agents_include_organisations_and_persons(kg_store: ox.Store) -> None:
    # every actor of 000–004 (organisations, persons, collective actors) is a prov:Agent, and only they are
    rows = ask(
        kg_store,
        INF
        + """SELECT (COUNT(DISTINCT ?a) AS ?agents) (COUNT(DISTINCT ?p) AS ?persons)
                    (SUM(IF(EXISTS { ?a a ti:Actor }, 0, 1)) AS ?notActors)
             WHERE { ?a a prov:Agent . OPTIONAL { ?a a ti:Person BIND(?a AS ?p) } }""",
    )
    (r,) = rows
    assert r["persons"] == "6" and r["notActors"] == "0"
    actors = ask(kg_store, "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a ti:Actor }")
    assert r["agents"] == actors[0]["n"]
    # Christophe Béchu is an agent although 003 only says he is a person: graph:inferred says so
    why = ask(kg_store, INF + "SELECT ?g WHERE { GRAPH ?g { person:christophe-bechu a prov:Agent } }")
    assert col(why, "g") == [str(ID_GRAPH_INFERRED)]


def test_cq_e11_inf_03_super_properties_reach_standard_vocabularies(kg_store: ox.Store) -> None:
    # 003's mandates (ti:holder, ti:organisation) read as org:Membership; 002's flows' ti:funder as schema:funder
    rows = ask(
        kg_store,
        INF
        + """SELECT ?person ?org WHERE { GRAPH graph:inferred { ?m org:member ?person ; org:organization ?org } }
             ORDER BY ?person""",
    )
    assert [(short(r["person"]), short(r["org"])) for r in rows] == [
        ("person/christophe-bechu", "actor/ministere-transition-ecologique-cohesion-territoires"),
        ("person/dominique-faure", "actor/ministere-delegue-collectivites-territoriales-ruralite"),
        ("person/olivier-grima", "epci/200096956"),
        ("person/roland-lescure", "actor/ministere-delegue-industrie"),
    ]
    same = ask(
        kg_store,
        """SELECT (COUNT(*) AS ?ti) (SUM(IF(EXISTS { ?f schema:funder ?a }, 1, 0)) AS ?schema) WHERE { ?f ti:funder ?a }""",
    )
    assert same[0]["ti"] == same[0]["schema"] != "0"


def test_cq_e11_inf_04_the_inferred_graph_says_what_it_is(kg_store: ox.Store) -> None:
    rows = ask(
        kg_store,
        INF
        + """SELECT ?from ?type ?description WHERE { GRAPH graph:inferred {
               graph:inferred prov:wasDerivedFrom ?from ; a ?type ; dcterms:description ?description
               FILTER(lang(?description) = "en") } FILTER(?type = ti:Dataset) }""",
    )
    (r,) = rows
    assert r["from"] == "https://w3id.org/territoires-industrie/ontology"
    assert "rdfs9 and rdfs7" in (r["description"] or "") and "ti:sharedFunding" in (r["description"] or "")
    # no source document's graph holds an entailment it does not state: they stay in graph:inferred
    stray = ask(
        kg_store,
        INF
        + """SELECT ?s ?g WHERE { GRAPH ?g { ?s a prov:Plan } FILTER(STRSTARTS(STR(?g), STR(src:))) ?s a ti:Fund }""",
    )
    assert stray == []


def test_cq_e11_inf_05_flows_with_several_funders_and_no_share(kg_store: ox.Store) -> None:
    # 002: "soutenus par l'État et le Conseil régional … pour un montant d'aide de plus de 36 M€"
    rows = ask(
        kg_store,
        INF
        + """SELECT ?flow (GROUP_CONCAT(DISTINCT STR(?f); separator=" ") AS ?funders) (SAMPLE(?g) AS ?doc)
             WHERE { GRAPH graph:inferred { ?flow ti:sharedFunding true } ?flow ti:funder ?f .
                     GRAPH ?g { ?flow a ti:FundingFlow } FILTER(?g != graph:inferred) } GROUP BY ?flow""",
    )
    assert [
        (short(r["flow"]), sorted(short(f) for f in (r["funders"] or "").split()), doc(r["doc"])) for r in rows
    ] == [("funding/002-plan-de-relance", ["actor/conseil-regional-centre-val-de-loire", "actor/etat"], "002")]


def test_cq_e11_inf_06_totals_per_funder_count_a_shared_amount_once(kg_store: ox.Store) -> None:
    # 000, 002, 004: per funder, the amounts it gives alone; the shared 36 M€ (002) apart, once for all its funders
    rows = ask(
        kg_store,
        INF
        + """SELECT ?funder (SUM(COALESCE(?v, ?min, 0)) AS ?alone) WHERE {
               ?flow ti:funder ?funder FILTER NOT EXISTS { ?flow ti:sharedFunding true }
               OPTIONAL { ?flow ti:amount ?a OPTIONAL { ?a schema:value ?v } OPTIONAL { ?a schema:minValue ?min } }
             } GROUP BY ?funder ORDER BY ?funder""",
    )
    assert [(short(r["funder"]), Decimal(r["alone"] or 0)) for r in rows] == [
        ("actor/etat", Decimal(4_400_000)),  # 000 projets d'usines (0.5 M€ at least) + 002 fonds vert 3.9 M€
        ("actor/ministere-economie-finances-relance", Decimal(88_000_000)),  # 004 Nouvelle-Aquitaine
    ]
    shared = ask(
        kg_store,
        """SELECT (SUM(?v) AS ?once) (COUNT(DISTINCT ?flow) AS ?flows) WHERE {
             ?flow ti:sharedFunding true ; ti:amount/schema:value ?v }""",
    )
    assert shared == [{"once": "36000000", "flows": "1"}]


def test_cq_e11_inf_07_a_part_is_not_added_to_its_whole(kg_store: ox.Store) -> None:
    # 000's "enveloppe à la main du Préfet de région" is part of 004's "enveloppe nationale de 100 millions"
    # (ti:partOfFlow, curation): the scheme's total is the whole's amount, the part counted in it
    rows = ask(
        kg_store,
        INF
        + """SELECT (SUM(COALESCE(?v, ?min, 0)) AS ?total) WHERE {
               ?flow ti:throughScheme scheme:soutien-investissements-productifs .
               FILTER NOT EXISTS { ?flow ti:partOfFlow+ ?whole . ?whole ti:throughScheme scheme:soutien-investissements-productifs }
               OPTIONAL { ?flow ti:amount ?a OPTIONAL { ?a schema:value ?v } OPTIONAL { ?a schema:minValue ?min } } }""",
    )
    assert rows == [{"total": "100000000"}]  # not 100 M€ + 0.5 M€
    part = ask(kg_store, INF + "SELECT ?whole WHERE { funding:000-etat-projets-usines ti:partOfFlow ?whole }")
    assert [short(w) for w in col(part, "whole")] == ["funding/004-enveloppe-investissements-productifs"]


def test_cq_e11_inf_08_one_french_name_per_resource(kg_store: ox.Store) -> None:
    # 003 names the territory « AGEN INDUSTRIE », 004 « Agenais »; the curation's skos:prefLabel wins, and
    # the label rule of kg.sources.labels (prefLabel, else smallest rdfs:label) gives every territory exactly one name
    from kg.sources.labels import sparql_name

    rows = ask(
        kg_store,
        "SELECT ?t ?name WHERE { " + sparql_name("t", "name", where="?t a ti:IndustryTerritory . ") + " } ORDER BY ?t",
    )
    assert len(rows) == len({r["t"] for r in rows}) == 33
    names = {short(r["t"]): r["name"] for r in rows}
    assert names["territory/agenais"] == "Agenais"
    labels = ask(kg_store, "SELECT DISTINCT ?l WHERE { territory:agenais rdfs:label ?l FILTER(lang(?l) = 'fr') }")
    assert len(labels) >= 2, "several wordings, one name"
