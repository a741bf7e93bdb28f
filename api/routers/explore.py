"""Pages to explore the graph without writing SPARQL: `/explore/network` and `/explore/funding`.

Both read the graph only through the canned queries (`kg/queries/`) and the network API, run through the
worker pool with the network router's per-version cache of rows, so they add no SPARQL of their own. The
network page is a frame for Cytoscape.js (vendored, see frontend/): api/static/site/network.js fetches
`GET /network` and filters it in the browser. The funding page is rendered here — filters, a table of flows
with each amount's qualifier and source, totals and an inline SVG bar chart — so it reads without
JavaScript; api/static/site/funding.js only makes the table sortable. Its filters are checked before anything
runs: a bad, empty-where-not-allowed or repeated value is a `BadParameter` (400 naming it) — problem+json for
programs, the page itself with the error explained for browsers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api import conneg, site
from api.deps import StatsDep
from api.pages import json_script, page_links
from api.rendering import href
from api.routers.network import SelectDep
from api.routers.queries import read_parameters
from api.stats import DatasetStats
from kg import queries
from kg.errors import BadParameter
from kg.network import Select
from kg.sources.labels import sort_key

router = APIRouter(prefix="/explore", tags=["explore"], include_in_schema=False)

HEAD = f'<link rel="stylesheet" href="{site.SITE_STATIC}/interactive.css">\n'
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
QUALIFIERS = {  # the English labels funding-flows answers (vocabulary cs:qualifiers) → their French labels
    "exactly": "",
    "range": "",
    "more than": "plus de",
    "about": "environ",
    "nearly": "près de",
    "on average": "en moyenne",
}
PERIODS = {"P1Y": "par an", "P1M": "par mois", "P1W": "par semaine", "P1D": "par jour"}
GROUPS = {"scheme": "dispositif ou plan", "funder": "financeur", "region": "région", "phase": "phase"}
DEFAULT_GROUP = "scheme"
FILTERS = ("territory", "scheme", "funder")  # the funding page's filters: parameters of funding-flows and -totals
UNNAMED_GROUP = {
    "scheme": "(sans dispositif nommé)",
    "funder": "(financeur non nommé)",
    "region": "(sans région)",
    "phase": "(sans phase)",
}


def local_name(iri: str) -> str:
    """The last segment of an IRI (a readable stand-in for a missing label)."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] if iri else iri


