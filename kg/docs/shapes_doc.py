"""The SHACL shapes in words, for data stewards who do not read SHACL.

The shapes graph is read with rdflib (introspection of its triples, not SPARQL) into a typed model: each
top-level shape with its targets and its rules; each rule with its severity (a violation is what a resource
*must* have: it stops `kg build` and rejects a write; a warning is what it *should* have), the property it
constrains, what it requires in French words, the message a report will show, and the shape a report names.
Labels of classes and properties come from the ontology. `/shapes` (api/steward_pages.py) and `kg shapes`
render this one model, so the page, the command and the validation reports never disagree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Literal, Node, URIRef

from kg.build.validate import load_graph_dir
from kg.errors import UsageError
from kg.sources.labels import LABEL_PROPERTIES, pick, sort_key
from kg.sources.namespaces import BASE, PREFIXES
from kg.sources.rdf_io import parse_files, rdf_files, to_rdflib_graph

SHAPES_NS = BASE + "shapes#"
DEFAULT_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "tish": SHAPES_NS,
    "cs": BASE + "id/concepts/",
    "unit": BASE + "id/unit/",
    "sh": str(SH),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
}
"""Prefixes for compact names; the shapes' own `sh:declare` prefixes are added when a graph is read."""

SEVERITIES = ("Violation", "Warning", "Info")
SEVERITY_LABELS = {"Violation": "obligatoire", "Warning": "recommandé", "Info": "pour information"}

DATATYPE_LABELS: dict[str, str] = {
    str(XSD.string): "texte sans langue",
    str(RDF.langString): "texte avec sa langue",
    str(XSD.integer): "nombre entier",
    str(XSD.decimal): "nombre décimal",
    str(XSD.double): "nombre",
    str(XSD.boolean): "booléen true ou false",
    str(XSD.date): "date AAAA-MM-JJ",
    str(XSD.dateTime): "date et heure",
    str(XSD.gYear): "année AAAA",
    str(XSD.gYearMonth): "mois AAAA-MM",
    str(XSD.duration): "durée comme P1Y",
    str(XSD.anyURI): "adresse URI",
}

NODE_KIND_LABELS: dict[str, str] = {
    str(SH.IRI): "une IRI (une ressource nommée)",
    str(SH.Literal): "un littéral (texte, nombre ou date)",
    str(SH.BlankNode): "un nœud anonyme",
    str(SH.BlankNodeOrIRI): "une ressource (IRI ou nœud anonyme)",
    str(SH.BlankNodeOrLiteral): "un nœud anonyme ou un littéral",
    str(SH.IRIOrLiteral): "une IRI ou un littéral",
}

CONSTRAINT_LABELS: dict[str, str] = {
    "ClassConstraintComponent": "classe de la valeur",
    "DatatypeConstraintComponent": "type de donnée",
    "NodeKindConstraintComponent": "nature de la valeur",
    "MinCountConstraintComponent": "nombre minimal de valeurs",
    "MaxCountConstraintComponent": "nombre maximal de valeurs",
    "MinInclusiveConstraintComponent": "valeur minimale",
    "MaxInclusiveConstraintComponent": "valeur maximale",
    "MinExclusiveConstraintComponent": "valeur minimale (exclue)",
    "MaxExclusiveConstraintComponent": "valeur maximale (exclue)",
    "MinLengthConstraintComponent": "longueur minimale",
    "MaxLengthConstraintComponent": "longueur maximale",
    "PatternConstraintComponent": "forme du texte",
    "LanguageInConstraintComponent": "langue",
    "UniqueLangConstraintComponent": "une valeur par langue",
    "EqualsConstraintComponent": "égalité entre propriétés",
    "DisjointConstraintComponent": "propriétés disjointes",
    "LessThanConstraintComponent": "comparaison entre propriétés",
    "LessThanOrEqualsConstraintComponent": "comparaison entre propriétés",
    "NotConstraintComponent": "condition interdite",
    "AndConstraintComponent": "conditions cumulées",
    "OrConstraintComponent": "conditions au choix",
    "XoneConstraintComponent": "une seule condition parmi plusieurs",
    "NodeConstraintComponent": "forme de la valeur",
    "QualifiedMinCountConstraintComponent": "nombre minimal de valeurs qualifiées",
    "QualifiedMaxCountConstraintComponent": "nombre maximal de valeurs qualifiées",
    "ClosedConstraintComponent": "propriétés autorisées",
    "HasValueConstraintComponent": "valeur attendue",
    "InConstraintComponent": "liste de valeurs",
    "SPARQLConstraintComponent": "règle SPARQL",
}

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
_LOCAL_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")


