"""The review questionnaire in the browser (issue 18, item 3; api/explorer/questionnaire.py,
api/review_questionnaire.py), over real HTTP on the real application and an embedded Oxigraph
store with the examples: a signed-in submitter of Aurelia (XAA) sees the Convention's articles in
words, prefilled with the State's answers; a refused submission shows every problem of every
answer at its field with what was typed, and stores nothing; an accepted one is a version the API
serves; another State's submitter, a forged form and the public are refused; an official publishes.
And one Chromium run of the form, in English, French and Arabic."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import httpx
import pytest

from sherloc_kg.access import Tokens
from sherloc_kg.api.app import create_app
from sherloc_kg.config import Settings
from sherloc_kg.store.embedded import EmbeddedStore

from .browser import TIMEOUT_MS
from .servers import serving
from .test_review_submissions import snapshot
from .test_search_api import examples_store

PAGE = "/explore/review/questionnaire"
QUESTIONS = PAGE + "?country=XAA&instrument=untoc"


@dataclass
class Site:
    url: str
    store: EmbeddedStore
    tokens: dict[str, str]


@pytest.fixture(scope="module")
def site(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    store = examples_store(settings)
    token_file = Path(tmp_path_factory.mktemp("questionnaire-tokens")) / "tokens.json"
    tokens = Tokens(token_file)
    made = {"submitter-XAA": tokens.create("submitter", country="XAA", name="Aurelia expert"),
            "submitter-XAB": tokens.create("submitter", country="XAB", name="Borealis expert"),
            "official-XAA": tokens.create("official", country="XAA", name="Aurelian official"),
            "admin": tokens.create("admin", name="an administrator")}
    with serving(create_app(settings.with_(tokens=token_file), store=store)) as url:
        yield Site(url, store, made)


@contextmanager
def signed_in(site: Site, who: str) -> Iterator[httpx.Client]:
    """A client signed in (a session cookie) with the token of ``who``."""
    with httpx.Client(base_url=site.url, timeout=120) as client:
        form = client.get("/explore/sign-in")
        check = re.search(r'name="check" value="([^"]+)"', form.text)[1]
        answer = client.post("/explore/sign-in", data={"token": site.tokens[who], "next": QUESTIONS, "check": check})
        assert answer.status_code == 303, answer.text[:300]
        yield client


def form_of(page: str) -> dict[str, str]:
    """The hidden fields of the questionnaire's form (csrf, country, instrument) and its date."""
    fields = dict(re.findall(r'<input type="hidden" name="(csrf|country|instrument)" value="([^"]*)"', page))
    fields["date"] = re.search(r'name="date" value="([^"]*)"', page)[1]
    return fields


def prefilled(page: str) -> dict[str, list[str]]:
    """Every answer field of the questionnaire as the page shows it, as a browser posts them."""
    fields = {name: [unescape(value)] for name, value in
              re.findall(r'<input id="q\d+-measures" name="(q\d+-measures)" value="([^"]*)"', page)}
    fields |= {name: [unescape(text)] for name, text in
               re.findall(r'<textarea id="q\d+-\w+" name="(q\d+-\w+)"[^>]*>(.*?)</textarea>', page, re.S)}
    for name, options in re.findall(r'<select id="q\d+-\w+" name="(q\d+-\w+)"[^>]*>(.*?)</select>', page, re.S):
        fields[name] = re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', options)
    return fields


def index_of(page: str, legend: str) -> int:
    """The question number of the fieldset whose legend begins with ``legend`` (Article 5...)."""
    return int(re.search(r'<fieldset class="question" id="q(\d+)"[^>]*>\s*<legend>' + re.escape(legend), page)[1])


def mark() -> str:
    return "MARK" + uuid.uuid4().hex[:10].upper()


