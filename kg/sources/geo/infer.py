"""Places inferred for the territories: from the place names in their names, and from their members.

Many territory names are made of place names ("Châteauroux-Buzançais-Argenton", "Chartres métropole").
The reviewed rows of data/mappings/places.csv that name territories say which official commune,
intercommunalité, département or région each such name denotes, with a confidence; this module checks
them against what the data files state (the territory exists, the name is in one of its labels, a commune
name shared by several communes is resolved by the territory's stated région and only by it) and writes
the links to their own named graph, `graph:inferred-places`, each one reified as a `ti:Inference` saying
which rule made it, from which documents, with what confidence. It then derives each territory's
départements from its members (stated or inferred) and its régions from its départements, marking an
inferred région that no document states beside a stated one as `ti:differsFromStated` — both are kept.
What a document or the editorial graph already states is never repeated here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from kg.errors import UsageError
from kg.sources.geo.etalab import Etalab, fold, place_iri
from kg.sources.geo.mapping import PlaceMapping
from kg.sources.namespaces import GEO_GRAPH, PREFIXES, SKOS, TI, TID, source_graph
from kg.sources.rdf_io import parse_file

PROV = Namespace("http://www.w3.org/ns/prov#")
INFERRED_GRAPH = TID["graph/inferred-places"]
RULE_NAME = TID["inference-rule/place-named-in-territory-name"]
RULE_DEPARTEMENT = TID["inference-rule/departement-of-members"]
RULE_REGION = TID["inference-rule/region-of-departements"]
RULE_KEYS = {RULE_NAME: "name", RULE_DEPARTEMENT: "members", RULE_REGION: "departements"}
RULE_LABELS = {
    RULE_NAME: "lieu nommé dans le nom du territoire",
    RULE_DEPARTEMENT: "département de ses membres",
    RULE_REGION: "région de ses départements",
}
PREDICATES = {
    "commune": TI.includesCommune,
    "epci": TI.hasMemberIntercommunality,
    "departement": TI.inDepartement,
    "region": TI.inRegion,
}
INFERRED_PREFIXES = {**PREFIXES, "inference": f"{TID}inference/", "rule": f"{TID}inference-rule/"}
STATED = Decimal(1)
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

_TERRITORY = f"{TID}territory/"
_KIND_OF_NAMESPACE = {f"{TID}{kind}/": kind for kind in PREDICATES}
_SKIPPED_GRAPHS = {str(GEO_GRAPH), str(INFERRED_GRAPH)}


# ---------------------------------------------------------------------------------------------------------
# What the data files state about the territories
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Territory:
    """One territory as the data files state it: labels, and each place linked to it with the graphs saying so."""

    slug: str
    labels: set[str] = field(default_factory=set)
    places: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (kind, code) → graph IRIs

    @property
    def iri(self) -> URIRef:
        return TID[f"territory/{self.slug}"]

    @property
    def label(self) -> str:
        return min(self.labels) if self.labels else self.slug

    def codes(self, kind: str) -> set[str]:
        return {code for k, code in self.places if k == kind}


_LINKS = {str(p): kind for kind, p in PREDICATES.items()}
_LABELS = {str(RDFS.label), SKOS + "altLabel"}


def read_stated(files: Iterable[Path]) -> dict[str, Territory]:
    """The territories declared in the data files (official and inferred graphs left out), keyed by slug."""
    quads = [q for path in files for q in parse_file(path) if _graph(q) not in _SKIPPED_GRAPHS]
    territories: dict[str, Territory] = {}
    for q in quads:
        if q.predicate.value == str(RDF.type) and q.object == ox.NamedNode(str(TI.IndustryTerritory)):
            slug = _slug(q.subject)
            if slug is not None:
                territories.setdefault(slug, Territory(slug))
    for q in quads:
        subject: object
        obj: object
        if q.predicate.value == str(TI.memberOfTerritory):
            subject, obj, kind = q.object, q.subject, "epci"
        else:
            subject, obj, kind = q.subject, q.object, _LINKS.get(q.predicate.value, "")
        slug = _slug(subject)
        if slug is None or slug not in territories:
            continue
        territory = territories[slug]
        if q.predicate.value in _LABELS and isinstance(q.object, ox.Literal):
            territory.labels.add(q.object.value)
        elif kind and isinstance(obj, ox.NamedNode) and (place := _place(obj.value)) is not None and place[0] == kind:
            territory.places.setdefault(place, set()).add(_graph(q))
    return territories


def _graph(q: ox.Quad) -> str:
    return q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""


def _slug(term: object) -> str | None:
    if isinstance(term, ox.NamedNode) and term.value.startswith(_TERRITORY):
        return term.value[len(_TERRITORY) :]
    return None


def _place(iri: str) -> tuple[str, str] | None:
    for namespace, kind in _KIND_OF_NAMESPACE.items():
        if iri.startswith(namespace):
            return kind, iri[len(namespace) :]
    return None


# ---------------------------------------------------------------------------------------------------------
# Checking the rows that name territories
# ---------------------------------------------------------------------------------------------------------


def check_territory_rows(
    mappings: Iterable[PlaceMapping], etalab: Etalab, territories: dict[str, Territory], where: Path | str
) -> None:
    """Refuse a row whose territory is unknown, whose name is not in the territory's name, or that guesses."""
    for m in mappings:
        for slug in m.territories:
            territory = territories.get(slug)
            if territory is None:
                raise UsageError(f"{where}: {m.where}: no data file declares the territory {slug!r}")
            if not any(f" {fold(m.name_in_documents)} " in f" {fold(label)} " for label in territory.labels):
                raise UsageError(
                    f"{where}: {m.where}: {m.name_in_documents!r} is not part of the name of territory {slug!r} "
                    f"({' / '.join(sorted(territory.labels))})"
                )
            if m.kind == "commune" and m.status != "unmatched":
                _check_homonyms(m, etalab, territory, where)


