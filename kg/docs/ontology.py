"""The ontology as documentation: its header, classes, properties and controlled vocabularies, read from
`ontology/*.ttl`, in the shape a documentation page needs (labels in French and English, comments,
hierarchy, domains and ranges both ways, each vocabulary's concepts).

Reading is plain graph traversal with rdflib (no SPARQL): the ontology is a small, local file set. The
API renders this as `/ontology`; the anchors are the terms' local names, so `…/ontology#Phase` lands on
the entry of `ti:Phase`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.sources.labels import LABEL_PROPERTIES, Label, pick, sort_key
from kg.sources.namespaces import ONTOLOGY_IRI, TI
from kg.sources.rdf_io import parse_files, to_rdflib_graph

VANN = "http://purl.org/vocab/vann/"
LABEL_NODES = tuple(URIRef(p) for p in LABEL_PROPERTIES)
KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.Class, "class"),
    (OWL.ObjectProperty, "object"),
    (OWL.DatatypeProperty, "datatype"),
    (OWL.AnnotationProperty, "annotation"),
)
CHARACTERISTICS: dict[URIRef, tuple[str, str]] = {
    OWL.FunctionalProperty: ("fonctionnelle", "functional"),
    OWL.InverseFunctionalProperty: ("fonctionnelle inverse", "inverse functional"),
    OWL.TransitiveProperty: ("transitive", "transitive"),
    OWL.SymmetricProperty: ("symétrique", "symmetric"),
}


@dataclass(frozen=True)
class Entry:
    """One documented term: a class, a property, a vocabulary or one of its concepts."""

    iri: str
    anchor: str
    kind: str  # class, object, datatype, annotation, scheme, concept
    label: Label
    comment: Label
    relations: tuple[tuple[str, tuple[str, ...]], ...] = ()  # relation key → IRIs, in display order
    characteristics: tuple[str, ...] = ()  # French names (functional…)
    notation: str | None = None
    members: tuple[Entry, ...] = ()  # a vocabulary's concepts

    def related(self, key: str) -> tuple[str, ...]:
        return dict(self.relations).get(key, ())


@dataclass(frozen=True)
class OntologyDoc:
    """The whole documentation: header fields, terms by kind, and a label for every IRI it names."""

    iri: str
    title: Label
    comment: Label
    description: Label
    version: str | None
    version_iri: str | None
    licence: str | None
    created: str | None
    creators: tuple[str, ...]
    prefix: str | None
    namespace: str | None
    classes: tuple[Entry, ...]
    properties: dict[str, tuple[Entry, ...]]  # object, datatype, annotation
    schemes: tuple[Entry, ...]
    labels: dict[str, Label] = field(default_factory=dict)
    hierarchy: tuple[tuple[str, int], ...] = ()  # (class IRI, depth) in tree order, for a table of contents
    anchors: dict[str, str] = field(default_factory=dict)  # IRI → anchor of the terms documented on the page


def _label(g: Graph, s: URIRef, *predicates: URIRef) -> Label:
    """The French and English values, the first predicate preferred (sorted, so the choice is stable)."""
    return pick(
        (str(o), o.language)
        for p in predicates
        for o in sorted((o for o in g.objects(s, p) if isinstance(o, Literal)), key=str)
    )


def _iris(nodes: Iterable[object]) -> tuple[str, ...]:
    return tuple(sorted({str(n) for n in nodes if isinstance(n, URIRef)}))


def _anchor(iri: str) -> str:
    """The local name of an ontology term; `scheme-…` for a vocabulary (whose IRI is under /id/concepts/)."""
    if iri.startswith(str(TI)):
        return iri[len(str(TI)) :]
    return "scheme-" + iri.rstrip("/").rsplit("/", 1)[-1]


def _sort_key(e: Entry) -> str:
    """Alphabetical order of the French name, accents ignored."""
    return sort_key(e.label.text or e.anchor)


def _class(g: Graph, c: URIRef) -> Entry:
    props_with = {
        key: _iris(p for p in g.subjects(pred, c) if isinstance(p, URIRef))
        for key, pred in (("domain_of", RDFS.domain), ("range_of", RDFS.range))
    }
    relations = (
        ("superclasses", _iris(g.objects(c, RDFS.subClassOf))),
        ("subclasses", _iris(g.subjects(RDFS.subClassOf, c))),
        ("equivalent", _iris(g.objects(c, OWL.equivalentClass))),
        ("domain_of", props_with["domain_of"]),
        ("range_of", props_with["range_of"]),
    )
    return Entry(str(c), _anchor(str(c)), "class", _label(g, c, RDFS.label), _label(g, c, RDFS.comment), relations)


def _property(g: Graph, p: URIRef, kind: str) -> Entry:
    inverse = {*g.objects(p, OWL.inverseOf), *g.subjects(OWL.inverseOf, p)}
    relations = (
        ("domain", _iris(g.objects(p, RDFS.domain))),
        ("range", _iris(g.objects(p, RDFS.range))),
        ("superproperties", _iris(g.objects(p, RDFS.subPropertyOf))),
        ("subproperties", _iris(g.subjects(RDFS.subPropertyOf, p))),
        ("inverse", _iris(inverse)),
        ("equivalent", _iris(g.objects(p, OWL.equivalentProperty))),
    )
    characteristics = tuple(fr for t, (fr, _) in CHARACTERISTICS.items() if (p, RDF.type, t) in g)
    return Entry(
        str(p), _anchor(str(p)), kind, _label(g, p, RDFS.label), _label(g, p, RDFS.comment), relations, characteristics
    )


def _scheme(g: Graph, s: URIRef) -> Entry:
    members = tuple(
        sorted(
            (
                Entry(
                    str(m),
                    "",
                    "concept",
                    _label(g, m, *LABEL_NODES),
                    _label(g, m, SKOS.definition, RDFS.comment),
                    (("types", _iris(g.objects(m, RDF.type))),),
                    notation=next((str(n) for n in g.objects(m, SKOS.notation)), None),
                )
                for m in g.subjects(SKOS.inScheme, s)
                if isinstance(m, URIRef)
            ),
            key=lambda e: (e.notation or "", _sort_key(e)),
        )
    )
    return Entry(
        str(s),
        _anchor(str(s)),
        "scheme",
        _label(g, s, *LABEL_NODES),
        _label(g, s, RDFS.comment, SKOS.definition),
        members=members,
    )


def _hierarchy(classes: tuple[Entry, ...]) -> tuple[tuple[str, int], ...]:
    """The documented classes as a tree (a class under each documented superclass), roots first by label."""
    documented = {e.iri: e for e in classes}
    children: dict[str, list[Entry]] = {}
    roots: list[Entry] = []
    for e in classes:
        parents = [p for p in e.related("superclasses") if p in documented]
        for p in parents:
            children.setdefault(p, []).append(e)
        if not parents:
            roots.append(e)
    out: list[tuple[str, int]] = []

    def walk(e: Entry, depth: int, path: frozenset[str]) -> None:
        out.append((e.iri, depth))
        for child in sorted(children.get(e.iri, []), key=_sort_key):
            if child.iri not in path:
                walk(child, depth + 1, path | {child.iri})

    for root in sorted(roots, key=_sort_key):
        walk(root, 0, frozenset({root.iri}))
    return tuple(out)


def document(g: Graph, ontology_iri: str = ONTOLOGY_IRI) -> OntologyDoc:
    """The documentation of the ontology `ontology_iri` in graph `g`: only the terms it defines are entries."""
    onto = URIRef(ontology_iri)

    def defined(kind: URIRef) -> list[URIRef]:
        """The terms of that kind the ontology defines (ours, or declared `rdfs:isDefinedBy` it)."""
        return [
            s
            for s in set(g.subjects(RDF.type, kind))
            if isinstance(s, URIRef) and ((s, RDFS.isDefinedBy, onto) in g or str(s).startswith(str(TI)))
        ]

    classes = tuple(sorted((_class(g, c) for c in defined(OWL.Class)), key=_sort_key))
    properties = {
        kind: tuple(sorted((_property(g, p, kind) for p in defined(t)), key=_sort_key)) for t, kind in KINDS[1:]
    }
    schemes = tuple(
        sorted(
            (_scheme(g, s) for s in set(g.subjects(RDF.type, SKOS.ConceptScheme)) if isinstance(s, URIRef)),
            key=_sort_key,
        )
    )
    labels = {str(s): _label(g, s, *LABEL_NODES) for s in set(g.subjects()) if isinstance(s, URIRef)}
    anchors = {e.iri: e.anchor for e in (*classes, *(e for es in properties.values() for e in es), *schemes)}
    return OntologyDoc(
        iri=ontology_iri,
        title=_label(g, onto, RDFS.label, DCTERMS.title),
        comment=_label(g, onto, RDFS.comment),
        description=_label(g, onto, DCTERMS.description),
        version=next((str(v) for v in g.objects(onto, OWL.versionInfo)), None),
        version_iri=next((str(v) for v in g.objects(onto, OWL.versionIRI)), None),
        licence=next((str(v) for v in g.objects(onto, DCTERMS.license)), None),
        created=next((str(v) for v in g.objects(onto, DCTERMS.created)), None),
        creators=tuple(sorted(str(v) for v in g.objects(onto, DCTERMS.creator))),
        prefix=next((str(v) for v in g.objects(onto, URIRef(VANN + "preferredNamespacePrefix"))), None),
        namespace=next((str(v) for v in g.objects(onto, URIRef(VANN + "preferredNamespaceUri"))), None),
        classes=classes,
        properties=properties,
        schemes=schemes,
        labels=labels,
        hierarchy=_hierarchy(classes),
        anchors=anchors,
    )


def load(paths: Iterable[Path]) -> Graph:
    """The ontology files as one rdflib graph (parsed strictly by pyoxigraph, with positions on error; the blank
    nodes of each file kept apart)."""
    return to_rdflib_graph(parse_files(paths))
