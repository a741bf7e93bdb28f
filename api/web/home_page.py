"""The home page (templates/home.html): what the graph holds, where it comes from, when it was built, and links
to every part of the site. This module shapes the rows of the canned queries and the VoID statistics for the
template; the HTML is the template's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from kg.docs.describe import Label, compact
from kg.sources.labels import sort_key

from ..stats import DatasetStats
from ..web.filters import SOURCE_PREFIX, french_date, safe_url
from ..web.navigation import NAV, NAV_DESCRIPTIONS
from ..web.templating import render

OWL = "http://www.w3.org/2002/07/owl#"
Rows = list[dict[str, str | None]]

LINKS: tuple[tuple[str, str, str], ...] = (
    *((url, name, NAV_DESCRIPTIONS.get(url, "")) for url, name in NAV if url != "/"),
    ("/queries", "Requêtes prêtes à l'emploi", "la liste des requêtes paramétrées, en JSON"),
)
"""What the home page links to, each with what it is for: the site's navigation, and the canned queries."""


class ClassRow(NamedTuple):
    """A class and how many resources it has."""

    iri: str
    label: Label
    instances: int


class DocumentRow(NamedTuple):
    """A source document, as the table of documents shows it."""

    iri: str
    name: str
    date: str
    genre: str
    seed_file: str
    triples: str


class Licence(NamedTuple):
    """A graph's licence: its short name, and the URL to link it to when a link may point there."""

    name: str
    link: str | None


class GraphRow(NamedTuple):
    """A graph that is not a source document: the editorial graph, the official geography, the inferences…"""

    iri: str
    title: str
    triples: int
    licence: Licence | None


class Coverage(NamedTuple):
    """One count of territories the official geography places: all of them, how many a document states."""

    total: int
    stated: int

    @property
    def inferred(self) -> int:
        """Placed only by inference (from the territory's name or members)."""
        return self.total - self.stated


class CoverageRow(NamedTuple):
    """One scope (all territories, a phase) of the canned query `coverage`."""

    scope: str
    territories: int
    cells: tuple[Coverage, ...]
    region_disagreements: int


COVERAGE_COLUMNS = (
    ("withMember", "Avec un membre officiel"),
    ("withDepartement", "Avec un département"),
    ("withRegion", "Avec une région"),
)


class TerritoryLink(NamedTuple):
    """A territory as the home page lists it: its page, its name and the phases it is a laureate of."""

    iri: str
    name: str
    phases: str


class RegionGroup(NamedTuple):
    """A région and the territories in it (`iri` empty for the territories no source places in a région)."""

    iri: str
    name: str
    territories: tuple[TerritoryLink, ...]


UNPLACED_REGION = "Région non précisée"


def regions_of(rows: Sequence[dict[str, str | None]]) -> list[RegionGroup]:
    """The rows of the canned query `territories` grouped by région, both sorted as a French reader does.

    A territory in two régions is listed in each; one that no source places in a région comes last, under
    UNPLACED_REGION."""
    names: dict[str, str] = {}
    members: dict[str, dict[str, TerritoryLink]] = {}
    for r in rows:
        iri = r.get("t") or ""
        if not iri:
            continue
        region = r.get("r") or ""
        names[region] = r.get("regionName") or (compact(region) if region else UNPLACED_REGION)
        link = TerritoryLink(iri, r.get("territory") or compact(iri), r.get("phases") or "")
        members.setdefault(region, {})[iri] = link
    order = sorted(members, key=lambda region: (region == "", sort_key(names[region])))
    return [
        RegionGroup(region, names[region], tuple(sorted(members[region].values(), key=lambda t: sort_key(t.name))))
        for region in order
    ]


def _count(row: dict[str, str | None]) -> int:
    return int(row.get("instances") or 0)


def document_date(row: dict[str, str | None]) -> str:
    """What a document says of its date: published, dated or updated, in French; "non datée" without."""
    if row.get("issued"):
        return f"publié le {french_date(row['issued'] or '')}"
    if row.get("date"):
        return french_date(row["date"] or "")
    if row.get("modified"):
        return f"mis à jour le {french_date(row['modified'] or '')}"
    return "non daté"


def _document(d: dict[str, str | None]) -> DocumentRow:
    iri = d["document"] or ""
    return DocumentRow(
        iri,
        d.get("label") or d.get("title") or compact(iri),
        document_date(d),
        d.get("genre") or "",
        d.get("seedFile") or "",
        d.get("triples") or "",
    )


def _licence_name(url: str) -> str:
    if "creativecommons.org/licenses/by/4.0" in url:
        return "CC-BY-4.0"
    if "etalab" in url:
        return "Licence Ouverte 2.0"
    return url


def _licence(url: str | None) -> Licence | None:
    """A graph's licence, linked only when its URL is one a link may point to."""
    return Licence(_licence_name(url), safe_url(url)) if url else None


def _coverage(r: dict[str, str | None]) -> CoverageRow:
    cells = tuple(Coverage(int(r.get(key) or 0), int(r.get(key + "Stated") or 0)) for key, _ in COVERAGE_COLUMNS)
    return CoverageRow(
        r.get("scope") or "", int(r.get("territories") or 0), cells, int(r.get("regionDisagreements") or 0)
    )


def _built(stats: DatasetStats) -> str:
    """The build time as French text ("26 janvier 2024 à 14:03"), from `kg build`'s ISO time."""
    date, _, time = stats.built_at.partition("T")
    return f"{french_date(date)} à {time[:5]}" if time else french_date(date)


def home_page(
    stats: DatasetStats,
    classes: Rows,
    documents: Rows,
    coverage: Sequence[dict[str, str | None]] = (),
    territories: Sequence[dict[str, str | None]] = (),
) -> str:
    """The home page's HTML: the territories by région first, then the links, the classes, the sources."""
    regions = regions_of(territories)
    owl = [r for r in classes if (r["class"] or "").startswith(OWL)]
    return render(
        "home.html",
        stats=stats,
        links=LINKS,
        regions=regions,
        territory_count=len({t.iri for g in regions for t in g.territories}),
        terms={(r["class"] or "")[len(OWL) :]: _count(r) for r in owl},
        classes=[
            ClassRow(c, Label(r.get("labelFr"), r.get("label")), _count(r))
            for r in classes
            if (c := r["class"] or "") and not c.startswith(OWL)
        ],
        coverage=[_coverage(r) for r in coverage],
        coverage_columns=[name for _, name in COVERAGE_COLUMNS],
        documents=[_document(d) for d in documents],
        graphs=[
            GraphRow(g.name, g.title or compact(g.name), g.triples, _licence(g.license))
            for g in stats.graphs
            if not g.name.startswith(SOURCE_PREFIX)
        ],
        built=_built(stats),
    )
