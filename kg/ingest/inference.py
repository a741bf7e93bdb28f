"""What the build derives from the stated triples: the named graph `…/id/graph/inferred` (graph:inferred).

Two kinds of derived triples, both made by pure functions so that the build and a steward's write compute
exactly the same graph:

- **RDFS subclass and subproperty entailments** (rules rdfs9 and rdfs7 of RDF 1.1 Semantics, with the
  transitive closure of `rdfs:subClassOf` and `rdfs:subPropertyOf` taken from the ontology): a `ti:Fund`
  is also a `ti:SupportScheme` and a `prov:Plan`, a `ti:funder` link is also a `schema:funder` link, so
  asking for support schemes returns funds and asking for agents returns organisations and persons.
  Domains and ranges (rdfs2, rdfs3) are not applied: the shapes check them instead.
- **Shared funding**: a funding flow naming two or more funders, with no share of the amount stated for
  any of them (the documents state none, and the ontology has no term for one), gets
  `ti:sharedFunding true`, so totals per funder can report such an amount apart instead of counting it
  once for each funder.
- **Display names**: each resource gets one `ti:displayName` per language its names are in — its smallest
  `skos:prefLabel` in that language, else its smallest `rdfs:label` (smallest by code point, the order of
  SPARQL's `MIN` on strings) — the rule `kg.sources.labels.sparql_name` spells in SPARQL. The canned queries
  read that one triple instead of choosing among every label of the graph at each request (a sub-select
  that grouped all labels of a million-triple graph took seconds).
- **Search keys**: each name of a resource (`rdfs:label`, `skos:prefLabel`, `skos:altLabel`, `ti:acronym`)
  gives a `ti:searchKey`, the name in lower case with the accents search.rq ignores taken off (`fold`), so
  that the search reads the few resources whose key holds the text before it compares their names one by one.

Every rule reads only the triples of one subject (its types, its own links), so a write's effect on the
derived graph is exact when computed from the stated triples of the subjects it touched, before and after
(`inferred_diff`; `write_diff` does it on a store a write has just changed). The derived graph holds every entailment, whether or not some document also states it:
that keeps it a function of the stated triples alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.sources.namespaces import ONTOLOGY_IRI, RDF, RDFS, SKOS, TI, TID, XSD
from kg.write.journal import GraphDiff

INFERRED_GRAPH = str(TID["graph/inferred"])

RDF_TYPE = ox.NamedNode(RDF + "type")
SUBCLASS_OF = ox.NamedNode(RDFS + "subClassOf")
SUBPROPERTY_OF = ox.NamedNode(RDFS + "subPropertyOf")
FUNDING_FLOW = ox.NamedNode(str(TI.FundingFlow))
FUNDER = ox.NamedNode(str(TI.funder))
SHARED_FUNDING = ox.NamedNode(str(TI.sharedFunding))
TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
PREF_LABEL = ox.NamedNode(SKOS + "prefLabel")
LABEL = ox.NamedNode(RDFS + "label")
DISPLAY_NAME = ox.NamedNode(str(TI.displayName))
SEARCH_KEY = ox.NamedNode(str(TI.searchKey))
SEARCHED = frozenset({LABEL, PREF_LABEL, ox.NamedNode(SKOS + "altLabel"), ox.NamedNode(str(TI.acronym))})
# what kg/queries/search.rq does to a name after LCASE, in its order: the same text, so the key of a name the
# search matches always holds the text searched (tests/kg/ingest/test_inference.py compares them on the graph)
_FOLDS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        ("[àâä]", "a"),
        ("[éèêë]", "e"),
        ("[îï]", "i"),
        ("[ôö]", "o"),
        ("[ùûü]", "u"),
        ("ç", "c"),
        ("[\u2019\u2018`]", "'"),
        ("œ", "oe"),
    )
)

Subject = ox.NamedNode | ox.BlankNode


def _closure(edges: Mapping[ox.NamedNode, set[ox.NamedNode]]) -> dict[ox.NamedNode, frozenset[ox.NamedNode]]:
    """Every strict ancestor of each node (a cycle makes its members ancestors of one another, not of themselves)."""
    result: dict[ox.NamedNode, frozenset[ox.NamedNode]] = {}
    for start in edges:
        seen: set[ox.NamedNode] = set()
        todo = list(edges[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, ()))
        seen.discard(start)
        if seen:
            result[start] = frozenset(seen)
    return result


@dataclass(frozen=True)
class Hierarchy:
    """The ontology's class and property hierarchies, closed transitively: what each term is also."""

    superclasses: Mapping[ox.NamedNode, frozenset[ox.NamedNode]]
    superproperties: Mapping[ox.NamedNode, frozenset[ox.NamedNode]]

    @classmethod
    def of(cls, ontology_triples: Iterable[ox.Triple | ox.Quad]) -> Hierarchy:
        """The hierarchy stated by `rdfs:subClassOf` / `rdfs:subPropertyOf` between named terms."""
        classes: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
        properties: dict[ox.NamedNode, set[ox.NamedNode]] = defaultdict(set)
        for t in ontology_triples:
            s, p, o = t.subject, t.predicate, t.object
            if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
                if p == SUBCLASS_OF:
                    classes[s].add(o)
                elif p == SUBPROPERTY_OF:
                    properties[s].add(o)
        return cls(_closure(classes), _closure(properties))

    def properties_under(self, prop: ox.NamedNode) -> frozenset[ox.NamedNode]:
        """`prop` and every property below it."""
        return frozenset({prop} | {p for p, supers in self.superproperties.items() if prop in supers})


