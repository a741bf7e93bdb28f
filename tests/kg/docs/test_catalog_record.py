"""The DCAT-AP record: valid against the official DCAT-AP 3.0.0 shapes and the project's own checks, and saying
only what the project states."""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, VOID

from kg.config import PROJECT_ROOT
from kg.docs import catalog, release
from kg.store.local import LocalStore

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # a plain namespace: rdflib's warns when pytest looks into it
SHAPES = PROJECT_ROOT / "tests" / "fixtures" / "dcat-ap"
HOST = "http://data.example.org"
pytestmark = pytest.mark.filterwarnings("ignore:.*ConjunctiveGraph is deprecated:DeprecationWarning")


@pytest.fixture(scope="module")
def made(kg_store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> release.Release:
    folder = tmp_path_factory.mktemp("release")
    return release.write_release(LocalStore(kg_store, version="v9"), folder, built_at="2026-12-01T10:00:00+0000")


def _links(made: release.Release) -> catalog.Links:
    return catalog.Links(
        home=f"{HOST}/",
        endpoint=f"{HOST}/sparql",
        void=f"{HOST}/.well-known/void",
        catalog=f"{HOST}/catalog",
        downloads=f"{HOST}/download",
        files={f.name: f"{HOST}/download/{made.version}/{f.name}" for f in made.files},
    )


SOURCES = [catalog.Source("https://w3id.org/territoires-industrie/id/source/001", "Lancement…")]


@pytest.fixture(scope="module")
def record(made: release.Release) -> Graph:
    return catalog.catalog_graph(made, SOURCES, _links(made))


@pytest.fixture(scope="module")
def official() -> Graph:
    return Graph().parse(SHAPES / "dcat-ap-3.0.0-SHACL.jsonld", format="json-ld")


@pytest.fixture(scope="module")
def checks() -> Graph:
    return Graph().parse(SHAPES / "project-checks.ttl", format="turtle")


def _report(record: Graph, shapes: Graph) -> tuple[bool, str]:
    # the official shapes type ranges as rdfs:Resource, which only RDFS inference gives every IRI
    conforms, _, text = pyshacl.validate(record, shacl_graph=shapes, inference="rdfs")
    return bool(conforms), str(text)


def test_the_vendored_shapes_are_the_official_dcat_ap_3_file(official: Graph) -> None:
    shapes = {
        str(s).rsplit("#", 1)[-1] for s in official.subjects(RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape"))
    }
    assert {"dcat:DatasetShape", "dcat:DistributionShape", "dcat:DataServiceShape", "dcat:CatalogShape"} <= shapes
    assert len(shapes) == 42


def test_the_record_conforms_to_dcat_ap_3_and_the_project_checks(record: Graph, official: Graph, checks: Graph) -> None:
    for shapes in (official, checks):
        conforms, text = _report(record, shapes)
        assert conforms, text


@pytest.mark.parametrize(
    ("broken", "shapes", "expected"),
    [
        ("title", "official", "dcterms:title"),
        ("endpoint", "official", "dcat:endpointURL"),
        ("checksum", "checks", "SHA-256"),
        ("french", "checks", "French dcterms:title"),
        ("identifier", "checks", "the dataset needs one identifier"),
    ],
)
def test_a_broken_record_is_reported(
    record: Graph, official: Graph, checks: Graph, broken: str, shapes: str, expected: str
) -> None:
    g = Graph()
    for triple in record:
        g.add(triple)
    if broken == "title":
        g.remove((catalog.CATALOG, DCTERMS.title, None))
    elif broken == "endpoint":
        g.remove((catalog.SPARQL_SERVICE, DCAT.endpointURL, None))
    elif broken == "identifier":
        g.remove((catalog.DATASET, DCTERMS.identifier, None))
    elif broken == "checksum":
        g.remove((None, URIRef(str(catalog.SPDX) + "checksum"), None))
    else:
        g.remove((catalog.DATASET, DCTERMS.title, Literal(catalog.TITLE["fr"], lang="fr")))
    conforms, text = _report(g, official if shapes == "official" else checks)
    assert not conforms and expected in text, text


def test_the_dataset_iri_is_the_projects_whatever_the_host(made: release.Release, record: Graph) -> None:
    assert URIRef("https://w3id.org/territoires-industrie/id/dataset") == catalog.DATASET
    assert (catalog.CATALOG, DCAT.dataset, catalog.DATASET) in record
    assert (catalog.SPARQL_SERVICE, DCAT.servesDataset, catalog.DATASET) in record
    assert (catalog.SPARQL_SERVICE, DCAT.endpointURL, URIRef(f"{HOST}/sparql")) in record
    other = catalog.catalog_graph(made, SOURCES, catalog.Links("h", "e", "v", "c", "d", _links(made).files))
    assert set(other.subjects(RDF.type, DCAT.Dataset)) == {catalog.DATASET}


def test_each_dump_is_a_distribution_with_its_url_size_and_checksum(made: release.Release, record: Graph) -> None:
    downloads = {str(u) for u in record.objects(None, DCAT.downloadURL)}
    assert downloads == {f"{HOST}/download/v9/{f.name}" for f in made.files}
    assert {str(u) for u in record.objects(catalog.DATASET, VOID.dataDump)} == downloads
    values = {str(v) for v in record.objects(None, URIRef(str(catalog.SPDX) + "checksumValue"))}
    assert values == {f.sha256 for f in made.files}
    sizes = {int(v) for v in record.objects(None, DCAT.byteSize)}
    assert sizes == {f.size for f in made.files}
    assert len(set(record.objects(catalog.DATASET, DCAT.distribution))) == 3  # two dumps and the endpoint


def test_the_record_states_only_what_the_project_states(record: Graph) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "Data and ontology: CC-BY-4.0" in readme
    assert set(record.objects(catalog.DATASET, DCTERMS.license)) == {catalog.CC_BY}
    header = Graph().parse(PROJECT_ROOT / "ontology" / "territoires-industrie.ttl", format="turtle")
    creator = header.value(URIRef("https://w3id.org/territoires-industrie/ontology"), DCTERMS.creator)
    publisher = record.value(catalog.DATASET, DCTERMS.publisher)
    assert record.value(publisher, FOAF.name) == creator  # the ontology header's creator, not an invented one
    assert record.value(catalog.DATASET, DCAT.contactPoint) is None  # the project names no contact
    assert (catalog.DATASET, DCTERMS.spatial, catalog.FRANCE) in record
    assert (catalog.DATASET, PROV.wasDerivedFrom, URIRef(SOURCES[0].iri)) in record


def test_the_jsonld_context_names_only_the_prefixes_used(record: Graph) -> None:
    context = catalog.jsonld_context(record)
    assert context["dcat"] == str(DCAT) and "spdx" in context
    assert "brick" not in context and "epci" not in context
    assert len(Graph().parse(data=record.serialize(format="json-ld", context=context), format="json-ld")) == len(record)


def test_timestamps_get_a_colon_in_their_zone() -> None:
    assert str(catalog.timestamp("2026-12-01T10:00:00+0000")) == "2026-12-01T10:00:00+00:00"
