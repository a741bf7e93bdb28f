"""Dereferenceable IRIs: `/id/{path}` is the resource `https://w3id.org/territoires-industrie/id/{path}`,
`/resource?iri=…` any IRI the graph mentions (INSEE's, W3C vocabularies', the ontology's terms).

Direct content negotiation on one URL (with `Vary: Accept`), as w3id.org redirects an IRI to it: a browser
gets the resource page — its name in French and English, its types, every statement about it both ways,
each with the documents that state it — and an RDF client the same statements in Turtle, JSON-LD,
N-Triples or RDF/XML (`Accept` or `?format=`). Unknown IRIs are a 404, and so is a path under /id/ that
makes no IRI (`/id/a%20b`): an HTML page for a browser, problem+json otherwise; a missing, repeated or malformed
`iri` parameter is a 400 naming it. The queries are `kg.docs.describe`'s, which `kg describe` runs too.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from api import caching, conneg, errors, site
from api.deps import PoolDep, SettingsDep
from api.rendering import (
    HEAD,
    ID,
    SOURCE_PREFIX,
    href,
    iri_link,
    label_html,
    source_link,
    source_name,
    term_html,
    with_format,
)
from api.service_description import MAX_ROWS_HEADER, TRUNCATED_HEADER
from kg.config import Settings
from kg.docs import describe as kgdescribe
from kg.docs.describe import RDF_TYPE, Description, Fact, compact
from kg.errors import BadParameter, UnknownResource
from kg.sources.namespaces import TI
from kg.store.pool import QueryPool, QueryRequest

router = APIRouter(tags=["resources"])

INCOMING_SHOWN = 100  # incoming links shown per property; the RDF formats carry them all
FIRST = (RDF_TYPE, *kgdescribe.LABELS, kgdescribe.SKOS + "altLabel")  # shown first, in this order
EXAMPLE = ID + "territory/ardeche-drome-nord"
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The resource page (HTML) or its statements both ways (RDF)",
        "content": {f.media_type: {} for f in conneg.PAGES},
    },
    400: {"description": "A missing, repeated or malformed IRI"},
    404: {"description": "The graph says nothing about this IRI (or the path makes no IRI)"},
    406: {"description": "No acceptable format"},
}


@router.get(
    "/id/{path:path}",
    name="resource_by_path",
    summary="A resource of the graph by its IRI's path (content negotiation)",
    response_class=Response,
    responses=_RESPONSES,
)
def by_path(path: str, request: Request, settings: SettingsDep, pool: PoolDep) -> Response:
    """`https://w3id.org/territoires-industrie/id/{path}`: its page, or its statements in RDF; a path that makes
    no IRI (`/id/a%20b`) is a 404 like any IRI the graph does not mention."""
    return answer(request, settings, pool, ID + path, href(ID + path))


@router.get(
    "/resource",
    name="resource",
    summary="Any IRI the graph mentions (content negotiation)",
    response_class=Response,
    responses=_RESPONSES,
)
def by_iri(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    iri: Annotated[
        str,
        Query(
            description="An absolute IRI, or a prefixed name of the project's prefixes (`ti:Phase`).",
            json_schema_extra={"example": EXAMPLE},
        ),
    ],
) -> Response:
    """The page of any resource, including other namespaces' (INSEE, W3C vocabularies), or its RDF."""
    if (given := len(request.query_params.getlist("iri"))) > 1:
        raise BadParameter("iri", f"given {given} times; give it once")
    resource = kgdescribe.parse_iri(iri)
    return answer(request, settings, pool, resource, "/resource?" + urlencode({"iri": resource}))


def _runner(pool: QueryPool, cut: list[bool]) -> kgdescribe.Run:
    """`kg.docs.describe`'s Run through the pool; `cut` records whether an answer was truncated."""

    def run(sparql: str) -> bytes:
        result = pool.run(QueryRequest(sparql, result_format="json"))
        if result.truncated:
            cut.append(True)
        return result.body

    return run