# --- names ----------------------------------------------------------------------------------------------------


def curie(iri: str, prefixes: Mapping[str, str] = DEFAULT_PREFIXES) -> str:
    """`ti:Phase` for an IRI under a known namespace (the longest that gives a clean local name), else `<iri>`."""
    best: tuple[int, str] | None = None
    for prefix, namespace in prefixes.items():
        fits = iri.startswith(namespace) and _LOCAL_NAME.match(iri[len(namespace) :])
        if fits and (best is None or len(namespace) > best[0]):
            best = (len(namespace), f"{prefix}:{iri[len(namespace) :]}")
    return best[1] if best else f"<{iri}>"


def anchor(iri: str) -> str:
    """The HTML id of a shape on the /shapes page: its local name (`PhaseShape`), so links read well.

    A pure function of the IRI, so a validation report links to `/shapes#…` without loading the shapes."""
    local = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    slug = _ANCHOR_UNSAFE.sub("-", local).strip("-")
    return slug or "forme-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:12]


def class_anchor(iri: str) -> str:
    """The HTML id of a class's section on the /shapes page."""
    return "classe-" + anchor(iri)


def is_iri(value: str | None) -> bool:
    """Whether a string of a validation report is an absolute IRI (not a blank node id or a literal)."""
    return bool(value and _ABSOLUTE_IRI.match(value))


def constraint_label(iri: str | None) -> str | None:
    """A constraint component in French words (`MinCountConstraintComponent` → nombre minimal de valeurs)."""
    if not iri:
        return None
    return CONSTRAINT_LABELS.get(iri.rsplit("#", 1)[-1])


# --- the model ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A class, property or value named in a rule: its IRI, compact name and French label when one is known."""

    iri: str
    curie: str
    label: str | None = None

    @property
    def display(self) -> str:
        return self.label or self.curie


@dataclass(frozen=True)
class Target:
    """What a shape applies to, in words; `term` is the class or property named, `select` a SPARQL target."""

    kind: str  # class, node, subjectsOf, objectsOf, sparql, other
    description: str
    term: Term | None = None
    select: str | None = None


def describe_targets(targets: Iterable[Target]) -> str:
    """The targets of a shape in one French sentence, several properties or classes of one kind together."""
    groups: dict[str, list[Target]] = {}
    for t in targets:
        groups.setdefault(t.kind, []).append(t)
    parts = []
    for kind, group in groups.items():
        names = ", ".join(t.term.curie for t in group if t.term is not None)
        if kind == "class" and len(group) > 1:
            parts.append("les ressources des classes " + names + " et de leurs sous-classes")
        elif kind == "subjectsOf" and len(group) > 1:
            parts.append("toute ressource qui utilise l'une des propriétés " + names)
        elif kind == "objectsOf" and len(group) > 1:
            parts.append("toute valeur de l'une des propriétés " + names)
        elif kind == "node" and len(group) > 1:
            parts.append("les ressources " + names)
        else:
            parts.extend(dict.fromkeys(t.description for t in group))
    return " ; ".join(parts)


@dataclass(frozen=True)
class Rule:
    """One thing a resource must (violation) or should (warning) have, as a report would name it."""

    severity: str
    requirements: tuple[str, ...]
    origin: str  # the top-level shape the rule belongs to
    shape: str | None  # the shape a validation report names (sh:sourceShape); None for a blank node
    path: str | None = None  # the property path, compact (ti:phaseOf, ^ti:hasPhase, ti:a/ti:b)
    predicate: Term | None = None  # the property when the path is a single one
    message: str | None = None
    name: str | None = None
    comment: str | None = None
    sparql: str | None = None

    @property
    def required(self) -> bool:
        return self.severity == "Violation"

    @property
    def link_shape(self) -> str:
        """The shape whose section on /shapes explains this rule."""
        return self.shape or self.origin


