"""A shape's constraint parameters in French words (`sh:minCount 1` → "obligatoire"), with the names they cite.

`Wording` reads one shapes graph (with rdflib: introspection of its triples, not SPARQL) and names the classes,
properties and values it meets from the ontology's labels; `kg.docs.shapes.reader` builds on it to read shapes.
Each family of constraint parameters has its own small method, called in the order a rule lists them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import rdflib
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Literal, Node, URIRef

from kg.docs.shapes.model import SEVERITY_LABELS, Term, Text, curie
from kg.sources.labels import LABEL_PROPERTIES, pick, primary_language

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

_RANGES = ((SH.minInclusive, "≥"), (SH.maxInclusive, "≤"), (SH.minExclusive, ">"), (SH.maxExclusive, "<"))
_COMPARISONS = (
    (SH.equals, "mêmes valeurs que"),
    (SH.disjoint, "aucune valeur commune avec"),
    (SH.lessThan, "inférieure à la valeur de"),
    (SH.lessThanOrEquals, "inférieure ou égale à la valeur de"),
)


def pick_text(literals: Iterable[Node]) -> Text | None:
    """French first, then untagged, then English, then anything."""
    values = [lit for lit in literals if isinstance(lit, Literal)]
    for wanted in ("fr", None, "en"):
        for lit in values:
            lang = primary_language(lit.language) or None
            if lang == wanted:
                return Text(str(lit), lit.language)
    return Text(str(values[0]), values[0].language) if values else None


class Wording:
    """Names, paths and requirements of one shapes graph, labelled from one ontology."""

    def __init__(self, shapes: rdflib.Graph, ontology: rdflib.Graph, prefixes: Mapping[str, str]) -> None:
        self.g = shapes
        self.onto = ontology
        self.prefixes = dict(prefixes)
        for decl in shapes.objects(None, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                self.prefixes.setdefault(str(prefix), str(namespace))

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
        return pick_text(self.g.objects(node, predicate))  # type: ignore[arg-type]

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
        out = self.counts(node, severity)
        for words in self._FAMILIES:
            out += words(self, node)
        return out

    def one(self, node: Node, predicate: URIRef) -> Node | None:
        return self.g.value(node, predicate)  # type: ignore[arg-type]

    def objects(self, node: Node, predicate: URIRef) -> Iterable[Node]:
        return self.g.objects(node, predicate)  # type: ignore[arg-type]

    def counts(self, node: Node, severity: str | None) -> list[str]:
        low, high = self.one(node, SH.minCount), self.one(node, SH.maxCount)
        return _counts(int(str(low)) if low is not None else 0, int(str(high)) if high is not None else None, severity)

    def value_kind(self, node: Node) -> list[str]:
        """sh:datatype, sh:class, sh:nodeKind."""
        out = []
        if (datatype := self.one(node, SH.datatype)) is not None:
            out.append(self.datatype(datatype))
        if (cls := self.one(node, SH["class"])) is not None:
            out.append(self.klass(cls))
        if (kind := self.one(node, SH.nodeKind)) is not None:
            out.append(NODE_KIND_LABELS.get(str(kind), f"de nature {self.value_text(kind)}"))
        return out

    def logic(self, node: Node) -> list[str]:
        """sh:or, sh:xone, sh:and, sh:not, sh:node: conditions made of other shapes."""
        out = []
        if (members := self.one(node, SH["or"])) is not None:
            out.append(self.alternatives(members, " ou "))
        if (members := self.one(node, SH.xone)) is not None:
            out.append("exactement une condition parmi : " + self.alternatives(members, " ; "))
        if (members := self.one(node, SH["and"])) is not None:
            out.append(" et ".join(self.describe(m) for m in self.items(members)))
        out += ["interdit : " + self.describe(negated) for negated in self.objects(node, SH["not"])]
        for other in self.objects(node, SH.node):
            shown = curie(str(other), self.prefixes) if isinstance(other, URIRef) else self.describe(other)
            out.append(f"conforme à la forme {shown}")
        return out

    def values(self, node: Node) -> list[str]:
        """sh:in, sh:hasValue, and the bounds sh:minInclusive and kin."""
        out = []
        if (values := self.one(node, SH["in"])) is not None:
            out.append("une valeur parmi : " + ", ".join(self.value_text(v) for v in self.items(values)))
        for value in self.objects(node, SH.hasValue):
            out.append("la valeur " + self.value_text(value) + self._label_suffix(value))
        for predicate, words in _RANGES:
            if (bound := self.one(node, predicate)) is not None:
                out.append(f"{words} {bound}")
        return out

    def strings(self, node: Node) -> list[str]:
        """sh:minLength, sh:maxLength, sh:pattern (with sh:flags), sh:languageIn, sh:uniqueLang."""
        out = []
        if (length := self.one(node, SH.minLength)) is not None:
            out.append(f"au moins {_characters(int(str(length)))}")
        if (length := self.one(node, SH.maxLength)) is not None:
            out.append(f"au plus {_characters(int(str(length)))}")
        for pattern in self.objects(node, SH.pattern):
            flags = self.one(node, SH.flags)
            out.append(f"conforme au motif {pattern}" + (f" (options {flags})" if flags else ""))
        if (languages := self.one(node, SH.languageIn)) is not None:
            codes = ", ".join(str(v) for v in self.items(languages))
            out.append(f"en langue : {codes}")
        if is_true(self.one(node, SH.uniqueLang)):
            out.append("au plus une valeur par langue")
        return out

    def comparisons(self, node: Node) -> list[str]:
        """sh:equals, sh:disjoint, sh:lessThan, sh:lessThanOrEquals."""
        return [
            f"{words} {self.path(other)}"
            for predicate, words in _COMPARISONS
            for other in self.objects(node, predicate)
        ]

    def qualified(self, node: Node) -> list[str]:
        """sh:qualifiedValueShape with its counts."""
        if (qualified := self.one(node, SH.qualifiedValueShape)) is None:
            return []
        out = []
        q_low, q_high = self.one(node, SH.qualifiedMinCount), self.one(node, SH.qualifiedMaxCount)
        what = self.describe(qualified)
        if q_low is not None:
            out.append(f"au moins {_values(int(str(q_low)))} {what}")
        if q_high is not None:
            out.append(f"au plus {_values(int(str(q_high)))} {what}")
        return out

    def closed(self, node: Node) -> list[str]:
        return ["aucune autre propriété que celles décrites"] if is_true(self.one(node, SH.closed)) else []

    _FAMILIES: tuple[Callable[[Wording, Node], list[str]], ...] = (
        value_kind,
        logic,
        values,
        strings,
        comparisons,
        qualified,
        closed,
    )

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


def is_true(value: Node | None) -> bool:
    return value is not None and value.toPython() is True  # type: ignore[attr-defined]


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
