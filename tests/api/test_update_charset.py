"""SPARQL Update bodies are UTF-8 only, as the protocol says: another charset is a 415 and nothing is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from kg.config import Settings
from kg.store.pool import QueryPool
from tests.api.conftest import WRITE_TOKEN

INSERT = 'INSERT DATA { GRAPH <https://w3id.org/territoires-industrie/id/source/x> { <a:b> <a:c> "Ardèche" } }'


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/sparql-update; charset=UTF-16", INSERT.encode("utf-16")),
        ("application/sparql-update; charset=ISO-8859-1", INSERT.encode("iso-8859-1")),
        ("application/x-www-form-urlencoded; charset=ISO-8859-1", b"update=INSERT+DATA+%7B%7D"),
    ],
)
def test_an_update_in_another_charset_is_415(
    store_copy: tuple[Path, Path], api_settings: Settings, pool: QueryPool, content_type: str, body: bytes
) -> None:
    store, data = store_copy
    settings = api_settings.model_copy(update={"store": store, "data_dir": data})
    settings = settings.model_copy(update={"write_token": Settings(write_token=WRITE_TOKEN).write_token})
    link = os.readlink(store)
    with TestClient(create_app(settings, pool)) as client:
        r = client.post(
            "/update",
            content=body,
            headers={"Content-Type": content_type, "Authorization": f"Bearer {WRITE_TOKEN}"},
        )
    assert r.status_code == 415, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert "UTF-8 only" in r.json()["detail"]
    assert os.readlink(store) == link  # nothing was written
