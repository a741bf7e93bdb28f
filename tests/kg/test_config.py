"""Settings: folders relative to the current directory (as the README says), and no guessable write token."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from kg.config import PROJECT_ROOT, Settings, bundled_dir, is_checkout


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("KG_STORE", "KG_ONTOLOGY_DIR", "KG_SHAPES_DIR", "KG_DATA_DIR", "KG_WRITE_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_folders_follow_the_current_directory_not_the_package(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Another checkout of the project (or any folder) uses its own data/, never this package's."""
    other = tmp_path / "other-checkout"
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "territoires-industrie-kg"\n')
    clean_env.chdir(other)
    s = Settings()
    assert (s.ontology_dir, s.shapes_dir, s.data_dir) == (other / "ontology", other / "shapes", other / "data")
    assert s.store == other / "var" / "store"


def test_outside_a_checkout_the_store_goes_to_the_user_data_dir(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "something-else"\n')  # not this project
    clean_env.chdir(tmp_path)
    s = Settings()
    assert s.data_dir == bundled_dir("data")  # the packaged copy, not a folder of the working directory
    assert s.store.name == "store" and tmp_path not in s.store.parents


def test_relative_settings_are_made_absolute_once(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.chdir(tmp_path)
    clean_env.setenv("KG_DATA_DIR", "mine/data")
    s = Settings(store=Path("var/../st"))
    assert s.data_dir == tmp_path / "mine" / "data"
    assert s.store == tmp_path / "st"


def test_the_checkout_is_recognised() -> None:
    assert is_checkout(PROJECT_ROOT)
    assert not is_checkout(PROJECT_ROOT / "kg")


@pytest.mark.parametrize("token", ["s3cret", "x" * 15, "  short-token   "])
def test_a_short_write_token_is_refused_without_being_shown(clean_env: pytest.MonkeyPatch, token: str) -> None:
    clean_env.setenv("KG_WRITE_TOKEN", token)
    with pytest.raises(ValidationError) as caught:
        Settings()
    message = str(caught.value)
    assert "KG_WRITE_TOKEN is too short: use at least 16 characters" in message
    assert token.strip() not in message


def test_a_long_token_is_kept_and_an_empty_one_means_writes_disabled(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KG_WRITE_TOKEN", "a-token-of-24-characters")
    token = Settings().write_token
    assert token is not None and token.get_secret_value() == "a-token-of-24-characters"
    clean_env.setenv("KG_WRITE_TOKEN", "")
    assert Settings().write_token is None
