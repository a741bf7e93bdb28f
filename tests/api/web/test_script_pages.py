"""The pages that hand data to a script, in-process: /sparql for browsers and its examples, the vendored files.

Fast checks of status, content type and what each page carries; tests/api/test_ui_*.py drive them in Chromium.
"""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from api.web.filters import href
from api.web.service_page import canned_examples, page_links, short_description
from api.web.static import STATIC_DIR
from kg import queries
from kg.sources.namespaces import PREFIXES
from tests.api.conftest import config_of

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# --- /sparql -------------------------------------------------------------------------------------------------


def test_sparql_page_for_browsers_carries_yasgui_prefixes_and_every_canned_query(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": BROWSER})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script src="/static/vendor/yasgui/yasgui.min.js" defer>' in r.text
    assert '<link rel="stylesheet" href="/static/vendor/yasgui/yasgui.min.css">' in r.text
    config = config_of(r.text, "kg-sparql-config")
    assert config["endpoint"] == "http://testserver/sparql"
    assert config["prefixes"] == PREFIXES
    for name, iri in PREFIXES.items():
        assert f"PREFIX {name}: <{iri}>" in str(config["query"])
    examples = config["examples"]
    assert isinstance(examples, list)
    assert [e["name"] for e in examples] == queries.names()
    for name in queries.names():
        assert f'data-example="{name}"' in r.text
    assert config["links"] == page_links()
    # the dataset summary and the limits stay on the page, and a form works without JavaScript
    assert "union de tous les graphes nommés" in r.text and "<noscript>" in r.text
    assert "Read-only: SPARQL Update is refused (403)" in unescape(r.text)


def test_each_example_says_what_it_does_in_visible_text(client: TestClient) -> None:
    """The description is not hidden in a tooltip: a short visible text the button points at, the whole one in the
    query's comments."""
    html = client.get("/sparql", headers={"Accept": BROWSER}).text
    examples = {e["name"]: e for e in config_of(html, "kg-sparql-config")["examples"]}  # type: ignore[union-attr]
    for name, e in examples.items():
        short = short_description(e["description"])
        assert 0 < len(short) <= 140
        # French first: the query's French title on its button, its French description beside it
        assert f'data-example="{name}" aria-describedby="example-{name}">{escape(e["title"])}</button>' in html
        assert f'<span id="example-{name}">{escape(short)}</span></li>' in html
        assert " ".join(line[2:] for line in e["query"].splitlines()[1:] if line.startswith("# ")).startswith(
            e["description"][:60]
        )
    assert "title=" not in html.split('<ul class="examples">', 1)[1].split("</ul>", 1)[0]


def test_short_descriptions() -> None:
    assert short_description("Funding flows summed per group (scheme). Exact amounts add.") == (
        "Funding flows summed per group (scheme)."
    )
    cut = short_description("word " * 60)
    assert cut.endswith("word…") and len(cut) <= 140


def test_page_links_are_those_of_rendering_href() -> None:
    links = page_links()
    assert links["idPage"] + "territory/x" == href(links["id"] + "territory/x")
    assert links["ontologyPage"] == href(links["ontology"])
    assert links["resource"] + "urn%3Ax" == href("urn:x")


def test_void_page_statistics_table_has_a_caption(client: TestClient) -> None:
    html = client.get("/.well-known/void", headers={"Accept": BROWSER}).text
    statistics = html.split("<h2>Statistiques</h2>", 1)[1]
    assert statistics.lstrip().startswith("<table>\n<caption>")


def test_rdf_clients_still_get_the_service_description(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in r.text or "ns/sparql-service-description#Service" in r.text


def test_canned_examples_run_as_they_are(client: TestClient) -> None:
    """Each example is the .rq file with its required parameters set to their examples: the endpoint answers it."""
    for example in canned_examples():
        q = queries.get(example["name"])
        assert example["query"].startswith(f"# {q.title}\n") and "#+" not in example["query"]
        for p in q.params:
            if p.required:
                assert f"<{p.example}>" in example["query"] or f'"{p.example}"' in example["query"], p.name
        r = client.post(
            "/sparql", data={"query": example["query"]}, headers={"Accept": "application/sparql-results+json"}
        )
        assert r.status_code == 200, (example["name"], r.text)


def test_json_for_scripts_cannot_close_its_element() -> None:
    from api.web.templating import environment

    macros = environment().get_template("macros.html").module
    html = str(macros.json_data("x", {"q": "</script><script>alert(1)</script> & <b>"}))  # type: ignore[attr-defined]
    assert html.count("</script>") == 1
    assert json.loads(html[html.index(">") + 1 : html.rindex("<")]) == {"q": "</script><script>alert(1)</script> & <b>"}


# --- the vendored front-end ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/vendor/yasgui/yasgui.min.js", "text/javascript"),
        ("/static/vendor/yasgui/yasgui.min.css", "text/css"),
        ("/static/vendor/cytoscape/cytoscape.min.js", "text/javascript"),
        ("/static/site/sparql.js", "text/javascript"),
        ("/static/site/network.js", "text/javascript"),
        ("/static/site/funding.js", "text/javascript"),
        ("/static/site/interactive.css", "text/css"),
    ],
)
def test_vendored_and_site_files_are_served(client: TestClient, path: str, media_type: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] in (media_type, "application/javascript")


@pytest.mark.parametrize("package", ["yasgui", "cytoscape"])
def test_each_vendored_package_has_its_licence_and_version(package: str) -> None:
    folder = STATIC_DIR / "vendor" / package
    assert "Permission is hereby granted" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "from the npm registry" in (folder / "VERSION").read_text(encoding="utf-8")
    for script in folder.glob("*.js"):
        assert "sourceMappingURL" not in script.read_text(encoding="utf-8")[-300:], "no .map is vendored"


def test_yasgui_bundle_licences_and_no_stylesheet_fetches() -> None:
    third_party = (STATIC_DIR / "vendor" / "yasgui" / "THIRD-PARTY-LICENSES.txt").read_text(encoding="utf-8")
    for bundled in ("codemirror", "jquery", "datatables.net", "dompurify", "@zazuko/yasqe", "@zazuko/yasr"):
        assert f"\n{bundled} " in third_party, bundled
    css = (STATIC_DIR / "vendor" / "yasgui" / "yasgui.min.css").read_text(encoding="utf-8")
    assert "@import" not in css and not re.search(r"url\(\s*['\"]?(https?:)?//", css), "no font or image from the web"
