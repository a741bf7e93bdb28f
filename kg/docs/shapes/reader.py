"""Reading the SHACL shapes graph into the model (`kg.docs.shapes.model`), for data stewards who do not read SHACL.

The shapes are read with rdflib (introspection of their triples, not SPARQL): every top-level shape with its
targets and its rules, each rule with what it requires in words (`kg.docs.shapes.requirements`); labels of
classes and properties come from the ontology.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node, URIRef

from kg.docs.shapes.model import DEFAULT_PREFIXES, SEVERITIES, ClassDoc, Rule, ShapeDoc, ShapesDoc, Target, Term, curie
from kg.docs.shapes.requirements import Wording, is_true, pick_text
from kg.ingest.validate import load_graph_dir
from kg.sources.labels import sort_key
from kg.sources.rdf_io import parse_files, rdf_files, to_rdflib_graph

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)


class _Reader(Wording):
    """Turns the shapes graph into the model; one instance per build."""

    def severity(self, node: Node, default: str = "Violation") -> str:
        value = self.g.value(node, SH.severity)  # type: ignore[arg-type]
        return str(value).rsplit("#", 1)[-1] if value is not None else default

    # shapes
    def is_active(self, node: Node) -> bool:
        return not is_true(self.one(node, SH.deactivated))

    def sparql_rules(self, node: Node, origin: str, severity: str, path: Node | None) -> list[Rule]:
        """One rule per SPARQL constraint, named after its shape (its comment says how it decides)."""
        out = []
        what = self.text(node, RDFS.label) or self.text(node, SH.name)
        for constraint in self.g.objects(node, SH.sparql):  # type: ignore[arg-type]
            if not self.is_active(constraint):
                continue
            comment = self.text(constraint, RDFS.comment)
            out.append(
                Rule(
                    severity=self.severity(constraint, severity),
                    requirements=("règle SPARQL" + (f" : {what}" if what else ""),),
                    origin=origin,
                    shape=str(node) if isinstance(node, URIRef) else None,
                    path=self.path(path) if path is not None else None,
                    predicate=self.term(path) if isinstance(path, URIRef) else None,
                    message=self.text(constraint, SH.message) or self.text(node, SH.message),
                    comment=comment,
                    sparql=_dedent(str(self.g.value(constraint, SH.select) or "")) or None,  # type: ignore[arg-type]
                )
            )
        return out

    def property_rules(self, prop: Node, origin: str) -> list[Rule]:
        if not self.is_active(prop):
            return []
        severity = self.severity(prop)
        path = self.g.value(prop, SH.path)  # type: ignore[arg-type]
        rules = []
        requirements = self.requirements(prop, severity)
        if requirements:
            rules.append(
                Rule(
                    severity=severity,
                    requirements=tuple(requirements),
                    origin=origin,
                    shape=str(prop) if isinstance(prop, URIRef) else None,
                    path=self.path(path) if path is not None else None,
                    predicate=self.term(path) if isinstance(path, URIRef) else None,
                    message=self.text(prop, SH.message),
                    name=self.text(prop, SH.name),
                    comment=self.text(prop, RDFS.comment),
                )
            )
        return rules + self.sparql_rules(prop, origin, severity, path)

    def targets(self, node: Node) -> tuple[Target, ...]:
        g, out = self.g, []
        for cls in sorted(g.objects(node, SH.targetClass), key=str):  # type: ignore[arg-type]
            t = self.term(cls)
            out.append(Target("class", f"les ressources de type « {t.display} » ({t.curie}) et de ses sous-classes", t))
        if (node, RDF.type, RDFS.Class) in g or (node, RDF.type, OWL.Class) in g:  # implicit class target
            t = self.term(node)
            out.append(Target("class", f"les ressources de type « {t.display} » ({t.curie})", t))
        for focus in sorted(g.objects(node, SH.targetNode), key=str):  # type: ignore[arg-type]
            out.append(Target("node", f"la ressource {self.value_text(focus)}", self.term(focus)))
        for prop in sorted(g.objects(node, SH.targetSubjectsOf), key=str):  # type: ignore[arg-type]
            t = self.term(prop)
            out.append(Target("subjectsOf", f"toute ressource qui a une propriété {t.curie}", t))
        for prop in sorted(g.objects(node, SH.targetObjectsOf), key=str):  # type: ignore[arg-type]
            t = self.term(prop)
            out.append(Target("objectsOf", f"toute valeur de la propriété {t.curie}", t))
        for target in g.objects(node, SH.target):  # type: ignore[arg-type]
            select = g.value(target, SH.select)
            if select is not None:
                out.append(
                    Target("sparql", "les ressources qu'une requête SPARQL sélectionne", select=_dedent(str(select)))
                )
            else:
                out.append(Target("other", "une cible définie par une extension de SHACL"))
        return tuple(out)

    def shape(self, node: URIRef) -> ShapeDoc:
        g, origin = self.g, str(node)
        severity = self.severity(node)
        rules: list[Rule] = []
        active = self.is_active(node)
        if active:
            if (node, SH.path, None) in g:  # a property shape with its own targets
                rules += self.property_rules(node, origin)
            else:
                own = self.requirements(node, severity)
                if own:
                    rules.append(Rule(severity, tuple(own), origin, origin, message=self.text(node, SH.message)))
                rules += self.sparql_rules(node, origin, severity, None)
            for prop in g.objects(node, SH.property):
                rules += self.property_rules(prop, origin)
        return ShapeDoc(
            iri=origin,
            curie=curie(origin, self.prefixes),
            label=self.text(node, RDFS.label) or self.text(node, SH.name),
            comment=self.text(node, RDFS.comment),
            message=self.text(node, SH.message),
            targets=self.targets(node),
            rules=tuple(sorted(rules, key=_rule_order)),
            deactivated=not active,
        )


def _rule_order(rule: Rule) -> tuple[int, int, str]:
    return (SEVERITIES.index(rule.severity) if rule.severity in SEVERITIES else 3, rule.path is None, rule.path or "")


def _dedent(text: str) -> str:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents, default=0)
    return "\n".join([lines[0].strip(), *(line[cut:] for line in lines[1:])]) if lines else ""


def top_level_shapes(shapes: rdflib.Graph) -> list[URIRef]:
    """Named node shapes, and named shapes of any kind that have a target."""
    found = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    for predicate in _TARGETS:
        found |= {s for s in shapes.subjects(predicate, None) if isinstance(s, URIRef)}
    return sorted(found, key=str)


def build(
    shapes: rdflib.Graph,
    ontology: rdflib.Graph,
    *,
    order: Mapping[str, int] | None = None,
    prefixes: Mapping[str, str] = DEFAULT_PREFIXES,
) -> ShapesDoc:
    """The model of a shapes graph, with labels from the ontology; `order` sorts shapes (file order)."""
    reader = _Reader(shapes, ontology, prefixes)
    rank = order or {}
    nodes = sorted(top_level_shapes(shapes), key=lambda n: (rank.get(str(n), len(rank)), str(n)))
    docs = tuple(reader.shape(n) for n in nodes)
    header = next((s for s in shapes.subjects(RDF.type, OWL.Ontology)), None)
    return ShapesDoc(
        title=reader.text(header, RDFS.label) if header is not None else None,
        comment=reader.text(header, RDFS.comment) if header is not None else None,
        version=reader.text(header, OWL.versionInfo) if header is not None else None,
        shapes=docs,
        classes=_classes(reader, ontology, docs),
        prefixes=reader.prefixes,
    )


def _classes(reader: _Reader, ontology: rdflib.Graph, docs: tuple[ShapeDoc, ...]) -> tuple[ClassDoc, ...]:
    """Every class some shape targets, with its shapes, its subclasses and its targeted superclasses."""
    targeted: dict[str, list[ShapeDoc]] = {}
    for doc in docs:
        for term in doc.target_classes:
            targeted.setdefault(term.iri, []).append(doc)
    classes = []
    for iri, on in targeted.items():
        node = URIRef(iri)
        subclasses = {s for s in ontology.transitive_subjects(RDFS.subClassOf, node) if isinstance(s, URIRef)}
        supers = {s for s in ontology.transitive_objects(node, RDFS.subClassOf) if isinstance(s, URIRef)}
        classes.append(
            ClassDoc(
                term=reader.term(node),
                comment=pick_text(ontology.objects(node, RDFS.comment)),
                shapes=tuple(on),
                subclasses=_terms(reader, subclasses - {node}),
                see_also=_terms(reader, {s for s in supers - {node} if str(s) in targeted}),
            )
        )
    return tuple(sorted(classes, key=lambda c: (sort_key(c.term.display), c.term.iri)))


def _terms(reader: _Reader, nodes: Iterable[Node]) -> tuple[Term, ...]:
    return tuple(sorted((reader.term(n) for n in nodes), key=lambda t: (sort_key(t.display), t.iri)))


def load(shapes_dir: Path, ontology_dir: Path) -> ShapesDoc:
    """The model of the shapes in `shapes_dir`, in the order of the files, labelled from `ontology_dir`."""
    quads = parse_files(rdf_files(shapes_dir))
    order: dict[str, int] = {}
    for index, quad in enumerate(quads):
        if isinstance(quad.subject, ox.NamedNode):
            order.setdefault(quad.subject.value, index)
    return build(to_rdflib_graph(quads), load_graph_dir(ontology_dir), order=order)


def source(shapes_dir: Path) -> bytes:
    """The shapes as Turtle: the file itself when there is one Turtle file, else the merged graph serialised."""
    files = rdf_files(shapes_dir)
    if len(files) == 1 and files[0].suffix.lower() == ".ttl":
        return files[0].read_bytes()
    graph = to_rdflib_graph(parse_files(files))  # `_:b0` of two files: two nodes
    for prefix, namespace in DEFAULT_PREFIXES.items():
        graph.bind(prefix, namespace, override=False)
    return graph.serialize(format="turtle", encoding="utf-8")
