"""What a SPARQL request asks for, read before anything runs: its form, the endpoints SERVICE would call, its depth.

A public endpoint must refuse updates where only queries are taken, outbound SERVICE calls (server-side
request forgery) and texts nested so deep that the engine overflows its stack (Oxigraph crashes its
process from about 5,000 nested groups, or a chain of 10,000 UNIONs) — before the engine sees the text.
`check_request` is that one guard, for queries (/sparql, canned queries) and updates (/update) alike.

This is a lexer, not a parser: it skips comments, string literals and IRIs, then reads keywords, so
`"SERVICE"` in a literal or `<http://x/SERVICE>` is never mistaken for one. It must read strings, IRIs and
prefixed names exactly as far as the engine does (escapes included: `<http://x/\\u0027>`, `ex:a\\'`), or a
quote the engine reads as part of a name would hide what follows from the guard. The text itself is parsed
by Oxigraph, whose error messages are returned as they are.

The lexer runs in linear time on any input: every pattern either consumes what it scanned or fails at its
first character (an unterminated string runs to the end of its line, or of the text, instead of being
scanned again from each later quote; a run of name characters is read once), and characters that matter
to nothing are skipped by the regular expression engine itself.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from kg.errors import QueryRefused, UpdateRefused, WriteForbidden

QUERY_FORMS = {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}

# PN_LOCAL: name characters, ':', '%', escapes (`\'` is one), and '.' except at the end.
_LOCAL_CHAR = r"[\w\-\u00b7\u00c0-\uffff:%]|\\."
_LOCAL = rf"(?:{_LOCAL_CHAR}|\.(?=[\w\-\u00b7\u00c0-\uffff:%.\\]))*+"
_TOKENS = rf"""
      (?P<comment>\#[^\n\r]*+)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\\?\Z)
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:\"\"\"|\\?\Z)
               |'(?:[^'\\\n\r]|\\.)*+(?:'|(?=[\n\r])|\\?\Z)
               |"(?:[^"\\\n\r]|\\.)*+(?:"|(?=[\n\r])|\\?\Z))
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*+>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]++)
    | (?P<run>[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*+(?::{_LOCAL})?)
    | (?P<pname>:{_LOCAL})
    | (?P<word>[A-Za-z_][A-Za-z0-9_]*+)
"""
# Every token, white space and single characters included (what `tokens` gives).
_ALL = re.compile(rf"(?P<ws>\s+)|{_TOKENS}|(?P<other>.)", re.VERBOSE | re.DOTALL)
# Only what the guard reads: everything else is skipped by the regex engine, which reads it the same way.
# A run of operator characters (`||`, `+-`) counts as one operator.
_SIGNIFICANT = re.compile(rf"{_TOKENS}|(?P<other>[{{}}()\[\]]|[|&+\-*/]++)", re.VERBOSE | re.DOTALL)
# A run of name characters without a colon is not a prefixed name: it is words and single characters, of
# which only words and `-` (an operator) matter.
_IN_RUN = re.compile(r"(?P<word>[A-Za-z_][A-Za-z0-9_]*+)|(?P<other>-)|(?P<skip>.)", re.DOTALL)
_IN_RUN_SIGNIFICANT = re.compile(r"(?P<word>[A-Za-z_][A-Za-z0-9_]*+)|(?P<other>-)")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")
# What the engine folds into a left-deep tree, one level per occurrence: a chain of 10,000 UNIONs or `+`
# crashes it as surely as 10,000 nested braces.
_CHAIN_WORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "FILTER", "BIND"})
_CHAIN_CHARS = frozenset("|&+-*/")
# The only words the guard reads (the others are not yielded, which keeps a megabyte of words cheap).
_KEYWORDS = frozenset(
    {"BASE", "PREFIX", "SERVICE", "SILENT", "LOAD", "FROM", "DATA", "WHERE"}
    | QUERY_FORMS
    | UPDATE_KEYWORDS
    | _CHAIN_WORDS
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int = 0  # offset in the query text


@dataclass(frozen=True)
class QueryInfo:
    """The request's form (SELECT, CONSTRUCT, DESCRIBE, ASK, or UPDATE), its SERVICE targets, its depth."""

    form: str
    services: tuple[str | None, ...] = ()  # None: a variable or an unresolvable name
    dataset_clause: bool = False  # the query names its own dataset with FROM / FROM NAMED
    loads: bool = False  # the update has a LOAD operation (it would fetch a document from the web)
    depth: int = 0  # see `depth`; with a limit, counting stopped just past it

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _scan(
    pattern: re.Pattern[str], text: str, split: re.Pattern[str], words: frozenset[str] | None = None
) -> Iterator[tuple[str, str, int]]:
    """(kind, text, offset) of each token `pattern` finds, runs of name characters split (by `split`) as
    SPARQL reads them; with `words`, only the words in it (upper case) are yielded."""
    for m in pattern.finditer(text):
        kind = m.lastgroup or "other"
        if kind == "word":
            if words is None or m.group().upper() in words:
                yield kind, m.group(), m.start()
            continue
        if kind != "run":
            yield kind, m.group(), m.start()
            continue
        run, start = m.group(), m.start()
        if ":" in run:
            yield "pname", run, start
        elif _WORD.fullmatch(run):
            if words is None or run.upper() in words:
                yield "word", run, start
        else:  # e.g. `a.b`, `x-1`, `é`: what a lexer without the run would have read, in one pass
            for part in split.finditer(run):
                kind = part.lastgroup or "other"
                if kind != "word" or words is None or part.group().upper() in words:
                    yield "other" if kind == "skip" else kind, part.group(), start + part.start()


def tokens(text: str, comments: bool = False) -> list[Token]:
    """Significant tokens of a SPARQL text (no white space; comments only when asked for)."""
    skipped = ("ws",) if comments else ("ws", "comment")
    return [Token(k, t, s) for k, t, s in _scan(_ALL, text, _IN_RUN) if k not in skipped]


def depth(text: str, limit: int | None = None) -> int:
    """How deep the engine's tree for this text can get: nested brackets and braces, plus one level per
    chained operator (UNION, OPTIONAL, MINUS, FILTER, BIND, `||`, `&&`, `+`, `-`, `*`, `/`, `|`, and each
    group after the first inside one group, which joins). An upper bound read without parsing; with `limit`,
    reading stops as soon as it is passed (so a megabyte of `{` costs nothing).
    """
    return _read(text, limit).depth


def inspect(text: str) -> QueryInfo:
    """Read the form, the SERVICE targets and the depth of a query or update."""
    return _read(text, None)


def _read(text: str, limit: int | None) -> QueryInfo:
    """`_read_text`, remembered for the last short texts: a client repeating a small query (the answer cache's
    hits) is not read again at each request."""
    return _read_short(text, limit) if len(text) <= MEMO_TEXT_CHARS else _read_text(text, limit)


MEMO_TEXT_CHARS = 4096  # with 1,024 texts remembered, a few megabytes at most


@functools.lru_cache(maxsize=1024)
def _read_short(text: str, limit: int | None) -> QueryInfo:
    return _read_text(text, limit)


def _read_text(text: str, limit: int | None) -> QueryInfo:
    """One pass over the significant tokens: the prologue's prefixes, the form, SERVICE targets, LOAD,
    FROM, and the depth (stopping early once it passes `limit`)."""
    prefixes: dict[str, str] = {}
    form = ""  # not read yet
    services: list[str | None] = []
    loads = dataset_clause = False
    expect = ""  # what the previous tokens announced: base, prefix-name, prefix-iri, service, insert-delete
    prefix_name = ""
    # depth: per open level, [chained operators seen at it, whether a group has closed at it]
    levels: list[list[int]] = [[0, 0]]
    total = deepest = 0
    for kind, tok, _ in _scan(_SIGNIFICANT, text, _IN_RUN_SIGNIFICANT, _KEYWORDS):
        if kind == "comment":
            continue
        upper = tok.upper() if kind == "word" else ""
        # --- depth
        if kind == "other":
            if tok in _OPEN:
                level = levels[-1]
                if level[1]:  # a second group inside one group: one more join
                    level[0] += 1
                    total += 1
                levels.append([0, 0])
                total += 1
            elif tok in _CLOSE:
                if len(levels) > 1:
                    total -= 1 + levels.pop()[0]
                    levels[-1][1] = 1
            elif tok[0] in _CHAIN_CHARS:
                levels[-1][0] += 1
                total += 1
        elif upper in _CHAIN_WORDS:
            levels[-1][0] += 1
            total += 1
        if total > deepest:
            deepest = total
            if limit is not None and deepest > limit:
                break
        # --- what the text asks for
        if expect == "base":
            expect = ""
            continue
        if expect == "prefix-name":
            prefix_name, expect = tok.rstrip(":"), "prefix-iri"
            continue
        if expect == "prefix-iri":
            if kind == "iri":
                prefixes[prefix_name] = tok[1:-1]
            expect = ""
            continue
        if expect == "service":
            if upper == "SILENT":
                continue
            services.append(_resolve(kind, tok, prefixes))
            expect = ""
        elif expect == "insert-delete":
            # INSERT/DELETE DATA|WHERE|{ after a query form only appear in updates (a second operation)
            if form in QUERY_FORMS and (upper in ("DATA", "WHERE") or tok == "{"):
                form = "UPDATE"
            expect = ""
        # a prologue opens the text, and each operation of an update may have its own (a later PREFIX
        # may rebind a name: the guard must resolve SERVICE targets as the engine will)
        if upper == "BASE":
            expect = "base"
            continue
        if upper == "PREFIX":
            expect = "prefix-name"
            continue
        if not form:  # the first token after the prologue names the form
            form = upper if upper in QUERY_FORMS else "UPDATE" if upper in UPDATE_KEYWORDS else "UNKNOWN"
        if upper == "SERVICE":
            expect = "service"
        elif upper == "LOAD":
            loads = True
        elif upper == "FROM":
            dataset_clause = True
        elif upper in ("INSERT", "DELETE"):
            expect = "insert-delete"
    if expect == "service":  # SERVICE at the very end: nothing to resolve
        services.append(None)
    return QueryInfo(
        form=form or "UNKNOWN", services=tuple(services), dataset_clause=dataset_clause, loads=loads, depth=deepest
    )


def _resolve(kind: str, tok: str, prefixes: dict[str, str]) -> str | None:
    if kind == "iri":
        return tok[1:-1]
    if kind == "pname":
        prefix, _, local = tok.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def check_request(
    text: str,
    kind: Literal["query", "update"],
    service_allowlist: Iterable[str],
    max_depth: int,
) -> QueryInfo:
    """The one guard for every text sent to the engine: what it is, or a refusal.

    Refused for both kinds: a depth over `max_depth` (`QueryRefused`, 400), SERVICE to an endpoint outside
    the allow-list or named by a variable (400). A query may not be an update (`UpdateRefused`, 403: the
    endpoint is read-only); an update may not LOAD (`WriteForbidden`, 403: nothing is fetched).
    """
    info = _read(text, max_depth)
    if info.depth > max_depth:
        raise QueryRefused(
            f"the {kind} is nested more than {max_depth} levels deep, the limit (KG_MAX_QUERY_DEPTH): brackets, "
            "braces and chained operators such as UNION, FILTER, || or + count one level each (use VALUES or "
            "IN for a long list of alternatives)"
        )
    if kind == "query" and info.form == "UPDATE":
        raise UpdateRefused("this endpoint is read-only: SPARQL Update is sent to /update, with the write token")
    if kind == "update" and info.loads:
        raise WriteForbidden("LOAD is not allowed (nothing is fetched from the web): PUT the graph on /graphs")
    allowed = set(service_allowlist)
    for target in info.services:
        if target is None:
            raise QueryRefused("SERVICE with a variable or an unknown prefix is not allowed on this endpoint")
        if target not in allowed:
            hint = f" (allowed: {', '.join(sorted(allowed))})" if allowed else " (federated queries are disabled)"
            raise QueryRefused(f"SERVICE <{target}> is not allowed on this endpoint{hint}")
    return info


def check_read_only(text: str, service_allowlist: Iterable[str] = (), max_depth: int | None = None) -> QueryInfo:
    """`check_request` for a query: updates and unlisted SERVICE refused, and (given `max_depth`) deep texts."""
    return check_request(text, "query", service_allowlist, max_depth if max_depth is not None else _NO_LIMIT)


_NO_LIMIT = 1 << 62
