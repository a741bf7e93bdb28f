"""The home page: what the graph holds, where it comes from, when it was built, and links to everything.

The counts come from the canned queries `instances-per-class` and `source-documents`, run through the
query pool like any query, and the named graphs from the VoID statistics; nothing is hand-maintained. An RDF
client asking `/` for RDF is sent (303) to the dataset's VoID description.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from api import caching, conneg, site
from api.deps import PoolDep, SettingsDep, StatsDep, pool_select
from api.rendering import HEAD, SOURCE_PREFIX, french_date, href, label_html, safe_url
from api.stats import DatasetStats, GraphStats
from kg import queries
from kg.docs.describe import Label, compact
from kg.sources.namespaces import ONTOLOGY_IRI

router = APIRouter()

OWL = "http://www.w3.org/2002/07/owl#"
Rows = list[dict[str, str | None]]

LINKS: tuple[tuple[str, str, str], ...] = (
    *((url, name, site.NAV_DESCRIPTIONS.get(url, "")) for url, name in site.NAV if url != "/"),
    ("/queries", "Requêtes prêtes à l'emploi", "la liste des requêtes paramétrées, en JSON"),
)
"""What the home page links to, each with what it is for: the site's navigation, and the canned queries."""


@router.get("/", name="home", include_in_schema=False, response_class=Response)
def home(request: Request, settings: SettingsDep, pool: PoolDep, stats: StatsDep) -> Response:
    """The page for a browser; 303 to /.well-known/void for an RDF client."""
    fmt = conneg.choose_for(request, conneg.PAGES, "the home page")
    if fmt is not conneg.HTML:
        target = str(request.url_for("void"))
        if conneg.requested_formats(request):
            target += "?format=" + fmt.key
        return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})
    tag = caching.etag(pool.version, "home")
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    select = pool_select(pool)
    classes = select(queries.get("instances-per-class").text)
    documents = select(queries.get("source-documents").text)
    coverage = select(queries.get("coverage").text)
    body = home_page(stats, classes, documents, coverage).encode("utf-8")
    return caching.response(body, conneg.HTML.content_type, tag, settings.cache_max_age)


# --- the page ----------------------------------------------------------------------------------------------


def _count(row: dict[str, str | None]) -> int:
    return int(row.get("instances") or 0)


def _classes_table(classes: Rows) -> str:
    rows = "".join(
        f'<tr><th scope="row"><a href="{escape(href(c))}">'
        f"{label_html(Label(r.get('labelFr'), r.get('label')), compact(c))}</a></th>"
        f'<td class="n">{_count(r)}</td></tr>\n'
        for r in classes
        if (c := r["class"] or "")
    )
    return (
        '<div class="table-wrap"><table>\n<caption>Ressources par classe</caption>\n'
        '<thead><tr><th scope="col">Classe</th><th scope="col">Nombre</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody></table></div>"
    )


def document_date(row: dict[str, str | None]) -> str:
    """What a document says of its date: published, dated or updated, in French; "non datée" without."""
    if row.get("issued"):
        return f"publié le {french_date(row['issued'] or '')}"
    if row.get("date"):
        return french_date(row["date"] or "")
    if row.get("modified"):
        return f"mis à jour le {french_date(row['modified'] or '')}"
    return "non daté"


def _documents_table(documents: Rows) -> str:
    rows = "".join(
        f'<tr><th scope="row"><a href="{escape(href(d["document"] or ""))}">'
        f"{escape(d.get('label') or d.get('title') or compact(d['document'] or ''))}</a></th>"
        f"<td>{escape(document_date(d))}</td><td>{escape(d.get('genre') or '')}</td>"
        f'<td><code>{escape(d.get("seedFile") or "")}</code></td><td class="n">{escape(d.get("triples") or "")}</td></tr>\n'
        for d in documents
    )
    return (
        '<div class="table-wrap"><table>\n<caption>Documents sources</caption>\n'
        '<thead><tr><th scope="col">Document</th><th scope="col">Date</th><th scope="col">Genre</th>'
        '<th scope="col">Fichier</th><th scope="col">Triplets</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody></table></div>"
    )


def _licence(url: str | None) -> str:
    """The ", licence X" after a graph, linked when the graph's licence is a URL a link may point to."""
    if not url:
        return ""
    name = escape(_licence_name(url))
    link = safe_url(url)
    return f', licence <a href="{escape(link)}">{name}</a>' if link else f", licence {name}"


def _other_graphs(graphs: Sequence[GraphStats]) -> str:
    items = "".join(
        f'<li><a href="{escape(href(g.name))}">{escape(g.title or compact(g.name))}</a> : {g.triples} triplets'
        f"{_licence(g.license)}</li>\n"
        for g in graphs
        if not g.name.startswith(SOURCE_PREFIX)
    )
    return f'<ul class="graphs">\n{items}</ul>'


def _licence_name(url: str) -> str:
    if "creativecommons.org/licenses/by/4.0" in url:
        return "CC-BY-4.0"
    if "etalab" in url:
        return "Licence Ouverte 2.0"
    return url


def _built(stats: DatasetStats) -> str:
    """The build time as French text ("26 janvier 2024 à 14:03"), from `kg build`'s ISO time."""
    date, _, time = stats.built_at.partition("T")
    return f"{french_date(date)} à {time[:5]}" if time else french_date(date)


