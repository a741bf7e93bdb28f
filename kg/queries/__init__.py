"""Canned SPARQL queries: one `.rq` file each, documented by a `#+ key: value` header.

The header keeps the file valid SPARQL (it is comments) and is the query's documentation; the CLI and
the API both read queries from here, so a query is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import UsageError

QUERY_DIR = Path(__file__).parent


@dataclass(frozen=True)
class CannedQuery:
    """A query file with its header fields."""

    name: str
    text: str
    header: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.header.get("title", self.name)


def _header(text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].strip().partition(":")
        if key:
            header[key.strip()] = value.strip()
    return header


def names() -> list[str]:
    """Names of every canned query, sorted."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))


def get(name: str) -> CannedQuery:
    """One canned query by name; `UsageError` naming the known ones if it does not exist."""
    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file():
        raise UsageError(f"unknown canned query {name!r} (known: {', '.join(names())})")
    text = path.read_text(encoding="utf-8")
    return CannedQuery(name=name, text=text, header=_header(text))
