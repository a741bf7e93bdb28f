"""`/explore/network`: the actor network for people, a frame for Cytoscape.js (vendored, see frontend/).

The page reads the graph only through the internal queries `network-nodes` (for the filters' choices and the
node categories) and `class-labels` (the French name of each node's type); api/static/site/network.js fetches `GET /network` and filters it in the browser. The page
itself is templates/network.html.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from kg import queries
from kg.sources.labels import sort_key

from ...deps import CachedStoreDep
from ...web.filters import class_names, local_name, type_names
from ...web.service_page import page_links
from ...web.templating import render

router = APIRouter(prefix="/explore", tags=["explore"], include_in_schema=False)

TERRITORY_TYPES = frozenset({"IndustryTerritory"})
SCHEME_TYPES = frozenset({"SupportScheme", "Fund", "NationalPlan"})


@dataclass(frozen=True)
class Category:
    """A kind of node on the network page: its legend and colour (contrast >= 3:1 on the page's white)."""

    key: str
    label: str
    colour: str
    shown: bool  # drawn when the page opens


CATEGORIES = (
    Category("actor", "Acteurs (organisations, personnes, intercommunalités)", "#00358e", True),
    Category("territory", "Territoires d'industrie", "#a63d00", True),
    Category("scheme", "Dispositifs, fonds et plans", "#18753c", True),
    Category("other", "Autres (projets, financements, phases, lieux…)", "#6b6b6b", False),
)
LINK_KINDS = {  # the actor network's kinds of link (kg/queries/network-actor-links.rq), in French
    "programme": "même programme ou phase",
    "candidacy": "même candidature",
    "territory": "même territoire",
    "scheme": "même dispositif",
    "plan": "même plan",
    "funding-flow": "même financement",
    "representation": "représentation",
    "mandate": "mandat",
    "affiliation": "affiliation",
    "project": "même projet",
    "event": "même événement",
    "mission": "même mission",
}


def category_of(row: dict[str, str | None]) -> str:
    """A network-nodes row's category: actor, territory, scheme or other."""
    kind = local_name(row.get("type") or "")
    if row.get("actor") == "true":
        return "actor"
    if kind in TERRITORY_TYPES:
        return "territory"
    if kind in SCHEME_TYPES:
        return "scheme"
    return "other"


def network_page_html(rows: list[dict[str, str | None]], class_rows: Sequence[dict[str, str | None]] = ()) -> str:
    """The network page around the rows of `network-nodes` (for the filters' choices and the node categories),
    with the French names of the types from those of `class-labels`."""
    types: dict[str, str] = {}
    territories: list[tuple[str, str]] = []
    schemes: list[tuple[str, str]] = []
    for row in rows:
        iri, label = row.get("node") or "", row.get("label") or local_name(row.get("node") or "")
        category = category_of(row)
        types[local_name(row.get("type") or "")] = category
        if category == "territory":
            territories.append((iri, label))
        elif category == "scheme":
            schemes.append((iri, label))
    territories.sort(key=lambda p: sort_key(p[1]))
    schemes.sort(key=lambda p: sort_key(p[1]))
    config = {
        "types": types,
        "typeNames": type_names(class_names(class_rows)),
        "categories": {c.key: {"label": c.label, "colour": c.colour} for c in CATEGORIES},
        "linkKinds": LINK_KINDS,
        "links": page_links(),
        "network": "/network",
    }
    return render("network.html", territories=territories, schemes=schemes, categories=CATEGORIES, config=config)


@router.get("/network", response_class=HTMLResponse)
def network_page(store: CachedStoreDep) -> HTMLResponse:
    """The interactive network (Cytoscape.js over `GET /network`), filterable by territory, scheme, kind of link."""
    nodes = store.rows(queries.internal("network-nodes").text)
    return HTMLResponse(network_page_html(nodes, store.rows(queries.internal("class-labels").text)))
