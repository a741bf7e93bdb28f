"""Filters and globals the templates share: links to resources on this server, dates, names of sources.

Every IRI of the graph has a page here: ours under `/id/…` (the path of the IRI itself), the ontology at
`/ontology`, anything else (INSEE, W3C vocabularies, ontology terms) at `/resource?iri=…`. A URL taken from
the graph goes through `safe_url` before it becomes a link. These return plain text; Jinja2 escapes it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from markupsafe import Markup

from kg import queries
from kg.docs.describe import compact
from kg.errors import KGError
from kg.sources.labels import Label, pick
from kg.sources.namespaces import CURATION_GRAPH, GEO_GRAPH, ONTOLOGY_IRI, TI, TID, XSD

from ..web.navigation import NAV

ID = str(TID)
SOURCE_PREFIX = ID + "source/"
SITE_STATIC = "/static/site"
VENDOR_STATIC = "/static/vendor"  # front-end packages from npm, copied by `make vendor` (frontend/)
PAGES_CSS = f"{SITE_STATIC}/pages.css"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
_PATH_SAFE = "/-._~!$&'()*+,;=:@"


def href(iri: str) -> str:
    """The page of a resource on this server."""
    if iri.startswith(ID) and not any(c in iri for c in "?#"):
        return "/id/" + quote(iri[len(ID) :], safe=_PATH_SAFE)
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    return "/resource?" + urlencode({"iri": iri})


def safe_url(url: str | None) -> str | None:
    """`url` if a link may point there: an http(s) URL with a host, or a path of this site; else None.

    A URL read from the graph (a licence, a homepage) goes through here before it becomes an `href`, so a
    `javascript:` or `data:` value never becomes a link that runs something.
    """
    if not url or any(ord(c) <= 0x20 or c in '\\"<>`' or ord(c) == 0x7F for c in url):
        return None
    if url.startswith("/"):
        return url if not url.startswith("//") else None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def with_format(page: str, fmt: str) -> str:
    """A resource page's URL asking for another format."""
    return f"{page}{'&' if '?' in page else '?'}{urlencode({'format': fmt})}"


def source_name(graph: str) -> str:
    """A short name for a graph that states facts: "doc. 001" for a source document."""
    if graph.startswith(SOURCE_PREFIX):
        return "doc. " + graph[len(SOURCE_PREFIX) :]
    if graph == str(CURATION_GRAPH):
        return "éditorial"
    if graph == str(GEO_GRAPH):
        return "Etalab"
    if graph == ONTOLOGY_IRI:
        return "ontologie"
    return compact(graph)


def french_date(value: str) -> str:
    """`2024-01-26` as "26 janvier 2024"; anything else as it is."""
    parts = value[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        year, month, day = (int(p) for p in parts)
        if 1 <= month <= 12:
            return f"{'1er' if day == 1 else day} {MONTHS[month - 1]} {year}"
    return value


def json_script(data: object) -> Markup:
    """JSON for a `<script type="application/json">` element: `<`, `>` and `&` escaped so no text from the
    graph can close the element."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


def local_name(iri: str) -> str:
    """The last segment of an IRI (a readable stand-in for a missing label)."""
    return re.split(r"[/#]", iri.rstrip("/#"))[-1] if iri else iri


def euros(value: Decimal, unit: bool = True) -> str:
    """2000000 → "2 000 000 €" (French grouping with narrow no-break spaces)."""
    whole = value == value.to_integral_value()
    text = f"{int(value):,}" if whole else f"{value:,.2f}".replace(".", "#")
    text = text.replace(",", "\u202f").replace("#", ",")
    return text + ("\u00a0€" if unit else "")


def compact_euros(value: Decimal) -> str:
    """3108000000 → "3,1 Md€", 88000000 → "88 M€": for a chart's labels."""
    for size, suffix in ((Decimal(10) ** 9, "Md€"), (Decimal(10) ** 6, "M€"), (Decimal(10) ** 3, "k€")):
        if abs(value) >= size:
            number = (value / size).quantize(Decimal("0.1"))
            text = str(number).rstrip("0").rstrip(".").replace(".", ",")
            return f"{text}\u00a0{suffix}"
    return euros(value)


def class_names(rows: Iterable[dict[str, str | None]]) -> dict[str, Label]:
    """The name of each class, in French and English, from the rows of the internal query `class-labels` (class,
    label, lang): a French page names a type "commune", not "Commune" or "municipality"."""
    candidates: dict[str, list[tuple[str, str | None]]] = {}
    for r in rows:
        if r.get("class") and r.get("label"):
            candidates.setdefault(r["class"] or "", []).append((r["label"] or "", r.get("lang")))
    return {iri: pick(found) for iri, found in candidates.items()}


def type_names(names: dict[str, Label]) -> dict[str, str]:
    """French names by local name ("Commune" → "commune"), for scripts that get a node's type as its local name
    (`GET /network`); the project's own class wins when two vocabularies share a local name."""
    out: dict[str, str] = {}
    for iri in sorted(names, key=lambda i: (i.startswith(str(TI)), i)):  # ti: last, so it overrides
        if text := names[iri].text:
            out[local_name(iri)] = text
    return out


def canned_text(name: str, key: str) -> Label:
    """A canned query's title or description in French and in English, for a French page (the /sparql buttons).

    The headers give `title` in French with `title_en` beside it (kg.queries); a header with no `title_en` is
    one written before that, in English. An unknown query, or one whose header does not load, has none."""
    try:
        header = queries.get(name).header
    except KGError:
        return Label()
    plain, english = header.get(key), header.get(f"{key}_en")
    plain = str(plain) if plain else None
    if english:
        return Label(plain, str(english))
    return Label(None, plain)


def canned_summary(name: str) -> Label:
    """The first sentence of a canned query's description, in French and in English (`canned_text`), as the
    /sparql page prints it under the query's button."""
    from ..web.service_page import short_description  # that module links through this one: imported when used

    d = canned_text(name, "description")
    return Label(d.fr and short_description(d.fr), d.en and short_description(d.en))


FILTERS: dict[str, Callable[..., Any]] = {
    "href": href,
    "safe_url": safe_url,
    "with_format": with_format,
    "source_name": source_name,
    "french_date": french_date,
    "compact": compact,
    "json_script": json_script,
    "local_name": local_name,
    "euros": euros,
    "compact_euros": compact_euros,
    "canned_text": canned_text,
    "canned_summary": canned_summary,
}
GLOBALS: dict[str, Any] = {
    "SITE_STATIC": SITE_STATIC,
    "VENDOR_STATIC": VENDOR_STATIC,
    "PAGES_CSS": PAGES_CSS,
    "XSD": XSD,
    "NO_LABEL": Label(),
    "NAV": NAV,  # the site's parts, for the navigation of base.html
}
