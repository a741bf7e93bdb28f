"""Canned SPARQL queries: one `.rq` file each, documented by a `#+` YAML header.

The header (lines starting with `#+ `) keeps the file valid SPARQL — it is comments — and is the query's
documentation, in the spirit of grlc's decorators:

    #+ title: Flux de financement
    #+ title_en: Funding flows
    #+ description: Qui finance qui, par quel dispositif…
    #+ description_en: Who funds whom, through which scheme…
    #+ format: json
    #+ params:
    #+   - name: territory            # the query's variable ?territory
    #+     type: iri                  # iri | string | integer | decimal | date | year | enum
    #+     required: false
    #+     example: https://w3id.org/territoires-industrie/id/territory/ardeche-drome-nord
    #+     description: Seulement les flux vers ce territoire.
    #+     description_en: Only flows to this territory.

The site is French first: `title` and `description` (of the query and of each parameter) are French, and
`title_en` and `description_en` are their English versions, beside them (flat keys rather than a mapping, so
that a tool reading grlc's `title` and `description` still finds them); `CannedQuery.text_in` picks one.

Parameters are bound safely: each value is validated against its type and turned into an RDF term by
pyoxigraph (which escapes it), and the terms are joined to the query as a `VALUES` block at the start of
its WHERE group — a value never becomes query syntax. An optional parameter left out is `UNDEF`, so the
query sees it unbound. The CLI and the API both read queries from here: adding a query is adding a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml

from kg.errors import BadParameter, UnknownQuery, UsageError
from kg.sources.namespaces import XSD
from kg.store.guard import tokens

QUERY_DIR = Path(__file__).parent
INTERNAL_DIR = QUERY_DIR / "internal"
PARAM_TYPES = ("iri", "string", "integer", "decimal", "date", "year", "enum")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class Param:
    """A declared parameter: the query variable it binds, its type and how to call it."""

    name: str
    type: str = "string"
    required: bool = False
    default: str | None = None
    example: str | None = None
    description: str = ""  # French
    values: tuple[str, ...] = ()  # for enum
    description_en: str = ""

    def term(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw value, or `BadParameter` naming this parameter."""
        try:
            return _TERM_BUILDERS[self.type](self, raw)
        except BadParameter:
            raise
        except (ValueError, InvalidOperation) as e:
            raise BadParameter(self.name, f"{raw!r} is not a valid {self.type}: {e}") from None


def _iri(p: Param, raw: str) -> ox.NamedNode:
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", raw):
        raise BadParameter(p.name, f"{raw!r} is not an absolute IRI")
    return ox.NamedNode(raw)  # raises ValueError on characters an IRI cannot hold


def _string(p: Param, raw: str) -> ox.Literal:
    return ox.Literal(raw)


def _integer(p: Param, raw: str) -> ox.Literal:
    if not re.fullmatch(r"[+-]?[0-9]+", raw.strip()):
        raise BadParameter(p.name, f"{raw!r} is not an integer")
    return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))


def _decimal(p: Param, raw: str) -> ox.Literal:
    return ox.Literal(str(Decimal(raw.strip())), datatype=ox.NamedNode(XSD + "decimal"))


def _date(p: Param, raw: str) -> ox.Literal:
    return ox.Literal(date.fromisoformat(raw.strip()).isoformat(), datatype=ox.NamedNode(XSD + "date"))


def _year(p: Param, raw: str) -> ox.Literal:
    if not re.fullmatch(r"[0-9]{4}", raw.strip()):
        raise BadParameter(p.name, f"{raw!r} is not a four-digit year")
    return ox.Literal(raw.strip(), datatype=ox.NamedNode(XSD + "gYear"))


def _enum(p: Param, raw: str) -> ox.Literal:
    if raw not in p.values:
        raise BadParameter(p.name, f"{raw!r} is not one of: {', '.join(p.values)}")
    return ox.Literal(raw)


_TERM_BUILDERS: dict[str, Callable[[Param, str], ox.NamedNode | ox.Literal]] = {
    "iri": _iri,
    "string": _string,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "year": _year,
    "enum": _enum,
}