def test_a_signed_in_submitter_sees_its_states_articles_in_words(site: Site) -> None:
    with signed_in(site, "submitter-XAA") as client:
        page = client.get(QUESTIONS)
        assert page.status_code == 200 and 'lang="en"' in page.text
        text = unescape(page.text)
        # one fieldset per article, numbered and titled in words, never by a code
        assert text.count('<fieldset class="question"') >= 41
        assert re.search(r"<legend>Article 5: <span>Criminalization of participation in an organized criminal group",
                         text), text[:2000]
        shown = re.sub(r'<[^>]+>', " ", text)
        assert "untoc/art" not in shown and "https://w3id.org" not in text.split("<main", 1)[1]
        # the status select in words, the State's answers prefilled (its unpublished one about tip art. 5 too)
        assert '<option value="partially-implemented">Partially implemented</option>' in text
        assert "Article 5 (1) (a): Implemented" in text and "Published answer" in text
        assert 'href="/explore/review/submit"' in text
        tip = unescape(client.get(PAGE + "?country=XAA&instrument=tip").text)
        q = index_of(tip, "Article 5")
        assert re.search(rf'<select id="q{q}-status"[^>]*>.*?<option value="partially-implemented" selected>', tip, re.S)
        assert "limited specialised prosecutors" in tip   # the unpublished difficulties, prefilled
        # the JSON twin holds the same questions
        data = client.get("/api/review/questionnaire?country=XAA&instrument=tip").json()
        assert data["questions"][q]["answer"]["id"] == "XAA-review-tip-art-5" and data["may_submit"] is True


#: What the page says of each wrong field, quoting what was typed, as each language says it.
SAYS = {"en": {"no status": "Choose one of the implementation statuses listed.",
               "forged status": "“partly” is not in the list. Choose one of the implementation statuses listed.",
               "forged need": "“flying-cars” is not in the list.",
               "unknown measure": "“XAA-no-such-law#999” is not a provision of a law in the legislation database",
               "unreadable measure": "“not a measure” is not written as a measure",
               "date": "“2024-13-45” is not a date: write it as YYYY-MM-DD"},
        "fr": {"no status": "Choisissez l’un des états de mise en œuvre proposés.",
               "forged status": "« partly » ne figure pas dans la liste. Choisissez l’un des états de mise en œuvre "
                                "proposés.",
               "forged need": "« flying-cars » ne figure pas dans la liste.",
               "unknown measure": "« XAA-no-such-law#999 » n’est pas une disposition d’une loi de la base",
               "unreadable measure": "« not a measure » n’est pas écrit comme une mesure",
               "date": "« 2024-13-45 » n’est pas une date : écrivez-la sous la forme AAAA-MM-JJ"}}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_several_wrong_answers_show_every_problem_at_its_field_with_what_was_typed_and_store_nothing(
        site: Site, lang: str) -> None:
    """Three answers, five wrong fields (one of them twice): every problem at once, in words, on one round trip."""
    with signed_in(site, "submitter-XAA") as client:
        page = client.get(QUESTIONS + f"&lang={lang}").text
        six, seven, eight = index_of(page, "Article 6"), index_of(page, "Article 7"), index_of(page, "Article 8")
        typed_practices, typed_measures = f"[Illustrative] Practice {mark()}", "XAA-no-such-law#999 | not a measure"
        before = snapshot(site.store)
        answer = client.post(PAGE + f"?lang={lang}", data={
            **form_of(page), "date": "2024-13-45",
            f"q{six}-practices": typed_practices,  # and no status: refused
            f"q{seven}-status": "implemented", f"q{seven}-measures": typed_measures,
            f"q{seven}-assistance_needs": "flying-cars",  # a forged choice
            f"q{eight}-status": "partly"})  # a forged choice: not in the list
        assert answer.status_code == 422, answer.text[:500]
        assert snapshot(site.store) == before
        text = unescape(answer.text)
        says = SAYS[lang]

        def errors(q: int | str, field: str) -> str:
            found = re.search(rf'<ul class="field-error error" id="q{q}-{field}-error">(.*?)</ul>', text, re.S)
            assert found, (q, field, text[:3000])
            return found[1]
        assert says["no status"] in errors(six, "status") and says["forged status"] in errors(eight, "status")
        assert says["forged need"] in errors(seven, "assistance_needs")
        assert says["unknown measure"] in errors(seven, "measures")
        assert says["unreadable measure"] in errors(seven, "measures")
        assert errors("-1", "date").count(says["date"]) == 3   # the one date field, for each of the three answers
        assert re.search(rf'<select id="q{eight}-status"[^>]*>.*?<option value="partly" selected>partly</option>', text,
                         re.S)
        assert f'aria-describedby="q{six}-status-error"' in text
        # what was typed, echoed in its field; no internal IRI anywhere in the page's main part
        assert f">{typed_practices}</textarea>" in text
        assert f'name="q{seven}-measures" value="{typed_measures}"' in text
        assert re.search(rf'<select id="q{seven}-status"[^>]*>.*?<option value="implemented" selected>', text, re.S)
        assert "https://w3id.org" not in text.split("<main", 1)[1] and "vocab/" not in text


