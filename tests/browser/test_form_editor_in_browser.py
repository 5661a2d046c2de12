"""The form editor in Chromium, on a phone, on a desktop and on a tablet without JavaScript:
staff make a form in three languages, preview it in Ukrainian, publish it; a visitor answers
it in Ukrainian on a phone; staff read its summary and exports; then staff change it and
publish again, and the earlier answers still read back. axe-core on the editor's pages and
the new public page."""

import csv
import io

import pytest
from openpyxl import load_workbook

from ..support import STAFF_EMAIL, STAFF_PASSWORD, login
from .conftest import PHONE, TABLET
from .helpers import log_in, text
from .test_accessibility import violations

LANGUAGE_NAMES = {"fr": "Français", "en": "English", "uk": "Українська"}


def fill_three(page, legend: str, fr: str, en: str, uk: str) -> None:
    group = page.get_by_role("group", name=legend, exact=True)
    for lang, value in (("fr", fr), ("en", en), ("uk", uk)):
        group.get_by_label(LANGUAGE_NAMES[lang], exact=True).fill(value)


def press(page, app, label: str, **names) -> None:
    page.get_by_role("button", name=text(app, "fr", label, **names), exact=True).click()
    page.wait_for_load_state()


# The editor's screens: a phone, a desktop, and a tablet with JavaScript off (the editor must
# not need it: every step is a form and a button).
SCREENS = {
    "phone": (PHONE, True),
    "desktop": ({}, True),
    "tablet-without-javascript": (TABLET, False),
}


