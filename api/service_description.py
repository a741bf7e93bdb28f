"""The endpoint's self-descriptions as RDF: the SPARQL 1.1 Service Description and the VoID description.

Both are built with rdflib from the dataset statistics, the settings and the URLs the client used, so the
endpoint IRI is the one it can reach. The dataset is `<…/.well-known/void#dataset>` in both: the service
description's default dataset and the VoID description's primary topic.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from api.conneg import GRAPHS, RESULTS
from api.stats import DatasetStats, GraphStats
from kg.config import Settings
from kg.sources.namespaces import BASE, PREFIXES, TI, TID

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
TRUNCATED_HEADER = "SPARQL-Results-Truncated"
MAX_ROWS_HEADER = "SPARQL-Max-Rows"
TITLE = {
    "fr": "Graphe de connaissances ouvert des Territoires d'industrie",
    "en": "Open knowledge graph of the Territoires d'industrie programme",
}
DESCRIPTION = {
    "fr": "Le programme français Territoires d'industrie (2018 →, phase 2 2023-2027) : territoires labellisés, "
    "collectivités, acteurs, dispositifs, plans nationaux et flux de financement, chaque fait tiré d'un document "
    "source et rangé dans le graphe nommé de ce document, avec la géographie officielle d'Etalab.",
    "en": "France's Territoires d'industrie programme (2018 →, phase 2 2023-2027): labelled territories, local "
    "authorities, actors, support schemes, national plans and funding flows, every fact drawn from a source "
    "document and kept in that document's named graph, with Etalab's official geography.",
}
UNION = {
    "fr": "Le graphe par défaut est l'union de tous les graphes nommés ; GRAPH atteint chaque document source.",
    "en": "The default graph is the union of all named graphs; GRAPH reaches each source document.",
}


def dataset_node(void_url: str) -> URIRef:
    """The IRI of the served dataset, in the VoID description's own document."""
    return URIRef(f"{void_url}#dataset")


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
    g.add((node, DCTERMS.modified, _timestamp(stats.built_at)))


def _timestamp(value: str) -> Literal:
    """The build time as xsd:dateTime (the manifest writes the zone as +0000)."""
    fixed = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    return Literal(fixed, datatype=XSD.dateTime)


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

    dataset = dataset_node(void_url)
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


def subset_node(void_url: str, graph: GraphStats) -> URIRef:
    """A stable IRI for the subset of one named graph, in the VoID document."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", graph.name.removeprefix(BASE)).strip("-") or "graph"
    return URIRef(f"{void_url}#{slug}")


def void_description(endpoint: str, void_url: str, stats: DatasetStats) -> Graph:
    """The VoID description: the dataset, its licences and sources, one subset per named graph."""
    g = _new_graph()
    document, dataset = URIRef(void_url), dataset_node(void_url)
    g.add((document, RDF.type, VOID.DatasetDescription))
    _texts(g, document, DCTERMS.title, {"fr": "Description VoID du graphe", "en": "VoID description of the graph"})
    g.add((document, FOAF.primaryTopic, dataset))
    _statistics(g, dataset, stats, endpoint)
    _texts(g, dataset, RDFS.comment, UNION)
    g.add((dataset, VOID.uriSpace, Literal(str(TID))))
    g.add((dataset, VOID.vocabulary, URIRef(str(TI))))
    g.add((dataset, VOID.rootResource, TID["programme/territoires-d-industrie"]))
    g.add((dataset, VOID.exampleResource, TID["territory/ardeche-drome-nord"]))
    for graph in stats.graphs:
        subset = subset_node(void_url, graph)
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