def test_a_valid_submission_is_stored_as_a_version_the_api_serves(site: Site) -> None:
    with signed_in(site, "submitter-XAA") as client:
        page = client.get(QUESTIONS).text
        q = index_of(page, "Article 6")
        practices = f"[Illustrative] Invented practice {mark()}"
        answer = client.post(PAGE, data={**form_of(page), f"q{q}-status": "partially-implemented",
                                         f"q{q}-measures": "XAA-penal-code#150", f"q{q}-practices": practices,
                                         f"q{q}-assistance_needs": "training"})
        assert answer.status_code == 201, answer.text[:2000]
        text = unescape(answer.text)
        assert "1 answer stored" in text and "Article 6" in text
        link = re.search(r'href="(/api/review/submissions/[^"]+)"', text)[1]
        stored = client.get(link).json()
        assert stored["answer"]["practices"] == practices and stored["versions"][-1]["practices"] == practices
        assert stored["answer"]["id"] == "XAA-review-untoc-art-6" and stored["versions"][-1]["version"] >= 1
        # the page now shows the answer as it is stored
        again = unescape(client.get(QUESTIONS).text)
        assert f">{practices}</textarea>" in again


def test_an_admin_chooses_the_state_by_its_name(site: Site) -> None:
    with signed_in(site, "admin") as client:
        chooser = unescape(client.get(PAGE).text)
        assert re.search(r'<select id="choose-country" name="country" required>.*<option value="XAA">Aurelia', chooser, re.S)
        assert 'class="review-questionnaire"' not in chooser
        page = unescape(client.get(QUESTIONS).text)
        assert "<h1>Review questionnaire: Aurelia" in page and 'class="review-questionnaire"' in page
        assert "you may not submit" not in page


def test_another_states_submitter_is_refused(site: Site) -> None:
    with signed_in(site, "submitter-XAB") as client:
        page = client.get(QUESTIONS).text
        assert "you may not submit answers for this State" in page
        before = snapshot(site.store)
        q = index_of(page, "Article 6")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        answer = client.post(PAGE, data={"csrf": csrf, "country": "XAA", "instrument": "untoc", "date": "2024-05-01",
                                         f"q{q}-status": "implemented"})
        assert answer.status_code == 403 and "Nothing was stored" in answer.text
        assert snapshot(site.store) == before


def test_a_forged_form_without_the_csrf_token_is_refused(site: Site) -> None:
    with signed_in(site, "submitter-XAA") as client:
        page = client.get(QUESTIONS).text
        q = index_of(page, "Article 6")
        before = snapshot(site.store)
        fields = {k: v for k, v in form_of(page).items() if k != "csrf"}
        for forged in (fields, {**fields, "csrf": "not-the-token"}):
            answer = client.post(PAGE, data={**forged, f"q{q}-status": "implemented"})
            assert answer.status_code == 403, answer.status_code
        assert snapshot(site.store) == before


def test_the_public_is_led_to_sign_in_and_back(site: Site) -> None:
    with httpx.Client(base_url=site.url, timeout=60) as client:
        page = client.get(QUESTIONS)
        assert page.status_code == 200 and 'class="review-questionnaire"' not in page.text
        assert 'href="/explore/sign-in?next=%2Fexplore%2Freview%2Fquestionnaire%3Fcountry%3DXAA%26instrument%3Duntoc"' \
            in page.text
        refused = client.post(PAGE, data={"country": "XAA", "instrument": "untoc", "q0-status": "implemented"})
        assert refused.status_code == 401 and "/explore/sign-in?next=" in refused.text


def test_an_official_publishes_an_answer_of_its_state(site: Site) -> None:
    with signed_in(site, "official-XAA") as client:
        page = client.get(PAGE + "?country=XAA&instrument=tip").text
        assert "Publish the answer about Article 5" in unescape(page)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
        done = client.post(PAGE + "/publish", data={"csrf": csrf, "id": "XAA-review-tip-art-5", "country": "XAA",
                                                     "instrument": "tip"})
        assert done.status_code == 303
        assert httpx.get(site.url + "/api/review/submissions/XAA-review-tip-art-5").json()["answer"]["published"] is True
        refused = client.post(PAGE + "/publish", data={"id": "XAA-review-tip-art-5", "country": "XAA"})
        assert refused.status_code == 403