def staff_session(browser, live, screen: str = "desktop"):
    device, javascript = SCREENS[screen]
    context = browser.new_context(
        base_url=live.url, locale="fr-BE", java_script_enabled=javascript, **device
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    log_in(page, live.app)
    return context, page


def add_question(page, app, kind_label: str, fr: str, en: str, uk: str) -> None:
    page.get_by_label(text(app, "fr", "Type"), exact=True).select_option(label=kind_label)
    fill_three(page, text(app, "fr", "The question"), fr, en, uk)
    press(page, app, "Add the question")


def edit_question(page, app, label: str) -> None:
    edit = text(app, "fr", "Edit")
    page.get_by_role("button", name=f"{edit} {label}", exact=True).click()
    page.wait_for_load_state()


def new_choices(page, app, *choices) -> None:
    for number, (fr, en, uk) in enumerate(choices, start=1):
        fill_three(page, text(app, "fr", "New choice %(num)d", num=number), fr, en, uk)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_staff_make_a_form_in_the_editor_and_the_public_answers_it(browser, live, screen):
    app = live.app
    device = screen.split("-")[0]
    context, page = staff_session(browser, live, screen)
    javascript = SCREENS[screen][1]

    def accessible(page) -> bool:
        """axe-core runs as the page's JavaScript: where it is off, the other screens and
        the test below check the same pages."""
        return not javascript or violations(page) == []

    page.goto("/staff/editor/")
    assert accessible(page)
    page.get_by_role("link", name=text(app, "fr", "New form")).click()
    assert accessible(page)
    fill_three(
        page,
        text(app, "fr", "Name of the form"),
        f"Avis ({device})",
        f"Feedback {device}",
        f"Відгук ({device})",
    )
    press(page, app, "Create the form")
    code = f"feedback_{device}"
    assert page.url.endswith(f"/staff/editor/{code}")

    for name, (fr, en, uk) in {
        "Title of the public page": ("Votre avis", "Your opinion", "Ваша думка"),
        "Introduction": ("Trois minutes.", "Three minutes.", "Три хвилини."),
        "Button that sends the form": ("Envoyer", "Send", "Надіслати"),
        "Thank-you page": ("Merci !", "Thank you!", "Дякуємо!"),
        "What the answers are used for (privacy notice)": (
            "Améliorer nos formations.",
            "To improve our trainings.",
            "Щоб покращити наші тренінги.",
        ),
    }.items():
        fill_three(page, text(app, "fr", name), fr, en, uk)
    page.get_by_label(text(app, "fr", "Public address")).fill(f"avis-{device}")
    for kind, fr, en, uk in (
        ("One answer among several (buttons)", "Utile ?", "Useful?", "Корисно?"),
        ("Several answers (check boxes)", "Quels jours ?", "Which days?", "Які дні?"),
        ("A short text", "Autre jour : lequel ?", "Another day: which?", "Інший день — який?"),
        ("A date", "Date de la formation", "Date of the training", "Дата тренінгу"),
        ("A point on a scale (e.g. 1 to 5)", "Note", "Rating", "Оцінка"),
    ):
        add_question(page, app, text(app, "fr", kind), fr, en, uk)
    assert accessible(page)

    edit_question(page, app, "Utile ?")
    assert accessible(page)
    page.get_by_label(text(app, "fr", "and an answer is required")).check()
    new_choices(page, app, ("Oui", "Yes", "Так"), ("Non", "No", "Ні"))
    press(page, app, "Save the question")
    edit_question(page, app, "Quels jours ?")
    new_choices(page, app, ("Lundi", "Monday", "Понеділок"), ("Autre", "Other", "Інший"))
    press(page, app, "Save the question")
    edit_question(page, app, "Autre jour : lequel ?")
    only_when = "Asked, and required, only when another answer includes one of these choices"
    page.get_by_role(
        "radio", name=text(app, "fr", only_when + " (e.g. “other, please specify”):")
    ).check()
    page.get_by_label("Quels jours ?: Autre", exact=True).check()
    press(page, app, "Save the question")

    page.get_by_role("link", name=LANGUAGE_NAMES["uk"], exact=True).last.click()
    page.wait_for_load_state()
    assert "/preview/uk" in page.url, page.locator("main").inner_text()[:1500]
    assert page.get_by_role("heading", name="Ваша думка").is_visible()
    assert page.get_by_role("group", name="Які дні?").get_by_label("Понеділок").is_visible()
    assert accessible(page)
    page.go_back()
    press(page, app, "Publish")
    assert "published=1" in page.url

    visitor = browser.new_context(base_url=live.url, locale="uk", **PHONE)
    public = visitor.new_page()
    public.goto(f"/uk/f/avis-{device}")
    assert violations(public) == []
    public.get_by_role("group", name="Корисно?").get_by_label("Так").check()
    days = public.get_by_role("group", name="Які дні? (необовʼязково)")
    days.get_by_label("Понеділок").check()
    days.get_by_label("Інший", exact=True).check()
    public.get_by_label("Інший день — який?").fill("Субота")
    public.get_by_role("button", name="Надіслати").click()
    public.wait_for_url("**/thanks")
    assert public.get_by_text("Дякуємо!").first.is_visible()

    page.goto(f"/staff/forms/{code}/summary")
    assert page.get_by_role("heading", name="Utile ?").is_visible()
    client = app.test_client()
    login(client, STAFF_EMAIL, STAFF_PASSWORD)
    exported = client.get(f"/staff/forms/{code}/export.csv?codes=1").get_data(as_text=True)
    header, row = list(csv.reader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";"))
    assert header[4:] == [
        "useful",
        "which_days.monday",
        "which_days.other",
        "another_day_which",
        "date_of_the_training",
        "rating",
    ]
    assert row[4:8] == ["yes", "1", "1", "Субота"]
    workbook = load_workbook(io.BytesIO(client.get(f"/staff/forms/{code}/export.xlsx").data))
    assert next(workbook.active.iter_rows(values_only=True))[4] == "Utile ?"

    # Version 2: a label reworded, a choice added, a question left out.
    page.goto(f"/staff/editor/{code}")
    edit_question(page, app, "Utile ?")
    reworded = ("Vous a-t-elle été utile ?", "Was it useful?", "Чи було корисно?")
    fill_three(page, text(app, "fr", "The question"), *reworded)
    new_choices(page, app, ("En partie", "Partly", "Частково"))
    press(page, app, "Save the question")
    leave_out = text(app, "fr", "Leave out")
    page.get_by_role("button", name=f"{leave_out} Date de la formation", exact=True).click()
    page.wait_for_load_state()
    press(page, app, "Publish")
    assert "published=2" in page.url

    public.goto(f"/uk/f/avis-{device}")
    assert (
        public.get_by_role("group", name="Чи було корисно?").get_by_label("Частково").is_visible()
    )
    assert public.get_by_text("Дата тренінгу").count() == 0

    page.goto(f"/staff/forms/{code}/summary")
    assert page.get_by_role("heading", name="Vous a-t-elle été utile ?").is_visible()
    exported = client.get(f"/staff/forms/{code}/export.csv?codes=1").get_data(as_text=True)
    header, row = list(csv.reader(io.StringIO(exported.lstrip("\ufeff")), delimiter=";"))
    assert "date_of_the_training" in header and row[header.index("useful")] == "yes"
    visitor.close()
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en", "uk"])
def test_editor_pages_have_no_accessibility_violation_in_each_language(browser, live, lang):
    context, page = staff_session(browser, live)
    page.goto(f"/staff/language/{lang}?next=/staff/editor/")
    for path in (
        "/staff/editor/",
        "/staff/editor/new",
        "/staff/editor/survey",
        "/staff/editor/survey/questions/topics",
        "/staff/editor/survey/preview/uk",
    ):
        page.goto(path)
        assert violations(page) == [], path
    page.goto("/staff/language/fr")  # the account keeps its language: back to the others'
    context.close()
