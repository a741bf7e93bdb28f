"""The endpoint's self-descriptions as RDF: the SPARQL 1.1 Service Description and the VoID description.

Both are built with rdflib from the dataset statistics, the settings and the URLs the client used, so the
endpoint and the dumps are where it can reach them. The dataset has one IRI whatever the host, under the
project's namespace (`kg.docs.catalog.DATASET`, as in the DCAT-AP record of /catalog): the service
description's default dataset and the VoID description's primary topic; each named graph's subset too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from kg.config import Settings
from kg.docs.catalog import CC_BY, DATASET, DESCRIPTION, EXAMPLE_RESOURCE, PROGRAMME, TITLE, add_creator, timestamp
from kg.docs.release import FORMATS
from kg.sources.namespaces import BASE, PREFIXES, TI, TID

from .conneg import GRAPHS, RESULTS
from .stats import DatasetStats, GraphStats

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
TRUNCATED_HEADER = "SPARQL-Results-Truncated"
MAX_ROWS_HEADER = "SPARQL-Max-Rows"
UNION = {
    "fr": "Le graphe par défaut est l'union de tous les graphes nommés ; GRAPH atteint chaque document source.",
    "en": "The default graph is the union of all named graphs; GRAPH reaches each source document.",
}


def _new_graph() -> Graph:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g.bind("sd", SD)
    g.bind("void", VOID)
    g.bind("foaf", FOAF)
    return g


def _texts(g: Graph, node: URIRef | BNode, prop: URIRef, texts: dict[str, str]) -> None:
    for lang, text in texts.items():
        g.add((node, prop, Literal(text, lang=lang)))


def _count(g: Graph, node: URIRef | BNode, prop: URIRef, value: int) -> None:
    g.add((node, prop, Literal(value, datatype=XSD.integer)))


def _statistics(g: Graph, node: URIRef, stats: DatasetStats, endpoint: str) -> None:
    """The void:Dataset numbers and links shared by both descriptions."""
    g.add((node, RDF.type, VOID.Dataset))
    _texts(g, node, DCTERMS.title, TITLE)
    _texts(g, node, DCTERMS.description, DESCRIPTION)
    g.add((node, DCTERMS.license, CC_BY))
    g.add((node, VOID.sparqlEndpoint, URIRef(endpoint)))
    _count(g, node, VOID.triples, stats.triples)
    _count(g, node, VOID.entities, stats.entities)
    _count(g, node, VOID.classes, stats.classes)
    _count(g, node, VOID.properties, stats.properties)
    _count(g, node, VOID.distinctSubjects, stats.distinct_subjects)
    _count(g, node, VOID.distinctObjects, stats.distinct_objects)
    g.add((node, OWL.versionInfo, Literal(stats.version)))
    if stats.built_at:
        g.add((node, DCTERMS.modified, timestamp(stats.built_at)))


def limits_text(settings: Settings) -> str:
    """The endpoint's limits, in words, for people reading the description."""
    service = (
        f"SERVICE may call only: {', '.join(settings.service_allowlist)}."
        if settings.service_allowlist
        else "SERVICE (federated query) is refused."
    )
    return (
        f"Read-only: SPARQL Update is refused (403). A query runs at most {settings.query_timeout:g} s (then 503). "
        f"An answer carries at most {settings.max_rows} rows or triples; a cut answer has the response headers "
        f"{TRUNCATED_HEADER}: true and {MAX_ROWS_HEADER}: {settings.max_rows}. Requests up to "
        f"{settings.max_request_bytes} bytes (413), request targets up to {settings.max_url_length} bytes (414). "
        f"{service} FROM and FROM NAMED select graphs of this dataset; nothing is fetched from the web."
    )


