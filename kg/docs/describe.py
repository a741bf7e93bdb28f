"""What the graph says about one resource, and which documents say it: the resource pages and `kg describe`.

A resource is described by the statements where it is the subject ("outgoing") or the object ("incoming"),
each with the named graphs that state it — its sources — from the canned query `resource-facts`. RDF
clients get the same statements as a graph (`graph_query`, a CONSTRUCT). An IRI the graph only uses as a
property has no statements but is known all the same (`usage_query`), and `uses_query` lists those uses. Every query takes the IRI as a typed
term bound by `kg.queries` (a VALUES block), never pasted into the text.

The functions take a `Queryable` (kg.store.interface), so the API runs them through its worker pool and the
CLI on the store it opened, with the same code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kg import queries
from kg.errors import BadParameter, UnknownResource
from kg.queries import CannedQuery, Param
from kg.sources.labels import LABEL_PROPERTIES, Label, pick
from kg.sources.namespaces import PREFIXES, RDF, XSD
from kg.store.interface import Queryable, Term

RDF_TYPE = RDF + "type"
LABELS = LABEL_PROPERTIES  # the resource's own name, preferred first
FACTS_QUERY = "resource-facts"

_RESOURCE = Param("resource", "iri", required=True, description="The resource described.")
_GRAPH = CannedQuery(
    "resource-graph",
    "CONSTRUCT { ?resource ?property ?value . ?subject ?inverse ?resource . }\n"
    "WHERE { { ?resource ?property ?value } UNION { ?subject ?inverse ?resource } }\n",
    params=(_RESOURCE,),
)
_USAGE = CannedQuery("resource-usage", "ASK WHERE { ?subject ?resource ?object }\n", params=(_RESOURCE,))
_USES = CannedQuery(
    "resource-uses",
    "SELECT ?subject ?object ?graph WHERE { GRAPH ?graph { ?subject ?resource ?object } }\nLIMIT 200\n",
    params=(_RESOURCE,),
)

# Prefixes for display beyond the project's own (vocabularies the ontology reuses).
DISPLAY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
}


@dataclass(frozen=True)
class Source:
    """A named graph that states a fact: a source document, the editorial graph, a dataset or the ontology."""

    graph: str
    title: str | None = None


@dataclass(frozen=True)
class Fact:
    """One statement about the resource: the property, the other end, and the graphs that state it."""

    property: str
    property_label: Label
    value: Term  # the object of an outgoing statement, the subject of an incoming one
    value_label: Label
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Description:
    """Everything the graph says about one IRI."""

    iri: str
    outgoing: tuple[Fact, ...] = ()
    incoming: tuple[Fact, ...] = ()
    used_as_property: bool = False
    truncated: bool = False  # the store cut the facts at its row limit

    @property
    def known(self) -> bool:
        return bool(self.outgoing or self.incoming or self.used_as_property)

    @property
    def label(self) -> Label:
        """Its own name: the preferred label in each language, else any label; empty when it has none."""
        return pick(
            (f.value.value, f.value.lang)
            for prop in LABELS  # the preferred property first
            for f in self.outgoing
            if f.property == prop and f.value.kind == "literal"
        )

    @property
    def types(self) -> tuple[Fact, ...]:
        return tuple(f for f in self.outgoing if f.property == RDF_TYPE)

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every graph that states something about it, once each, in IRI order."""
        seen: dict[str, Source] = {}
        for f in (*self.outgoing, *self.incoming):
            for s in f.sources:
                if s.graph not in seen or (seen[s.graph].title is None and s.title):
                    seen[s.graph] = s
        return tuple(seen[g] for g in sorted(seen))


# --- queries -----------------------------------------------------------------------------------------------


def parse_iri(text: str | None, name: str = "iri") -> str:
    """An absolute IRI from what a person typed: an IRI, <an IRI>, or a prefixed name such as `ti:Phase`.

    `BadParameter` naming `name` when it is empty or not an IRI.
    """
    value = (text or "").strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    if not value:
        raise BadParameter(name, "give the IRI of a resource")
    prefix, sep, local = value.partition(":")
    if sep and prefix in DISPLAY_PREFIXES and not local.startswith("//"):
        value = DISPLAY_PREFIXES[prefix] + local
    Param(name, "iri").term(value)  # BadParameter unless it is an absolute IRI
    return value


