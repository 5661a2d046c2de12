"""Keyboard only, with focus always visible; drafts that survive a reload and are forgotten
once the form is sent."""

import uuid

import pytest

from ..support import LANGUAGES, SURVEY
from .helpers import fill, send_button, text
from .test_forms_in_browser import ILI_CHOICES, SIGNUP_CHOICES, SURVEY_CHOICES

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {id: el.id, tag: el.tagName, outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth)};
}"""


def tab_to(page, element_id: str, limit: int = 400) -> None:
    """Press Tab until the element has focus; every stop must show a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        if focus["tag"] == "BODY":  # the browser's own stop before the page's first control
            continue
        assert focus["outline"] != "none" and focus["width"] >= 2, focus
        if focus["id"] == element_id:
            return
    raise AssertionError(f"{element_id} never received focus")


def answer_with_keyboard(page, definition, answers: dict) -> None:
    for question in definition.questions:
        if question.code not in answers:
            continue
        value = answers[question.code]
        codes = list(question.choice_codes)
        if question.kind == "multiple":
            for code in value:
                tab_to(page, f"q-{question.code}-{codes.index(code)}")
                page.keyboard.press("Space")
        elif question.kind == "single":
            tab_to(page, f"q-{question.code}-0")  # entering a radio group lands on its first
            page.keyboard.press("Space")
            for _ in range(codes.index(value)):
                page.keyboard.press("ArrowDown")
        elif question.kind == "select":
            tab_to(page, f"q-{question.code}")
            for _ in range(codes.index(value) + 1):  # after the empty "Choose…" option
                page.keyboard.press("ArrowDown")
        elif question.kind == "consent":
            tab_to(page, f"q-{question.code}")
            page.keyboard.press("Space")
        else:
            tab_to(page, f"q-{question.code}")
            page.keyboard.type(value)


@pytest.mark.parametrize(
    ("path", "definition_name", "answers", "button", "thanks"),
    [
        ("survey", "SURVEY", SURVEY_CHOICES, "Send my answers", "survey/thanks"),
        (
            "ili",
            "ILI",
            {**ILI_CHOICES, "activity_title": "Clavier"},
            "Send the activity",
            "ili/thanks",
        ),
        (
            "trainings/atelier",
            "SIGNUP",
            SIGNUP_CHOICES,
            "Sign up",
            "trainings/atelier/thanks?result=confirmed",
        ),
    ],
    ids=["survey", "ili", "training"],
)
def test_every_form_can_be_completed_with_the_keyboard_only(
    live, open_page, path, definition_name, answers, button, thanks
):
    from ..support import ILI, SURVEY, signup_definition

    definition = {"SURVEY": SURVEY, "ILI": ILI, "SIGNUP": signup_definition(True)}[definition_name]
    if definition_name == "SIGNUP":
        answers = {**answers, "email": f"kb-{uuid.uuid4().hex[:8]}@example.be"}
    page = open_page(f"/en/{path}", lang="en")
    answer_with_keyboard(page, definition, answers)
    send = send_button(page, live.app, "en", button)
    for _ in range(100):
        if page.evaluate("document.activeElement.classList.contains('send')"):
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/en/{thanks}")
    assert send.count() == 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_draft_survives_a_reload_and_is_forgotten_once_sent(live, open_page, lang):
    page = open_page(f"/{lang}/survey", lang=lang)
    fill(
        page,
        live.app,
        lang,
        SURVEY,
        {
            "topics": ["housing", "health"],
            "commune": "dinant",
            "comment": "Чернетка не має зникнути",
        },
    )
    page.reload()
    assert page.locator("input[name=topics][value=housing]").is_checked()
    assert page.locator("input[name=topics][value=health]").is_checked()
    assert page.locator("#q-commune").input_value() == "dinant"
    assert page.locator("#q-comment").input_value() == "Чернетка не має зникнути"
    stored = page.evaluate("Object.keys(localStorage)")
    assert stored == ["surveys-draft:survey"]

    fill(
        page,
        live.app,
        lang,
        SURVEY,
        {k: v for k, v in SURVEY_CHOICES.items() if k not in ("topics", "commune")},
    )
    send_button(page, live.app, lang, "Send my answers").click()
    page.wait_for_url(f"**/{lang}/survey/thanks")
    assert page.evaluate("Object.keys(localStorage)") == []
    page.goto(f"/{lang}/survey")
    assert not page.locator("input[name=topics][value=housing]").is_checked()
    assert page.locator("#q-comment").input_value() == ""


def test_a_draft_goes_nowhere_before_the_form_is_sent(live, open_page):
    page = open_page("/fr/survey")
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_label(text(live.app, "fr", "Anything else you would like to tell us?")).fill(
        "Mon numéro est 0470 12 34 56"
    )
    page.wait_for_timeout(300)
    assert requests == []
