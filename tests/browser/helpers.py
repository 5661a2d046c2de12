"""Filling forms by their visible labels, as a person does."""

from flask_babel import force_locale, gettext

from ..support import seed_texts


def text(app, lang: str, message, **variables) -> str:
    """What the page shows for ``message`` (a msgid, a form's text by its English wording,
    or a label) in ``lang``."""
    if isinstance(message, str) and message in seed_texts():
        return seed_texts()[message][lang]
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        return gettext(message, **variables) if isinstance(message, str) else str(message)


def fill(page, app, lang: str, definition, answers: dict) -> None:
    """Answer each question by its label: tick boxes inside the question's group, choose in
    drop-downs, type in text fields."""
    for question in definition.questions:
        if question.code not in answers:
            continue
        value = answers[question.code]
        label = text(app, lang, question.label)
        widget = question.type.widget
        if widget in ("choices", "scale"):
            group = page.get_by_role("group", name=label)
            for code in value if isinstance(value, list) else [value]:
                choice = text(app, lang, question.choice_label(code))
                group.get_by_label(str(choice), exact=True).check()
        elif widget == "select":
            page.get_by_label(label).select_option(value)
        elif widget == "consent":
            page.get_by_label(label).check()
        else:
            page.get_by_label(label, exact=False).first.fill(value)


def send_button(page, app, lang: str, message: str):
    return page.get_by_role("button", name=text(app, lang, message))


def log_in(page, app, email=None, password=None) -> None:
    """Log in through the login page, and its second step when the account asks for it."""
    from ..support import STAFF_EMAIL, STAFF_PASSWORD, second_step_code

    email = email or STAFF_EMAIL
    page.goto("/staff/login")
    page.get_by_label(text(app, "fr", "E-mail address")).fill(email)
    page.get_by_label(text(app, "fr", "Password")).fill(password or STAFF_PASSWORD)
    page.get_by_role("button", name=text(app, "fr", "Log in")).click()
    page.wait_for_load_state()
    if "/staff/login/code" in page.url:
        page.get_by_label(text(app, "fr", "Code"), exact=True).fill(second_step_code(app, email))
        page.get_by_role("button", name=text(app, "fr", "Log in")).click()
    page.wait_for_url("**/staff/")