def answer(request: Request, settings: Settings, pool: QueryPool, iri: str, page: str) -> Response:
    """Negotiate, then the page or the RDF; a 404 that varies with Accept like the answer itself."""
    fmt = conneg.choose_for(request, conneg.PAGES, "a resource description")
    tag = caching.etag(pool.version, "resource", iri, fmt.key, pool.max_rows)
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    cut: list[bool] = []
    run = _runner(pool, cut)
    try:
        if not kgdescribe.is_iri(iri):
            raise UnknownResource(f"{iri!r} is not an IRI, so the graph says nothing about it")
        if fmt is conneg.HTML:
            body = resource_page(kgdescribe.describe(run, iri), page, truncated=bool(cut)).encode("utf-8")
        else:
            result = pool.run(QueryRequest(kgdescribe.graph_query(iri), graph_format=fmt.key))
            if result.rows == 0 and not kgdescribe.used_as_property(run, iri):
                raise UnknownResource(f"the graph says nothing about <{iri}>")
            body, cut = result.body, [result.truncated]
    except UnknownResource as e:
        if fmt is conneg.HTML:
            return HTMLResponse(not_found_page(iri), status_code=errors.status_of(e), headers={"Vary": "Accept"})
        problem = errors.from_error(e)
        problem.headers["Vary"] = "Accept"
        return problem
    response = caching.response(body, fmt.content_type, tag, settings.cache_max_age)
    if any(cut):
        response.headers[TRUNCATED_HEADER] = "true"
        response.headers[MAX_ROWS_HEADER] = str(pool.max_rows)
    return response


# --- the page ----------------------------------------------------------------------------------------------


def _order(f: Fact) -> tuple[int, str, str]:
    first = FIRST.index(f.property) if f.property in FIRST else len(FIRST)
    return (first, (f.property_label.text or compact(f.property)).lower(), f.value.value)


def _sources(f: Fact) -> str:
    """The fact's sources after its value: short links, the full titles in their tooltips and in § Sources."""
    links = " ".join(source_link(s) for s in f.sources)
    return f' <span class="srcs"><span class="visually-hidden">source{"s" if len(f.sources) > 1 else ""} : </span>{links}</span>'


def _grouped(facts: Sequence[Fact], limit: int | None = None) -> tuple[list[list[Fact]], int]:
    """Facts by property in display order, at most `limit` per property; (groups, how many were left out)."""
    groups: dict[str, list[Fact]] = {}
    left_out = 0
    for f in sorted(facts, key=_order):
        group = groups.setdefault(f.property, [])
        if limit is None or len(group) < limit:
            group.append(f)
        else:
            left_out += 1
    return list(groups.values()), left_out


def _table(facts: Sequence[Fact], caption: str, value_header: str, limit: int | None = None) -> tuple[str, int]:
    """A table with one row group per property (its name heads the group); (table, facts left out)."""
    groups, left_out = _grouped(facts, limit)
    bodies = []
    for group in groups:
        head = group[0]
        name = iri_link(head.property, head.property_label)
        span = f' rowspan="{len(group)}"' if len(group) > 1 else ""
        rows = [
            (f'<th scope="rowgroup"{span}>{name}</th>' if i == 0 else "")
            + f"<td>{term_html(f.value, f.value_label)}{_sources(f)}</td>"
            for i, f in enumerate(group)
        ]
        bodies.append("<tbody>" + "".join(f"<tr>{r}</tr>" for r in rows) + "</tbody>\n")
    table = (
        f'<div class="table-wrap"><table class="facts">\n<caption>{caption}</caption>\n'
        f'<thead><tr><th scope="col">Propriété</th><th scope="col">{value_header} et sources</th></tr></thead>\n'
        f"{''.join(bodies)}</table></div>"
    )
    return table, left_out


def _sources_section(d: Description) -> str:
    items = "".join(
        f'<li><a href="{escape(href(s.graph))}">{escape(source_name(s.graph))}</a> : '
        f"{escape(s.title or s.graph)}</li>\n"
        for s in d.sources
    )
    return (
        '<h2 id="sources">Sources</h2>\n<p>Les faits de cette page sont énoncés par ces documents et graphes '
        "(chaque fait indique les siens) :</p>\n"
        f'<ul class="sources">\n{items}</ul>'
    )


