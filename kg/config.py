"""One settings object for the whole project, read from `KG_*` environment variables.

Code in `kg` takes explicit arguments; only the CLI (and later the API) builds a `Settings` and passes
its values down, so tests can give their own paths without touching the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, built once from the environment."""
    return Settings()
