"""The back button on a shared phone (issue 11): after a form is sent, Back shows it blank —
nothing the previous person typed is on the page, whether Chromium's back/forward cache, its
form-state restoration or our drafts would have brought it back — and sending again stores
nothing twice. Chromium runs with its back/forward cache on, as on a phone (Playwright turns
it off by default)."""

import uuid

import pytest
from playwright.sync_api import Error

from ..support import ILI, SURVEY, signup_definition
from .conftest import CHROMIUM, LAUNCH_ARGS, PHONE
from .helpers import fill, send_button
from .test_forms_in_browser import ILI_CHOICES, SIGNUP_CHOICES, SURVEY_CHOICES

# Every value a person can see in the form: typed text, a chosen option, a ticked box.
VISIBLE_VALUES = """() => Array.from(document.querySelectorAll("input, textarea, select"))
  .filter((el) => el.type !== "hidden")
  .filter((el) => (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value)
  .map((el) => el.name + "=" + el.value)"""
NAVIGATION = "performance.getEntriesByType('navigation')[0].type"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def phone_browser(browser):
    """A second Chromium, from the same Playwright, with the back/forward cache on."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=LAUNCH_ARGS,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield launched
    launched.close()


@pytest.fixture
def open_phone(live):
    contexts = []

    def open_(browser, path: str, *, lang: str, javascript: bool = True):
        context = browser.new_context(
            base_url=live.url, locale=lang, java_script_enabled=javascript, **PHONE
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(path)
        return page

    yield open_
    for context in contexts:
        context.close()


def survey_case(marker):
    answers = {
        **SURVEY_CHOICES,
        "contact_phone": "0470 12 34 56",
        "contact_consent": True,
        "comment": marker,
    }
    return "survey", SURVEY, answers, "Send my answers", [marker, "0470 12 34 56"]


def ili_case(marker):
    answers = {**ILI_CHOICES, "activity_title": marker, "phone": "081 22 33 44"}
    return "ili", ILI, answers, "Send the activity", [marker, "081 22 33 44", "marie@example.be"]


def training_case(marker):
    email = f"{marker}@example.be"
    answers = {**SIGNUP_CHOICES, "email": email, "phone": "0470 98 76 54"}
    typed = [email, "0470 98 76 54", "Kovalenko", "Olena"]
    return "trainings/atelier", signup_definition(True), answers, "Sign up", typed


CASES = {"survey": survey_case, "ili": ili_case, "training": training_case}


def stored(app, path: str, marker: str) -> int:
    """How many answers (or registrations) the marked sending stored."""
    from surveys.extensions import db
    from surveys.models import Registration, Submission

    with app.app_context():
        if path.startswith("trainings"):
            emails = db.session.scalars(db.select(Registration.email)).all()
            return emails.count(f"{marker}@example.be")
        rows = db.session.scalars(db.select(Submission).where(Submission.form == path)).all()
        field = "comment" if path == "survey" else "activity_title"
        return sum(row.answers.get(field) == marker for row in rows)


def fill_and_send(page, live, lang, case):
    """Fill the form by its labels and send it; returns the POST body the browser sent."""
    path, definition, answers, button, _typed = case
    fill(page, live.app, lang, definition, answers)
    with page.expect_request(lambda r: r.method == "POST") as posted:
        send_button(page, live.app, lang, button).click()
    page.wait_for_url(f"**/{lang}/{path}/thanks**")
    return posted.value.post_data


def assert_blank(page, typed: list[str]) -> None:
    assert page.evaluate(VISIBLE_VALUES) == []
    html = page.content()
    assert not [value for value in typed if value in html]


@pytest.mark.parametrize(("form", "lang"), [("survey", "uk"), ("ili", "en"), ("training", "fr")])
def test_back_after_sending_shows_a_blank_form_and_sending_again_stores_once(
    live, phone_browser, open_phone, form, lang
):
    marker = f"back-{uuid.uuid4().hex[:10]}"
    case = CASES[form](marker)
    path, _definition, _answers, button, typed = case
    page = open_phone(phone_browser, f"/{lang}/{path}", lang=lang)
    old_body = fill_and_send(page, live, lang, case)

    page.go_back()
    assert page.url.endswith(f"/{lang}/{path}")
    # Fetched again by Chromium itself (not kept in its back/forward cache, nor reloaded
    # by our script), and nothing put back into it.
    assert page.evaluate(NAVIGATION) == "back_forward"
    assert_blank(page, typed)

    send_button(page, live.app, lang, button).click()  # the blank form: refused, not stored
    page.wait_for_load_state()
    assert page.locator("#error-summary").count() == 1
    assert stored(live.app, path, marker) == 1

    # The old page's answers, token and key sent again (a resent POST): nothing new, and its
    # answers are not shown again.
    again = page.request.post(f"/{lang}/{path}", data=old_body, headers={"Content-Type": FORM})
    assert "/thanks" in again.url
    assert not [value for value in typed if value in again.text()]
    assert stored(live.app, path, marker) == 1


def test_the_same_email_from_a_new_sign_up_page_is_already_registered(
    live, phone_browser, open_phone
):
    marker = f"again-{uuid.uuid4().hex[:10]}"
    case = training_case(marker)
    page = open_phone(phone_browser, "/fr/trainings/atelier", lang="fr")
    old_body = fill_and_send(page, live, "fr", case)
    page.go_back()
    fresh = {
        name: page.locator(f"input[name={name}]").get_attribute("value")
        for name in ("csrf_token", "started", "submission_key")
    }
    body = "&".join(
        part for part in old_body.split("&") if part.split("=")[0] not in fresh
    ) + "".join(f"&{name}={value}" for name, value in fresh.items())
    again = page.request.post("/fr/trainings/atelier", data=body, headers={"Content-Type": FORM})
    assert again.url.endswith("/fr/trainings/atelier/thanks?result=confirmed&again=1")
    assert stored(live.app, "trainings/atelier", marker) == 1


def test_back_after_sending_without_javascript_shows_a_blank_survey(
    live, phone_browser, open_phone
):
    marker = f"nojs-{uuid.uuid4().hex[:10]}"
    case = survey_case(marker)
    page = open_phone(phone_browser, "/fr/survey", lang="fr", javascript=False)
    fill_and_send(page, live, "fr", case)
    page.go_back()
    assert page.url.endswith("/fr/survey")
    assert_blank(page, case[-1])
    send_button(page, live.app, "fr", "Send my answers").click()
    page.wait_for_load_state()
    assert stored(live.app, "survey", marker) == 1


def test_a_form_fetched_again_gets_no_answers_back_from_the_browser(browser, live, open_phone):
    """Without the back/forward cache (the page was evicted): Chromium's form-state
    restoration would put every answer back into the page fetched again."""
    marker = f"refetch-{uuid.uuid4().hex[:10]}"
    case = survey_case(marker)
    page = open_phone(browser, "/en/survey", lang="en")
    fill_and_send(page, live, "en", case)
    page.go_back()
    assert page.evaluate(NAVIGATION) == "back_forward"
    assert_blank(page, case[-1])


def test_a_refused_then_corrected_survey_never_comes_back_filled_in(
    live, phone_browser, open_phone
):
    marker = f"refused-{uuid.uuid4().hex[:10]}"
    _path, definition, answers, button, typed = survey_case(marker)
    page = open_phone(phone_browser, "/fr/survey", lang="fr")
    fill(page, live.app, "fr", definition, {k: v for k, v in answers.items() if k != "frequency"})
    send_button(page, live.app, "fr", button).click()
    page.wait_for_load_state()
    assert marker in page.content()  # the refused page holds the answers in its HTML
    fill(page, live.app, "fr", definition, {"frequency": answers["frequency"]})
    send_button(page, live.app, "fr", button).click()
    page.wait_for_url("**/fr/survey/thanks")

    # The refused page answered a POST and is in no cache: Chromium offers to send it again.
    with pytest.raises(Error, match="ERR_CACHE_MISS"):
        page.go_back()
    page.wait_for_url(lambda url: url.startswith("chrome-error:"))
    assert marker not in page.content()
    page.go_back()
    assert page.url.endswith("/fr/survey")
    assert_blank(page, typed)
    assert stored(live.app, "survey", marker) == 1


def test_a_kept_page_whose_form_was_sent_elsewhere_is_emptied_by_the_drafts_script(
    live, phone_browser, open_phone
):
    """For browsers that keep a sent form's page in their back/forward cache: once the
    thank-you page has erased the draft, the kept page is emptied and fetched again."""
    marker = f"kept-{uuid.uuid4().hex[:10]}"
    page = open_phone(phone_browser, "/fr/survey", lang="fr")
    fill(page, live.app, "fr", SURVEY, {"topics": ["housing"], "comment": marker})
    page.evaluate("window.kept = true")
    page.goto("/fr/survey/thanks")  # erases the draft; the session cookie does not change
    page.go_back(wait_until="commit")  # a page restored whole fires no "load"
    page.wait_for_function("() => window.kept === undefined")  # a new page: fetched again
    page.wait_for_load_state()
    assert page.url.endswith("/fr/survey")
    assert_blank(page, [marker])
