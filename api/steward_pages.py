"""HTML pages for data stewards: the shapes in words (`/shapes`) and a SHACL validation report.

Both render `kg` models — `kg.docs.shapes_doc.ShapesDoc` and `kg.build.validate.ValidationResult` — inside `api.site.page`:
French, one h1, captioned tables with header cells, readable on a phone (tables scroll sideways), no script.
Every shape has an id on `/shapes` (`kg.docs.shapes_doc.anchor`), so a report links each result to the rule that
produced it, and each focus node to its page (`api.rendering.href`). The shapes' names, comments and messages are
written in English without a language tag (see `shapes/`), so they are marked `lang="en"` for screen readers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape

from api import site
from api.rendering import href
from kg.build.validate import ValidationIssue, ValidationResult
from kg.docs import shapes_doc
from kg.docs.shapes_doc import ClassDoc, Rule, ShapeDoc, ShapesDoc, Target

SHAPES_PATH = "/shapes"
HEAD = f'<link rel="stylesheet" href="{site.SITE_STATIC}/steward.css">\n'
UNTAGGED_LANGUAGE = "en"  # the shapes' texts are untagged English
PAGE_LANGUAGE = "fr"

SEVERITY_TITLES = {
    "Violation": ("Doit avoir", "violation : la donnée est refusée"),
    "Warning": ("Devrait avoir", "avertissement : la donnée est acceptée mais signalée"),
    "Info": ("Pour information", "information"),
}
SEVERITY_CELLS = {"Violation": "obligatoire", "Warning": "recommandé", "Info": "information"}
REPORT_SECTIONS = {
    "Violation": ("Violations", "violation", "violations"),
    "Warning": ("Avertissements", "avertissement", "avertissements"),
    "Info": ("Informations", "information", "informations"),
}


# --- small pieces ---------------------------------------------------------------------------------------------


def _lang(text: str | None, untagged: str = UNTAGGED_LANGUAGE) -> str:
    """A lang attribute when the text is not in the page's language."""
    tag = shapes_doc.language(text) or untagged
    return "" if tag.split("-")[0].lower() == PAGE_LANGUAGE else f' lang="{escape(tag)}"'


def _span(text: str | None, untagged: str = UNTAGGED_LANGUAGE) -> str:
    if not text:
        return ""
    attr = _lang(text, untagged)
    return f"<span{attr}>{escape(text)}</span>" if attr else escape(text)


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n <= 1 else plural}"


def shape_href(iri: str, *, on_page: bool = False) -> str:
    """Where a shape is explained: its anchor on /shapes."""
    return ("" if on_page else SHAPES_PATH) + "#" + shapes_doc.anchor(iri)


def _shape_link(iri: str, prefixes: Mapping[str, str], *, on_page: bool) -> str:
    return f'<a href="{escape(shape_href(iri, on_page=on_page))}"><code>{escape(shapes_doc.curie(iri, prefixes))}</code></a>'


def _property_cell(rule: Rule) -> str:
    if rule.predicate is not None:
        label = rule.predicate.label
        name = f"<code>{escape(rule.predicate.curie)}</code>"
        return f"{_span(label, PAGE_LANGUAGE)}<br>{name}" if label else name
    if rule.path:
        return f"<code>{escape(rule.path)}</code>"
    return '<span class="muted">la ressource elle-même</span>'


def _requirements_cell(rule: Rule) -> str:
    items = [escape(r) for r in rule.requirements]
    text = items[0] if len(items) == 1 else "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
    if rule.sparql:
        text += f"<details><summary>Requête SPARQL</summary><pre><code>{escape(rule.sparql)}</code></pre></details>"
    return text


def _table(caption: str, headers: Iterable[str], rows: Iterable[str], css: str = "") -> str:
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    klass = f' class="{escape(css)}"' if css else ""
    return (
        f'<div class="table-wrap"><table{klass}>\n<caption>{caption}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{''.join(rows)}</tbody>\n</table></div>\n"
    )


# --- /shapes --------------------------------------------------------------------------------------------------


