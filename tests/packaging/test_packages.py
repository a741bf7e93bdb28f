"""pyproject.toml lists every folder the wheel must carry: a folder left out is silently missing once installed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from kg.config import BUNDLED, PROJECT_ROOT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
PACKAGE_DIR: dict[str, str] = SETUPTOOLS["package-dir"]
PACKAGES: list[str] = SETUPTOOLS["packages"]
PACKAGE_DATA: dict[str, list[str]] = SETUPTOOLS["package-data"]
ROOTS = {"kg": "kg", "kg_cli": "kg_cli", **PACKAGE_DIR}  # installed name -> folder of the checkout


def _folders(root: str) -> list[Path]:
    top = PROJECT_ROOT / root
    return [top, *sorted(p for p in top.rglob("*") if p.is_dir() and "__pycache__" not in p.parts)]


def _installed_name(name: str, folder: Path) -> str:
    relative = folder.relative_to(PROJECT_ROOT / ROOTS[name])
    return ".".join([name, *relative.parts])


def test_the_web_package_installs_under_a_name_of_its_own() -> None:
    assert PACKAGE_DIR["kg_api"] == "api"
    assert not any(p == "api" or p.startswith("api.") for p in PACKAGES)


def test_the_model_rules_and_data_are_package_data_of_kg() -> None:
    assert {name: PACKAGE_DIR[f"kg.bundled.{name}"] for name in BUNDLED} == {n: n for n in BUNDLED}


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_every_folder_is_a_listed_package(name: str) -> None:
    """Code (with __init__.py) and data folders alike: setuptools copies only the packages it is given."""
    expected = {_installed_name(name, folder) for folder in _folders(ROOTS[name])}
    missing = sorted(expected - set(PACKAGES))
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_no_listed_package_is_a_folder_that_is_gone() -> None:
    existing = {_installed_name(name, f) for name, root in ROOTS.items() for f in _folders(root)}
    assert sorted(set(PACKAGES) - existing) == []


@pytest.mark.parametrize("name", sorted(ROOTS))
def test_every_file_that_is_not_python_is_package_data(name: str) -> None:
    """A template, query, static file or data file whose folder has no matching package-data pattern is left out."""
    left_out = []
    for folder in _folders(ROOTS[name]):
        patterns = PACKAGE_DATA.get(_installed_name(name, folder), [])
        for f in folder.iterdir():
            if f.is_file() and f.suffix not in (".py", ".pyc") and not any(f.match(p) for p in patterns):
                left_out.append(str(f.relative_to(PROJECT_ROOT)))
    assert left_out == [], "add patterns to [tool.setuptools.package-data] in pyproject.toml"


def test_the_licence_is_an_spdx_expression_with_its_files() -> None:
    project = PYPROJECT["project"]
    assert isinstance(project["license"], str) and project["license"].startswith("MIT AND CC-BY-4.0 AND etalab-2.0")
    assert project["license-files"][:2] == ["LICENSE", "LICENSE-DATA"]
    assert "MIT License" in (PROJECT_ROOT / "LICENSE").read_text(encoding="utf-8")
    data = (PROJECT_ROOT / "LICENSE-DATA").read_text(encoding="utf-8")
    assert "Creative Commons Attribution 4.0 International Public License" in data
    assert "Licence Ouverte / Open Licence 2.0" in data
