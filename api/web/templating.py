"""The one Jinja2 environment every page renders with: autoescaping on, strict about unknown names.

Templates live in `api/web/templates/`; `base.html` is the frame every page extends (language, viewport,
stylesheets, navigation, footer) and `macros.html` holds the shared fragments (labels, links to resources,
RDF terms, sources, tables). Text from the graph is escaped by Jinja2 itself — no page builds HTML in Python.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..web import filters

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    """Built once: templates are compiled on first use and kept."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "xml"), default_for_string=True),
        undefined=StrictUndefined,  # a misspelt name in a template fails its test instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters.FILTERS)
    env.globals.update(filters.GLOBALS)
    return env


def render(template: str, /, **context: Any) -> str:
    """One page or fragment, rendered with the shared environment."""
    return environment().get_template(template).render(**context)
