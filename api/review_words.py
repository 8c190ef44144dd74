"""The problems of a review answer in words a person acts on, in the page's language (issue 18,
item 3): the review questionnaire (api/explorer/questionnaire.py) and the CSV upload
(api/explorer/review.py) show the entries of the API's report (api/review.py ``_problem``: field,
message, value, shape) this way. For the fields a person fills in (status, measures, assistance
needs, date), the message is said anew through gettext, quoting what the person typed, never the
IRI or the typed literal the SHACL gate checked; the other fields keep the gate's English message
(the form fills them in itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sherloc_kg.errors import UsageError
from sherloc_kg.iris import Iris

from .explorer.i18n import N_

#: A field chosen from a list on the questionnaire: what was chosen is not in it (a forged form),
#: or nothing was chosen.
LISTED = {"status": (N_("“%(value)s” is not in the list. Choose one of the implementation statuses listed."),
                     N_("Choose one of the implementation statuses listed.")),
          "assistance_needs": (N_("“%(value)s” is not in the list. Choose among the technical assistance needs listed."),
                               N_("Choose among the technical assistance needs listed."))}
#: The same fields typed in a CSV file, where the notations are what one writes.
WRITTEN = {"status": (N_("“%(value)s” is not an implementation status: write implemented, partially-implemented, "
                         "not-implemented or not-applicable."),
                      N_("Give the implementation status: implemented, partially-implemented, not-implemented or "
                         "not-applicable.")),
           "assistance_needs": (N_("“%(value)s” is not one of the technical assistance needs the format lists."),
                                N_("Give the technical assistance needs the format lists."))}
MEASURE_FORM = N_("“%(value)s” is not written as a measure: write the law and its article as LAW#ARTICLE, "
                  "e.g. XAA-penal-code#150.")
MEASURE_UNKNOWN = N_("“%(value)s” is not a provision of a law in the legislation database: check the law and the "
                     "article (LAW#ARTICLE, e.g. XAA-penal-code#150), or have the law loaded first.")
MEASURE_MISSING = N_("An answer that the article is implemented names the measures that implement it: add them as "
                     "LAW#ARTICLE, e.g. XAA-penal-code#150.")
#: The fields whose problems this module says in words (the others keep the gate's English).
SAID = ("status", "assistance_needs", "measures", "date")
DATE_FORM = N_("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2024-03-05.")
DATE_EARLY = N_("“%(value)s”: the date of an answer is not before the Convention entered into force "
                "(29 September 2003).")
#: The day the Convention entered into force: no answer is dated before it (shapes/review.ttl).
IN_FORCE = "2003-09-29"
DATE_MISSING = N_("Give the date of the answers, as YYYY-MM-DD, e.g. 2024-03-05.")


def typed(entry: dict[str, Any], answer: dict[str, Any], iris: Iris) -> str | None:
    """What the person typed that the report ``entry`` is about, from the ``answer`` sent (in the
    field names of the review format): the value itself where the loader quotes it, the typed text
    the gate's IRI or literal stands for, or, for a field of one value, that value; never an IRI."""
    field, value = entry.get("field"), entry.get("value")
    written = answer.get(field) if isinstance(field, str) else None
    items = [str(i) for i in (written if isinstance(written, list) else [written]) if i not in (None, "")]
    if value is None:
        return None
    if value in items:
        return str(value)
    for item in items:
        if field == "measures":
            try:
                if str(iris.national_provision_ref(item, str(answer.get("country") or ""))) == value:
                    return item
            except UsageError:
                continue
        elif str(value).rsplit("/", 1)[-1] == item:
            return item
    if field not in ("measures", "assistance_needs") and len(items) == 1:
        return items[0]
    return None if "://" in str(value) else str(value)


def in_words(entry: dict[str, Any], value: str | None, gettext: Callable[[str], str], *, listed: bool) -> str:
    """The problem ``entry`` said in the page's language, quoting ``value`` (what was typed);
    ``listed``: the page offers the choice fields as lists (the questionnaire), not as text (CSV)."""
    field, shape = entry.get("field"), entry.get("shape")
    quoted = {"value": value}
    if field in LISTED:
        wrong, missing = (LISTED if listed else WRITTEN)[field]
        return gettext(wrong) % quoted if value else gettext(missing)
    if field == "measures":
        if not value:
            return gettext(MEASURE_MISSING)
        return gettext(MEASURE_UNKNOWN if shape else MEASURE_FORM) % quoted
    if field == "date":
        if not value:
            return gettext(DATE_MISSING)
        early = bool(shape) and len(value) == 10 and value[:4].isdigit() and value < IN_FORCE
        return gettext(DATE_EARLY if early else DATE_FORM) % quoted
    return str(entry.get("message"))
