"""The `/shapes` page: the SHACL shapes in words (`kg.docs.shapes.model.ShapesDoc`), for data stewards.

French, one h1, captioned tables with header cells, readable on a phone (tables scroll sideways), no script
(templates/shapes.html, with templates/shapes_macros.html). Every shape has an id on `/shapes`
(`kg.docs.shapes.model.anchor`), so a validation report (api.web.validation_page) links each result to the
rule that produced it. The shapes' names, comments and messages are written in English without a language
tag (see `shapes/`), so they are marked `lang="en"` for screen readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.docs.shapes import model
from kg.docs.shapes.model import Rule, ShapesDoc

from ..web.templating import render

SHAPES_PATH = "/shapes"
UNTAGGED_LANGUAGE = "en"  # the shapes' texts are untagged English
PAGE_LANGUAGE = "fr"

SEVERITY_TITLES = {
    "Violation": ("Doit avoir", "violation : la donnée est refusée"),
    "Warning": ("Devrait avoir", "avertissement : la donnée est acceptée mais signalée"),
    "Info": ("Pour information", "information"),
}
SEVERITY_CELLS = {"Violation": "obligatoire", "Warning": "recommandé", "Info": "information"}


def lang_of(text: str | None, untagged: str = UNTAGGED_LANGUAGE) -> str | None:
    """The language of a text when it is not the page's (for a `lang` attribute); None when it is French."""
    tag = model.language(text) or untagged
    return None if tag.split("-")[0].lower() == PAGE_LANGUAGE else tag


def shape_href(iri: str, *, on_page: bool = False) -> str:
    """Where a shape is explained: its anchor on /shapes."""
    return ("" if on_page else SHAPES_PATH) + "#" + model.anchor(iri)


def plural(n: int, singular: str, plural: str) -> str:
    """The count and its noun: "1 violation", "2 violations" (in French, 0 and 1 take the singular)."""
    return f"{n} {singular if n <= 1 else plural}"


HELPERS: dict[str, Any] = {  # what shapes_macros.html needs (imported `with context`)
    "lang_of": lang_of,
    "shape_href": shape_href,
    "plural": plural,
    "curie": model.curie,
    "anchor": model.anchor,
    "class_anchor": model.class_anchor,
    "describe_targets": model.describe_targets,
    "is_iri": model.is_iri,
    "constraint_label": model.constraint_label,
    "DEFAULT_PREFIXES": model.DEFAULT_PREFIXES,
    "SEVERITIES": model.SEVERITIES,
    "SEVERITY_TITLES": SEVERITY_TITLES,
    "SEVERITY_CELLS": SEVERITY_CELLS,
    "SHAPES_PATH": SHAPES_PATH,
}


@dataclass(frozen=True)
class RuleRow:
    """A rule in its shape's table; a named property shape gets its id on the first row that shows it."""

    rule: Rule
    anchor: str | None = None
    name: str | None = None  # that property shape's compact name


def rule_rows(doc: ShapesDoc) -> dict[str, tuple[RuleRow, ...]]:
    """Each shape's rows, by shape IRI, in page order: an id is given once, and never one a shape above has."""
    seen: set[str] = set()
    rows: dict[str, tuple[RuleRow, ...]] = {}
    for shape in doc.shapes:
        seen.add(shape.anchor)
        out = []
        for rule in shape.rules:
            if rule.shape and rule.shape != shape.iri and model.anchor(rule.shape) not in seen:
                seen.add(model.anchor(rule.shape))
                out.append(RuleRow(rule, model.anchor(rule.shape), model.curie(rule.shape, doc.prefixes)))
            else:
                out.append(RuleRow(rule))
        rows[shape.iri] = tuple(out)
    return rows


def shapes_page(doc: ShapesDoc, *, turtle_href: str = SHAPES_PATH + "?format=turtle") -> str:
    """The shapes in words: for each class what it must and should have, then every shape with its anchor."""
    return render("shapes.html", doc=doc, rows=rule_rows(doc), turtle_href=turtle_href, **HELPERS)
