"""The typed model of the shapes in words, and the pure functions on names that pages and reports share.

Each top-level shape has its targets and its rules; each rule its severity (a violation is what a resource
*must* have: it stops `kg build` and rejects a write; a warning is what it *should* have), the property it
constrains, what it requires in French words, the message a report will show, and the shape a report names.
`kg.docs.shapes.reader` builds the model from the shapes graph; `/shapes` (api) and `kg shapes`
(`kg.docs.shapes.render`) render it, so the page, the command and the validation reports never disagree.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rdflib.namespace import SH

from kg.sources.namespaces import BASE, PREFIXES

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


# --- texts with their language --------------------------------------------------------------------------------


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
