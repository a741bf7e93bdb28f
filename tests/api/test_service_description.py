"""The service description and VoID graphs, built directly from the statistics and the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, VOID

from api.service_description import (
    CC_BY,
    MAX_ROWS_HEADER,
    SD,
    TRUNCATED_HEADER,
    service_description,
    void_description,
)
from api.stats import DatasetStats, compute
from kg.config import Settings
from kg.sources.namespaces import GEO_GRAPH, TI
from kg.store.pool import QueryPool

pytestmark = [
    pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*default_context is deprecated:DeprecationWarning"),
]

ENDPOINT = "http://example.org/sparql"
VOID_URL = "http://example.org/.well-known/void"


@pytest.fixture(scope="module")
def stats(pool: QueryPool) -> DatasetStats:
    return compute(pool)


def _settings(**changes: object) -> Settings:
    return Settings(store=Path("/nowhere")).model_copy(update=changes)


def test_the_service_describes_its_endpoint_language_formats_and_features(stats: DatasetStats) -> None:
    g = service_description(ENDPOINT, VOID_URL, stats, _settings(max_rows=7))
    service = URIRef(ENDPOINT)
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    formats = {str(o) for o in g.objects(service, SD.resultFormat)}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_JSON" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    assert len(formats) == 10
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.feature, SD.BasicFederatedQuery) not in g
    comment = str(g.value(service, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))
    assert TRUNCATED_HEADER in comment and f"{MAX_ROWS_HEADER}: 7" in comment


def test_the_default_dataset_is_the_union_with_void_statistics(stats: DatasetStats) -> None:
    g = service_description(ENDPOINT, VOID_URL, stats, _settings())
    dataset = g.value(URIRef(ENDPOINT), SD.defaultDataset)
    default = g.value(dataset, SD.defaultGraph)
    assert g.value(default, VOID.triples) == Literal(stats.triples)
    assert any("union of all named graphs" in str(d) for d in g.objects(default, DCTERMS.description))
    named = {
        g.value(n, SD.name): g.value(g.value(n, SD.graph), VOID.triples) for n in g.objects(dataset, SD.namedGraph)
    }
    assert named == {URIRef(s.name): Literal(s.triples) for s in stats.graphs}
    assert g.value(dataset, VOID.triples) == Literal(stats.triples)


def test_federation_is_announced_only_with_an_allow_list(stats: DatasetStats) -> None:
    g = service_description(
        ENDPOINT, VOID_URL, stats, _settings(service_allowlist=["https://query.wikidata.org/sparql"])
    )
    assert (URIRef(ENDPOINT), SD.feature, SD.BasicFederatedQuery) in g


def test_void_has_statistics_licences_sources_and_one_subset_per_graph(stats: DatasetStats) -> None:
    g = void_description(ENDPOINT, VOID_URL, stats)
    dataset = URIRef("https://w3id.org/territoires-industrie/id/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in g
    for prop in (
        VOID.triples,
        VOID.entities,
        VOID.classes,
        VOID.properties,
        VOID.distinctSubjects,
        VOID.distinctObjects,
    ):
        assert isinstance(g.value(dataset, prop), Literal), prop
    assert (dataset, VOID.sparqlEndpoint, URIRef(ENDPOINT)) in g
    assert (dataset, DCTERMS.license, CC_BY) in g
    subsets = list(g.objects(dataset, VOID.subset))
    assert len(subsets) == len(stats.graphs)
    etalab = next(s for s in subsets if g.value(s, SD.name) == URIRef(str(GEO_GRAPH)))
    assert g.value(etalab, DCTERMS.license) == URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
    documents = list(g.subjects(RDF.type, TI.SourceDocument))
    assert len(documents) == 5
    for doc in documents:
        assert (dataset, DCTERMS.source, doc) in g
        assert str(g.value(doc, TI.seedFile)).endswith(".txt")


def test_the_dataset_and_its_subsets_have_the_same_iris_on_every_host(stats: DatasetStats) -> None:
    here = void_description(ENDPOINT, VOID_URL, stats)
    there = void_description("https://other.example/sparql", "https://other.example/.well-known/void", stats)
    dataset = URIRef("https://w3id.org/territoires-industrie/id/dataset")
    for g, url in ((here, VOID_URL), (there, "https://other.example/.well-known/void")):
        assert g.value(URIRef(url), FOAF.primaryTopic) == dataset
    assert set(here.objects(dataset, VOID.subset)) == set(there.objects(dataset, VOID.subset))
    assert URIRef(str(dataset) + "/source-001") in set(here.objects(dataset, VOID.subset))
    sd = service_description(ENDPOINT, VOID_URL, stats, _settings())
    assert sd.value(URIRef(ENDPOINT), SD.defaultDataset) == dataset  # one dataset in both descriptions


def test_void_names_its_dumps_creator_example_and_catalogue(stats: DatasetStats) -> None:
    dumps = [f"http://example.org/download/{stats.version}/territoires-industrie.{x}.gz" for x in ("nq", "trig")]
    g = void_description(ENDPOINT, VOID_URL, stats, dumps, "http://example.org/catalog")
    dataset = URIRef("https://w3id.org/territoires-industrie/id/dataset")
    assert {str(u) for u in g.objects(dataset, VOID.dataDump)} == set(dumps)
    assert (dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")) in g
    assert (
        dataset,
        VOID.exampleResource,
        URIRef("https://w3id.org/territoires-industrie/id/territory/ardeche-drome-nord"),
    ) in g
    assert (dataset, RDFS.seeAlso, URIRef("http://example.org/catalog")) in g
    creator = g.value(dataset, DCTERMS.creator)
    assert g.value(dataset, DCTERMS.publisher) == creator
    assert str(g.value(creator, FOAF.name)) == "Territoires d'industrie knowledge graph contributors"
    assert g.value(dataset, URIRef("http://www.w3.org/2002/07/owl#versionInfo")) == Literal(stats.version)
    assert g.value(dataset, DCTERMS.modified) is not None


def test_the_descriptions_serialise_in_every_offered_syntax(stats: DatasetStats) -> None:
    g = void_description(ENDPOINT, VOID_URL, stats)
    for fmt in ("turtle", "json-ld", "xml", "nt"):
        assert len(Graph().parse(data=g.serialize(format=fmt), format=fmt)) == len(g)