def _hierarchy(ontology: Hierarchy | Iterable[ox.Triple | ox.Quad]) -> Hierarchy:
    return ontology if isinstance(ontology, Hierarchy) else Hierarchy.of(ontology)


def _rdfs(t: ox.Triple, h: Hierarchy) -> set[ox.Triple]:
    """rdfs7 (super-properties) then rdfs9 (superclasses) for one stated triple, closures included."""
    predicates = {t.predicate} | h.superproperties.get(t.predicate, frozenset())
    out = {ox.Triple(t.subject, p, t.object) for p in predicates if p != t.predicate}
    if RDF_TYPE in predicates and isinstance(t.object, ox.NamedNode):
        out |= {ox.Triple(t.subject, RDF_TYPE, c) for c in h.superclasses.get(t.object, frozenset())}
    return out


def _by_subject(triples: Iterable[ox.Triple | ox.Quad]) -> dict[Subject, list[ox.Triple]]:
    grouped: dict[Subject, list[ox.Triple]] = defaultdict(list)
    for t in triples:
        triple = t.triple if isinstance(t, ox.Quad) else t
        if isinstance(triple.subject, ox.NamedNode | ox.BlankNode):
            grouped[triple.subject].append(triple)
    return grouped


def _subject_entailments(subject: Subject, triples: list[ox.Triple], h: Hierarchy) -> set[ox.Triple]:
    """Everything the rules derive from one subject's stated triples."""
    out: set[ox.Triple] = set()
    for t in triples:
        out |= _rdfs(t, h)
    everything = out.union(triples)
    is_flow = ox.Triple(subject, RDF_TYPE, FUNDING_FLOW) in everything
    if is_flow:
        funder_links = h.properties_under(FUNDER)
        funders = {t.object for t in everything if t.predicate in funder_links}
        if len(funders) >= 2:
            out.add(ox.Triple(subject, SHARED_FUNDING, TRUE))
    return out | _display_names(subject, everything) | _search_keys(subject, everything)


