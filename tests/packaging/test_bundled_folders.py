"""Outside a checkout, the folders default to the copies the package ships; settings and checkouts still win."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.config import BUNDLED, PROJECT_ROOT, Settings, bundled_dir
from kg.sources.rdf_io import rdf_files


@pytest.fixture
def elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty working directory that is no checkout, and no KG_* folder setting."""
    for name in ("KG_STORE", "KG_ONTOLOGY_DIR", "KG_SHAPES_DIR", "KG_DATA_DIR", "KG_WRITE_DATA_FILES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_outside_a_checkout_the_folders_are_the_packaged_ones(elsewhere: Path) -> None:
    s = Settings()
    assert (s.ontology_dir, s.shapes_dir, s.data_dir) == tuple(bundled_dir(n) for n in BUNDLED)
    assert all(rdf_files(folder) for folder in (s.ontology_dir, s.shapes_dir, s.data_dir))
    assert elsewhere not in s.store.parents


def test_the_packaged_data_is_not_written_by_default(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data folder inside the installed package is not the user's to change: writes go to the store only."""
    assert Settings().write_data_files is False
    monkeypatch.setenv("KG_WRITE_DATA_FILES", "true")
    assert Settings().write_data_files is True


def test_folders_given_by_settings_win(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_DATA_DIR", "mine")
    monkeypatch.setenv("KG_SHAPES_DIR", str(elsewhere / "rules"))
    s = Settings()
    assert (s.data_dir, s.shapes_dir, s.ontology_dir) == (
        elsewhere / "mine",
        elsewhere / "rules",
        bundled_dir("ontology"),
    )
    assert s.write_data_files is True  # a data folder of one's own is written as before


def test_in_a_checkout_the_folders_are_the_checkout_s(elsewhere: Path) -> None:
    (elsewhere / "pyproject.toml").write_text('[project]\nname = "territoires-industrie-kg"\n')
    s = Settings()
    assert (s.ontology_dir, s.shapes_dir, s.data_dir) == tuple(elsewhere / n for n in BUNDLED)
    assert s.write_data_files is True


def test_kg_imported_from_a_checkout_bundles_the_checkout_s_folders() -> None:
    """An editable install has no kg/bundled/: its copies are the checkout's (the wheel's are tested in test_wheel)."""
    assert [bundled_dir(n) for n in BUNDLED] == [PROJECT_ROOT / n for n in BUNDLED]
    with pytest.raises(ValueError, match="no bundled folder"):
        bundled_dir("tests")
