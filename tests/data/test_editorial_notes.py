"""The editorial notes of the bundled data are in French, the site's language, with the English beside them.

Every subject that carries an English `ti:editorialNote` in a named graph carries as many French ones in the
same graph (and the other way round), no note is in a third language or untagged, and no French note is
the English one copied.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.sources.namespaces import TI
from kg.sources.rdf_io import parse_file

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted((ROOT / "data").rglob("*.trig"))
EDITORIAL_NOTE = ox.NamedNode(str(TI.editorialNote))


def notes_by_subject(path: Path) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(graph, subject) → language → the notes, for every ti:editorialNote of one data file."""
    notes: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for q in parse_file(path):
        if q.predicate == EDITORIAL_NOTE:
            assert isinstance(q.object, ox.Literal), f"{path.name}: a note of {q.subject} is not text"
            notes[(str(q.graph_name), str(q.subject))][q.object.language or ""].append(q.object.value)
    return notes


def test_the_notes_of_every_data_file_are_checked() -> None:
    """The hand-written graphs and the inferred places carry notes, so the check below is not vacuous."""
    with_notes = {p.relative_to(ROOT / "data").as_posix() for p in DATA_FILES if notes_by_subject(p)}
    expected = {f"sources/00{n}.trig" for n in range(5)} | {"curation.trig", "inferred/places.trig"}
    assert expected <= with_notes


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.relative_to(ROOT / "data").as_posix())
def test_every_english_editorial_note_has_its_french_beside_it(path: Path) -> None:
    problems = []
    for (graph, subject), by_language in sorted(notes_by_subject(path).items()):
        fr, en = by_language.get("fr", []), by_language.get("en", [])
        others = sorted(set(by_language) - {"fr", "en"})
        if others or len(fr) != len(en):
            problems.append(f"{subject} in {graph}: {len(fr)} @fr, {len(en)} @en, other tags {others}")
        elif set(fr) & set(en):
            problems.append(f"{subject} in {graph}: a French note is the English one: {sorted(set(fr) & set(en))}")
    assert not problems, f"{path.name}: {len(problems)} subjects, e.g. " + "; ".join(problems[:3])
