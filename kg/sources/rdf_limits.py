"""Cheap checks of an uploaded RDF document before a parser sees it: entity declarations, nesting, literal size.

Parsers pay for some documents far more than their size: RDF/XML entities that expand each other (a few hundred
bytes become hundreds of megabytes), thousands of nested blank nodes or collections (time and memory grow
faster than the nesting), one literal larger than the parser's 16 MiB token buffer. These checks read the
bytes once, without building anything, and refuse such a document with the limit it broke. They are a first
line only: the parse itself still runs in a bounded child (kg.sandbox), which stops whatever they miss.

- RDF/XML goes through expat, which reports a DTD's declarations before any entity is used; a declared entity
  is refused as soon as it is seen (so nothing expands, and nothing external is ever fetched: no handler for
  external entities is set). Element depth and text size are counted on the way.
- Turtle, TriG, N-Triples and N-Quads: a regular expression finds strings, IRIs, comments and brackets, so the
  brackets counted are those outside strings, IRIs and comments; JSON-LD the same with JSON strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

import pyoxigraph as ox

from kg.errors import RDFParseError, UploadRefused, UploadTooLarge


@dataclass(frozen=True)
class UploadLimits:
    """How deep an upload may nest (blank nodes, collections, graphs, XML elements) and how large a literal
    (or an IRI) of it may be, in bytes."""

    max_depth: int
    max_literal_bytes: int


# Turtle family: long strings before short ones ("""…""" is not the empty string and a quote), possessive
# quantifiers so that a string that never closes costs one pass, not a backtracking search; RDF 1.2's
# reified and quoted triples (<< >>, <<( )>>) nest like blank nodes.
_TURTLE = re.compile(
    rb'(?P<text>"""(?:[^"\\]++|\\.|"(?!""))*+"""'
    rb"|'''(?:[^'\\]++|\\.|'(?!''))*+'''"
    rb'|"(?:[^"\\\r\n]++|\\.)*+"'
    rb"|'(?:[^'\\\r\n]++|\\.)*+'"
    rb"|<(?!<)[^<>\"{}|^`\\\x00-\x20]*+>)"  # an IRI (its characters as IRIREF allows them)
    rb"|(?P<open><<\(?|[\[({])"
    rb"|(?P<close>\)>>|>>|[\])}])"
    rb"|(?P<skip>\#[^\r\n]*+"  # a comment
    rb"|\\.)",  # an escaped character of a local name (ex:a\#b): not a comment
    re.DOTALL,
)
_JSON = re.compile(rb'(?P<text>"(?:[^"\\]++|\\.)*+")|(?P<open>[\[{])|(?P<close>[\]}])', re.DOTALL)


def check_upload(data: bytes, fmt: ox.RdfFormat, limits: UploadLimits, name: str = "upload") -> None:
    """Refuse a document a parser should not be given: `UploadRefused` (entities, nesting), `UploadTooLarge`
    (a literal); `RDFParseError` for RDF/XML that is not well-formed XML."""
    if fmt == ox.RdfFormat.RDF_XML:
        _check_xml(data, limits, name)
    elif fmt == ox.RdfFormat.JSON_LD:
        _check_tokens(_JSON, data, limits, "arrays and objects")
    else:
        _check_tokens(_TURTLE, data, limits, "blank nodes, collections and graphs")


def _too_deep(limits: UploadLimits, what: str) -> UploadRefused:
    return UploadRefused(f"the document nests {what} more than {limits.max_depth} levels deep (max_rdf_depth)")


def _too_long(size: int, limits: UploadLimits, what: str) -> UploadTooLarge:
    return UploadTooLarge(
        f"the document holds {what} of {size} bytes or more, over the limit of {limits.max_literal_bytes} "
        f"bytes per literal (max_literal_bytes)"
    )


def _check_tokens(pattern: re.Pattern[bytes], data: bytes, limits: UploadLimits, nested: str) -> None:
    depth = 0
    for m in pattern.finditer(data):
        kind = m.lastgroup
        if kind == "open":
            depth += 1
            if depth > limits.max_depth:
                raise _too_deep(limits, nested)
        elif kind == "close":
            depth = max(0, depth - 1)  # an unbalanced bracket is the parser's to report
        elif kind == "text" and m.end() - m.start() > limits.max_literal_bytes:
            raise _too_long(m.end() - m.start(), limits, "an IRI" if data[m.start()] == ord("<") else "a literal")


class _XMLLimits:
    """expat callbacks: refuse entity declarations, count element depth and the size of text runs."""

    def __init__(self, limits: UploadLimits) -> None:
        self.limits = limits
        self.depth = 0
        self.text = 0

    def entity(self, name: str, is_parameter: bool, *_: object) -> None:
        raise UploadRefused(
            f"the document's DTD declares the entity {'%' if is_parameter else ''}{name}: RDF/XML with entity "
            "declarations is not accepted (write the values out, or send Turtle)"
        )

    def start(self, _name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.text = 0
        if self.depth > self.limits.max_depth:
            raise _too_deep(self.limits, "XML elements")
        for value in attributes.values():
            if len(value.encode()) > self.limits.max_literal_bytes:
                raise _too_long(len(value.encode()), self.limits, "an attribute value")

    def end(self, _name: str) -> None:
        self.depth -= 1
        self.text = 0

    def characters(self, text: str) -> None:
        self.text += len(text.encode())
        if self.text > self.limits.max_literal_bytes:
            raise _too_long(self.text, self.limits, "a literal")


def _check_xml(data: bytes, limits: UploadLimits, name: str) -> None:
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.buffer_size = 65536
    state = _XMLLimits(limits)
    parser.EntityDeclHandler = state.entity
    parser.StartElementHandler = state.start
    parser.EndElementHandler = state.end
    parser.CharacterDataHandler = state.characters
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise RDFParseError(name, f"not well-formed XML: {expat.ErrorString(e.code)}", e.lineno, e.offset + 1) from None
