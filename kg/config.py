"""One settings object for the whole project, read from `KG_*` environment variables.

Code in `kg` takes explicit arguments; only the CLI (and later the API) builds a `Settings` and passes
its values down, so tests can give their own paths without touching the environment.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_store() -> Path:
    """Keep the store inside a checkout (./var/store) so it is easy to find and delete; else the user data dir."""
    if (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / "var" / "store"
    return Path(user_data_dir("territoires-industrie-kg")) / "store"


class Settings(BaseSettings):
    """Where the sources are, where the store goes."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    store: Path = Field(default_factory=_default_store, description="Directory of the on-disk Oxigraph store.")
    ontology_dir: Path = Field(default=PROJECT_ROOT / "ontology", description="OWL ontology (Turtle).")
    shapes_dir: Path = Field(default=PROJECT_ROOT / "shapes", description="SHACL shapes (Turtle).")
    data_dir: Path = Field(default=PROJECT_ROOT / "data", description="Instance data (TriG, Turtle…).")

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
        default=2048, ge=256, description="Address-space limit of a validation worker process, MiB (413 beyond)."
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
        description="Also apply accepted writes to the files of data_dir, so the next `kg build` keeps them.",
    )

    @field_validator("service_allowlist", mode="before")
    @classmethod
    def _split_allowlist(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, built once from the environment."""
    return Settings()
