"""`/ontology`: the ontology's documentation for people, its source for RDF clients.

The page is generated from `ontology/*.ttl` (`kg.docs.ontology`) and kept until one of the files changes
(`api.caching.on_files`, as `/shapes`); each term's anchor is its local name, so the IRI `…/ontology#Phase`,
redirected here by w3id.org, lands on `ti:Phase`. `text/turtle` (or `?format=turtle`) answers the source file
itself, comments and all, when there is one Turtle file; with several, their triples serialised together (the
blank nodes of each file kept apart). JSON-LD, N-Triples and RDF/XML carry the same triples. pyLODE was tried
and not kept: see the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response

from api import caching, conneg, site
from api.deps import SettingsDep
from api.rendering import HEAD, href, label_html, safe_url
from kg.docs.describe import DISPLAY_PREFIXES, Label, compact
from kg.docs.ontology import Entry, OntologyDoc, document, load
from kg.errors import KGError
from kg.sources.rdf_io import parse_files, rdf_files
from kg.store.local import GRAPH_FORMATS

router = APIRouter()

PROPERTY_SECTIONS = (
    ("object", "proprietes-objet", "Propriétés d'objet", "relient une ressource à une autre"),
    ("datatype", "proprietes-donnees", "Propriétés de données", "donnent une valeur : texte, nombre, date"),
    ("annotation", "proprietes-annotation", "Propriétés d'annotation", "documentent les ressources"),
)
# (relation key, French name) in display order, for classes and for properties
CLASS_RELATIONS = (
    ("superclasses", "Sous-classe de"),
    ("subclasses", "Sous-classes"),
    ("equivalent", "Classe équivalente"),
    ("domain_of", "Domaine des propriétés"),
    ("range_of", "Codomaine des propriétés"),
)
PROPERTY_RELATIONS = (
    ("domain", "Domaine"),
    ("range", "Codomaine"),
    ("superproperties", "Sous-propriété de"),
    ("subproperties", "Sous-propriétés"),
    ("inverse", "Inverse"),
    ("equivalent", "Propriété équivalente"),
)


@dataclass(frozen=True)
class Rendered:
    """Everything /ontology answers, made once for one state of the source files."""

    digest: str
    html: bytes
    graphs: dict[str, bytes]  # format key → the triples in that syntax (Turtle: the source file when one)


@router.get(
    "/ontology",
    name="ontology",
    summary="The ontology: documentation for people, its Turtle source for RDF clients",
    response_class=Response,
    responses={
        200: {"content": {f.media_type: {} for f in conneg.PAGES}},
        406: {"description": "No acceptable format"},
    },
)
def ontology(request: Request, settings: SettingsDep) -> Response:
    """HTML for a browser; `text/turtle` the source; JSON-LD, N-Triples, RDF/XML the same triples."""
    fmt = conneg.choose_for(request, conneg.PAGES, "the ontology")
    out = rendered(settings.ontology_dir)
    tag = caching.etag(out.digest, "ontology", fmt.key)
    if (cached := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return cached
    body = out.html if fmt is conneg.HTML else out.graphs[fmt.key]
    return caching.response(body, fmt.content_type, tag, settings.cache_max_age)


@caching.on_files
def rendered(directory: Path) -> Rendered:
    """The answers for the ontology files in `directory`, generated again when one of them changes."""
    paths = rdf_files(directory) if directory.is_dir() else []
    if not paths:
        raise KGError(f"no ontology files in {directory}")
    quads = parse_files(paths)  # `_:b0` of two files: two nodes
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    graphs = {key: ox.serialize(triples, format=GRAPH_FORMATS[key]) or b"" for key in ("jsonld", "ntriples", "rdfxml")}
    if len(paths) == 1 and paths[0].suffix.lower() == ".ttl":
        graphs["turtle"] = paths[0].read_bytes()  # the source itself, comments and all
    else:
        graphs["turtle"] = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=DISPLAY_PREFIXES) or b""
    html = ontology_page(document(load(paths))).encode("utf-8")
    return Rendered(caching.files_digest(directory), html, graphs)


# --- the page ----------------------------------------------------------------------------------------------


def _link(doc: OntologyDoc, iri: str) -> str:
    """A link to a term: to its entry on this page when documented here, else to its resource page."""
    label = doc.labels.get(iri, Label())
    name = label_html(label, compact(iri))
    anchor = doc.anchors.get(iri)
    target = f"#{anchor}" if anchor else href(iri)
    code = f' <code class="qname">{escape(compact(iri))}</code>' if anchor or label.text else ""
    return f'<a href="{escape(target)}">{name}</a>{code}'


def _comment(label: Label) -> str:
    parts = []
    if label.fr:
        parts.append(f"<p>{escape(label.fr)}</p>")
    if label.en:
        parts.append(f'<p class="en" lang="en">{escape(label.en)}</p>')
    return "".join(parts)


def _entry(e: Entry, relations: Sequence[tuple[str, str]], doc: OntologyDoc) -> str:
    rows = [f"<dt>IRI</dt><dd><code>{escape(e.iri)}</code></dd>"]
    for key, name in relations:
        if values := e.related(key):
            rows.append(f"<dt>{name}</dt><dd>{', '.join(_link(doc, v) for v in values)}</dd>")
    if e.characteristics:
        rows.append(f"<dt>Caractéristiques</dt><dd>{escape(', '.join(e.characteristics))}</dd>")
    rows.append(
        f'<dt>Dans le graphe</dt><dd><a href="{escape(href(e.iri))}">ses emplois et les documents qui en parlent</a></dd>'
    )
    return (
        f'<section class="term" id="{escape(e.anchor)}">\n'
        f'<h3>{label_html(e.label, e.anchor)} <code class="qname">{escape(compact(e.iri))}</code></h3>\n'
        f"{_comment(e.comment)}\n<dl>{''.join(rows)}</dl>\n</section>"
    )


def _tree(doc: OntologyDoc) -> str:
    """The class hierarchy as nested lists, in a section of its own (content, not navigation)."""
    html: list[str] = []
    depth = -1
    for iri, d in doc.hierarchy:
        if d > depth:
            html.append("<ul>" * (d - depth))
        else:
            html.append("</li>" + "</ul></li>" * (depth - d))
        html.append(f"<li>{_link(doc, iri)}")
        depth = d
    html.append("</li>" + "</ul></li>" * depth + "</ul>" if depth >= 0 else "")
    return (
        '<section class="tree" aria-labelledby="hierarchie">\n<h3 id="hierarchie">Hiérarchie des classes</h3>\n'
        f"<p>Chaque classe sous ses super-classes :</p>\n{''.join(html)}\n</section>"
    )


def _scheme(s: Entry) -> str:
    page = href(s.iri)
    if not s.members:
        concepts = (
            f'<p>Ses concepts sont énoncés par les documents sources : voir <a href="{escape(page)}">la page du '
            "vocabulaire</a>, qui les liste avec leurs sources.</p>"
        )
    else:
        rows = "".join(
            f"<tr><td><code>{escape(m.notation or '')}</code></td>"
            f'<th scope="row"><a href="{escape(href(m.iri))}">{label_html(Label(m.label.fr), compact(m.iri))}</a></th>'
            f'<td lang="en">{escape(m.label.en or "")}</td><td>{escape(m.comment.fr or m.comment.en or "")}</td></tr>\n'
            for m in s.members
        )
        concepts = (
            f'<div class="table-wrap"><table>\n<caption>{escape(s.label.fr or s.anchor)} : concepts</caption>\n'
            '<thead><tr><th scope="col">Notation</th><th scope="col">Libellé</th><th scope="col">English</th>'
            f'<th scope="col">Définition</th></tr></thead>\n<tbody>\n{rows}</tbody></table></div>'
        )
    return (
        f'<section class="term" id="{escape(s.anchor)}">\n<h3>{label_html(s.label, s.anchor)}</h3>\n'
        f'{_comment(s.comment)}\n<p>IRI : <a href="{escape(page)}"><code>{escape(s.iri)}</code></a></p>\n{concepts}\n</section>'
    )


def _metadata(doc: OntologyDoc) -> str:
    downloads = ", ".join(
        f'<a href="/ontology?format={key}">{name}</a>'
        for key, name in (
            ("turtle", "Turtle (source)"),
            ("jsonld", "JSON-LD"),
            ("ntriples", "N-Triples"),
            ("rdfxml", "RDF/XML"),
        )
    )
    rows = [f"<dt>IRI</dt><dd><code>{escape(doc.iri)}</code></dd>"]
    if doc.version:
        version_iri = f" (<code>{escape(doc.version_iri)}</code>)" if doc.version_iri else ""
        rows.append(f"<dt>Version</dt><dd>{escape(doc.version)}{version_iri}</dd>")
    if doc.prefix and doc.namespace:
        rows.append(
            f"<dt>Préfixe</dt><dd><code>{escape(doc.prefix)}:</code> = <code>{escape(doc.namespace)}</code></dd>"
        )
    if doc.licence:
        url, text = safe_url(doc.licence), escape(doc.licence)
        licence = f'<a href="{escape(url)}">{text}</a>' if url else text
        rows.append(f"<dt>Licence</dt><dd>{licence}</dd>")
    if doc.created:
        rows.append(f"<dt>Créée le</dt><dd>{escape(doc.created)}</dd>")
    if doc.creators:
        rows.append(f"<dt>Auteurs</dt><dd>{escape(', '.join(doc.creators))}</dd>")
    rows.append(f"<dt>Télécharger</dt><dd>{downloads}</dd>")
    return f'<dl class="meta">{"".join(rows)}</dl>'


def ontology_page(doc: OntologyDoc) -> str:
    """The documentation page: header, contents, classes, properties by kind, controlled vocabularies."""
    sections = [("classes", f"Classes ({len(doc.classes)})")]
    sections += [
        (anchor, f"{title} ({len(doc.properties[kind])})")
        for kind, anchor, title, _ in PROPERTY_SECTIONS
        if doc.properties.get(kind)
    ]
    sections.append(("vocabulaires", f"Vocabulaires contrôlés ({len(doc.schemes)})"))
    contents = "".join(f'<li><a href="#{a}">{escape(t)}</a></li>' for a, t in sections)
    description = (
        f'<p class="en" lang="en">{"<br>".join(escape(line) for line in doc.description.en.splitlines())}</p>'
        if doc.description.en
        else ""
    )
    parts = [
        f"<h1>{label_html(doc.title, compact(doc.iri))}</h1>",
        _comment(doc.comment),
        _metadata(doc),
        description,
        f'<nav aria-labelledby="sommaire"><h2 id="sommaire">Sommaire</h2><ul>{contents}</ul></nav>',
        f'<h2 id="classes">Classes ({len(doc.classes)})</h2>',
        _tree(doc),
        *(_entry(e, CLASS_RELATIONS, doc) for e in doc.classes),
    ]
    for kind, anchor, title, what in PROPERTY_SECTIONS:
        entries = doc.properties.get(kind, ())
        if entries:
            parts.append(f'<h2 id="{anchor}">{title} ({len(entries)})</h2>\n<p>Elles {what}.</p>')
            parts += [_entry(e, PROPERTY_RELATIONS, doc) for e in entries]
    parts.append(
        f'<h2 id="vocabulaires">Vocabulaires contrôlés ({len(doc.schemes)})</h2>\n'
        "<p>Les listes de concepts (SKOS) que les propriétés prennent pour valeurs.</p>"
    )
    parts += [_scheme(s) for s in doc.schemes]
    return site.page(
        f"{doc.title.text or 'Ontologie'} — documentation", "\n".join(parts), current="/ontology", head=HEAD
    )
