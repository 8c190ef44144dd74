"""The review questionnaire in the browser (article 32): a signed-in submitter or official of a
State (or an admin choosing one) answers, article by article, for one instrument, besides the CSV
upload (:mod:`.review`).

    GET  /explore/review/questionnaire?country=XAA&instrument=untoc
                                          one fieldset per article of the instrument (its number and
                                          title in words), prefilled with the State's current
                                          answers the caller may see; its data as JSON:
                                          /api/review/questionnaire (api/review_questionnaire.py)
    POST /explore/review/questionnaire    the answers changed in the form, all at once
    POST /explore/review/questionnaire/publish
                                          an official of the State (or an admin) publishes an answer
    POST /explore/review/questionnaire/withdraw
                                          the same withdraw a published answer

Who: the caller of the request (``api.context.caller``): the signed-in session (api/sign_in.py),
or a bearer token for scripts. A POST signed in by the session cookie carries the session's CSRF
token as the form's ``csrf`` field, which ``caller`` checks (api/session_cookie.py): a forged form
is refused (403) before anything is read. Not signed in, the page leads to the sign-in page, with
``next`` back here.

The answers go exactly the way of ``POST /api/review/submissions``: the same roles
(``SUBMIT_ROLES``), ``check_writable`` (a State's answers only, in its id range), then
``store_answers`` (the review loader, the SHACL gate, versioned storage), all or none. A refusal
shows the form again as the person filled it in, with every problem of every answer at its field
(the loader reads every field of an answer before it gives up), said in the page's language and
quoting what was typed (api/review_words.py), and stores nothing. Publishing and withdrawing are ``api.review_publication.publish`` and
``withdraw``: each answer of the page has its button, publish on an unpublished one, withdraw on a
published one, for the officials of the State and admins; a refusal shows the page with what was
wrong, success comes back to the page saying what was done. An answer that was published and then
withdrawn says so: when, by an official of the State or an administrator, and its history (each
publication and withdrawal; api/review_withdrawals.py).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from sherloc_kg.access import Caller, Role
from sherloc_kg.errors import Forbidden, SherlocError, UsageError
from sherloc_kg.iris import Iris

from .. import review as api_review
from .. import review_publication, review_words
from ..context import Context, caller, context
from ..countries import country_list
from ..review_questionnaire import FILLED, PAGE, Questionnaire, answers_from_form, field_name, questionnaire, typed
from ..session_cookie import session_of
from .i18n import N_, translations
from .layout import language, render, url

router = APIRouter()

PUBLISH = PAGE + "/publish"
WITHDRAW = PAGE + "/withdraw"
SIGN_IN = "/explore/sign-in"
NO_STORE = {"Cache-Control": "no-store"}
TITLE = N_("Review questionnaire")
#: Where a problem of a field the form does not show (id, country, provision, cycle...) is shown:
#: at its question as a whole.
SHOWN = (*FILLED, "date")


def _values(data: Questionnaire, form: dict[str, list[str]] | None) -> list[dict[str, Any]]:
    """Per question, what its fields show: what was typed (a refused form), else the current answer."""
    shown = []
    for index, question in enumerate(data.questions):
        if form is not None:
            shown.append(typed(form, index))
            continue
        answer = question.answer
        shown.append({"status": answer.status or "", "measures": " | ".join(answer.measures),
                      "practices": answer.practices or "", "difficulties": answer.difficulties or "",
                      "assistance_needs": answer.assistance_needs} if answer else
                     {"status": "", "measures": "", "practices": "", "difficulties": "", "assistance_needs": []})
    return shown


def _country_name(ctx: Context, who: Caller, code: str) -> str | None:
    return next((row.name for row in country_list(ctx, who).rows if row.code == code), None)


def _states(ctx: Context, who: Caller) -> list[tuple[str, str]]:
    return [(row.code, row.name) for row in sorted(country_list(ctx, who).rows, key=lambda r: r.name)]


def _page(request: Request, ctx: Context, who: Caller, *, country: str | None, instrument: str,
          status_code: int = 200, form: dict[str, list[str]] | None = None, **variables: Any) -> HTMLResponse:
    """The questionnaire page (blocking: run in the thread pool)."""
    reads = ctx.for_request(request, who)
    session = session_of(request, ctx.sessions)
    # a language chosen on the URL is kept by the forms (the language cookie needs no help)
    chosen_lang = request.query_params.get("lang")
    back = url(PAGE, country=country, instrument=instrument, lang=chosen_lang)
    values: dict[str, Any] = {"data": None, "shown": [], "problems": {}, "general": [], "stored": [], "error": None,
                              "date": "", "states": [], "country_name": None, "notice": None, "sign_in": None}
    values.update(variables)
    values["date"] = values["date"] or datetime.date.today().isoformat()
    if who.role is Role.PUBLIC:
        values["sign_in"] = url(SIGN_IN, next=back)
    elif country is None:
        values["states"] = _states(reads, who)
    else:
        data = questionnaire(reads, who, country, instrument, language(request))
        values.update(data=data, shown=_values(data, form), country_name=_country_name(reads, who, country))
    page = render(request, "explorer/review_questionnaire.html", title=TITLE, who=who, status_code=status_code,
                  csrf=session.csrf if session else None, action=url(PAGE, lang=chosen_lang),
                  publish_action=url(PUBLISH, lang=chosen_lang),
                  withdraw_action=url(WITHDRAW, lang=chosen_lang), page_path=PAGE, chosen_lang=chosen_lang, country=country,
                  instrument=instrument, back=back, **values)
    page.headers.update(NO_STORE)
    return page


def _chosen(request: Request, who: Caller) -> tuple[str | None, str]:
    country = request.query_params.get("country") or (who.country if who.role is not Role.ADMIN else None)
    return country or None, request.query_params.get("instrument") or "untoc"


@router.get(PAGE, response_class=HTMLResponse)
def questionnaire_page(request: Request, ctx: Context = Depends(context), who: Caller = Depends(caller)) -> HTMLResponse:
    country, instrument = _chosen(request, who)
    notice = ("published" if request.query_params.get("published") else
              "withdrawn" if request.query_params.get("withdrawn") else None)
    return _page(request, ctx, who, country=country, instrument=instrument, notice=notice)


def _problems(entries: list[dict[str, Any]], sent: list[tuple[int, dict[str, Any]]],
              data: Questionnaire, lang: str, iris: Iris) -> tuple[dict[int, dict[str, list[str]]], list[str]]:
    """The API's report, per question and field of the form, in the page's language and quoting
    what was typed (api/review_words.py); problems of no question, apart."""
    at: dict[int, dict[str, list[str]]] = {}
    general: list[str] = []
    gettext = translations(lang).gettext
    for entry in entries:
        index = entry.get("index")
        if not isinstance(index, int) or not 0 <= index < len(sent):
            general.append(str(entry.get("message")))
            continue
        question, answer = sent[index]
        field = entry.get("field") if entry.get("field") in SHOWN else None
        message = review_words.in_words(entry, review_words.typed(entry, answer, iris), gettext, listed=True)
        if field == "date":  # one date field for every answer: the problem names its article
            at.setdefault(-1, {}).setdefault("date", []).append(
                gettext("%(article)s: %(message)s") % {"article": data.questions[question].label, "message": message})
            continue
        at.setdefault(question, {}).setdefault(field or "question", []).append(message)
    return at, general


@router.post(PAGE, response_class=HTMLResponse)
async def questionnaire_submit(request: Request, ctx: Context = Depends(context),
                               who: Caller = Depends(caller)) -> Response:
    """``caller`` has checked the CSRF token of a session before this runs."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    country = (form.get("country") or [""])[0].strip() or None
    instrument = (form.get("instrument") or ["untoc"])[0].strip() or "untoc"
    date = (form.get("date") or [""])[0].strip()
    if who.role is Role.PUBLIC:
        return await run_in_threadpool(_page, request, ctx, who, country=country, instrument=instrument,
                                       status_code=401)
    lang = language(request)
    gettext = translations(lang).gettext
    try:
        who.require(*api_review.SUBMIT_ROLES)
        if country is None:
            raise UsageError(gettext("Choose the State whose answers these are."))
        data = await run_in_threadpool(questionnaire, ctx.for_request(request, who), who, country, instrument, lang)
        sent = answers_from_form(form, data, date)
        if not sent:
            raise UsageError(gettext("No answer was changed: nothing to submit."))
        for index, answer in sent:
            try:
                api_review.check_writable(who, answer, data.questions[index].label, " Nothing was stored.")
            except Forbidden as refused:  # said in the page's language (the API's words name ids and roles)
                raise Forbidden(gettext("You may not submit answers for this State: a submitter or official "
                                        "submits the answers of its own State only. Nothing was stored.")) from refused
        response = await run_in_threadpool(api_review.store_answers, ctx, who, [a for _, a in sent])
    except SherlocError as error:
        if not error.callers():
            raise
        return await run_in_threadpool(_page, request, ctx, who, country=country, instrument=instrument, form=form,
                                       status_code=error.http_status, error=str(error), date=date)
    result = json.loads(bytes(response.body))
    if response.status_code == 201:
        labels = {data.questions[index].answer_id: data.questions[index] for index, _ in sent}
        stored = [{**s, "question": labels.get(s["id"]), "href": f"/api/review/submissions/{quote(s['id'])}"}
                  for s in result.get("stored", [])]
        return await run_in_threadpool(_page, request, ctx, who, country=country, instrument=instrument,
                                       status_code=201, stored=stored, date=date)
    problems, general = _problems(result.get("problems", []), sent, data, lang, ctx.iris)
    return await run_in_threadpool(_page, request, ctx, who, country=country, instrument=instrument, form=form,
                                   status_code=response.status_code, problems=problems, general=general, date=date,
                                   error=gettext("Nothing was stored: correct the answers marked below and send "
                                                 "them again."))