@dataclass(frozen=True)
class ShapeDoc:
    """A top-level shape: a node shape, or any shape with a target."""

    iri: str
    curie: str
    label: str | None
    comment: str | None
    message: str | None
    targets: tuple[Target, ...]
    rules: tuple[Rule, ...]
    deactivated: bool = False

    @property
    def anchor(self) -> str:
        return anchor(self.iri)

    @property
    def target_classes(self) -> tuple[Term, ...]:
        return tuple(t.term for t in self.targets if t.kind == "class" and t.term is not None)

    def by_severity(self, severity: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.severity == severity)


@dataclass(frozen=True)
class ClassDoc:
    """A class some shape targets, with what its instances (and those of its subclasses) must and should have."""

    term: Term
    comment: str | None
    shapes: tuple[ShapeDoc, ...]
    subclasses: tuple[Term, ...] = ()
    see_also: tuple[Term, ...] = ()  # targeted superclasses: their rules apply here too

    @property
    def anchor(self) -> str:
        return class_anchor(self.term.iri)

    def by_severity(self, severity: str) -> tuple[Rule, ...]:
        return tuple(r for s in self.shapes for r in s.rules if r.severity == severity)

    @property
    def required(self) -> tuple[Rule, ...]:
        return self.by_severity("Violation")

    @property
    def recommended(self) -> tuple[Rule, ...]:
        return self.by_severity("Warning")


@dataclass(frozen=True)
class ShapesDoc:
    """Everything the shapes require, by class and by shape."""

    title: str | None
    comment: str | None
    version: str | None
    shapes: tuple[ShapeDoc, ...]
    classes: tuple[ClassDoc, ...]
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PREFIXES))

    def shape(self, iri: str) -> ShapeDoc | None:
        return next((s for s in self.shapes if s.iri == iri), None)

    def for_class(self, iri: str) -> ClassDoc | None:
        return next((c for c in self.classes if c.term.iri == iri), None)

    @property
    def other_shapes(self) -> tuple[ShapeDoc, ...]:
        """Shapes that reach their focus nodes otherwise than by class (by property used, SPARQL, node)."""
        return tuple(s for s in self.shapes if not s.target_classes)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for s in self.shapes for r in s.rules)


# --- reading the graphs ---------------------------------------------------------------------------------------


class Text(str):
    """A string read from the shapes or the ontology that keeps its language tag (None when untagged)."""

    lang: str | None

    def __new__(cls, value: str, lang: str | None = None) -> Text:
        text = super().__new__(cls, value)
        text.lang = lang
        return text


def language(text: str | None) -> str | None:
    """The language tag of a `Text` (None for an untagged literal or a plain string)."""
    return getattr(text, "lang", None)


def _pick(literals: Iterable[Node]) -> Text | None:
    """French first, then untagged, then English, then anything."""
    values = [lit for lit in literals if isinstance(lit, Literal)]
    for wanted in ("fr", None, "en"):
        for lit in values:
            lang = (lit.language or "").split("-")[0].lower() or None
            if lang == wanted:
                return Text(str(lit), lit.language)
    return Text(str(values[0]), values[0].language) if values else None