def _search_keys(subject: Subject, triples: Iterable[ox.Triple]) -> set[ox.Triple]:
    """Each name folded (`fold`); IRIs only, the only resources the search answers."""
    if not isinstance(subject, ox.NamedNode):
        return set()
    return {
        ox.Triple(subject, SEARCH_KEY, ox.Literal(fold(t.object.value)))
        for t in triples
        if t.predicate in SEARCHED and isinstance(t.object, ox.Literal)
    }


def fold(text: str) -> str:
    """A name as the search compares it: lower case, the accents of French letters taken off."""
    text = text.lower()
    for pattern, replacement in _FOLDS:
        text = pattern.sub(replacement, text)
    return text


def _display_names(subject: Subject, triples: Iterable[ox.Triple]) -> set[ox.Triple]:
    """One name per language: the smallest skos:prefLabel in it, else the smallest rdfs:label (entailed ones too)."""
    preferred: dict[str, list[str]] = defaultdict(list)
    labels: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        o = t.object
        if isinstance(o, ox.Literal) and o.language and t.predicate in (PREF_LABEL, LABEL):
            (preferred if t.predicate == PREF_LABEL else labels)[o.language].append(o.value)
    return {
        ox.Triple(subject, DISPLAY_NAME, ox.Literal(min(preferred.get(lang) or labels[lang]), language=lang))
        for lang in preferred.keys() | labels.keys()
    }


def entailed(
    triples: Iterable[ox.Triple | ox.Quad], ontology_triples: Hierarchy | Iterable[ox.Triple | ox.Quad]
) -> set[ox.Triple]:
    """The derived triples of `triples` (the stated ones: every named graph but graph:inferred, the ontology's too).

    `ontology_triples` gives the `rdfs:subClassOf` / `rdfs:subPropertyOf` axioms (or a ready `Hierarchy`).
    """
    h = _hierarchy(ontology_triples)
    out: set[ox.Triple] = set()
    for subject, own in _by_subject(triples).items():
        out |= _subject_entailments(subject, own, h)
    return out


def inferred_diff(
    before: Iterable[ox.Triple | ox.Quad],
    after: Iterable[ox.Triple | ox.Quad],
    ontology_triples: Hierarchy | Iterable[ox.Triple | ox.Quad],
) -> GraphDiff:
    """How graph:inferred changes when the stated triples of some subjects go from `before` to `after`.

    Give, for every subject a write touched (`touched_subjects`), all its stated triples (in every named
    graph but graph:inferred; see `stated_triples`) before the write and after it; subjects left out are
    assumed unchanged. The rules being per subject, the answer is exact.
    """
    h = _hierarchy(ontology_triples)
    old, new = entailed(before, h), entailed(after, h)
    return GraphDiff(added=new - old, removed=old - new)


def touched_subjects(diffs: Iterable[GraphDiff]) -> set[Subject]:
    """The subjects of every triple a write adds or removes: the only ones whose entailments can change."""
    return {t.subject for d in diffs for t in d.added | d.removed if isinstance(t.subject, ox.NamedNode | ox.BlankNode)}


def stated_triples(db: ox.Store, subjects: Iterable[Subject]) -> set[ox.Triple]:
    """The triples of `subjects` in every named graph but graph:inferred: what the rules read."""
    inferred = ox.NamedNode(INFERRED_GRAPH)
    return {
        q.triple
        for s in subjects
        for q in db.quads_for_pattern(s, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != inferred
    }


def write_diff(db: ox.Store, diffs: Mapping[str, GraphDiff], ontology: Hierarchy | None = None) -> GraphDiff:
    """graph:inferred's change for a write whose per-graph `diffs` are already applied to `db`.

    The stated triples before the write are those after it that the write did not add to their graph,
    plus those it removed; only the subjects the write touched are read. The answer holds exactly the
    triples to add that graph:inferred lacks and the triples to remove that it has, so applying it (like
    any graph's diff, the merge kept equal to the union) leaves graph:inferred equal to what a new build
    would derive.
    """
    h = ontology if ontology is not None else store_hierarchy(db)
    inferred = ox.NamedNode(INFERRED_GRAPH)
    touched = touched_subjects(d for g, d in diffs.items() if g != INFERRED_GRAPH)
    added = {(t, g) for g, d in diffs.items() for t in d.added}
    after_quads = [
        (q.triple, q.graph_name.value)
        for s in touched
        for q in db.quads_for_pattern(s, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != inferred
    ]
    after = {t for t, _ in after_quads}
    before = {t for t, g in after_quads if (t, g) not in added}
    before |= {t for g, d in diffs.items() if g != INFERRED_GRAPH for t in d.removed}
    change = inferred_diff(before, after, h)

    def present(t: ox.Triple) -> bool:
        return ox.Quad(t.subject, t.predicate, t.object, inferred) in db

    return GraphDiff(
        added={t for t in change.added if not present(t)}, removed={t for t in change.removed if present(t)}
    )


def store_hierarchy(db: ox.Store) -> Hierarchy:
    """The hierarchy of the ontology graph of a built store (writes never change that graph)."""
    return Hierarchy.of(db.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_IRI)))


