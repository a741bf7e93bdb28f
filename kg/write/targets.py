"""Which named graphs a SPARQL Update can change, read from its text before it runs.

A write is validated on what it touched, and some graphs are never written by hand, so the graphs an update
names are known before it runs (`update_targets`); a `GRAPH ?var` leaves them open (None), and the
evaluation then compares every named graph before and after. What is never allowed is refused here, as
`WriteForbidden`: LOAD (nothing is fetched from the web), and any write to the default graph, which is not
stored but derived from the named graphs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import rdflib

from kg.errors import QuerySyntaxError, WriteForbidden

_DEFAULT = "the default graph is the merge of the named graphs: write into GRAPH <document> instead"


@dataclass
class _Found:
    """The graphs named so far, and whether a variable graph leaves them open."""

    graphs: set[str] = field(default_factory=set)
    open_ended: bool = False

    def add(self, graph: Any) -> None:
        if isinstance(graph, rdflib.Variable):
            self.open_ended = True
        else:
            self.graphs.add(str(graph))


def update_targets(sparql: str) -> set[str] | None:
    """The named graphs an update can change, read from its text; None when a `GRAPH ?var` makes it open.

    Refuses (`WriteForbidden`) what is never allowed: LOAD (no fetching from the web), and any write to the
    default graph, which is not stored but derived from the named graphs.
    """
    found = _Found()
    for op in _operations(sparql):
        _OPERATIONS.get(op.name, _unknown)(op, found)
    return None if found.open_ended else found.graphs


def _operations(sparql: str) -> list[Any]:
    """The update's operations in rdflib's algebra; `QuerySyntaxError` when it does not parse."""
    from rdflib.plugins.sparql.algebra import translateUpdate
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        return list(translateUpdate(parseUpdate(sparql)).algebra)
    except Exception as e:  # rdflib's parser raises pyparsing errors
        raise QuerySyntaxError(f"malformed SPARQL update: {e}") from None


def _load(op: Any, found: _Found) -> None:
    raise WriteForbidden("LOAD is not allowed (nothing is fetched from the web): PUT the graph on /graphs")


def _data(op: Any, found: _Found) -> None:
    """INSERT DATA, DELETE DATA, DELETE WHERE: only quads, never default-graph triples."""
    if op.triples:
        raise WriteForbidden(f"{op.name}: {_DEFAULT}")
    for graph in op.quads:
        found.add(graph)


def _modify(op: Any, found: _Found) -> None:
    """DELETE/INSERT … WHERE: its templates' graphs, or the WITH graph for bare triples."""
    # rdflib's CompValue: test keys with `in`, its get() does not default
    with_graph = op["withClause"] if "withClause" in op else None  # noqa: SIM401
    for clause in (op[k] for k in ("delete", "insert") if k in op):
        if clause.get("triples"):
            if with_graph is None:
                raise WriteForbidden(f"DELETE/INSERT: {_DEFAULT}")
            found.graphs.add(str(with_graph))
        for graph in clause["quads"] if "quads" in clause else {}:  # noqa: SIM401
            found.add(graph)


def _manage(op: Any, found: _Found) -> None:
    """CLEAR, DROP, CREATE: one graph, or every named graph (NAMED), never DEFAULT or ALL."""
    graph = op.graphiri
    if graph in ("DEFAULT", "ALL"):
        raise WriteForbidden(f"{op.name.upper()} {graph}: {_DEFAULT}")
    if graph == "NAMED":
        found.open_ended = True
    else:
        found.graphs.add(str(graph))


def _transfer(op: Any, found: _Found) -> None:
    """ADD, MOVE, COPY: the target graph (and a moved source, which is emptied), never the default graph."""
    source, target = op.graph
    if target == "DEFAULT" or (op.name == "Move" and source == "DEFAULT"):
        raise WriteForbidden(f"{op.name.upper()}: {_DEFAULT}")
    found.graphs.add(str(target))
    if op.name == "Move":
        found.graphs.add(str(source))


def _unknown(op: Any, found: _Found) -> None:  # pragma: no cover - every SPARQL 1.1 Update operation is listed
    found.open_ended = True


_OPERATIONS: dict[str, Callable[[Any, _Found], None]] = {
    "Load": _load,
    "InsertData": _data,
    "DeleteData": _data,
    "DeleteWhere": _data,
    "Modify": _modify,
    "Clear": _manage,
    "Drop": _manage,
    "Create": _manage,
    "Add": _transfer,
    "Move": _transfer,
    "Copy": _transfer,
}
