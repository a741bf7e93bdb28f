"""The dataset described for data portals: a DCAT-AP 3 catalogue record, and the facts it shares with VoID.

The dataset has one IRI under the project's namespace (`DATASET`), the same in the VoID description, the
service description and the catalogue, whatever host serves them; only the URLs where this server answers
(endpoint, downloads) come from the request. Everything said here is something the project states: the title
and description of the README, the licence of its "Licences" section, the creator of the ontology header, the
source documents of the graph. No contact point is given: the project names none.

The record follows DCAT-AP 3.0 (the EU's application profile of DCAT) with the controlled vocabularies it
recommends — the EU's data themes, countries, languages and file types, IANA media types — and gives what
data.gouv.fr's DCAT harvester reads, by its documentation: a `dcat:Catalog` to start from, `dct:identifier` to
recognise the dataset from one harvest to the next, French titles and descriptions, `dcat:keyword` (it prefers
them to themes), the licence on every distribution, `dct:temporal`, `dct:modified`, `dcat:landingPage`.
`tests/fixtures/dcat-ap/` holds the official DCAT-AP 3.0.0 shapes and the project's own checks, against which
`tests/kg/docs/test_catalog_record.py` and `tests/api/test_catalog.py` validate it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VOID, XSD

from kg.docs.release import Release
from kg.sources.namespaces import PREFIXES, TID

DATASET = URIRef(TID["dataset"])
CATALOG = URIRef(TID["catalog"])
SPARQL_SERVICE = URIRef(TID["dataset/sparql-endpoint"])
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
CREATOR = "Territoires d'industrie knowledge graph contributors"  # the ontology header's dcterms:creator
PROGRAMME = URIRef(TID["programme/territoires-d-industrie"])
EXAMPLE_RESOURCE = URIRef(TID["territory/ardeche-drome-nord"])
START_YEAR = "2018"  # "2018 →": the programme's start, as the README and the description say

DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
FRANCE = URIRef(EU + "country/FRA")
FRENCH, ENGLISH = URIRef(EU + "language/FRA"), URIRef(EU + "language/ENG")
DATA_THEMES = URIRef(EU + "data-theme")
THEMES = {  # the EU data themes the programme belongs to: industrial policy of territories
    "REGI": {"fr": "Régions et villes", "en": "Regions and cities"},
    "ECON": {"fr": "Économie et finances", "en": "Economy and finance"},
    "GOVE": {"fr": "Gouvernement et secteur public", "en": "Government and public sector"},
}
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")

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
CATALOG_TITLE = {
    "fr": "Catalogue du graphe de connaissances des Territoires d'industrie",
    "en": "Catalogue of the Territoires d'industrie knowledge graph",
}
CATALOG_DESCRIPTION = {
    "fr": "Le jeu de données du graphe de connaissances des Territoires d'industrie, ses fichiers à télécharger "
    "et son point d'accès SPARQL.",
    "en": "The dataset of the Territoires d'industrie knowledge graph, its files for download and its SPARQL endpoint.",
}
PROVENANCE = {
    "fr": "Chaque fait est tiré d'un des documents sources et rangé dans le graphe nommé de ce document ; ce que "
    "les documents ne disent pas est dans le graphe éditorial, avec sa raison ; les codes viennent de la "
    "géographie officielle d'Etalab (Licence Ouverte 2.0).",
    "en": "Every fact is drawn from one of the source documents and kept in that document's named graph; what "
    "the documents do not say is in the editorial graph, with its reason; codes come from Etalab's official "
    "geography (Licence Ouverte 2.0).",
}
SERVICE_TITLE = {"fr": "Point d'accès SPARQL", "en": "SPARQL endpoint"}
SERVICE_DESCRIPTION = {
    "fr": "Point d'accès SPARQL 1.1 en lecture seule : le graphe par défaut est l'union de tous les graphes nommés.",
    "en": "Read-only SPARQL 1.1 endpoint: the default graph is the union of all named graphs.",
}


@dataclass(frozen=True)
class Links:
    """Where this server answers: the URLs a catalogue points to (they depend on the host, the IRIs do not)."""

    home: str
    endpoint: str
    void: str
    catalog: str
    downloads: str  # the list of dumps (/download)
    files: Mapping[str, str]  # file name → download URL of the current version's dump


@dataclass(frozen=True)
class Source:
    """A source document of the graph: its IRI (the name of its graph) and French title."""

    iri: str
    title: str | None = None


def texts(g: Graph, node: URIRef | BNode, prop: URIRef, values: Mapping[str, str]) -> None:
    """One literal per language."""
    for lang, text in values.items():
        g.add((node, prop, Literal(text, lang=lang)))


def timestamp(value: str) -> Literal:
    """A build time as xsd:dateTime (the manifest writes the zone as +0000)."""
    fixed = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", value)
    return Literal(fixed, datatype=XSD.dateTime)


def add_creator(g: Graph, node: URIRef) -> BNode:
    """The creator of the dataset as the project names it, as its `dcterms:creator` and `dcterms:publisher`."""
    agent = BNode("creator")
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(CREATOR)))
    g.add((node, DCTERMS.creator, agent))
    g.add((node, DCTERMS.publisher, agent))
    return agent


def new_graph() -> Graph:
    g = Graph()
    """An empty graph with the project's prefixes and those of DCAT-AP."""
    g = Graph()
    vocabularies = {"dcat": DCAT, "foaf": FOAF, "void": VOID, "spdx": SPDX, "prov": PROV}
    for prefix, ns in {**PREFIXES, **{k: str(v) for k, v in vocabularies.items()}}.items():
        g.bind(prefix, ns)
    return g


