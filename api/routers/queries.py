"""Canned queries over HTTP: `GET /queries` lists them, `GET /queries/{name}` runs one.

The routes are generated when the app is created, one GET operation per `kg/queries/*.rq` file, so each
query is its own operation in the OpenAPI document — typed parameters, examples, an operation id — and
Swagger UI or a generated client calls it directly. The endpoints read `request.query_params` themselves:
validation stays in `CannedQuery.bind`, the one place (shared with `kg query --canned`) that types values
and binds them as RDF terms, and a bad value is a 400 naming the parameter, never FastAPI's own 422.

Answers: by default a plain JSON array with one object per row, every variable of the query a key whose
value is the term as JSON types it by its datatype — a number for xsd:integer, xsd:decimal, xsd:double and
their kin, true or false for xsd:boolean, else a string: an IRI, the lexical form of any other literal (dates
and times are ISO 8601 there already) — or null when the row leaves it unbound; also CSV, and any SPARQL
results format, by `Accept` or `?format=` (SPARQL JSON as the W3C defines it: every value a string there).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from kg import queries
from kg.errors import UnknownQuery, UsageError
from kg.queries import CannedQuery, Param
from kg.sources.namespaces import XSD
from kg.store.guard import check_request, inspect
from kg.store.interface import Queryable, QueryRequest, Term, read_json_results

from .. import caching, conneg
from ..deps import SettingsDep, StoreDep
from ..errors import PROBLEM_SCHEMA
from ..params import FORMAT_PARAMETER, read_parameters
from ..service_description import MAX_ROWS_HEADER, TRUNCATED_HEADER

DEFAULT_TAGS = ["queries"]

ROWS = conneg.Format("rows", "application/json", (), ("json",))
SPARQL_JSON = conneg.Format("json", "application/sparql-results+json", (), ("srj", "sparql-json"))
ANSWERS: tuple[conneg.Format, ...] = (ROWS, SPARQL_JSON, conneg.XML, conneg.CSV, conneg.TSV)
"""Formats of a SELECT or ASK answer; the query's declared format (json unless said) is the default."""

