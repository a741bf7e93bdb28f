"""HTML fragments the server-rendered pages share: links to resources on this server, terms, labels, dates.

Every IRI of the graph has a page here: ours under `/id/…` (the path of the IRI itself), the ontology at
`/ontology`, anything else (INSEE, W3C vocabularies, ontology terms) at `/resource?iri=…`. Text always
goes through `html.escape`, and a URL taken from the graph through `safe_url` before it becomes a link;
French is the page language, and English text carries `lang="en"`.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode, urlsplit

from api.site import SITE_STATIC
from kg.docs.describe import Label, Source, Term, compact
from kg.sources.namespaces import CURATION_GRAPH, GEO_GRAPH, ONTOLOGY_IRI, TID

ID = str(TID)
SOURCE_PREFIX = ID + "source/"
PAGES_CSS = f"{SITE_STATIC}/pages.css"
HEAD = f'<link rel="stylesheet" href="{PAGES_CSS}">\n'
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
XSD = "http://www.w3.org/2001/XMLSchema#"
_PATH_SAFE = "/-._~!$&'()*+,;=:@"
NO_LABEL = Label()


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


def label_html(label: Label, fallback: str) -> str:
    """The French name, the English one alongside when it differs; `fallback` (escaped) when there is none."""
    if label.fr and label.en and label.en != label.fr:
        return f'{escape(label.fr)} <span class="en" lang="en">{escape(label.en)}</span>'
    if label.fr:
        return escape(label.fr)
    if label.en:
        return f'<span lang="en">{escape(label.en)}</span>'
    return escape(fallback)


def iri_link(iri: str, label: Label = NO_LABEL) -> str:
    """A link to a resource's page, named by its label, else its prefixed name."""
    return f'<a href="{escape(href(iri))}">{label_html(label, compact(iri))}</a>'


def term_html(term: Term, label: Label = NO_LABEL) -> str:
    """A value: IRIs linked to their page, literals with their language or datatype."""
    if term.is_iri:
        return iri_link(term.value, label)
    if term.kind == "bnode":
        return f"<code>_:{escape(term.value)}</code>"
    if term.lang:
        lang = escape(term.lang)
        return f'<span lang="{lang}">{escape(term.value)}</span> <span class="tag">{lang}</span>'
    text = escape(term.value)
    if term.datatype == XSD + "date":
        text = f'<time datetime="{text}">{escape(french_date(term.value))}</time>'
    if term.datatype and term.datatype != XSD + "string":
        return f'{text} <span class="tag">{escape(compact(term.datatype))}</span>'
    return text


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


def source_link(source: Source) -> str:
    """A short link to a source, its title in the tooltip."""
    title = f' title="{escape(source.title)}"' if source.title else ""
    return f'<a class="src" href="{escape(href(source.graph))}"{title}>{escape(source_name(source.graph))}</a>'


def french_date(value: str) -> str:
    """`2024-01-26` as "26 janvier 2024"; anything else as it is."""
    parts = value[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        year, month, day = (int(p) for p in parts)
        if 1 <= month <= 12:
            return f"{'1er' if day == 1 else day} {MONTHS[month - 1]} {year}"
    return value