def jsonld_context(g: Graph) -> dict[str, str]:
    """The prefixes the record's IRIs use, as a JSON-LD context (compact JSON-LD rather than expanded)."""
    used = {str(t) for triple in g for t in triple if isinstance(t, URIRef)}
    return {prefix: str(ns) for prefix, ns in g.namespaces() if prefix and any(iri.startswith(str(ns)) for iri in used)}


def catalog_graph(release: Release, sources: Sequence[Source], links: Links) -> Graph:
    """The DCAT-AP record: the catalogue, the dataset, a distribution per dump and one for the SPARQL endpoint,
    the endpoint as a `dcat:DataService`, each with the licence, and the vocabularies' terms typed as the
    profile expects."""
    g = new_graph()
    agent = _catalog(g, release, links)
    _dataset(g, release, sources, links)
    g.add((DATASET, DCTERMS.publisher, agent))
    g.add((DATASET, DCTERMS.creator, agent))
    for f in release.files:
        _dump_distribution(g, release, f.name, links)
    _service(g, links, agent)
    _typed_terms(g)
    return g


def _catalog(g: Graph, release: Release, links: Links) -> BNode:
    g.add((CATALOG, RDF.type, DCAT.Catalog))
    texts(g, CATALOG, DCTERMS.title, CATALOG_TITLE)
    texts(g, CATALOG, DCTERMS.description, CATALOG_DESCRIPTION)
    agent = add_creator(g, CATALOG)
    g.add((CATALOG, DCAT.dataset, DATASET))
    g.add((CATALOG, DCAT.service, SPARQL_SERVICE))
    g.add((CATALOG, DCTERMS.license, CC_BY))
    g.add((CATALOG, DCTERMS.language, FRENCH))
    g.add((CATALOG, DCTERMS.spatial, FRANCE))
    g.add((CATALOG, DCAT.themeTaxonomy, DATA_THEMES))
    g.add((CATALOG, FOAF.homepage, URIRef(links.home)))
    if release.built_at:
        g.add((CATALOG, DCTERMS.modified, timestamp(release.built_at)))
    return agent


def _dataset(g: Graph, release: Release, sources: Sequence[Source], links: Links) -> None:
    g.add((DATASET, RDF.type, DCAT.Dataset))
    g.add((DATASET, RDF.type, VOID.Dataset))
    texts(g, DATASET, DCTERMS.title, TITLE)
    texts(g, DATASET, DCTERMS.description, DESCRIPTION)
    g.add((DATASET, DCTERMS.identifier, Literal(str(DATASET))))  # what a harvester recognises it by
    g.add((DATASET, DCTERMS.license, CC_BY))
    g.add((DATASET, DCTERMS.language, FRENCH))
    g.add((DATASET, DCTERMS.language, ENGLISH))
    g.add((DATASET, DCTERMS.spatial, FRANCE))
    for code in THEMES:
        g.add((DATASET, DCAT.theme, URIRef(f"{DATA_THEMES}/{code}")))
    texts(g, DATASET, DCAT.keyword, {"fr": "Territoires d'industrie", "en": "Territoires d'industrie"})
    for word in ("industrie", "politique industrielle", "collectivités territoriales", "financement public"):
        g.add((DATASET, DCAT.keyword, Literal(word, lang="fr")))
    period = BNode("period")
    g.add((DATASET, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(START_YEAR, datatype=XSD.gYear)))
    g.add((DATASET, DCAT_VERSION, Literal(release.version)))
    g.add((DATASET, OWL.versionInfo, Literal(release.version)))
    if release.built_at:
        g.add((DATASET, DCTERMS.modified, timestamp(release.built_at)))
    g.add((DATASET, DCAT.landingPage, URIRef(links.home)))
    g.add((DATASET, FOAF.page, URIRef(links.void)))
    g.add((DATASET, RDFS.seeAlso, URIRef(links.void)))
    g.add((DATASET, DCTERMS.subject, PROGRAMME))
    g.add((DATASET, VOID.exampleResource, EXAMPLE_RESOURCE))
    g.add((DATASET, VOID.sparqlEndpoint, URIRef(links.endpoint)))
    provenance = BNode("provenance")
    g.add((DATASET, DCTERMS.provenance, provenance))
    g.add((provenance, RDF.type, DCTERMS.ProvenanceStatement))
    texts(g, provenance, RDFS.label, PROVENANCE)
    for source in sources:
        document = URIRef(source.iri)
        g.add((DATASET, PROV.wasDerivedFrom, document))
        if source.title:
            g.add((document, DCTERMS.title, Literal(source.title, lang="fr")))
    g.add((DATASET, DCAT.distribution, _distribution_iri("sparql")))


