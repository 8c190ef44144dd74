"""The explorer's interface in the six UN languages and Dutch (api/explorer/i18n.py): the catalogs
hold every interface string, translated; the pages the real application serves are in the language
asked for, Arabic right to left (in Chromium, without sideways scrolling); two requests in two
languages at once each get their own."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import httpx
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from sherloc_kg.api.explorer import i18n

from .browser import BrowserPage

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "api" / "locale" / "messages.pot"

#: Strings of the frame and the home page as each language shows them (translated by us, from
#: api/locale/*/LC_MESSAGES/messages.po): navigation, search button, footer, home heading.
EXPECTED = {
    "fr": ("Accueil", "Convention et Protocoles", "Rechercher", "Pays", "Tendances", "Langue",
           "Point d’accès SPARQL",
           "La Convention des Nations Unies contre la criminalité transnationale organisée, en données liées"),
    "es": ("Inicio", "Convención y Protocolos", "Buscar", "Países", "Tendencias", "Idioma",
           "Punto de acceso SPARQL",
           "La Convención de las Naciones Unidas contra la Delincuencia Organizada Transnacional, como datos enlazados"),
    "ar": ("الرئيسية", "الاتفاقية والبروتوكولات", "بحث", "البلدان", "الاتجاهات", "اللغة", "نقطة الوصول SPARQL",
           "اتفاقية الأمم المتحدة لمكافحة الجريمة المنظمة عبر الوطنية، في شكل بيانات مترابطة"),
    "zh": ("首页", "公约和议定书", "搜索", "国家", "趋势", "语言", "SPARQL 端点", "《联合国打击跨国有组织犯罪公约》：关联数据"),
    "ru": ("Главная", "Конвенция и протоколы", "Поиск", "Страны", "Тенденции", "Язык", "Точка доступа SPARQL",
           "Конвенция Организации Объединенных Наций против транснациональной организованной преступности в виде "
           "связанных данных"),
    "nl": ("Start", "Verdrag en Protocollen", "Zoeken", "Landen", "Trends", "Taal", "SPARQL-endpoint",
           "Het Verdrag van de Verenigde Naties tegen transnationale georganiseerde misdaad, als linked data"),
}


def _template() -> dict[str, object]:
    with TEMPLATE.open("rb") as pot:
        return {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(pot) if m.id}


def test_the_template_catalog_holds_every_marked_string() -> None:
    """messages.pot is what `make messages` extracts today: a string marked since is not missing
    from the catalogs unnoticed (and one no longer used is not kept)."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    extracted = {ids if isinstance(ids, str) else ids[0]
                 for _, _, ids, _, _ in extract_from_dir(str(REPO / "api"), method_map, options_map,
                                                         keywords={**DEFAULT_KEYWORDS, "N_": None})}
    assert extracted == set(_template()), "run `make messages` and translate what it adds"


@pytest.mark.parametrize("lang", i18n.CATALOGS)
def test_the_catalog_of_each_language_is_complete(lang: str) -> None:
    """Every message of the template catalog has a translation in ``lang``: present, not empty,
    not fuzzy, every plural form, and the same %(placeholders)s as the English."""
    with i18n.catalog_path(lang).open("rb") as po:
        catalog = read_po(po, locale=lang)
    assert catalog.num_plurals >= 1
    problems = []
    for key, source in _template().items():
        message = catalog.get(source.id)
        if message is None:
            problems.append(f"missing: {key!r}")
            continue
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(forms) or len(forms) != (catalog.num_plurals if message.pluralizable else 1):
            problems.append(f"untranslated, fuzzy or short of plural forms: {key!r}")
        wanted = set(re.findall(r"%\((\w+)\)s", source.id if isinstance(source.id, str) else source.id[1]))
        for form in forms:
            found = set(re.findall(r"%\((\w+)\)s", form))
            # a plural form may leave the number out ("قضية واحدة": one case), never add one
            if not found <= wanted or (not message.pluralizable and found != wanted):
                problems.append(f"placeholders {sorted(found)} where the English has {sorted(wanted)}: {key!r}")
    assert not problems, f"{lang}: " + "; ".join(problems[:20])
    assert not [m.id for m in catalog if m.id and m.id not in {s.id for s in _template().values()}], \
        f"{lang}: messages no longer in the template (run `make messages`)"


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_a_page_in_each_language_has_its_interface_translated(explorer: str, lang: str) -> None:
    response = httpx.get(explorer + "/", params={"lang": lang})
    assert response.status_code == 200
    page = unescape(response.text)
    assert f'<html lang="{lang}"' in page
    for text in EXPECTED[lang]:
        assert text in page, (lang, text)
    # the English of the frame is gone (the navigation's "Convention and Protocols", the footer)
    assert "Convention and Protocols" not in page and "Dataset and dumps" not in page
    # the number of triples is written the language's way (1 234 567 · 1.234.567 · 1,234,567)
    figure = re.search(r'<span class="triples">([^<]+)</span>', page)
    assert figure
    triples = int(re.sub(r"\D", "", figure.group(1)))
    assert triples > 1000 and figure.group(1) == format_decimal(triples, locale=lang)


