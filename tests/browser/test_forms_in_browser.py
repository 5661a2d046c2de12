"""Each public form, in each language, filled in by its labels on a phone over slow 3G,
sent, and found by staff; errors, language switch, no JavaScript, keyboard only."""

import uuid

import pytest

from ..support import ILI, LANGUAGES, SURVEY, signup_definition
from .helpers import fill, log_in, send_button, text

SURVEY_CHOICES = {
    "topics": ["french_courses", "housing"],
    "channels": ["whatsapp", "telegram"],
    "preferred_channel": "telegram",
    "frequency": "weekly",
    "languages": ["uk", "en"],
    "commune": "namur",
    "time_in_belgium": "1_to_2_years",
    "smartphone": "own",
    "internet_access": ["mobile_data"],
}
ILI_CHOICES = {
    "organisation": "Lire et Écrire",
    "ili_status": "approved",
    "communes": ["namur"],
    "contact_person": "Marie Dupont",
    "email": "marie@example.be",
    "activity_kinds": ["fle"],
    "description": "Chaque mardi, conversation en français.",
    "audience": "Adultes",
    "promotion": ["website"],
    "publication_consent": True,
}
SIGNUP_CHOICES = {
    "last_name": "Kovalenko",
    "first_name": "Olena",
    "organisation_kind": "none",
    "role": "volunteer",
    "commune": "gembloux",
    "attend_all": True,
}


def staff_sees(browser, live, path: str, expected: str) -> None:
    context = browser.new_context(base_url=live.url, locale="fr-BE")  # staff read French
    page = context.new_page()
    log_in(page, live.app)
    page.goto(path)
    assert expected in page.content()
    context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_survey_filled_by_labels_on_a_phone_and_found_by_staff(browser, live, open_page, lang):
    page = open_page(f"/{lang}/survey", lang=lang, slow=True)
    comment = f"browser {lang} {uuid.uuid4().hex[:8]}"
    fill(page, live.app, lang, SURVEY, {**SURVEY_CHOICES, "comment": comment})
    send_button(page, live.app, lang, "Send my answers").click()
    page.wait_for_url(f"**/{lang}/survey/thanks")
    assert page.get_by_role("heading", level=1).inner_text() == text(live.app, lang, "Thank you!")

    staff_page_path = "/staff/forms/survey/answers"
    with live.app.app_context():
        from surveys.extensions import db
        from surveys.models import Submission

        newest = db.session.scalars(db.select(Submission).order_by(Submission.id.desc())).first()
        assert newest.answers["comment"] == comment and newest.locale == lang
    staff_sees(browser, live, f"{staff_page_path}/{newest.id}", comment)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ili_form_filled_by_labels_and_found_by_staff(browser, live, open_page, lang):
    page = open_page(f"/{lang}/ili", lang=lang, slow=True)
    title = f"Table {lang} {uuid.uuid4().hex[:8]}"
    fill(page, live.app, lang, ILI, {**ILI_CHOICES, "activity_title": title})
    send_button(page, live.app, lang, "Send the activity").click()
    page.wait_for_url(f"**/{lang}/ili/thanks")
    staff_sees(browser, live, "/staff/forms/ili/summary", "Chaque mardi")
    with live.app.app_context():
        from surveys.extensions import db
        from surveys.models import Submission

        ids = db.session.scalars(db.select(Submission.id).where(Submission.form == "ili")).all()
    staff_sees(browser, live, f"/staff/forms/ili/answers/{max(ids)}", title)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_training_sign_up_by_labels_and_found_by_staff(browser, live, open_page, lang):
    page = open_page(f"/{lang}/trainings/atelier", lang=lang, slow=True)
    email = f"{lang}-{uuid.uuid4().hex[:8]}@example.be"
    fill(page, live.app, lang, signup_definition(True), {**SIGNUP_CHOICES, "email": email})
    send_button(page, live.app, lang, "Sign up").click()
    page.wait_for_url(f"**/{lang}/trainings/atelier/thanks?result=confirmed")
    staff_sees(browser, live, "/staff/trainings/atelier", email)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_invalid_submission_focuses_the_summary_whose_links_reach_each_field(live, open_page, lang):
    page = open_page(f"/{lang}/survey", lang=lang)
    answers = {**SURVEY_CHOICES, "comment": "Гарного дня"}
    del answers["frequency"], answers["commune"]
    fill(page, live.app, lang, SURVEY, answers)
    page.get_by_label(text(live.app, lang, SURVEY["contact_email"].label)).fill("olena@")
    send_button(page, live.app, lang, "Send my answers").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    links = summary.get_by_role("link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#q-frequency-0", "#q-commune", "#q-contact_email", "#q-contact_consent"]
    for i, target in enumerate(targets):
        links.nth(i).click()
        assert page.evaluate("document.activeElement.id") == target[1:]
    # Nothing typed was lost.
    assert (
        page.get_by_label(text(live.app, lang, SURVEY["contact_email"].label)).input_value()
        == "olena@"
    )
    assert page.locator("#q-comment").input_value() == "Гарного дня"
    assert page.locator("input[name=topics][value=housing]").is_checked()