def description() -> set[ox.Triple]:
    """What graph:inferred says about itself: derived, by which rules, from the ontology."""
    g = ox.NamedNode(INFERRED_GRAPH)
    dcterms = "http://purl.org/dc/terms/"
    prov = "http://www.w3.org/ns/prov#"

    def text(value: str, lang: str) -> ox.Literal:
        return ox.Literal(value, language=lang)

    return {
        ox.Triple(g, RDF_TYPE, ox.NamedNode(str(TI.Dataset))),
        ox.Triple(g, ox.NamedNode(RDFS + "label"), text("Graphe des inférences", "fr")),
        ox.Triple(g, ox.NamedNode(RDFS + "label"), text("Inferred graph", "en")),
        ox.Triple(
            g,
            ox.NamedNode(dcterms + "description"),
            text(
                "Triplets dérivés par la construction, énoncés par aucun document : les types et propriétés "
                "plus générales qu'impliquent rdfs:subClassOf et rdfs:subPropertyOf de l'ontologie (règles "
                "RDFS rdfs9 et rdfs7, fermeture transitive comprise ; ni domaines ni codomaines), "
                "ti:sharedFunding pour un flux de financement à plusieurs financeurs sans part énoncée, "
                "ti:displayName, le nom affiché de chaque ressource dans chaque langue (son plus petit "
                "skos:prefLabel dans cette langue, sinon son plus petit rdfs:label), et ti:searchKey, chacun de "
                "ses noms en minuscules et sans accents, pour la recherche.",
                "fr",
            ),
        ),
        ox.Triple(
            g,
            ox.NamedNode(dcterms + "description"),
            text(
                "Triples derived by the build, stated by no document: the types and more general properties "
                "that the ontology's rdfs:subClassOf and rdfs:subPropertyOf entail (RDFS rules rdfs9 and rdfs7, "
                "transitive closure included; no domains or ranges), ti:sharedFunding for a funding flow "
                "with several funders and no stated share, ti:displayName, each resource's name in each "
                "language (its smallest skos:prefLabel in that language, else its smallest rdfs:label), and "
                "ti:searchKey, each of its names in lower case without accents, for the search.",
                "en",
            ),
        ),
        ox.Triple(g, ox.NamedNode(prov + "wasDerivedFrom"), ox.NamedNode(ONTOLOGY_IRI)),
        ox.Triple(g, ox.NamedNode(dcterms + "license"), ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")),
    }


def graph_quads(
    stated: Iterable[ox.Triple | ox.Quad], ontology_triples: Iterable[ox.Triple | ox.Quad]
) -> list[ox.Quad]:
    """graph:inferred as the build makes it: its description and everything derived from the stated triples."""
    stated = list(stated)
    own = description()
    triples = own | entailed([*stated, *own], ontology_triples)
    name = ox.NamedNode(INFERRED_GRAPH)
    return [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