_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "uri"},
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "date": {"type": "string", "format": "date"},
    "year": {"type": "string", "pattern": "^[0-9]{4}$"},
}
_ROWS_SCHEMA = {
    "type": "array",
    "items": {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
}
_INTEGERS = frozenset(
    XSD + name
    for name in (
        "integer", "long", "int", "short", "byte", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
        "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte",
    )
)  # fmt: skip
_DECIMALS = frozenset({XSD + "decimal"})
_FLOATS = frozenset({XSD + "double", XSD + "float"})
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
# the lexical spaces of XSD 1.1 (Python's own parsers also take `1_000`, `nan`, `infinity`), finite numbers only
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_FLOAT = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")

# --- the listing -------------------------------------------------------------------------------------------


class ParameterInfo(BaseModel):
    """One declared parameter of a canned query, as its `#+` header says."""

    name: str
    type: str
    required: bool
    default: str | None
    example: str | None
    description: str = Field(description="What the parameter does, in French.")
    description_en: str = Field(description="The same in English.")
    values: list[str]


class QueryLinks(BaseModel):
    """Where to run the query: as is, and with its required parameters set to their examples."""

    model_config = ConfigDict(populate_by_name=True)

    self_: str = Field(alias="self")
    example: str


class QueryInfo(BaseModel):
    """A canned query: what it answers, how to call it."""

    name: str
    title: str = Field(description="The query's title, in French (the site's language).")
    title_en: str = Field(description="The same in English.")
    description: str = Field(description="What the query answers, in French.")
    description_en: str = Field(description="The same in English.")
    format: str
    tags: list[str]
    parameters: list[ParameterInfo]
    links: QueryLinks
    requires: list[str] = Field(description="What the engine must do as SPARQL 1.1 says (`#+ requires:`).")
    unavailable: list[str] = Field(
        description="Of those, what the store behind this server does otherwise: its answer may differ there."
    )


def tags_of(q: CannedQuery) -> list[str]:
    """The header's `tags` (a list or one word); DEFAULT_TAGS without any."""
    tags = q.header.get("tags")
    if isinstance(tags, str):
        tags = [tags]
    return [str(t) for t in tags] if tags else list(DEFAULT_TAGS)


def describe(q: CannedQuery, root: str = "", lacks: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The listing entry of one query; links are paths under the app's root path; `lacks`, what the store
    does otherwise than SPARQL 1.1 says."""
    path = f"{root}/queries/{q.name}"
    example = [(p.name, p.example) for p in q.params if p.required and p.example is not None]
    return {
        "name": q.name,
        "title": q.title,
        "title_en": q.title_en,
        "description": q.description,
        "description_en": q.description_en,
        "format": q.default_format,
        "tags": tags_of(q),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "example": p.example,
                "description": p.description,
                "description_en": p.description_en,
                "values": list(p.values),
            }
            for p in q.params
        ],
        "links": {"self": path, "example": f"{path}?{urlencode(example)}" if example else path},
        "requires": list(q.requires),
        "unavailable": [c for c in q.requires if c in lacks],
    }


# --- running one -------------------------------------------------------------------------------------------


JsonValue = str | int | float | bool | None


def json_value(term: Term | None) -> JsonValue:
    """A term as the JSON value its datatype says: numbers and booleans as such, anything else its text.

    A decimal becomes a JSON number as a browser reads one (a double; an integral one an integer). An ill-typed
    literal (`"x"^^xsd:integer`), and NaN and INF, which JSON cannot write, stay their lexical form."""
    if term is None:
        return None
    text, datatype = term.value.strip(), term.datatype
    if term.kind != "literal" or datatype is None:
        return term.value
    if datatype in _INTEGERS and _INTEGER.fullmatch(text):
        return int(text)
    if datatype in _DECIMALS and _DECIMAL.fullmatch(text) and (exact := Decimal(text)) == exact.to_integral_value():
        return int(exact)
    numeric = (datatype in _DECIMALS and _DECIMAL.fullmatch(text)) or (datatype in _FLOATS and _FLOAT.fullmatch(text))
    if numeric and math.isfinite(number := float(text)):  # not 1e400
        return number
    if datatype == XSD + "boolean" and text in _BOOLEANS:
        return _BOOLEANS[text]
    return term.value


def json_rows(body: bytes) -> list[dict[str, JsonValue]]:
    """The rows of a SPARQL JSON answer as typed JSON values (an ASK: one row `{"boolean": true|false}`)."""
    answer = read_json_results(body)
    if isinstance(answer, bool):
        return [{"boolean": answer}]
    return [{v: json_value(row.get(v)) for v in answer.variables} for row in answer.rows]


def offers(q: CannedQuery) -> tuple[conneg.Format, ...]:
    """The formats this query's answer can take, its declared default first."""
    if inspect(q.text).returns_graph:
        return conneg.GRAPHS
    default = next((f for f in ANSWERS if f.key == q.default_format or f.selected_by(q.default_format)), ROWS)
    return (default, *(f for f in ANSWERS if f is not default))


def answer(request: Request, q: CannedQuery, settings: SettingsDep, store: StoreDep) -> Response:
    """Bind (nothing runs unless every value fits), negotiate, run through the store, answer with cache headers."""
    values, formats = read_parameters(list(request.query_params.multi_items()))
    text = q.bind(values)
    info = check_request(
        text, "query", settings.service_allowlist, settings.max_query_depth
    )  # our own text, checked all the same
    available = offers(q)
    fmt = conneg.choose(request.headers.get("accept"), available, formats, what=f"the answer of {q.name}", strict=True)
    tag = caching.etag(store.version, "queries", q.name, text, fmt.key, store.max_rows)
    if (unchanged := caching.not_modified(request, tag, settings.cache_max_age)) is not None:
        return unchanged
    run = store.run(
        QueryRequest(
            text,
            result_format=conneg.JSON.key if fmt is ROWS or info.returns_graph else fmt.key,
            graph_format=fmt.key if info.returns_graph else conneg.TURTLE.key,
            dataset_clause=info.dataset_clause,
        )
    )
    body = run.body
    if fmt is ROWS:
        body = json.dumps(json_rows(run.body), ensure_ascii=False).encode("utf-8")
    headers = caching.headers(tag, settings.cache_max_age, len(body))
    if run.truncated:
        headers[TRUNCATED_HEADER] = "true"
        headers[MAX_ROWS_HEADER] = str(store.max_rows)
    return Response(body, media_type=fmt.content_type, headers=headers)


# --- the OpenAPI description of each query -----------------------------------------------------------------


def _typed(p: Param, raw: str) -> Any:
    """A declared value as the JSON type its schema says (examples and defaults are strings in the header)."""
    try:
        if p.type == "integer":
            return int(raw)
        if p.type == "decimal":
            return float(raw)
    except ValueError:
        pass
    return raw


def parameter_schema(p: Param) -> dict[str, Any]:
    """The JSON schema of a parameter's values."""
    schema: dict[str, Any] = {"type": "string", "enum": list(p.values)} if p.type == "enum" else dict(_SCHEMAS[p.type])
    if p.default is not None:
        schema["default"] = _typed(p, p.default)
    if p.required and p.type == "string":
        schema["minLength"] = 1  # an empty value is no value (`CannedQuery.bind`): 400 for a required one
    return schema


def openapi_parameter(p: Param) -> dict[str, Any]:
    """The OpenAPI query parameter of a declared parameter."""
    doc: dict[str, Any] = {
        "name": p.name,
        "in": "query",
        "required": p.required,
        "description": p.description or f"{p.type} value for ?{p.name}",
        "schema": parameter_schema(p),
    }
    if p.example is not None:
        doc["example"] = _typed(p, p.example)
    if not p.required:
        doc["allowEmptyValue"] = True  # `?territory=` (an empty form field) means not given
    return doc


def _format_parameter(available: Sequence[conneg.Format]) -> dict[str, Any]:
    names = conneg.names(available)
    return {
        "name": FORMAT_PARAMETER,
        "in": "query",
        "required": False,
        "description": "The answer's format (wins over Accept): "
        + ", ".join(f"{n} ({f.media_type})" for n, f in zip(names, available, strict=True)),
        "schema": {"type": "string", "enum": names},
    }


def _responses(available: Sequence[conneg.Format]) -> dict[int | str, dict[str, Any]]:
    problem = {"content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}
    content: dict[str, Any] = {f.media_type: {} for f in available}
    if ROWS in available:
        content[ROWS.media_type] = {"schema": _ROWS_SCHEMA}
    return {
        200: {
            "description": "The answer; JSON by default: one object per row, values typed by their datatype "
            "(numbers, booleans, else strings), null for unbound",
            "content": content,
        },
        304: {"description": "Not modified (If-None-Match matched the ETag)"},
        400: {"description": "A parameter missing, unknown, repeated or not of its type (named)", **problem},
        404: {"description": "No canned query of that name"},
        406: {"description": "No acceptable format, or an unknown `format` (the problem lists what is available)"},
        503: {"description": "Query timeout, every worker busy, or no store"},
    }


def _endpoint(q: CannedQuery) -> Callable[..., Response]:
    """The handler of one query (a plain def: it runs in the thread pool while a worker evaluates)."""

    def run_canned_query(request: Request, settings: SettingsDep, store: StoreDep) -> Response:
        return answer(request, q, settings, store)

    run_canned_query.__doc__ = q.description
    return run_canned_query


def build_router() -> APIRouter:
    """The /queries routes for the canned queries there are now (called by `create_app`, not at import)."""
    router = APIRouter()
    canned = [queries.get(name) for name in queries.names()]
    for q in canned:
        if any(p.name == FORMAT_PARAMETER for p in q.params):
            raise UsageError(f"{q.name}.rq: a parameter cannot be named {FORMAT_PARAMETER!r}: it chooses the format")

    @router.get("/queries", tags=[*DEFAULT_TAGS], summary="The canned queries and their parameters")
    def list_queries(request: Request) -> list[QueryInfo]:
        """Each query with its title, description, default format, tags, declared parameters and links."""
        root = request.scope.get("root_path", "")
        store: Queryable | None = request.app.state.store
        lacks = store.lacks if store is not None else frozenset()
        return [QueryInfo.model_validate(describe(q, root, lacks)) for q in canned]

    for q in canned:
        available = offers(q)
        router.add_api_route(
            f"/queries/{q.name}",
            _endpoint(q),
            methods=["GET"],
            name=q.name.replace("-", "_"),
            operation_id=q.name.replace("-", "_"),
            summary=q.title,
            description=q.description,
            tags=[*tags_of(q)],
            response_class=Response,
            responses=_responses(available),
            openapi_extra={"parameters": [*map(openapi_parameter, q.params), _format_parameter(available)]},
        )

    known = ", ".join(q.name for q in canned)

    @router.get("/queries/{name}", include_in_schema=False)
    def unknown_query(name: str) -> None:
        """A 404 that lists the queries there are (every known name has its own route above)."""
        raise UnknownQuery(f"unknown canned query {name!r} (known: {known})")

    return router