def test_an_official_withdraws_a_published_answer_and_comes_back_to_the_page(site: Site) -> None:
    """The examples' published answer about Article 5 (1) (a) (loaded from a file: no versions)."""
    answer_id, button = "XAA-review-untoc-art-5-1-a", "Withdraw the answer about Article 5 (1) (a) from the public"
    public = site.url + "/api/review/submissions?country=XAA"
    with signed_in(site, "submitter-XAA") as client:
        assert button not in unescape(client.get(QUESTIONS).text)  # a submitter does not withdraw
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get(QUESTIONS).text)[1]
        refused = client.post(PAGE + "/withdraw", data={"csrf": csrf, "id": answer_id, "country": "XAA"})
        assert refused.status_code == 403 and "submitter" in unescape(refused.text)
    with signed_in(site, "official-XAA") as client:
        page = client.get(QUESTIONS).text
        assert button in unescape(page)
        form = re.search(r'<form id="(withdraw-[^"]+)" method="post" action="([^"]+)" hidden>(.*?)</form>', page, re.S)
        assert form[2] == PAGE + "/withdraw" and f'name="id" value="{answer_id}"' in form[3]
        assert f'form="{form[1]}"' in page  # the button submits that form
        fields = dict(re.findall(r'name="(csrf|id|country|instrument)" value="([^"]*)"', form[3]))
        before = snapshot(site.store)
        for forged in ({k: v for k, v in fields.items() if k != "csrf"}, {**fields, "csrf": "not-the-token"}):
            assert client.post(PAGE + "/withdraw", data=forged).status_code == 403
        assert snapshot(site.store) == before
        done = client.post(PAGE + "/withdraw", data=fields)
        assert done.status_code == 303 and "withdrawn=" in done.headers["location"]
        back = client.get(done.headers["location"])
        assert "The answer was withdrawn: it is no longer public." in unescape(back.text)
        assert button not in unescape(back.text) and "Publish the answer about Article 5 (1) (a)" in unescape(back.text)
        assert answer_id not in {a["id"] for a in httpx.get(public).json()["answers"]}
        again = client.post(PAGE + "/withdraw", data=fields)  # not published any more: said so on the page
        assert again.status_code == 409 and "is not published" in unescape(again.text)
        # and published again from the page
        published = client.post(PAGE + "/publish", data=fields)
        assert published.status_code == 303
        assert answer_id in {a["id"] for a in httpx.get(public).json()["answers"]}


def test_a_withdrawn_answer_shows_as_withdrawn_to_the_official_and_to_the_public(site: Site) -> None:
    """Submitted, published, then withdrawn: its officials see when and by whom, with its history;
    the public sees it withdrawn on the implementation profile, in words and dates of its language,
    with the published version kept readable."""
    practices = f"[Illustrative] Withdrawn practice {mark()}"
    with signed_in(site, "official-XAA") as client:
        page = client.get(QUESTIONS).text
        q = index_of(page, "Article 11")
        stored = client.post(PAGE, data={**prefilled(page), **form_of(page), f"q{q}-status": "not-implemented",
                                         f"q{q}-practices": practices})
        assert stored.status_code == 201, stored.text[:2000]
        fields = {**{k: v for k, v in form_of(page).items() if k != "date"}, "id": "XAA-review-untoc-art-11"}
        assert client.post(PAGE + "/publish", data=fields).status_code == 303
        assert client.post(PAGE + "/withdraw", data=fields).status_code == 303
        today = datetime.now(timezone.utc).date().isoformat()
        text = unescape(client.get(QUESTIONS).text)
        fieldset = text.split(f'<fieldset class="question" id="q{q}"', 1)[1].split("</fieldset>", 1)[0]
        assert f'Withdrawn from the public on <time datetime="{today}">' in fieldset, fieldset[:2000]
        assert "by an official of the State." in fieldset and "Unpublished answer" in fieldset
        assert re.search(rf'<li>Published on <time datetime="{today}">[^<]+</time> \(version 1\); withdrawn on '
                         rf'<time datetime="{today}">', fieldset), fieldset[:2000]
        data = client.get("/api/review/questionnaire?country=XAA&instrument=untoc").json()
        assert data["questions"][q]["answer"]["withdrawals"][0]["withdrawn_by"] == "official"
    with httpx.Client(base_url=site.url, timeout=60) as public:
        profile = unescape(public.get("/explore/countries/XAA/implementation?lang=fr").text)
        assert re.search(rf'Article 11 : réponse retirée le <time datetime="{today}">[^<]*\d{{4}}</time>\.', profile), \
            profile[:3000]
        assert re.search(rf'Telle que publiée le <time datetime="{today}">[^<]+</time>, conservée comme historique : '
                         rf'non appliqué\. {re.escape(practices)}', profile)
        article = next(a for a in public.get("/api/countries/XAA/implementation").json()["articles"]
                       if a["article"] == "untoc/art/11")
        assert article["withdrawals"][0]["version"] == 1 and article["withdrawals"][0]["practices"] == practices