class _Reader:
    """Turns the shapes graph into the model; one instance per build."""

    def __init__(self, shapes: rdflib.Graph, ontology: rdflib.Graph, prefixes: Mapping[str, str]) -> None:
        self.g = shapes
        self.onto = ontology
        self.prefixes = dict(prefixes)
        for decl in shapes.objects(None, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                self.prefixes.setdefault(str(prefix), str(namespace))

    # names
    def label(self, node: Node) -> str | None:
        """The term's name from the ontology, as the other pages name it; a standard term's built-in name."""
        candidates = (
            (str(o), o.language)
            for p in LABEL_PROPERTIES
            for o in sorted(self.onto.objects(node, URIRef(p)), key=str)  # type: ignore[arg-type]
            if isinstance(o, Literal)
        )
        label = pick(candidates).or_known(str(node))
        if label.fr:
            return Text(label.fr, "fr")
        return Text(label.en, "en") if label.en else None

    def term(self, node: Node) -> Term:
        if isinstance(node, URIRef):
            return Term(str(node), curie(str(node), self.prefixes), self.label(node))
        return Term(str(node), self.value_text(node))

    def value_text(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return curie(str(node), self.prefixes)
        if isinstance(node, Literal):
            if node.datatype and node.datatype != XSD.string:
                return f'"{node}"^^{curie(str(node.datatype), self.prefixes)}'
            return f'"{node}"@{node.language}' if node.language else f'"{node}"'
        return "[]"

    def text(self, node: Node, predicate: URIRef) -> str | None:
        return _pick(self.g.objects(node, predicate))  # type: ignore[arg-type]

    def severity(self, node: Node, default: str = "Violation") -> str:
        value = self.g.value(node, SH.severity)  # type: ignore[arg-type]
        return str(value).rsplit("#", 1)[-1] if value is not None else default

    def items(self, node: Node | None) -> list[Node]:
        return list(self.g.items(node)) if node is not None else []  # type: ignore[arg-type]

    # paths
    def path(self, node: Node) -> str:
        g = self.g
        if isinstance(node, URIRef):
            return curie(str(node), self.prefixes)
        if (inverse := g.value(node, SH.inversePath)) is not None:  # type: ignore[arg-type]
            return "^" + self.path(inverse)
        if (alternatives := g.value(node, SH.alternativePath)) is not None:  # type: ignore[arg-type]
            return "(" + "|".join(self.path(p) for p in self.items(alternatives)) + ")"
        for predicate, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
            if (inner := g.value(node, predicate)) is not None:  # type: ignore[arg-type]
                return self.path(inner) + suffix
        if (node, RDF.first, None) in g:
            return "/".join(self.path(p) for p in self.items(node))
        return "[]"

    # requirements
    def requirements(self, node: Node, severity: str | None) -> list[str]:
        """What the constraint parameters on `node` require, in French; `severity` None inside sh:or and kin."""
        g, out = self.g, []

        def one(p: URIRef) -> Node | None:
            return g.value(node, p)  # type: ignore[arg-type]

        low, high = one(SH.minCount), one(SH.maxCount)
        out += _counts(int(str(low)) if low is not None else 0, int(str(high)) if high is not None else None, severity)
        if (datatype := one(SH.datatype)) is not None:
            out.append(self.datatype(datatype))
        if (cls := one(SH["class"])) is not None:
            out.append(self.klass(cls))
        if (kind := one(SH.nodeKind)) is not None:
            out.append(NODE_KIND_LABELS.get(str(kind), f"de nature {self.value_text(kind)}"))
        if (members := one(SH["or"])) is not None:
            out.append(self.alternatives(members, " ou "))
        if (members := one(SH.xone)) is not None:
            out.append("exactement une condition parmi : " + self.alternatives(members, " ; "))
        if (members := one(SH["and"])) is not None:
            out.append(" et ".join(self.describe(m) for m in self.items(members)))
        for negated in g.objects(node, SH["not"]):  # type: ignore[arg-type]
            out.append("interdit : " + self.describe(negated))
        for other in g.objects(node, SH.node):  # type: ignore[arg-type]
            shown = curie(str(other), self.prefixes) if isinstance(other, URIRef) else self.describe(other)
            out.append(f"conforme à la forme {shown}")
        if (values := one(SH["in"])) is not None:
            out.append("une valeur parmi : " + ", ".join(self.value_text(v) for v in self.items(values)))
        for value in g.objects(node, SH.hasValue):  # type: ignore[arg-type]
            out.append("la valeur " + self.value_text(value) + self._label_suffix(value))
        for predicate, words in (
            (SH.minInclusive, "≥"),
            (SH.maxInclusive, "≤"),
            (SH.minExclusive, ">"),
            (SH.maxExclusive, "<"),
        ):
            if (bound := one(predicate)) is not None:
                out.append(f"{words} {bound}")
        if (length := one(SH.minLength)) is not None:
            out.append(f"au moins {_characters(int(str(length)))}")
        if (length := one(SH.maxLength)) is not None:
            out.append(f"au plus {_characters(int(str(length)))}")
        for pattern in g.objects(node, SH.pattern):  # type: ignore[arg-type]
            flags = one(SH.flags)
            out.append(f"conforme au motif {pattern}" + (f" (options {flags})" if flags else ""))
        if (languages := one(SH.languageIn)) is not None:
            codes = ", ".join(str(v) for v in self.items(languages))
            out.append(f"en langue : {codes}")
        if (unique := one(SH.uniqueLang)) is not None and unique.toPython() is True:  # type: ignore[attr-defined]
            out.append("au plus une valeur par langue")
        for predicate, words in (
            (SH.equals, "mêmes valeurs que"),
            (SH.disjoint, "aucune valeur commune avec"),
            (SH.lessThan, "inférieure à la valeur de"),
            (SH.lessThanOrEquals, "inférieure ou égale à la valeur de"),
        ):
            for other in g.objects(node, predicate):  # type: ignore[arg-type]
                out.append(f"{words} {self.path(other)}")
        if (qualified := one(SH.qualifiedValueShape)) is not None:
            q_low, q_high = one(SH.qualifiedMinCount), one(SH.qualifiedMaxCount)
            what = self.describe(qualified)
            if q_low is not None:
                out.append(f"au moins {_values(int(str(q_low)))} {what}")
            if q_high is not None:
                out.append(f"au plus {_values(int(str(q_high)))} {what}")
        if (closed := one(SH.closed)) is not None and closed.toPython() is True:  # type: ignore[attr-defined]
            out.append("aucune autre propriété que celles décrites")
        return out

    def datatype(self, node: Node) -> str:
        name = curie(str(node), self.prefixes)
        words = DATATYPE_LABELS.get(str(node))
        return f"{words} ({name})" if words else f"de type {name}"

    def klass(self, node: Node) -> str:
        name = curie(str(node), self.prefixes)
        label = self.label(node)
        return f"une ressource de type « {label} » ({name})" if label else f"une ressource de type {name}"

    def _label_suffix(self, node: Node) -> str:
        label = self.label(node) if isinstance(node, URIRef) else None
        return f" (« {label} »)" if label else ""

    def describe(self, node: Node) -> str:
        """A nested shape (inside sh:or, sh:not…) in words, with its path when it has one."""
        words = ", ".join(self.requirements(node, None)) or "(aucune condition)"
        path = self.g.value(node, SH.path)  # type: ignore[arg-type]
        return f"{self.path(path)} : {words}" if path is not None else words

    def alternatives(self, members: Node, joiner: str) -> str:
        parts = [self.describe(m) for m in self.items(members)]
        prefix = "une ressource de type "
        if len(parts) > 1 and all(p.startswith(prefix) for p in parts):  # one class among several
            return prefix + "au choix : " + ", ".join(p.removeprefix(prefix) for p in parts)
        return joiner.join(f"({p})" if len(parts) > 1 and re.search(r" : |, |;", p) else p for p in parts)

    # shapes
    def is_active(self, node: Node) -> bool:
        value = self.g.value(node, SH.deactivated)  # type: ignore[arg-type]
        return not (value is not None and value.toPython() is True)  # type: ignore[attr-defined]

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


def _characters(n: int) -> str:
    return "1 caractère" if n == 1 else f"{n} caractères"


def _values(n: int) -> str:
    return "une valeur" if n == 1 else f"{n} valeurs"


def _counts(low: int, high: int | None, severity: str | None) -> list[str]:
    """minCount / maxCount in words; a minimum of one is "obligatoire" for a violation, "recommandé" for a warning."""
    if low == 1 and severity is not None:
        presence = "obligatoire" if severity == "Violation" else SEVERITY_LABELS.get(severity, "attendu")
        if high == 1:
            return [f"{presence}, une seule valeur"]
        return [presence] + ([f"au plus {_values(high)}"] if high is not None else [])
    if high == 0:
        return ["interdite (aucune valeur)"]
    if low and high is not None:
        return [f"exactement {_values(low)}" if low == high else f"entre {low} et {high} valeurs"]
    if low:
        return [f"au moins {_values(low)}"]
    if high is not None:
        return [f"au plus {_values(high)}"]
    return []


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
                comment=_pick(ontology.objects(node, RDFS.comment)),
                shapes=tuple(on),
                subclasses=_terms(reader, subclasses - {node}),
                see_also=_terms(reader, {s for s in supers - {node} if str(s) in targeted}),
            )
        )
    classes.sort(key=lambda c: (sort_key(c.term.display), c.term.iri))

    header = next((s for s in shapes.subjects(RDF.type, OWL.Ontology)), None)
    return ShapesDoc(
        title=reader.text(header, RDFS.label) if header is not None else None,
        comment=reader.text(header, RDFS.comment) if header is not None else None,
        version=reader.text(header, OWL.versionInfo) if header is not None else None,
        shapes=docs,
        classes=tuple(classes),
        prefixes=reader.prefixes,
    )


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


