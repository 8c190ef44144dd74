"""The explorer's CSV upload of self-assessment answers (issue 8, item 2; api/explorer/review.py,
api/explorer/submission_csv.py), over real HTTP: a submitter of the fictional State Aurelia (XAA)
uploads a CSV and gets the API's validation report as a page; invalid rows are refused with their
row and column named and nothing stored; another State's submitter gets 403, the public 401.

CSRF: without a session the POST is authorized only by the token inside the form (no cookie is
set), so a form on another site, which cannot know the token, cannot forge a submission: the tests
check that a POST without the token is refused and that no response sets a cookie or echoes the
token. A signed-in browser's upload carries the session's CSRF token instead
(tests/test_explorer_questionnaire.py).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import Graph
from rdflib.namespace import RDF, SH

from sherloc_kg.access import Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.api.explorer import submission_csv
from sherloc_kg.config import Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .servers import serving
from .test_review_submissions import snapshot
from .test_search_api import examples_store

BASE = "https://w3id.org/sherloc/"
PAGE = "/explore/review/submit"
HEADER = "id,country,cycle,cluster,provision,status,measures,practices,difficulties,assistance_needs,date\r\n"


@dataclass
class Server:
    client: httpx.Client
    store: EmbeddedStore
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def server(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    store = examples_store(settings)
    token_file = Path(tmp_path_factory.mktemp("upload-tokens")) / "tokens.json"
    tokens = Tokens(token_file)
    made = {"submitter-XAA": tokens.create("submitter", country="XAA", name="Aurelia expert"),
            "submitter-XAB": tokens.create("submitter", country="XAB", name="Borealis expert"),
            "editor": tokens.create("editor", name="an editor")}
    app = create_app(settings.with_(tokens=token_file), store=store)
    with serving(app) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield Server(client, store, made)


def marker() -> str:
    return "MARK" + uuid.uuid4().hex[:10].upper()


def upload(server: Server, who: str | None, text: str, report: str = "html", **headers: str) -> httpx.Response:
    data = {"report": report}
    if who is not None:
        data["token"] = server.tokens[who]
    return server.client.post(PAGE, data=data, files={"answers": ("answers.csv", text.encode("utf-8"), "text/csv")},
                              headers=headers)


def row(answer_id: str, mark: str, **changes: str) -> str:
    cells = {"id": answer_id, "country": "XAA", "cycle": "1", "cluster": "1", "provision": "untoc/art/6",
             "status": "partially-implemented", "measures": "XAA-penal-code#150|XAA-penal-code#210",
             "practices": f"[Illustrative] Invented answer {mark}, with a comma; and «accents» é.",
             "difficulties": f"[Illustrative] Invented difficulty {mark}.", "assistance_needs": "training",
             "date": "2024-05-01"} | changes
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells.values())
    return buffer.getvalue()


def problems(page: str, kind: str) -> set[tuple[str, str]]:
    """(row, column) of each problem the page lists."""
    import re

    return set(re.findall(rf'<tr class="{kind}" data-row="([^"]*)" data-column="([^"]*)">', page))


def test_the_form_documents_the_columns_and_offers_the_template(server: Server) -> None:
    page = server.client.get(PAGE)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'type="password" name="token"' in page.text
    for name in submission_csv.COLUMNS:
        assert f"<code>{name}</code>" in page.text
    assert "vertical bar <code>|</code>" in page.text
    assert " style=" not in page.text and "<script" not in page.text
    template = server.client.get(PAGE + "/template.csv")
    assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(template.text)))
    assert rows[0] == list(submission_csv.COLUMNS)
    parsed = submission_csv.parse(template.content)
    assert parsed.answers[0]["country"] == "XAA" and parsed.answers[0]["cycle"] == 1


def test_a_submitter_of_xaa_uploads_valid_answers(server: Server) -> None:
    mark = marker()
    first, second = f"XAA-csv-{mark}-6", f"XAA-csv-{mark}-5"
    text = HEADER + row(first, mark) + "\r\n" + row(second, mark, provision="untoc/art/5", measures="",
                                                       assistance_needs="", status="implemented")
    response = upload(server, "submitter-XAA", text)
    assert response.status_code == 201, response.text
    assert "Accepted: 2 answers stored" in response.text
    assert f"<code>{first}</code>" in response.text
    assert server.tokens["submitter-XAA"] not in response.text  # never echoed
    assert "set-cookie" not in response.headers and response.headers["cache-control"] == "no-store"
    # stored as the API stores it: restricted, version 1, the fields as the CSV gave them
    api = server.client.get(f"/api/review/submissions/{first}",
                            headers={"Authorization": "Bearer " + server.tokens["submitter-XAA"]}).json()
    answer = api["answer"]
    assert answer["measures"] == ["XAA:XAA-penal-code#150", "XAA:XAA-penal-code#210"]
    assert answer["assistance_needs"] == ["training"]
    assert answer["practices"] == f"[Illustrative] Invented answer {mark}, with a comma; and «accents» é."
    assert answer["status"] == "implemented" or answer["status"].endswith("partially-implemented")
    assert [v["version"] for v in api["versions"]] == [1]
    assert api["versions"][0]["submitted_by"] == "Aurelia expert"
    # the public sees nothing of it
    assert server.client.get(f"/api/review/submissions/{first}").status_code == 404


def test_invalid_rows_are_refused_with_row_and_column_and_nothing_stored(server: Server) -> None:
    mark = marker()
    before = snapshot(server.store)
    # the file itself: an empty required cell (row 3, status) and a row with too many cells (row 4)
    text = (HEADER + row(f"XAA-csv-{mark}-a", mark) + row(f"XAA-csv-{mark}-b", mark, status="")
            + row(f"XAA-csv-{mark}-c", mark).rstrip("\r\n") + ",extra\r\n")
    response = upload(server, "submitter-XAA", text)
    assert response.status_code == 422
    assert "Refused: nothing was stored" in response.text
    assert problems(response.text, "csv-problem") == {("3", "status"), ("4", "")}
    # an unknown column is named in the header row
    response = upload(server, "submitter-XAA", HEADER.replace("date", "dated") + row(f"XAA-csv-{mark}-d", mark))
    assert response.status_code == 422
    assert ("1", "dated") in problems(response.text, "csv-problem")
    assert ("1", "date") in problems(response.text, "csv-problem")  # the required column is missing
    # the SHACL gate of the API: a status that is no status (row 3), a provision that does not exist (row 4)
    text = (HEADER + row(f"XAA-csv-{mark}-e", mark) + row(f"XAA-csv-{mark}-f", mark, status="done")
            + row(f"XAA-csv-{mark}-g", mark, provision="untoc/art/999"))
    response = upload(server, "submitter-XAA", text)
    assert response.status_code == 422, response.text
    found = problems(response.text, "validation-problem")
    assert ("3", "status") in found and any(r == "4" for r, _ in found), found
    assert not any(r == "2" for r, _ in found)  # the valid row is not blamed
    assert f"<code>XAA-csv-{mark}-f</code>" in response.text
    assert snapshot(server.store) == before


def test_the_turtle_report(server: Server) -> None:
    mark = marker()
    before = snapshot(server.store)
    response = upload(server, "submitter-XAA", HEADER + row(f"XAA-csv-{mark}-t", mark, status="done"), report="turtle")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/turtle")
    assert "attachment" in response.headers["content-disposition"]
    graph = Graph().parse(data=response.text, format="turtle")
    report = next(graph.subjects(RDF.type, SH.ValidationReport))
    assert str(graph.value(report, SH.conforms)) == "false"
    assert snapshot(server.store) == before


def test_a_submitter_of_another_state_is_refused(server: Server) -> None:
    mark = marker()
    before = snapshot(server.store)
    response = upload(server, "submitter-XAB", HEADER + row(f"XAB-csv-{mark}", mark))
    assert response.status_code == 403
    assert "row 2" in response.text and "nothing was stored" in response.text.lower()
    assert snapshot(server.store) == before


def test_the_public_and_other_roles_are_refused(server: Server) -> None:
    mark = marker()
    before = snapshot(server.store)
    text = HEADER + row(f"XAA-csv-{mark}", mark)
    # no token in the form (what a forged cross-site form would send): refused, nothing stored
    assert upload(server, None, text).status_code == 401
    response = server.client.post(PAGE, data={"token": "skg_not-a-token"},
                                  files={"answers": ("a.csv", text.encode(), "text/csv")})
    assert response.status_code == 401 and "skg_not-a-token" not in response.text
    assert upload(server, "editor", text).status_code == 403
    assert snapshot(server.store) == before


def test_the_csv_parser_names_rows_and_columns() -> None:
    parsed = submission_csv.parse(("\ufeffID ; country;provision;status;date;measures\n"
                                   "a;XAA;untoc/art/5;implemented;2024-01-01; x#1 | y#2 |\n\n"
                                   "b;XAA;untoc/art/6;implemented;2024-01-01;\n").encode("utf-8"))
    assert parsed.answers == [
        {"id": "a", "country": "XAA", "provision": "untoc/art/5", "status": "implemented", "date": "2024-01-01",
         "measures": ["x#1", "y#2"]},
        {"id": "b", "country": "XAA", "provision": "untoc/art/6", "status": "implemented", "date": "2024-01-01"}]
    assert parsed.rows == [2, 4] and parsed.letters["measures"] == "F"
    with pytest.raises(submission_csv.CsvRefused) as refused:
        submission_csv.parse(b"id,country,provision,status,date\n\xff\xfe,XAA\n")
    assert "UTF-8" in refused.value.problems[0].message and refused.value.problems[0].row == 2
    with pytest.raises(submission_csv.CsvRefused) as refused:
        submission_csv.parse(b"id,country,provision,status,date\n")
    assert "no answer" in refused.value.problems[0].message
