"""What a SPARQL request asks for, read before anything runs: its form, and the endpoints SERVICE would call.

A public, read-only endpoint must refuse updates and outbound SERVICE calls (server-side request forgery)
before the engine sees the query. This is a lexer, not a parser: it skips comments, string literals and
IRIs, then reads keywords, so `"SERVICE"` in a literal or `<http://x/SERVICE>` is never mistaken for one.
The query itself is parsed by Oxigraph, whose error messages are returned as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kg.errors import QueryRefused

QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

_TOKEN = re.compile(
    r"""
      (?P<ws>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)
    | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:(?:[\w\-\u00b7\u00c0-\uffff:%.\\]*[\w\-\u00b7\u00c0-\uffff:%\\])?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int = 0  # offset in the query text


@dataclass(frozen=True)
class QueryInfo:
    """The request's form (SELECT, CONSTRUCT, DESCRIBE, ASK, or UPDATE) and its SERVICE targets."""

    form: str
    services: list[str | None] = field(default_factory=list)  # None: a variable or an unresolvable name
    dataset_clause: bool = False  # the query names its own dataset with FROM / FROM NAMED

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def tokens(text: str) -> list[Token]:
    """Significant tokens of a SPARQL text (no white space, no comments)."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            out.append(Token(kind, m.group(), m.start()))
    return out


def inspect(text: str) -> QueryInfo:
    """Read the form and the SERVICE targets of a query or update."""
    toks = tokens(text)
    prefixes: dict[str, str] = {}
    form = "UNKNOWN"
    i = 0
    # prologue: BASE <iri> / PREFIX p: <iri>
    while i < len(toks):
        word = toks[i].text.upper() if toks[i].kind == "word" else ""
        if word == "BASE" and i + 1 < len(toks):
            i += 2
        elif word == "PREFIX" and i + 2 < len(toks):
            prefixes[toks[i + 1].text.rstrip(":")] = toks[i + 2].text[1:-1]
            i += 3
        else:
            break
    if i < len(toks) and toks[i].kind == "word":
        word = toks[i].text.upper()
        form = word if word in QUERY_FORMS else "UPDATE" if word in UPDATE_KEYWORDS else "UNKNOWN"
    services: list[str | None] = []
    for j, tok in enumerate(toks):
        if tok.kind == "word" and tok.text.upper() == "SERVICE":
            k = j + 1
            if k < len(toks) and toks[k].kind == "word" and toks[k].text.upper() == "SILENT":
                k += 1
            services.append(_resolve(toks[k], prefixes) if k < len(toks) else None)
        elif form in QUERY_FORMS and j > i and _is_update_operation(toks, j):
            # INSERT/DELETE DATA|WHERE|{ after the form keyword only appear in updates (a second operation)
            form = "UPDATE"
    dataset_clause = any(t.kind == "word" and t.text.upper() == "FROM" for t in toks)
    return QueryInfo(form=form, services=services, dataset_clause=dataset_clause)


def _is_update_operation(toks: list[Token], j: int) -> bool:
    nxt = toks[j + 1].text.upper() if j + 1 < len(toks) else ""
    return toks[j].text.upper() in {"INSERT", "DELETE"} and nxt in {"DATA", "WHERE", "{"}


def _resolve(tok: Token, prefixes: dict[str, str]) -> str | None:
    if tok.kind == "iri":
        return tok.text[1:-1]
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def check_read_only(text: str, service_allowlist: Iterable[str] = ()) -> QueryInfo:
    """Refuse updates and SERVICE calls to endpoints outside the allow-list; return what the query is."""
    info = inspect(text)
    if info.form == "UPDATE":
        raise QueryRefused("this endpoint is read-only: SPARQL Update is not accepted here")
    allowed = set(service_allowlist)
    for target in info.services:
        if target is None:
            raise QueryRefused("SERVICE with a variable or an unknown prefix is not allowed on this endpoint")
        if target not in allowed:
            hint = f" (allowed: {', '.join(sorted(allowed))})" if allowed else " (federated queries are disabled)"
            raise QueryRefused(f"SERVICE <{target}> is not allowed on this endpoint{hint}")
    return info
