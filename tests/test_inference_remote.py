"""The inference rules give the same inferred graph on every backend, on data large enough for a
server's query planner to choose other plans than on the bundled cases: a generated set (fictional
States) loaded through the pipeline into the embedded store and into a real ``oxigraph serve`` and
a real Virtuoso 7. On Virtuoso 7.2 a rule with a UNION followed by a property path in one group
inferred nothing at this size (case-concerns-provision, before its UNION became a subquery).
Then loads that change a fifth of the laws and of the cases (the rules run scoped, through each
server's own write path: one request on Oxigraph, staged on Virtuoso) leave every server with the
inferred graph a whole run of the rules gives on the embedded store. The generated cases have crime
types and TIP elements (rules case-concerns-provision-by-crime-type and
case-concerns-definition-by-tip-elements), and editorial implementation claims on generated national
provisions, some changed by the edits, exercise the editorial branches of the other two rules and
the retraction of what a replaced claim stated."""

from __future__ import annotations

import io
from pathlib import Path
from random import Random

import pytest

from sherloc_kg.config import Settings
from sherloc_kg.generate import FILES, STATES_FILE, generate, register_states
from sherloc_kg.inference import Inference
from sherloc_kg.ingest import Ingest
from sherloc_kg.iris import Iris
from sherloc_kg.reference import install_reference
from sherloc_kg.store.embedded import EmbeddedStore

from .test_inference import edits, generated as generated_rows, write
from .backends import empty, oxigraph_settings, remote_backend, virtuoso_settings  # noqa: F401  (fixtures)

KINDS = ("participation", "legislation", "cases")
CLAIMS = "editorial.jsonl"


def claims(laws: list[dict], seed: int, count: int = 400) -> list[dict]:
    """Editorial implementation claims on ``count`` national provisions of ``laws``."""
    random = Random(seed)
    implemented = sorted({p for law in laws for provision in law["provisions"] for p in provision.get("implements", [])})
    nationals = sorted((law["country"], law["id"], provision["number"]) for law in laws for provision in law["provisions"])
    return [{"id": f"claim-{n}", "claim": "implements", "national": f"legislation/{country}/{law}/art/{number}",
             "provision": random.choice(implemented), "reason": "[Synthetic] read in the national text.",
             "editor": "[Synthetic] editor", "date": "2026-12-01"}
            for n, (country, law, number) in enumerate(random.sample(nationals, count))]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(out, triples=60_000, seed=3, settings=Settings(), kinds=KINDS)
    write(out / CLAIMS, claims(generated_rows(out / FILES["legislation"]), seed=3))
    return out


def load(store, settings: Settings, data: Path) -> None:
    install_reference(store, settings, with_examples=True)
    register_states(store, settings, data / STATES_FILE)
    ingest = Ingest(store, settings)
    for kind in KINDS:
        report = ingest.load(kind, [data / FILES[kind]])
        assert report.written and not report.violations, report.issues[:3]
    report = ingest.load("editorial", [data / CLAIMS])
    assert report.written and not report.violations, report.issues[:3]


def inferred(store, settings: Settings) -> set[str]:
    buffer = io.BytesIO()
    store.dump(buffer, media_type="application/n-quads", graphs=[str(Iris(settings.base).graph("inferred"))])
    return set(buffer.getvalue().decode("utf-8").splitlines())


def load_edits(store, settings: Settings, edited: dict[str, Path]) -> None:
    ingest = Ingest(store, settings)
    for kind, path in edited.items():
        report = ingest.load(kind, [path])
        assert report.written and not report.violations, report.issues[:3]


def whole(store, settings: Settings) -> set[str]:
    """The inferred graph once the rules have run whole over ``store`` (embedded)."""
    store.write([], then=Inference(settings, Iris(settings.base)).whole())
    return inferred(store, settings)


@pytest.fixture(scope="module")
def edited(generated: Path) -> dict[str, Path]:
    laws, cases = edits(generated_rows(generated / FILES["legislation"]), generated_rows(generated / FILES["cases"]),
                        seed=3)
    # a fifth of the claims now name another provision (claims on national provisions the edits keep)
    now = {(law["country"], law["id"]): {p["number"] for p in law["provisions"]}
           for law in [*generated_rows(generated / FILES["legislation"]), *laws]}  # the edited laws last
    kept = [c for c in generated_rows(generated / CLAIMS)
            if c["national"].rsplit("/", 1)[1] in now[tuple(c["national"].split("/")[1:3])]]
    changed = [{**c, "provision": "som/art/6/1/a"} for c in Random(3).sample(kept, len(kept) // 5)]
    return {"legislation": write(generated / "legislation.edited.jsonl", laws),
            "cases": write(generated / "cases.edited.jsonl", cases),
            "editorial": write(generated / "editorial.edited.jsonl", changed)}


@pytest.fixture(scope="module")
def expected(generated: Path, edited: dict[str, Path]) -> tuple[set[str], set[str]]:
    """The inferred graph after the loads, and after the edits; each also what a whole run gives."""
    settings = Settings(store="memory")
    store = EmbeddedStore(None)
    try:
        load(store, settings, generated)
        loaded = inferred(store, settings)
        assert whole(store, settings) == loaded
        load_edits(store, settings, edited)
        after = inferred(store, settings)
        assert whole(store, settings) == after and after != loaded
        return loaded, after
    finally:
        store.close()


@pytest.mark.parametrize("remote_backend", ["oxigraph", "virtuoso"], indirect=True)
def test_the_rules_infer_on_a_server_what_they_infer_embedded(remote_backend, generated: Path,  # noqa: F811
                                                              expected: tuple[set[str], set[str]],
                                                              edited: dict[str, Path]) -> None:
    loaded, after = expected
    concerns = [line for line in loaded if "#concernsProvision>" in line]
    assert len(concerns) > 3000  # the rule this guards had thousands of links to infer here
    settings = Settings(store="memory")  # the paths and the base the pipeline reads; not the store
    load(remote_backend, settings, generated)
    got = inferred(remote_backend, settings)
    assert len(got) == len(loaded)
    assert got == loaded
    load_edits(remote_backend, settings, edited)
    assert inferred(remote_backend, settings) == after
