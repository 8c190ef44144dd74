"""schemathesis against ``/openapi.json`` (issue 7): every documented operation, with generated
parameters and bodies (valid and invalid ones), over real HTTP against the application over the
examples store (reference graphs, bundled cases, every illustrative example), as the public.

Checked on every answer: no 5xx (``not_a_server_error``), and a 200 or documented error answer
conforms to the schema /openapi.json gives for it (``response_schema_conformance``).

Both valid requests and invalid ones (schemathesis' negative mode: wrong types, values out of
range, unknown enum values) are sent; an operation whose every request is valid (no parameters, or
free strings only) has no invalid run (skipped, saying so).

Bounded: at most :data:`EXAMPLES` examples per operation, derandomized (the same examples every
run), no deadline; some 30 operations, a few minutes at most.

Nothing is excluded. The writing operations (``POST /sparql`` updates, the Graph Store's PUT, POST
and DELETE, ``POST /api/records/{kind}``) are fuzzed as the public, so they are refused (401)
before any body is used: the store is read-only here (it is the session's shared examples store,
checked unchanged at the end). Fuzzing them with an admin token would rewrite the store at random;
their bodies are exercised by tests/test_graph_store_protocol.py, tests/test_w3c_protocol.py and
tests/test_api_loads.py instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from sherloc_kg.api.app import create_app
from sherloc_kg.config import DEFAULT_BASE, Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .conftest import REPO, snapshot
from .servers import serving

EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzzed_url(settings: Settings, explorer_store: EmbeddedStore,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tokens = Path(tmp_path_factory.mktemp("fuzz")) / "tokens.json"  # none: every caller is the public
    before = snapshot(explorer_store)
    with serving(create_app(settings.with_(tokens=tokens), store=explorer_store)) as url:
        yield url
    assert snapshot(explorer_store) == before, "the fuzzing changed the store"


def _constrained(operation: dict) -> bool:
    """Whether an invalid request exists for ``operation``: a body, or a parameter that is required
    and can be left out (not a path segment), or whose schema is more than a free string (a type,
    an enum, a pattern, a bound)."""
    if "requestBody" in operation:
        return True
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        free = schema.get("type") == "string" and not set(schema) & {"enum", "pattern", "maxLength", "minLength", "format"}
        if (parameter.get("required") and parameter.get("in") != "path") or not free:
            return True
    return False


def _cases() -> list:
    """(label, mode) for every documented operation, read from the application's schema (the same
    /openapi.json serves): valid requests for all, invalid ones where an invalid request exists."""
    app = create_app(Settings(store="memory", base=DEFAULT_BASE, home=REPO))
    found = []
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            found.append(pytest.param(label, GenerationMode.POSITIVE, id=f"{label}-valid"))
            if _constrained(operation):
                found.append(pytest.param(label, GenerationMode.NEGATIVE, id=f"{label}-invalid"))
    return found


@pytest.fixture(scope="module")
def api_schema(fuzzed_url: str):
    return schemathesis.openapi.from_url(fuzzed_url + "/openapi.json")


@pytest.mark.parametrize(("label", "mode"), _cases())
def test_no_server_error_and_answers_conform(api_schema, label: str, mode: GenerationMode) -> None:
    operation = api_schema.find_operation_by_label(label)
    assert operation is not None, label
    checks = [not_a_server_error, response_schema_conformance]

    @given(case=operation.as_strategy(mode))
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        case.call_and_validate(checks=checks, timeout=120)

    run()


# /sparql documents no parameters in /openapi.json (the SPARQL 1.1 Protocol defines them), so
# schemathesis sends it none: its query text is fuzzed here, GET and POST, as arbitrary text and as
# valid queries cut and spliced at random.
VALID_QUERIES = [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 5",
    "ASK { ?s a <https://w3id.org/sherloc/ontology#CourtCase> }",
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 3",
    "DESCRIBE <https://w3id.org/sherloc/id/case/BRA001>",
    'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "a+", "i")) }',
    "PREFIX x: <http://x/> SELECT * FROM <https://w3id.org/sherloc/graph/authorities-restricted> WHERE { ?s ?p ?o } LIMIT 1",
]
#: What /sparql may answer: results, or a refusal of the request (never a 5xx: on the in-memory
#: store there is no timeout and no worker to be busy).
SPARQL_STATUSES = {200, 400, 401, 403, 406, 413, 415, 422, 429}


@st.composite
def sparql_texts(draw) -> str:
    if draw(st.booleans()):
        return draw(st.text(max_size=300))
    text = draw(st.sampled_from(VALID_QUERIES))
    cut = draw(st.integers(0, len(text)))
    return text[:cut] + draw(st.text(max_size=20)) + text[draw(st.integers(cut, len(text))):]


@settings(max_examples=4 * EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(text=sparql_texts(), method=st.sampled_from(["GET", "POST-form", "POST-direct"]),
       accept=st.sampled_from(["*/*", "application/sparql-results+json", "text/csv", "text/turtle", "image/png"]))
def test_sparql_query_text_never_answers_5xx(fuzzed_url: str, text: str, method: str, accept: str) -> None:
    headers = {"Accept": accept}
    with httpx.Client(base_url=fuzzed_url, timeout=120) as client:
        if method == "GET":
            answer = client.get("/sparql", params={"query": text}, headers=headers)
        elif method == "POST-form":
            answer = client.post("/sparql", data={"query": text}, headers=headers)
        else:
            answer = client.post("/sparql", content=text.encode("utf-8", "surrogatepass"),
                                 headers={**headers, "Content-Type": "application/sparql-query"})
    assert answer.status_code in SPARQL_STATUSES, (text, answer.status_code, answer.text[:300])
    if answer.status_code >= 400:
        assert answer.json()["message"]