def _class_rules_table(rules: tuple[Rule, ...], severity: str, doc: ShapesDoc) -> str:
    title, meaning = SEVERITY_TITLES[severity]
    rows = (
        f"<tr><td>{_property_cell(r)}</td><td>{_requirements_cell(r)}</td><td>{_span(r.message)}</td>"
        f"<td>{_shape_link(r.link_shape, doc.prefixes, on_page=True)}</td></tr>\n"
        for r in rules
    )
    return _table(
        f'{escape(title)} <span class="muted">({escape(meaning)})</span>',
        ("Propriété", "Exigence", "Message", "Forme"),
        rows,
        f"rules by-class {severity.lower()}",
    )


def _terms(terms: Iterable[shapes_doc.Term], doc: ShapesDoc) -> str:
    parts = []
    for t in terms:
        text = f"{_span(t.display, PAGE_LANGUAGE)} (<code>{escape(t.curie)}</code>)"
        if doc.for_class(t.iri) is not None:
            text = f'<a href="#{escape(shapes_doc.class_anchor(t.iri))}">{text}</a>'
        parts.append(text)
    return ", ".join(parts)


def _class_section(cls: ClassDoc, doc: ShapesDoc) -> str:
    out = [f'<section id="{escape(cls.anchor)}" class="class">']
    out.append(f"<h3>{_span(cls.term.display, PAGE_LANGUAGE)} <code>{escape(cls.term.curie)}</code></h3>")
    if cls.comment:
        out.append(f"<p>{_span(cls.comment, PAGE_LANGUAGE)}</p>")
    if cls.subclasses:
        out.append(f"<p>Ces règles valent aussi pour ses sous-classes : {_terms(cls.subclasses, doc)}.</p>")
    if cls.see_also:
        out.append(f"<p>Voir aussi les règles de : {_terms(cls.see_also, doc)}.</p>")
    any_rule = False
    for severity in shapes_doc.SEVERITIES:
        rules = cls.by_severity(severity)
        if rules:
            any_rule = True
            out.append(_class_rules_table(rules, severity, doc))
    if not any_rule:
        out.append("<p>Aucune règle active.</p>")
    out.append("</section>")
    return "\n".join(out)


def _target_details(targets: tuple[Target, ...]) -> str:
    selects = [t.select for t in targets if t.select]
    return "".join(
        f"<details><summary>Requête SPARQL de la cible</summary><pre><code>{escape(s)}</code></pre></details>"
        for s in selects
    )


def _shape_section(shape: ShapeDoc, doc: ShapesDoc, seen: set[str]) -> str:
    seen.add(shape.anchor)
    title = _span(shape.label) if shape.label else f"<code>{escape(shape.curie)}</code>"
    out = [f'<section id="{escape(shape.anchor)}" class="shape">']
    out.append(f"<h3>{title} <code>{escape(shape.curie)}</code></h3>")
    out.append("<dl>")
    out.append(f"<dt>IRI</dt><dd><code>{escape(shape.iri)}</code></dd>")
    targets = shapes_doc.describe_targets(shape.targets) or "aucune (utilisée par d'autres formes)"
    out.append(f"<dt>S'applique à</dt><dd>{escape(targets)}{_target_details(shape.targets)}</dd>")
    if shape.comment:
        out.append(f"<dt>Explication</dt><dd>{_span(shape.comment)}</dd>")
    if shape.message:
        out.append(f"<dt>Message</dt><dd>{_span(shape.message)}</dd>")
    if shape.deactivated:
        out.append("<dt>État</dt><dd>désactivée (<code>sh:deactivated true</code>) : elle ne signale rien</dd>")
    out.append("</dl>")
    rows = []
    for rule in shape.rules:
        row_id = ""
        named = ""
        if rule.shape and rule.shape != shape.iri and shapes_doc.anchor(rule.shape) not in seen:
            row_id = f' id="{escape(shapes_doc.anchor(rule.shape))}"'
            seen.add(shapes_doc.anchor(rule.shape))
            named = f"<br><code>{escape(shapes_doc.curie(rule.shape, doc.prefixes))}</code>"
        comment = f'<br><span class="muted">{_span(rule.comment)}</span>' if rule.comment else ""
        rows.append(
            f'<tr{row_id}><td class="sev-{escape(rule.severity.lower())}">'
            f"{escape(SEVERITY_CELLS.get(rule.severity, rule.severity))}"
            f"{named}</td><td>{_property_cell(rule)}</td><td>{_requirements_cell(rule)}</td>"
            f"<td>{_span(rule.message)}{comment}</td></tr>\n"
        )
    if rows:
        out.append(
            _table("Règles de la forme", ("Gravité", "Propriété", "Exigence", "Message"), rows, "rules by-shape")
        )
    out.append("</section>")
    return "\n".join(out)


