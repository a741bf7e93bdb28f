"""The five benchmark queries. The same text runs on every dataset: the generator always makes the
territory `ardeche-drome-nord`, which the bundled data has too.

DISTINCT is used where the union default graph could repeat a row: Oxigraph's union default graph is a
multiset over the named graphs (a label stated in two documents comes back twice) while rdflib's is a
set, and the benchmark compares row counts across servers.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = """PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

TERRITORY = "https://w3id.org/territoires-industrie/id/territory/ardeche-drome-nord"


@dataclass(frozen=True)
class BenchQuery:
    key: str
    title: str
    small_result: bool  # the p50(kg)/p50(oxigraph serve) ≤ 1.5 target applies
    text: str


QUERIES: list[BenchQuery] = [
    BenchQuery(
        "q1-lookup",
        "one resource's properties by IRI",
        True,
        PREFIXES + f"SELECT DISTINCT ?p ?o WHERE {{ <{TERRITORY}> ?p ?o }} ORDER BY ?p ?o",
    ),
    BenchQuery(
        "q2-epci-of-territory",
        "the EPCI of one territory with their SIREN (small join)",
        True,
        PREFIXES
        + f"""SELECT DISTINCT ?epci ?siren ?label WHERE {{
  <{TERRITORY}> ti:hasMemberIntercommunality ?epci .
  ?epci ti:siren ?siren ; rdfs:label ?label .
}} ORDER BY ?siren ?label""",
    ),
    BenchQuery(
        "q3-sum-per-scheme",
        "GROUP BY over all funding flows: amount per scheme",
        False,
        PREFIXES
        + """SELECT ?scheme (COUNT(?flow) AS ?flows) (SUM(?eur) AS ?total) WHERE {
  ?flow a ti:FundingFlow ; ti:throughScheme ?scheme ; ti:amount ?amount .
  OPTIONAL { ?amount schema:value ?value }
  OPTIONAL { ?amount schema:minValue ?min ; schema:maxValue ?max }
  BIND(COALESCE(?value, (?min + ?max) / 2) AS ?eur)
} GROUP BY ?scheme ORDER BY DESC(?total) ?scheme""",
    ),
    BenchQuery(
        "q4-co-involvement",
        "pairs of actors involved in the same thing, counted",
        False,
        PREFIXES
        + """SELECT ?a ?b (COUNT(DISTINCT ?thing) AS ?shared) WHERE {
  ?i1 ti:agent ?a ; ti:involvedIn ?thing .
  ?i2 ti:agent ?b ; ti:involvedIn ?thing .
  FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b ORDER BY DESC(?shared) ?a ?b LIMIT 100""",
    ),
    BenchQuery(
        "q5-accent-search",
        'accent-insensitive label search: "ardeche" finds "Ardèche"',
        False,
        PREFIXES
        + """SELECT DISTINCT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER(CONTAINS(REPLACE(REPLACE(REPLACE(LCASE(STR(?label)), "[éèêë]", "e"), "[àâä]", "a"), "[ôö]", "o"), "ardeche"))
} ORDER BY ?label ?s LIMIT 100""",
    ),
]


def by_key(keys: list[str] | None) -> list[BenchQuery]:
    """The queries whose key starts with one of `keys` (all when None)."""
    if not keys:
        return list(QUERIES)
    return [q for q in QUERIES if any(q.key.startswith(k) for k in keys)]
