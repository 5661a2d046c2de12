"""Follow-ups show only once their trigger is chosen: "Another channel" → "Which one?" right
under that choice, inside the same question's group and error bar; the contact consent once
an address or a number is typed. Without JavaScript every follow-up stays visible."""

import pytest

from ..support import LANGUAGES, SURVEY, signup_definition
from .helpers import send_button, text

FOLLOW_UPS = ["topics_other", "channels_other", "preferred_channel_other", "languages_other"]


def shown(page, code: str) -> bool:
    return page.locator(f"#question-{code}").is_visible()


def label_of(page, live, lang, code):
    return text(live.app, lang, SURVEY[code].label)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_follow_up_appears_under_the_choice_that_reveals_it(open_page, live, lang):
    page = open_page(f"/{lang}/survey", lang=lang)
    assert [code for code in [*FOLLOW_UPS, "contact_consent"] if shown(page, code)] == []

    channels = page.locator("#question-channels")
    other = channels.get_by_label(
        text(live.app, lang, SURVEY["channels"].choice_label("other")), exact=True
    )
    other.check()
    assert shown(page, "channels_other")
    # Directly under the ticked choice, inside the channels question's group.
    follow_up = page.locator("#question-channels_other")
    assert channels.locator("#question-channels_other").count() == 1
    choice_box = other.locator("xpath=..").bounding_box()
    follow_box = follow_up.bounding_box()
    assert 0 <= follow_box["y"] - (choice_box["y"] + choice_box["height"]) <= 16
    page.get_by_label(label_of(page, live, lang, "channels_other")).fill("Skype")
    other.uncheck()
    assert not shown(page, "channels_other")

    # The contact consent: once an address or a number is typed, gone again when emptied.
    email = page.get_by_label(label_of(page, live, lang, "contact_email"))
    email.fill("olena@example.org")
    assert shown(page, "contact_consent")
    email.fill("")
    assert not shown(page, "contact_consent")
    page.get_by_label(label_of(page, live, lang, "contact_phone")).fill("+32 470 12 34 56")
    assert shown(page, "contact_consent")


def test_a_missing_follow_up_comes_back_inside_its_question_s_error_bar(open_page, live):
    page = open_page("/en/survey", lang="en")
    languages = page.locator("#question-languages")
    languages.get_by_label("Another language", exact=True).check()
    with page.expect_navigation():
        send_button(page, live.app, "en", "Send my answers").click()
    assert shown(page, "languages_other")
    assert page.locator("#question-languages.bad #question-languages_other.bad").count() == 1
    link = page.locator("#error-summary a[href='#q-languages_other']")
    link.click()
    assert page.evaluate("document.activeElement.id") == "q-languages_other"
    # The other follow-ups stay hidden: their choices are not ticked.
    assert not shown(page, "channels_other") and not shown(page, "topics_other")


def test_the_organisation_shows_under_the_kinds_that_ask_for_it(open_page, live):
    page = open_page("/en/trainings/atelier", lang="en")
    label = text(live.app, "en", signup_definition(True)["organisation"].label)
    assert not page.get_by_label(label).is_visible()
    group = page.locator("#question-organisation_kind")
    group.get_by_label("An ILI (local integration initiative)").check()
    assert page.get_by_label(label).is_visible()
    group.get_by_label("No organisation").check()
    assert not page.get_by_label(label).is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_without_javascript_every_follow_up_stays_visible(open_page, live, lang):
    page = open_page(f"/{lang}/survey", lang=lang, javascript=False)
    for code in [*FOLLOW_UPS, "contact_consent"]:
        assert shown(page, code), code
        assert page.get_by_label(label_of(page, live, lang, code)).is_visible()


def test_the_survey_is_shorter_on_a_phone_with_nothing_revealed(open_page):
    """The length the closing note reports: the survey at 360 px, with JavaScript (nothing
    revealed yet) and without (every follow-up shown)."""
    heights = {}
    for javascript in (True, False):
        page = open_page("/en/survey", lang="en", javascript=javascript)
        heights[javascript] = page.evaluate("document.documentElement.scrollHeight")
    screen = 740
    print(
        f"survey at 360 px: {heights[True]} px ({heights[True] / screen:.1f} screens) with "
        f"nothing revealed, {heights[False]} px ({heights[False] / screen:.1f}) without JavaScript"
    )
    assert heights[True] < heights[False] - 300
