"""axe-core on every public page in every language, with and without errors, and on every
staff page: zero violations of WCAG 2.1 A and AA rules."""

import pytest

from ..support import LANGUAGES, PUBLIC_PAGES, STAFF_EMAIL
from .helpers import log_in, send_button, text

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
    "/staff/accounts",
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
    "/staff/registrations/{registration}",
    "/staff/trainings/atelier/message",
    "/staff/trainings/atelier/sessions/{session}/door",
    "/staff/trainings/atelier/certificates?sessions=attended",
    "/staff/forms/survey/summary?by=time_in_belgium",
    "/staff/posters",
    "/staff/privacy",
    "/staff/privacy?q=kovalenko@example.be",
    "/staff/privacy/erase?q=kovalenko@example.be",
    "/staff/audit",
    "/staff/account/password",
    "/staff/account/two-factor",
]


def staff_data(live) -> dict:
    """An answer to each form and a registration with attendance, once per server."""
    from surveys.extensions import db
    from surveys.models import Registration, Submission, TrainingSession
    from surveys.services import attendance

    from ..support import ILI_ANSWERS, SIGNUP_ANSWERS, SURVEY_ANSWERS, submit

    if getattr(live, "staff_ids", None):
        return live.staff_ids
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
        attendance.mark(ids["session"], ids["registration"], True, actor=STAFF_EMAIL)
    live.staff_ids = ids
    return ids


def logged_in_staff(browser, live, **device):
    context = browser.new_context(base_url=live.url, locale="fr-BE", **device)
    page = context.new_page()
    page.goto("/staff/login")
    assert violations(page) == []  # the login page itself
    log_in(page, live.app)
    return context, page


def staff_url(path: str, ids: dict) -> str:
    return path.format(**ids).replace("answers/1", f"answers/{ids['survey']}")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_page_has_no_accessibility_violation(staff_page, path):
    page, ids = staff_page
    page.goto(staff_url(path, ids))
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


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_page_on_a_phone_fits_the_screen(staff_phone, path):
    """At 360 px, the page never scrolls sideways (wide tables scroll inside themselves or
    become cards; the sections hide behind "Menu"), and axe finds nothing."""
    page, ids = staff_phone
    page.goto(staff_url(path, ids))
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path}: the page is {overflow} px wider than the screen"
    assert violations(page) == []


def test_the_sections_are_behind_a_menu_on_a_phone_and_in_a_line_on_a_desktop(
    staff_phone, staff_page, live
):
    phone, _ids = staff_phone
    phone.goto("/staff/")
    trainings = phone.get_by_role("link", name=text(live.app, "fr", "Trainings"), exact=True)
    assert not trainings.first.is_visible()
    phone.get_by_text(text(live.app, "fr", "Menu"), exact=True).click()
    assert trainings.first.is_visible()
    desktop, _ids = staff_page
    desktop.goto("/staff/")
    nav = desktop.locator("nav.staffnav")
    assert nav.is_visible()
    assert nav.bounding_box()["height"] < 60  # one line, not two
