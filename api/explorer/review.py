"""Review under article 32 in the explorer: a State's submitter uploads its self-assessment answers
as a CSV file and gets the same validation report as the API, as a page.

    GET  /explore/review/submit                the upload form, with the CSV columns documented (what
                                               it takes: api/review_csv.py, also as JSON at
                                               /api/review/submission-format)
    GET  /explore/review/submit/template.csv   the CSV template (header and one example row)
    POST /explore/review/submit                multipart/form-data: ``answers`` (the CSV file),
                                               ``token`` (the bearer token; or ``csrf`` when signed
                                               in), ``report`` (html or
                                               turtle); answers the report page (201 accepted,
                                               422 refused, 401/403 not allowed, 400 bad form)

Credentials. A person signed in to the explorer (api/sign_in.py) is taken by the session: the
form then carries the session's CSRF token (``csrf``), which ``api.context.caller`` checks, and
needs no token. Anyone not signed in types a token in the form's ``token`` field (a password
input): it travels in the POST body only, is checked like a bearer token (``Tokens.caller``), and
is never stored: no cookie, no session, never written back into a page, never logged. A token in
the form wins over a session. A request carrying an ``Authorization`` header and no ``token``
field is taken with that header's caller (for scripts).

Cross-site request forgery: a POST authorized by the session cookie must carry the session's CSRF
token, which a form on another site cannot know (refused 403 without it: api/session_cookie.py);
one authorized by the token inside the form cannot be forged either, as another site cannot know
the token (and the pages' CSP says ``form-action 'self'``).

The answers go through the API's own checks: the same roles (``SUBMIT_ROLES``), the same rule that
a submitter or official sends answers of its own State only, under ids of its range (``XAA-...``;
403 otherwise, naming the row: ``api.review.check_writable``), then
the same function as ``POST /api/review/submissions`` (review loader, SHACL gate, storage with
versions and provenance), through :func:`_submit_answers`. A refused file stores nothing. With
``report=turtle`` a refusal by the SHACL gate comes back as the API gives it: the
``sh:ValidationReport`` in Turtle (a download); problems in the CSV file itself (before any answer
could be read) are shown as a page only. On the page, the problems of the cells a person fills in
(status, measures, assistance needs, date) are said in the page's language, quoting the cell as
typed (api/review_words.py); a value is never shown as the IRI the gate checked.

The form documents the file's format, its subject: the column names, the example values and the
values a column takes (the statuses, :data:`CODES`) are marked as code, and only those (the crawl
for jargon, tests/test_no_jargon.py, reads the rest of the page as any other).

The multipart body is read with the standard library's MIME parser (python-multipart is not a
dependency); the body is bounded by the server's 1 MiB limit for requests (api/security.py).
"""

from __future__ import annotations

import json
import re
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from sherloc_kg.access import Caller
from sherloc_kg.errors import SherlocError, Unauthorized, UsageError
from sherloc_kg.iris import Iris

from .. import review as api_review
from .. import review_words
from ..context import Context, caller, context
from ..review_csv import PAGE, TEMPLATE, submission_format
from ..review_questionnaire import PAGE as QUESTIONNAIRE, STATUS_ORDER
from ..security import TooManyFailedChecks
from ..session_cookie import session_of
from . import submission_csv
from .i18n import N_, translations
from .layout import language, render

router = APIRouter()

NO_STORE = {"Cache-Control": "no-store"}


# -- the hand-over to the API's submission function ----------------------------------------------

def _submit_answers(ctx: Context, who: Caller, answers: list[dict[str, Any]], report: str) -> Response:
    """Validate and store ``answers`` exactly as ``POST /api/review/submissions`` does (its role and
    State checks are done by the caller)."""
    return api_review.store_answers(ctx, who, answers, accept="text/turtle" if report == "turtle" else "application/json")


# -- the form -------------------------------------------------------------------------------------

