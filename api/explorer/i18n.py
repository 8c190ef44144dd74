"""The explorer's interface in the reader's language: the gettext catalogs (Babel), numbers and
dates formatted per locale, and the writing direction.

Catalogs: ``api/locale/{lang}/LC_MESSAGES/messages.po``, one per language of :data:`CATALOGS`,
made from the template catalog ``api/locale/messages.pot`` (``make messages`` extracts the marked
strings of the templates and of ``api/``, ``babel.cfg``, and updates every catalog). They are read
as .po when first used (no compiled .mo to keep in step); a fuzzy or empty entry is not used (the
English text is shown), and tests/test_i18n.py requires every one to be complete.

Translations are per request: :func:`translations` gives the catalog of one language, which
:func:`api.explorer.layout.render` passes to the template as ``translations`` (the template's
``_``/``gettext``/``ngettext`` read it from there, never from a global), and Python code that
builds interface text asks for it with ``translations(language(request))``.
"""

from __future__ import annotations

import datetime
import io
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.units import format_unit
from babel.support import NullTranslations, Translations
from jinja2 import Environment, pass_context
from markupsafe import Markup
from jinja2.runtime import Context

from sherloc_kg.iris import parse_provision

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
#: The languages the interface is translated into (English is the source language).
CATALOGS = ("fr", "es", "ar", "zh", "ru", "nl")
#: Written right to left.
RIGHT_TO_LEFT = frozenset({"ar"})


