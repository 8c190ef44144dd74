"""Safe XML (issue 7): every XML reader refuses external entities and entity bombs.

The loaders (Akoma Ntoso acts and judgments, ECLI judgments: loaders/xml_source.py ``parse_xml``)
refuse any entity declaration before reading a document; the Graph Store refuses RDF/XML bodies
with external, parameter or nested entities, or references expanding past a limit (the store's
RDF/XML parser would expand a billion laughs into gigabytes). Nothing is written, and a file an
entity points to never reaches the store."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.errors import SourceError, ValidationFailed
from sherloc_kg.ingest import Ingest
from sherloc_kg.loaders.xml_source import parse_xml
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import NQUADS, snapshot
from .servers import serving

MARKER = "SECRET-MARKER-3c9e1f"
AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"

ACT = f"""<akomaNtoso xmlns="{AKN}"><act><meta><identification source="#x"><FRBRWork>
<FRBRthis value="/akn/xa/act/2020-01-01/3/!main"/><FRBRuri value="/akn/xa/act/2020-01-01/3"/>
<FRBRdate date="2020-01-01" name="Generation"/><FRBRauthor href="#x"/><FRBRcountry value="xa"/></FRBRWork>
</identification></meta><body><article eId="art_1"><num>1</num><heading>&{{name}};</heading>
<content><p>&{{name}};</p></content></article></body></act></akomaNtoso>"""
JUDGMENT = f"""<akomaNtoso xmlns="{AKN}"><judgment><meta><identification source="#x"><FRBRWork>
<FRBRthis value="/akn/xa/judgment/2020-01-01/1/!main"/><FRBRuri value="/akn/xa/judgment/2020-01-01/1"/>
<FRBRdate date="2020-01-01" name="Generation"/><FRBRauthor href="#x"/><FRBRcountry value="xa"/></FRBRWork>
</identification></meta><judgmentBody><p>&{{name}};</p></judgmentBody></judgment></akomaNtoso>"""
ECLI = """<open-rechtspraak><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
xmlns:dcterms="http://purl.org/dc/terms/"><rdf:Description><dcterms:identifier>ECLI:NL:HR:1984:AC8252</dcterms:identifier>
<dcterms:creator>Hoge Raad</dcterms:creator><dcterms:date>1984-01-17</dcterms:date>
<dcterms:title>&{name};</dcterms:title></rdf:Description></rdf:RDF></open-rechtspraak>"""
DOCUMENTS = {"legislation-act": ("legislation", ACT.replace("{{name}}", "{name}")),
             "cases-akn-judgment": ("cases", JUDGMENT.replace("{{name}}", "{name}")),
             "cases-ecli": ("cases", ECLI)}


def xxe(root: str, secret: Path) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'


def laughs(root: str) -> str:
    lines = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n' + "\n".join(lines) + "\n]>\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(MARKER + "\n", encoding="utf-8")
    return path


def dump_text(store: EmbeddedStore) -> str:
    buffer = io.BytesIO()
    store.dump(buffer, media_type=NQUADS)
    return buffer.getvalue().decode("utf-8")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_an_external_entity_is_refused_and_the_file_never_read(store: EmbeddedStore, settings: Settings,
                                                                 tmp_path: Path, secret: Path, name: str) -> None:
    kind, body = DOCUMENTS[name]
    root = "akomaNtoso" if "akn" in name or kind == "legislation" else "open-rechtspraak"
    document = tmp_path / f"{name}.xml"
    document.write_text(xxe(root, secret) + body.format(name="xxe"), encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as refused:
        Ingest(store, settings).load(kind, [document])
    message = str(refused.value)
    assert str(document) in message and "entity 'xxe'" in message and secret.as_uri() in message
    assert MARKER not in message
    assert snapshot(store) == before and MARKER not in dump_text(store)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_billion_laughs_fails_fast_and_writes_nothing(store: EmbeddedStore, settings: Settings,
                                                       tmp_path: Path, name: str) -> None:
    kind, body = DOCUMENTS[name]
    root = "akomaNtoso" if "akn" in name or kind == "legislation" else "open-rechtspraak"
    document = tmp_path / f"{name}.xml"
    document.write_text(laughs(root) + body.format(name="lol9"), encoding="utf-8")
    before = snapshot(store)
    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        Ingest(store, settings).load(kind, [document])
    assert time.monotonic() - started < 5
    message = str(refused.value)
    assert str(document) in message and "entity 'lol0'" in message and "refused" in message
    assert snapshot(store) == before


def test_parse_xml_refuses_quadratic_blowup_and_parameter_entities(tmp_path: Path) -> None:
    big = tmp_path / "quadratic.xml"
    big.write_text(f'<!DOCTYPE a [<!ENTITY big "{"x" * 10000}">]><a>{"&big;" * 10000}</a>', encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(SourceError, match="entity 'big'"):
        parse_xml(big)
    assert time.monotonic() - started < 5
    parameter = tmp_path / "parameter.xml"
    parameter.write_text('<!DOCTYPE a [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><a/>', encoding="utf-8")
    with pytest.raises(SourceError, match="parameter entity 'p'"):
        parse_xml(parameter)
    # a document without entities (a DOCTYPE alone included) is read as before
    plain = tmp_path / "plain.xml"
    plain.write_text('<?xml version="1.0"?><!DOCTYPE a><a>&amp; text</a>', encoding="utf-8")
    assert parse_xml(plain).text == "& text"


def test_the_cli_names_the_file(tmp_path: Path, secret: Path) -> None:
    from .test_cli import sherloc

    document = tmp_path / "act.xml"
    document.write_text(xxe("akomaNtoso", secret) + ACT.replace("{{name}}", "xxe"), encoding="utf-8")
    done = sherloc(tmp_path / "store", "load", "legislation", str(document), check=1)
    assert str(document) in done.stderr and "entity 'xxe'" in done.stderr and MARKER not in done.stdout + done.stderr


# -- the Graph Store's RDF/XML ------------------------------------------------------------------------

RDFXML = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
          '<rdf:Description rdf:about="http://example.org/s"><ex:p>&{name};</ex:p></rdf:Description></rdf:RDF>')


@pytest.fixture(scope="module")
def graph_store(settings: Settings, reference_dump: bytes,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, dict, EmbeddedStore]]:
    store = EmbeddedStore(None)
    store.restore(io.BytesIO(reference_dump), media_type=NQUADS)
    token_file = Path(tmp_path_factory.mktemp("xml")) / "tokens.json"
    admin = {"Authorization": "Bearer " + Tokens(token_file).create("admin")}
    with serving(create_app(settings.with_(tokens=token_file), store=store)) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        yield client, admin, store


def test_graph_store_refuses_rdfxml_entity_attacks(graph_store, secret: Path) -> None:
    client, admin, store = graph_store
    headers = {**admin, "Content-Type": "application/rdf+xml"}
    graph = {"graph": "https://example.org/xml-test"}
    before = snapshot(store)
    bodies = {
        "external": xxe("rdf:RDF", secret) + RDFXML.format(name="xxe"),
        "billion laughs": laughs("rdf:RDF") + RDFXML.format(name="lol9"),
        "quadratic": f'<!DOCTYPE rdf:RDF [<!ENTITY big "{"x" * 10000}">]>' + RDFXML.format(name="big;&" * 199 + "big"),
    }
    for what, body in bodies.items():
        started = time.monotonic()
        response = client.put("/rdf-graph-store", params=graph, content=body.encode("utf-8"), headers=headers)
        assert time.monotonic() - started < 5, what
        assert response.status_code == 400, (what, response.text)
        assert "refused" in response.json()["message"] and MARKER not in response.text, what
    assert snapshot(store) == before and MARKER not in dump_text(store)
    # plain internal entities, as ontology editors write them, still load
    fine = ('<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/">]>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">'
            '<rdf:Description rdf:about="&ex;s"><ex:p>v</ex:p></rdf:Description></rdf:RDF>')
    response = client.put("/rdf-graph-store", params=graph, content=fine.encode("utf-8"), headers=headers)
    assert response.status_code == 201, response.text
    assert client.delete("/rdf-graph-store", params=graph, headers=admin).status_code == 204
