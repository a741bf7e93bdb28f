"""The page of a resource for people (templates/resource.html): its name in French and English, its types,
every statement about it both ways, each with the documents that state it; and the 404 page of an IRI the graph
does not mention (templates/resource_unknown.html).

This module only orders and groups the facts of a `kg.docs.describe.Description`; the HTML is the templates'.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from kg.docs import describe as kgdescribe
from kg.docs.describe import RDF_TYPE, Description, Fact, compact
from kg.sources.namespaces import SKOS, TI

from ..web.filters import SOURCE_PREFIX
from ..web.templating import render

INCOMING_SHOWN = 100  # incoming links shown per property; the RDF formats carry them all
FIRST = (RDF_TYPE, *kgdescribe.LABELS, SKOS + "altLabel")  # shown first, in this order
RDF_FORMATS = (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"))


def _order(f: Fact) -> tuple[int, str, str]:
    first = FIRST.index(f.property) if f.property in FIRST else len(FIRST)
    return (first, (f.property_label.text or compact(f.property)).lower(), f.value.value)


def grouped(facts: Sequence[Fact], limit: int | None = None) -> tuple[list[list[Fact]], int]:
    """Facts by property in display order, at most `limit` per property; (groups, how many were left out).

    Each group is one row group of the page's tables, headed by its property's name."""
    groups: dict[str, list[Fact]] = {}
    left_out = 0
    for f in sorted(facts, key=_order):
        group = groups.setdefault(f.property, [])
        if limit is None or len(group) < limit:
            group.append(f)
        else:
            left_out += 1
    return list(groups.values()), left_out


def uses_query(iri: str) -> str:
    """A link to the SPARQL endpoint listing the statements that use a property, with their graphs."""
    return "/sparql?" + urlencode({"query": kgdescribe.uses_query(iri)})


def resource_page(d: Description, page: str, truncated: bool = False) -> str:
    """The HTML page of a resource: name, types, statements both ways, each with its sources."""
    label = d.label.or_known(d.iri)
    outgoing, _ = grouped(d.outgoing)
    incoming, left_out = grouped(d.incoming, INCOMING_SHOWN)
    return render(
        "resource.html",
        d=d,
        page=page,
        label=label,
        name=label.text or compact(d.iri),
        truncated=truncated,
        formats=RDF_FORMATS,
        ontology_anchor=d.iri[len(str(TI)) :] if d.iri.startswith(str(TI)) else None,
        document_facts=(
            "/queries/document-facts?" + urlencode({"document": d.iri}) if d.iri.startswith(SOURCE_PREFIX) else None
        ),
        outgoing=outgoing,
        incoming=incoming,
        left_out=left_out,
        uses=uses_query(d.iri),
    )


def not_found_page(iri: str) -> str:
    """A 404 for a browser: what was asked, and where to look instead."""
    return render("resource_unknown.html", iri=iri)
