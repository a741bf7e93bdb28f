"""kg.sources.geo.importer: the reviewed place mapping, its check against Etalab's dataset, and the generated TriG.

The fixture tests/fixtures/etalab/ holds real entries copied from @etalab/decoupage-administratif 6.0.0:
CC Porte de Dromardèche (its member list cut down to Saint-Vallier, Drôme, and Andance, Ardèche),
Montargis, the commune déléguée La Motte-de-Galaure (which must be ignored), their départements and régions.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL

from kg.errors import UsageError
from kg.sources.geo.importer import (
    ATTRIBUTION,
    CODE_FORMATS,
    HEADER,
    REGENERATE,
    build_dataset,
    import_geo,
    load_etalab,
    place_iri,
    read_mapping,
    resolve,
)
from kg.sources.geo.infer import INFERRED_GRAPH, RULE_DEPARTEMENT, RULE_NAME, RULE_REGION
from kg.sources.namespaces import GEO_GRAPH, IGEO, TI, TID, source_graph
from kg.sources.rdf_io import parse_file, to_rdflib_term

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
ETALAB = FIXTURES / "etalab"
MAPPING = FIXTURES / "mappings" / "places.csv"
REAL_MAPPING = ROOT / "data" / "mappings" / "places.csv"
REAL_OUTPUT = ROOT / "data" / "official" / "decoupage-administratif.trig"

PORTE = place_iri("epci", "200040491")
SAINT_VALLIER = place_iri("commune", "26333")
ANDANCE = place_iri("commune", "07009")
MONTARGIS = place_iri("commune", "45208")
ARA = place_iri("region", "84")
FRANCE = TID["country/france"]
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")  # not rdflib.XSD: pytest trips on its namespace

GOOD_ROWS = [
    "Porte de Drôme Ardèche,001,epci,200040491,CC Porte de Dromardèche,renamed,,,,",
    "Montargis,002,commune,45208,Montargis,exact,,,,",
]


def write_mapping(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "places.csv"
    path.write_text(",".join(HEADER) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def graph_of(output: Path) -> Dataset:
    """The written file, read back with Oxigraph's strict parser, as an rdflib Dataset."""
    ds = Dataset()
    for q in parse_file(output):
        graph = ds.graph(URIRef(q.graph_name.value))
        graph.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)))
    return ds


@pytest.fixture
def imported(tmp_path: Path) -> tuple[Dataset, Path]:
    output = tmp_path / "out" / "geo.trig"
    import_geo(ETALAB, MAPPING, output)
    return graph_of(output), output


# --- what is imported -----------------------------------------------------------------------------------


def test_renamed_epci_gets_official_name_and_siren(imported: tuple[Dataset, Path]) -> None:
    ds, _ = imported
    g = ds.graph(GEO_GRAPH)
    assert (PORTE, RDF.type, TI.Intercommunality) in g
    assert set(g.objects(PORTE, RDFS.label)) == {Literal("CC Porte de Dromardèche", lang="fr")}
    assert set(g.objects(PORTE, TI.officialName)) == {Literal("CC Porte de Dromardèche")}
    assert set(g.objects(PORTE, TI.siren)) == {Literal("200040491")}
    assert set(g.objects(PORTE, TI.epciType)) == {Literal("CC")}
    # the document's own wording stays in the document's graph, never in the official one
    assert not any("Porte de Drôme Ardèche" in str(o) for o in g.objects())


def test_membership_and_containment(imported: tuple[Dataset, Path]) -> None:
    g = imported[0].graph(GEO_GRAPH)
    assert set(g.objects(PORTE, TI.hasMemberCommune)) == {SAINT_VALLIER, ANDANCE}
    for commune in (SAINT_VALLIER, ANDANCE):
        assert (commune, RDF.type, TI.Commune) in g
        assert (commune, TI.memberOfIntercommunality, PORTE) in g
        assert (commune, TI.inRegion, ARA) in g
    # members in Drôme and Ardèche: one région, no single département
    assert set(g.objects(PORTE, TI.inRegion)) == {ARA}
    assert set(g.objects(PORTE, TI.inDepartement)) == set()
    assert (SAINT_VALLIER, TI.inDepartement, place_iri("departement", "26")) in g
    assert (ANDANCE, TI.inDepartement, place_iri("departement", "07")) in g
    assert (ANDANCE, IGEO.codeINSEE, Literal("07009")) in g
    assert (ANDANCE, TI.siren, Literal("210700092")) in g
    # a mapped commune whose EPCI is not imported has no membership triple
    assert (MONTARGIS, RDFS.label, Literal("Montargis", lang="fr")) in g
    assert set(g.objects(MONTARGIS, TI.memberOfIntercommunality)) == set()
    # départements and régions reached, and the country
    dep07 = place_iri("departement", "07")
    assert (dep07, RDF.type, TI.Departement) in g
    assert (dep07, RDFS.label, Literal("Ardèche", lang="fr")) in g
    assert (dep07, TI.inRegion, ARA) in g
    assert (place_iri("departement", "45"), TI.inRegion, place_iri("region", "24")) in g
    assert (ARA, RDF.type, TI.Region) in g
    assert (ARA, IGEO.codeINSEE, Literal("84")) in g
    assert (ARA, IGEO.subdivisionDe, FRANCE) in g
    assert (FRANCE, RDF.type, TI.Country) in g
    assert (FRANCE, RDFS.label, Literal("France", lang="fr")) in g


