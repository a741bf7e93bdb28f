"""What SPARQL engines do differently, one small profile each, so `kg.store.remote` stays engine-agnostic.

A profile says how to send a query, where the Graph Store Protocol lives, how the engine answers an ASK
and what its error bodies mean. Each difference was measured on the engine it names (Virtuoso Open Source
7.2.5, Debian's virtuoso-opensource-7-bin) and has a test in tests/kg/store/test_remote.py.

What no profile can fix — SPARQL the engine evaluates differently — is handled in the queries themselves
(kg/queries/*.rq written portably) or, when it cannot be, declared in a query's `#+ requires:` header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from kg.errors import KGError, QuerySyntaxError, StoreFailed, StoreTimeout, UsageError
from kg.sources.namespaces import XSD

_MAX_DETAIL = 500  # characters of an engine's error text passed on to the client


@dataclass(frozen=True)
class EngineProfile:
    """The few things a remote engine does its own way."""

    name: str
    # how a query travels in a POST: the protocol's `application/sparql-query` body, or a form
    query_body: Literal["sparql-query", "form"] = "sparql-query"
    # send `default-graph-uri=<merge>` and `named-graph-uri=<each graph>` when the request names no dataset:
    # the engine's own default graph is not the merge of the project's graphs (any SPARQL 1.1 store takes them)
    explicit_dataset: bool = True
    # the engine answers an ASK as a one-row SELECT whose only value is 0 or 1
    ask_as_select: bool = False
    # the Graph Store Protocol endpoint, as a path on the query endpoint's host, when no URL is configured
    gsp_path: str | None = None
    # the query parameter naming the graph in Graph Store Protocol requests
    gsp_graph_param: str = "graph"
    # the SPARQL Update endpoint, as a path on the query endpoint's host, when no URL is configured
    update_path: str | None = None
    # capabilities the engine lacks (canned queries that declare one in `#+ requires:` are not offered there)
    lacks: frozenset[str] = frozenset()

    def gsp_url(self, query_url: str) -> str | None:
        """The engine's Graph Store Protocol endpoint on the query endpoint's host, if it has a usual one."""
        if self.gsp_path is None:
            return None
        parts = urlsplit(query_url)
        return urlunsplit((parts.scheme, parts.netloc, self.gsp_path, "", ""))

    def update_url(self, query_url: str) -> str | None:
        """The engine's SPARQL Update endpoint on the query endpoint's host, if it has a usual one."""
        if self.update_path is None:
            return None
        parts = urlsplit(query_url)
        return urlunsplit((parts.scheme, parts.netloc, self.update_path, "", ""))

    def term(self, term: Any) -> Any:
        """A term of an answer as the data had it, where the engine rewrote it (identity here)."""
        return term

    def row_cap(self, headers: dict[str, str]) -> int | None:
        """The engine's own cap on answer rows, when its answer says one applied (None: no cap said)."""
        return None

    def partial(self, headers: dict[str, str]) -> bool:
        """Whether a 200 answer says it is incomplete (an engine's "anytime" mode): it is never served."""
        return False

    def error(self, status: int, body: str) -> KGError:
        """The typed error for an engine's error answer (the message the engine gave, trimmed)."""
        detail = _detail(body)
        if status == 400:
            return QuerySyntaxError(f"malformed SPARQL query (the store says: {detail})")
        if status in (408, 504):
            return StoreTimeout(f"the store did not answer within its time limit ({detail})")
        if status in (401, 403):
            return StoreFailed(f"the store refused the request ({status}): check KG_SPARQL_USER/PASSWORD ({detail})")
        return StoreFailed(f"the store answered {status}: {detail}")


def _detail(body: str) -> str:
    """The engine's message without the query it echoes back, on one line, bounded."""
    text = body.split("\nSPARQL query:", 1)[0]
    text = " ".join(text.split())
    return (text[:_MAX_DETAIL] + "…") if len(text) > _MAX_DETAIL else text or "no message"


GENERIC = EngineProfile(name="generic")

# What a canned query may declare in `#+ requires:` (SPARQL 1.1 as specified, which some engines do otherwise).
CAPABILITIES: dict[str, str] = {
    "language-literal-aggregates": "MIN/MAX and ORDER BY over language-tagged literals compare their text "
    "(Virtuoso picks another label, or fails: SR066/SR586 'incomplete RDF box')",
    "aggregate-errors": "an aggregate over an unbound value is unbound, and GROUP_CONCAT of nothing is unbound in a "
    'grouped OPTIONAL (Virtuoso skips unbound values and gives "")',
    "exists-in-expressions": "EXISTS combined with || or used as a value (Virtuoso: SQ074 or SP031 internal error)",
    "accent-folding": "REPLACE with character classes of accented letters (Virtuoso matches nothing)",
}

_BOOLEAN = ox.NamedNode(XSD + "boolean")
_DURATION = ox.NamedNode(XSD + "duration")
_CANONICAL_BOOLEAN = {"1": "true", "0": "false"}