def N_(message: str) -> str:
    """Marks ``message`` for extraction where it is defined (a constant), translated where shown."""
    return message


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The interface catalog of ``lang`` (English, or a language without one: the source texts)."""
    if lang not in CATALOGS:
        return NullTranslations()
    path = catalog_path(lang)
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out
    compiled.seek(0)
    return Translations(compiled, domain="messages")


def interface_language(lang: str) -> str:
    """The language the interface is shown in when ``lang`` is chosen: ``lang`` where there is a
    catalog, else English (German and Italian are chosen for the treaty texts the data has in them;
    the page is then in English, ``<html lang="en">``, each text in another language marked with its
    own ``lang``)."""
    return lang if lang in CATALOGS else "en"


def direction(lang: str) -> str:
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def number(value: int | float, lang: str, pattern: str | None = None) -> str:
    """``value`` written as ``lang`` writes numbers (1,234 · 1 234 · 1.234); ``pattern``, a CLDR
    number pattern (``#,##0.00``: two decimals), where the locale's own is not wanted."""
    return format_decimal(value, format=pattern, locale=_locale(lang))


def date(value: str | datetime.date | None, lang: str) -> str:
    """An ISO date (``2003-09-29``, or its first ten characters) written as ``lang`` writes dates;
    a year or a partial date is left as it is."""
    if not value:
        return ""
    if isinstance(value, datetime.date):
        return format_date(value, format="long", locale=_locale(lang))
    try:
        day = datetime.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return format_date(day, format="long", locale=_locale(lang))


def moment(value: datetime.datetime, lang: str) -> str:
    """An instant written as ``lang`` writes a date and time, in UTC (``7 December 2026, 12:45:09 UTC``)."""
    return format_datetime(value, format="long", tzinfo=datetime.timezone.utc, locale=_locale(lang))


#: Byte sizes in decimal units (a kilobyte is 1,000 bytes), as the CLDR names them.
_SIZE_UNITS = ((10 ** 9, "digital-gigabyte"), (10 ** 6, "digital-megabyte"), (10 ** 3, "digital-kilobyte"))


def size(count: int, lang: str) -> str:
    """A number of bytes in the largest unit it fills, one decimal, as ``lang`` writes it (``12.3 MB``,
    ``12,3 Mo``)."""
    for factor, unit in _SIZE_UNITS:
        if count >= factor:
            return format_unit(count / factor, unit, length="short", format="#,##0.#", locale=_locale(lang))
    return format_unit(count, "digital-byte", length="short", locale=_locale(lang))


def language_name(code: str, lang: str) -> str:
    """The name of the language ``code`` (ISO 639-1, ``fr``) in ``lang``, as the CLDR writes it
    (``French``, ``français``, ``الفرنسية``); the code itself where the CLDR has no name for it."""
    return _locale(lang).languages.get(code) or code


def listing(items: list[str], lang: str) -> str:
    """``items`` joined as ``lang`` writes a list (``English and French``, ``anglais et français``,
    ``英语和法语``); empty for none."""
    return format_list(list(items), locale=_locale(lang)) if items else ""


#: The locale of a language where it is not the language's default: the UN writes British English
#: (21 August 2002), and Chinese in simplified script.
_LOCALES = {"en": "en_GB", "zh": "zh_Hans"}


@lru_cache(maxsize=None)
def _locale(lang: str) -> Locale:
    return Locale.parse(_LOCALES.get(lang, lang))


#: How a provision of each kind is named (``Article 5``, ``Subparagraph (a)``), to translate.
_PART_LABELS = {"Article": N_("Article %(number)s"), "Paragraph": N_("Paragraph %(number)s"),
                "Subparagraph": N_("Subparagraph (%(number)s)"), "Item": N_("Item (%(number)s)")}
_PART_LABEL = N_("Part (%(number)s)")


def part_label(kind: str, number: str, lang: str) -> str:
    """``Article 5``, ``Paragraph 1``, ``Subparagraph (a)``... in ``lang``."""
    return translations(lang).gettext(_PART_LABELS.get(kind, _PART_LABEL)) % {"number": number}


def citation(reference: str, lang: str) -> str:
    """``untoc/art/5/1/a`` → ``Article 5 (1) (a)`` in ``lang`` (:func:`api.instruments.citation`)."""
    steps = reference.split("/")[2:]
    return part_label("Article", steps[0], lang) + "".join(f" ({step})" for step in steps[1:])


#: Short names of the instruments, in English, marked for translation (api/instruments.py reads them).
SHORT_TITLES = {"untoc": N_("Organized Crime Convention"), "tip": N_("Trafficking in Persons Protocol"),
                "som": N_("Smuggling of Migrants Protocol"), "fp": N_("Firearms Protocol")}


def provision_words(reference: str, lang: str) -> str:
    """A provision as a reader names it, in ``lang``: ``tip/art/3/a`` → ``Trafficking in Persons
    Protocol, Article 3 (a)``; a reference of no known instrument, its citation alone; a text that
    is no provision reference, as it is."""
    parsed = parse_provision(reference)
    if parsed is None or parsed.article is None:
        return reference
    code = reference.split("/", 1)[0]
    cited = citation(reference, lang)
    if code not in SHORT_TITLES:
        return cited
    gettext = translations(lang).gettext
    # the instrument and the article joined as the language punctuates a list (Arabic ،, Chinese ，)
    return gettext("%(instrument)s, %(provision)s") % {"instrument": gettext(SHORT_TITLES[code]), "provision": cited}


# The template's gettext callables: jinja2.ext.i18n (newstyle) wraps them once for the environment;
# each reads the catalog of the page being rendered from its context.

@pass_context
def _gettext(context: Context, message: str) -> str:
    return str(context["translations"].gettext(message))


@pass_context
def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
    return str(context["translations"].ngettext(singular, plural, count))


@pass_context
def _pgettext(context: Context, ctxt: str, message: str) -> str:
    return str(context["translations"].pgettext(ctxt, message))


@pass_context
def _npgettext(context: Context, ctxt: str, singular: str, plural: str, count: int) -> str:
    return str(context["translations"].npgettext(ctxt, singular, plural, count))


@pass_context
def _number_filter(context: Context, value: int | float) -> str:
    return number(value, context["interface_lang"])


@pass_context
def _date_filter(context: Context, value: str | datetime.date | None) -> Markup | str:
    """A date as the page's language writes it, in ``<time datetime="2002-08-21">`` (what a machine
    reads); a value that is no date, as it is."""
    shown = date(value, context["interface_lang"])
    try:
        iso = datetime.date.fromisoformat(str(value)[:10]).isoformat() if value else None
    except ValueError:
        iso = None
    return Markup('<time datetime="{}">{}</time>').format(iso, shown) if iso else shown


@pass_context
def _moment_filter(context: Context, value: datetime.datetime) -> Markup:
    """An instant as the page's language writes it, in ``<time datetime="...">``."""
    return Markup('<time datetime="{}">{}</time>').format(value.isoformat(), moment(value, context["interface_lang"]))


@pass_context
def _size_filter(context: Context, count: int) -> Markup:
    """A number of bytes in a unit (:func:`size`), the exact count in ``<data value="...">``."""
    return Markup('<data value="{}">{}</data>').format(count, size(count, context["interface_lang"]))


@pass_context
def _listing_filter(context: Context, items: list[str]) -> str:
    return listing(items, context["interface_lang"])


@pass_context
def _part_label(context: Context, node: object) -> str:
    return part_label(getattr(node, "kind", ""), getattr(node, "number", ""), context["interface_lang"])


@pass_context
def _citation(context: Context, reference: str) -> str:
    return citation(reference, context["interface_lang"])


@pass_context
def _provision_words(context: Context, reference: str) -> str:
    return provision_words(reference, context["interface_lang"])


def install(environment: Environment) -> None:
    """Give ``environment`` (with ``jinja2.ext.i18n``) the per-render gettext callables and the
    filters ``number``, ``date``, ``moment`` (a date and time), ``size`` (of bytes) and ``listing``
    (words joined as the language writes a list), and the functions ``part_label``, ``citation`` and
    ``provision_words`` (in the page's language)."""
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext)
    environment.filters["number"] = _number_filter
    environment.filters["date"] = _date_filter
    environment.filters["moment"] = _moment_filter
    environment.filters["size"] = _size_filter
    environment.filters["listing"] = _listing_filter
    environment.globals["part_label"] = _part_label
    environment.globals["citation"] = _citation
    environment.globals["provision_words"] = _provision_words