def shapes_page(doc: ShapesDoc, *, turtle_href: str = SHAPES_PATH + "?format=turtle") -> str:
    """The shapes in words: for each class what it must and should have, then every shape with its anchor."""
    version = f" (version {escape(doc.version)})" if doc.version else ""
    toc = "".join(
        f'<li><a href="#{escape(c.anchor)}">{_span(c.term.display, PAGE_LANGUAGE)}</a></li>' for c in doc.classes
    )
    others = "".join(
        f'<li><a href="#{escape(s.anchor)}">{_span(s.label or s.curie)}</a> : '
        f"{escape(shapes_doc.describe_targets(s.targets) or 'aucune cible')}</li>\n"
        for s in doc.other_shapes
    )
    seen: set[str] = set()
    body = f"""<h1>Règles de validation des données</h1>
<p>Ces règles (les <em>formes</em> SHACL du dossier <code>shapes/</code>{version}) disent ce que chaque ressource du
graphe doit et devrait avoir. Elles sont vérifiées à chaque construction du graphe et à chaque écriture.</p>
<ul>
<li><strong>Doit avoir</strong> : une donnée qui ne respecte pas la règle est une <strong>violation</strong> ;
<code>kg build</code> s'arrête et l'écriture est refusée.</li>
<li><strong>Devrait avoir</strong> : un <strong>avertissement</strong> ; la donnée est acceptée mais signalée comme
incomplète.</li>
</ul>
<p>Les messages sont ceux que les rapports de validation affichent (en anglais). Chaque règle renvoie à sa forme,
décrite plus bas. Source : <a href="{escape(turtle_href)}">les formes en Turtle</a>.</p>

<nav class="toc" aria-labelledby="sommaire">
<h2 id="sommaire">Sommaire</h2>
<ul>
<li><a href="#par-classe">Par classe</a> ({len(doc.classes)})</li>
<li><a href="#autres-cibles">Règles selon les propriétés utilisées et autres cibles</a> ({len(doc.other_shapes)})</li>
<li><a href="#formes">Toutes les formes</a> ({len(doc.shapes)})</li>
</ul>
<h3>Classes</h3>
<ul class="columns">{toc}</ul>
</nav>

<section aria-labelledby="par-classe">
<h2 id="par-classe">Par classe</h2>
<p>Pour chaque classe, les règles des formes qui la visent (<code>sh:targetClass</code>) ; elles valent aussi pour
ses sous-classes.</p>
{chr(10).join(_class_section(c, doc) for c in doc.classes)}
</section>

<section aria-labelledby="autres-cibles">
<h2 id="autres-cibles">Règles selon les propriétés utilisées et autres cibles</h2>
<p>Ces formes ne visent pas une classe : elles s'appliquent à toute ressource qui utilise une propriété, ou aux
ressources qu'une requête choisit.</p>
<ul>
{others}</ul>
</section>

<section aria-labelledby="formes">
<h2 id="formes">Toutes les formes</h2>
{chr(10).join(_shape_section(s, doc, seen) for s in doc.shapes)}
</section>"""
    return site.page("Règles de validation des données", body, current=SHAPES_PATH, head=HEAD)


# --- a validation report ---------------------------------------------------------------------------------------


def _focus_cell(issue: ValidationIssue) -> str:
    if shapes_doc.is_iri(issue.focus_node):
        text = _span(issue.focus_label, PAGE_LANGUAGE) if issue.focus_label else "ressource"
        return f'<a href="{escape(href(issue.focus_node))}">{text}</a><br><code>{escape(issue.focus_node)}</code>'
    label = f"{_span(issue.focus_label, PAGE_LANGUAGE)}<br>" if issue.focus_label else ""
    return f'{label}<span class="muted">nœud anonyme</span> <code>{escape(issue.focus_node)}</code>'