def test_the_search_page_counts_with_the_language_plural_forms(explorer: str) -> None:
    """Russian has three plural forms: 1 запись, 2-4 записи, 5+ записей."""
    for lang, words in (("ru", ("Поиск: Судебная практика", "Применить фильтры", "Скачать CSV")),
                        ("fr", ("Recherche : Jurisprudence", "Appliquer les filtres", "Télécharger en CSV"))):
        page = unescape(httpx.get(explorer + "/explore/search/cases", params={"lang": lang}).text)
        for word in words:
            assert word in page, (lang, word)
        total = re.search(r'<strong id="total">([^<]+)</strong>([^<]*)', page)
        assert total
        count = int(re.sub(r"\D", "", total.group(1)))
        assert count > 1000
        if lang == "ru":
            expected = "записей" if count % 100 in range(11, 15) or count % 10 in (0, 5, 6, 7, 8, 9) else (
                "запись" if count % 10 == 1 else "записи")
            assert total.group(2).startswith(f" {expected}; показаны 1–"), total.group(2)
        else:
            assert total.group(2).startswith(" fiches ; affichage 1–"), total.group(2)


def test_a_country_page_and_a_provision_page_in_french(explorer: str) -> None:
    country = unescape(httpx.get(explorer + "/explore/countries/ALB", params={"lang": "fr"}).text)
    for text in ("Participation à la Convention et à ses Protocoles", "Consentement à être lié",
                 "Autorités nationales compétentes", "Fil d’Ariane"):
        assert text in country, text
    # a date of the participation table, the French way, with the ISO date for machines
    assert '<time datetime="2002-08-21">21 août 2002</time>' in country
    provision = unescape(httpx.get(explorer + "/explore/instruments/untoc/art/5", params={"lang": "fr"}).text)
    assert "<h1>Article 5" in provision
    for text in ("Législation nationale qui la met en œuvre", "Jurisprudence", "Données et requêtes"):
        assert text in provision, text


def test_a_text_missing_in_the_language_falls_back_to_english_with_a_mark_in_that_language(explorer: str) -> None:
    page = unescape(httpx.get(explorer + "/explore/instruments/untoc/art/5", params={"lang": "zh"}).text)
    assert '<p class="fallback">（English；无中文版本）</p>' in page
    assert '<span class="provision-text" lang="en">Each State Party shall adopt' in page
    assert "<h1>第5条" in page


def test_a_language_without_a_catalog_has_the_english_interface_and_its_texts_marked(explorer: str) -> None:
    """German is offered for the treaty texts the data has in it; the interface has no German
    catalog: the page says it is English, and each German text says it is German."""
    page = httpx.get(explorer + "/explore/instruments/untoc/art/5", params={"lang": "de"}).text
    assert '<html lang="en">' in page and "Convention and Protocols" in page
    assert '<span class="provision-text" lang="de">' in page


def test_error_pages_are_in_the_language_too(explorer: str) -> None:
    missing = httpx.get(explorer + "/explore/no-such-page", params={"lang": "es"})
    assert missing.status_code == 404
    assert "<h1>Página no encontrada</h1>" in missing.text and "Saltar al contenido" in missing.text
    unknown = httpx.get(explorer + "/id/case/NO-SUCH-CASE", params={"lang": "ru"}, headers={"Accept": "text/html"})
    assert unknown.status_code == 404
    assert "<h1>Не найдено</h1>" in unknown.text and "здесь неизвестен" in unknown.text


def test_arabic_pages_are_right_to_left_and_others_are_not(explorer: str) -> None:
    assert '<html lang="ar" dir="rtl">' in httpx.get(explorer + "/", params={"lang": "ar"}).text
    for lang in ("en", "fr", "zh"):
        assert 'dir="rtl"' not in httpx.get(explorer + "/", params={"lang": lang}).text