def test_switching_language_in_the_middle_keeps_what_was_typed(live, open_page):
    page = open_page("/fr/survey", lang="fr")
    fill(page, live.app, "fr", SURVEY, {"topics": ["health"], "comment": "Bonjour à tous"})
    page.get_by_role("button", name="Українська").click()
    # Back at the question the person was on (the comment, last typed), not at the top.
    page.wait_for_url("**/uk/survey#question-comment")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.locator("input[name=topics][value=health]").is_checked()
    assert page.locator("#q-comment").input_value() == "Bonjour à tous"
    assert page.locator("#error-summary").count() == 0
    assert page.evaluate("window.scrollY") > 1000
    box = page.locator("#question-comment").bounding_box()
    assert -2 <= box["y"] < page.viewport_size["height"]  # at the top of the screen


def test_switching_language_before_touching_anything_keeps_the_question_on_screen(live, open_page):
    page = open_page("/fr/survey", lang="fr")
    page.locator("#question-channels").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 100)")  # the question's top just off screen, as one reads
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/en/survey#question-*")
    question = page.url.rsplit("#", 1)[1]
    box = page.locator(f"#{question}").bounding_box()
    assert -2 <= box["y"] < page.viewport_size["height"]  # at the top of the screen
    assert page.evaluate("window.scrollY") > 500


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_form_works_without_javascript(browser, live, open_page, lang):
    page = open_page(f"/{lang}/survey", lang=lang, javascript=False)
    fill(page, live.app, lang, SURVEY, SURVEY_CHOICES)
    send_button(page, live.app, lang, "Send my answers").click()
    page.wait_for_url(f"**/{lang}/survey/thanks")

    page = open_page(f"/{lang}/ili", lang=lang, javascript=False)
    fill(page, live.app, lang, ILI, {**ILI_CHOICES, "activity_title": "Sans JavaScript"})
    send_button(page, live.app, lang, "Send the activity").click()
    page.wait_for_url(f"**/{lang}/ili/thanks")

    page = open_page(f"/{lang}/trainings/atelier", lang=lang, javascript=False)
    fill(
        page,
        live.app,
        lang,
        signup_definition(True),
        {**SIGNUP_CHOICES, "email": f"nojs-{lang}-{uuid.uuid4().hex[:6]}@example.be"},
    )
    send_button(page, live.app, lang, "Sign up").click()
    page.wait_for_url(f"**/{lang}/trainings/atelier/thanks?result=confirmed")

    # Errors without JavaScript: the summary is there, its links are plain anchors.
    page = open_page(f"/{lang}/survey", lang=lang, javascript=False)
    send_button(page, live.app, lang, "Send my answers").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary a[href='#q-topics-0']").count() == 1
