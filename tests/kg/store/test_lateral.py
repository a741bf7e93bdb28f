"""`#lateral` hints: rewritten for the embedded store only, and never changing a canned query's answer."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg import queries
from kg.store import lateral
from kg.store.guard import tokens


def test_an_optional_after_the_hint_becomes_a_lateral_optional() -> None:
    text = 'SELECT * { ?a ?b ?c\n#lateral\nOPTIONAL { ?c ?d "}" FILTER(?x) { ?y ?z ?w } }\n?a ?q ?r }'
    got = lateral.rewrite(text)
    assert 'LATERAL { OPTIONAL { ?c ?d "}" FILTER(?x) { ?y ?z ?w } } }' in got
    assert got.endswith("?a ?q ?r }")


def test_a_group_after_the_hint_becomes_a_lateral_group() -> None:
    text = "SELECT * { ?a ?b ?c\n  #lateral\n  { SELECT ?c (COUNT(*) AS ?n) { ?c ?p ?o } GROUP BY ?c } }"
    assert "LATERAL { SELECT ?c" in lateral.rewrite(text)


def test_without_a_hint_or_with_one_in_a_string_nothing_changes() -> None:
    for text in ("SELECT * { ?s ?p ?o }", 'SELECT * { ?s ?p "#lateral" OPTIONAL { ?s ?q ?r } }', "# lateral\nASK {}"):
        assert lateral.rewrite(text) == text


def test_the_rewritten_text_is_what_oxigraph_parses() -> None:
    db = ox.Store()
    for name in queries.names():
        q = queries.get(name)
        text = q.bind({p.name: p.example for p in q.params if p.example})
        hints = sum(1 for t in tokens(text, comments=True) if t.kind == "comment" and t.text.strip() == lateral.HINT)
        rewritten = lateral.rewrite(text)
        assert rewritten.count("LATERAL") == hints
        db.query(rewritten)  # parses (an empty store answers nothing)


@pytest.mark.parametrize("name", queries.names())
def test_every_canned_answer_is_the_same_with_and_without_the_hints(name: str, kg_store: ox.Store) -> None:
    q = queries.get(name)
    every = {p.name: p.example for p in q.params if p.example}
    required = {k: v for k, v in every.items() if any(p.name == k and p.required for p in q.params)}
    for values in (every, required):
        text = q.bind(values)
        plain = [tuple(map(str, row)) for row in kg_store.query(text)]  # the hints are comments: SPARQL 1.1
        hinted = [tuple(map(str, row)) for row in kg_store.query(lateral.rewrite(text))]
        assert hinted == plain
