"""The withdrawals of a State's published review answers, as the pages show them (issue 18, item 3).

An official of a State (or an admin) withdraws a published answer
(``POST /api/review/submissions/{id}/withdraw``, api/review_publication.py): its state goes back to
the State's restricted graph, and the withdrawal, ``a sherloc:ReviewWithdrawal`` with when, by
whom (the agent's role and State, never a name) and the version it made no longer current
(``prov:invalidated``), stays public with that version, as history. This module reads them
(internal query ``review-withdrawals``) over the caller's review graphs, newest first per answer:

- the review questionnaire (api/review_questionnaire.py) gives each answer of the State's
  officials its withdrawals: "withdrawn on DATE by an official of the State", with what was public;
- the implementation profile (api/implementation.py) gives each article the withdrawals of the
  answers about it, which the public sees as "withdrawn on DATE" with the published version kept
  readable.

Absence says nothing: an answer with no withdrawal read here may be withdrawn in a graph the caller
does not read.
"""

from __future__ import annotations

from urllib.parse import unquote

from pydantic import BaseModel, Field

from sherloc_kg.access import Caller
from sherloc_kg.queries import internal

from .context import Context
from .explorer import i18n


class Withdrawal(BaseModel):
    id: str = Field(description="The answer's id, e.g. XAA-review-untoc-art-5.")
    provision: str = Field(description="The provision the answer is about, e.g. untoc/art/5/1/a.")
    citation: str = Field(description="The provision in words: Article 5 (1) (a), in the language asked for.")
    withdrawn_at: str = Field(description="When it was withdrawn (xsd:dateTime).")
    withdrawn_by: str | None = Field(default=None, description="The role of who withdrew it: official or admin.")
    version: int | None = Field(default=None, description="The version that was public until then, if any.")
    published_at: str | None = Field(default=None, description="When that version was published.")
    status: str | None = Field(default=None, description="What that version said: its status (notation)...")
    practices: str | None = None
    difficulties: str | None = None


def _text(row: dict, name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None and str(value) != "" else None


def withdrawals(ctx: Context, who: Caller, country: str, lang: str) -> list[Withdrawal]:
    """The withdrawals of ``country``'s answers the caller may read, newest first per answer, with
    their provisions in words of the interface language ``lang``."""
    iris = ctx.iris
    named = internal("review-withdrawals")
    rows = ctx.reads.select(named.text, bindings=named.bindings({"country": country}, iris),
                        dataset=who.review_dataset(iris)).rows
    found: dict[str, Withdrawal] = {}
    for row in rows:
        key = str(row["withdrawal"])
        if key in found:
            continue
        answer = str(row["answer"])
        provision = iris.provision_reference(str(row["provision"])) or str(row["provision"])
        role = (_text(row, "role") or "").removesuffix(" token") or None
        number = row.get("number")
        found[key] = Withdrawal(
            id=_text(row, "id") or unquote(iris.below(answer, "id/review/") or answer.rsplit("/", 1)[-1]),
            provision=provision, citation=i18n.citation(provision, lang),
            withdrawn_at=str(row["when"]), withdrawn_by=role,
            version=int(number.toPython()) if number is not None else None, published_at=_text(row, "issued"),
            status=(_text(row, "status") or "").rsplit("/", 1)[-1] or None,
            practices=_text(row, "practices"), difficulties=_text(row, "difficulties"))
    return list(found.values())


def by_article(listed: list[Withdrawal]) -> dict[str, list[Withdrawal]]:
    """The withdrawals per article reference (untoc/art/5), those about its paragraphs included."""
    out: dict[str, list[Withdrawal]] = {}
    for withdrawal in listed:
        out.setdefault("/".join(withdrawal.provision.split("/")[:3]), []).append(withdrawal)
    return out