def _path_cell(issue: ValidationIssue) -> str:
    if not issue.path:
        return '<span class="muted">—</span>'
    if shapes_doc.is_iri(issue.path):
        return f'<code title="{escape(issue.path)}">{escape(shapes_doc.curie(issue.path))}</code>'
    return '<span class="muted">chemin composé</span>'


def _value_cell(issue: ValidationIssue) -> str:
    if issue.value is None:
        return '<span class="muted">—</span>'
    if shapes_doc.is_iri(issue.value):
        return f'<a href="{escape(href(issue.value))}"><code>{escape(issue.value)}</code></a>'
    return f"<code>{escape(issue.value)}</code>"


def _shape_cell(issue: ValidationIssue) -> str:
    what = shapes_doc.constraint_label(issue.constraint)
    detail = f'<br><span class="muted">{escape(what)}</span>' if what else ""
    if issue.shape and shapes_doc.is_iri(issue.shape):
        return f"{_shape_link(issue.shape, shapes_doc.DEFAULT_PREFIXES, on_page=False)}{detail}"
    return f'<span class="muted">forme anonyme</span>{detail}'


def _issues_table(severity: str, issues: list[ValidationIssue]) -> str:
    title, singular, plural = REPORT_SECTIONS.get(severity, (severity, severity, severity))
    anchor = title.lower()
    rows = (
        f"<tr><td>{_focus_cell(i)}</td><td>{_path_cell(i)}</td><td>{_value_cell(i)}</td>"
        f"<td>{_span(i.message)}</td><td>{_shape_cell(i)}</td></tr>\n"
        for i in issues
    )
    return (
        f'<section aria-labelledby="{escape(anchor)}">\n<h2 id="{escape(anchor)}">{escape(title)} ({len(issues)})</h2>\n'
        + _table(
            f'<span class="visually-hidden">{escape(_plural(len(issues), singular, plural))} : ressource, propriété, '
            "valeur en cause, message et règle enfreinte</span>",
            ("Ressource", "Propriété", "Valeur en cause", "Message", "Règle"),
            rows,
            f"report {severity.lower()}",
        )
        + "</section>"
    )


def verdict(result: ValidationResult) -> str:
    """The verdict in one French sentence: "Conforme" or "Non conforme : N violations, M avertissements"."""
    warnings = _plural(len(result.warnings), "avertissement", "avertissements")
    if result.conforms:
        return "Conforme" + (f" ({warnings})" if result.warnings else "")
    return f"Non conforme : {_plural(len(result.violations), 'violation', 'violations')}, {warnings}"


def validation_report_page(result: ValidationResult, *, source_name: str | None = None) -> str:
    """A SHACL report for people: the verdict first, then one table per severity, each result linked."""
    ok = result.conforms
    source = f" de <code>{escape(source_name)}</code>" if source_name else ""
    by_severity: dict[str, list[ValidationIssue]] = {}
    for issue in result.issues:
        by_severity.setdefault(issue.severity, []).append(issue)
    order = [*shapes_doc.SEVERITIES, *sorted(set(by_severity) - set(shapes_doc.SEVERITIES))]
    sections = "\n".join(_issues_table(s, by_severity[s]) for s in order if s in by_severity)
    explanation = (
        "Les données respectent toutes les règles obligatoires ; elles peuvent être chargées."
        if ok
        else "Les données enfreignent au moins une règle obligatoire ; elles ne peuvent pas être chargées "
        "telles quelles. Corrigez chaque violation ci-dessous."
    )
    if ok and result.warnings:
        explanation += " Les avertissements signalent des données incomplètes, acceptées."
    mark = "✔" if ok else "✖"
    body = f"""<h1>Rapport de validation{source}</h1>
<p class="verdict {"ok" if ok else "ko"}" role="status"><span aria-hidden="true">{mark}</span> {escape(verdict(result))}</p>
<p>{explanation} Les règles sont expliquées sur la page <a href="{escape(SHAPES_PATH)}">Règles de validation</a>.</p>
{sections}"""
    title = "Rapport de validation" + (f" — {source_name}" if source_name else "")
    return site.page(title, body, head=HEAD)
