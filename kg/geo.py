"""Official geography: Etalab's découpage administratif → one named graph of the places the documents name.

The documents name places loosely ("Porte de Drôme Ardèche", "Romorantin"); `data/mappings/places.csv`
records, row by row and after review, which official entity each name denotes. This module checks that
mapping against Etalab's dataset (so a typo in a code or a stale official name fails loudly) and writes
the communes, intercommunalities (EPCI), départements and régions it reaches as a deterministic TriG file.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, OWL
from rdflib.term import Node

from kg.errors import UsageError
from kg.files import atomic_write
from kg.namespaces import GEO_GRAPH, IGEO, PREFIXES, TI, TID

ETALAB_PACKAGE = "@etalab/decoupage-administratif"
ETALAB_VERSION = "6.0.0"
ETALAB_SOURCE = URIRef(f"https://www.npmjs.com/package/{ETALAB_PACKAGE}/v/{ETALAB_VERSION}")
LICENCE_OUVERTE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
ATTRIBUTION = f"Source: Etalab, découpage administratif {ETALAB_VERSION}, Licence Ouverte 2.0"
REGENERATE = (
    f"npm pack {ETALAB_PACKAGE}@{ETALAB_VERSION} && tar xzf etalab-decoupage-administratif-{ETALAB_VERSION}.tgz",
    "kg import-geo --etalab package/data --mapping data/mappings/places.csv "
    "--output data/official/decoupage-administratif.trig",
)

HEADER = ("name_in_documents", "documents", "kind", "code", "official_name", "status", "note")
KINDS = ("commune", "epci", "departement", "region")
STATUSES = ("exact", "renamed", "unmatched")
CODE_FORMATS: dict[str, re.Pattern[str]] = {
    "commune": re.compile(r"(?:\d{5}|2[AB]\d{3})"),  # INSEE code, Corsica 2A/2B
    "epci": re.compile(r"\d{9}"),  # SIREN
    "departement": re.compile(r"(?:\d{2}|2[AB]|97\d)"),
    "region": re.compile(r"\d{2}"),
}
CODE_DESCRIPTIONS = {
    "commune": "a 5-character INSEE code",
    "epci": "a 9-digit SIREN",
    "departement": "a 2- or 3-character INSEE code",
    "region": "a 2-digit INSEE code",
}
DOCUMENTS_FORMAT = re.compile(r"\d{3}(?:;\d{3})*")

COUNTRY = TID["country/france"]


def place_iri(kind: str, code: str) -> URIRef:
    """The project IRI of an official place: `{base}/{kind}/{code}` (SIREN for EPCIs, INSEE code otherwise)."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind of place {kind!r} (expected one of {', '.join(KINDS)})")
    return TID[f"{kind}/{code}"]


# ---------------------------------------------------------------------------------------------------------
# The mapping
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceMapping:
    """One reviewed row of places.csv: a name the documents use and the official entity it denotes."""

    line: int
    name_in_documents: str
    documents: tuple[str, ...]
    kind: str
    code: str
    official_name: str
    status: str
    note: str

    @property
    def where(self) -> str:
        return f"line {self.line} ({self.name_in_documents!r})"


def read_mapping(path: Path) -> list[PlaceMapping]:
    """Parse and check places.csv, so a malformed row fails with its line number before anything is built."""
    if not path.is_file():
        raise UsageError(f"{path}: no such mapping file")
    rows: list[PlaceMapping] = []
    seen: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise UsageError(f"{path}: line 1: expected the header {','.join(HEADER)}")
        for cells in reader:
            line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            row = _parse_row(path, line, cells)
            key = (row.kind, row.name_in_documents)
            if key in seen:
                raise UsageError(
                    f"{path}: line {line}: {row.kind} {row.name_in_documents!r} is already mapped on line {seen[key]}"
                )
            seen[key] = line
            rows.append(row)
    return rows