# --- Markdown and plain text (`kg shapes`) --------------------------------------------------------------------

FORMATS = ("markdown", "text")


def render(doc: ShapesDoc, fmt: str = "markdown") -> str:
    """The model as Markdown or plain text: by class what it must and should have, then the other rules."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})")
    md = fmt == "markdown"

    def heading(level: int, text: str) -> list[str]:
        if md:
            return ["#" * level + " " + text, ""]
        return [text, ("=" if level == 1 else "-" if level == 2 else "~") * len(text), ""]

    def code(text: str) -> str:
        return f"`{text}`" if md else text

    def rule_line(rule: Rule) -> str:
        if rule.predicate is not None and rule.predicate.label:
            subject = f"{rule.predicate.label} ({code(rule.predicate.curie)})"
        else:
            subject = code(rule.path) if rule.path else "la ressource elle-même"
        line = f"- {subject} : {' ; '.join(rule.requirements)}"
        if rule.message:
            line += f" — « {rule.message} »"
        return line + f" [{code(curie(rule.link_shape, doc.prefixes))}]"

    def rules_block(title: str, rules: tuple[Rule, ...]) -> list[str]:
        if not rules:
            return []
        return [f"**{title}**" if md else title + " :", "", *(rule_line(r) for r in rules), ""]

    title = "Règles de validation des données" + (f" — {doc.title}" if doc.title else "")
    out = heading(1, title + (f" (version {doc.version})" if doc.version else ""))
    out += [
        "Ce qu'une ressource DOIT avoir est une violation si elle manque : `kg build` s'arrête et l'écriture est "
        "refusée. Ce qu'elle DEVRAIT avoir est un avertissement : accepté, mais signalé.",
        "",
    ]
    out += heading(2, "Par classe")
    for cls in doc.classes:
        out += heading(3, f"{cls.term.display} ({code(cls.term.curie)})")
        if cls.subclasses:
            out += ["S'applique aussi à : " + ", ".join(t.display for t in cls.subclasses) + ".", ""]
        if cls.see_also:
            out += ["Voir aussi les règles de : " + ", ".join(t.display for t in cls.see_also) + ".", ""]
        out += rules_block("Doit avoir", cls.required)
        out += rules_block("Devrait avoir", cls.recommended)
        out += rules_block("Pour information", cls.by_severity("Info"))
    out += heading(2, "Règles selon d'autres cibles")
    for shape in doc.other_shapes:
        out += heading(3, f"{shape.label or shape.curie} ({code(shape.curie)})")
        if shape.targets:
            out += ["S'applique à : " + describe_targets(shape.targets) + ".", ""]
        if shape.comment:
            out += [shape.comment, ""]
        out += rules_block("Doit avoir", shape.by_severity("Violation"))
        out += rules_block("Devrait avoir", shape.by_severity("Warning"))
        out += rules_block("Pour information", shape.by_severity("Info"))
    return "\n".join(out).rstrip() + "\n"
