"""`/explore/funding`: the funding flows for people, without writing SPARQL.

The page reads the graph only through the canned queries (`kg/queries/`), run through the worker pool with
the network router's per-version cache of rows, so it adds no SPARQL of its own. It is rendered here — filters,
a table of flows with each amount's qualifier and source, totals and an inline SVG bar chart
(templates/funding.html) — so it reads without JavaScript; api/static/site/funding.js only makes the table
sortable. Its filters are checked before anything runs: a bad, empty-where-not-allowed or repeated value is a
`BadParameter` (400 naming it) — problem+json for programs, the page itself with the error explained for browsers.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from kg import queries
from kg.errors import BadParameter
from kg.store.interface import Queryable

from ... import conneg
from ...deps import CachedStoreDep, StatsDep
from ...params import read_parameters
from ...stats import DatasetStats
from ...web.funding import GROUPS, Document, Total, chart_of, choice_pairs, flows_of, totals_of
from ...web.templating import render

router = APIRouter(prefix="/explore", tags=["explore"], include_in_schema=False)

DEFAULT_GROUP = "scheme"
FILTERS = ("territory", "scheme", "funder")  # the funding page's filters: parameters of funding-flows and -totals


def rows_of(store: Queryable, name: str, values: dict[str, str] | None = None) -> list[dict[str, str | None]]:
    """Rows of a canned query with its parameters bound (BadParameter, hence 400, on a bad value)."""
    return store.rows(queries.get(name).bind(values or {}))


def bar_chart(totals: list[Total], group: str) -> Markup:
    """The chart of the totals alone (the page includes the same template)."""
    return Markup(render("funding_chart.html", chart=chart_of(totals, group)).rstrip("\n"))


def funding_page_html(
    flows: list[dict[str, str | None]],
    totals: list[Total],
    choices: dict[str, list[tuple[str, str]]],
    chosen: dict[str, str],
    stats: DatasetStats,
    errors: Sequence[BadParameter] = (),
) -> str:
    """The funding page: filters, chart and totals, then the table of flows; first, the filters left out."""
    documents = {g.seed_file: Document(g.name, g.title or g.seed_file) for g in stats.graphs if g.seed_file}
    group = chosen["group"]
    return render(
        "funding.html",
        errors=errors,
        choices=choices,
        chosen=chosen,
        groups=GROUPS,
        group=group,
        chart=chart_of(totals, group),
        totals=totals,
        flows=flows_of(flows, documents),
    )


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
def funding_page(request: Request, store: CachedStoreDep, stats: StatsDep) -> HTMLResponse:
    """Funding flows by territory, scheme and funder (IRIs, empty for all), totals by `group`: the canned
    queries funding-flows and funding-totals. A bad value is a 400: the page itself, with the error and the
    filter left out, for a browser; problem+json for anything else."""
    chosen, errors = read_filters(list(request.query_params.multi_items()))
    if errors and not conneg.prefers_html(conneg.parse_accept(request.headers.get("accept"))):
        raise errors[0]
    filters = {name: chosen[name] for name in FILTERS}
    group = chosen["group"]
    flows = rows_of(store, "funding-flows", filters)
    totals = totals_of(rows_of(store, "funding-totals", {**filters, "group": group}), group)
    choices = {
        "territory": choice_pairs(rows_of(store, "territories"), "t", "territory"),
        "scheme": choice_pairs(rows_of(store, "funding-totals", {"group": "scheme"}), "key", "name"),
        "funder": choice_pairs(rows_of(store, "funding-totals", {"group": "funder"}), "key", "name"),
    }
    page = funding_page_html(flows, totals, choices, chosen, stats, errors)
    return HTMLResponse(page, status_code=400 if errors else 200)
