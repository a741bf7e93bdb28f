"""Etalab's découpage administratif: the JSON files read, checked and indexed by code.

The importer (kg.sources.geo.importer) and the place inferences (kg.sources.geo.infer) read the dataset through `load_etalab`, which
checks the cross-references they rely on (every EPCI member is a current commune, every commune's
département and région exist), so a broken or other-version package fails before anything is written.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import URIRef

from kg.errors import UsageError
from kg.sources.namespaces import TID

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

KINDS = ("commune", "epci", "departement", "region")
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

COUNTRY = TID["country/france"]


def place_iri(kind: str, code: str) -> URIRef:
    """The project IRI of an official place: `{base}/{kind}/{code}` (SIREN for EPCIs, INSEE code otherwise)."""
    if kind not in KINDS:
        raise UsageError(f"unknown kind of place {kind!r} (expected one of {', '.join(KINDS)})")
    return TID[f"{kind}/{code}"]


def fold(name: str) -> str:
    """A name compared as people read it: no accents or case, apostrophes and dashes unified, spaces collapsed."""
    text = re.sub(r"[\u2019`]", "'", name)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    text = re.sub(r"[-\u2013\u2014_]", " ", text)
    return " ".join(text.split())


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
            f"version {ETALAB_VERSION}; update ETALAB_VERSION in kg/sources/geo/etalab.py and review the mapping"
        )


def official_name(kind: str, code: str, etalab: Etalab) -> str | None:
    """The dataset's name for a code, or None when the code is not in it."""
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