def test_commune_deleguee_is_ignored(imported: tuple[Dataset, Path], tmp_path: Path) -> None:
    g = imported[0].graph(GEO_GRAPH)
    assert (place_iri("commune", "26216"), None, None) not in g
    mapping = write_mapping(tmp_path, "La Motte-de-Galaure,001,commune,26216,La Motte-de-Galaure,exact,,,,")
    with pytest.raises(UsageError, match=r"line 2 .*26216 does not exist"):
        import_geo(ETALAB, mapping, tmp_path / "geo.trig")


def test_every_triple_is_in_the_one_named_graph(imported: tuple[Dataset, Path]) -> None:
    ds, _ = imported
    assert {URIRef(str(g)) for *_, g in ds.quads((None, None, None, None))} == {GEO_GRAPH}


def test_dataset_describes_itself(imported: tuple[Dataset, Path]) -> None:
    g = imported[0].graph(GEO_GRAPH)
    d = GEO_GRAPH
    assert (d, RDF.type, TI.Dataset) in g
    assert any(o.language == "fr" for o in g.objects(d, RDFS.label))  # type: ignore[attr-defined]
    assert any(o.language == "fr" for o in g.objects(d, DCTERMS.title))  # type: ignore[attr-defined]
    assert (d, DCTERMS.publisher, Literal("Etalab")) in g
    assert (d, DCTERMS.source, URIRef("https://www.npmjs.com/package/@etalab/decoupage-administratif/v/6.0.0")) in g
    assert (d, DCTERMS.license, URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")) in g
    assert (d, OWL.versionInfo, Literal("6.0.0")) in g
    descriptions = " ".join(str(o) for o in g.objects(d, DCTERMS.description))
    assert "kg import-geo" in descriptions and "npm pack" in descriptions


def test_unmatched_row_is_reported_and_produces_no_triples(tmp_path: Path) -> None:
    output = tmp_path / "geo.trig"
    report = import_geo(ETALAB, MAPPING, output)
    assert [(m.name_in_documents, m.kind) for m in report.unmatched] == [("Agen", "commune")]
    assert "does not say" in report.unmatched[0].note
    assert "Agen" in str(report)
    assert "Agen" not in output.read_text(encoding="utf-8")
    assert report.rows == {"exact": 3, "renamed": 1, "unmatched": 1}
    assert report.counts == {"commune": 3, "epci": 1, "departement": 3, "region": 2, "country": 1}


def test_build_matches_what_is_written(imported: tuple[Dataset, Path]) -> None:
    """The TriG writer is hand-made: what Oxigraph reads back must be exactly what was built."""
    written, _ = imported
    built, _ = build_dataset(read_mapping(MAPPING), load_etalab(ETALAB))

    def norm(ds: Dataset) -> set[tuple[object, ...]]:
        out = set()
        for s, p, o, g in ds.quads((None, None, None, None)):
            if isinstance(o, Literal) and o.language is None and o.datatype is None:
                o = Literal(str(o))
            out.add((s, p, o, URIRef(str(g))))
        return out

    assert norm(written) == norm(built)


# --- output file ----------------------------------------------------------------------------------------


def test_output_is_deterministic_and_attributed(tmp_path: Path) -> None:
    first, second = tmp_path / "a.trig", tmp_path / "b.trig"
    import_geo(ETALAB, MAPPING, first)
    import_geo(ETALAB, MAPPING, second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert ATTRIBUTION in text
    for command in REGENERATE:
        assert command in text
    assert "@prefix epci: <https://w3id.org/territoires-industrie/id/epci/> ." in text
    assert "epci:200040491" in text


def test_failing_import_leaves_existing_output_untouched(tmp_path: Path) -> None:
    output = tmp_path / "geo.trig"
    output.write_text("previous content\n", encoding="utf-8")
    bad = write_mapping(tmp_path, GOOD_ROWS[0], "Montargis,002,commune,45209,Montargis,exact,,,,")
    with pytest.raises(UsageError):
        import_geo(ETALAB, bad, output)
    assert output.read_text(encoding="utf-8") == "previous content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geo.trig", "places.csv"]  # no temp file left


def test_successful_import_replaces_output(tmp_path: Path) -> None:
    output = tmp_path / "geo.trig"
    output.write_text("previous content\n", encoding="utf-8")
    import_geo(ETALAB, MAPPING, output)
    assert "previous content" not in output.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geo.trig"]


# --- errors name the row ----------------------------------------------------------------------------------


def test_code_absent_from_dataset_names_the_row(tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path, *GOOD_ROWS, "Drôme,001,departement,27,Drôme,exact,,,,")
    with pytest.raises(UsageError, match=r"line 4 \('Drôme'\): departement 27 does not exist"):
        import_geo(ETALAB, mapping, tmp_path / "geo.trig")


def test_official_name_disagreeing_with_dataset_names_the_row(tmp_path: Path) -> None:
    mapping = write_mapping(
        tmp_path,
        "Porte de Drôme Ardèche,001,epci,200040491,CC Porte de Drôme Ardèche,renamed,,,,",
        GOOD_ROWS[1],
    )
    with pytest.raises(UsageError, match=r"line 2 .*'CC Porte de Drôme Ardèche' differs .*'CC Porte de Dromardèche'"):
        import_geo(ETALAB, mapping, tmp_path / "geo.trig")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("Drôme,001,canton,26,Drôme,exact,,,,", "unknown kind 'canton'"),
        ("Drôme,001,departement,260,Drôme,exact,,,,", "bad departement code '260'"),
        ("Montargis,002,commune,4520,Montargis,exact,,,,", "bad commune code '4520'"),
        ("Porte,001,epci,20004049,CC Porte de Dromardèche,renamed,,,,", "bad epci code '20004049'"),
        ("Agen,003,commune,47001,,unmatched,,,ambiguous,", "unmatched row must leave code and official_name empty"),
        ("Agen,003,commune,,,unmatched,,,,", "needs a note"),
        ("Montargis,002,commune,,Montargis,exact,,,,", "missing code"),
        ("Montargis,002,commune,45208,,exact,,,,", "missing official_name"),
        ("Montargis,002,commune,45208,Montargis,probable,,,,", "unknown status 'probable'"),
        ("Romorantin,002,commune,41194,Romorantin-Lanthenay,exact,,,,", "use 'renamed'"),
        ("Montargis,002,commune,45208,Montargis,exact,", "expected 10 columns"),
        ("Montargis,2,commune,45208,Montargis,exact,,,,", "documents must be seed numbers"),
        ("Montargis,002,commune,45208,Montargis,exact,Montargis Gien,0.9,,", "territories must be territory slugs"),
        ("Montargis,002,commune,45208,Montargis,exact,montargis-gien,,,", "missing confidence"),
        ("Montargis,002,commune,45208,Montargis,exact,montargis-gien,1.5,,", "confidence must be a decimal in (0, 1]"),
        ("Montargis,002,commune,45208,Montargis,exact,montargis-gien,0,,", "confidence must be a decimal in (0, 1]"),
        ("Montargis,002,commune,45208,Montargis,exact,montargis-gien,high,,", "confidence must be a decimal in (0, 1]"),
        ("Montargis,002,commune,45208,Montargis,exact,,0.9,,", "confidence is only for a matched name"),
        ("Agen,003,commune,,,unmatched,agenais,0.5,why,", "confidence is only for a matched name"),
        ("Montargis,002,commune,45208,Montargis,exact,montargis-gien,0.9,In the name.,", "needs a note and its French"),
    ],
)
def test_malformed_row_names_its_line(tmp_path: Path, row: str, message: str) -> None:
    mapping = write_mapping(tmp_path, GOOD_ROWS[0], row)
    with pytest.raises(UsageError, match=rf"places\.csv: line 3: .*{re.escape(message)}"):
        read_mapping(mapping)


