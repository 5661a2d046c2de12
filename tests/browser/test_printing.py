"""What staff print, printed by Chromium to A4 PDF: one certificate per page, the attendance
sheet without the dashboard around it, with its pages numbered."""

import re

import pytest

from .test_accessibility import logged_in_staff, staff_data, staff_url


@pytest.fixture(scope="module")
def staff_page(browser, live):
    ids = staff_data(live)
    context, page = logged_in_staff(browser, live)
    yield page, ids
    context.close()


def pages_of(pdf: bytes) -> int:
    """The number of pages of a PDF Chromium wrote (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_each_certificate_prints_on_one_a4_page(staff_page, live):
    from surveys.extensions import db
    from surveys.models import Registration
    from surveys.services import attendance

    from ..support import SIGNUP_ANSWERS, submit

    page, ids = staff_page
    # A second person who came to the same session: two certificates, two pages.
    submit(
        live.app.test_client(),
        "/uk/trainings/atelier",
        {**SIGNUP_ANSWERS, "email": "second@example.be", "last_name": "Бондар", "attend_all": "y"},
    )
    with live.app.app_context():
        second = db.session.scalar(db.select(Registration.id).filter_by(email="second@example.be"))
        attendance.mark(ids["session"], second, True, actor="test")
    page.goto("/staff/trainings/atelier/certificates?sessions=attended")
    assert page.locator(".certificate-page").count() == 2
    page.emulate_media(media="print")
    assert not page.locator("nav.staffnav").is_visible()  # the dashboard is not printed
    assert pages_of(page.pdf(format="A4")) == 2


def test_the_attendance_sheet_prints_alone_with_numbered_pages(staff_page):
    page, ids = staff_page
    page.goto(staff_url("/staff/trainings/atelier/sessions/{session}/attendance", ids))
    page.emulate_media(media="print")
    assert not page.locator(".noprint").first.is_visible()
    pdf = page.pdf(format="A4", display_header_footer=False)
    assert pages_of(pdf) >= 1
    # The page number comes from the stylesheet's @page margin box.
    css = page.evaluate(
        "[...document.styleSheets].flatMap(s => [...s.cssRules]).map(r => r.cssText).join(' ')"
    )
    assert "counter(page)" in css
