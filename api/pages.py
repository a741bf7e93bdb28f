"""HTML pages for people who open the endpoint in a browser: what it is, what it holds, how to query it.

Accessible HTML in French (headings, labels, tables with headers) and no external resource. The endpoint
page carries YASGUI (vendored under api/static/vendor/, see frontend/) with api/static/site/sparql.js; without
JavaScript, a plain form sends the query by GET.
"""

from __future__ import annotations

import json
import re
import textwrap
from html import escape

from api import rendering, site
from api.conneg import GRAPHS, RESULTS
from api.service_description import limits_text
from api.stats import DatasetStats
from kg import queries
from kg.config import Settings
from kg.errors import KGError
from kg.sources.namespaces import ONTOLOGY_IRI, PREFIXES

DEFAULT_QUERY = """# En quelle année la phase 1 s'est-elle terminée, selon chaque document source ?
SELECT ?annee ?document ?fichier WHERE {
  GRAPH ?document { phase:1 ti:endYear ?annee }
  ?document ti:seedFile ?fichier .
} ORDER BY ?annee ?document"""
"""The first tab's query, after the project's prefixes: it shows that each source keeps its own claims."""
SHORT_DESCRIPTION = 140


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
    """What a page's script needs to link an IRI to its page here exactly as `rendering.href` does (the rules
    are applied by api/static/site/links.js): our namespace and the path of its pages, the ontology and its page,
    and the page of any other IRI, form-encoded after it. Each page prefix is asked of `href` itself."""
    return {
        "id": rendering.ID,
        "idPage": rendering.href(rendering.ID),
        "ontology": ONTOLOGY_IRI,
        "ontologyPage": rendering.href(ONTOLOGY_IRI),
        "resource": rendering.href(""),
    }


def json_script(element_id: str, data: object) -> str:
    """Data for a page's script, as a JSON <script> element that no string inside can close early."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{escape(element_id)}">{text}</script>'


def service_page(endpoint: str, void_url: str, stats: DatasetStats, settings: Settings) -> str:
    """The endpoint's page for browsers: YASGUI on this endpoint, the canned queries as examples, then the
    dataset summary, formats and limits. Without JavaScript a plain form sends the query by GET."""
    examples = canned_examples()
    buttons = "\n".join(
        f'<li><button type="button" data-example="{escape(e["name"])}" aria-describedby="example-{escape(e["name"])}">'
        f"{escape(e['title'])}</button>\n"
        f'<span id="example-{escape(e["name"])}" lang="en">{escape(short_description(e["description"]))}</span></li>'
        for e in examples
    )
    config = {
        "endpoint": endpoint,
        "links": page_links(),
        "prefixes": PREFIXES,
        "query": f"{prefix_block()}\n\n{DEFAULT_QUERY}\n",
        "examples": examples,
    }
    formats = ", ".join(f"<code>{f.media_type}</code>" for f in RESULTS)
    graph_formats = ", ".join(f"<code>{f.media_type}</code>" for f in GRAPHS)
    body = f"""<h1>Interroger le graphe en SPARQL</h1>
<p>Ce point d'accès en lecture seule suit le protocole SPARQL 1.1 du W3C. Il sert le graphe de connaissances ouvert
du programme Territoires d'industrie : {stats.triples} triplets distincts dans {len(stats.graphs)} graphes nommés
(version <code>{escape(stats.version)}</code>, construite le {escape(stats.built_at)}).
<strong>Le graphe par défaut est l'union de tous les graphes nommés</strong> ; <code>GRAPH</code> atteint chaque
document source.</p>
<p>Point d'accès : <code>{escape(endpoint)}</code>. L'éditeur connaît les préfixes du projet (repliés en tête de
requête) ; <kbd>Ctrl</kbd>+<kbd>Entrée</kbd> exécute la requête, <kbd>Ctrl</kbd>+<kbd>Espace</kbd> complète
un préfixe, une classe ou une propriété du graphe.</p>

<h2 id="exemples">Requêtes prêtes à l'emploi</h2>
<p>Chaque bouton ouvre la requête dans un nouvel onglet de l'éditeur et l'exécute ; sa description complète
(en anglais) est en commentaire en tête de la requête. Les paramètres facultatifs restent <code>UNDEF</code> dans le
bloc <code>VALUES</code> : remplacez-en un par une valeur pour filtrer.</p>
<ul class="examples">
{buttons}
</ul>

<h2 id="editeur">Éditeur de requêtes</h2>
<div id="yasgui" class="yasgui-host"></div>
<noscript>
<form method="get" action="{escape(endpoint)}">
<p><label for="query">Requête SPARQL</label><br>
<textarea id="query" name="query" rows="10" cols="80">{escape(prefix_block() + chr(10) + chr(10) + DEFAULT_QUERY)}</textarea></p>
<p><label for="format">Format de la réponse</label>
<select id="format" name="format">
<option value="json">JSON (SELECT, ASK) ou JSON-LD (CONSTRUCT, DESCRIBE)</option>
<option value="xml">XML</option><option value="csv">CSV</option><option value="tsv">TSV</option>
<option value="turtle">Turtle</option><option value="ntriples">N-Triples</option>
</select></p>
<p><button type="submit">Exécuter</button></p>
</form>
</noscript>

<details class="about-endpoint">
<summary>Le jeu de données, les formats et les limites</summary>
<h2>Le jeu de données</h2>
<p>{stats.entities} entités, {stats.classes} classes, {stats.properties} propriétés.
Description VoID : <a href="{escape(void_url)}">{escape(void_url)}</a>.</p>
<div class="table-wrap">{_graphs_table(stats)}</div>

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
</ul>
</details>
{json_script("kg-sparql-config", config)}"""
    head = (
        f'<link rel="stylesheet" href="{site.VENDOR_STATIC}/yasgui/yasgui.min.css">\n'
        f'<link rel="stylesheet" href="{site.SITE_STATIC}/interactive.css">\n'
    )
    scripts = (
        f"{site.VENDOR_STATIC}/yasgui/yasgui.min.js",
        f"{site.SITE_STATIC}/links.js",
        f"{site.SITE_STATIC}/sparql.js",
    )
    return site.page(
        "Territoires d'industrie : point d'accès SPARQL", body, current="/sparql", head=head, scripts=scripts
    )


def void_page(endpoint: str, void_url: str, stats: DatasetStats) -> str:
    """The VoID description for people: statistics, licences, sources, named graphs."""
    body = f"""<h1>Territoires d'industrie : description du jeu de données</h1>
<p>Point d'accès SPARQL : <a href="{escape(endpoint)}">{escape(endpoint)}</a>.
Données et ontologie sous licence <a href="https://creativecommons.org/licenses/by/4.0/">CC-BY-4.0</a> ;
géographie officielle d'Etalab sous <a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/">Licence Ouverte 2.0</a>.</p>

<h2>Statistiques</h2>
<table>
<caption>Le graphe par défaut (l'union des graphes nommés) en chiffres</caption>
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