#: The page's heading and a status choice, as each language shows them.
WORDS = {"en": ("Review questionnaire", "Partially implemented", "Choose one of the implementation statuses listed."),
         "fr": ("Questionnaire d’examen", "Partiellement mis en œuvre",
                "Choisissez l’un des états de mise en œuvre proposés."),
         "ar": ("استبيان الاستعراض", "منفَّذ جزئيًا", "اختر إحدى حالات التنفيذ المدرجة.")}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_form_in_chromium_shows_the_problem_at_its_field(site: Site, browser, lang: str) -> None:
    context = browser.new_context(base_url=site.url, locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(f"/explore/sign-in?lang={lang}")
        page.fill("#token", site.tokens["submitter-XAA"])
        page.click("form.sign-in button[type=submit]")
        page.goto(QUESTIONS + f"&lang={lang}")
        html = page.locator("html")
        assert html.get_attribute("lang") == lang
        assert html.get_attribute("dir") == ("rtl" if lang == "ar" else None)
        # the interface and the status choices in the page's language (the review-status vocabulary's labels)
        assert page.locator("h1").inner_text().startswith(WORDS[lang][0])
        assert WORDS[lang][1] in page.locator("select[name='q0-status'] option").all_inner_texts()
        fieldset = page.locator("fieldset#q8")   # the Convention's ninth article, not answered by the other tests
        assert fieldset.locator("legend").inner_text().startswith({"en": "Article 9", "fr": "Article 9", "ar": "المادة 9"}[lang])
        typed = f"[Illustrative] {mark()}"
        fieldset.locator("textarea[name$='-practices']").fill(typed)
        page.click("form.review-questionnaire > p > button[type=submit]")
        error = fieldset.locator("ul.field-error[id$='-status-error']")
        assert error.is_visible() and error.inner_text().strip() == WORDS[lang][2]
        assert fieldset.locator("textarea[name$='-practices']").input_value() == typed
        status = fieldset.locator("select[name$='-status']")
        assert status.get_attribute("aria-invalid") == "true"
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text().startswith(WORDS[lang][0])
    finally:
        context.close()


def csv_upload(client: httpx.Client, data: dict[str, str], practices: str) -> httpx.Response:
    text = ("id,country,provision,status,practices,date\r\n"
            f"XAA-review-untoc-art-7,XAA,untoc/art/7,implemented,{practices},2024-05-01\r\n")
    return client.post("/explore/review/submit", data=data,
                       files={"answers": ("answers.csv", text.encode("utf-8"), "text/csv")})


def test_the_csv_upload_takes_the_session_with_its_csrf_token(site: Site) -> None:
    with signed_in(site, "submitter-XAA") as client:
        form = client.get("/explore/review/submit").text
        assert 'name="token"' not in form and 'href="/explore/review/questionnaire"' in form
        csrf = re.search(r'name="csrf" value="([^"]+)"', form)[1]
        before = snapshot(site.store)
        forged = csv_upload(client, {"report": "html"}, f"[Illustrative] {mark()}")
        assert forged.status_code == 403 and snapshot(site.store) == before
        # a refused file: every problem of the row in the page's language, quoting the cells as typed
        wrong = ("id,country,provision,status,measures,date\r\n"
                 "XAA-review-untoc-art-7,XAA,untoc/art/7,partly,not a measure,2024-13-45\r\n")
        refused = unescape(client.post("/explore/review/submit?lang=fr", data={"report": "html", "csrf": csrf},
                                       files={"answers": ("answers.csv", wrong.encode("utf-8"), "text/csv")}).text)
        for said in ("« partly » n’est pas un état de mise en œuvre", "« not a measure » n’est pas écrit comme une mesure",
                     "« 2024-13-45 » n’est pas une date"):
            assert said in refused, refused.split("<main", 1)[1][:3000]
        assert "w3id.org" not in refused.split("<main", 1)[1] and snapshot(site.store) == before
        practices = f"[Illustrative] Uploaded {mark()}"
        accepted = csv_upload(client, {"report": "html", "csrf": csrf}, practices)
        assert accepted.status_code == 201, accepted.text[:2000]
        assert client.get("/api/review/submissions/XAA-review-untoc-art-7").json()["answer"]["practices"] == practices
    with httpx.Client(base_url=site.url, timeout=60) as client:   # not signed in: the token field, as before
        assert 'name="token" autocomplete="off" required' in client.get("/explore/review/submit").text
