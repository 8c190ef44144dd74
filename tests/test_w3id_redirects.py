"""The w3id.org redirect rules (deploy/w3id/.htaccess, issue 19, item 9): every family of IRIs the
project mints (sherloc_kg/iris.py, the ontology, the shapes, the dataset, the endpoint) has a rule,
each rule sends it to the configured deployment at a path a route of the application answers, with
the status a client expects (303 for things, 302 for documents, 307 for the endpoint) and the
request target kept as sent (escapes, query).

The rules are read and applied here the way Apache's mod_rewrite applies them in a per-directory
``.htaccess`` (only the directives and flags the file uses; an unknown one fails the test), so no
Apache and no network is needed. Where Apache httpd is installed, the last test serves the file with
it on loopback and checks that it answers every case as this model does (it taught the model two
things: a back-reference that brings a ``?`` is refused 403, AH10508, and an encoded slash is a 404)."""

from __future__ import annotations

import inspect
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import pytest
from starlette.routing import Match

from sherloc_kg.api.app import create_app
from sherloc_kg.api.dataset import DUMP_PATH
from sherloc_kg.api.dcat import GRAPH_DUMPS
from sherloc_kg.config import DEFAULT_BASE, Settings
from sherloc_kg.iris import GRAPHS, Iris
from sherloc_kg.namespaces import ONTOLOGY_IRI

from .backends import missing
from .servers import free_port

HTACCESS = Path(__file__).resolve().parent.parent / "deploy" / "w3id" / ".htaccess"
FOLDER = "/sherloc/"                     # the folder of perma-id/w3id.org the file goes in
assert DEFAULT_BASE == "https://w3id.org" + FOLDER
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


# -- a small mod_rewrite ---------------------------------------------------------------------------

@dataclass
class Condition:
    test: str
    pattern: re.Pattern[str]


@dataclass
class Rule:
    line: int
    pattern: re.Pattern[str]
    substitution: str
    flags: dict[str, str]
    conditions: list[Condition] = field(default_factory=list)


