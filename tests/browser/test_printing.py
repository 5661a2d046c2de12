"""What staff print, printed by Chromium to PDF as its print dialog does (the stylesheet's
page size), then read back with pypdf: one certificate per page, the attendance sheet without
the dashboard around it, summaries that say what they cover and keep each table whole, every
page numbered "n / total"."""

import io
import re
import unicodedata
from datetime import timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from .test_accessibility import staff_url


def pages_of(pdf: bytes) -> int:
    """The number of pages of a PDF Chromium wrote (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def printed(page) -> list[tuple[str, bool]]:
    """Each printed page's text and whether it is landscape. The text as read: ligatures
    (ﬃ) undone and every space, no-break ones included, a single plain space."""
    page.emulate_media(media="print")
    reader = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    return [
        (folded(sheet.extract_text()), sheet.mediabox.width > sheet.mediabox.height)
        for sheet in reader.pages
    ]


def folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def compact(text: str) -> str:
    """Without any space: a heading may break after a hyphen where the screen did not."""
    return "".join(folded(text).split())


def assert_numbered(pages: list[tuple[str, bool]]) -> None:
    for number, (text, _landscape) in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in text, (number, text[-80:])


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
    pages = printed(page)
    assert_numbered(pages)
    assert "Kovalenko" in pages[0][0]
    assert "Menu" not in pages[0][0] and "Déconnexion" not in pages[0][0]


@pytest.fixture(scope="module")
def answers_in_three_languages(live):
    from ..support import SURVEY_ANSWERS, submit

    client = live.app.test_client()
    for lang, channel in (("fr", "whatsapp"), ("en", "email"), ("uk", "viber"), ("uk", "sms")):
        submit(client, f"/{lang}/survey", {**SURVEY_ANSWERS, "preferred_channel": channel})


def question_tables(page) -> list[tuple[str, str]]:
    """Each question's heading and the last answer of its table, as the page shows them."""
    return page.eval_on_selector_all(
        ".question-summary",
        """sections => sections.map(s => [
            s.querySelector('h2').innerText,
            [...s.querySelectorAll('tbody tr td:first-child')].pop().innerText])""",
    )


def widest_table(page, width: int) -> float:
    """The right edge of the widest table, laid out for print at a page's width (CSS px)."""
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(media="print")
    right = page.eval_on_selector_all(
        "table.bars", "tables => Math.max(...tables.map(t => t.getBoundingClientRect().right))"
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    return right


def test_a_summary_prints_what_it_covers_and_keeps_each_table_whole(
    staff_page, answers_in_three_languages, live
):
    from surveys.dates import format_date  # the app's: "1er" for the first of a month
    from surveys.models import BRUSSELS, utcnow

    page, _ids = staff_page
    today = utcnow().astimezone(BRUSSELS).date()
    start = today - timedelta(days=30)
    page.emulate_media(media="screen")
    page.goto(f"/staff/forms/survey/summary?from={start.isoformat()}&to={today.isoformat()}")
    tables = question_tables(page)
    never_chosen = page.locator("details.zero li").first.inner_text()
    pages = printed(page)
    assert_numbered(pages)
    everything = " ".join(text for text, _landscape in pages)
    # What the figures cover, in words, instead of the filters' fields.
    with live.app.test_request_context(), force_locale("fr"):
        covered = f"Réponses reçues du {format_date(start, 'long')} au {format_date(today, 'long')}"
        printed_on = f"Imprimé le {format_date(today, 'long')}"
    assert covered in everything and printed_on in everything
    for dashboard_only in ("Menu", "Déconnexion", "Filtrer", "Télécharger ce tableau", "Afficher"):
        assert dashboard_only not in everything
    # The answers nobody chose are listed, not folded behind a button.
    assert f"Personne n’a choisi : {folded(never_chosen)}" in everything
    # Each question's table is on one page: its heading and its last answer together.
    for heading, last_answer in tables:
        assert any(
            compact(heading) in compact(text) and compact(last_answer) in compact(text)
            for text, _ in pages
        ), heading
    assert not any(landscape for _text, landscape in pages)
    assert widest_table(page, PORTRAIT_WIDTH) <= PORTRAIT_WIDTH


# A4 less the stylesheet's margins, in CSS pixels (96 per inch): 180 mm and 273 mm.
PORTRAIT_WIDTH = round(180 / 25.4 * 96)
LANDSCAPE_WIDTH = round(273 / 25.4 * 96)


def test_a_summary_broken_down_by_channel_prints_on_landscape_pages_that_hold_it(
    staff_page, answers_in_three_languages
):
    page, _ids = staff_page
    page.emulate_media(media="screen")
    page.goto("/staff/forms/survey/summary?by=preferred_channel")
    groups = page.locator(".question-summary").first.locator("thead th.num[lang], thead th.num")
    last_group = " ".join(groups.last.inner_text().split()[:-1])  # its name, not its count
    by = " ".join(page.locator("#f-by option:checked").inner_text().split())
    pages = printed(page)
    assert_numbered(pages)
    assert all(landscape for _text, landscape in pages)
    everything = " ".join(text for text, _landscape in pages)
    assert f"Répartir selon : {folded(by)}" in everything
    assert last_group in everything
    assert widest_table(page, LANDSCAPE_WIDTH) <= LANDSCAPE_WIDTH
