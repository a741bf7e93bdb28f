"""What the funding page shows, in words and in numbers: amounts with their qualifiers, totals, chart bars.

The route (api/web/routers/funding.py) runs the canned queries funding-flows and funding-totals; this module
turns their rows into what templates/funding.html prints — plain text and numbers, escaped by Jinja2.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kg.sources.labels import sort_key

from ..web.filters import compact_euros, euros, local_name

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
UNNAMED_GROUP = {
    "scheme": "(sans dispositif nommé)",
    "funder": "(financeur non nommé)",
    "region": "(sans région)",
    "phase": "(sans phase)",
}
BAR_WIDTH, VALUE_WIDTH, ROW_HEIGHT, AXIS_HEIGHT = 250, 180, 46, 22  # the chart's geometry, in SVG units
MAX_NAME = 64  # longer group names are cut on the chart (the tooltip and the table keep them whole)
MAX_TICKS = 6  # graduations of the axis at most (every other decade beyond)


def _decimal(value: str | None) -> Decimal | None:
    """A number of the graph, or None when there is none that can be summed and drawn (empty, NaN, infinite)."""
    if value is None or value == "":
        return None
    try:
        d = Decimal(value)
    except InvalidOperation:
        return None
    return d if d.is_finite() else None


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


@dataclass(frozen=True)
class Document:
    """The source document a flow's amount comes from: its page and its title."""

    iri: str
    title: str


@dataclass(frozen=True)
class Flow:
    """One line of the table of flows, as the page prints it."""

    iri: str
    label: str
    funders: str
    recipients: str
    schemes: str
    amount: str
    amount_sort: str
    phase: str
    projects: str
    source: str  # the seed file, when the row names one
    document: Document | None  # the source document of that seed file, when the dataset has it


def flows_of(rows: list[dict[str, str | None]], documents: dict[str, Document]) -> list[Flow]:
    """The funding-flows rows as table lines, each amount in words and its source document found."""
    out = []
    for row in rows:
        iri = row.get("flow") or ""
        source = row.get("source") or ""
        out.append(
            Flow(
                iri=iri,
                label=row.get("label") or local_name(iri),
                funders=row.get("funders") or "non nommé",
                recipients=row.get("recipients") or "",
                schemes=row.get("schemes") or "",
                amount=amount_text(row),
                amount_sort=amount_sort_key(row),
                phase=row.get("phaseN") or "",
                projects=row.get("projectCount") or "",
                source=source,
                document=documents.get(source) if source else None,
            )
        )
    return out


@dataclass(frozen=True)
class Total:
    """One bar of the chart: a group's name, how many flows, its lower bound and its upper bound (None if open)."""

    name: str
    flows: int
    low: Decimal
    high: Decimal | None

    @property
    def words(self) -> str:
        """The total in words (`total_text`)."""
        return total_text(self)


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


@dataclass(frozen=True)
class Bar:
    """One line of the chart: the group's name (cut if long) above its bar, solid to the lower bound, pale to the
    upper bound (`high_width`), or a dashed arrow when the upper bound is open; then the value in words."""

    total: Total
    name: str
    y: int
    low_width: float
    high_width: float | None  # the pale part, when there is a higher upper bound
    open_ended: bool
    end: float  # where the value's text starts, less its margin
    value: str


@dataclass(frozen=True)
class Tick:
    """A graduation of the chart's axis: where it is, and the amount it marks ("10 M€")."""

    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    """An inline SVG bar chart of the totals, one group per line, on a logarithmic scale with its graduations."""

    title: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...] = ()
    axis_y: int = 0  # the top of the axis, below the last bar


def log_scale(totals: list[Total]) -> tuple[Callable[[Decimal], float], tuple[Tick, ...]]:
    """Where an amount ends on the chart (0 for none), and the axis's graduations, one per power of ten.

    Logarithmic, because the amounts run from a few million euros for a territory to billions for the whole
    programme: on a linear scale a local amount is a bar a fraction of a pixel wide. The scale starts one power
    of ten below the smallest amount, so that every amount has a bar of its own."""
    amounts = [float(v) for t in totals for v in (t.low, t.high) if v is not None and v > 0]
    top = math.log10(max(amounts))
    start = math.ceil(math.log10(min(amounts))) - 1
    span = max(top - start, 1e-9)

    def x(value: Decimal) -> float:
        return 0.0 if value <= 0 else BAR_WIDTH * (math.log10(float(value)) - start) / span

    decades = list(range(start, math.floor(top + 1e-9) + 1))
    step = 1 if len(decades) <= MAX_TICKS else 2
    ticks = tuple(Tick(x(Decimal(10) ** k), compact_euros(Decimal(10) ** k)) for k in decades[::step])
    return x, ticks


def chart_of(totals: list[Total], group: str) -> Chart | None:
    """The chart's geometry, or None when no total has an amount. Names sit above the bars so the chart stays
    narrow enough to read on a phone; the scale is logarithmic (`log_scale`)."""
    if not any(v is not None and v > 0 for t in totals for v in (t.low, t.high)):
        return None
    x, ticks = log_scale(totals)
    bars = []
    for i, t in enumerate(totals):
        low_width = x(t.low)
        high_width = None
        end = low_width
        if t.high is not None and t.high > t.low:
            high_width = x(t.high) - low_width
            end += high_width
            value = f"{compact_euros(t.low)} – {compact_euros(t.high)}"
        elif t.high is None:
            end += 30
            value = f"plus de {compact_euros(t.low)}"
        elif t.low == 0:
            value = "montant non précisé"
        else:
            value = compact_euros(t.low)
        name = t.name if len(t.name) <= MAX_NAME else t.name[: MAX_NAME - 1] + "…"
        bars.append(Bar(t, name, 2 + i * ROW_HEIGHT, low_width, high_width, t.high is None, end, value))
    width = BAR_WIDTH + VALUE_WIDTH
    axis_y = ROW_HEIGHT * len(totals) + 4
    title = f"Montants par {GROUPS[group]} (échelle logarithmique)"
    return Chart(title, width, axis_y + AXIS_HEIGHT, tuple(bars), ticks, axis_y)


def choice_pairs(rows: list[dict[str, str | None]], key: str, label: str) -> list[tuple[str, str]]:
    """A filter's choices from query rows: (IRI, label) for each IRI, sorted as a French reader does."""
    pairs = {(r.get(key) or ""): (r.get(label) or local_name(r.get(key) or "")) for r in rows}
    return sorted(((k, v) for k, v in pairs.items() if k.startswith("http")), key=lambda p: sort_key(p[1]))