def _coverage_table(coverage: Sequence[dict[str, str | None]]) -> str:
    """How many territories the official geography places: stated by a document, or only inferred."""
    columns = (
        ("withMember", "Avec un membre officiel"),
        ("withDepartement", "Avec un département"),
        ("withRegion", "Avec une région"),
    )

    def cell(r: dict[str, str | None], key: str) -> str:
        stated = int(r.get(key + "Stated") or 0)
        return f'<td class="n">{int(r.get(key) or 0)} (dont {stated} énoncés, {int(r.get(key) or 0) - stated} déduits)</td>'

    rows = "".join(
        f'<tr><th scope="row">{escape(r.get("scope") or "")}</th><td class="n">{int(r.get("territories") or 0)}</td>'
        + "".join(cell(r, key) for key, _ in columns)
        + f'<td class="n">{int(r.get("regionDisagreements") or 0)}</td></tr>\n'
        for r in coverage
    )
    heads = "".join(f'<th scope="col">{name}</th>' for _, name in columns)
    return (
        '<div class="table-wrap"><table>\n<caption>Territoires situés dans la géographie officielle</caption>\n'
        f'<thead><tr><th scope="col">Territoires</th><th scope="col">Nombre</th>{heads}'
        '<th scope="col">Régions en désaccord</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody></table></div>"
    )


def _coverage_section(coverage: Sequence[dict[str, str | None]]) -> str:
    if not coverage:
        return ""
    return (
        '<h2 id="geographie">Les territoires dans la géographie officielle</h2>\n'
        "<p>Énoncé : par un document, directement ou par un membre qu'il nomme ; déduit : du nom du territoire ou de "
        "ses membres (graphe <code>graph:inferred-places</code>, chaque lien avec sa règle et sa confiance). "
        'Requête : <a href="/queries/coverage">coverage</a>.</p>\n' + _coverage_table(coverage) + "\n"
    )


def home_page(
    stats: DatasetStats, classes: Rows, documents: Rows, coverage: Sequence[dict[str, str | None]] = ()
) -> str:
    """The home page's HTML."""
    data = [r for r in classes if not (r["class"] or "").startswith(OWL)]
    terms = {(r["class"] or "")[len(OWL) :]: _count(r) for r in classes if (r["class"] or "").startswith(OWL)}
    links = "".join(
        f'<li><a href="{escape(url)}">{escape(name)}</a>{" : " + escape(what) if what else ""}</li>\n'
        for url, name, what in LINKS
    )
    body = f"""<h1>Territoires d'industrie : le graphe de connaissances ouvert</h1>
<p class="lead">Le programme national <strong>Territoires d'industrie</strong> (depuis 2018, phase 2 de 2023 à 2027) :
ses phases, les territoires labellisés, leurs intercommunalités et communes, les acteurs qui y prennent part,
les dispositifs d'aide et les flux de financement. Chaque fait vient d'un des {len(documents)} documents sources
et reste rattaché au document qui l'énonce ; les codes officiels viennent de la géographie d'Etalab.</p>
<p>{stats.triples} triplets distincts, {stats.entities} entités, dans {len(stats.graphs)} graphes nommés.</p>

<h2 id="explorer">Explorer</h2>
<ul class="links">
{links}</ul>
<form method="get" action="/resource" class="open">
<p><label for="iri">Ouvrir une ressource par son IRI ou son nom préfixé (par exemple <code>territory:agenais</code>)</label><br>
<input id="iri" name="iri" type="text" size="60" required placeholder="territory:agenais">
<button type="submit">Ouvrir</button></p>
</form>

<h2 id="contenu-du-graphe">Ce que contient le graphe</h2>
<p>Nombre de ressources de chaque classe, toutes sources confondues. L'ontologie elle-même définit
{terms.get("Class", 0)} classes, {terms.get("ObjectProperty", 0)} propriétés d'objet et
{terms.get("DatatypeProperty", 0)} propriétés de données (<a href="/ontology">documentation</a>).</p>
{_classes_table(data)}
{_coverage_section(coverage)}
<h2 id="sources">Les documents sources</h2>
<p>Chaque document est aussi le graphe nommé de ce qu'il énonce ; sa page montre tout ce qu'il dit.</p>
{_documents_table(documents)}
<p>Les autres graphes :</p>
{_other_graphs(stats.graphs)}

<h2 id="version">Version</h2>
<p>Graphe construit le {escape(_built(stats))} (version <code>{escape(stats.version)}</code>) par
<code>kg build</code>, après validation des données par les <a href="/shapes">règles SHACL</a>.</p>

<h2 id="licence">Licence</h2>
<p>Données et <a href="{escape(href(ONTOLOGY_IRI))}">ontologie</a> sous licence
<a href="https://creativecommons.org/licenses/by/4.0/deed.fr">Creative Commons Attribution 4.0 (CC-BY-4.0)</a> :
réutilisation libre, en citant le graphe et ses documents sources. Géographie officielle (codes et noms des
communes, intercommunalités, départements et régions) : Etalab, <code>@etalab/decoupage-administratif</code>,
<a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/">Licence Ouverte 2.0</a>.</p>"""
    return site.page("Territoires d'industrie : graphe de connaissances", body, current="/", head=HEAD)
