from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import RDFParseError, UploadTooLarge, UsageError
from kg.sources.rdf_io import parse_file, parse_files, rdf_files, to_rdflib_graph

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "rdf"


def test_trig_keeps_named_graphs() -> None:
    quads = parse_file(FIXTURES / "small.trig")
    assert {q.graph_name.value for q in quads} == {"http://example.org/g1", "http://example.org/g2"}
    assert len(quads) == 4


def test_triples_go_to_the_requested_graph() -> None:
    quads = parse_file(FIXTURES / "triples.ttl", default_graph="http://example.org/onto")
    assert [q.graph_name for q in quads] == [ox.NamedNode("http://example.org/onto")]


def test_parse_error_names_file_line_and_column() -> None:
    with pytest.raises(RDFParseError) as info:
        parse_file(FIXTURES / "broken.ttl")
    e = info.value
    assert e.path.endswith("broken.ttl")
    assert e.line == 3
    assert e.column is not None and e.column > 1
    assert str(e).startswith(f"{e.path}:3:")


def test_unknown_extension_and_missing_file_are_usage_errors(tmp_path: Path) -> None:
    odd = tmp_path / "data.csv"
    odd.write_text("a,b\n")
    with pytest.raises(UsageError, match="unknown RDF file extension"):
        parse_file(odd)
    with pytest.raises(UsageError, match="no such file"):
        parse_file(tmp_path / "absent.ttl")


def test_rdf_files_skips_non_rdf_and_sorts(tmp_path: Path) -> None:
    for name in ("b.trig", "a.ttl", "README.md", "places.csv"):
        (tmp_path / name).write_text("")
    assert [p.name for p in rdf_files(tmp_path)] == ["a.ttl", "b.trig"]


def test_rdflib_view_keeps_language_tags() -> None:
    g = to_rdflib_graph(parse_file(FIXTURES / "small.trig"))
    labels = {(str(o), getattr(o, "language", None)) for o in g.objects()}
    assert ("A", "fr") in labels
    assert len(g) == 4


def test_simple_literals_stay_simple_in_the_rdflib_view(tmp_path: Path) -> None:
    # SHACL sh:in ("EUR") must match a plain "EUR": rdflib distinguishes "EUR" from "EUR"^^xsd:string
    f = tmp_path / "c.ttl"
    f.write_text('<http://example.org/a> <http://schema.org/currency> "EUR" .\n')
    (obj,) = list(to_rdflib_graph(parse_file(f)).objects())
    assert obj.datatype is None and str(obj) == "EUR"


def test_each_files_blank_nodes_stay_apart(tmp_path: Path) -> None:
    """`_:b0` in two documents names two nodes (RDF 1.1 §3.4): a build merging files must not join them."""
    for name in ("a.ttl", "b.ttl"):
        (tmp_path / name).write_text(f'_:b0 <http://www.w3.org/2000/01/rdf-schema#label> "{name}" .\n')
    quads = parse_files(rdf_files(tmp_path))
    assert len({q.subject for q in quads}) == 2


def test_a_token_over_the_parsers_buffer_is_too_large(tmp_path: Path) -> None:
    """pyoxigraph raises MemoryError past 16 MiB in one literal: a document too large, not an internal error."""
    f = tmp_path / "huge.nt"
    f.write_bytes(b'<http://x/a> <http://x/p> "' + b"a" * 17_000_000 + b'" .\n')
    with pytest.raises(UploadTooLarge, match=r"huge\.nt: a literal or IRI is larger than the parser takes"):
        parse_file(f)