def months_or_seconds_to_duration(lexical: str) -> str | None:
    """Virtuoso's stored xsd:duration (an integer: months; a decimal: seconds) in the canonical xsd:duration
    form (P1Y2M, P3DT1H), which is what the data holds; None if it is neither."""
    try:
        number = Decimal(lexical)
    except InvalidOperation:
        return None
    sign, number = ("-" if number < 0 else ""), abs(number)
    if re.fullmatch(r"-?[0-9]+", lexical):
        years, months = divmod(int(number), 12)
        text = (f"{years}Y" if years else "") + (f"{months}M" if months or not years else "")
        return f"{sign}P{text}"
    days, rest = divmod(number, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    clock += f"{seconds.normalize():f}S" if seconds else ""
    date = f"{int(days)}D" if days else ""
    if not date and not clock:
        return f"{sign}PT0S"
    return f"{sign}P{date}" + (f"T{clock}" if clock else "")


@dataclass(frozen=True)
class VirtuosoProfile(EngineProfile):
    """Virtuoso Open Source 7.2: its error codes, its ASK, its Graph Store Protocol path, its rewritten literals."""

    def update_url(self, query_url: str) -> str | None:
        """The engine's SPARQL Update endpoint on the query endpoint's host, if it has a usual one."""
        if self.update_path is None:
            return None
        parts = urlsplit(query_url)
        return urlunsplit((parts.scheme, parts.netloc, self.update_path, "", ""))

    def term(self, term: Any) -> Any:
        # it stores "true"^^xsd:boolean as 1 and answers "1"^^xsd:boolean (same value, another lexical form),
        # and xsd:duration as a number of months or seconds ("P1Y" comes back as "12"^^xsd:duration)
        if isinstance(term, ox.Literal):
            if term.datatype == _BOOLEAN and term.value in _CANONICAL_BOOLEAN:
                return ox.Literal(_CANONICAL_BOOLEAN[term.value], datatype=_BOOLEAN)
            if term.datatype == _DURATION and not term.value.lstrip("-").startswith("P"):
                duration = months_or_seconds_to_duration(term.value)
                return term if duration is None else ox.Literal(duration, datatype=_DURATION)
        elif isinstance(term, ox.Triple):
            return ox.Triple(term.subject, term.predicate, self.term(term.object))
        return term

    def row_cap(self, headers: dict[str, str]) -> int | None:
        # `X-SPARQL-MaxRows: N`: ResultSetMaxRows of virtuoso.ini cut the answer at N rows (measured: sent then)
        value = headers.get("x-sparql-maxrows", "")
        return int(value) if value.isdigit() else None

    def partial(self, headers: dict[str, str]) -> bool:
        # S1TAT: "Returning incomplete results, query interrupted by result timeout" (only when a client sends
        # `timeout=`, which this project never does; refused all the same, should a proxy add it)
        return headers.get("x-sql-state", "").upper() == "S1TAT"

    def error(self, status: int, body: str) -> KGError:
        detail = _detail(body)
        # S1T00 / SR171 "Transaction timed out": MaxQueryExecutionTime of virtuoso.ini, answered as a 500
        if re.search(r"\bS1T00\b|\bSR171\b", body):
            return StoreTimeout(f"the store stopped the query at its own time limit ({detail})")
        # SQ200: the cost estimator refuses before running (MaxQueryCostEstimationTime of virtuoso.ini)
        if re.search(r"\bSQ200\b", body):
            return StoreTimeout(f"the store estimates this query would run past its time limit ({detail})")
        # SP031 "SPARQL compiler: Internal error": a valid query the engine cannot compile, answered as a 400
        if re.search(r"\bSP031\b", body):
            return StoreFailed(f"the store could not compile this query ({detail})")
        if status == 400 or re.search(r"\bSP030\b|\b37000\b", body):
            return QuerySyntaxError(f"malformed SPARQL query (the store says: {detail})")
        return super().error(status, body)


VIRTUOSO = VirtuosoProfile(
    name="virtuoso",
    # 7.2.5 waits for a form body forever when sent `application/sparql-query` (measured: no answer in 60 s)
    query_body="form",
    # its default graph is the union of ALL graphs, duplicates kept, with ~2,500 system triples
    explicit_dataset=True,
    # `ASK {…}` comes back as {"vars": ["__ASK_RETVAL"], …{"value": "1"}} in every results format
    ask_as_select=True,
    # anonymous writes are refused (403); the dba account writes through the Digest-protected path
    gsp_path="/sparql-graph-crud-auth",
    gsp_graph_param="graph-uri",
    # updates too: /sparql-auth takes the protocol's application/sparql-update body (measured), as dba
    update_path="/sparql-auth",
    lacks=frozenset(CAPABILITIES),
)

PROFILES: dict[str, EngineProfile] = {p.name: p for p in (GENERIC, VIRTUOSO)}


def profile(name: str) -> EngineProfile:
    """The profile of an engine by name (`KG_SPARQL_ENGINE`)."""
    try:
        return PROFILES[name]
    except KeyError:
        raise UsageError(f"unknown SPARQL engine profile {name!r} (known: {', '.join(PROFILES)})") from None