def _parse_row(path: Path, line: int, cells: list[str]) -> PlaceMapping:
    def bad(message: str) -> UsageError:
        return UsageError(f"{path}: line {line}: {message}")

    if len(cells) != len(HEADER):
        raise bad(f"expected {len(HEADER)} columns ({','.join(HEADER)}), found {len(cells)}")
    name, documents, kind, code, official_name, status, note = (c.strip() for c in cells)
    if not name:
        raise bad("name_in_documents is empty")
    if not DOCUMENTS_FORMAT.fullmatch(documents):
        raise bad(f"documents must be seed numbers separated by ';' (e.g. 001;003), not {documents!r}")
    if kind not in KINDS:
        raise bad(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if status not in STATUSES:
        raise bad(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    if status == "unmatched":
        if code or official_name:
            raise bad("an unmatched row must leave code and official_name empty")
        if not note:
            raise bad("an unmatched row needs a note saying why no official entity can be identified")
    else:
        if not code:
            raise bad(f"missing code for a row with status {status!r}")
        if not CODE_FORMATS[kind].fullmatch(code):
            raise bad(f"bad {kind} code {code!r}: expected {CODE_DESCRIPTIONS[kind]}")
        if not official_name:
            raise bad(f"missing official_name for a row with status {status!r}")
        if status == "exact" and name != official_name:
            raise bad(f"status 'exact' but {name!r} differs from the official name {official_name!r}: use 'renamed'")
        if status == "renamed" and name == official_name:
            raise bad("status 'renamed' but the name is the official name: use 'exact'")
    return PlaceMapping(
        line=line,
        name_in_documents=name,
        documents=tuple(documents.split(";")),
        kind=kind,
        code=code,
        official_name=official_name,
        status=status,
        note=note,
    )


# ---------------------------------------------------------------------------------------------------------
# Etalab's dataset
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    departement: str
    region: str | None
    siren: str | None


@dataclass(frozen=True)
class Epci:
    siren: str
    name: str
    type: str
    members: tuple[str, ...]  # INSEE codes of the member communes


@dataclass(frozen=True)
class Departement:
    code: str
    name: str
    region: str


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class Etalab:
    """The parts of Etalab's dataset the importer reads, indexed by code (current communes only)."""

    communes: dict[str, Commune]
    epcis: dict[str, Epci]
    departements: dict[str, Departement]
    regions: dict[str, Region]
    epci_of_commune: dict[str, str] = field(default_factory=dict)


def load_etalab(directory: Path) -> Etalab:
    """Read communes/epci/departements/regions.json, checking the cross-references the import relies on."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory (expected Etalab's package/data)")
    _check_version(directory)
    try:
        regions = {r["code"]: Region(code=r["code"], name=r["nom"]) for r in _read_json(directory / "regions.json")}
        departements = {
            d["code"]: Departement(code=d["code"], name=d["nom"], region=d["region"])
            for d in _read_json(directory / "departements.json")
        }
        communes = {
            c["code"]: Commune(
                code=c["code"],
                name=c["nom"],
                departement=c["departement"],
                region=c.get("region"),
                siren=c.get("siren"),
            )
            for c in _read_json(directory / "communes.json")
            if c.get("type") == "commune-actuelle"
        }
        epcis = {
            e["code"]: Epci(
                siren=e["code"],
                name=e["nom"],
                type=e["type"],
                members=tuple(m["code"] for m in e.get("membres", [])),
            )
            for e in _read_json(directory / "epci.json")
        }
    except (KeyError, TypeError) as e:
        raise UsageError(f"{directory}: unexpected structure in Etalab's JSON (missing {e})") from None

    epci_of_commune: dict[str, str] = {}
    for epci in epcis.values():
        for code in epci.members:
            if code not in communes:
                raise UsageError(f"{directory}: EPCI {epci.siren} lists member {code}, not a current commune")
            if code in epci_of_commune:
                raise UsageError(
                    f"{directory}: commune {code} is a member of both {epci_of_commune[code]} and {epci.siren}"
                )
            epci_of_commune[code] = epci.siren
    for commune in communes.values():
        if commune.departement not in departements:
            raise UsageError(f"{directory}: commune {commune.code} is in unknown département {commune.departement}")
    for dep in departements.values():
        if dep.region not in regions:
            raise UsageError(f"{directory}: département {dep.code} is in unknown région {dep.region}")
    return Etalab(communes, epcis, departements, regions, epci_of_commune)


def _read_json(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise UsageError(f"{path}: no such file (expected in Etalab's package/data)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise UsageError(f"{path}: not valid JSON ({e})") from None
    if not isinstance(data, list):
        raise UsageError(f"{path}: expected a JSON array")
    return data


def _check_version(directory: Path) -> None:
    """The graph states version 6.0.0; refuse another version of the package rather than mislabel it."""
    package_json = directory.parent / "package.json"
    if not package_json.is_file():
        return
    try:
        meta = json.loads(package_json.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return
    if isinstance(meta, dict) and meta.get("name") == ETALAB_PACKAGE and meta.get("version") != ETALAB_VERSION:
        raise UsageError(
            f"{package_json}: {ETALAB_PACKAGE} {meta.get('version')} found, but the importer describes "
            f"version {ETALAB_VERSION}; update ETALAB_VERSION in kg/geo.py and review the mapping"
        )


# ---------------------------------------------------------------------------------------------------------
# Resolution and graph building
# ---------------------------------------------------------------------------------------------------------


def resolve(mappings: Iterable[PlaceMapping], etalab: Etalab, mapping_path: Path | str = "mapping") -> None:
    """Check every mapped code exists and carries the reviewed official name, so the mapping stays reviewed."""
    for m in mappings:
        if m.status == "unmatched":
            continue
        official = _official_name(m.kind, m.code, etalab)
        if official is None:
            raise UsageError(
                f"{mapping_path}: {m.where}: {m.kind} {m.code} does not exist in Etalab's dataset"
                + (" (only current communes are imported)" if m.kind == "commune" else "")
            )
        if official != m.official_name:
            raise UsageError(
                f"{mapping_path}: {m.where}: official_name {m.official_name!r} differs from the dataset's "
                f"{official!r} for {m.kind} {m.code}"
            )


def _official_name(kind: str, code: str, etalab: Etalab) -> str | None:
    entity: Commune | Epci | Departement | Region | None
    if kind == "commune":
        entity = etalab.communes.get(code)
    elif kind == "epci":
        entity = etalab.epcis.get(code)
    elif kind == "departement":
        entity = etalab.departements.get(code)
    else:
        entity = etalab.regions.get(code)
    return entity.name if entity is not None else None


def build_dataset(mappings: list[PlaceMapping], etalab: Etalab) -> tuple[Dataset, dict[str, int]]:
    """The named graph of the mapped places, their member communes and the areas they lie in, with counts."""
    epci_codes = sorted({m.code for m in mappings if m.kind == "epci" and m.status != "unmatched"})
    commune_codes = {m.code for m in mappings if m.kind == "commune" and m.status != "unmatched"}
    for siren in epci_codes:
        commune_codes.update(etalab.epcis[siren].members)
    dep_codes = {m.code for m in mappings if m.kind == "departement" and m.status != "unmatched"}
    dep_codes.update(etalab.communes[c].departement for c in commune_codes)
    region_codes = {m.code for m in mappings if m.kind == "region" and m.status != "unmatched"}
    region_codes.update(etalab.departements[d].region for d in dep_codes)
    region_codes.update(r for c in commune_codes if (r := etalab.communes[c].region) is not None)

    ds = Dataset()
    g = ds.graph(GEO_GRAPH)
    imported_epcis = set(epci_codes)

    for siren in epci_codes:
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

    for code in sorted(commune_codes):
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

    for code in sorted(dep_codes):
        dep = etalab.departements[code]
        s = place_iri("departement", code)
        g.add((s, RDF.type, TI.Departement))
        g.add((s, RDFS.label, Literal(dep.name, lang="fr")))
        g.add((s, IGEO.codeINSEE, Literal(code)))
        g.add((s, TI.inRegion, place_iri("region", dep.region)))

    for code in sorted(region_codes):
        region_ = etalab.regions[code]
        s = place_iri("region", code)
        g.add((s, RDF.type, TI.Region))
        g.add((s, RDFS.label, Literal(region_.name, lang="fr")))
        g.add((s, IGEO.codeINSEE, Literal(code)))
        # the ontology has no ti:inCountry; INSEE's igeo:subdivisionDe is the super-property of ti:inRegion
        g.add((s, IGEO.subdivisionDe, COUNTRY))

    g.add((COUNTRY, RDF.type, TI.Country))
    g.add((COUNTRY, RDFS.label, Literal("France", lang="fr")))

    counts = {
        "commune": len(commune_codes),
        "epci": len(epci_codes),
        "departement": len(dep_codes),
        "region": len(region_codes),
        "country": 1,
    }
    _describe_dataset(g, counts)
    return ds, counts


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
        f"selon la correspondance revue data/mappings/places.csv, avec toutes les communes membres des "
        f"intercommunalités nommées et les départements et régions où elles se trouvent "
        f"({counts['epci']} intercommunalités, {counts['commune']} communes, {counts['departement']} "
        f"départements, {counts['region']} régions). Fichier généré, ne pas modifier à la main. "
        f"Pour le régénérer : {REGENERATE[0]} puis {REGENERATE[1]}"
    )
    description_en = (
        f"Extract of Etalab's {ETALAB_PACKAGE} {ETALAB_VERSION} dataset (Licence Ouverte 2.0): the "
        f"intercommunalities, communes, départements and regions the source documents name, per the reviewed "
        f"mapping data/mappings/places.csv, with every member commune of the named intercommunalities and the "
        f"départements and regions they lie in. Generated file, do not edit by hand. To regenerate: "
        f"{REGENERATE[0]}, then {REGENERATE[1]}"
    )
    g.add((d, DCTERMS.description, Literal(description_fr, lang="fr")))
    g.add((d, DCTERMS.description, Literal(description_en, lang="en")))


# ---------------------------------------------------------------------------------------------------------
# Deterministic TriG
# ---------------------------------------------------------------------------------------------------------

_SUBJECT_ORDER = ("graph/", "country/", "region/", "departement/", "epci/", "commune/")
_FIRST_PREDICATES = (str(RDF.type), str(RDFS.label))


def serialize_trig(ds: Dataset, header: Iterable[str] = ()) -> bytes:
    """TriG with prefixes, subjects grouped by kind and sorted: the same data always gives the same bytes."""
    quads = []
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g is None or g == DATASET_DEFAULT_GRAPH_ID:
            raise UsageError("only named graphs are written: a triple is in the default graph")
        quads.append((str(g), _subject_key(s), _predicate_key(p), o.n3(), (s, p, o, g)))
    quads.sort(key=lambda q: q[:4])
    ox_quads = [ox.Quad(_ox_iri(s), _ox_iri(p), _ox_term(o), ox.NamedNode(str(g))) for *_, (s, p, o, g) in quads]
    comments = "".join(f"# {h}\n" if h else "#\n" for h in header)
    body = ox.serialize(ox_quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b""
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


# ---------------------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What an import wrote: entities per kind and the names left unmatched (with why)."""

    output: Path
    counts: dict[str, int]
    rows: dict[str, int]  # mapping rows per status
    unmatched: tuple[PlaceMapping, ...]
    triples: int

    def __str__(self) -> str:
        kinds = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        rows = ", ".join(f"{n} {s}" for s, n in self.rows.items())
        lines = [f"wrote {self.output}: {self.triples} triples ({kinds})", f"mapping rows: {rows}"]
        lines.extend(
            f"unmatched {m.kind} {m.name_in_documents!r} (documents {';'.join(m.documents)}): {m.note}"
            for m in self.unmatched
        )
        return "\n".join(lines)


def import_geo(etalab_dir: Path, mapping: Path, output: Path) -> ImportReport:
    """Check the mapping against Etalab's dataset and write the official-geography graph; all or nothing."""
    mappings = read_mapping(mapping)
    etalab = load_etalab(etalab_dir)
    resolve(mappings, etalab, mapping)
    ds, counts = build_dataset(mappings, etalab)
    header = [
        "Generated by `kg import-geo` from the reviewed mapping data/mappings/places.csv: do not edit by hand.",
        f"{ATTRIBUTION} ({ETALAB_SOURCE}, {LICENCE_OUVERTE}).",
        "Regenerate with:",
        f"  {REGENERATE[0]}",
        f"  {REGENERATE[1]}",
    ]
    text = serialize_trig(ds, header)
    with atomic_write(output) as fh:
        fh.write(text)
    return ImportReport(
        output=output,
        counts=counts,
        rows={s: sum(1 for m in mappings if m.status == s) for s in STATUSES},
        unmatched=tuple(m for m in mappings if m.status == "unmatched"),
        triples=len(ds.graph(GEO_GRAPH)),
    )