def rows_of(select: Select, name: str, values: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    """Rows of a canned query with its parameters bound (BadParameter, hence 400, on a bad value)."""
    return select(queries.get(name).bind(values or {}))


def _options(pairs: Sequence[tuple[str, str]], chosen: str, everything: str) -> str:
    options = [f'<option value="">{escape(everything)}</option>']
    for value, label in pairs:
        selected = " selected" if value == chosen else ""
        options.append(f'<option value="{escape(value)}"{selected}>{escape(label)}</option>')
    return "".join(options)


# --- /explore/network --------------------------------------------------------------------------------------


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


def network_page_html(rows: list[dict[str, str | None]]) -> str:
    """The network page around the rows of `network-nodes` (for the filters' choices and the node categories)."""
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
    boxes = "".join(
        f'<label><input type="checkbox" name="category" value="{c.key}"{" checked" if c.shown else ""}> '
        f"{escape(c.label)}</label> "
        for c in CATEGORIES
    )
    legend = "".join(
        f'<li><span aria-hidden="true" style="background:{c.colour}"></span>{escape(c.label)}</li>' for c in CATEGORIES
    )
    config = {
        "types": types,
        "categories": {c.key: {"label": c.label, "colour": c.colour} for c in CATEGORIES},
        "linkKinds": LINK_KINDS,
        "links": page_links(),
        "network": "/network",
    }
    body = f"""<h1>Réseau des acteurs, territoires et dispositifs</h1>
<p>Chaque nœud est un acteur, un territoire d'industrie, un dispositif ou une autre ressource du graphe ; chaque lien,
une relation qu'énonce au moins un document source. La vue « coopérations » relie deux acteurs qui prennent part à
une même chose (territoire, dispositif, candidature, financement…). La taille d'un nœud croît avec son nombre de
liens. Cliquer sur un nœud ouvre sa page. Les mêmes données pour Gephi, Cytoscape ou networkx :
<a href="/network?kind=full&amp;format=graphml">GraphML</a>, <a href="/network?kind=full&amp;format=gexf">GEXF</a>,
<a href="/network?kind=full">JSON</a> (<a href="/docs#/network">documentation de l'API</a>).</p>

<form id="network-filters" class="filters" aria-controls="network-graph">
<fieldset><legend>Vue</legend>
<label><input type="radio" name="kind" value="full" checked> relations énoncées</label>
<label><input type="radio" name="kind" value="actors"> coopérations entre acteurs</label>
</fieldset>
<p><label for="territory">Territoire</label>
<select id="territory" name="territory">{_options(territories, "", "Tous les territoires")}</select></p>
<p><label for="scheme">Dispositif</label>
<select id="scheme" name="scheme">{_options(schemes, "", "Tous les dispositifs")}</select></p>
<p><label for="link">Type de lien</label>
<select id="link" name="link"><option value="">Tous les liens</option></select></p>
<fieldset id="categories"><legend>Nœuds affichés</legend>{boxes}
<label><input type="checkbox" name="isolated" value="hide" checked> masquer les nœuds sans lien affiché</label>
</fieldset>
<p><label for="search">Rechercher un nœud</label>
<input type="search" id="search" name="search" list="node-labels" autocomplete="off">
<datalist id="node-labels"></datalist>
<button type="submit">Trouver</button></p>
</form>
<p id="network-status" role="status" aria-live="polite">Chargement du réseau…</p>
<div id="network-graph" class="network-graph" role="img"
 aria-label="Graphe du réseau ; la liste des nœuds affichés suit, avec un lien vers la page de chacun."></div>
<ul class="legend" aria-label="Légende">{legend}</ul>
<details open>
<summary>Liste des nœuds affichés</summary>
<ul id="network-list" class="network-list"></ul>
</details>
{json_script("kg-network-config", config)}"""
    scripts = (
        f"{site.VENDOR_STATIC}/cytoscape/cytoscape.min.js",
        f"{site.SITE_STATIC}/links.js",
        f"{site.SITE_STATIC}/network.js",
    )
    return site.page(
        "Réseau d'acteurs — Territoires d'industrie", body, current="/explore/network", head=HEAD, scripts=scripts
    )


@router.get("/network", response_class=HTMLResponse)
def network_page(select: SelectDep) -> HTMLResponse:
    """The interactive network (Cytoscape.js over `GET /network`), filterable by territory, scheme, kind of link."""
    return HTMLResponse(network_page_html(select(queries.internal("network-nodes").text)))


# --- /explore/funding --------------------------------------------------------------------------------------


def _decimal(value: str | None) -> Decimal | None:
    """A number of the graph, or None when there is none that can be summed and drawn (empty, NaN, infinite)."""
    if value is None or value == "":
        return None
    try:
        d = Decimal(value)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


def euros(value: Decimal, unit: bool = True) -> str:
    """2000000 → "2 000 000 €" (French grouping with narrow no-break spaces)."""
    whole = value == value.to_integral_value()
    text = f"{int(value):,}" if whole else f"{value:,.2f}".replace(".", "#")
    text = text.replace(",", "\u202f").replace("#", ",")
    return text + ("\u00a0€" if unit else "")


def compact_euros(value: Decimal) -> str:
    """3108000000 → "3,1 Md€", 88000000 → "88 M€": for the chart's labels."""
    for size, suffix in ((Decimal(10) ** 9, "Md€"), (Decimal(10) ** 6, "M€"), (Decimal(10) ** 3, "k€")):
        if abs(value) >= size:
            number = (value / size).quantize(Decimal("0.1"))
            text = str(number).rstrip("0").rstrip(".").replace(".", ",")
            return f"{text}\u00a0{suffix}"
    return euros(value)


def amount_text(row: dict[str, str | None]) -> str:
    """The amount of a funding-flows row in words: value or range, qualifier, period (plain text, not escaped)."""
    amount, low, high = _decimal(row.get("amount")), _decimal(row.get("minimum")), _decimal(row.get("maximum"))
    qualifier = row.get("qualifier") or ""
    if amount is not None:
        core = euros(amount)
    elif low is not None and high is not None:
        core = f"fourchette {euros(low, unit=False)} – {euros(high)}"
    elif low is not None:
        core = euros(low)
        qualifier = qualifier or "more than"
    elif high is not None:
        core = f"jusqu'à {euros(high)}"
    else:
        return "montant non précisé"
    said = QUALIFIERS.get(qualifier, qualifier)
    text = f"{said} {core}" if said else core
    period = row.get("perPeriod")
    if period:
        text += " " + PERIODS.get(period, f"par période {period}")
    return text


def amount_sort_key(row: dict[str, str | None]) -> str:
    """What the amount column sorts by: the stated value, else the lower bound, else the upper bound."""
    for key in ("amount", "minimum", "maximum"):
        value = _decimal(row.get(key))
        if value is not None:
            return str(value)
    return ""


def _source_cell(seed_file: str | None, documents: dict[str, tuple[str, str]]) -> str:
    if not seed_file:
        return "<td></td>"
    if seed_file not in documents:
        return f"<td>{escape(seed_file)}</td>"
    iri, title = documents[seed_file]
    return f'<td><a href="{escape(href(iri))}" title="{escape(title)}">{escape(title or seed_file)}</a></td>'


def flows_table(rows: list[dict[str, str | None]], documents: dict[str, tuple[str, str]]) -> str:
    """The funding flows, one row each, with sortable columns (funding.js) and each amount's source."""
    if not rows:
        return "<p>Aucun financement ne correspond à ces filtres.</p>"
    head = "".join(
        f'<th scope="col" data-sort-type="{kind}">{label}</th>'
        for label, kind in (
            ("Financement", "text"),
            ("Financeur", "text"),
            ("Bénéficiaire", "text"),
            ("Dispositif ou plan", "text"),
            ("Montant", "number"),
            ("Phase", "number"),
            ("Projets", "number"),
            ("Source", "text"),
        )
    )
    lines = []
    for row in rows:
        flow = row.get("flow") or ""
        label = row.get("label") or local_name(flow)
        cells = [
            f'<th scope="row"><a href="{escape(href(flow))}">{escape(label)}</a></th>',
            f"<td>{escape(row.get('funders') or 'non nommé')}</td>",
            f"<td>{escape(row.get('recipients') or '')}</td>",
            f"<td>{escape(row.get('schemes') or '')}</td>",
            f'<td class="n amount" data-sort="{amount_sort_key(row)}">{escape(amount_text(row))}</td>',
            f'<td class="n">{escape(row.get("phaseN") or "")}</td>',
            f'<td class="n">{escape(row.get("projectCount") or "")}</td>',
            _source_cell(row.get("source"), documents),
        ]
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return (
        '<div class="table-wrap"><table id="funding-flows" class="funding-table sortable">\n'
        f"<caption>Flux de financement ({len(rows)})</caption>\n"
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody></table></div>"
    )


@dataclass(frozen=True)
class Total:
    """One bar of the chart: a group's name, how many flows, its lower bound and its upper bound (None if open)."""

    name: str
    flows: int
    low: Decimal
    high: Decimal | None


def totals_of(rows: list[dict[str, str | None]], group: str) -> list[Total]:
    """The funding-totals rows as chart bars, largest lower bound first (the query's order)."""
    out = []
    for row in rows:
        key = row.get("key") or ""
        name = row.get("name") or (UNNAMED_GROUP[group] if key in ("", "(none)") else local_name(key))
        open_ended = row.get("openEnded") == "true"
        out.append(
            Total(
                name=name,
                flows=int(row.get("flows") or 0),
                low=_decimal(row.get("minimum")) or Decimal(0),
                high=None if open_ended else _decimal(row.get("maximum")),
            )
        )
    return out


def total_text(t: Total) -> str:
    """A total in words: exact, range, or lower bound only."""
    if t.low == 0 and t.high == 0:
        return "montant non précisé"
    if t.high is None:
        return f"au moins {euros(t.low)} (borne supérieure inconnue)"
    if t.high == t.low:
        return euros(t.low)
    return f"de {euros(t.low, unit=False)} à {euros(t.high)}"


def bar_chart(totals: list[Total], group: str) -> str:
    """An inline SVG bar chart, one group per line — its name, then its bar: solid to the lower bound, pale to
    the upper bound, and a dashed arrow when the upper bound is open ("plus de"). Names sit above the bars so the
    chart stays narrow enough to read on a phone."""
    if not totals or all(t.low == 0 and not t.high for t in totals):
        return "<p>Aucun montant chiffré pour ces filtres : pas de graphique.</p>"
    bar_w, value_w, row_h = 300, 180, 46
    width = bar_w + value_w
    height = row_h * len(totals) + 4
    top = max(max(t.high or t.low for t in totals), Decimal(1))
    scale = Decimal(bar_w) / top
    parts = []
    for i, t in enumerate(totals):
        y = 2 + i * row_h
        name = t.name if len(t.name) <= 72 else t.name[:71] + "…"
        low_w = float(t.low * scale)
        parts.append(f"<g><title>{escape(t.name)} : {escape(total_text(t))}, {t.flows} flux</title>")
        parts.append(f'<text x="0" y="{y + 13}">{escape(name)}</text>')
        parts.append(f'<rect x="0" y="{y + 19}" width="{low_w:.1f}" height="18" fill="#00358e"/>')
        end = low_w
        if t.high is not None and t.high > t.low:
            high_w = float((t.high - t.low) * scale)
            parts.append(
                f'<rect x="{end:.1f}" y="{y + 19}" width="{high_w:.1f}" height="18" fill="#9db4e0" stroke="#00358e"/>'
            )
            end += high_w
            value = f"{compact_euros(t.low)} – {compact_euros(t.high)}"
        elif t.high is None:
            parts.append(
                f'<line x1="{end:.1f}" y1="{y + 28}" x2="{end + 24:.1f}" y2="{y + 28}" stroke="#00358e" '
                'stroke-width="2" stroke-dasharray="4 3" marker-end="url(#open-end)"/>'
            )
            end += 30
            value = f"plus de {compact_euros(t.low)}"
        elif t.low == 0:
            value = "montant non précisé"
        else:
            value = compact_euros(t.low)
        parts.append(f'<text x="{end + 6:.1f}" y="{y + 33}">{escape(value)} ({t.flows} flux)</text></g>')
    title = f"Montants par {GROUPS[group]}"
    return (
        f'<figure><svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="chart-title"><title id="chart-title">{escape(title)}</title>'
        '<defs><marker id="open-end" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" markerHeight="6" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#00358e"/></marker></defs>'
        + "".join(parts)
        + "</svg>\n<figcaption>Barre pleine : somme des montants certains (borne basse) ; barre claire : jusqu'à la "
        "borne haute des fourchettes ; flèche pointillée : un montant « plus de » laisse la borne haute "
        "inconnue.</figcaption></figure>"
    )


def totals_table(totals: list[Total], group: str) -> str:
    """The chart's numbers as a table, for screen readers and for copying."""
    lines = "".join(
        f'<tr><th scope="row">{escape(t.name)}</th><td class="n">{t.flows}</td>'
        f'<td class="n">{escape(total_text(t))}</td></tr>'
        for t in totals
    )
    return (
        f'<div class="table-wrap"><table id="funding-totals"><caption>Totaux par {escape(GROUPS[group])}</caption>'
        f'<thead><tr><th scope="col">{escape(GROUPS[group].capitalize())}</th><th scope="col">Flux</th>'
        f'<th scope="col">Montant total</th></tr></thead><tbody>{lines}</tbody></table></div>'
    )


def _errors_html(errors: Sequence[BadParameter]) -> str:
    """The filters a browser sent that are not valid, in words (the page then shows what the others select)."""
    if not errors:
        return ""
    items = "".join(
        f'<li>« <code>{escape(e.name)}</code> » : <span lang="en">{escape(str(e))}</span></li>' for e in errors
    )
    return (
        '<div class="problem" role="alert"><h2>Filtre non valide</h2>\n'
        "<p>Ces paramètres de l'adresse ne sont pas valides ; la page les ignore et montre les autres filtres "
        f"(ou tout) :</p>\n<ul>{items}</ul></div>\n"
    )


def funding_page_html(
    flows: list[dict[str, str | None]],
    totals: list[Total],
    choices: dict[str, list[tuple[str, str]]],
    chosen: dict[str, str],
    stats: DatasetStats,
    errors: Sequence[BadParameter] = (),
) -> str:
    """The funding page: filters, chart and totals, then the table of flows; first, the filters left out."""
    documents = {g.seed_file: (g.name, g.title or g.seed_file) for g in stats.graphs if g.seed_file}
    group = chosen["group"]
    groups = "".join(
        f'<option value="{key}"{" selected" if key == group else ""}>{escape(label)}</option>'
        for key, label in GROUPS.items()
    )
    body = f"""<h1>Financements</h1>
<p>Les flux de financement que les documents sources énoncent : qui finance, qui reçoit, par quel dispositif ou
plan, combien — avec le qualificatif du montant (« plus de », fourchette, en moyenne, par an) — et le document qui le
dit. Les totaux additionnent les fourchettes en bornes basse et haute ; un montant « plus de » laisse la borne haute
inconnue. Mêmes données : requêtes <a href="/queries/funding-flows">funding-flows</a> et
<a href="/queries/funding-totals">funding-totals</a>.</p>
{_errors_html(errors)}<form class="filters" method="get" action="/explore/funding">
<p><label for="territory">Territoire</label>
<select id="territory" name="territory">{_options(choices["territory"], chosen["territory"], "Tous les territoires")}</select></p>
<p><label for="scheme">Dispositif ou plan</label>
<select id="scheme" name="scheme">{_options(choices["scheme"], chosen["scheme"], "Tous les dispositifs")}</select></p>
<p><label for="funder">Financeur</label>
<select id="funder" name="funder">{_options(choices["funder"], chosen["funder"], "Tous les financeurs")}</select></p>
<p><label for="group">Totaux par</label><select id="group" name="group">{groups}</select></p>
<p><button type="submit">Afficher</button></p>
</form>
<h2>Montants par {escape(GROUPS[group])}</h2>
{bar_chart(totals, group)}
{totals_table(totals, group)}
<h2>Les flux</h2>
<p>Cliquer sur un en-tête de colonne trie le tableau.</p>
{flows_table(flows, documents)}"""
    scripts = (f"{site.SITE_STATIC}/funding.js",)
    return site.page(
        "Financements — Territoires d'industrie", body, current="/explore/funding", head=HEAD, scripts=scripts
    )


def _pairs(rows: list[dict[str, str | None]], key: str, label: str) -> list[tuple[str, str]]:
    pairs = {(r.get(key) or ""): (r.get(label) or local_name(r.get(key) or "")) for r in rows}
    return sorted(((k, v) for k, v in pairs.items() if k.startswith("http")), key=lambda p: sort_key(p[1]))


def read_filters(items: Sequence[tuple[str, str]]) -> tuple[dict[str, str], list[BadParameter]]:
    """The funding page's filters from the query string, each checked before anything runs.

    Returns the values to use — a bad one left at its default — and one `BadParameter` per bad one: repeated
    (the rule of the canned queries, `read_parameters`), not of its type (as funding-flows binds it), or a
    grouping other than those of GROUPS (empty included: the chart needs one). Other parameters are ignored.
    """
    chosen = {**dict.fromkeys(FILTERS, ""), "group": DEFAULT_GROUP}
    errors: list[BadParameter] = []
    for name in chosen:
        given = [(n, v) for n, v in items if n == name]
        try:
            read_parameters(given)
            if not given:
                continue
            value = given[0][1]
            if name == "group" and value not in GROUPS:
                raise BadParameter(name, f"{value!r} is not a grouping (use one of {', '.join(GROUPS)})")
            if name != "group":
                queries.get("funding-flows").bind({name: value})
        except BadParameter as e:
            errors.append(e)
            continue
        chosen[name] = value
    return chosen, errors


@router.get("/funding", response_class=HTMLResponse)
def funding_page(request: Request, select: SelectDep, stats: StatsDep) -> HTMLResponse:
    """Funding flows by territory, scheme and funder (IRIs, empty for all), totals by `group`: the canned
    queries funding-flows and funding-totals. A bad value is a 400: the page itself, with the error and the
    filter left out, for a browser; problem+json for anything else."""
    chosen, errors = read_filters(list(request.query_params.multi_items()))
    if errors and not conneg.prefers_html(conneg.parse_accept(request.headers.get("accept"))):
        raise errors[0]
    filters = {name: chosen[name] for name in FILTERS}
    group = chosen["group"]
    flows = rows_of(select, "funding-flows", filters)
    totals = totals_of(rows_of(select, "funding-totals", {**filters, "group": group}), group)
    choices = {
        "territory": _pairs(rows_of(select, "territories"), "t", "territory"),
        "scheme": _pairs(rows_of(select, "funding-totals", {"group": "scheme"}), "key", "name"),
        "funder": _pairs(rows_of(select, "funding-totals", {"group": "funder"}), "key", "name"),
    }
    page = funding_page_html(flows, totals, choices, chosen, stats, errors)
    return HTMLResponse(page, status_code=400 if errors else 200)
