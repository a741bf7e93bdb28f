"""Reading RDF files: syntax chosen by extension, strict parsing with file/line/column on error.

Oxigraph's parsers are strict W3C parsers and report positions, so files are parsed with pyoxigraph;
rdflib views of the same quads are built when SHACL validation needs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import RDFParseError, UploadTooLarge, UsageError
from kg.sources.namespaces import XSD

_XSD_STRING = XSD + "string"

# extension → RDF syntax
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


def format_for(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a file, from its extension."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"{path}: unknown RDF file extension {path.suffix!r} (known: {known})") from None


def parse_file(path: Path, default_graph: str | None = None) -> list[ox.Quad]:
    """All quads of one file; triples of a triple-only syntax go to `default_graph` when given.

    A blank node's label is local to its document (RDF 1.1 §3.4), so each file's blank nodes get fresh
    labels: `_:b0` of two files stays two nodes when their quads are merged.
    """
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    fmt = format_for(path)
    target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(default_graph) if default_graph else ox.DefaultGraph()
    try:
        quads = list(ox.parse(path=str(path), format=fmt, rename_blank_nodes=True))
    except SyntaxError as e:
        raise RDFParseError(str(path), _parser_message(e), e.lineno, e.offset) from None
    except ValueError as e:  # some pyoxigraph parsers raise ValueError without a position
        raise RDFParseError(str(path), str(e)) from None
    except MemoryError as e:
        raise _token_too_large(str(path), e) from None
    if default_graph and not fmt.supports_datasets:
        quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in quads]
    return quads


def parse_files(paths: Iterable[Path], default_graph: str | None = None) -> list[ox.Quad]:
    """Quads of several files, in order, each file's blank nodes kept apart."""
    quads: list[ox.Quad] = []
    for path in paths:
        quads.extend(parse_file(path, default_graph))
    return quads


def rdf_files(directory: Path) -> list[Path]:
    """The RDF files below a directory, sorted so builds are reproducible."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS)


def _parser_message(e: SyntaxError) -> str:
    msg = e.msg or str(e)
    # pyoxigraph prefixes "Parser error between line L column C and …:"; the position is reported separately
    return msg.split(": ", 1)[1] if msg.startswith("Parser error") and ": " in msg else msg


def _token_too_large(name: str, e: MemoryError) -> MemoryError | UploadTooLarge:
    """pyoxigraph's parsers hold one token (a literal, an IRI) in a buffer of at most 16 MiB and raise
    MemoryError past it ("Reached the buffer maximal size of 16777216"): that is a document too large, not
    a server out of memory."""
    if "buffer maximal size" in str(e):
        return UploadTooLarge(f"{name}: a literal or IRI is larger than the parser takes ({e})")
    return e


def to_rdflib_term(term: object) -> rdflib.term.Node:
    """One pyoxigraph term as the equivalent rdflib term."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:  # RDF 1.1: a simple literal is an xsd:string; rdflib keeps them apart
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise UsageError(f"unsupported RDF term {term!r}")


def to_rdflib_graph(quads: Iterable[ox.Quad], graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """The union of the quads' triples as one rdflib graph (what SHACL validates)."""
    g = graph if graph is not None else rdflib.Graph()
    for q in quads:
        g.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)))  # type: ignore[arg-type]
    return g


UPLOAD_FORMATS: dict[str, ox.RdfFormat] = {f.media_type: f for f in FORMATS.values()}
"""The media types a request body may have: each syntax's own, not the aliases pyoxigraph also knows
(`text/plain` would be N-Triples, `application/json` JSON-LD: generic types a client may send by accident)."""


def format_for_media_type(media_type: str) -> ox.RdfFormat:
    """The RDF syntax of a request body, from its media type (parameters such as charset ignored)."""
    mt = media_type.split(";", 1)[0].strip().lower()
    fmt = UPLOAD_FORMATS.get(mt)
    if fmt is None:
        known = ", ".join(sorted(UPLOAD_FORMATS))
        raise UsageError(f"{mt or 'no media type'} is not an RDF syntax this server reads (known: {known})")
    return fmt


def parse_bytes(data: bytes, fmt: ox.RdfFormat, name: str = "upload", base_iri: str | None = None) -> list[ox.Quad]:
    """All quads of an uploaded document, strictly parsed; `RDFParseError` says where it fails."""
    try:
        return list(ox.parse(data, format=fmt, base_iri=base_iri, rename_blank_nodes=True))
    except SyntaxError as e:
        raise RDFParseError(name, _parser_message(e), e.lineno, e.offset) from None
    except ValueError as e:
        raise RDFParseError(name, str(e)) from None
    except MemoryError as e:
        raise _token_too_large(name, e) from None