def test_two_requests_in_two_languages_at_once_each_get_their_own(explorer: str) -> None:
    """The catalog is chosen per request (the template context), never installed globally: many
    requests in French and in Chinese served together by the server's threads each come back in
    their own language, never in the other's."""
    def fetch(lang: str) -> tuple[str, str]:
        return lang, httpx.get(explorer + "/explore/countries", params={"lang": lang}, timeout=120).text

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, ["fr", "zh"] * 8))
    for lang, page in answers:
        own, other = ("Pays et juridictions", "国家和管辖区") if lang == "fr" else ("国家和管辖区", "Pays et juridictions")
        assert own in page and other not in page, lang


@pytest.mark.parametrize("path", ["/", "/explore/search/cases", "/explore/countries/ALB",
                                  "/explore/instruments/untoc/art/5", "/dataset"])
def test_arabic_pages_in_chromium_are_right_to_left_without_sideways_scrolling(
        browser_page: BrowserPage, path: str) -> None:
    browser_page.goto(path + "?lang=ar")
    page = browser_page.page
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # the navigation starts on the right: its first item is to the right of its last
    items = page.locator("header.site nav li")
    first, last = items.first.bounding_box(), items.last.bounding_box()
    assert first and last and first["x"] > last["x"]
    # nothing sticks out sideways (the skip link is moved off screen to the right, not the left)
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    browser_page.screenshot("arabic" + path.replace("/", "-"))


# -- the article 32 pages (gap matrix, implementation profile, data quality) ----------------------

def _page(explorer: str, path: str, lang: str, **params: str) -> str:
    response = httpx.get(explorer + path, params={"lang": lang, **params}, timeout=120)
    assert response.status_code in (200, 400), (path, response.status_code)
    return unescape(response.text)


#: Each page's interface sentences in English (none must be left in a translated rendering) and
#: what the French and the Arabic renderings say instead.
ARTICLE_32 = {
    "/explore/gaps": (
        ("Gap matrix: States × articles", "Heat map", "Gaps (weighted)", "gap on a mandatory article",
         "The gaps, State by State, mandatory articles first", "Participation recorded in the store:",
         "These are gaps in the database, not proof that a State has not acted", "All four", "Review cluster"),
        {"fr": ("<h1>Matrice des lacunes : États × articles</h1>", "Carte thermique", "Lacunes (pondérées)",
                "lacune sur un article obligatoire", "Les lacunes, État par État, articles obligatoires d’abord",
                "Les quatre", "Groupe d’examen", "Toutes les régions"),
         "ar": ("<h1>مصفوفة الثغرات: الدول × المواد</h1>", "الخريطة الحرارية", "الثغرات (مرجّحة)",
                "ثغرة في مادة إلزامية", "الصكوك الأربعة", "مجموعة الاستعراض")}),
    "/explore/countries/XAA/implementation": (
        ("What the graph records about how", "Latest self-assessment", "National provisions", "Obligation types are read",
         "Implementation profile: ", "Download:", "evidence found"),
        {"fr": ("Profil d’application : ", "Dernière auto-évaluation", "Dispositions nationales", "Obligatoire",
                "Télécharger :", "éléments trouvés"),
         "ar": ("ملف التنفيذ: ", "آخر تقييم ذاتي", "الأحكام الوطنية", "إلزامية", "تنزيل:", "عُثر على أدلة")}),
    "/explore/countries/BRA/quality": (
        ("Data quality: ", "Cases without a decision date", "Severity", "Findings", "The conditions the SHACL shapes"),
        {"fr": ("<h1>Qualité des données : ", "Affaires sans date de décision", "Gravité", "Constats",
                "avertissement", "Les conditions que les formes SHACL"),
         "ar": ("<h1>جودة البيانات: ", "قضايا بلا تاريخ قرار", "الخطورة", "تحذير")}),
}


@pytest.mark.parametrize("path", sorted(ARTICLE_32))
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_article_32_pages_in_french_and_arabic(explorer: str, path: str, lang: str) -> None:
    english, translated = ARTICLE_32[path]
    page = _page(explorer, path, lang)
    assert f'<html lang="{lang}"' in page and ('dir="rtl"' in page) == (lang == "ar")
    for text in translated[lang]:
        assert text in page, (lang, path, text)
    for text in english:
        assert text not in page, (lang, path, text)
    # in English, as before
    assert all(text in _page(explorer, path, "en") for text in english[:3])


