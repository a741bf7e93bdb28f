"""The pre-checks of an upload (kg.sources.rdf_limits): each limit refuses what breaks it and lets through what does not.

The documents that break a limit are the hostile ones of issue 10, made small: the checks must refuse them
from their bytes alone, before any parser expands or nests anything.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.errors import RDFParseError, UploadRefused, UploadTooLarge, UsageError
from kg.sources.rdf_io import format_for_media_type, parse_bytes
from kg.sources.rdf_limits import UploadLimits, check_upload
from kg.write.upload import parse_checked

LIMITS = UploadLimits(max_depth=8, max_literal_bytes=2048)
TTL, TRIG, NT, XML, JSONLD = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.TRIG,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.RDF_XML,
    ox.RdfFormat.JSON_LD,
)
RDF_NS = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:s="http://x/"'


def _xml(body: str, doctype: str = "") -> bytes:
    return f"{doctype}<rdf:RDF {RDF_NS}>{body}</rdf:RDF>".encode()


def _bomb(levels: int = 8) -> str:
    entities = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{10 * f"&l{i - 1};"}">' for i in range(1, levels + 1))
    return f"<!DOCTYPE r [{entities}]>"


DESCRIPTION = '<rdf:Description rdf:about="http://x/a"><s:p>{}</s:p></rdf:Description>'


# --- RDF/XML entities ---------------------------------------------------------------------------------------


def test_the_entity_bomb_is_refused_before_anything_expands() -> None:
    doc = _xml(DESCRIPTION.format("&l8;"), _bomb())
    assert len(doc) < 1000
    with pytest.raises(UploadRefused, match="declares the entity l0"):
        check_upload(doc, XML, LIMITS)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE r [<!ENTITY owl "http://www.w3.org/2002/07/owl#">]>',  # even a harmless abbreviation
        '<!DOCTYPE r [<!ENTITY % p "x">]>',  # a parameter entity
        '<!DOCTYPE r [<!ENTITY ext SYSTEM "http://127.0.0.1:9/secret">]>',  # an external entity: never fetched
    ],
)
def test_any_entity_declaration_is_refused(doctype: str) -> None:
    with pytest.raises(UploadRefused, match="entity"):
        check_upload(_xml(DESCRIPTION.format("x"), doctype), XML, LIMITS)


def test_an_entity_bomb_in_utf16_is_refused_too() -> None:
    doc = ('<?xml version="1.0" encoding="UTF-16"?>' + _bomb(2) + f"<rdf:RDF {RDF_NS}/>").encode("utf-16")
    with pytest.raises(UploadRefused):
        check_upload(doc, XML, LIMITS)


def test_rdf_xml_without_entities_passes_and_parses() -> None:
    doc = _xml(DESCRIPTION.format("x &amp; y"), '<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/never-fetched.dtd">')
    check_upload(doc, XML, LIMITS)
    (quad,) = parse_checked(doc, XML, LIMITS, "doc")
    assert quad.object == ox.Literal("x & y")


def test_xml_that_is_not_well_formed_is_a_parse_error_with_its_line() -> None:
    with pytest.raises(RDFParseError) as info:
        check_upload(b"<rdf:RDF>\n<a></b>", XML, LIMITS, "doc")
    assert info.value.line == 2


# --- nesting depth ------------------------------------------------------------------------------------------


def _nested_ttl(depth: int, open_: str = "[ <http://x/p> ", close: str = " ]") -> bytes:
    return f"<http://x/a> <http://x/p> {open_ * depth}<http://x/o>{close * depth} .\n".encode()


@pytest.mark.parametrize(
    ("open_", "close"), [("[ <http://x/p> ", " ]"), ("( ", " )")], ids=["blank-nodes", "collections"]
)
def test_turtle_nesting_at_the_limit_passes_and_one_more_is_refused(open_: str, close: str) -> None:
    check_upload(_nested_ttl(8, open_, close), TTL, LIMITS)
    assert parse_checked(_nested_ttl(8, open_, close), TTL, LIMITS, "doc")
    with pytest.raises(UploadRefused, match=r"more than 8 levels deep \(max_rdf_depth\)"):
        check_upload(_nested_ttl(9, open_, close), TTL, LIMITS)


def test_rdf_12_triple_terms_nest_too() -> None:
    for open_, close in (("<<( <http://x/a> <http://x/p> ", " )>>"), ("<< <http://x/a> <http://x/p> ", " >>")):
        check_upload(_nested_ttl(8, open_, close), TTL, LIMITS)
        with pytest.raises(UploadRefused):
            check_upload(_nested_ttl(9, open_, close), TTL, LIMITS)
    assert parse_checked(_nested_ttl(8, "<<( <http://x/a> <http://x/p> ", " )>>"), TTL, LIMITS, "doc")


def test_a_hundred_thousand_levels_are_refused_at_once() -> None:
    with pytest.raises(UploadRefused):
        check_upload(_nested_ttl(100_000, "( ", " )"), TTL, LIMITS)


def test_brackets_in_strings_iris_and_comments_are_not_nesting() -> None:
    many = "[" * 50
    doc = (
        "@prefix ex: <http://x/> .\n"
        f"# {many}\n"
        f"ex:a ex:p \"{many}\", \"\"\"{many}\n{many}\"\"\", '{many}', '''{many}''' .\n"
        f'ex:a ex:q "a \\" {many}" .\n'  # an escaped quote does not end the string
        f"ex:a\\#b ex:p ex:c . # {many}\n"  # an escaped # in a local name is no comment, this one is
        f"<http://x/{'(' * 50}> ex:p ex:c .\n"
    ).encode()
    check_upload(doc, TTL, LIMITS)
    assert len(parse_checked(doc, TTL, LIMITS, "doc")) == 7


def test_trig_graph_braces_count_as_nesting() -> None:
    doc = "<http://x/g> { <http://x/a> <http://x/p> " + "[ <http://x/p> " * 8 + "1" + " ]" * 8 + " }"
    with pytest.raises(UploadRefused):
        check_upload(doc.encode(), TRIG, LIMITS)
    check_upload(doc.replace("[ <http://x/p> ", "", 1).replace(" ]", "", 1).encode(), TRIG, LIMITS)


def test_rdf_xml_element_depth() -> None:
    def nested(depth: int) -> bytes:  # rdf:RDF, then Description and property elements in turn
        inner = "x"
        for _ in range((depth - 1) // 2):
            inner = f"<rdf:Description><s:p>{inner}</s:p></rdf:Description>"
        return _xml(inner)

    check_upload(nested(7), XML, LIMITS)
    with pytest.raises(UploadRefused, match="XML elements more than 8 levels deep"):
        check_upload(nested(9), XML, LIMITS)


def test_json_ld_nesting_ignores_brackets_in_strings() -> None:
    def nested(depth: int) -> bytes:
        node: dict[str, object] = {"@id": "http://x/leaf", "http://x/label": "[[[[{{{{[[[["}
        for _ in range(depth - 1):
            node = {"http://x/p": node}
        return json.dumps(node).encode()

    check_upload(nested(8), JSONLD, LIMITS)
    with pytest.raises(UploadRefused, match="arrays and objects"):
        check_upload(nested(9), JSONLD, LIMITS)


# --- literal size -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "template"),
    [
        (TTL, '<http://x/a> <http://x/p> "{}" .'),
        (TTL, '<http://x/a> <http://x/p> """{}""" .'),
        (NT, '<http://x/a> <http://x/p> "{}" .'),
        (XML, _xml(DESCRIPTION).decode()),
        (XML, _xml('<rdf:Description rdf:about="http://x/a" s:p="{}"/>').decode()),
        (JSONLD, '{{"@id": "http://x/a", "http://x/p": "{}"}}'),
    ],
    ids=["turtle", "turtle-long", "n-triples", "rdf-xml", "rdf-xml-attribute", "json-ld"],
)
def test_a_literal_over_the_limit_is_too_large(fmt: ox.RdfFormat, template: str) -> None:
    check_upload(template.format("a" * 2000).encode(), fmt, LIMITS)
    with pytest.raises(UploadTooLarge, match=r"over the limit of 2048 bytes per literal \(max_literal_bytes\)"):
        check_upload(template.format("a" * 2100).encode(), fmt, LIMITS)


def test_an_iri_over_the_limit_is_too_large() -> None:
    with pytest.raises(UploadTooLarge, match="an IRI"):
        check_upload(f"<http://x/{'a' * 3000}> <http://x/p> 1 .".encode(), TTL, LIMITS)


def test_the_parsers_own_token_limit_is_too_large_not_an_internal_error() -> None:
    """Past 16 MiB in one token pyoxigraph raises MemoryError ("Reached the buffer maximal size")."""
    doc = b'<http://x/a> <http://x/p> "' + b"a" * 17_000_000 + b'" .\n'
    with pytest.raises(UploadTooLarge, match="larger than the parser takes"):
        parse_bytes(doc, TTL, "doc")


# --- media types --------------------------------------------------------------------------------------------


def test_only_the_rdf_media_types_are_read() -> None:
    assert format_for_media_type("text/turtle; charset=utf-8") == TTL
    assert format_for_media_type("application/n-triples") == NT
    for generic in ("text/plain", "application/json", "application/xml", "text/n3", ""):
        with pytest.raises(UsageError, match="not an RDF syntax"):
            format_for_media_type(generic)
