"""The review questionnaire's data (review under article 32): one question per article of an
instrument for a State, with the State's current answers the caller may see, and the choices of
the fields that take a concept, labelled in the language asked for. The explorer's questionnaire
page (:mod:`api.explorer.questionnaire`) renders it and sends what a person filled in through the
API's own submission path; its JSON twin:

    GET /api/review/questionnaire?country=XAA&instrument=untoc[&lang=fr]

This module also turns the page's form into answers in the field names of
data/examples/review.jsonl (:func:`answers_from_form`): only the questions whose answer differs
from the current one become answers, each under the current answer's id, or for a question not yet
answered ``{ISO3}-review-{instrument}-art-{number}`` (in the State's own range, as
``api.review.check_writable`` requires).

Each answer carries its ``withdrawals`` (api/review_withdrawals.py): when it was withdrawn from the
public, by which role, and the version that was public then, kept as history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from sherloc_kg.access import Caller, Role
from sherloc_kg.errors import UsageError
from sherloc_kg.iris import is_iso3
from sherloc_kg.queries import internal

from . import review as api_review
from .context import Context, caller, reading
from .explorer import i18n, twins
from .explorer.layout import Picked, language, pick
from .instruments import INSTRUMENTS, instrument_contents
from .review_withdrawals import Withdrawal, withdrawals

router = APIRouter(tags=["review"], dependencies=[Depends(twins.links_back)])

PAGE = "/explore/review/questionnaire"
#: The review-status concepts in the order the vocabulary lists them (its skos:hasTopConcept).
STATUS_ORDER = ("implemented", "partially-implemented", "not-implemented", "not-applicable")
#: The fields a person fills in per article (the rest come from the question and the form's date).
FILLED = ("status", "measures", "practices", "difficulties", "assistance_needs")
#: What separates several measures typed in one field.
MEASURE_SEPARATOR = "|"


class AnswerChoice(BaseModel):
    notation: str = Field(description="What an answer's field holds (the concept's skos:notation).")
    label: Picked = Field(description="Its preferred label in the language asked for, or the fallback.")


class Answer(BaseModel):
    id: str
    provision: str = Field(description="The provision's reference, e.g. untoc/art/5/1/a.")
    citation: str = Field(description="The provision in words: Article 5 (1) (a).")
    status: str | None = None
    measures: list[str] = Field(default_factory=list)
    practices: str | None = None
    difficulties: str | None = None
    assistance_needs: list[str] = Field(default_factory=list)
    cycle: int | None = None
    cluster: int | None = None
    date: str | None = None
    published: bool = False
    version: int | None = Field(default=None, description="Its current version, where the caller sees it.")
    withdrawals: list[Withdrawal] = Field(default_factory=list, description=(
        "Its withdrawals from the public, newest first (api/review_withdrawals.py): each with the version "
        "that was public, kept as history."))


class Question(BaseModel):
    reference: str = Field(description="The article's reference, e.g. untoc/art/5.")
    number: str
    label: str = Field(description="Article 5, in the language asked for.")
    title: Picked | None = None
    answer_id: str = Field(description="The id an answer to this article is stored under.")
    answer: Answer | None = Field(default=None, description="The current answer about the article itself.")
    parts: list[Answer] = Field(default_factory=list, description="Answers about its paragraphs.")


class Questionnaire(BaseModel):
    language: str
    country: str
    instrument: str
    instrument_title: Picked
    statuses: list[AnswerChoice]
    assistance_needs: list[AnswerChoice]
    questions: list[Question]
    may_submit: bool = Field(description="Whether the caller may submit answers of this State.")
    may_publish: bool = Field(description="Whether the caller may publish answers of this State.")
    api: str = Field(default="/api/review/submissions", description="Where a program sends the same answers.")


def may_submit(who: Caller, country: str) -> bool:
    return who.role in api_review.SUBMIT_ROLES and (who.role is Role.ADMIN or who.country == country)


def may_publish(who: Caller, country: str) -> bool:
    return who.role in api_review.PUBLISH_ROLES and (who.role is Role.ADMIN or who.country == country)


def _choices(ctx: Context, who: Caller, scheme: str, wanted: str) -> list[AnswerChoice]:
    named = internal("review-choices")
    rows = ctx.reads.select(named.text, bindings=named.bindings({"scheme": str(ctx.iris.scheme(scheme))}, ctx.iris),
                            dataset=who.dataset(ctx.iris)).rows
    labels: dict[str, dict[str | None, str]] = defaultdict(dict)
    for row in rows:
        notation = str(row["notation"])
        labels.setdefault(notation, {})
        if "label" in row:
            labels[notation][getattr(row["label"], "language", None) or None] = str(row["label"])
    choices = [AnswerChoice(notation=n, label=pick(values, wanted) or Picked(n, None, False)) for n, values in labels.items()]
    if scheme == "review-status":
        return sorted(choices, key=lambda c: STATUS_ORDER.index(c.notation) if c.notation in STATUS_ORDER else 99)
    return sorted(choices, key=lambda c: c.label.text.casefold())


def _answer(item: dict[str, Any], lang: str) -> Answer | None:
    provision = item.get("provision")
    if not isinstance(provision, str) or "/art/" not in provision or not item.get("id"):
        return None
    text: dict[str, str | None] = {name: item.get(name) if isinstance(item.get(name), str) else None
                                   for name in ("practices", "difficulties")}
    return Answer(id=str(item["id"]), provision=provision, citation=i18n.citation(provision, lang),
                  status=item.get("status"), measures=list(item.get("measures", [])),
                  practices=text["practices"], difficulties=text["difficulties"],
                  assistance_needs=list(item.get("assistance_needs", [])),
                  cycle=item.get("cycle") if isinstance(item.get("cycle"), int) else None,
                  cluster=item.get("cluster") if isinstance(item.get("cluster"), int) else None,
                  date=item.get("date"), published=item.get("published") is True, version=item.get("version"))


def questionnaire(ctx: Context, who: Caller, country: str, instrument: str, wanted: str) -> Questionnaire:
    """The questions of ``instrument`` (untoc, tip, som, fp) for ``country``, with the answers the
    caller may see (api/review.py's listing: a State's own unpublished ones to its submitters and
    officials, published ones to everyone), each with its withdrawals from the public."""
    if not is_iso3(country):
        raise UsageError(f"country {country!r} is not an ISO 3166-1 alpha-3 code (three capital letters)")
    if instrument not in INSTRUMENTS:
        raise UsageError(f"instrument is one of {', '.join(INSTRUMENTS)}")
    lang = i18n.interface_language(wanted)
    contents = instrument_contents(ctx, who, instrument, wanted)
    listed = api_review.listing(country=country, ctx=ctx, who=who)
    withdrawn: dict[str, list[Withdrawal]] = defaultdict(list)
    for withdrawal in withdrawals(ctx, who, country, lang):
        withdrawn[withdrawal.id].append(withdrawal)
    by_article: dict[str, list[Answer]] = defaultdict(list)
    for item in listed["answers"]:
        answer = _answer(item, lang)
        if answer is not None:
            answer.withdrawals = withdrawn.get(answer.id, [])
            by_article["/".join(answer.provision.split("/")[:3])].append(answer)
    questions = []
    for article in contents.articles:
        found = by_article.get(article.reference, [])
        own = next((a for a in found if a.provision == article.reference), None)
        questions.append(Question(
            reference=article.reference, number=article.number, label=i18n.part_label("Article", article.number, lang),
            title=article.title, answer=own, parts=sorted((a for a in found if a is not own), key=lambda a: a.provision),
            answer_id=own.id if own else f"{country}-review-{instrument}-art-{article.number}"))
    return Questionnaire(language=wanted, country=country, instrument=instrument,
                         instrument_title=contents.instrument.title,
                         statuses=_choices(ctx, who, "review-status", wanted),
                         assistance_needs=_choices(ctx, who, "assistance-need", wanted), questions=questions,
                         may_submit=may_submit(who, country), may_publish=may_publish(who, country))


# -- the form ---------------------------------------------------------------------------------------

def field_name(index: int, field: str) -> str:
    """The form field of ``field`` in question ``index``: ``q3-status``."""
    return f"q{index}-{field}"


def typed(form: Mapping[str, list[str]], index: int) -> dict[str, Any]:
    """What the person typed in question ``index``, as the form sent it (stripped), for echoing."""
    one = {name: (form.get(field_name(index, name)) or [""])[0].strip()
           for name in ("status", "measures", "practices", "difficulties")}
    return {**one, "assistance_needs": sorted({v.strip() for v in form.get(field_name(index, "assistance_needs"), [])
                                               if v.strip()})}


def _measures(text: str) -> list[str]:
    return [part.strip() for part in text.split(MEASURE_SEPARATOR) if part.strip()]


def _unchanged(entered: dict[str, Any], current: Answer | None) -> bool:
    if current is None:
        return not any(entered[name] for name in FILLED)
    return (entered["status"] == (current.status or "") and _measures(entered["measures"]) == sorted(current.measures)
            and entered["practices"] == (current.practices or "") and entered["difficulties"] == (current.difficulties or "")
            and entered["assistance_needs"] == sorted(current.assistance_needs))


def answers_from_form(form: Mapping[str, list[str]], data: Questionnaire, date: str) -> list[tuple[int, dict[str, Any]]]:
    """(question index, answer) for every question whose typed answer differs from its current one,
    in the field names of the review format: empty fields left out, as the CSV upload does."""
    answers = []
    for index, question in enumerate(data.questions):
        entered = typed(form, index)
        if _unchanged(entered, question.answer):
            continue
        answer: dict[str, Any] = {"id": question.answer_id, "country": data.country, "provision": question.reference}
        current = question.answer
        if current is not None:
            answer.update({k: v for k, v in (("cycle", current.cycle), ("cluster", current.cluster)) if v is not None})
        if entered["status"]:
            answer["status"] = entered["status"]
        if measures := _measures(entered["measures"]):
            answer["measures"] = measures
        for name in ("practices", "difficulties"):
            if entered[name]:
                answer[name] = entered[name]
        if entered["assistance_needs"]:
            answer["assistance_needs"] = entered["assistance_needs"]
        if date:
            answer["date"] = date
        answers.append((index, answer))
    return answers


@router.get("/api/review/questionnaire", response_model=Questionnaire,
            summary="The review questionnaire of a State: one question per article, with its current answers")
def questionnaire_json(request: Request, country: str = Query(description="ISO 3166-1 alpha-3, e.g. XAA."),
                       instrument: str = Query("untoc", description="untoc, tip, som or fp."),
                       lang: str | None = Query(None, description="The language of titles and labels."),
                       ctx: Context = Depends(reading), who: Caller = Depends(caller)) -> Questionnaire:
    """The articles of the instrument, the choices of status and assistance need, and the State's
    answers the caller may see."""
    return questionnaire(ctx, who, country, instrument, lang or language(request))
