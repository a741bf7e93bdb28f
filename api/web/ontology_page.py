"""The ontology's documentation page (templates/ontology.html), from `kg.docs.ontology.OntologyDoc`: header,
contents, the class tree, classes, properties by kind, controlled vocabularies.

Each term's anchor is its local name, so the IRI `…/ontology#Phase` lands on `ti:Phase`. This module only
shapes the tree and the sections; the HTML is the template's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.docs.ontology import Entry, OntologyDoc

from ..web.templating import render

PROPERTY_SECTIONS = (
    ("object", "proprietes-objet", "Propriétés d'objet", "relient une ressource à une autre"),
    ("datatype", "proprietes-donnees", "Propriétés de données", "donnent une valeur : texte, nombre, date"),
    ("annotation", "proprietes-annotation", "Propriétés d'annotation", "documentent les ressources"),
)
# (relation key, French name) in display order, for classes and for properties
CLASS_RELATIONS = (
    ("superclasses", "Sous-classe de"),
    ("subclasses", "Sous-classes"),
    ("equivalent", "Classe équivalente"),
    ("domain_of", "Domaine des propriétés"),
    ("range_of", "Codomaine des propriétés"),
)
PROPERTY_RELATIONS = (
    ("domain", "Domaine"),
    ("range", "Codomaine"),
    ("superproperties", "Sous-propriété de"),
    ("subproperties", "Sous-propriétés"),
    ("inverse", "Inverse"),
    ("equivalent", "Propriété équivalente"),
)
DOWNLOADS = (("turtle", "Turtle (source)"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"))


@dataclass
class Node:
    """A class in the hierarchy, with the documented classes under it."""

    iri: str
    children: list[Node] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """The properties of one kind: their heading's anchor and title, what they do, their entries."""

    anchor: str
    title: str
    what: str
    entries: tuple[Entry, ...]


def tree(hierarchy: tuple[tuple[str, int], ...]) -> list[Node]:
    """The (IRI, depth) pairs of `OntologyDoc.hierarchy`, in tree order, as nested nodes (the roots)."""
    roots: list[Node] = []
    path: list[Node] = []  # the last node seen at each depth
    for iri, depth in hierarchy:
        node = Node(iri)
        del path[depth:]
        (path[-1].children if path else roots).append(node)
        path.append(node)
    return roots


def ontology_page(doc: OntologyDoc) -> str:
    """The documentation page: header, contents, classes, properties by kind, controlled vocabularies."""
    sections = [
        Section(anchor, title, what, entries)
        for kind, anchor, title, what in PROPERTY_SECTIONS
        if (entries := doc.properties.get(kind, ()))
    ]
    return render(
        "ontology.html",
        doc=doc,
        tree=tree(doc.hierarchy),
        sections=sections,
        downloads=DOWNLOADS,
        class_relations=CLASS_RELATIONS,
        property_relations=PROPERTY_RELATIONS,
    )