def _distribution_iri(key: str) -> URIRef:
    return URIRef(f"{DATASET}/distribution/{key}")


def _dump_distribution(g: Graph, release: Release, name: str, links: Links) -> None:
    f = release.file(name)
    assert f is not None
    fmt = f.syntax
    node = _distribution_iri(fmt.extension)
    g.add((DATASET, DCAT.distribution, node))
    g.add((DATASET, VOID.dataDump, URIRef(links.files[name])))
    g.add((node, RDF.type, DCAT.Distribution))
    texts(
        g,
        node,
        DCTERMS.title,
        {"fr": f"Le jeu de données entier en {fmt.label}", "en": f"The whole dataset in {fmt.label}"},
    )
    texts(
        g,
        node,
        DCTERMS.description,
        {
            "fr": f"Tous les graphes nommés de la version {release.version} en {fmt.label}, compressés avec gzip.",
            "en": f"Every named graph of version {release.version} in {fmt.label}, gzip-compressed.",
        },
    )
    g.add((node, DCAT.accessURL, URIRef(links.downloads)))
    g.add((node, DCAT.downloadURL, URIRef(links.files[name])))
    g.add((node, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
    g.add((node, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
    g.add((node, DCTERMS.format, URIRef(f"{EU}file-type/{fmt.eu_file_type}")))
    g.add((node, DCTERMS.conformsTo, URIRef(fmt.w3c)))
    g.add((node, DCTERMS.license, CC_BY))
    g.add((node, DCAT.byteSize, Literal(f.size, datatype=XSD.nonNegativeInteger)))
    checksum = BNode(f"checksum-{fmt.extension}")
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(f.sha256, datatype=XSD.hexBinary)))
    if release.built_at:
        g.add((node, DCTERMS.modified, timestamp(release.built_at)))


def _service(g: Graph, links: Links, agent: BNode) -> None:
    g.add((SPARQL_SERVICE, RDF.type, DCAT.DataService))
    texts(g, SPARQL_SERVICE, DCTERMS.title, SERVICE_TITLE)
    texts(g, SPARQL_SERVICE, DCTERMS.description, SERVICE_DESCRIPTION)
    g.add((SPARQL_SERVICE, DCAT.endpointURL, URIRef(links.endpoint)))
    g.add((SPARQL_SERVICE, DCAT.endpointDescription, URIRef(links.endpoint)))  # its SPARQL service description
    g.add((SPARQL_SERVICE, DCAT.servesDataset, DATASET))
    g.add((SPARQL_SERVICE, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((SPARQL_SERVICE, DCTERMS.license, CC_BY))
    g.add((SPARQL_SERVICE, DCTERMS.publisher, agent))
    for code in THEMES:
        g.add((SPARQL_SERVICE, DCAT.theme, URIRef(f"{DATA_THEMES}/{code}")))
    node = _distribution_iri("sparql")
    g.add((node, RDF.type, DCAT.Distribution))
    texts(g, node, DCTERMS.title, {"fr": "Interrogation en SPARQL", "en": "SPARQL queries"})
    texts(g, node, DCTERMS.description, SERVICE_DESCRIPTION)
    g.add((node, DCAT.accessURL, URIRef(links.endpoint)))
    g.add((node, DCAT.accessService, SPARQL_SERVICE))
    g.add((node, DCTERMS.license, CC_BY))


def _typed_terms(g: Graph) -> None:
    """The vocabularies' terms with the classes DCAT-AP gives their ranges, and their labels."""
    g.add((CC_BY, RDF.type, DCTERMS.LicenseDocument))
    texts(g, CC_BY, RDFS.label, {"fr": "Creative Commons Attribution 4.0 International", "en": "CC-BY-4.0"})
    g.add((FRANCE, RDF.type, DCTERMS.Location))
    for lang in (FRENCH, ENGLISH):
        g.add((lang, RDF.type, DCTERMS.LinguisticSystem))
    g.add((DATA_THEMES, RDF.type, SKOS.ConceptScheme))
    texts(g, DATA_THEMES, DCTERMS.title, {"fr": "Thèmes des données", "en": "Data theme"})
    for code, labels in THEMES.items():
        theme = URIRef(f"{DATA_THEMES}/{code}")
        g.add((theme, RDF.type, SKOS.Concept))
        g.add((theme, SKOS.inScheme, DATA_THEMES))
        texts(g, theme, SKOS.prefLabel, labels)
    g.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
    for media in set(g.objects(None, DCAT.mediaType)) | set(g.objects(None, DCAT.compressFormat)):
        g.add((media, RDF.type, DCTERMS.MediaType))
    for fmt in set(g.objects(None, DCTERMS.format)):
        g.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
    for standard in set(g.objects(None, DCTERMS.conformsTo)):
        g.add((standard, RDF.type, DCTERMS.Standard))
    for page in (
        set(g.objects(None, FOAF.homepage)) | set(g.objects(None, FOAF.page)) | set(g.objects(None, DCAT.landingPage))
    ):
        g.add((page, RDF.type, FOAF.Document))
