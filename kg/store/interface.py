"""The one way to ask the store anything: a `Queryable` runs a query request and gives a typed answer.

Every caller — the CLI, the API's routes and pages, resource descriptions, networks, statistics — goes
through this interface, so a second backend (a remote SPARQL 1.1 store) changes no caller. Nothing above
it sees a pyoxigraph object: answers come back serialised (`QueryAnswer`, for the protocol routes, which
pass the bytes on) or as `Solutions` of `Term`s read from SPARQL JSON, the format every store speaks.

An implementation provides `run`, `version` and `max_rows`; `select`, `ask` and `rows` are built on `run`
here, once, for every implementation, and `run_async`, `refresh`, `built_at` and `health` have defaults an
implementation overrides when it can do better (the pool waits on its workers without a thread).
"""

from __future__ import annotations

import asyncio
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kg.errors import KGError
from kg.sources.namespaces import XSD

XSD_STRING = XSD + "string"


@dataclass(frozen=True)
class QueryRequest:
    """One query, its dataset as the SPARQL protocol gives it, and the syntax wanted for its answer."""

    query: str
    result_format: str = "json"  # for SELECT / ASK: json, xml, csv, tsv
    graph_format: str = "turtle"  # for CONSTRUCT / DESCRIBE: turtle, ntriples, jsonld, rdfxml, trig, nquads
    default_graphs: tuple[str, ...] | None = None  # protocol default-graph-uri; None = not given
    named_graphs: tuple[str, ...] | None = None  # protocol named-graph-uri; None = not given
    dataset_clause: bool = False  # the query has FROM / FROM NAMED


@dataclass(frozen=True)
class QueryAnswer:
    """A serialised answer: which kind, in which syntax, how many rows, and whether rows were cut."""

    kind: str  # "solutions", "boolean" or "graph"
    format: str
    body: bytes
    rows: int
    truncated: bool


@dataclass(frozen=True)
class GraphRead:
    """One whole graph, serialised, and the dataset version it was read from (the Graph Store Protocol's GET)."""

    version: str
    body: bytes
    triples: int


@dataclass(frozen=True)
class Term:
    """An RDF term as SPARQL JSON gives it: kind ("uri", "literal", "bnode", "triple"), value, tag, datatype."""

    kind: str
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"


@dataclass(frozen=True)
class Solutions:
    """The rows of a SELECT as terms (an unbound variable is absent from its row), and whether rows were cut."""

    variables: tuple[str, ...]
    rows: tuple[Mapping[str, Term], ...] = ()
    truncated: bool = False

    def values(self) -> list[dict[str, str | None]]:
        """Each row as plain text: every variable, its lexical value or None (what tables and networks use)."""
        return [{v: (t.value if (t := row.get(v)) is not None else None) for v in self.variables} for row in self.rows]


def read_json_results(body: bytes) -> Solutions | bool:
    """A SPARQL 1.1 Query Results JSON document: `Solutions` for a SELECT, a bool for an ASK."""
    data: dict[str, Any] = json.loads(body)
    if "boolean" in data:
        return bool(data["boolean"])
    rows = tuple(
        {
            var: Term(t["type"], str(t["value"]), t.get("xml:lang"), t.get("datatype"))
            for var, t in row.items()
            if isinstance(t, dict)
        }
        for row in data.get("results", {}).get("bindings", [])
    )
    return Solutions(tuple(data.get("head", {}).get("vars", [])), rows)


class Queryable(ABC):
    """A store that answers SPARQL: the embedded Oxigraph pool, an in-process store, a remote endpoint."""

    max_rows: int  # answers are cut after this many rows (`QueryAnswer.truncated`)

    @abstractmethod
    def run(self, req: QueryRequest) -> QueryAnswer:
        """Evaluate one query within the store's limits (time, rows) and serialise its answer."""

    @property
    @abstractmethod
    def version(self) -> str:
        """The dataset version answers come from: it changes whenever the data does (ETags, caches)."""

    @abstractmethod
    def read_graph(self, graph: str | None, fmt: str) -> GraphRead:
        """All of one named graph (None: the default graph, the merge) in `fmt` (a `QueryRequest.graph_format`
        name), never cut at `max_rows`; dataset syntaxes keep the graph name. Nothing there: `triples == 0`."""

    async def run_async(self, req: QueryRequest) -> QueryAnswer:
        """`run` for an event loop."""
        return await asyncio.to_thread(self.run, req)

    @property
    def underlying(self) -> Queryable:
        """The store itself, behind any cache in front of it (which backend answers: embedded or remote)."""
        return self

    def stale(self) -> bool:
        """Whether a newer version than the one served is there to be served (cheap: asked per request)."""
        return False

    def refresh(self) -> bool:
        """Serve the newest version of the data (after a write); True if the version served changed."""
        return False

    @property
    def built_at(self) -> str | None:
        """When the version served was built (ISO 8601), if the store knows."""
        return None

    @property
    def lacks(self) -> frozenset[str]:
        """The SPARQL capabilities (kg.store.engines.CAPABILITIES) this store does otherwise than specified."""
        return frozenset()

    def health(self) -> dict[str, Any]:
        """What `/health` reports about the store beyond its version (workers, queue…)."""
        return {"version": self.version}

    def close(self) -> None:
        """Let go of what the store holds (worker processes, connections); nothing by default."""
        return None

    def probe(self, seconds: float) -> str | None:
        """None when the store answers `ASK {}` within `seconds`, else why not (it never waits longer)."""
        outcome: list[str | None] = []

        def ask() -> None:
            try:
                self._probe_query(seconds)
                outcome.append(None)
            except KGError as e:
                outcome.append(str(e))

        thread = threading.Thread(target=ask, daemon=True, name="kg-health-probe")
        thread.start()
        thread.join(seconds)
        return outcome[0] if outcome else f"the store did not answer within {seconds:g} s"

    def _probe_query(self, seconds: float) -> None:
        self.run(QueryRequest("ASK {}"))

    def select(self, query: str, *, complete: bool = False) -> Solutions:
        """A SELECT's rows as terms. With `complete`, an answer cut at `max_rows` is fetched again in
        LIMIT/OFFSET pages, so nothing is lost silently (the query must end with ORDER BY for stable pages)."""
        first = self._solutions(query)
        if not (complete and first.truncated):
            return first
        rows: list[Mapping[str, Term]] = []
        text, offset = query.rstrip(), 0
        while True:
            page = self._solutions(f"{text}\nLIMIT {self.max_rows} OFFSET {offset}")
            rows += page.rows
            if len(page.rows) < self.max_rows:
                return Solutions(first.variables, tuple(rows))
            offset += self.max_rows

    def rows(self, query: str) -> list[dict[str, str | None]]:
        """Every row of a SELECT as plain text, paged past `max_rows` (see `select`)."""
        return self.select(query, complete=True).values()

    def ask(self, query: str) -> bool:
        """The answer of an ASK."""
        answer = read_json_results(self.run(QueryRequest(query, result_format="json")).body)
        if not isinstance(answer, bool):
            raise TypeError("ask() was given a query that is not an ASK")
        return answer

    def _solutions(self, query: str) -> Solutions:
        answer = self.run(QueryRequest(query, result_format="json"))
        solutions = read_json_results(answer.body)
        if isinstance(solutions, bool):
            raise TypeError("select() was given an ASK query")
        return Solutions(solutions.variables, solutions.rows, answer.truncated)
