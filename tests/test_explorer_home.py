"""The explorer's frame and home page, over HTTP on a real server."""

from __future__ import annotations

import re

from .servers import fetch


def test_home_page_shows_what_the_graph_holds_and_the_entry_points(explorer: str) -> None:
    response = fetch(explorer + "/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    cases = re.search(r'<span class="figure">([\d,]+)</span>Case law', page)
    assert cases and int(cases.group(1).replace(",", "")) >= 1164
    for target in ("/explore/instruments/untoc", "/explore/instruments/tip", "/explore/countries",
                   "/explore/sparql?query=", "/explore/search/cases?crime_type=trafficking-in-persons"):
        assert f'href="{target}' in page, target
    assert 'rel="stylesheet" href="/static/explorer.css"' in page


def test_static_stylesheet_is_served_under_the_strict_policy(explorer: str) -> None:
    response = fetch(explorer + "/static/explorer.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    page = fetch(explorer + "/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "<script>" not in page.text and " style=" not in page.text


def test_language_switch_sets_a_cookie_and_returns_to_the_page(explorer: str) -> None:
    response = fetch(explorer + "/explore/language", params={"lang": "nl", "next": "/explore/countries?x=1"})
    assert response.status_code == 303
    assert response.headers["location"] == "/explore/countries?x=1"
    assert "lang=nl" in response.headers["set-cookie"]
    page = fetch(explorer + "/", cookies={"lang": "nl"}).text
    assert '<html lang="nl">' in page
    assert '<html lang="fr">' in fetch(explorer + "/?lang=fr").text
    assert '<html lang="es">' in fetch(explorer + "/", headers={"Accept-Language": "es-ES,en;q=0.5"}).text


def test_language_switch_never_sends_the_browser_to_another_site(explorer: str) -> None:
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = fetch(explorer + "/explore/language", params={"lang": "en", "next": target})
        assert response.headers["location"] == "/", target
    response = fetch(explorer + "/explore/language", params={"lang": "xx", "next": "/"})
    assert "set-cookie" not in response.headers
