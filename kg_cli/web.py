"""The web package, whichever name it goes by: `kg_api` installed from the wheel, `api` in a checkout.

pyproject.toml installs the repository's `api/` folder as `kg_api` (a bare `api` would clash with other
packages); the tests import the checkout's folder as `api`, and an editable install maps `kg_api` to the same
folder. One process must load only one of them: two copies would have two sets of error classes, settings
caches and app state.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from kg.config import PROJECT_ROOT

INSTALLED = "kg_api"
CHECKOUT = "api"


@cache
def web_package() -> str:
    """`kg_api` if already loaded; else `api` when it is this checkout's folder (the tests, or a checkout on
    `sys.path`, whatever the tests import first); else `kg_api` when installed; else `api`."""
    if INSTALLED in sys.modules:
        return INSTALLED
    spec = importlib.util.find_spec(CHECKOUT)  # a top-level name: found without being imported
    if spec is not None and spec.origin and Path(spec.origin).resolve() == PROJECT_ROOT / CHECKOUT / "__init__.py":
        return CHECKOUT  # another project's `api` never is
    return INSTALLED if importlib.util.find_spec(INSTALLED) is not None else CHECKOUT


def web_module(name: str) -> ModuleType:
    """`<web package>.<name>`, e.g. `web_module("main").create_app`."""
    return importlib.import_module(f"{web_package()}.{name}")
