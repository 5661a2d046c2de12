"""axe-core on every public page in every language, with and without errors, and on every
staff page: zero violations of WCAG 2.1 A and AA rules."""

import pytest

from ..support import LANGUAGES, PUBLIC_PAGES, STAFF_EMAIL, STAFF_PASSWORD
from .helpers import send_button, text

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PAGES = [
    *PUBLIC_PAGES[:-1],
    "/trainings/atelier/thanks?result=waitlisted&place=2",
    "/no-such-page",
]
FORMS_WITH_ERRORS = [
    ("/survey", "Send my answers"),
    ("/ili", "Send the activity"),
    ("/trainings/atelier", "Sign up"),
]


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options=WCAG_AA)
    assert len(result.response["passes"]) > 10  # axe really ran its rules on this page
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {[n['target'] for n in v['nodes']][:3]})"
        for v in result.response["violations"]
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_public_page_has_no_accessibility_violation(open_page, lang, path):
    page = open_page(f"/{lang}{path}", lang=lang)
    assert violations(page) == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("path", "button"), FORMS_WITH_ERRORS)
def test_form_with_errors_shown_has_no_accessibility_violation(live, open_page, lang, path, button):
    page = open_page(f"/{lang}{path}", lang=lang)
    page.locator("textarea").first.fill("x" * 2100)
    send_button(page, live.app, lang, button).click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert violations(page) == []


STAFF_PAGES = [
    "/staff/",
    "/staff/forms/survey/answers",
    "/staff/forms/survey/answers/1",
    "/staff/forms/survey/answers/1/delete",
    "/staff/forms/survey/summary?by_language=1",
    "/staff/forms/ili/answers",
    "/staff/forms/ili/summary",
    "/staff/trainings",
    "/staff/trainings/new",
    "/staff/trainings/atelier",
    "/staff/trainings/atelier/edit",
    "/staff/trainings/atelier/duplicate",
    "/staff/trainings/atelier/sessions/{session}/attendance",
    "/staff/registrations/{registration}/cancel",
    "/staff/posters",
    "/staff/privacy",
    "/staff/privacy?q=kovalenko@example.be",
    "/staff/privacy/erase?q=kovalenko@example.be",
    "/staff/audit",
    "/staff/account/password",
]


@pytest.fixture(scope="module")
def staff_page(browser, live):
    from surveys.extensions import db
    from surveys.models import Registration, Submission, TrainingSession

    from ..support import ILI_ANSWERS, SIGNUP_ANSWERS, SURVEY_ANSWERS, submit

    client = live.app.test_client()
    submit(client, "/uk/survey", SURVEY_ANSWERS)
    submit(client, "/fr/ili", ILI_ANSWERS)
    submit(
        client,
        "/fr/trainings/atelier",
        {**SIGNUP_ANSWERS, "email": "kovalenko@example.be", "attend_all": "y"},
    )
    with live.app.app_context():
        ids = {
            "session": db.session.scalar(
                db.select(TrainingSession.id)
                .join(TrainingSession.training)
                .filter_by(slug="atelier")
            ),
            "registration": db.session.scalar(
                db.select(Registration.id).filter_by(email="kovalenko@example.be")
            ),
            "survey": db.session.scalar(db.select(Submission.id)),
        }
    context = browser.new_context(base_url=live.url, locale="fr-BE")
    page = context.new_page()
    page.goto("/staff/login")
    assert violations(page) == []  # the login page itself
    page.get_by_label(text(live.app, "fr", "E-mail address")).fill(STAFF_EMAIL)
    page.get_by_label(text(live.app, "fr", "Password")).fill(STAFF_PASSWORD)
    page.get_by_role("button", name=text(live.app, "fr", "Log in")).click()
    page.wait_for_url("**/staff/")
    yield page, ids
    context.close()


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_page_has_no_accessibility_violation(staff_page, path):
    page, ids = staff_page
    page.goto(path.format(**ids).replace("answers/1", f"answers/{ids['survey']}"))
    assert (
        page.url.endswith(
            path.split("?")[0]
            .format(**ids)
            .replace("answers/1", f"answers/{ids['survey']}")
            .rsplit("/", 1)[-1]
        )
        or "?" in path
    )
    assert violations(page) == []