def _related(d: Description, page: str) -> str:
    """Links that depend on what the resource is: the ontology's documentation, a document's statements."""
    links = [
        f'<a href="{escape(with_format(page, key))}">{name}</a>'
        for key, name in (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"))
    ]
    items = [f"<li>En RDF : {', '.join(links)}</li>"]
    if d.iri.startswith(str(TI)):
        anchor = d.iri[len(str(TI)) :]
        items.append(
            f'<li>Documentation : <a href="/ontology#{escape(anchor)}">ontologie, {escape(compact(d.iri))}</a></li>'
        )
    if d.iri.startswith(SOURCE_PREFIX):
        facts = "/queries/document-facts?" + urlencode({"document": d.iri})
        items.append(
            f'<li>Tout ce qu\'énonce ce document : <a href="{escape(facts)}">JSON</a>, '
            f'<a href="{escape(with_format(facts, "csv"))}">CSV</a></li>'
        )
    return '<ul class="related">' + "".join(items) + "</ul>"


def resource_page(d: Description, page: str, truncated: bool = False) -> str:
    """The HTML page of a resource: name, types, statements both ways, each with its sources."""
    label = d.label.or_known(d.iri)
    name = label.text or compact(d.iri)
    heading = label_html(label, compact(d.iri))
    types = ", ".join(iri_link(f.value.value, f.value_label) for f in d.types)
    parts = [f"<h1>{heading}</h1>"]
    parts.append(f'<p class="iri">IRI : <code>{escape(d.iri)}</code></p>')
    if types:
        parts.append(f"<p>Type : {types}</p>")
    parts.append(_related(d, page))
    if truncated:
        parts.append(
            '<p class="note">La description est tronquée : elle dépasse le nombre de lignes qu\'une réponse '
            "peut porter sur ce serveur.</p>"
        )
    if d.sources:
        parts.append(_sources_section(d))
    if d.outgoing:
        table, _ = _table(d.outgoing, "Ce que le graphe en dit", "Valeur")
        parts.append(f'<h2 id="proprietes">Propriétés</h2>\n{table}')
    if d.incoming:
        table, left_out = _table(d.incoming, "Ressources qui renvoient à celle-ci", "Ressource", INCOMING_SHOWN)
        note = (
            f'<p class="note">{left_out} autres liens entrants ne sont pas affichés ; '
            f'la <a href="{escape(with_format(page, "turtle"))}">description en Turtle</a> les contient tous.</p>'
            if left_out
            else ""
        )
        parts.append(f'<h2 id="liens-entrants">Liens entrants ({len(d.incoming)})</h2>\n{table}{note}')
    if not (d.outgoing or d.incoming):
        parts.append(
            "<p>Le graphe emploie cette ressource comme propriété, sans rien en dire d'autre. "
            f'<a href="{escape(_uses_query(d.iri))}">Ses emplois</a> (requête SPARQL).</p>'
        )
    return site.page(f"{name} — Territoires d'industrie", "\n".join(parts), head=HEAD)


def _uses_query(iri: str) -> str:
    """A link to the SPARQL endpoint listing the statements that use a property, with their graphs."""
    return "/sparql?" + urlencode({"query": kgdescribe.uses_query(iri)})


def not_found_page(iri: str) -> str:
    """A 404 for a browser: what was asked, and where to look instead."""
    body = f"""<h1>Ressource inconnue</h1>
<p>Le graphe ne dit rien de <code>{escape(iri)}</code> : aucun triplet ne l'a pour sujet, objet ou propriété.</p>
<form method="get" action="/resource">
<p><label for="iri">Ouvrir une autre ressource (IRI ou nom préfixé, par exemple <code>territory:agenais</code>)</label><br>
<input id="iri" name="iri" type="text" size="60" value="{escape(iri)}"></p>
<p><button type="submit">Ouvrir</button></p>
</form>
<p><a href="/">Retour à l'accueil</a>, ou <a href="/sparql">interroger le graphe en SPARQL</a>.</p>"""
    return site.page("Ressource inconnue — Territoires d'industrie", body, head=HEAD)