def _check_homonyms(m: PlaceMapping, etalab: Etalab, territory: Territory, where: Path | str) -> None:
    """A commune name shared by several communes is matched only when the territory's stated région tells them apart."""
    chosen = etalab.communes[m.code]
    others = sorted(
        (c for c in etalab.communes.values() if fold(c.name) == fold(m.name_in_documents) and c.code != m.code),
        key=lambda c: c.code,
    )
    if not others:
        return
    regions = territory.codes("region")
    listed = ", ".join(f"{c.name} ({c.code}, région {c.region})" for c in others)
    if chosen.region not in regions or any(c.region in regions for c in others):
        raise UsageError(
            f"{where}: {m.where}: {m.name_in_documents!r} is also the name of {listed}, and the régions stated for "
            f"territory {territory.slug!r} ({', '.join(sorted(regions)) or 'none'}) do not tell them apart: "
            "mark the row unmatched"
        )


# ---------------------------------------------------------------------------------------------------------
# The inferred links
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """Why a link is inferred: the rule, its confidence, what it was derived from, and in words (English, French)."""

    rule: URIRef
    confidence: Decimal
    sources: frozenset[URIRef]
    note: str
    note_fr: str
    matched_name: str | None = None


@dataclass
class Inferred:
    """The inferred links, each with its supports, and the territories' stated régions to compare with."""

    territories: dict[str, Territory]
    links: dict[tuple[str, str, str], list[Support]] = field(default_factory=lambda: defaultdict(list))

    def add(self, territory: Territory, kind: str, code: str, support: Support) -> None:
        if (kind, code) not in territory.places:  # stated (document or editorial graph): nothing to infer
            self.links[(territory.slug, kind, code)].append(support)


