"""The installable product (issue 21): the wheel built from this checkout works outside it.

This is the smoke test CI runs on the wheel (.ci/run runs it through ``make test``): the wheel is
built from a copy of the sources, installed into a fresh virtual environment in a temporary folder,
and ``sherloc-kg init`` and ``sherloc-kg serve`` run from another folder, with no SHERLOC_HOME:
the ontology, shapes, queries and bundled data must come from inside the installed package. A page,
a static asset and a SPARQL query are then asked of the server.

No network: the wheel is built without build isolation (setuptools from the test extras) and
installed with ``--no-index --no-deps``; the fresh environment sees the dependencies already
installed here through a ``.pth`` line (a plain path entry: this checkout's editable install is not
activated by it, so ``sherloc_kg`` can only come from the wheel).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from sherloc_kg.cli import cli

from .conftest import REPO
from .servers import free_port

#: What the wheel is built from (nothing else of the checkout is needed).
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "sherloc_kg", "loaders", "api",
           "ontology", "shapes", "sparql", "data")
#: The folders read at run time, each installed inside the package under the same name.
RESOURCES = {"ontology": "sherloc_kg/ontology", "shapes": "sherloc_kg/shapes", "sparql": "sherloc_kg/sparql",
             "data": "sherloc_kg/data", "api/templates": "sherloc_kg/api/templates",
             "api/static": "sherloc_kg/api/static", "api/locale": "sherloc_kg/api/locale"}
#: Articles of UNTOC (41), the Trafficking (20), Smuggling (25) and Firearms (21) Protocols.
ARTICLES = 41 + 20 + 25 + 21


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    elsewhere: Path

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _ignore(_folder: str, names: list[str]) -> set[str]:
    return {n for n in names if n in {"__pycache__", "build"} or n.endswith(".egg-info")}


def _clean_env() -> dict[str, str]:
    """The environment of a user who never set anything up: no SHERLOC_* settings, no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHERLOC_") and k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=_ignore)
        else:
            shutil.copy2(path, source / name)
    wheels = root / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
          str(source), "-w", str(wheels)], cwd=root, env=_clean_env())
    [wheel] = wheels.glob("sherloc_kg-*.whl")
    venv = root / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=root, env=_clean_env())
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
         cwd=root, env=_clean_env())
    # The dependencies: those installed here, as a plain path entry after the venv's own site-packages.
    site = Path(_run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=root, env=_clean_env()).strip())
    (site / "dependencies-of-the-test-run.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return Installed(wheel, venv, elsewhere)


def test_the_wheel_holds_every_resource_file(installed: Installed) -> None:
    """Every file of ontology/, shapes/, sparql/, data/ and the templates, static assets and interface
    catalogs is in the wheel, at its place inside the package: a new file kind in these folders needs
    a glob in pyproject.toml's package-data."""
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for folder, inside in RESOURCES.items():
        files = [p for p in (REPO / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        assert files, folder
        missing = [str(p.relative_to(REPO)) for p in files if f"{inside}/{p.relative_to(REPO / folder)}" not in names]
        assert missing == [], f"not in the wheel: {missing}"


def test_the_wheel_states_its_licence_as_an_spdx_expression(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        [metadata] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
        text = wheel.read(metadata).decode("utf-8")
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())
    assert "License-Expression: Apache-2.0" in text.splitlines()
    assert "License-File: LICENSE" in text.splitlines()


def test_version_is_the_installed_distributions() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and result.output == f"sherloc-kg {version('sherloc-kg')}\n"


@pytest.fixture(scope="module")
def served(installed: Installed) -> Iterator[str]:
    """``sherloc-kg init`` then ``sherloc-kg serve`` of the installed wheel, run from another folder:
    the store goes to ./var/store there (the default)."""
    env = _clean_env()
    home = _run([installed.bin("python"), "-c", "from sherloc_kg.config import Settings; print(Settings.from_env().home)"],
                cwd=installed.elsewhere, env=env).strip()
    assert Path(home).is_relative_to(installed.venv), f"the installed package reads its data from {home}"
    assert _run([installed.bin("sherloc-kg"), "--version"], cwd=installed.elsewhere, env=env) == f"sherloc-kg {version('sherloc-kg')}\n"
    _run([installed.bin("sherloc-kg"), "init"], cwd=installed.elsewhere, env=env, timeout=600)
    assert (installed.elsewhere / "var" / "store").is_dir()
    port = free_port()
    log = (installed.elsewhere / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen([installed.bin("sherloc-kg"), "serve", "--host", "127.0.0.1", "--port", str(port)],
                              cwd=installed.elsewhere, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (installed.elsewhere / "serve.log").read_text(encoding="utf-8")
            try:
                httpx.get(url + "/", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the installed server did not answer in 120 s"
                time.sleep(0.2)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_the_installed_server_serves_a_page_with_the_bundled_instruments(served: str) -> None:
    response = httpx.get(served + "/explore/instruments", timeout=60)
    assert response.status_code == 200, response.text
    assert "Convention against Transnational Organized Crime" in response.text
    # the interface catalogs are read from the installed package (api/locale/)
    french = httpx.get(served + "/explore/instruments", params={"lang": "fr"}, timeout=60)
    assert french.status_code == 200 and "<h1>La Convention et ses Protocoles</h1>" in french.text
    css = httpx.get(served + "/static/explorer.css", timeout=60)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


def test_the_installed_server_answers_sparql_over_the_bundled_data(served: str) -> None:
    query = ("PREFIX sherloc: <https://w3id.org/sherloc/ontology#>\n"
             "SELECT (COUNT(DISTINCT ?article) AS ?n) WHERE { ?article a sherloc:Article }")
    response = httpx.post(served + "/sparql", data={"query": query},
                          headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert response.status_code == 200, response.text
    [row] = response.json()["results"]["bindings"]
    assert int(row["n"]["value"]) == ARTICLES