@router.post(PUBLISH, response_class=HTMLResponse)
async def questionnaire_publish(request: Request, ctx: Context = Depends(context),
                                who: Caller = Depends(caller)) -> Response:
    """Publish one answer (``api.review_publication.publish``: an official of its State, or an admin), then back."""
    return await _on_one_answer(request, ctx, who, review_publication.publish, "published")


@router.post(WITHDRAW, response_class=HTMLResponse)
async def questionnaire_withdraw(request: Request, ctx: Context = Depends(context),
                                 who: Caller = Depends(caller)) -> Response:
    """Withdraw one published answer (``api.review_publication.withdraw``: the same people), then back."""
    return await _on_one_answer(request, ctx, who, review_publication.withdraw, "withdrawn")


async def _on_one_answer(request: Request, ctx: Context, who: Caller, action: Callable[[str, Context, Caller], dict],
                         done: str) -> Response:
    """Do ``action`` on the answer the form names, then back to the page, which says it was ``done``;
    a refusal shows the page with what was wrong."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    answer_id = (form.get("id") or [""])[0]
    country = (form.get("country") or [""])[0] or None
    instrument = (form.get("instrument") or ["untoc"])[0]
    try:
        await run_in_threadpool(action, answer_id, ctx, who)
    except SherlocError as error:
        if not error.callers():
            raise
        return await run_in_threadpool(_page, request, ctx, who, country=country, instrument=instrument,
                                       status_code=error.http_status, error=str(error))
    return RedirectResponse(url(PAGE, country=country, instrument=instrument, **{done: answer_id},
                                lang=request.query_params.get("lang")), status_code=303,
                            headers=NO_STORE)


__all__ = ["router", "field_name"]