def test_duplicate_name_and_bad_header_are_refused(tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path, GOOD_ROWS[1], GOOD_ROWS[1])
    with pytest.raises(UsageError, match=r"line 3: .*already mapped on line 2"):
        read_mapping(mapping)
    mapping.write_text("name,code\nMontargis,45208\n", encoding="utf-8")
    with pytest.raises(UsageError, match="line 1: expected the header"):
        read_mapping(mapping)


def test_missing_etalab_file_is_a_usage_error(tmp_path: Path) -> None:
    for name in ("communes.json", "epci.json", "departements.json"):
        shutil.copy(ETALAB / name, tmp_path / name)
    with pytest.raises(UsageError, match=r"regions\.json: no such file"):
        load_etalab(tmp_path)


def test_another_package_version_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "package" / "data"
    shutil.copytree(ETALAB, data)
    meta = {"name": "@etalab/decoupage-administratif", "version": "7.0.0"}
    (tmp_path / "package" / "package.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(UsageError, match=r"7\.0\.0 found"):
        load_etalab(data)
    meta["version"] = "6.0.0"
    (tmp_path / "package" / "package.json").write_text(json.dumps(meta), encoding="utf-8")
    resolve(read_mapping(MAPPING), load_etalab(data))


# --- the committed mapping and output ----------------------------------------------------------------------


PLACE_NAMESPACES = tuple(f"{TID}{kind}/" for kind in ("commune", "epci", "departement", "region"))


def committed_iris() -> dict[str, set[str]]:
    """Official-place IRIs in the committed TriG, and the labels they carry."""
    labels: dict[str, set[str]] = {}
    for q in parse_file(REAL_OUTPUT):
        subject = q.subject
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(PLACE_NAMESPACES):
            entry = labels.setdefault(subject.value, set())
            if q.predicate.value == str(RDFS.label) and isinstance(q.object, ox.Literal):
                entry.add(q.object.value)
    return labels


def test_real_mapping_codes_have_the_right_format() -> None:
    rows = read_mapping(REAL_MAPPING)
    assert rows, "the mapping is empty"
    for row in rows:
        if row.status == "unmatched":
            assert row.code == "" and row.note, row.where
        else:
            assert CODE_FORMATS[row.kind].fullmatch(row.code), f"{row.where}: bad {row.kind} code {row.code!r}"


def test_real_mapping_is_reflected_in_committed_output() -> None:
    """Every mapped code is in the committed TriG with its reviewed official name (regenerate if not)."""
    labels = committed_iris()
    graphs = {q.graph_name.value for q in parse_file(REAL_OUTPUT)}
    assert graphs == {str(GEO_GRAPH)}
    for row in read_mapping(REAL_MAPPING):
        if row.status == "unmatched":
            continue
        iri = str(place_iri(row.kind, row.code))
        assert iri in labels, f"{row.where}: {iri} missing from {REAL_OUTPUT.name}; regenerate it"
        assert labels[iri] == {row.official_name}, f"{row.where}: label differs; regenerate {REAL_OUTPUT.name}"


def test_data_files_only_use_imported_places() -> None:
    """A commune/epci/département/région IRI in the hand-written data must have been imported."""
    data_files = [
        *sorted((ROOT / "data" / "sources").glob("*.trig")),
        ROOT / "data" / "curation.trig",
        ROOT / "data" / "inferred" / "places.trig",
    ]
    assert len(data_files) == 7, "the five source documents, the editorial graph and the inferred places"
    imported = set(committed_iris())
    missing: dict[str, set[str]] = {}
    for path in data_files:
        for q in parse_file(path):
            for term in (q.subject, q.object):
                if (
                    isinstance(term, ox.NamedNode)
                    and term.value.startswith(PLACE_NAMESPACES)
                    and term.value not in imported
                ):
                    missing.setdefault(term.value, set()).add(path.name)
    assert not missing, "places used but not imported (add them to data/mappings/places.csv): " + "; ".join(
        f"{iri} in {', '.join(sorted(files))}" for iri, files in sorted(missing.items())
    )


# --- places inferred for the territories (kg.sources.geo.infer) ------------------------------------------------------

INFERRED_REAL = ROOT / "data" / "inferred" / "places.trig"
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = RDF.subject, RDF.predicate, RDF.object

DATA = """@prefix ti: <https://w3id.org/territoires-industrie/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix territory: <https://w3id.org/territoires-industrie/id/territory/> .
@prefix reg: <https://w3id.org/territoires-industrie/id/region/> .
<https://w3id.org/territoires-industrie/id/source/002> {
    territory:montargis-nord a ti:IndustryTerritory ; rdfs:label "Montargis Nord"@fr ; ti:inRegion reg:24 .
    territory:porte-sud a ti:IndustryTerritory ; rdfs:label "Porte de Drôme Ardèche – Sud"@fr ; ti:inRegion reg:24 .
}
"""
TERRITORY_ROWS = [
    "Porte de Drôme Ardèche,002,epci,200040491,CC Porte de Dromardèche,renamed,porte-sud,0.9,In the name.,Dans le nom.",
    "Montargis,002,commune,45208,Montargis,exact,montargis-nord,0.95,In the name.,Dans le nom.",
]


def infer_into(tmp_path: Path, *rows: str, etalab: Path = ETALAB, data: str = DATA) -> tuple[Dataset, Path]:
    data_dir = tmp_path / "data"
    (data_dir / "sources").mkdir(parents=True, exist_ok=True)
    (data_dir / "sources" / "002.trig").write_text(data, encoding="utf-8")
    inferred = data_dir / "inferred" / "places.trig"
    import_geo(etalab, write_mapping(tmp_path, *rows), data_dir / "official" / "geo.trig", data_dir, inferred)
    return graph_of(inferred), inferred


def inference(g: Dataset, territory: str, kind: str, code: str, rule: str) -> URIRef:
    node = TID[f"inference/{territory}-{kind}-{code}-{rule}"]
    assert (node, RDF.type, TI.Inference) in g.graph(INFERRED_GRAPH), f"no inference {node}"
    return node


def test_a_place_named_in_a_territory_name_is_linked_and_marked(tmp_path: Path) -> None:
    ds, _ = infer_into(tmp_path, *TERRITORY_ROWS)
    g = ds.graph(INFERRED_GRAPH)
    territory = TID["territory/montargis-nord"]
    assert (territory, TI.includesCommune, MONTARGIS) in g
    node = inference(ds, "montargis-nord", "commune", "45208", "name")
    assert (node, RDF_SUBJECT, territory) in g and (node, RDF_PREDICATE, TI.includesCommune) in g
    assert (node, RDF_OBJECT, MONTARGIS) in g
    assert (node, TI.inferenceRule, RULE_NAME) in g
    assert set(g.objects(node, TI.confidence)) == {Literal("0.95", datatype=XSD_DECIMAL)}
    assert set(g.objects(node, PROV_DERIVED)) == {URIRef(source_graph("002")), GEO_GRAPH}
    assert set(g.objects(node, TI.matchedName)) == {Literal("Montargis", lang="fr")}
    assert set(g.objects(node, TI.editorialNote)) == {
        Literal("Dans le nom.", lang="fr"),
        Literal("In the name.", lang="en"),
    }
    # its département follows from the member; its région is stated, so it is not repeated
    assert (territory, TI.inDepartement, place_iri("departement", "45")) in g
    inference(ds, "montargis-nord", "departement", "45", "members")
    assert (territory, TI.inRegion, None) not in g


def test_regions_derived_from_members_that_disagree_are_kept_and_flagged(tmp_path: Path) -> None:
    ds, _ = infer_into(tmp_path, *TERRITORY_ROWS)
    g = ds.graph(INFERRED_GRAPH)
    territory = TID["territory/porte-sud"]
    assert (territory, TI.hasMemberIntercommunality, PORTE) in g
    assert {o for o in g.objects(territory, TI.inDepartement)} == {
        place_iri("departement", "07"),
        place_iri("departement", "26"),
    }
    assert (territory, TI.inRegion, ARA) in g  # the stated région 24 stays in the document's graph
    node = inference(ds, "porte-sud", "region", "84", "departements")
    assert (node, TI.differsFromStated, Literal(True)) in g
    assert (node, TI.inferenceRule, RULE_REGION) in g
    notes = {n.language: str(n) for n in g.objects(node, TI.editorialNote) if isinstance(n, Literal)}
    assert notes.keys() == {"fr", "en"}  # the site's language, and English beside it
    assert "Non énoncée : la région énoncée pour le territoire est Centre-Val de Loire (24)" in notes["fr"]
    assert "both are kept" in notes["en"] and "les deux sont gardées" in notes["fr"]
    # a département inferred with no disagreement carries no flag
    dep = inference(ds, "porte-sud", "departement", "07", "members")
    assert (dep, TI.differsFromStated, None) not in g and (dep, TI.inferenceRule, RULE_DEPARTEMENT) in g
    assert set(g.objects(dep, TI.editorialNote)) == {
        Literal(
            "Département, dans la géographie d'Etalab, du ou des membres du territoire CC Porte de Dromardèche "
            "(200040491).",
            lang="fr",
        ),
        Literal(
            "Département, in Etalab's geography, of the territory's member(s) CC Porte de Dromardèche (200040491).",
            lang="en",
        ),
    }


def test_inferred_graph_is_deterministic_and_describes_itself(tmp_path: Path) -> None:
    ds, path = infer_into(tmp_path, *TERRITORY_ROWS)
    first = path.read_bytes()
    _, again = infer_into(tmp_path, *TERRITORY_ROWS)
    assert again.read_bytes() == first
    assert {URIRef(str(g)) for *_, g in ds.quads((None, None, None, None))} == {INFERRED_GRAPH}
    assert (INFERRED_GRAPH, RDF.type, TI.Dataset) in ds.graph(INFERRED_GRAPH)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Montargis,002,commune,45208,Montargis,exact,nowhere,0.9,x,x",
            "no data file declares the territory 'nowhere'",
        ),
        ("Montargis,002,commune,45208,Montargis,exact,porte-sud,0.9,x,x", "'Montargis' is not part of the name"),
    ],
)
def test_a_territory_row_that_does_not_fit_the_data_is_refused(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        infer_into(tmp_path, row)


def with_homonym(tmp_path: Path, region: str) -> Path:
    """A copy of the fixture with a made-up second commune named Montargis, in département 26 or 45."""
    etalab = tmp_path / "etalab"
    shutil.copytree(ETALAB, etalab)
    communes = json.loads((etalab / "communes.json").read_text(encoding="utf-8"))
    dep = {"84": "26", "24": "45"}[region]
    communes.append(
        {"code": f"{dep}999", "nom": "Montargis", "departement": dep, "region": region, "type": "commune-actuelle"}
    )
    (etalab / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    return etalab


def test_a_shared_commune_name_is_matched_only_when_the_region_tells_them_apart(tmp_path: Path) -> None:
    ds, _ = infer_into(tmp_path / "a", TERRITORY_ROWS[1], etalab=with_homonym(tmp_path / "a", "84"))
    assert (TID["territory/montargis-nord"], TI.includesCommune, MONTARGIS) in ds.graph(INFERRED_GRAPH)
    with pytest.raises(UsageError, match=r"also the name of Montargis \(45999, région 24\).*mark the row unmatched"):
        infer_into(tmp_path / "b", TERRITORY_ROWS[1], etalab=with_homonym(tmp_path / "b", "24"))
    no_region = DATA.replace('"Montargis Nord"@fr ; ti:inRegion reg:24', '"Montargis Nord"@fr')
    with pytest.raises(UsageError, match=r"do not tell them apart"):
        infer_into(tmp_path / "c", TERRITORY_ROWS[1], etalab=with_homonym(tmp_path / "c", "84"), data=no_region)


def test_committed_inferences_reify_asserted_links_of_known_territories() -> None:
    ds = graph_of(INFERRED_REAL)
    g = ds.graph(INFERRED_GRAPH)
    nodes = set(g.subjects(RDF.type, TI.Inference))
    assert len(nodes) > 50
    stated_territories = {
        q.subject.value
        for path in sorted((ROOT / "data" / "sources").glob("*.trig"))
        for q in parse_file(path)
        if q.predicate.value == str(RDF.type) and q.object.value == str(TI.IndustryTerritory)
    }
    for node in nodes:
        s, p, o = (next(g.objects(node, x)) for x in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT))
        assert (s, p, o) in g, node
        assert str(s) in stated_territories, node
        assert next(g.objects(node, TI.inferenceRule)) in {RULE_NAME, RULE_DEPARTEMENT, RULE_REGION}
    # the one interregional territory the name reveals: Tarbes is in Occitanie, 004 says Nouvelle-Aquitaine
    flagged = {next(g.objects(n, RDF_SUBJECT)) for n in g.subjects(TI.differsFromStated, Literal(True))}
    assert TID["territory/lacq-pau-tarbes"] in flagged


def test_real_mapping_territory_rows_are_reviewed() -> None:
    for row in read_mapping(REAL_MAPPING):
        if row.territories and row.status != "unmatched":
            assert row.confidence is not None and row.note, row.where
        if row.status == "unmatched":
            assert row.confidence is None and row.note, row.where
