"""The project's namespaces, in one place so code, queries and tests agree on them."""

from rdflib import Namespace

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"

BASE = "https://w3id.org/territoires-industrie/"
TI = Namespace(BASE + "ontology#")
TID = Namespace(BASE + "id/")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
SCHEMA = Namespace("http://schema.org/")

ONTOLOGY_IRI = BASE + "ontology"
CURATION_GRAPH = TID["graph/curation"]
GEO_GRAPH = TID["graph/etalab-decoupage-administratif"]


def source_graph(number: str) -> str:
    """IRI of a source document, which is also the name of the graph holding what it states."""
    return f"{TID}source/{number}"


PREFIXES: dict[str, str] = {
    "ti": str(TI),
    "tid": str(TID),
    "src": f"{TID}source/",
    "graph": f"{TID}graph/",
    "programme": f"{TID}programme/",
    "phase": f"{TID}phase/",
    "territory": f"{TID}territory/",
    "epci": f"{TID}epci/",
    "commune": f"{TID}commune/",
    "dep": f"{TID}departement/",
    "reg": f"{TID}region/",
    "country": f"{TID}country/",
    "actor": f"{TID}actor/",
    "person": f"{TID}person/",
    "scheme": f"{TID}scheme/",
    "plan": f"{TID}plan/",
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "org": ORG,
    "schema": str(SCHEMA),
    "igeo": str(IGEO),
}
