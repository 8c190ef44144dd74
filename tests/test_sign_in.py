"""Signing in to the explorer with a token (api/sign_in.py, api/session_cookie.py,
sherloc_kg/sessions.py), over real HTTP: the session cookie's attributes, what a signed-in
official sees that the public does not, CSRF (a forged form or script request is refused, the
right token lets it through), forged sign-ins, wrong tokens, sign-out and revocation ending the
session for good, and expiry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Role, Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.sessions import LIFETIME, Sessions, sessions_path

from .servers import serving

RESTRICTED = "graph/authorities-restricted"


@pytest.fixture(scope="module")
def site(settings: Settings, explorer_store, token_file: Path) -> Iterator[str]:
    with serving(create_app(settings.with_(tokens=token_file), store=explorer_store)) as url:
        yield url


@pytest.fixture(scope="module")
def official(token_file: Path) -> str:
    return Tokens(token_file).create("official", country="XAA", name="Aurelian official")


def sign_in(client: httpx.Client, token: str, next_path: str = "/") -> httpx.Response:
    form = client.get("/explore/sign-in")
    check = re.search(r'name="check" value="([^"]+)"', form.text)[1]
    return client.post("/explore/sign-in", data={"token": token, "next": next_path, "check": check})


def csrf_of(client: httpx.Client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/explore/sign-in").text)[1]


def graphs(client: httpx.Client, **headers: str) -> list[str]:
    return client.get("/api/sparql/editor", headers=headers).json()["graphs"]


def test_an_official_signs_in_sees_more_and_signs_out(site: str, official: str) -> None:
    with httpx.Client(base_url=site, timeout=60) as client:
        assert not any(g.endswith(RESTRICTED) for g in graphs(client))
        answer = sign_in(client, official, next_path="/explore/countries/XAA")
        assert answer.status_code == 303 and answer.headers["location"] == "/explore/countries/XAA"
        cookie = answer.headers["set-cookie"]
        assert "sherloc_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
        assert "Path=/" in cookie and "Max-Age=%d" % LIFETIME.total_seconds() in cookie
        assert "Secure" not in cookie   # plain HTTP here; HTTPS: test_the_cookie_is_secure_over_https
        # the session reads what the token reads: the CNA contact details among the graphs
        assert any(g.endswith(RESTRICTED) for g in graphs(client))
        page = client.get("/explore/sign-in")
        assert "signed in as official" in page.text and "Aurelian official" in page.text and "XAA" in page.text
        assert official not in page.text and official not in str(page.headers)
        old_session = client.cookies["sherloc_session"]
        # sign-out needs the session's CSRF token
        forged = client.post("/explore/sign-out")
        assert forged.status_code == 403 and "CSRF" in forged.text
        assert any(g.endswith(RESTRICTED) for g in graphs(client))
        out = client.post("/explore/sign-out", data={"csrf": csrf_of(client)})
        assert out.status_code == 303 and out.headers["location"] == "/"
        assert 'sherloc_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    # the ended session's cookie, sent again, signs no one in
    with httpx.Client(base_url=site, timeout=60, cookies={"sherloc_session": old_session}) as replay:
        assert not any(g.endswith(RESTRICTED) for g in graphs(replay))
        assert 'name="token"' in replay.get("/explore/sign-in").text


def test_a_request_that_changes_something_needs_the_csrf_token(site: str, official: str) -> None:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{Settings().base}{RESTRICTED}> {{ ?s ?p ?o }} }}"
    with httpx.Client(base_url=site, timeout=60) as client:
        sign_in(client, official)
        accept = {"Accept": "application/sparql-results+json"}
        refused = client.post("/sparql", data={"query": query}, headers=accept)   # as a forged form would
        assert refused.status_code == 403 and "CSRF" in refused.json()["message"]
        wrong = client.post("/sparql", data={"query": query, "csrf": "not-the-token"}, headers=accept)
        assert wrong.status_code == 403
        token = csrf_of(client)
        by_form = client.post("/sparql", data={"query": query, "csrf": token}, headers=accept)
        by_header = client.post("/sparql", data={"query": query}, headers={**accept, "X-CSRF-Token": token})
        for answer in (by_form, by_header):
            assert answer.status_code == 200
            assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 0  # the official's graph
        # a GET changes nothing and needs none
        assert client.get("/sparql", params={"query": query}, headers=accept).status_code == 200


def test_forged_and_wrong_sign_ins_are_refused(site: str, official: str) -> None:
    with httpx.Client(base_url=site, timeout=60) as client:
        # another site's form: no check cookie of this site's page
        forged = client.post("/explore/sign-in", data={"token": official, "next": "/", "check": "guess"})
        assert forged.status_code == 403 and "sherloc_session" not in forged.headers.get("set-cookie", "")
        wrong = sign_in(client, "skg_000000000000_not-a-live-token-at-all")
        assert wrong.status_code == 401 and "not a live SHERLOC-KG token" in wrong.text
        assert "sherloc_session" not in wrong.headers.get("set-cookie", "")
        # next is a path of this site only
        away = sign_in(client, official, next_path="//evil.example/")
        assert away.status_code == 303 and away.headers["location"] == "/"


def test_revoking_the_token_ends_its_sessions(site: str, token_file: Path) -> None:
    tokens = Tokens(token_file)
    token = tokens.create("editor", name="short-lived editor")
    with httpx.Client(base_url=site, timeout=60) as client:
        sign_in(client, token)
        assert "signed in as editor" in client.get("/explore/sign-in").text
        tokens.revoke(next(e.id for e in tokens.list() if e.name == "short-lived editor"))
        assert 'name="token"' in client.get("/explore/sign-in").text


def test_a_session_expires(tmp_path: Path) -> None:
    tokens = Tokens(tmp_path / "tokens.json")
    who = tokens.caller(tokens.create("admin", name="expiring"))
    sessions = Sessions(tokens)
    start = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)
    session_id, session = sessions.start(who, now=start)
    assert sessions_path(tokens.path).is_file() and session_id not in sessions_path(tokens.path).read_bytes().decode("latin-1")
    found = sessions.find(session_id, now=start + LIFETIME - timedelta(seconds=1))
    assert found is not None and found.caller.role is Role.ADMIN and found.csrf == session.csrf
    assert sessions.find(session_id, now=start + LIFETIME) is None
    assert sessions.find("not-a-session", now=start) is None


def test_the_cookie_is_secure_over_https(settings: Settings, explorer_store, token_file: Path, official: str) -> None:
    """Behind a trusted proxy that says the request came over HTTPS, both cookies are Secure."""
    from .test_abuse_tokens import served_as_serve_does

    trusting = settings.with_(trusted_proxies="127.0.0.1", tokens=token_file)
    https = {"X-Forwarded-Proto": "https"}
    with served_as_serve_does(create_app(trusting, store=explorer_store), trusting) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        form = client.get("/explore/sign-in", headers=https)
        assert "Secure" in form.headers["set-cookie"]
        check = re.search(r'name="check" value="([^"]+)"', form.text)[1]
        answer = client.post("/explore/sign-in", data={"token": official, "next": "/", "check": check},
                             headers={**https, "Cookie": f"sherloc_sign_in={check}"})
        assert answer.status_code == 303 and "sherloc_session=" in answer.headers["set-cookie"]
        assert "Secure" in answer.headers["set-cookie"] and "HttpOnly" in answer.headers["set-cookie"]
