"""A link to a resource whose id holds characters a path must escape (a space, ``#``) leads to it
(issue 23: the explorer linked ``ALB 9#1`` as ``/id/case/ALB 9#1``, a 404: the ``#`` started a
fragment). Every page builds its links through ``Iris.href``, which keeps the escapes. A real
application over HTTP on loopback, on the in-memory store with the reference graphs and one case."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import httpx

from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving

CASE = {"id": "ALB 9#1", "title": "A case whose id holds a space and a hash", "country": "ALB", "year": 2019,
        "crime_types": ["trafficking-in-persons"], "provisions": ["tip/art/5"]}


def test_links_to_a_case_with_escaped_characters_resolve(store: EmbeddedStore, settings: Settings,
                                                         tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text(json.dumps(CASE) + "\n", encoding="utf-8")
    Ingest(store, settings).load("cases", [source])
    expected = Iris(settings.base).href(str(Iris(settings.base).case(CASE["id"])))
    assert expected == "/id/case/ALB%209%231"
    reader = "/explore/cases/ALB%209%231"  # the case's page for readers, escaped as its IRI is
    with serving(create_app(settings, store=store)) as url, httpx.Client(base_url=url, timeout=120) as client:
        pages = ["/explore/search/cases", "/explore/instruments/tip/art/5"]
        for page in pages:
            text = client.get(page).text
            hrefs = {html.unescape(h) for h in re.findall(r'href="([^"]+)"', text)}
            assert reader in hrefs, (page, sorted(h for h in hrefs if "ALB" in h))
        shown = client.get(reader)
        assert shown.status_code == 200 and "A case whose id holds a space and a hash" in shown.text
        assert f'href="{expected}"' in shown.text  # its RDF view, one link away
        answer = client.get(expected, headers={"Accept": "text/turtle"})
        assert answer.status_code == 200 and "A case whose id holds a space and a hash" in answer.text