def _form(body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """The fields of a multipart/form-data body: name → (file name, bytes); UsageError if it is not one."""
    if content_type.split(";", 1)[0].strip().lower() != "multipart/form-data" or "boundary=" not in content_type:
        raise UsageError("send the form as multipart/form-data (the upload form of this page does)")
    message = BytesParser(policy=HTTP).parsebytes(
        b"MIME-Version: 1.0\r\nContent-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        raise UsageError("the form could not be read as multipart/form-data")
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in fields:
            continue
        payload = part.get_payload(decode=True)
        fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


def _who(ctx: Context, request: Request, token: str) -> Caller:
    """The caller of a form with a token: that token's."""
    return ctx.tokens.caller(token)


async def _signed_in(request: Request) -> Caller:
    """The caller of a form without a token: the Authorization header's, else the session's (its
    CSRF token checked by ``caller``: 403 without it), else the public."""
    return await caller(request)


#: The values a column's meaning names as they are written in the file (shown as code: the page
#: documents the file's format, whose codes are its subject).
CODES = {"status": STATUS_ORDER}


def as_code(text: str, codes: tuple[str, ...]) -> Markup:
    """``text`` escaped, each of ``codes`` in it (a whole word) marked as code."""
    if not codes:
        return escape(text)
    pattern = re.compile(r"(?<![\w-])(%s)(?![\w-])" % "|".join(map(re.escape, sorted(codes, key=len, reverse=True))))
    return Markup(pattern.sub(lambda m: f"<code>{m.group(1)}</code>", str(escape(text))))


def _page(request: Request, *, status_code: int = 200, who: Caller | None = None, **variables: object) -> HTMLResponse:
    described = submission_format()
    ctx: Context = request.app.state.context
    session = session_of(request, ctx.sessions)
    values: dict[str, object] = {"columns": described.columns, "separator": described.separator,
                                 "session": session, "questionnaire": QUESTIONNAIRE,
                                 "max_rows": described.max_rows, "template_href": described.template,
                                 "action": described.form, "outcome": None, "error": None, "csv_problems": [],
                                 "problems": [], "warnings": [], "stored": [], "filename": None,
                                 "as_code": as_code, "codes": CODES}
    values.update(variables)
    response = render(request, "explorer/review_submit.html", title=N_("Submit self-assessment answers (CSV)"), who=who,
                      status_code=status_code, **values)
    if request.method == "POST":
        response.headers.update(NO_STORE)
    return response


@router.get(PAGE, response_class=HTMLResponse)
def submit_form(request: Request) -> HTMLResponse:
    return _page(request)


@router.get(TEMPLATE)
def csv_template() -> Response:
    return Response(submission_csv.template().encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sherloc-review-answers-template.csv"'})


def _report_rows(parsed: submission_csv.ParsedCsv, entries: list[dict[str, Any]], answers: list[dict[str, Any]],
                 lang: str, iris: Iris) -> list[dict[str, Any]]:
    """The API's report entries (answer index, id, field, message, value) with the CSV row and
    column; the fields a person types in words of the page's language, quoting the cell as typed
    (api/review_words.py: ``said``), never the IRI the gate checked."""
    rows = []
    gettext = translations(lang).gettext
    for entry in entries:
        field = entry.get("field")
        index = entry.get("index")
        answer = answers[index] if isinstance(index, int) and 0 <= index < len(answers) else {}
        said = field in review_words.SAID and entry.get("severity") == "Violation"
        value = review_words.typed(entry, answer, iris)  # as typed in the cell: never the IRI the gate checked
        message = review_words.in_words(entry, value, gettext, listed=False) if said else entry.get("message")
        rows.append({**entry, "row": parsed.row_of(index), "column": field, "letter": parsed.letters.get(field or ""),
                     "message": message, "said": said, "value": value})
    rows.sort(key=lambda e: (e["row"] is None, e["row"] or 0, e["column"] or ""))
    return rows


@router.post(PAGE, response_class=HTMLResponse)
async def submit_csv(request: Request, ctx: Context = Depends(context)) -> Response:
    body = await request.body()
    filename = None
    try:
        fields = _form(body, request.headers.get("content-type") or "")
        token = fields.get("token", (None, b""))[1].decode("utf-8", "replace").strip()
        report = fields.get("report", (None, b"html"))[1].decode("utf-8", "replace").strip() or "html"
        if report not in ("html", "turtle"):
            raise UsageError("report is html or turtle")
        # A token in the form is no Authorization header, which is what the security middleware
        # counts failures by: so this route counts its own into the same per-address record, and an
        # address past the limit gets the same 429 before any check.
        counted = bool(token) and "authorization" not in request.headers
        address = request.client.host if request.client else "unknown"
        if counted and (retry_after := ctx.failed_checks.wait(address)):
            refused = TooManyFailedChecks(retry_after)
            page = _page(request, status_code=refused.http_status, error=str(refused), outcome="error")
            page.headers.update(refused.headers())
            return page
        # A check costs an argon2 verification (by design slow): off the event loop, like every
        # other route's (their caller dependency runs in the thread pool).
        try:
            who = await run_in_threadpool(_who, ctx, request, token) if token else await _signed_in(request)
        except Unauthorized:
            if counted:
                ctx.failed_checks.failed(address)
            raise
        who.require(*api_review.SUBMIT_ROLES)
        if "answers" not in fields or not fields["answers"][1]:
            raise UsageError("choose the CSV file of your answers")
        filename = fields["answers"][0]
    except SherlocError as error:
        return _page(request, status_code=error.http_status, error=str(error), outcome="error")

    try:
        parsed = submission_csv.parse(fields["answers"][1])
    except submission_csv.CsvRefused as refused:
        return _page(request, status_code=422, who=who, outcome="refused", csv_problems=refused.problems,
                     filename=filename)
    try:
        for answer, row in zip(parsed.answers, parsed.rows):
            api_review.check_writable(who, answer, f"row {row} (answer {answer.get('id')!r})", " Nothing was stored.")
        response = await run_in_threadpool(_submit_answers, ctx, who, parsed.answers, report)
    except SherlocError as error:
        if not error.callers():
            raise  # not the caller's: the generic answer, logged with a reference (api/errors.py)
        return _page(request, status_code=error.http_status, who=who, error=str(error), outcome="error",
                     filename=filename)

    if report == "turtle" and response.status_code == 422:
        response.headers["Content-Disposition"] = 'attachment; filename="sherloc-review-validation-report.ttl"'
        response.headers.update(NO_STORE)
        return response
    result = json.loads(bytes(response.body))
    lang = language(request)
    rows_by_id = {answer.get("id"): row for answer, row in zip(parsed.answers, parsed.rows)}
    if response.status_code == 201:
        return _page(request, status_code=201, who=who, outcome="accepted", filename=filename,
                     stored=[{**s, "row": rows_by_id.get(s.get("id"))} for s in result.get("stored", [])],
                     submitted_at=result.get("submitted_at"), submitted_by=result.get("submitted_by"),
                     warnings=_report_rows(parsed, result.get("warnings", []), parsed.answers, lang, ctx.iris))
    return _page(request, status_code=response.status_code, who=who, outcome="refused", filename=filename,
                 message=result.get("message"),
                 problems=_report_rows(parsed, result.get("problems", []), parsed.answers, lang, ctx.iris),
                 warnings=_report_rows(parsed, result.get("warnings", []), parsed.answers, lang, ctx.iris))
