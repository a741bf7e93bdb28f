"""Per-row evaluation hints for the embedded store: a `#lateral` comment becomes Oxigraph's `LATERAL`.

Oxigraph joins an `OPTIONAL` or a group by evaluating it whole and hashing it, then probing with the rows on
its left: a group that is cheap for one resource (the communes of one intercommunalité, the names of one
flow's funders) costs as much as the whole graph's. Oxigraph also implements `LATERAL` (SPARQL 1.2 draft,
SEP-0006), which evaluates the right side once per left row with that row's values put in. The canned
queries stay SPARQL 1.1 — what /queries shows runs on any store, and Virtuoso reads the hint as a comment —
and mark the groups to evaluate per row with a comment line just before them:

    #lateral
    OPTIONAL { ?epci ti:hasMemberCommune ?commune . … }      →  LATERAL { OPTIONAL { … } }
    #lateral
    { SELECT ?flow (GROUP_CONCAT(…) AS ?names) … GROUP BY ?flow }   →  LATERAL { … }

A hint is put only where the answer is the same either way: the group has no `LIMIT`, `OFFSET` or aggregate
except over groups keyed by the variables it shares with the left side, and binds no variable the left side
binds (tests/kg/test_canned_queries.py compares every canned answer with and without the hints).
"""

from __future__ import annotations

from kg.store.guard import Token, tokens

HINT = "#lateral"


def rewrite(text: str) -> str:
    """The query with each hinted group written as a `LATERAL` one (unchanged when it has no hint)."""
    if HINT not in text:
        return text
    toks = tokens(text, comments=True)
    inserts: list[tuple[int, str]] = []
    for i, tok in enumerate(toks):
        if tok.kind != "comment" or tok.text.strip() != HINT or i + 1 >= len(toks):
            continue
        nxt = toks[i + 1]
        if nxt.kind == "word" and nxt.text.upper() == "OPTIONAL" and i + 2 < len(toks) and toks[i + 2].text == "{":
            close = _closing(toks, i + 2)
            if close is not None:
                inserts += [(nxt.start, "LATERAL { "), (close.start + 1, " }")]
        elif nxt.text == "{":
            inserts.append((nxt.start, "LATERAL "))
    for at, piece in sorted(inserts, reverse=True):
        text = text[:at] + piece + text[at:]
    return text


def _closing(toks: list[Token], opening: int) -> Token | None:
    """The `}` closing the `{` at index `opening` (braces in strings and IRIs are tokens of their own)."""
    depth = 0
    for tok in toks[opening:]:
        if tok.kind == "comment":
            continue
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0:
                return tok
    return None
