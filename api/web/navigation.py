"""The parts of the site, in the order the navigation of every page lists them (templates/base.html) and the
home page describes them. One list, so a new part of the site appears everywhere at once."""

from __future__ import annotations

NAV: tuple[tuple[str, str], ...] = (
    ("/", "Accueil"),
    ("/sparql", "Requêtes SPARQL"),
    ("/explore/network", "Réseau d'acteurs"),
    ("/explore/funding", "Financements"),
    ("/ontology", "Ontologie"),
    ("/shapes", "Règles de validation"),
    ("/.well-known/void", "Jeu de données"),
    ("/download", "Téléchargements"),
    ("/catalog", "Catalogue"),
    ("/docs", "API"),
)
NAV_DESCRIPTIONS: dict[str, str] = {  # what each part of the site is for (the home page lists them)
    "/": "ce que contient le graphe et d'où il vient",
    "/sparql": "interroger le graphe, avec des exemples prêts à lancer",
    "/explore/network": "qui travaille avec qui, par territoire et par dispositif",
    "/explore/funding": "les flux par territoire, dispositif et financeur, avec leurs sources",
    "/ontology": "les classes et les propriétés du modèle, en français et en anglais",
    "/shapes": "ce que chaque classe doit et devrait avoir",
    "/.well-known/void": "statistiques et graphes nommés (VoID)",
    "/download": "le graphe entier de la version courante, en N-Quads et en TriG compressés, avec leurs sommes SHA-256",
    "/catalog": "la fiche DCAT-AP du jeu de données, pour les portails de données",
    "/docs": "toutes les opérations, documentées et essayables",
}
