"""The benchmark's synthetic graph: deterministic, the requested size, and only terms the project uses."""

from __future__ import annotations

import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.nquads import ONTOLOGY_IRI, TI  # noqa: E402

REQUESTED = 20_000
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bench")
    first, second = folder / "a.nq", folder / "b.nq"
    generate(first, triples=REQUESTED, seed=7)
    generate(second, triples=REQUESTED, seed=7)
    return first, second


def _quads(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def test_same_seed_same_bytes(generated: tuple[Path, Path], tmp_path: Path) -> None:
    first, second = generated
    assert first.read_bytes() == second.read_bytes()
    other = tmp_path / "c.nq"
    generate(other, triples=REQUESTED, seed=8)
    assert other.read_bytes() != first.read_bytes()


def test_size_within_ten_percent(generated: tuple[Path, Path]) -> None:
    quads = _quads(generated[0])
    assert abs(len(quads) - REQUESTED) <= REQUESTED * 0.10
    assert all(not isinstance(q.graph_name, ox.DefaultGraph) for q in quads), "every triple sits in a named graph"


def _declared_and_used_terms() -> set[str]:
    """Terms the ontology and vocabularies declare, plus every predicate and class the bundled data uses."""
    terms: set[str] = set()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(q.subject, ox.NamedNode):
                terms.add(q.subject.value)
    for path in sorted((ROOT / "data").rglob("*.trig")):
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
            terms.add(q.predicate.value)
            if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode):
                terms.add(q.object.value)
    return terms


def test_only_known_terms(generated: tuple[Path, Path]) -> None:
    known = _declared_and_used_terms()
    data = [q for q in _quads(generated[0]) if q.graph_name != ox.NamedNode(ONTOLOGY_IRI)]
    predicates = {q.predicate.value for q in data}
    classes = {q.object.value for q in data if q.predicate == RDF_TYPE and isinstance(q.object, ox.NamedNode)}
    assert sorted(predicates - known) == []
    assert sorted(classes - known) == []
    ti_objects = {q.object.value for q in data if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(TI)}
    assert sorted(ti_objects - known) == []
    # the concepts flows and involvements point to are the vocabularies' own
    concepts = {q.object.value for q in data if q.predicate.value in (TI + "role", TI + "qualifier", TI + "genre")}
    assert concepts and sorted(concepts - known) == []


def test_shape_like_the_real_data(generated: tuple[Path, Path]) -> None:
    store = ox.Store()
    store.bulk_extend(_quads(generated[0]))
    prefixes = "PREFIX ti: <https://w3id.org/territoires-industrie/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "

    def count(where: str) -> int:
        (row,) = store.query(prefixes + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", use_default_graph_as_union=True)
        return int(row["n"].value)

    assert count("?r a ti:Region") == 18
    assert count("?d a ti:Departement") == 101
    assert count("?f a ti:FundingFlow ; ti:amount ?a ; ti:throughScheme ?s ; ti:funder ?x ; ti:recipient ?y") > 100
    assert count("?c a ti:Commune ; ti:memberOfIntercommunality ?e . ?e ti:hasMemberCommune ?c") > 100
    assert (
        count(
            "<https://w3id.org/territoires-industrie/id/territory/ardeche-drome-nord> ti:hasMemberIntercommunality ?e"
        )
        > 0
    )
    # every subject with a type has a French label
    assert (
        count(
            "?s a ?c FILTER NOT EXISTS { ?s rdfs:label ?l FILTER(LANG(?l) = 'fr') } FILTER(!STRSTARTS(STR(?s), 'https://w3id.org/territoires-industrie/ontology'))"
        )
        == 0
    )
    # accents are there to be searched
    assert count("?s rdfs:label ?l FILTER(CONTAINS(?l, 'Ardèche'))") > 0
