"""The frame every HTML page shares: language, viewport, stylesheet, navigation and footer.

Pages are plain server-rendered HTML in French (English where the data has it); scripts and styles come
from `api/static/` only, never from a CDN, so the whole site works offline. Each page passes its own
title and body; the navigation links every part of the site from every page.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
SITE_STATIC = "/static/site"
VENDOR_STATIC = "/static/vendor"  # front-end packages from npm, copied by `make vendor` (frontend/)

NAV: list[tuple[str, str]] = [
    ("/", "Accueil"),
    ("/sparql", "Requêtes SPARQL"),
    ("/explore/network", "Réseau d'acteurs"),
    ("/explore/funding", "Financements"),
    ("/ontology", "Ontologie"),
    ("/shapes", "Règles de validation"),
    ("/.well-known/void", "Jeu de données"),
    ("/docs", "API"),
]
NAV_DESCRIPTIONS: dict[str, str] = {  # what each part of the site is for (the home page lists them)
    "/": "ce que contient le graphe et d'où il vient",
    "/sparql": "interroger le graphe, avec des exemples prêts à lancer",
    "/explore/network": "qui travaille avec qui, par territoire et par dispositif",
    "/explore/funding": "les flux par territoire, dispositif et financeur, avec leurs sources",
    "/ontology": "les classes et les propriétés du modèle, en français et en anglais",
    "/shapes": "ce que chaque classe doit et devrait avoir",
    "/.well-known/void": "statistiques et graphes nommés (VoID)",
    "/docs": "toutes les opérations, documentées et essayables",
}


def page(
    title: str,
    body: str,
    *,
    current: str = "",
    head: str = "",
    scripts: tuple[str, ...] = (),
    lang: str = "fr",
) -> str:
    """A whole HTML document: `body` goes inside <main>; `scripts` are URLs under /static, loaded deferred."""
    nav = "".join(
        f'<li><a href="{href}"{" aria-current=page" if href == current else ""}>{escape(label)}</a></li>'
        for href, label in NAV
    )
    script_tags = "".join(f'<script src="{escape(src)}" defer></script>\n' for src in scripts)
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="icon" href="{SITE_STATIC}/favicon.svg" type="image/svg+xml">\n'
        f'<link rel="stylesheet" href="{SITE_STATIC}/site.css">\n{head}{script_tags}</head>\n<body>\n'
        '<a class="skip" href="#contenu">Aller au contenu</a>\n'
        '<header><nav aria-label="Navigation principale"><p class="brand">'
        '<a href="/">Territoires d\'industrie — graphe de connaissances</a></p>'
        f"<ul>{nav}</ul></nav></header>\n"
        f'<main id="contenu">\n{body}\n</main>\n'
        "<footer><p>Données sous licence "
        '<a href="https://creativecommons.org/licenses/by/4.0/deed.fr">CC-BY-4.0</a>, '
        "géographie officielle d'Etalab (Licence Ouverte 2.0). "
        '<a href="/.well-known/void">Description du jeu de données</a>.</p></footer>\n'
        "</body>\n</html>\n"
    )


def install(app: FastAPI) -> None:
    """Serve the site's own static files (stylesheet, icon, vendored front-end packages)."""
    app.mount("/static/site", StaticFiles(directory=STATIC_DIR / "site"), name="site-static")
    app.mount(VENDOR_STATIC, StaticFiles(directory=STATIC_DIR / "vendor"), name="vendor-static")
