"""HTML pages for people who open the endpoint in a browser: what it is, what it holds, how to query it.

Plain, accessible HTML (French, headings, labelled form, tables with headers), no script and no external
resource. The web-UI work will put a query editor on the endpoint page; until then a plain form sends GET.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from api import site
from api.conneg import GRAPHS, RESULTS
from api.service_description import limits_text
from api.stats import DatasetStats
from kg import queries
from kg.config import Settings
from kg.errors import KGError

EXAMPLE = """PREFIX ti: <https://w3id.org/territoires-industrie/ontology#>
SELECT ?year ?doc WHERE {
  GRAPH ?doc { <https://w3id.org/territoires-industrie/id/phase/1> ti:endYear ?year }
} ORDER BY ?year ?doc"""


def _graphs_table(stats: DatasetStats) -> str:
    rows = "".join(
        f"<tr><td><code>{escape(g.name)}</code></td><td>{escape(g.title or '')}</td>"
        f"<td>{escape(g.seed_file or '')}</td><td class=n>{g.triples}</td></tr>\n"
        for g in stats.graphs
    )
    return (
        "<table>\n<caption>Graphes nommés</caption>\n"
        '<tr><th scope="col">Graphe</th><th scope="col">Titre</th><th scope="col">Document source</th>'
        f'<th scope="col">Triplets</th></tr>\n{rows}</table>'
    )


def _query_link(endpoint: str, query: str) -> str:
    return f"{endpoint}?{urlencode({'query': query})}"


def service_page(endpoint: str, void_url: str, stats: DatasetStats, settings: Settings) -> str:
    """The endpoint's page: description, query form, examples, dataset summary, formats and limits."""
    examples = []
    for name in queries.names():
        try:
            q = queries.get(name)
        except KGError:  # a canned query with a broken header is not shown, not an error page
            continue
        examples.append(f'<li><a href="{escape(_query_link(endpoint, q.text))}">{escape(q.title)}</a></li>')
    formats = ", ".join(f"<code>{f.media_type}</code>" for f in RESULTS)
    graph_formats = ", ".join(f"<code>{f.media_type}</code>" for f in GRAPHS)
    body = f"""<h1>Territoires d'industrie : point d'accès SPARQL</h1>
<p>Ce point d'accès en lecture seule suit le protocole SPARQL 1.1 du W3C. Il sert le graphe de connaissances ouvert
du programme Territoires d'industrie : {stats.triples} triplets distincts dans {len(stats.graphs)} graphes nommés
(version <code>{escape(stats.version)}</code>, construite le {escape(stats.built_at)}).
<strong>Le graphe par défaut est l'union de tous les graphes nommés</strong> ; <code>GRAPH</code> atteint chaque
document source.</p>

<h2>Interroger</h2>
<form method="get" action="{escape(endpoint)}">
<p><label for="query">Requête SPARQL</label><br>
<textarea id="query" name="query" rows="8" cols="80">{escape(EXAMPLE)}</textarea></p>
<p><label for="format">Format de la réponse</label>
<select id="format" name="format">
<option value="json">JSON (SELECT, ASK) ou JSON-LD (CONSTRUCT, DESCRIBE)</option>
<option value="xml">XML</option><option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="turtle">Turtle</option><option value="ntriples">N-Triples</option>
</select></p>
<p><button type="submit">Exécuter</button></p>
</form>

<h2>Exemples</h2>
<ul>
{chr(10).join(examples)}
</ul>

<h2>Le jeu de données</h2>
<p>{stats.entities} entités, {stats.classes} classes, {stats.properties} propriétés.
Description VoID : <a href="{escape(void_url)}">{escape(void_url)}</a>.</p>
{_graphs_table(stats)}

<h2>Formats</h2>
<p>SELECT et ASK : {formats}. CONSTRUCT et DESCRIBE : {graph_formats}.
Le format se choisit par l'en-tête <code>Accept</code> ou le paramètre <code>format</code>.</p>

<h2>Limites</h2>
<p lang="en">{escape(limits_text(settings))}</p>

<h2>Description du service</h2>
<ul>
<li><a href="{escape(endpoint)}?format=turtle">Turtle</a></li>
<li><a href="{escape(endpoint)}?format=jsonld">JSON-LD</a></li>
<li><a href="{escape(endpoint)}?format=rdfxml">RDF/XML</a></li>
</ul>"""
    return site.page("Territoires d'industrie : point d'accès SPARQL", body, current="/sparql")


def void_page(endpoint: str, void_url: str, stats: DatasetStats) -> str:
    """The VoID description for people: statistics, licences, sources, named graphs."""
    body = f"""<h1>Territoires d'industrie : description du jeu de données</h1>
<p>Point d'accès SPARQL : <a href="{escape(endpoint)}">{escape(endpoint)}</a>.
Données et ontologie sous licence <a href="https://creativecommons.org/licenses/by/4.0/">CC-BY-4.0</a> ;
géographie officielle d'Etalab sous <a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/">Licence Ouverte 2.0</a>.</p>

<h2>Statistiques</h2>
<table>
<tr><th scope="row">Triplets distincts (graphe par défaut)</th><td class=n>{stats.triples}</td></tr>
<tr><th scope="row">Entités</th><td class=n>{stats.entities}</td></tr>
<tr><th scope="row">Classes</th><td class=n>{stats.classes}</td></tr>
<tr><th scope="row">Propriétés</th><td class=n>{stats.properties}</td></tr>
<tr><th scope="row">Sujets distincts</th><td class=n>{stats.distinct_subjects}</td></tr>
<tr><th scope="row">Objets distincts</th><td class=n>{stats.distinct_objects}</td></tr>
</table>

<h2>Graphes nommés</h2>
{_graphs_table(stats)}

<h2>En RDF</h2>
<ul>
<li><a href="{escape(void_url)}?format=turtle">Turtle</a></li>
<li><a href="{escape(void_url)}?format=jsonld">JSON-LD</a></li>
<li><a href="{escape(void_url)}?format=rdfxml">RDF/XML</a></li>
</ul>"""
    return site.page("Territoires d'industrie : description VoID", body, current="/.well-known/void")