def service_description(endpoint: str, void_url: str, stats: DatasetStats, settings: Settings) -> Graph:
    """The `sd:Service` of the endpoint, with its default dataset and VoID statistics."""
    g = _new_graph()
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    _texts(g, service, DCTERMS.title, {"fr": "Point d'accès SPARQL", "en": "SPARQL endpoint"})
    g.add((service, RDFS.comment, Literal(limits_text(settings), lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in (*RESULTS, *GRAPHS):
        if fmt.w3c:
            g.add((service, SD.resultFormat, URIRef(fmt.w3c)))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allowlist:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    g.add((service, RDFS.seeAlso, URIRef(void_url)))

    dataset = DATASET
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    _statistics(g, dataset, stats, endpoint)
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    _texts(g, default, DCTERMS.description, UNION)
    _count(g, default, VOID.triples, stats.triples)
    for graph in stats.graphs:
        named, described = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(graph.name)))
        g.add((named, SD.graph, described))
        g.add((described, RDF.type, SD.Graph))
        _count(g, described, VOID.triples, graph.triples)
        if graph.title:
            g.add((described, DCTERMS.title, Literal(graph.title, lang="fr")))
    return g


def subset_node(graph: GraphStats) -> URIRef:
    """The IRI of the subset of one named graph, under the dataset's (`…/id/dataset/source-001`): the same on
    every host."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", graph.name.removeprefix(str(TID)).removeprefix(BASE)).strip("-") or "graph"
    return URIRef(f"{DATASET}/{slug}")


def void_description(
    endpoint: str, void_url: str, stats: DatasetStats, dumps: Sequence[str] = (), catalog: str | None = None
) -> Graph:
    """The VoID description: the dataset, its licences, creator, sources and dumps, one subset per named graph.

    `dumps` are the URLs of the current version's dump files (`void:dataDump`), `catalog` the DCAT-AP record's."""
    g = _new_graph()
    document, dataset = URIRef(void_url), DATASET
    g.add((document, RDF.type, VOID.DatasetDescription))
    _texts(g, document, DCTERMS.title, {"fr": "Description VoID du graphe", "en": "VoID description of the graph"})
    g.add((document, FOAF.primaryTopic, dataset))
    _statistics(g, dataset, stats, endpoint)
    _texts(g, dataset, RDFS.comment, UNION)
    add_creator(g, dataset)
    g.add((dataset, VOID.uriSpace, Literal(str(TID))))
    g.add((dataset, VOID.vocabulary, URIRef(str(TI))))
    g.add((dataset, VOID.rootResource, PROGRAMME))
    g.add((dataset, VOID.exampleResource, EXAMPLE_RESOURCE))
    for url in dumps:
        g.add((dataset, VOID.dataDump, URIRef(url)))
    for fmt in FORMATS:
        g.add((dataset, VOID.feature, URIRef(fmt.w3c)))
    if catalog:
        g.add((dataset, RDFS.seeAlso, URIRef(catalog)))
    for graph in stats.graphs:
        subset = subset_node(graph)
        name = URIRef(graph.name)
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, SD.name, name))
        g.add((subset, VOID.sparqlEndpoint, URIRef(endpoint)))
        _count(g, subset, VOID.triples, graph.triples)
        g.add((subset, DCTERMS.license, URIRef(graph.license) if graph.license else CC_BY))
        if graph.title:
            g.add((subset, DCTERMS.title, Literal(graph.title, lang="fr")))
        if graph.source:
            g.add((subset, DCTERMS.source, URIRef(graph.source)))
        if graph.kind == str(TI.SourceDocument):
            # the graph is named after the document that states it
            g.add((dataset, DCTERMS.source, name))
            g.add((subset, DCTERMS.source, name))
            g.add((name, RDF.type, TI.SourceDocument))
            if graph.title:
                g.add((name, DCTERMS.title, Literal(graph.title, lang="fr")))
            if graph.seed_file:
                g.add((name, TI.seedFile, Literal(graph.seed_file)))
        elif graph.source:
            g.add((dataset, DCTERMS.source, URIRef(graph.source)))
    return g
