"""The reviewed mapping data/mappings/places.csv: names the documents use → the official entity each denotes.

Each row is a name as a document writes it, the documents that use it, the official entity it denotes
(`exact`, `renamed`) or why none can be identified without guessing (`unmatched`), and — for a name that is
part of a territory's name ("Châteauroux" in "Châteauroux-Buzançais-Argenton") — the territories whose
name contains it and the reviewer's confidence that the name denotes that entity (kg.sources.geo.infer turns
those rows into inferred links). Parsing checks every cell, so a malformed row fails with its line number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.errors import UsageError
from kg.sources.geo.etalab import CODE_DESCRIPTIONS, CODE_FORMATS, KINDS, Etalab, official_name

HEADER = (
    "name_in_documents",
    "documents",
    "kind",
    "code",
    "official_name",
    "status",
    "territories",
    "confidence",
    "note",
    "note_fr",
)
STATUSES = ("exact", "renamed", "unmatched")
DOCUMENTS_FORMAT = re.compile(r"\d{3}(?:;\d{3})*")
TERRITORIES_FORMAT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:;[a-z0-9]+(?:-[a-z0-9]+)*)*")


@dataclass(frozen=True)
class PlaceMapping:
    """One reviewed row of places.csv: a name the documents use and the official entity it denotes."""

    line: int
    name_in_documents: str
    documents: tuple[str, ...]
    kind: str
    code: str
    official_name: str
    status: str
    note: str
    territories: tuple[str, ...] = ()  # slugs of the territories whose name contains this name
    confidence: Decimal | None = None  # for a matched name inside territory names
    note_fr: str = ""  # the note in French, for a row naming territories (written to the inferred places)

    @property
    def where(self) -> str:
        return f"line {self.line} ({self.name_in_documents!r})"


def read_mapping(path: Path) -> list[PlaceMapping]:
    """Parse and check places.csv, so a malformed row fails with its line number before anything is built."""
    if not path.is_file():
        raise UsageError(f"{path}: no such mapping file")
    rows: list[PlaceMapping] = []
    seen: dict[tuple[str, str], int] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise UsageError(f"{path}: line 1: expected the header {','.join(HEADER)}")
        for cells in reader:
            line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            row = _parse_row(path, line, cells)
            key = (row.kind, row.name_in_documents)
            if key in seen:
                raise UsageError(
                    f"{path}: line {line}: {row.kind} {row.name_in_documents!r} is already mapped on line {seen[key]}"
                )
            seen[key] = line
            rows.append(row)
    return rows


def _parse_row(path: Path, line: int, cells: list[str]) -> PlaceMapping:
    def bad(message: str) -> UsageError:
        return UsageError(f"{path}: line {line}: {message}")

    if len(cells) != len(HEADER):
        raise bad(f"expected {len(HEADER)} columns ({','.join(HEADER)}), found {len(cells)}")
    name, documents, kind, code, official, status, territories, confidence, note, note_fr = (c.strip() for c in cells)
    if not name:
        raise bad("name_in_documents is empty")
    if not DOCUMENTS_FORMAT.fullmatch(documents):
        raise bad(f"documents must be seed numbers separated by ';' (e.g. 001;003), not {documents!r}")
    if kind not in KINDS:
        raise bad(f"unknown kind {kind!r} (expected one of {', '.join(KINDS)})")
    if status not in STATUSES:
        raise bad(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    if status == "unmatched":
        if code or official:
            raise bad("an unmatched row must leave code and official_name empty")
        if not note:
            raise bad("an unmatched row needs a note saying why no official entity can be identified")
    else:
        if not code:
            raise bad(f"missing code for a row with status {status!r}")
        if not CODE_FORMATS[kind].fullmatch(code):
            raise bad(f"bad {kind} code {code!r}: expected {CODE_DESCRIPTIONS[kind]}")
        if not official:
            raise bad(f"missing official_name for a row with status {status!r}")
        if status == "exact" and name != official:
            raise bad(f"status 'exact' but {name!r} differs from the official name {official!r}: use 'renamed'")
        if status == "renamed" and name == official:
            raise bad("status 'renamed' but the name is the official name: use 'exact'")
    if territories and not TERRITORIES_FORMAT.fullmatch(territories):
        raise bad(f"territories must be territory slugs separated by ';' (e.g. montargis-gien), not {territories!r}")
    level = _confidence(bad, confidence, status, bool(territories))
    if territories and status != "unmatched" and not (note and note_fr):
        raise bad("a row naming territories needs a note and its French (note_fr), written to the inferred places")
    return PlaceMapping(
        line=line,
        name_in_documents=name,
        documents=tuple(documents.split(";")),
        kind=kind,
        code=code,
        official_name=official,
        status=status,
        note=note,
        territories=tuple(territories.split(";")) if territories else (),
        confidence=level,
        note_fr=note_fr,
    )


def _confidence(bad: Callable[[str], UsageError], raw: str, status: str, in_territory_names: bool) -> Decimal | None:
    """A matched name inside territory names needs the reviewer's confidence, in (0, 1]; other rows none."""
    if not (in_territory_names and status != "unmatched"):
        if raw:
            raise bad("confidence is only for a matched name that is part of territory names (fill territories)")
        return None
    if not raw:
        raise bad("missing confidence (a decimal in (0, 1]) for a name matched inside territory names")
    try:
        level = Decimal(raw)
    except InvalidOperation:
        level = Decimal("NaN")
    if not level.is_finite() or not Decimal(0) < level <= Decimal(1) or not re.fullmatch(r"[01](?:\.\d+)?", raw):
        raise bad(f"confidence must be a decimal in (0, 1] such as 0.9, not {raw!r}")
    return level


def resolve(mappings: Iterable[PlaceMapping], etalab: Etalab, mapping_path: Path | str = "mapping") -> None:
    """Check every mapped code exists and carries the reviewed official name, so the mapping stays reviewed."""
    for m in mappings:
        if m.status == "unmatched":
            continue
        official = official_name(m.kind, m.code, etalab)
        if official is None:
            raise UsageError(
                f"{mapping_path}: {m.where}: {m.kind} {m.code} does not exist in Etalab's dataset"
                + (" (only current communes are imported)" if m.kind == "commune" else "")
            )
        if official != m.official_name:
            raise UsageError(
                f"{mapping_path}: {m.where}: official_name {m.official_name!r} differs from the dataset's "
                f"{official!r} for {m.kind} {m.code}"
            )
