"""A streaming N-Quads writer and the term spellings the generator needs (no RDF library in the hot loop)."""

from __future__ import annotations

import re
import unicodedata
from typing import TextIO

TI = "https://w3id.org/territoires-industrie/ontology#"
TID = "https://w3id.org/territoires-industrie/id/"
ONTOLOGY_IRI = "https://w3id.org/territoires-industrie/ontology"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
SKOS_IN_SCHEME = "<http://www.w3.org/2004/02/skos/core#inScheme>"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "http://schema.org/"
IGEO = "http://rdf.insee.fr/def/geo#"


def ti(local: str) -> str:
    """An ontology term, as N-Quads spells it."""
    return f"<{TI}{local}>"


def tid(kind: str, key: str) -> str:
    """An instance IRI `…/id/{kind}/{key}`."""
    return f"<{TID}{kind}/{key}>"


def schema(local: str) -> str:
    return f"<{SCHEMA}{local}>"


def dct(local: str) -> str:
    return f"<{DCT}{local}>"


def igeo(local: str) -> str:
    return f"<{IGEO}{local}>"


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def fr(text: str) -> str:
    """A French language-tagged literal."""
    return f'"{_esc(text)}"@fr'


def plain(text: str) -> str:
    """An xsd:string literal."""
    return f'"{_esc(text)}"'


def typed(lexical: str | int, datatype: str) -> str:
    """A literal of an XSD datatype (`decimal`, `integer`, `gYear`, `date`…)."""
    return f'"{lexical}"^^<{XSD}{datatype}>'


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """The project's key rule: lower-case ASCII, accents removed, words joined by `-`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")


class QuadWriter:
    """Writes quads line by line into the current graph and counts them."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._graph = ""
        self.count = 0

    def graph(self, graph_iri: str) -> None:
        """Every following quad goes into `graph_iri` (already spelt `<…>`)."""
        self._graph = graph_iri

    def add(self, s: str, p: str, o: str) -> None:
        self._out.write(f"{s} {p} {o} {self._graph} .\n")
        self.count += 1

    def raw(self, line: str) -> None:
        """A full N-Quads line (already terminated), e.g. a quad serialised by pyoxigraph."""
        self._out.write(line)
        self.count += 1