def infer(mappings: list[PlaceMapping], etalab: Etalab, territories: dict[str, Territory]) -> Inferred:
    """Links from the names, then départements from members, then régions from départements."""
    inferred = Inferred(territories)
    rows: dict[str, list[PlaceMapping]] = defaultdict(list)
    for m in mappings:
        if m.status != "unmatched":
            for slug in m.territories:
                rows[slug].append(m)
    for slug in sorted(territories):
        territory = territories[slug]
        members: dict[tuple[str, str], tuple[Decimal, frozenset[URIRef]]] = {
            place: (STATED, frozenset(URIRef(g) for g in graphs))
            for place, graphs in territory.places.items()
            if place[0] in ("commune", "epci")
        }
        named_deps: dict[str, tuple[Decimal, frozenset[URIRef]]] = {}
        for m in rows.get(slug, []):
            documents = frozenset(URIRef(source_graph(d)) for d in m.documents)
            confidence = m.confidence if m.confidence is not None else STATED
            support = Support(RULE_NAME, confidence, documents | {GEO_GRAPH}, m.note, m.note_fr, m.name_in_documents)
            inferred.add(territory, m.kind, m.code, support)
            if m.kind in ("commune", "epci"):
                members.setdefault((m.kind, m.code), (confidence, documents))
            elif m.kind == "departement":
                named_deps[m.code] = (confidence, documents)
        deps = _departements_of(members, etalab)
        for code, (confidence, sources, names) in deps.items():
            note = f"Département, in Etalab's geography, of the territory's member(s) {_names(names)}."
            members_fr = _names(names, "et {} autres")
            note_fr = f"Département, dans la géographie d'Etalab, du ou des membres du territoire {members_fr}."
            support = Support(RULE_DEPARTEMENT, confidence, sources, note, note_fr)
            inferred.add(territory, "departement", code, support)
        _infer_regions(inferred, territory, etalab, deps, named_deps)
    return inferred


def _departements_of(
    members: dict[tuple[str, str], tuple[Decimal, frozenset[URIRef]]], etalab: Etalab
) -> dict[str, tuple[Decimal, frozenset[URIRef], list[str]]]:
    found: dict[str, tuple[Decimal, frozenset[URIRef], list[str]]] = {}
    for (kind, code), (confidence, sources) in sorted(members.items()):
        if kind == "commune" and code in etalab.communes:
            name, deps = etalab.communes[code].name, {etalab.communes[code].departement}
        elif kind == "epci" and code in etalab.epcis:
            name = etalab.epcis[code].name
            deps = {etalab.communes[c].departement for c in etalab.epcis[code].members}
        else:
            continue
        for dep in deps:
            best, seen, names = found.get(dep, (Decimal(0), frozenset(), []))
            found[dep] = (max(best, confidence), seen | sources | {GEO_GRAPH}, [*names, f"{name} ({code})"])
    return found


def _infer_regions(
    inferred: Inferred,
    territory: Territory,
    etalab: Etalab,
    deps: dict[str, tuple[Decimal, frozenset[URIRef], list[str]]],
    named_deps: dict[str, tuple[Decimal, frozenset[URIRef]]],
) -> None:
    every: dict[str, tuple[Decimal, frozenset[URIRef]]] = {
        code: (STATED, frozenset(URIRef(g) for g in graphs))
        for (kind, code), graphs in territory.places.items()
        if kind == "departement"
    }
    for code, (confidence, sources) in [*named_deps.items(), *((c, v[:2]) for c, v in deps.items())]:
        best, seen = every.get(code, (Decimal(0), frozenset()))
        every[code] = (max(best, confidence), seen | sources)
    regions: dict[str, tuple[Decimal, frozenset[URIRef], list[str]]] = {}
    for code, (confidence, sources) in sorted(every.items()):
        if code not in etalab.departements:
            continue
        region = etalab.departements[code].region
        best, seen, names = regions.get(region, (Decimal(0), frozenset(), []))
        regions[region] = (
            max(best, confidence),
            seen | sources | {GEO_GRAPH},
            [*names, etalab.departements[code].name],
        )
    for code, (confidence, sources, names) in regions.items():
        note = f"Région, in Etalab's geography, of the territory's département(s) {_names(names)}."
        deps_fr = _names(names, "et {} autres")
        note_fr = f"Région, dans la géographie d'Etalab, du ou des départements du territoire {deps_fr}."
        inferred.add(territory, "region", code, Support(RULE_REGION, confidence, sources, note, note_fr))


def _names(names: list[str], more: str = "and {} more", most: int = 6) -> str:
    """The first names, then how many others (`more` words it: "and {} more", "et {} autres")."""
    shown = ", ".join(names[:most])
    return shown + (" " + more.format(len(names) - most) if len(names) > most else "")


# ---------------------------------------------------------------------------------------------------------
# The graph
# ---------------------------------------------------------------------------------------------------------


