"""The /validate form for people: an example document to start from, and a file to open, beside the text area."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kg.config import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / "api" / "static" / "site" / "example-document.ttl"
STEWARD_DOC = PROJECT_ROOT / "tests" / "fixtures" / "write" / "steward-document.ttl"


def test_the_form_offers_the_example_and_a_file(client: TestClient) -> None:
    page = client.get("/validate").text
    assert 'data-example="/static/site/example-document.ttl"' in page
    assert '<label for="file">Ouvrir un fichier</label>' in page and 'type="file" id="file"' in page
    assert 'href="/static/site/example-document.ttl" download' in page  # without JavaScript too
    assert 'src="/static/site/validate.js"' in page
    served = client.get("/static/site/example-document.ttl")
    assert served.status_code == 200 and served.headers["content-type"].startswith("text/turtle")


def test_the_example_conforms_and_is_the_steward_document(client: TestClient) -> None:
    """The example is the steward fixture with a French comment on top: same statements, and it conforms."""
    text = EXAMPLE.read_text(encoding="utf-8")
    steward = STEWARD_DOC.read_text(encoding="utf-8")
    assert text[text.index("@prefix") :] == steward[steward.index("@prefix") :]
    r = client.post("/validate", content=text.encode(), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200 and r.json()["conforms"] is True, r.text
    form = client.post("/validate", data={"syntax": "text/turtle", "data": text})
    assert form.status_code == 200 and "Non conforme" not in form.text and "Conforme" in form.text
