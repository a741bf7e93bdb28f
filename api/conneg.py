"""Content negotiation: which syntax answers a request, from `Accept` (q-values, wildcards) or a `format` parameter.

Ranking follows RFC 9110 §12.5.1 as Oxigraph's server does: each offered type takes the q-value of the most
specific media range that matches it; the highest q wins, then the more specific match, then the server's
order (its default first). A `format` (or `output`, `results`) parameter lets a browser link choose, and
wins over `Accept`; a browser's `Accept` (HTML first) on a query gets the default rather than whatever
`application/xml;q=0.9` happens to match. Nothing acceptable is a 406 that lists what is available.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fastapi import Request

from .errors import NotAcceptable

W3C_FORMATS = "http://www.w3.org/ns/formats/"
FORMAT_PARAMETERS = ("format", "output", "results")  # Virtuoso, Joseki/Fuseki, and what SPARQLWrapper sends


@dataclass(frozen=True)
class Format:
    """A syntax the API can answer in: its key in `kg`, its media type, and what else selects it."""

    key: str  # the name `kg.store.local` / the executor use: json, xml, csv, tsv, turtle, …, html
    media_type: str  # the Content-Type answered
    aliases: tuple[str, ...] = ()  # other media types in Accept that select it
    names: tuple[str, ...] = ()  # values of the format parameter that select it (besides the media types)
    w3c: str | None = None  # its IRI under http://www.w3.org/ns/formats/, for the service description

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.media_type.startswith("text/") else self.media_type

    def selected_by(self, value: str) -> bool:
        """Whether a format-parameter value (a short name or a media type) names this format."""
        v = value.split(";")[0].strip().lower()
        return v in self.names or v in self.media_types


JSON = Format(
    "json",
    "application/sparql-results+json",
    ("application/json",),
    ("json", "srj"),
    W3C_FORMATS + "SPARQL_Results_JSON",
)
XML = Format(
    "xml",
    "application/sparql-results+xml",
    ("application/xml",),
    ("xml", "srx"),
    W3C_FORMATS + "SPARQL_Results_XML",
)
CSV = Format("csv", "text/csv", (), ("csv",), W3C_FORMATS + "SPARQL_Results_CSV")
TSV = Format("tsv", "text/tab-separated-values", (), ("tsv",), W3C_FORMATS + "SPARQL_Results_TSV")
TURTLE = Format(
    "turtle",
    "text/turtle",
    ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3", "application/n3"),  # Turtle ⊂ N3
    ("turtle", "ttl", "n3"),
    W3C_FORMATS + "Turtle",
)
NTRIPLES = Format("ntriples", "application/n-triples", (), ("ntriples", "nt", "n-triples"), W3C_FORMATS + "N-Triples")
JSONLD = Format(
    "jsonld",
    "application/ld+json",
    ("application/json", "application/x-json+ld"),
    ("jsonld", "json-ld", "json"),
    W3C_FORMATS + "JSON-LD",
)
RDFXML = Format(
    "rdfxml",
    "application/rdf+xml",
    ("application/xml",),
    ("rdfxml", "rdf+xml", "rdf", "xml"),
    W3C_FORMATS + "RDF_XML",
)
TRIG = Format("trig", "application/trig", (), ("trig",), W3C_FORMATS + "TriG")
NQUADS = Format("nquads", "application/n-quads", (), ("nquads", "nq", "n-quads"), W3C_FORMATS + "N-Quads")
HTML = Format("html", "text/html", ("application/xhtml+xml",), ("html",))

RESULTS: tuple[Format, ...] = (JSON, XML, CSV, TSV)  # SELECT / ASK; the first is the default
GRAPHS: tuple[Format, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS)  # CONSTRUCT / DESCRIBE
DESCRIPTIONS: tuple[Format, ...] = (TURTLE, JSONLD, RDFXML, NTRIPLES, HTML)  # service description, VoID
PAGES: tuple[Format, ...] = (HTML, TURTLE, JSONLD, NTRIPLES, RDFXML)
"""The site's pages of RDF (a resource, the ontology, the home page): HTML first, so a client without preference
(curl's */*) gets the page; RDF clients get the statements."""
ALL: tuple[Format, ...] = (*RESULTS, *GRAPHS, HTML)


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    q: float = 1.0

    @property
    def specificity(self) -> int:
        return 0 if self.type == "*" else 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        t, _, s = media_type.partition("/")
        return self.type in ("*", t) and self.subtype in ("*", s)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed elements are skipped, as HTTP clients expect."""
    ranges: list[MediaRange] = []
    for element in (header or "").split(","):
        media, *params = (p.strip() for p in element.split(";"))
        media = "*/*" if media == "*" else media.lower()
        t, slash, s = media.partition("/")
        if not slash or not t or not s or (t == "*" and s != "*"):
            continue
        q = 1.0
        try:
            for param in params:
                name, _, value = param.partition("=")
                if name.strip().lower() == "q":
                    q = float(value.strip())
        except ValueError:
            continue
        if 0.0 <= q <= 1.0:
            ranges.append(MediaRange(t, s, q))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """(q, specificity) the most specific matching range gives a media type; (0, -1) if none matches."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (best is None or r.specificity > best.specificity):
            best = r
    return (best.q, best.specificity) if best else (0.0, -1)


def negotiate(ranges: Sequence[MediaRange], offers: Sequence[Format]) -> Format | None:
    """The offer the client prefers: highest q, then most specific match, then server order; None if none."""
    scored: list[tuple[tuple[float, int, int], Format]] = []
    for index, offer in enumerate(offers):
        q, specificity = max(quality(ranges, m) for m in offer.media_types)
        if q > 0:
            scored.append(((q, specificity, -index), offer))
    return max(scored, key=lambda item: item[0])[1] if scored else None


def prefers_html(ranges: Sequence[MediaRange]) -> bool:
    """A browser: HTML named explicitly, with the highest q of the header."""
    if not ranges:
        return False
    top = max(r.q for r in ranges)
    return any(quality(ranges, m) == (top, 2) for m in HTML.media_types) and top > 0


def choose(
    accept: str | None,
    offers: Sequence[Format],
    requested: Iterable[str] = (),
    what: str = "this answer",
    *,
    strict: bool = False,
) -> Format:
    """The format to answer in; `NotAcceptable` listing the available media types when none fits.

    `requested` are the values of the format parameters: the first that names an offer wins; values that
    name a format of another kind of answer (csv for a graph) are a 406; unknown values are ignored, as the
    SPARQL protocol's clients add their own, unless `strict` (an API whose `format` is its own): then a 406.
    """
    misplaced = []
    for value in requested:
        for offer in offers:
            if offer.selected_by(value):
                return offer
        if strict or any(f.selected_by(value) for f in ALL):
            misplaced.append(value)
    available = [o.media_type for o in offers]
    if misplaced:
        raise NotAcceptable(
            f"format {misplaced[0]!r} cannot carry {what}; available: {', '.join(names(offers))}",
            available=available,
        )
    ranges = parse_accept(accept)
    if not ranges or (HTML not in offers and prefers_html(ranges)):
        return offers[0]
    chosen = negotiate(ranges, offers)
    if chosen is None:
        raise NotAcceptable(
            f"no media type in Accept: {accept} can carry {what}; available: {', '.join(available)}",
            available=available,
        )
    return chosen


def names(offers: Sequence[Format]) -> list[str]:
    """What a format parameter says to choose each offer: its first short name, else its key."""
    return [f.names[0] if f.names else f.key for f in offers]


def requested_formats(request: Request) -> list[str]:
    """The values of the request's format parameters (`format`, `output`, `results`), in order."""
    return [value for name, value in request.query_params.multi_items() if name in FORMAT_PARAMETERS]


def choose_for(request: Request, offers: Sequence[Format], what: str) -> Format:
    """`choose` for a GET request: its `Accept` header and its format parameters."""
    return choose(request.headers.get("accept"), offers, requested_formats(request), what=what)


def by_key(key: str, offers: Sequence[Format] = ALL) -> Format:
    """The format with this `kg` key (the executor reports answers by key)."""
    return next(f for f in offers if f.key == key)
