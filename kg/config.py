"""One settings object for the whole project, read from `KG_*` environment variables.

Code in `kg` takes explicit arguments; only the CLI (and later the API) builds a `Settings` and passes
its values down, so tests can give their own paths without touching the environment.

Inside a checkout (the current directory's pyproject.toml names this project) the folders are the
checkout's own, relative to the current directory, as the README says (`./ontology`, `./shapes`, `./data`,
`./var/store`), never those of the checkout the package was installed from: with an editable install, a
server started from a second checkout would otherwise write into the first one's `data/`. Anywhere else
they are the copies the package ships (`kg/bundled/`, see `bundled_dir`), and the store goes to the user
data directory. `KG_*_DIR` and `KG_STORE` win over both. Every path is made absolute when the settings are
read, so a later `chdir` changes nothing.
"""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Callable
from contextlib import ExitStack
from functools import lru_cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # the checkout holding this package (tests, benchmarks)
DISTRIBUTION = "territoires-industrie-kg"
MIN_TOKEN_LENGTH = 16


def is_checkout(directory: Path) -> bool:
    """Whether a directory is a checkout of this project (its pyproject.toml names this distribution)."""
    try:
        text = (directory / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(rf"""^name\s*=\s*["']{DISTRIBUTION}["']""", text, re.MULTILINE) is not None


def _default_store() -> Path:
    """Keep the store inside a checkout (./var/store) so it is easy to find and delete; else the user data dir."""
    if is_checkout(Path.cwd()):
        return Path.cwd() / "var" / "store"
    return Path(user_data_dir(DISTRIBUTION)) / "store"


BUNDLED = ("ontology", "shapes", "data")  # the folders the wheel ships as kg/bundled/<name> (pyproject.toml)
_extracted = ExitStack()  # bundled folders copied out of a zipped install, removed at exit
atexit.register(_extracted.close)


@lru_cache
def bundled_dir(name: str) -> Path:
    """The package's own copy of ontology/, shapes/ or data/, as a real folder that the RDF readers can list.

    Installed from the wheel, it is `kg/bundled/<name>` beside this module; `kg` imported from a checkout
    (an editable install, or the checkout on `sys.path`) has no such folder: its copy is the checkout's own.
    """
    if name not in BUNDLED:
        raise ValueError(f"no bundled folder {name!r} (one of {', '.join(BUNDLED)})")
    if is_checkout(PROJECT_ROOT):
        return PROJECT_ROOT / name
    resource = files("kg").joinpath("bundled", name)
    if isinstance(resource, Path):  # a wheel installs as files: the folder itself, nothing copied
        return resource
    return _extracted.enter_context(as_file(resource))  # a zipped install: a temporary copy (Python ≥ 3.12)


def _default_dir(name: str) -> Callable[[], Path]:
    """The current checkout's folder in a checkout, else the package's copy."""
    return lambda: Path.cwd() / name if is_checkout(Path.cwd()) else bundled_dir(name)


class Settings(BaseSettings):
    """Where the sources are, where the store goes."""

    # hide_input_in_errors: a refused write token must not be printed in the error that refuses it
    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore", hide_input_in_errors=True)

    store: Path = Field(default_factory=_default_store, description="Directory of the on-disk Oxigraph store.")
    ontology_dir: Path = Field(default_factory=_default_dir("ontology"), description="OWL ontology (Turtle).")
    shapes_dir: Path = Field(default_factory=_default_dir("shapes"), description="SHACL shapes (Turtle).")
    data_dir: Path = Field(default_factory=_default_dir("data"), description="Instance data (TriG, Turtle…).")

    # serving
    host: str = Field(default="127.0.0.1", description="Address `kg serve` listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port `kg serve` listens on.")
    workers: int = Field(
        default_factory=lambda: max(2, os.cpu_count() or 2),
        ge=1,
        le=64,
        description="Query worker processes: how many queries run at once.",
    )
    query_timeout: float = Field(default=30.0, gt=0, description="Seconds a query may run before it is stopped (503).")
    max_rows: int = Field(default=10_000, ge=1, description="Most result rows (or triples) one response carries.")
    max_request_bytes: int = Field(default=1_000_000, ge=1024, description="Largest request body accepted (413).")
    max_upload_bytes: int = Field(
        default=64_000_000,
        ge=1024,
        description="Largest RDF document accepted by /graphs, /update and /validate (413).",
    )
    max_url_length: int = Field(default=16_384, ge=256, description="Longest request target accepted (414).")
    in_memory: Literal["auto", "always", "never"] = Field(
        default="auto", description="Serve from an in-memory copy of the store: auto = when it is small enough."
    )
    in_memory_max_triples: int = Field(
        default=2_000_000, ge=0, description="With in_memory=auto, the largest store copied into memory."
    )
    service_allowlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SPARQL endpoints that SERVICE may call (comma-separated); empty = SERVICE refused.",
    )
    cache_max_age: int = Field(default=300, ge=0, description="Cache-Control max-age of query answers, seconds.")
    cache_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=0,
        le=64 * 1024**3,
        description="Bytes of answers the server keeps in memory for the version served (0: none).",
    )
    queue_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a request may wait for a free query worker (then 503 + Retry-After)."
    )
    max_queries_per_client: int = Field(
        default=0,
        ge=0,
        description="Workers one client address may hold at once (429 beyond); 0 = no limit (clients behind "
        "one proxy share an address).",
    )
    max_query_depth: int = Field(
        default=200,
        ge=8,
        description="Deepest nesting of brackets and braces a query may have (400), checked before the engine sees it.",
    )
    max_header_bytes: int = Field(default=32_768, ge=1024, description="Largest total size of request headers (431).")

    # bounded handling of what clients upload (/validate, /graphs, /update)
    validate_timeout: float = Field(
        default=30.0, gt=0, description="Seconds parsing and validating one uploaded document may take (503)."
    )
    worker_memory_mb: int = Field(
        default=2048, ge=640, description="Address-space limit of a validation worker process, MiB (413 beyond)."
    )
    max_rdf_depth: int = Field(
        default=64, ge=4, description="Deepest nesting of blank nodes, collections or XML elements in an upload (400)."
    )
    max_literal_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest single literal in an upload, bytes (413)."
    )

    # writes (data stewards)
    write_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that /graphs and /update writes require; unset = writes disabled (403).",
    )
    write_lock_timeout: float = Field(
        default=60.0, gt=0, description="Seconds a write or build waits for another one to finish (then 503)."
    )
    write_data_files: bool = Field(
        default=True,
        description="Also apply accepted writes to the files of data_dir, so the next `kg build` keeps them "
        "(never to the package's own copy of data/ unless set).",
    )

    # the backend: the embedded Oxigraph store, or any SPARQL 1.1 store over HTTP (kg.store.remote)
    backend: Literal["oxigraph", "sparql"] = Field(
        default="oxigraph", description="Where the data is served from: the embedded store or a remote SPARQL store."
    )
    sparql_query_url: str | None = Field(default=None, description="The remote store's SPARQL query endpoint.")
    sparql_update_url: str | None = Field(default=None, description="Its SPARQL Update endpoint (writes).")
    sparql_gsp_url: str | None = Field(
        default=None, description="Its Graph Store Protocol endpoint; unset = the engine profile's, or none."
    )
    sparql_user: str | None = Field(default=None, description="User name for the remote store (writes, or all).")
    sparql_password: SecretStr | None = Field(default=None, description="Password of that user.")
    sparql_auth: Literal["basic", "digest"] = Field(default="basic", description="HTTP authentication scheme.")
    sparql_engine: Literal["generic", "virtuoso"] = Field(
        default="generic", description="What the remote engine does differently (kg.store.engines)."
    )
    sparql_chunk_triples: int = Field(
        default=100_000,
        ge=1_000,
        description=(
            "Triples per Graph Store Protocol request when a large graph is published (a PUT, then POSTs):"
            " one request of millions of triples can stall a store (Virtuoso 7.2 at 1.7 M)."
        ),
    )
    sparql_refresh_seconds: float = Field(
        default=5.0, gt=0, description="How often the server re-reads the remote store's dataset version (ETags)."
    )

    @field_validator("store", "ontology_dir", "shapes_dir", "data_dir", mode="after")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """Relative to the current directory now; symbolic links kept (the store is a link to its build)."""
        return Path(os.path.abspath(value))

    @field_validator("write_token", mode="before")
    @classmethod
    def _empty_token_is_unset(cls, value: object) -> object:
        """`KG_WRITE_TOKEN=` (empty) means no token, so writes stay disabled."""
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("write_token", mode="after")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        """A short token can be guessed by trying: refuse it at start-up rather than serve writes behind it."""
        if value is not None and len(value.get_secret_value().strip()) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"KG_WRITE_TOKEN is too short: use at least {MIN_TOKEN_LENGTH} characters, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(24))'`"
            )
        return value

    @field_validator("service_allowlist", mode="before")
    @classmethod
    def _split_allowlist(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @field_validator("sparql_query_url", "sparql_update_url", "sparql_gsp_url", mode="after")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        """Only http(s) endpoints with a host: a `file:` or `gopher:` URL would let settings read anything."""
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) URL with a host")
        return value.strip()

    @model_validator(mode="after")
    def _package_data_is_read_only(self) -> Settings:
        """Outside a checkout the default data/ is the package's own copy (in site-packages, or the checkout of an
        editable install): accepted writes go to the store only, unless KG_DATA_DIR or KG_WRITE_DATA_FILES is set."""
        if not ({"data_dir", "write_data_files"} & self.model_fields_set or is_checkout(Path.cwd())):
            self.write_data_files = False
        return self

    @model_validator(mode="after")
    def _backend_complete(self) -> Settings:
        """`KG_BACKEND=sparql` without a query endpoint cannot serve anything: refuse it at start-up."""
        if self.backend == "sparql" and self.sparql_query_url is None:
            raise ValueError("KG_BACKEND=sparql needs KG_SPARQL_QUERY_URL (the store's SPARQL query endpoint)")
        return self


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, built once from the environment."""
    return Settings()