def is_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI, as the queries below take it (`/id/a%20b` names no IRI at all)."""
    try:
        _RESOURCE.term(text)
    except BadParameter:
        return False
    return True


def facts_query(iri: str) -> str:
    """The canned `resource-facts` query for this IRI: statements both ways, with labels and sources."""
    return queries.internal(FACTS_QUERY).bind({"resource": iri})


def graph_query(iri: str) -> str:
    """A CONSTRUCT of the statements about this IRI, both ways: its description for RDF clients."""
    return _GRAPH.bind({"resource": iri})


def usage_query(iri: str) -> str:
    """An ASK: does some statement use this IRI as its property?"""
    return _USAGE.bind({"resource": iri})


def uses_query(iri: str) -> str:
    """A SELECT of the statements that use this IRI as their property, with their graphs (the first 200)."""
    return _USES.bind({"resource": iri})


def _text(row: Mapping[str, Term], var: str) -> str | None:
    term = row.get(var)
    return term.value if term is not None else None


@dataclass
class _Group:
    row: Mapping[str, Term]
    sources: dict[str, Source] = field(default_factory=dict)


def facts(rows: Iterable[Mapping[str, Term]]) -> tuple[tuple[Fact, ...], tuple[Fact, ...]]:
    """(outgoing, incoming) facts from `resource-facts` rows: one fact per statement, its graphs merged."""
    groups: dict[tuple[str, str, Term], _Group] = {}
    for row in rows:
        key = (row["direction"].value, row["property"].value, row["value"])
        group = groups.setdefault(key, _Group(row))
        graph = row["graph"].value
        group.sources.setdefault(graph, Source(graph, _text(row, "graphTitle")))
    out: list[Fact] = []
    inc: list[Fact] = []
    for (direction, prop, value), g in groups.items():
        fact = Fact(
            property=prop,
            property_label=Label(_text(g.row, "propertyLabel"), _text(g.row, "propertyLabelEn")).or_known(prop),
            value=value,
            value_label=Label(_text(g.row, "valueLabel"), _text(g.row, "valueLabelEn")).or_known(value.value)
            if value.is_iri
            else Label(),
            sources=tuple(g.sources[k] for k in sorted(g.sources)),
        )
        (inc if direction == "in" else out).append(fact)
    return tuple(out), tuple(inc)


def describe(store: Queryable, iri: str) -> Description:
    """What the graph says about `iri` and who says it; `UnknownResource` when it mentions it nowhere."""
    answer = store.select(facts_query(iri))
    outgoing, incoming = facts(answer.rows)
    used = False if outgoing or incoming else store.ask(usage_query(iri))
    description = Description(iri, outgoing, incoming, used, answer.truncated)
    if not description.known:
        raise UnknownResource(f"the graph says nothing about <{iri}>")
    return description


def used_as_property(store: Queryable, iri: str) -> bool:
    """Whether some statement uses `iri` as its property (an IRI known without being described)."""
    return store.ask(usage_query(iri))


# --- display -----------------------------------------------------------------------------------------------


def compact(iri: str, angle: bool = False) -> str:
    """A prefixed name (`ti:Phase`, `territory:agenais`) when a known namespace fits, else the IRI itself."""
    best = ""
    for prefix, ns in DISPLAY_PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(DISPLAY_PREFIXES.get(best, "")):
            local = iri[len(ns) :]
            if local and all(c.isalnum() or c in "-_." for c in local):
                best = prefix
    if best:
        return f"{best}:{iri[len(DISPLAY_PREFIXES[best]) :]}"
    return f"<{iri}>" if angle else iri


def n3(term: Term) -> str:
    """The term in Turtle-like syntax, with prefixed names, for plain-text output."""
    if term.kind == "uri":
        return compact(term.value, angle=True)
    if term.kind == "bnode":
        return f"_:{term.value}"
    text = json.dumps(term.value, ensure_ascii=False)
    if term.lang:
        return f"{text}@{term.lang}"
    if term.datatype and term.datatype != XSD + "string":
        return f"{text}^^{compact(term.datatype, angle=True)}"
    return text


def as_text(d: Description) -> str:
    """A plain-text description for the terminal: name, types, statements each with its sources."""
    lines = [d.iri]
    label = d.label
    if label.fr:
        lines.append(f"  libellé : {label.fr}")
    if label.en:
        lines.append(f"  label:   {label.en}")
    if d.used_as_property and not (d.outgoing or d.incoming):
        lines.append("  used as a property in the graph, which says nothing else about it")

    def src(f: Fact) -> str:
        return ", ".join(compact(s.graph) for s in f.sources)

    if d.outgoing:
        lines += ["", "statements (as subject):"]
        lines += [f"  {compact(f.property)}  {n3(f.value)}    [{src(f)}]" for f in d.outgoing]
    if d.incoming:
        lines += ["", "incoming (as object):"]
        lines += [f"  {n3(f.value)}  {compact(f.property)}    [{src(f)}]" for f in d.incoming]
    if d.sources:
        lines += ["", "sources:"]
        lines += [f"  {compact(s.graph)}  {s.title or ''}".rstrip() for s in d.sources]
    return "\n".join(lines) + "\n"
