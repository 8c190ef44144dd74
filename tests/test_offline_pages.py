"""Pages a browser needs that come from our own host and nothing else (issue 18, "complete
offline"): the API documentation (Swagger UI from api/static/vendor/, installed by npm at setup),
the SPARQL editor (YASGUI, likewise) and its JSON twin, the favicon, /sparql opened in a browser,
and error pages for explorer URLs. Over real HTTP (the explorer server of conftest.py); the same
pages in a real browser: tests/test_browser_offline.py."""

from __future__ import annotations

import re
import struct

import httpx
import pytest

from sherloc_kg.api import security
from sherloc_kg.config import Settings
from sherloc_kg.queries import QueryLibrary


@pytest.fixture(scope="module")
def client(explorer: str):
    with httpx.Client(base_url=explorer, timeout=120) as http:
        yield http


def assets(page: str) -> list[str]:
    return re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', page)


def test_the_api_documentation_is_served_from_our_own_files(client: httpx.Client) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    found = assets(response.text)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in found and "/static/swagger-init.js" in found
    for asset in found:  # every script, style and icon from this host, and present
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
    # no inline script; style may be set from script (Swagger UI does), nothing from another host
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert response.headers["content-security-policy"] == security.DOCS_POLICY
    policy = security.DOCS_POLICY
    assert "http" not in policy and "'unsafe-eval'" not in policy
    assert re.search(r"script-src 'self';", policy)
    # FastAPI's CDN pages are gone
    assert client.get("/redoc").status_code == 404


def test_the_favicon_is_an_icon(client: httpx.Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"] == "image/vnd.microsoft.icon"
    reserved, kind, count = struct.unpack("<HHH", response.content[:6])
    assert (reserved, kind) == (0, 1) and count >= 1
    size, offset = struct.unpack("<II", response.content[6 + 8:6 + 16])
    assert response.content[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + size <= len(response.content)


def test_a_browser_opening_the_endpoint_is_sent_to_the_editor(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 303 and response.headers["location"] == "/explore/sparql/editor"
    assert "Accept" in response.headers["vary"]
    # a client asking for RDF still gets the service description
    described = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and "sd:Service" in described.text.replace("<http://www.w3.org/ns/sparql-service-description#Service>", "sd:Service")


def test_the_editor_page_and_its_json_twin_agree(client: httpx.Client, settings: Settings) -> None:
    page = client.get("/explore/sparql/editor")
    assert page.status_code == 200
    assert page.headers["link"] == '</api/sparql/editor>; rel="alternate"; type="application/json"'
    for asset in assets(page.text):
        assert asset.startswith("/") and not asset.startswith("//"), asset
        assert client.get(asset).status_code == 200, asset
    assert "/static/vendor/yasgui/yasgui.min.js" in assets(page.text)
    twin = client.get("/api/sparql/editor")
    assert twin.status_code == 200 and twin.headers["link"] == '</explore/sparql/editor>; rel="alternate"; type="text/html"'
    setup = twin.json()
    assert setup["endpoint"] == str(client.base_url).rstrip("/") + "/sparql"
    assert setup["base"] == settings.base and setup["prefixes"]["sherloc"] == "https://w3id.org/sherloc/ontology#"
    library = QueryLibrary(settings.queries_dir)
    assert [e["name"] for e in setup["examples"]] == library.names()
    for example in setup["examples"]:  # each example is its file, and the page offers it
        assert example["query"] == library.get(example["name"]).text
        assert f'data-name="{example["name"]}"' in page.text
    # the graphs the public may query, listed on the page, and the restricted ones not
    assert setup["graphs"] and all(f"<code>{g}</code>" in page.text for g in setup["graphs"])
    assert not any("-restricted" in g for g in setup["graphs"])
    # the editor's prefix completion reads our list, in prefix.cc's shape
    prefixes = client.get(setup["prefix_list"]).json()
    assert prefixes == setup["prefixes"]


def test_an_explorer_url_with_no_page_is_a_page(client: httpx.Client) -> None:
    response = client.get("/explore/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "<main" in response.text and "There is no page at /explore/no-such-page." in response.text
    assert 'href="/explore/search/cases"' in response.text
    # a method the page does not take
    refused = client.delete("/explore/countries")
    assert refused.status_code == 405 and refused.headers["content-type"].startswith("text/html")
    assert "cannot be used that way" in refused.text and "allow" in refused.headers
    # outside the explorer, the API's JSON as before
    api = client.get("/api/no-such-route")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