@dataclass(frozen=True)
class CannedQuery:
    """A query file: its text, its documentation and its parameters."""

    name: str
    text: str
    header: dict[str, Any] = field(default_factory=dict)
    params: tuple[Param, ...] = ()

    @property
    def title(self) -> str:
        """The French title (the name when the header has none)."""
        return str(self.header.get("title", self.name))

    @property
    def title_en(self) -> str:
        """The English title (the French one when the header has none)."""
        return str(self.header.get("title_en") or self.title)

    @property
    def description(self) -> str:
        """The French description."""
        return str(self.header.get("description", ""))

    @property
    def description_en(self) -> str:
        """The English description (the French one when the header has none)."""
        return str(self.header.get("description_en") or self.description)

    def text_in(self, key: str, language: str) -> str:
        """`title` or `description` in `language` ("fr" or "en"; French for any other)."""
        if key not in ("title", "description"):
            raise ValueError(f"no {key!r} in two languages (title, description)")
        english = language.split("-")[0].lower() == "en"
        return str(getattr(self, f"{key}_en" if english else key))

    @property
    def default_format(self) -> str:
        return str(self.header.get("format", "json"))

    @property
    def requires(self) -> tuple[str, ...]:
        """What the engine must do as SPARQL 1.1 says for this query to answer alike (kg.store.engines)."""
        return tuple(str(c) for c in self.header.get("requires") or ())

    def bind(self, values: dict[str, str]) -> str:
        """The query text with the parameters joined as a VALUES block; `BadParameter` on any bad value."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise BadParameter(unknown[0], f"unknown parameter (this query takes: {', '.join(known) or 'none'})")
        terms: list[str] = []
        for p in self.params:
            raw = values.get(p.name, p.default)
            if raw is None or raw == "":
                if p.required:
                    raise BadParameter(p.name, "this parameter is required")
                terms.append("UNDEF")
            else:
                terms.append(str(p.term(raw)))
        if not self.params:
            return self.text
        variables = " ".join(f"?{p.name}" for p in self.params)
        block = f" VALUES ({variables}) {{ ({' '.join(terms)}) }} "
        at = _where_brace(self.text)
        return self.text[: at + 1] + block + self.text[at + 1 :]


def _where_brace(text: str) -> int:
    """Offset of the `{` opening the top-level WHERE group (found by the lexer, so never inside a literal)."""
    seen_where = False
    for tok in tokens(text):
        if tok.kind == "word" and tok.text.upper() == "WHERE":
            seen_where = True
        elif tok.text == "{" and seen_where:
            return tok.start
    raise UsageError("a canned query with parameters needs an explicit WHERE { … } group to bind them into")


def _parse(name: str, text: str) -> CannedQuery:
    lines = [line[3:] if line.startswith("#+ ") else line[2:] for line in text.splitlines() if line.startswith("#+")]
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as e:
        raise UsageError(f"{name}.rq: malformed #+ header: {e}") from None
    if not isinstance(header, dict):
        raise UsageError(f"{name}.rq: the #+ header must be a mapping of key: value")
    params = []
    for raw in header.get("params") or []:
        if not isinstance(raw, dict) or not _NAME.match(str(raw.get("name", ""))):
            raise UsageError(f"{name}.rq: every parameter needs a name that is a SPARQL variable name")
        ptype = str(raw.get("type", "string"))
        if ptype not in PARAM_TYPES:
            raise UsageError(f"{name}.rq: parameter {raw['name']}: type must be one of {', '.join(PARAM_TYPES)}")
        params.append(
            Param(
                name=str(raw["name"]),
                type=ptype,
                required=bool(raw.get("required", False)),
                default=None if raw.get("default") is None else str(raw["default"]),
                example=None if raw.get("example") is None else str(raw["example"]),
                description=str(raw.get("description", "")),
                values=tuple(str(v) for v in raw.get("values") or ()),
                description_en=str(raw.get("description_en") or raw.get("description", "")),
            )
        )
    return CannedQuery(name=name, text=text, header=header, params=tuple(params))


def names() -> list[str]:
    """Names of every public canned query, sorted (the code's own queries, under `internal/`, are not listed)."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))


@cache
def _load(path: Path, mtime_ns: int) -> CannedQuery:
    return _parse(path.stem, path.read_text(encoding="utf-8"))


def get(name: str) -> CannedQuery:
    """One public canned query by name; `UnknownQuery` naming the known ones if it does not exist."""
    return _get(QUERY_DIR, name, names)


def internal_names() -> list[str]:
    """Names of the code's own queries (under `internal/`), sorted."""
    return sorted(p.stem for p in INTERNAL_DIR.glob("*.rq"))


def internal(name: str) -> CannedQuery:
    """One of the queries the code runs itself (networks, VoID, resource pages): read like the public ones,
    never published under `/queries`."""
    return _get(INTERNAL_DIR, name, internal_names)


def _get(directory: Path, name: str, known: Callable[[], list[str]]) -> CannedQuery:
    path = directory / f"{name}.rq"
    if not _FILE_NAME.match(name) or not path.is_file():
        raise UnknownQuery(f"unknown canned query {name!r} (known: {', '.join(known())})")
    return _load(path, path.stat().st_mtime_ns)
