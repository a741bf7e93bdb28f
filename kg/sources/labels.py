"""Names for display, shared by the resource pages, the ontology's documentation and the shapes page.

One way to name a thing everywhere: `pick` chooses a French and an English name among candidate literals,
`STANDARD_LABELS` names the standard terms (RDF, RDFS, OWL, SKOS, Dublin Core, schema.org, INSEE) that the
graph uses without labelling, and `sort_key` orders names alphabetically with accents and case ignored.
The canned queries (kg/queries/*.rq) read the same choice from `ti:displayName`, which the build derives
once per resource and language (kg.ingest.inference) — one name, skos:prefLabel first, never a `GROUP BY` on
labels; `sparql_name` spells the rule in SPARQL, and tests/kg/ingest/test_inference.py checks that the derived
names are exactly what it chooses.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from kg.sources.namespaces import DCTERMS, OWL, RDF, RDFS, SKOS
from kg.sources.namespaces import IGEO as _IGEO
from kg.sources.namespaces import SCHEMA as _SCHEMA

SCHEMA = str(_SCHEMA)
IGEO = str(_IGEO)

LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label")  # where a resource's own name is, preferred first


def sparql_name(var: str, out: str, lang: str = "fr", where: str = "") -> str:
    """The SPARQL sub-select giving `?out`, one name of each `?var` in `lang`: its skos:prefLabel, else its
    smallest rdfs:label (SKOS allows one prefLabel per language; the documents' wordings are rdfs:label).
    Every row keeps its value bound: SPARQL's MIN over a group with an unbound value is an error, so a
    `COALESCE(MIN(?pref), MIN(?label))` over a UNION would lose both names of a resource that has both.
    The minimum is taken over the plain text and the language put back (`STRLANG`): the same name, and
    engines that compare or aggregate language-tagged literals their own way (Virtuoso 7.2) give it too.

    Grouped by the resource alone, so a resource labelled differently by several documents stays one row;
    `where` restricts the resources (e.g. "?t a ti:IndustryTerritory . "). Needs the skos: and rdfs: prefixes.
    """
    return (
        f'{{ SELECT ?{var} (STRLANG(MIN(STR(?{var}_label)), "{lang}") AS ?{out}) WHERE {{ {where}'
        f'?{var} skos:prefLabel|rdfs:label ?{var}_label FILTER(lang(?{var}_label) = "{lang}") '
        f"FILTER(EXISTS {{ ?{var} skos:prefLabel ?{var}_label }} || NOT EXISTS {{ ?{var} skos:prefLabel ?{var}_pref "
        f'FILTER(lang(?{var}_pref) = "{lang}") }}) }} GROUP BY ?{var} }}'
    )


# French and English names of the standard terms the graph and the shapes use without labelling them.
STANDARD_LABELS: dict[str, tuple[str, str]] = {
    RDF + "type": ("type", "type"),
    RDFS + "label": ("libellé", "label"),
    RDFS + "comment": ("commentaire", "comment"),
    RDFS + "seeAlso": ("voir aussi", "see also"),
    RDFS + "isDefinedBy": ("défini par", "is defined by"),
    RDFS + "subClassOf": ("sous-classe de", "subclass of"),
    RDFS + "subPropertyOf": ("sous-propriété de", "subproperty of"),
    RDFS + "domain": ("domaine", "domain"),
    RDFS + "range": ("codomaine", "range"),
    OWL + "equivalentClass": ("classe équivalente", "equivalent class"),
    OWL + "equivalentProperty": ("propriété équivalente", "equivalent property"),
    OWL + "inverseOf": ("inverse de", "inverse of"),
    OWL + "versionInfo": ("version", "version"),
    OWL + "versionIRI": ("IRI de la version", "version IRI"),
    SKOS + "Concept": ("concept SKOS", "SKOS concept"),
    SKOS + "ConceptScheme": ("vocabulaire SKOS", "SKOS concept scheme"),
    SKOS + "prefLabel": ("libellé préféré", "preferred label"),
    SKOS + "altLabel": ("autre libellé", "alternative label"),
    SKOS + "definition": ("définition", "definition"),
    SKOS + "notation": ("notation", "notation"),
    SKOS + "inScheme": ("dans le vocabulaire", "in scheme"),
    SKOS + "topConceptOf": ("concept de tête de", "top concept of"),
    SKOS + "hasTopConcept": ("a pour concept de tête", "has top concept"),
    SKOS + "broader": ("concept plus large", "broader"),
    SKOS + "narrower": ("concept plus précis", "narrower"),
    DCTERMS + "title": ("titre", "title"),
    DCTERMS + "description": ("description", "description"),
    DCTERMS + "date": ("date", "date"),
    DCTERMS + "issued": ("date de publication", "issued"),
    DCTERMS + "modified": ("date de mise à jour", "modified"),
    DCTERMS + "created": ("date de création", "created"),
    DCTERMS + "language": ("langue", "language"),
    DCTERMS + "license": ("licence", "license"),
    DCTERMS + "source": ("source", "source"),
    DCTERMS + "publisher": ("éditeur", "publisher"),
    DCTERMS + "creator": ("auteur", "creator"),
    SCHEMA + "value": ("valeur", "value"),
    SCHEMA + "minValue": ("valeur minimale", "minimum value"),
    SCHEMA + "maxValue": ("valeur maximale", "maximum value"),
    SCHEMA + "currency": ("devise", "currency"),
    SCHEMA + "superEvent": ("événement parent", "super event"),
    SCHEMA + "QuantitativeValue": ("quantité", "quantitative value"),
    IGEO + "codeINSEE": ("code INSEE", "INSEE code"),
    IGEO + "subdivisionDe": ("subdivision de", "subdivision of"),
}


@dataclass(frozen=True)
class Label:
    """A name in French and in English, either possibly missing."""

    fr: str | None = None
    en: str | None = None

    @property
    def text(self) -> str | None:
        """The French name, else the English one."""
        return self.fr or self.en

    def or_known(self, iri: str) -> Label:
        """This label, or the built-in names of a standard term when the graph gives none."""
        if self.text is None and iri in STANDARD_LABELS:
            return Label(*STANDARD_LABELS[iri])
        return self


def primary_language(tag: str | None) -> str:
    """The primary subtag of a language tag, lower case ("fr" for "fr-FR"); "" for an untagged literal."""
    return (tag or "").split("-")[0].lower()


def pick(candidates: Iterable[tuple[str, str | None]]) -> Label:
    """The name among (text, language tag) candidates, given in order of preference (preferred property first).

    French: the first French text, else the first untagged one (the graph's own texts are French);
    English: the first English text.
    """
    found: dict[str, str] = {}
    for text, lang in candidates:
        found.setdefault(primary_language(lang), text)
    return Label(found.get("fr") or found.get(""), found.get("en"))


def sort_key(text: str) -> str:
    """Alphabetical order with accents and case ignored ("événement" between "dispositif" and "fonds")."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c))
