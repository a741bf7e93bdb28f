"""The pages of the endpoint's descriptions for people who open them in a browser: GET /sparql without a query
(templates/sparql.html: what the endpoint is, YASGUI on it, the canned queries as examples, the dataset, formats
and limits) and /.well-known/void (templates/void.html: statistics, licences, named graphs).

YASGUI is vendored under api/static/vendor/ (see frontend/) and driven by api/static/site/sparql.js, which reads
the page's JSON configuration; without JavaScript, a plain form sends the query by GET. This module prepares that
configuration and the examples; the HTML is the templates'.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

from kg import queries
from kg.config import Settings
from kg.errors import KGError
from kg.sources.namespaces import ONTOLOGY_IRI, PREFIXES

from ..conneg import GRAPHS, RESULTS
from ..service_description import limits_text
from ..stats import DatasetStats
from ..web.filters import ID, href
from ..web.templating import render

DEFAULT_QUERY = """# En quelle année la phase 1 s'est-elle terminée, selon chaque document source ?
SELECT ?annee ?document ?fichier WHERE {
  GRAPH ?document { phase:1 ti:endYear ?annee }
  ?document ti:seedFile ?fichier .
} ORDER BY ?annee ?document"""
"""The first tab's query, after the project's prefixes: it shows that each source keeps its own claims."""
SHORT_DESCRIPTION = 140


def prefix_block() -> str:
    """The project's prefixes (kg.sources.namespaces.PREFIXES) as SPARQL PREFIX lines."""
    return "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())


def example_text(q: queries.CannedQuery) -> str:
    """A canned query ready to run: its title as a comment, its required parameters set to their examples.

    The `#+` header is left out (the page shows the description); the optional parameters stay in the
    VALUES block as UNDEF, where a user replaces one with a value to filter.
    """
    required = {p.name: p.example for p in q.params if p.required and p.example is not None}
    text = q.bind(required)
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip()
    about = "".join(f"# {line}\n" for line in textwrap.wrap(q.description, 100))
    return f"# {q.title}\n{about}{body}\n"


def short_description(text: str, limit: int = SHORT_DESCRIPTION) -> str:
    """The first sentence of a description, cut at a word before `limit` characters (the page shows it under
    an example's button; the whole description opens with the query, as comments)."""
    first = re.split(r"(?<=[.;:])\s+(?=[A-Z(])", text.strip(), maxsplit=1)[0]
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—–(") + "…"


def canned_examples() -> list[dict[str, str]]:
    """Every canned query (kg.queries) as a YASGUI example: name, title, description and runnable text."""
    examples = []
    for name in queries.names():
        try:
            q = queries.get(name)
            text = example_text(q)
        except KGError:  # a canned query with a broken header is not offered, not an error page
            continue
        examples.append({"name": name, "title": q.title, "description": q.description, "query": text})
    return examples


def page_links() -> dict[str, str]:
    """What a page's script needs to link an IRI to its page here exactly as `filters.href` does (the rules
    are applied by api/static/site/links.js): our namespace and the path of its pages, the ontology and its page,
    and the page of any other IRI, form-encoded after it. Each page prefix is asked of `href` itself."""
    return {
        "id": ID,
        "idPage": href(ID),
        "ontology": ONTOLOGY_IRI,
        "ontologyPage": href(ONTOLOGY_IRI),
        "resource": href(""),
    }


def service_page(endpoint: str, void_url: str, stats: DatasetStats, settings: Settings) -> str:
    """The endpoint's page for browsers: YASGUI on this endpoint, the canned queries as examples, then the
    dataset summary, formats and limits. Without JavaScript a plain form sends the query by GET."""
    examples = canned_examples()
    config = {
        "endpoint": endpoint,
        "links": page_links(),
        "prefixes": PREFIXES,
        "query": f"{prefix_block()}\n\n{DEFAULT_QUERY}\n",
        "examples": examples,
    }
    return render(
        "sparql.html",
        endpoint=endpoint,
        void_url=void_url,
        stats=stats,
        examples=[(e, short_description(e["description"])) for e in examples],
        query=f"{prefix_block()}\n\n{DEFAULT_QUERY}",
        result_formats=[f.media_type for f in RESULTS],
        graph_formats=[f.media_type for f in GRAPHS],
        limits=limits_text(settings),
        config=config,
    )


def void_page(
    endpoint: str, void_url: str, stats: DatasetStats, dumps: Sequence[str] = (), catalog: str | None = None
) -> str:
    """The VoID description for people: statistics, licences, sources, named graphs, dumps."""
    return render("void.html", endpoint=endpoint, void_url=void_url, stats=stats, dumps=dumps, catalog=catalog)