def build_inferred(inferred: Inferred, etalab: Etalab) -> tuple[Dataset, dict[str, int]]:
    """The named graph graph:inferred-places: each link, and one ti:Inference per (link, rule)."""
    ds = Dataset()
    g = ds.graph(INFERRED_GRAPH)
    counts = {"links": 0, "inferences": 0, "territories": 0, "differs-from-stated": 0}
    for (slug, kind, code), supports in sorted(inferred.links.items()):
        territory = inferred.territories[slug]
        predicate, obj = PREDICATES[kind], place_iri(kind, code)
        g.add((territory.iri, predicate, obj))
        counts["links"] += 1
        stated_regions = territory.codes("region")
        differs = kind == "region" and bool(stated_regions)
        counts["differs-from-stated"] += differs
        for support in supports:
            _add_inference(g, territory, kind, code, support, etalab, stated_regions if differs else set())
            counts["inferences"] += 1
    counts["territories"] = len({slug for slug, _, _ in inferred.links})
    _describe(g)
    return ds, counts


def _add_inference(
    g: Graph, territory: Territory, kind: str, code: str, support: Support, etalab: Etalab, differs_from: set[str]
) -> None:
    node = TID[f"inference/{territory.slug}-{kind}-{code}-{RULE_KEYS[support.rule]}"]
    name = _official(kind, code, etalab)
    g.add((node, RDF.type, TI.Inference))
    g.add((node, RDFS.label, Literal(f"{territory.label} : {name} ({RULE_LABELS[support.rule]})", lang="fr")))
    g.add((node, RDF.subject, territory.iri))
    g.add((node, RDF.predicate, PREDICATES[kind]))
    g.add((node, RDF.object, place_iri(kind, code)))
    g.add((node, TI.inferenceRule, support.rule))
    g.add((node, TI.confidence, Literal(str(support.confidence), datatype=XSD.decimal)))
    for source in sorted(support.sources):
        g.add((node, PROV.wasDerivedFrom, source))
    if support.matched_name is not None:
        g.add((node, TI.matchedName, Literal(support.matched_name, lang="fr")))
    note, note_fr = support.note, support.note_fr
    if differs_from:
        g.add((node, TI.differsFromStated, Literal(True)))
        stated = ", ".join(f"{etalab.regions[r].name} ({r})" for r in sorted(differs_from) if r in etalab.regions)
        note += f" Not stated: the région stated for the territory is {stated}; both are kept."
        note_fr += f" Non énoncée : la région énoncée pour le territoire est {stated} ;"
        note_fr += " les deux sont gardées."
    g.add((node, TI.editorialNote, Literal(note_fr, lang="fr")))  # in French, the site's language, and English
    g.add((node, TI.editorialNote, Literal(note, lang="en")))


def _official(kind: str, code: str, etalab: Etalab) -> str:
    if kind == "commune":
        return etalab.communes[code].name
    if kind == "epci":
        return etalab.epcis[code].name
    if kind == "departement":
        return etalab.departements[code].name
    return etalab.regions[code].name


def _describe(g: Graph) -> None:
    d = INFERRED_GRAPH
    g.add((d, RDF.type, TI.Dataset))
    g.add((d, RDFS.label, Literal("Lieux déduits des territoires", lang="fr")))
    g.add((d, RDFS.label, Literal("Inferred places of the territories", lang="en")))
    g.add((d, DCTERMS.title, Literal("Lieux déduits des noms et des membres des territoires", lang="fr")))
    g.add((d, DCTERMS.license, CC_BY))
    g.add((d, PROV.wasDerivedFrom, GEO_GRAPH))
    g.add(
        (
            d,
            DCTERMS.description,
            Literal(
                "Links inferred, not stated: the communes, intercommunalities, départements and régions that the "
                "place names inside a territory's name denote (reviewed rows of data/mappings/places.csv), the "
                "départements of a territory's members and the régions of its départements, in Etalab's "
                "geography. Each link is reified as a ti:Inference with its rule, confidence and sources. "
                "Generated by `kg import-geo`; do not edit by hand.",
                lang="en",
            ),
        )
    )
