"""Shapes that check nothing are an error, not a pass: SHACL validation with zero shapes always "conforms".

A mistyped `KG_SHAPES_DIR`, or a server started where there is no `shapes/` folder, would otherwise make
`kg validate` say "Conforme" ("Conforms"), `kg build` publish anything and the write endpoints accept anything.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from rdflib.namespace import RDF, SH

from kg.errors import UsageError
from kg.ingest.validate import load_graph_dir

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def count_shapes(shapes: rdflib.Graph) -> int:
    """Node and property shapes, declared as such or by a target."""
    found = {s for kind in (SH.NodeShape, SH.PropertyShape) for s in shapes.subjects(RDF.type, kind)}
    found.update(s for target in _TARGETS for s in shapes.subjects(target, None))
    return len(found)


def require_shapes(shapes: rdflib.Graph, directory: Path) -> rdflib.Graph:
    """The shapes graph, or `UsageError` when it holds no shape."""
    if count_shapes(shapes) == 0:
        raise UsageError(
            f"no SHACL shapes found in {directory}: validation would accept anything "
            "(run from the checkout, or set KG_SHAPES_DIR)"
        )
    return shapes


def load_shapes(directory: Path) -> rdflib.Graph:
    """Every shape of a directory's RDF files; `UsageError` when there is none."""
    return require_shapes(load_graph_dir(directory), directory)