def test_the_participation_sentences_and_dates_are_in_the_language(explorer: str) -> None:
    """What the store records of participation (api/implementation.py coverage_sentence), said in the
    page's language on the gap matrix, the implementation profile and the country page; the dates of
    the gap matrix written the language's way."""
    for path in ("/explore/gaps", "/explore/countries/ALB/implementation", "/explore/countries/ALB"):
        arabic, french = _page(explorer, path, "ar"), _page(explorer, path, "fr")
        assert "سُجّلت المشاركة في الاتفاقية استناداً إلى جدول حالة الاتفاقية في مجموعة معاهدات الأمم المتحدة" in arabic, path
        assert "Participation enregistrée pour la Convention d’après la table de l’état des traités" in french, path
        assert re.search(r"au \d{1,2}(er)? [a-zéû]+ \d{4}, couvrant \d+ participants", french), path
        for page in (arabic, french):
            assert "Participation in UNTOC is recorded" not in page and "For any other State" not in page, path
        assert "Participation in UNTOC is recorded from the UN Treaty Collection status table of UNTOC as at" in \
            _page(explorer, path, "en"), path
    french = _page(explorer, "/explore/gaps", "fr")
    assert re.search(r"partie depuis le \d{1,2}(er)? [a-zéû]+ \d{4}", french)
    assert "party since" not in french


def test_a_bad_filter_is_said_in_the_language(explorer: str) -> None:
    page = _page(explorer, "/explore/gaps", "fr", instrument="nope")
    assert "<h1>Filtre non valide</h1>" in page and "La matrice des lacunes sans filtres" in page
    assert "Bad filter" not in page


# -- the trends page and its charts ----------------------------------------------------------------

TRENDS_ENGLISH = ("Cases per year by crime type", "Elements of trafficking in persons per year",
                  "Transnational and internal cases per year, where known", "Stacked bars: for each year",
                  "The data has no “transnational” flag", "Query behind this chart:", "All States",
                  "Step lines, one per instrument", "Parties over time")


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ("<h1>Tendances</h1>", "Affaires par année et par type d’infraction", "Barres empilées : pour chaque année",
            "Éléments de la traite des personnes par année", "Lignes en escalier, une par instrument",
            "Les données ne comportent aucun indicateur « transnational »", "Tous les États", " (sur ")),
    ("ar", ("<h1>الاتجاهات</h1>", "القضايا حسب السنة ونوع الجريمة", "أشرطة مكدسة", "عناصر الاتجار بالأشخاص حسب السنة",
            "جميع الدول", " (من أصل ")),
])
def test_the_trends_page_and_its_charts_in_french_and_arabic(explorer: str, lang: str, words: tuple[str, ...]) -> None:
    page = _page(explorer, "/explore/trends", lang)
    for text in words:
        assert text in page, (lang, text)
    for text in TRENDS_ENGLISH:
        assert text not in page, (lang, text)
    # the charts' tooltips count in the language ("12 affaires", not "12 cases")
    tooltips = re.findall(r"<title>([^<]*)</title>", page)
    assert tooltips and not [t for t in tooltips if re.search(r"\d cases?\b|\(of ", t)], tooltips[:5]
    english = _page(explorer, "/explore/trends", "en")
    assert all(text in english for text in TRENDS_ENGLISH[:4])


# -- signing in and the review upload form ---------------------------------------------------------

FORMS = {
    "/explore/sign-in": (
        ("Your token", "A session lasts eight hours", "Officials, submitters, editors and administrators sign in"),
        {"fr": ("<h1>Se connecter</h1>", "Votre jeton", "Une session dure huit heures"),
         "ar": ("<h1>تسجيل الدخول</h1>", "رمزك المميز", "تدوم الجلسة ثماني ساعات")}),
    "/explore/review/submit": (
        ("Upload and check", "The CSV file", "a stable id of the answer", "CSV file of answers", "Your bearer token",
         "The token is sent with this form only"),
        {"fr": ("<h1>Soumettre des réponses d’auto-évaluation (CSV)</h1>", "Téléverser et vérifier", "Le fichier CSV",
                "un identifiant stable de la réponse", "Fichier CSV des réponses", "modèle CSV"),
         "ar": ("<h1>تقديم إجابات التقييم الذاتي (CSV)</h1>", "الرفع والتحقق", "ملف CSV للإجابات", "معرّف ثابت للإجابة")}),
}