def _flags(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    assert text.startswith("[") and text.endswith("]"), text
    flags = dict(f.partition("=")[::2] for f in text[1:-1].split(","))
    assert set(flags) <= {"R", "L", "NE", "E"}, f"a flag this test does not apply: {text}"
    return flags


def read_rules(text: str) -> list[Rule]:
    rules: list[Rule] = []
    pending: list[Condition] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        directive, _, rest = line.partition(" ")
        if directive == "RewriteCond":
            test, pattern, *flags = rest.split()
            assert not flags, f"line {number}: condition flags are not applied here"
            pending.append(Condition(test, re.compile(pattern)))
        elif directive == "RewriteRule":
            pattern, substitution, *flags = rest.split()
            assert len(flags) <= 1, f"line {number}"
            rules.append(Rule(number, re.compile(pattern), substitution, _flags(flags[0] if flags else None), pending))
            pending = []
        else:
            assert directive in ("Options", "Header", "RewriteEngine"), f"line {number}: {directive}"
            if directive == "RewriteEngine":
                assert rest.lower() == "on"
    assert not pending, "a RewriteCond with no rule after it"
    return rules


@dataclass
class Redirect:
    status: int
    location: str
    rule: int


def resolve(rules: list[Rule], target: str, accept: str = "*/*", method: str = "GET") -> Redirect | None:
    """What w3id.org answers to ``method https://w3id.org/sherloc/{target}`` (target: path below the
    folder and query, as sent): the redirect, or None when no rule applies (a 404 there)."""
    if "%2f" in target.partition("?")[0].lower():
        return None                                     # AllowEncodedSlashes Off: 404 before any rule
    path = unquote(target.partition("?")[0])          # mod_rewrite matches the decoded path
    server = {"HTTP_ACCEPT": accept, "THE_REQUEST": f"{method} {FOLDER}{target} HTTP/1.1"}
    env: dict[str, str] = {}

    def expand(text: str, rule_match: re.Match[str], cond_match: re.Match[str] | None) -> str:
        """One pass, as Apache does: what a back-reference brings in (``%20`` in %1) is not expanded again."""
        def one(m: re.Match[str]) -> str:
            if m["env"]:
                return env.get(m["env"], "")
            if m["var"]:
                return server[m["var"]]
            if m["rule"]:
                return rule_match[int(m["rule"])] or ""
            return (cond_match[int(m["cond"])] or "") if cond_match else ""
        return re.sub(r"%\{ENV:(?P<env>\w+)\}|%\{(?P<var>\w+)\}|\$(?P<rule>\d)|%(?P<cond>\d)", one, text)

    for rule in rules:
        matched = rule.pattern.search(path)
        if not matched:
            continue
        last: re.Match[str] | None = None
        for condition in rule.conditions:
            last = condition.pattern.search(expand(condition.test, matched, last))
            if not last:
                break
        else:
            if rule.substitution == "-":
                name, _, value = rule.flags["E"].partition(":")
                env[name] = value
                continue
            assert "L" in rule.flags and "R" in rule.flags, f"line {rule.line}: a redirect that is not the last rule"
            location = expand(rule.substitution, matched, last)
            query = target.partition("?")[2]
            if "?" in location:
                raise AssertionError(f"line {rule.line}: a '?' in a substitution is refused by Apache 2.4.60+ "
                                     "(AH10508, UnsafeAllow3F); let it append the query")
            if query:                                   # Apache appends the query string as sent
                location += "?" + query
            if "NE" not in rule.flags:
                assert "%" not in location, f"line {rule.line}: would be escaped again"
            return Redirect(int(rule.flags["R"]), location, rule.line)
    return None


# -- fixtures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return read_rules(HTACCESS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site(rules: list[Rule]) -> str:
    """The deployment the rules send to (the one line to change)."""
    defined = [r.flags["E"] for r in rules if r.substitution == "-"]
    assert len(defined) == 1 and defined[0].startswith("SHERLOC_SITE:")
    site = defined[0].partition(":")[2]
    assert urlsplit(site).scheme == "https" and not site.endswith("/"), site
    return site


@pytest.fixture(scope="module")
def app(settings: Settings):
    """The application (in memory: only its routes are asked)."""
    return create_app(settings)


def served(app, path: str, method: str = "GET") -> bool:
    """Whether a route of the application answers ``method path`` (not the 404 fallback)."""
    scope = {"type": "http", "path": unquote(path), "method": method, "root_path": "", "headers": []}
    return any(route.matches(scope)[0] is Match.FULL for route in app.routes)


# -- the IRIs the project mints --------------------------------------------------------------------

IRIS = Iris()
#: One IRI of every kind sherloc_kg.iris.Iris mints, by method (test_every_minting_method_is_here
#: keeps the list complete); ids with escapes on purpose.
MINTED = {
    "instrument": IRIS.instrument("untoc"),
    "provision": IRIS.provision("untoc/art/5/1/a"),
    "country": IRIS.country("BRA"),
    "jurisdiction": IRIS.jurisdiction("ECHR"),
    "court": IRIS.court("BRA", "Supremo Tribunal Federal"),
    "case": IRIS.case("X 1 <b>?"),
    "legislation": IRIS.legislation("LUX", "eli-etat-leg-loi-1999-05-31-n6-jo"),
    "national_provision": IRIS.national_provision("LUX", "eli-etat-leg-loi-1999-05-31-n6-jo", "art_10"),
    "national_provision_ref": IRIS.national_provision_ref("BRA:lei-13344#1", "BRA"),
    "law_subdivision": IRIS.law_subdivision("CAN", "C-46", "279.01", "1", "a"),
    "expression": Iris.expression(IRIS.law_subdivision("CAN", "C-46", "279.01", "1"), "fr"),
    "participation": IRIS.participation("tip", "BRA"),
    "treaty": IRIS.treaty("XAA-XAB-mla-2010"),
    "strategy": IRIS.strategy("XAA-strategy-tip-2022"),
    "publication": IRIS.publication("XAA-example-publication-tip-2023"),
    "authority": IRIS.authority("XAA-central-authority-mla"),
    "guide": IRIS.guide("XAA-example-guide-untoc-art-5"),
    "review": IRIS.review("XAA-review-tip-art-5"),
    "source": IRIS.source("df0545ac641d25eec6babb1e3dd7fc759a5339ce6c2dd2d1e938dd4f7b5c73b6"),
    "activity": IRIS.activity("20261206T220423-683b560e"),
    "part": Iris.part(IRIS.case("BRA001"), "defendant", 1),
    "scheme": IRIS.scheme("tip-means"),
    "concept": IRIS.concept("tip-means", "fraud"),
    "m49_area": IRIS.m49_area("002"),
    "graph": IRIS.graph("cases"),
    "state_graph": IRIS.state_graph("review-restricted", "XAA"),
    "version_logs_root": IRIS.version_logs_root(),
    "feed": IRIS.feed(),
    "event_stream": IRIS.event_stream(),
    "feed_page": IRIS.feed_page("2026-12-07T10:15:02.000042Z"),
    "version": IRIS.version("2026-12-07T10:15:02.000042Z"),
}
#: IRIs under the base minted outside Iris: the ontology and its terms, the shapes, the dataset
#: and its dumps (api/dataset.py, api/dcat.py: the whole one, a public graph's N-Quads and Turtle),
#: the JSON-LD context, the base itself.
OTHERS = [ONTOLOGY_IRI, ONTOLOGY_IRI + "#CourtCase", DEFAULT_BASE + "shapes", DEFAULT_BASE + "shapes/cases",
          DEFAULT_BASE + "dataset", DEFAULT_BASE + DUMP_PATH, DEFAULT_BASE + GRAPH_DUMPS + "cases.nq",
          DEFAULT_BASE + GRAPH_DUMPS + "review.ttl", DEFAULT_BASE + "context.jsonld", DEFAULT_BASE]


def test_every_minting_method_is_here() -> None:
    minting = {name for name, member in inspect.getmembers(Iris, inspect.isfunction)
               if not name.startswith("_") and inspect.signature(member).return_annotation == "URIRef"
               and name not in ("at",)}     # at: the IRI a path names, any path
    assert minting == set(MINTED)


def _target(iri: str) -> str:
    """The request target below the folder for an IRI (fragment not sent)."""
    assert iri.startswith(DEFAULT_BASE), iri
    return iri[len(DEFAULT_BASE):].partition("#")[0]


@pytest.mark.parametrize("iri", [*MINTED.values(), *[IRIS.graph(name) for name in GRAPHS], *OTHERS], ids=str)
def test_every_iri_redirects_to_a_route_of_the_deployment(rules: list[Rule], site: str, app, iri: str) -> None:
    target = _target(str(iri))
    for accept in ("*/*", "text/turtle", BROWSER, 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'):
        found = resolve(rules, target, accept)
        assert found is not None, f"no rule for {iri}"
        assert found.location.startswith(site + "/"), found
        path = found.location[len(site):]
        assert served(app, path.partition("?")[0]), f"{iri} -> {path}: no route of the application"
        if target.startswith(("id/", "vocab/", "graph/")) or target in ("dataset", "ontology"):
            assert found.status == 303, (iri, found)       # a thing: See Other, the document describes it
        else:
            assert found.status == 302, (iri, found)
        if target != "ontology":                           # the same path, escapes as sent
            assert path == "/" + target, (iri, path)


def test_the_request_target_is_kept_as_sent(rules: list[Rule], site: str) -> None:
    for target in ("id/case/X%201%20%3Cb%3E%3F", "id/case/A%3FB?page=2", "id/country/BRA?page=2", "vocab/crime-type/trafficking-in-persons.nt?page=3",
                   "id/legislation/CAN/C-46/sec/279.01/1/a.jsonld", "graph/review-restricted/XAA"):
        found = resolve(rules, target)
        assert found is not None and found.location == f"{site}/{target}", (target, found)


def test_the_ontology_by_accept(rules: list[Rule], site: str, app) -> None:
    expanded = 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"'
    for accept, document in [(BROWSER, "/ontology.html"), ("text/turtle", "/ontology.ttl"),
                             ("application/ld+json", "/ontology.jsonld"), (expanded, "/ontology.jsonld"),
                             (expanded + ", text/turtle;q=0.5", "/ontology.jsonld"),
                             ("application/rdf+xml", "/ontology.rdf"), ("application/n-triples", "/ontology.nt"),
                             # anything else: the deployment negotiates (q values, ranges)
                             ("*/*", "/ontology"), ("text/turtle;q=0.2, application/rdf+xml", "/ontology"),
                             ("text/*", "/ontology"), ("application/ld+json;q=0.5, text/turtle", "/ontology")]:
        found = resolve(rules, "ontology", accept)
        assert found is not None and (found.status, found.location) == (303, site + document), (accept, found)
        assert served(app, document)
    found = resolve(rules, "ontology.ttl", "application/rdf+xml")   # a suffix wins, as on the deployment
    assert found is not None and (found.status, found.location) == (302, site + "/ontology.ttl")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_endpoint_keeps_the_method(rules: list[Rule], site: str, app, method: str) -> None:
    for target in ("sparql", "sparql?query=ASK%20%7B%7D"):
        found = resolve(rules, target, "application/sparql-results+json", method)
        assert found is not None and found.status == 307 and found.location == f"{site}/{target}"
        assert served(app, "/sparql", method)


def test_what_is_not_minted_is_not_redirected(rules: list[Rule]) -> None:
    for target in ("explore/countries/BRA", "api/search", "admin", "id", "id/", "ontologyx", "shapes/../admin",
                   "dataset/dump/../admin.ttl", "dataset/dump/cases.json"):
        assert resolve(rules, target) is None, target
    # the limit deploy/w3id/README.md states: an encoded slash is a 404 on w3id.org, whatever the rules
    assert resolve(rules, IRIS.case("X/1")[len(DEFAULT_BASE):]) is None


def test_every_rule_is_used(rules: list[Rule]) -> None:
    """No rule in the file that none of the IRIs above reaches (a rule this test does not check)."""
    used = set()
    for iri in [*MINTED.values(), *OTHERS]:
        for accept in ("*/*", "text/turtle", BROWSER, "application/ld+json", "application/rdf+xml",
                       "application/n-triples"):
            found = resolve(rules, _target(str(iri)), accept)
            assert found is not None
            used.add(found.rule)
            found = resolve(rules, _target(str(iri)) + ".ttl", accept)
            if found:
                used.add(found.rule)
    used.add(resolve(rules, "sparql").rule)  # type: ignore[union-attr]
    assert used == {r.line for r in rules if r.substitution != "-"}


def test_the_readme_says_how_to_register_and_move(site: str) -> None:
    readme = (HTACCESS.parent / "README.md").read_text(encoding="utf-8")
    assert "perma-id/w3id.org" in readme and "pull request" in readme.lower()
    assert "SHERLOC_SITE" in readme and site in readme



# -- the same cases on a real Apache, where one is installed ------------------------------------------

def _modules() -> Path | None:
    for directory in ("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules", "/usr/lib/httpd/modules",
                      "/usr/libexec/apache2"):
        if (Path(directory) / "mod_rewrite.so").is_file():
            return Path(directory)
    return None


@pytest.fixture(scope="module")
def apache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Apache httpd serving deploy/w3id/.htaccess as w3id.org does (folder sherloc/, AllowOverride All),
    on a free loopback port; where no Apache is installed, skipped on a developer's machine and a
    failure in CI (``.ci/run`` installs Debian's apache2-bin)."""
    binary = shutil.which("apache2") or shutil.which("httpd")
    modules = _modules()
    if binary is None or modules is None:
        missing("no Apache httpd with mod_rewrite here (Debian: apt-get install apache2-bin)")
    home = tmp_path_factory.mktemp("w3id")
    (home / "root" / "sherloc").mkdir(parents=True)
    shutil.copy(HTACCESS, home / "root" / "sherloc" / ".htaccess")
    port = free_port()
    loads = "\n".join(f"LoadModule {name}_module {modules}/mod_{name}.so"
                      for name in ("mpm_event", "authz_core", "rewrite", "headers")
                      if (modules / f"mod_{name}.so").is_file())
    (home / "httpd.conf").write_text(f"""ServerRoot {home}
PidFile {home}/httpd.pid
Listen 127.0.0.1:{port}
ServerName localhost
{loads}
ErrorLog {home}/error.log
DocumentRoot {home}/root
<Directory {home}/root>
  AllowOverride All
  Require all granted
</Directory>
""")
    process = subprocess.Popen([binary, "-f", str(home / "httpd.conf"), "-DFOREGROUND"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/sherloc/"
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("Apache did not start: " + (home / "error.log").read_text(errors="replace"))
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_apache_does_what_this_model_says(rules: list[Rule], apache: str) -> None:
    cases = [(_target(str(iri)), accept, "GET") for iri in [*MINTED.values(), *OTHERS]
             for accept in ("*/*", BROWSER, "text/turtle", 'application/ld+json; profile="http://www.w3.org/ns/json-ld#expanded"',
                            "application/rdf+xml", "application/n-triples", "text/turtle;q=0.2, application/rdf+xml")]
    cases += [(target, "*/*", method) for method in ("GET", "POST")
              for target in ("sparql", "sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D", "id/country/BRA?page=2",
                             "id/case/A%3FB?page=2", "id/case/X%2F1", "explore/countries/BRA", "ontology.ttl", "shapes.nt")]
    client = httpx.Client(timeout=10)
    for target, accept, method in cases:
        response = client.request(method, apache + target, headers={"Accept": accept})
        expected = resolve(rules, target, accept, method)
        if expected is None:
            assert response.status_code == 404, (target, accept, response.status_code)
        else:
            assert (response.status_code, response.headers["location"]) == (expected.status, expected.location), \
                (target, accept, method)
            assert response.headers["access-control-allow-origin"] == "*"
    client.close()
