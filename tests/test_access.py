"""Roles and tokens: tokens exist only as argon2 hashes, revocation is immediate, and each role
sees the graphs it should."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest

from sherloc_kg.access import PUBLIC, Caller, Forbidden, Role, Tokens, Unauthorized, is_restricted_graph, public_graphs
from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris

from .test_cli import EXE


def test_a_token_is_stored_only_as_a_hash(tmp_path) -> None:
    tokens = Tokens(tmp_path / "tokens.json")
    token = tokens.create("editor", name="data desk")
    stored = (tmp_path / "tokens.json").read_text(encoding="utf-8")
    secret = token.split("_", 2)[2]
    assert token not in stored and secret not in stored and "$argon2" in stored
    assert stat.S_IMODE(os.stat(tmp_path / "tokens.json").st_mode) == 0o600
    caller = tokens.caller(token)
    assert caller.role is Role.EDITOR and caller.name == "data desk"


def test_wrong_forged_and_revoked_tokens_are_refused(tmp_path) -> None:
    tokens = Tokens(tmp_path / "tokens.json")
    token = tokens.create("admin")
    token_id = token.split("_")[1]
    forged = f"skg_{token_id}_{'x' * 43}"
    for presented in (forged, "skg_000000000000_abc", "not-a-token", "skg_"):
        with pytest.raises(Unauthorized):
            tokens.caller(presented)
    assert tokens.caller(token).role is Role.ADMIN  # now remembered as verified
    Tokens(tmp_path / "tokens.json").revoke(token_id)  # as `sherloc-kg tokens revoke` would, from another process
    with pytest.raises(Unauthorized):
        tokens.caller(token)
    assert [entry.revoked is not None for entry in tokens.list()] == [True]


def test_headers_and_roles() -> None:
    tokens = Tokens("/nonexistent/tokens.json")
    assert tokens.from_header(None) is PUBLIC
    for header in ("Basic dXNlcjpwYXNz", "Bearer ", "Bearer skg_nope_nope"):
        with pytest.raises(Unauthorized):
            tokens.from_header(header)
    with pytest.raises(UsageError):
        Tokens("/tmp/x.json").create("submitter")  # a submitter acts for one State
    with pytest.raises(UsageError):
        Tokens("/tmp/x.json").create("public")


def test_what_each_role_may_see_and_do() -> None:
    iris = Iris()
    restricted = str(iris.graph("authorities-restricted"))
    assert not PUBLIC.may_see(restricted, iris) and not Caller(Role.EDITOR).may_see(restricted, iris)
    assert Caller(Role.OFFICIAL).may_see(restricted, iris)
    assert Caller(Role.ADMIN).may_see("http://example.org/any-graph", iris)
    assert not Caller(Role.OFFICIAL).may_see("http://example.org/any-graph", iris)
    with pytest.raises(Unauthorized):
        PUBLIC.require(Role.ADMIN)
    with pytest.raises(Forbidden):
        Caller(Role.EDITOR).require(Role.ADMIN)
    Caller(Role.ADMIN).require(Role.ADMIN)


class _Graphs:
    def __init__(self, graphs: list[str]) -> None:
        self._graphs = graphs

    def graphs(self) -> list[str]:
        return self._graphs


def test_an_official_of_a_state_reads_that_states_restricted_graphs_only() -> None:
    iris = Iris()
    g = iris.base + "graph/"
    aurelia = Caller(Role.OFFICIAL, country="XAA")
    assert aurelia.may_see(g + "authorities-restricted", iris)
    assert aurelia.may_see(g + "review-restricted/XAA", iris) and aurelia.may_see(g + "provenance-restricted/XAA", iris)
    for hidden in ("review-restricted/XAB", "provenance-restricted/XAB", "review-restricted", "provenance-restricted"):
        assert not aurelia.may_see(g + hidden, iris), hidden
    assert set(public_graphs(iris)) <= set(aurelia.visible_graphs(iris))
    assert aurelia.with_store(_Graphs([g + "review-restricted/XAB"]), iris) == aurelia  # nothing to add
    # an official of no State: every fixed graph, and every State's graphs the store holds
    store = _Graphs([g + "review", g + "review-restricted/XAA", g + "review-restricted/XAB",
                     g + "provenance-restricted/XAB", "http://example.org/any-graph"])
    everyone = Caller(Role.OFFICIAL).with_store(store, iris)
    assert everyone.state_graphs == (g + "provenance-restricted/XAB", g + "review-restricted/XAA",
                                     g + "review-restricted/XAB")
    assert set(iris.all_graphs()) | set(everyone.state_graphs) == set(everyone.visible_graphs(iris))
    assert not everyone.may_see("http://example.org/any-graph", iris)
    assert not Caller(Role.OFFICIAL).may_see(g + "review-restricted/XAA", iris)  # not told what the store holds
    # the others are not concerned
    for caller in (PUBLIC, Caller(Role.SUBMITTER, country="XAA"), Caller(Role.EDITOR)):
        assert caller.with_store(store, iris).visible_graphs(iris) == public_graphs(iris)
    assert Caller(Role.ADMIN).with_store(store, iris).visible_graphs(iris) is None


def test_per_state_graphs_are_minted_and_recognised_in_one_place() -> None:
    iris = Iris()
    g = iris.base + "graph/"
    assert str(iris.state_graph("review-restricted", "XAA")) == g + "review-restricted/XAA"
    assert str(iris.graph("provenance-restricted/XAB")) == g + "provenance-restricted/XAB"
    assert str(iris.graph("review-restricted/a b")) == g + "review-restricted/a%20b"
    with pytest.raises(UsageError):
        iris.state_graph("review", "XAA")  # the public graph is one graph
    with pytest.raises(UsageError):
        iris.graph("cases/XAA")
    assert is_restricted_graph(iris, g + "review-restricted/XAA") and is_restricted_graph(iris, g + "review-restricted")
    assert not is_restricted_graph(iris, g + "review") and not is_restricted_graph(iris, g + "review/XAA")
    assert iris.state_graphs([g + "review-restricted", g + "review-restricted/XAA", g + "review"]) == \
        [g + "review-restricted/XAA"]
    assert not set(iris.state_graphs([g + "review-restricted/XAA"])) & set(public_graphs(iris))


def test_cli_prints_the_token_alone_on_the_last_line(tmp_path) -> None:
    env = dict(os.environ, SHERLOC_TOKENS=str(tmp_path / "tokens.json"))
    made = subprocess.run([EXE, "tokens", "create", "--role", "official", "--country", "XAA", "--name", "MoJ"],
                          env=env, capture_output=True, text=True, check=True)
    token = made.stdout.strip().splitlines()[-1]
    assert Tokens(tmp_path / "tokens.json").caller(token).country == "XAA"
    listed = subprocess.run([EXE, "tokens", "list"], env=env, capture_output=True, text=True, check=True).stdout
    assert "official" in listed and "XAA" in listed and token not in listed
    token_id = token.split("_")[1]
    subprocess.run([EXE, "tokens", "revoke", token_id], env=env, check=True, capture_output=True)
    with pytest.raises(Unauthorized):
        Tokens(tmp_path / "tokens.json").caller(token)
    unknown = subprocess.run([EXE, "tokens", "revoke", "nope"], env=env, capture_output=True, text=True)
    assert unknown.returncode == 2 and "no token with id 'nope'" in unknown.stderr