@pytest.mark.parametrize("path", sorted(FORMS))
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_sign_in_and_review_upload_forms_in_french_and_arabic(explorer: str, path: str, lang: str) -> None:
    english, translated = FORMS[path]
    page = _page(explorer, path, lang)
    for text in translated[lang]:
        assert text in page, (lang, path, text)
    for text in english:
        assert text not in page, (lang, path, text)
    assert all(text in _page(explorer, path, "en") for text in english)


# -- the SPARQL workbench and the SPARQL editor ------------------------------------------------------

def test_the_sparql_workbench_in_french_and_arabic(explorer: str) -> None:
    english = ("Ask the knowledge graph in", "Run query", "Named queries", "Parameters", "(required)", "Results",
               "The query, to edit as a query of your own", "Ctrl+Enter runs it too")
    for lang, words in (("fr", ("Interrogez le graphe de connaissances", "Exécuter la requête", "Requêtes nommées",
                                "Paramètres", "(obligatoire)", "Résultats", "Exécuter cases-of-country")),
                        ("ar", ("استعلم عن الرسم البياني المعرفي", "تشغيل الاستعلام", "الاستعلامات المسماة", "المعلمات",
                                "(مطلوب)", "النتائج"))):
        page = _page(explorer, "/explore/sparql", lang, query="cases-of-country", country="ALB")
        for text in words:
            assert text in page, (lang, text)
        for text in english:
            assert text not in page, (lang, text)
        # the named queries' titles and descriptions are English data, marked so
        assert re.search(r'<dd lang="en" dir="ltr">[^<]+</dd>', page)
        # the count of rows in the language's words
        if lang == "fr":
            assert re.search(r'<strong id="row-count">[^<]+</strong> lignes?\.</p>', page)
        else:
            assert 'عدد الصفوف: <strong id="row-count">' in page
    english_page = _page(explorer, "/explore/sparql", "en", query="cases-of-country", country="ALB")
    assert all(text in english_page for text in english)
    assert re.search(r'<strong id="row-count">[\d,]+</strong> rows?\.</p>', english_page)


def test_the_sparql_editor_page_in_french_and_arabic(explorer: str) -> None:
    english = ("SPARQL editor", "Named queries", "What it answers", "The graphs you can query")
    for lang, words in (("fr", ("<h1>Éditeur SPARQL</h1>", "Requêtes nommées", "Ce à quoi elle répond",
                                "Les graphes que vous pouvez interroger")),
                        ("ar", ("<h1>محرر SPARQL</h1>", "الاستعلامات المسماة", "ما يجيب عنه"))):
        page = _page(explorer, "/explore/sparql/editor", lang)
        for text in words:
            assert text in page, (lang, text)
        for text in english:
            assert text not in page, (lang, text)
    assert all(text in _page(explorer, "/explore/sparql/editor", "en") for text in english)


# -- the Linked Data pages of /id/... ----------------------------------------------------------------

LINKED_DATA = {
    # a case: its links out, the way to its reader page
    "/id/case/ALB001": (
        ("Links from this", "Also as:", "Read the case page", "Neighbourhood of", "What links to this (left)"),
        {"fr": ("Liens depuis cette ressource", "Aussi en :", "Lire la page de l’affaire", "Voisinage de",
                'aria-label="Fil d’Ariane"', '<a href="/explore/search/cases">Jurisprudence</a>'),
         "ar": ("الروابط منه", "متاح أيضاً بصيغة:", "اقرأ صفحة القضية", "محيط ")}),
    # a country: the links to it (its cases), counted, and the way to its profile
    "/id/country/ALB": (
        ("Links to this (", "Country profile"),
        {"fr": ("Liens vers cette ressource (", "Profil du pays"), "ar": ("الروابط إليه (", "ملف البلد")}),
}


@pytest.mark.parametrize("path", sorted(LINKED_DATA))
@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_linked_data_page_has_its_interface_in_french_and_arabic(explorer: str, path: str, lang: str) -> None:
    """The words around the data (headings, links, the neighbourhood picture) in the language; the
    data's own labels stay as the data gives them."""
    english, translated = LINKED_DATA[path]

    def fetch(language: str) -> str:
        response = httpx.get(explorer + path, params={"lang": language}, headers={"Accept": "text/html"}, timeout=120)
        assert response.status_code == 200
        return unescape(response.text)

    page = fetch(lang)
    assert f'<html lang="{lang}"' in page
    for text in translated[lang]:
        assert text in page, (lang, path, text)
    for text in english:
        assert text not in page, (lang, path, text)
    english_page = fetch("en")
    assert all(text in english_page for text in english)
