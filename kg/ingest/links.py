"""Links out, derived by the build: the named graph `…/id/graph/links` (graph:links).

Each resource with a SIREN (`ti:siren`: intercommunalities, communes, companies and other organisations)
gets `rdfs:seeAlso` its page in the public register, `https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}`
(the Annuaire des Entreprises, which DINUM runs over INSEE's Sirene and the national register: its page of a
legal unit takes the bare SIREN as its slug, and gives that address as its canonical one when it has no other).

`rdfs:seeAlso`, not `owl:sameAs`: the target is a web page *about* the legal unit, not the unit itself, and
`owl:sameAs` would make every statement of the page's address one of the resource's (and the reverse).

No link to INSEE's identifiers (`http://id.insee.fr/geo/…`) is derived from `igeo:codeINSEE`: INSEE names each
version of a commune, département or région with an IRI built on a UUID
(`http://id.insee.fr/geo/region/6db44a21-5ae3-41b5-b16d-0ab30964f78d` is Auvergne-Rhône-Alpes, code 84), which
the code does not give without a lookup; the code-based forms appear only as examples in INSEE's API
documentation, not in its answers (see data/README.md, "Links out").

Nothing is fetched: the links are a pure function of the stated triples, computed from the SIRENs the data
files hold (the official geography's, or a document's). A steward's write does not update this graph — the
next build does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from kg.sources.namespaces import DCTERMS, PROV, RDF, RDFS, TI, TID

LINKS_GRAPH = str(TID["graph/links"])
REGISTER_PAGE = "https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}"
REGISTER = "https://annuaire-entreprises.data.gouv.fr/"

SIREN = ox.NamedNode(str(TI.siren))
SEE_ALSO = ox.NamedNode(RDFS + "seeAlso")
_SIREN_SYNTAX = re.compile(r"[0-9]{9}")  # what tish:Datatype-siren accepts; anything else gets no link


def register_page(siren: str) -> ox.NamedNode | None:
    """The Annuaire des Entreprises page of a SIREN, or None if `siren` is not nine digits."""
    return ox.NamedNode(REGISTER_PAGE.format(siren=siren)) if _SIREN_SYNTAX.fullmatch(siren) else None


def derived(stated: Iterable[ox.Triple | ox.Quad]) -> dict[ox.Triple, set[ox.NamedNode]]:
    """Each link out, with the named graphs stating the code it comes from (what it is derived from)."""
    links: dict[ox.Triple, set[ox.NamedNode]] = {}
    for t in stated:
        if t.predicate != SIREN or not isinstance(t.subject, ox.NamedNode) or not isinstance(t.object, ox.Literal):
            continue
        page = register_page(t.object.value)
        if page is None:
            continue
        sources = links.setdefault(ox.Triple(t.subject, SEE_ALSO, page), set())
        if isinstance(t, ox.Quad) and isinstance(t.graph_name, ox.NamedNode):
            sources.add(t.graph_name)
    return links


def description(sources: Iterable[ox.NamedNode]) -> set[ox.Triple]:
    """What graph:links says about itself: derived, by which rule, from which graphs."""
    g = ox.NamedNode(LINKS_GRAPH)

    def text(value: str, lang: str) -> ox.Literal:
        return ox.Literal(value, language=lang)

    own = {
        ox.Triple(g, ox.NamedNode(RDF + "type"), ox.NamedNode(str(TI.Dataset))),
        ox.Triple(g, ox.NamedNode(RDFS + "label"), text("Liens vers l'extérieur", "fr")),
        ox.Triple(g, ox.NamedNode(RDFS + "label"), text("Links out", "en")),
        ox.Triple(
            g,
            ox.NamedNode(DCTERMS + "description"),
            text(
                "Triplets dérivés par la construction, énoncés par aucun document : pour chaque ressource qui a "
                "un ti:siren de neuf chiffres, rdfs:seeAlso sa fiche de l'Annuaire des Entreprises "
                "(https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}). Rien n'est consulté en ligne.",
                "fr",
            ),
        ),
        ox.Triple(
            g,
            ox.NamedNode(DCTERMS + "description"),
            text(
                "Triples derived by the build, stated by no document: for every resource with a nine-digit "
                "ti:siren, rdfs:seeAlso its page in the Annuaire des Entreprises "
                "(https://annuaire-entreprises.data.gouv.fr/entreprise/{siren}). Nothing is fetched.",
                "en",
            ),
        ),
        ox.Triple(g, ox.NamedNode(DCTERMS + "references"), ox.NamedNode(REGISTER)),
        ox.Triple(g, ox.NamedNode(DCTERMS + "license"), ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")),
    }
    return own | {ox.Triple(g, ox.NamedNode(PROV + "wasDerivedFrom"), s) for s in sources}


def graph_quads(stated: Iterable[ox.Triple | ox.Quad]) -> list[ox.Quad]:
    """graph:links as the build makes it: its description and every link; nothing when no resource has a code."""
    links = derived(stated)
    if not links:
        return []
    sources = set().union(*links.values())
    name = ox.NamedNode(LINKS_GRAPH)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in description(sources) | set(links)]
