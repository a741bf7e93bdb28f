"""The official-geography graph: the places the mapping reaches, as deterministic TriG.

What is imported: every mapped intercommunalité and commune, the intercommunalité of every mapped commune
(so "which EPCI is Montargis in?" has an answer), every member commune of those intercommunalités, and the
départements and régions they lie in — each with its official name and codes, nothing the documents say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL
from rdflib.term import Node

from kg.errors import UsageError
from kg.sources.geo.etalab import (
    COUNTRY,
    ETALAB_PACKAGE,
    ETALAB_SOURCE,
    ETALAB_VERSION,
    LICENCE_OUVERTE,
    REGENERATE,
    Etalab,
    place_iri,
)
from kg.sources.geo.mapping import PlaceMapping
from kg.sources.namespaces import GEO_GRAPH, IGEO, PREFIXES, TI, TID


@dataclass(frozen=True)
class Selection:
    """The codes to import, per kind (sorted, so the output is deterministic)."""

    epcis: tuple[str, ...]
    communes: tuple[str, ...]
    departements: tuple[str, ...]
    regions: tuple[str, ...]


def select(mappings: Iterable[PlaceMapping], etalab: Etalab) -> Selection:
    """The mapped places, the intercommunalité of each mapped commune, their members and the areas they lie in."""
    matched = [m for m in mappings if m.status != "unmatched"]
    named_communes = {m.code for m in matched if m.kind == "commune"}
    epcis = {m.code for m in matched if m.kind == "epci"}
    epcis.update(e for c in named_communes if (e := etalab.epci_of_commune.get(c)) is not None)
    communes = set(named_communes)
    for siren in epcis:
        communes.update(etalab.epcis[siren].members)
    deps = {m.code for m in matched if m.kind == "departement"}
    deps.update(etalab.communes[c].departement for c in communes)
    regions = {m.code for m in matched if m.kind == "region"}
    regions.update(etalab.departements[d].region for d in deps)
    regions.update(r for c in communes if (r := etalab.communes[c].region) is not None)
    return Selection(*(tuple(sorted(s)) for s in (epcis, communes, deps, regions)))


def build_dataset(mappings: list[PlaceMapping], etalab: Etalab) -> tuple[Dataset, dict[str, int]]:
    """The named graph of the selected places, with the number of entities per kind."""
    chosen = select(mappings, etalab)
    ds = Dataset()
    g = ds.graph(GEO_GRAPH)
    for siren in chosen.epcis:
        _add_epci(g, etalab, siren)
    imported_epcis = set(chosen.epcis)
    for code in chosen.communes:
        _add_commune(g, etalab, code, imported_epcis)
    _add_divisions(g, etalab, chosen)
    counts = {
        "commune": len(chosen.communes),
        "epci": len(chosen.epcis),
        "departement": len(chosen.departements),
        "region": len(chosen.regions),
        "country": 1,
    }
    _describe_dataset(g, counts)
    return ds, counts


def _add_divisions(g: Graph, etalab: Etalab, chosen: Selection) -> None:
    """The départements in their region, the regions in the country, and the country."""
    for code in chosen.departements:
        dep = etalab.departements[code]
        _add_area(g, place_iri("departement", code), TI.Departement, dep.name, code)
        g.add((place_iri("departement", code), TI.inRegion, place_iri("region", dep.region)))
    for code in chosen.regions:
        _add_area(g, place_iri("region", code), TI.Region, etalab.regions[code].name, code)
        # the ontology has no ti:inCountry; INSEE's igeo:subdivisionDe is the super-property of ti:inRegion
        g.add((place_iri("region", code), IGEO.subdivisionDe, COUNTRY))
    g.add((COUNTRY, RDF.type, TI.Country))
    g.add((COUNTRY, RDFS.label, Literal("France", lang="fr")))


def _add_epci(g: Graph, etalab: Etalab, siren: str) -> None:
    epci = etalab.epcis[siren]
    s = place_iri("epci", siren)
    g.add((s, RDF.type, TI.Intercommunality))
    g.add((s, RDFS.label, Literal(epci.name, lang="fr")))
    g.add((s, TI.officialName, Literal(epci.name)))
    g.add((s, TI.siren, Literal(epci.siren)))
    g.add((s, TI.epciType, Literal(epci.type)))
    member_deps = {etalab.communes[c].departement for c in epci.members}
    member_regions = {etalab.communes[c].region for c in epci.members}
    if len(member_deps) == 1:
        g.add((s, TI.inDepartement, place_iri("departement", next(iter(member_deps)))))
    if len(member_regions) == 1 and (region := next(iter(member_regions))) is not None:
        g.add((s, TI.inRegion, place_iri("region", region)))
    for code in epci.members:
        g.add((s, TI.hasMemberCommune, place_iri("commune", code)))


def _add_commune(g: Graph, etalab: Etalab, code: str, imported_epcis: set[str]) -> None:
    commune = etalab.communes[code]
    s = place_iri("commune", code)
    g.add((s, RDF.type, TI.Commune))
    g.add((s, RDFS.label, Literal(commune.name, lang="fr")))
    g.add((s, IGEO.codeINSEE, Literal(code)))
    if commune.siren:
        g.add((s, TI.siren, Literal(commune.siren)))
    g.add((s, TI.inDepartement, place_iri("departement", commune.departement)))
    if commune.region is not None:
        g.add((s, TI.inRegion, place_iri("region", commune.region)))
    epci_siren = etalab.epci_of_commune.get(code)
    if epci_siren is not None and epci_siren in imported_epcis:
        g.add((s, TI.memberOfIntercommunality, place_iri("epci", epci_siren)))


def _add_area(g: Graph, s: URIRef, cls: URIRef, name: str, code: str) -> None:
    g.add((s, RDF.type, cls))
    g.add((s, RDFS.label, Literal(name, lang="fr")))
    g.add((s, IGEO.codeINSEE, Literal(code)))


def _describe_dataset(g: Graph, counts: dict[str, int]) -> None:
    d = GEO_GRAPH
    title = f"Découpage administratif (Etalab {ETALAB_VERSION}) : extrait pour les Territoires d'industrie"
    g.add((d, RDF.type, TI.Dataset))
    g.add((d, RDFS.label, Literal(title, lang="fr")))
    g.add((d, DCTERMS.title, Literal(title, lang="fr")))
    g.add((d, DCTERMS.publisher, Literal("Etalab")))
    g.add((d, DCTERMS.source, ETALAB_SOURCE))
    g.add((d, DCTERMS.license, LICENCE_OUVERTE))
    g.add((d, OWL.versionInfo, Literal(ETALAB_VERSION)))
    description_fr = (
        f"Extrait du jeu de données {ETALAB_PACKAGE} {ETALAB_VERSION} d'Etalab (Licence Ouverte 2.0) : "
        f"les intercommunalités, communes, départements et régions que nomment les documents sources, "
        f"selon la correspondance revue data/mappings/places.csv, avec l'intercommunalité de chaque commune "
        f"nommée, toutes les communes membres de ces intercommunalités et les départements et régions où "
        f"elles se trouvent "
        f"({counts['epci']} intercommunalités, {counts['commune']} communes, {counts['departement']} "
        f"départements, {counts['region']} régions). Fichier généré, ne pas modifier à la main. "
        f"Pour le régénérer : {REGENERATE[0]} puis {REGENERATE[1]}"
    )
    description_en = (
        f"Extract of Etalab's {ETALAB_PACKAGE} {ETALAB_VERSION} dataset (Licence Ouverte 2.0): the "
        f"intercommunalities, communes, départements and regions the source documents name, per the reviewed "
        f"mapping data/mappings/places.csv, with the intercommunality of every named commune, every member commune "
        f"of those intercommunalities and the départements and regions they lie in. Generated file, do not edit by hand. To regenerate: "
        f"{REGENERATE[0]}, then {REGENERATE[1]}"
    )
    g.add((d, DCTERMS.description, Literal(description_fr, lang="fr")))
    g.add((d, DCTERMS.description, Literal(description_en, lang="en")))


_SUBJECT_ORDER = ("graph/", "country/", "region/", "departement/", "epci/", "commune/")
_FIRST_PREDICATES = (str(RDF.type), str(RDFS.label))


def serialize_trig(ds: Dataset, header: Iterable[str] = (), prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """TriG with prefixes, subjects grouped by kind and sorted: the same data always gives the same bytes."""
    quads = []
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g is None or g == DATASET_DEFAULT_GRAPH_ID:
            raise UsageError("only named graphs are written: a triple is in the default graph")
        quads.append((str(g), _subject_key(s), _predicate_key(p), o.n3(), (s, p, o, g)))
    quads.sort(key=lambda q: q[:4])
    ox_quads = [ox.Quad(_ox_iri(s), _ox_iri(p), _ox_term(o), ox.NamedNode(str(g))) for *_, (s, p, o, g) in quads]
    comments = "".join(f"# {h}\n" if h else "#\n" for h in header)
    body = ox.serialize(ox_quads, format=ox.RdfFormat.TRIG, prefixes=dict(prefixes)) or b""
    return (comments + "\n").encode() + body if comments else body


def _ox_iri(node: Node) -> ox.NamedNode:
    if not isinstance(node, URIRef):
        raise UsageError(f"cannot write {node!r} as a subject or predicate (only IRIs are expected)")
    return ox.NamedNode(str(node))


def _ox_term(node: Node) -> ox.NamedNode | ox.Literal:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise UsageError(f"cannot write {node!r} as TriG (only IRIs and literals are expected)")


def _subject_key(node: Node) -> tuple[int, str]:
    iri = str(node)
    local = iri[len(str(TID)) :] if iri.startswith(str(TID)) else iri
    for rank, start in enumerate(_SUBJECT_ORDER):
        if local.startswith(start):
            return rank, iri
    return len(_SUBJECT_ORDER), iri


def _predicate_key(node: Node) -> tuple[int, str]:
    iri = str(node)
    return (_FIRST_PREDICATES.index(iri), "") if iri in _FIRST_PREDICATES else (len(_FIRST_PREDICATES), iri)
