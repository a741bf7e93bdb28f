"""/explore/network in-process: the filters' choices, the node categories and the config its script reads.

tests/api/test_ui_explore.py drives the page in Chromium.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from api.web.filters import class_names, type_names
from api.web.service_page import page_links
from kg.sources.labels import Label
from tests.api.conftest import config_of

ID = "https://w3id.org/territoires-industrie/id/"


# --- /explore/network ------------------------------------------------------------------------------------------


def test_network_page_offers_every_territory_and_scheme(client: TestClient) -> None:
    r = client.get("/explore/network")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script src="/static/vendor/cytoscape/cytoscape.min.js" defer>' in r.text
    assert '<script src="/static/site/network.js" defer>' in r.text
    territories = client.get("/queries/territories").json()
    assert len({t["t"] for t in territories}) == 33  # a territory in two régions has a row for each
    for t in territories:
        assert f'<option value="{t["t"]}">' in r.text
    assert f'<option value="{ID}scheme/rebond-industriel">' in r.text
    config = config_of(r.text, "kg-network-config")
    types = config["types"]
    assert isinstance(types, dict)
    assert types["IndustryTerritory"] == "territory" and types["SupportScheme"] == "scheme"
    assert types["Intercommunality"] == "actor" and types["Prefecture"] == "actor" and types["Project"] == "other"
    # each type by its French name, from the ontology's labels: "commune", not "Commune" or "municipality"
    names = config["typeNames"]
    assert isinstance(names, dict)
    assert names["Commune"] == "commune" and names["Intercommunality"] == "intercommunalité (EPCI)"
    assert names["IndustryTerritory"] == "Territoire d'industrie" and "municipality" not in names.values()
    assert set(types) <= set(names)  # every type a node has is named
    assert '<label for="search">' in r.text
    assert '<a href="/explore/network" aria-current=page>' in r.text
    assert config["links"] == page_links()
    # the list of nodes, the keyboard's and screen reader's way through the graph, is open from the start
    assert '<details open>\n<summary>Liste des nœuds affichés</summary>\n<ul id="network-list"' in r.text
    scripts = re.findall(r'<script src="([^"]+)"', r.text)
    assert scripts.index("/static/site/links.js") < scripts.index("/static/site/network.js")


def test_class_names_prefer_french_and_the_projects_own_classes() -> None:
    ti = "https://w3id.org/territoires-industrie/ontology#"
    igeo = "http://rdf.insee.fr/def/geo#"
    rows: list[dict[str, str | None]] = [
        {"class": ti + "Commune", "label": "municipality", "lang": "en"},
        {"class": ti + "Commune", "label": "commune", "lang": "fr"},
        {"class": igeo + "Commune", "label": "Commune (INSEE)", "lang": "fr"},
        {"class": "http://example.org/Thing", "label": "thing", "lang": "en"},
    ]
    names = class_names(rows)
    assert names[ti + "Commune"] == Label("commune", "municipality")
    assert type_names(names) == {"Commune": "commune", "Thing": "thing"}  # ti: wins; English when that is all
