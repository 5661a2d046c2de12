"""What staff see of the answers: overview, table, detail, deletion, summaries."""

from datetime import timedelta

from surveys.extensions import db
from surveys.models import AuditEvent, Submission, utcnow
from surveys.services.forms import current_version_id

from .support import (
    ILI_ANSWERS,
    SURVEY_ANSWERS,
    csrf_of,
    stored_submissions,
    submit,
    translated,
)


def answer_in(app, lang, **changes):
    client = app.test_client()
    assert submit(client, f"/{lang}/survey", {**SURVEY_ANSWERS, **changes}).status_code == 303


def age(app, days):
    """Make every submission ``days`` older."""
    with app.app_context():
        for submission in db.session.scalars(db.select(Submission)):
            submission.created_at -= timedelta(days=days)
        db.session.commit()


def test_overview_counts_answers_by_period_and_language(app, staff_client):
    answer_in(app, "uk")
    age(app, 20)
    answer_in(app, "fr")
    answer_in(app, "uk")
    submit(app.test_client(), "/en/ili", ILI_ANSWERS)
    html = staff_client.get("/staff/").get_data(as_text=True)
    survey_row = html.split("<tr>", 2)[2].split("</tr>")[0]
    numbers = [cell.split("<")[0] for cell in survey_row.split('<td class="num">')[1:]]
    assert numbers == ["3", "2", "3", "1", "0", "2"]  # total, 7 days, 30 days, fr, en, uk


def test_answers_table_is_newest_first_with_filters(app, staff_client):
    answer_in(app, "uk", comment="oldest")
    age(app, 10)
    answer_in(app, "fr", comment="newest")
    html = staff_client.get("/staff/forms/survey/answers").get_data(as_text=True)
    # Languages by their names, in the staff member's language (French here).
    fr, uk = ">Français<", ">Ukrainien<"
    rows = html.split("<tbody>")[1]
    assert rows.index(fr) < rows.index(uk)
    only_uk = staff_client.get("/staff/forms/survey/answers?lang=uk").get_data(as_text=True)
    assert uk in only_uk and fr not in only_uk.split("<tbody>")[1]
    today = utcnow().date().isoformat()
    recent = staff_client.get(f"/staff/forms/survey/answers?from={today}").get_data(as_text=True)
    assert fr in recent.split("<tbody>")[1] and uk not in recent.split("<tbody>")[1]


def test_answers_are_paginated(app, staff_client):
    with app.app_context():
        for i in range(120):
            db.session.add(
                Submission(
                    form="survey",
                    form_version=1,
                    version_id=current_version_id("survey"),
                    locale="fr",
                    answers={"comment": f"n{i}"},
                    submission_key=f"key-{i:03d}" * 2,
                )
            )
        db.session.commit()
    first = staff_client.get("/staff/forms/survey/answers").get_data(as_text=True)
    assert first.split("<tbody>")[1].count("<tr>") == 50
    third = staff_client.get("/staff/forms/survey/answers?page=3").get_data(as_text=True)
    assert third.split("<tbody>")[1].count("<tr>") == 20


def test_one_answer_in_full_with_labels_in_the_staff_language(app, staff_client):
    answer_in(app, "uk")
    [submission] = stored_submissions(app, "survey")
    html = staff_client.get(f"/staff/forms/survey/answers/{submission.id}").get_data(as_text=True)
    assert translated(app, "fr", "French courses") in html  # a code shown as its French label
    assert translated(app, "fr", "Housing") in html
    assert "Permis de conduire" in html
    assert "survey-contact-2026-11" in html  # the consent text version


def test_deleting_an_answer_needs_a_confirmation_and_is_audited(app, staff_client):
    answer_in(app, "fr")
    [submission] = stored_submissions(app, "survey")
    url = f"/staff/forms/survey/answers/{submission.id}/delete"
    assert staff_client.get(url).status_code == 200
    assert len(stored_submissions(app, "survey")) == 1
    assert staff_client.post(url, data=csrf_of(staff_client, url)).status_code == 302
    assert stored_submissions(app, "survey") == []
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).filter_by(action="answer.delete"))
    assert event.actor == "anna@example.be" and event.detail == {
        "form": "survey",
        "id": submission.id,
    }


def test_summary_counts_all_languages_together(app, staff_client):
    answer_in(app, "fr", channels=["whatsapp", "email"])
    answer_in(app, "en", channels=["whatsapp"])
    answer_in(app, "uk", channels=["telegram", "whatsapp"])
    answer_in(app, "uk", channels=["telegram"], channels_other="")
    html = staff_client.get("/staff/forms/survey/summary").get_data(as_text=True)
    section = html.split(translated(app, "fr", "Which of these do you use?"))[1].split(
        "</section>"
    )[0]
    rows = [r for r in section.split("<tr>") if "WhatsApp" in r.split("</td>")[0]]
    assert '<td class="num">3</td>' in rows[0]
    assert "75,0" in rows[0]  # 3 of 4 people, French number format
    assert 'width="75.00"' in rows[0]


def test_summary_split_by_language_on_demand(app, staff_client):
    answer_in(app, "fr", channels=["whatsapp"])
    answer_in(app, "uk", channels=["whatsapp"])
    answer_in(app, "uk", channels=["viber"])
    html = staff_client.get("/staff/forms/survey/summary?by_language=1").get_data(as_text=True)
    section = html.split(translated(app, "fr", "Which of these do you use?"))[1].split(
        "</section>"
    )[0]
    row = next(r for r in section.split("<tr>") if "WhatsApp" in r)
    assert "1 (100 %)" in row and "1 (50 %)" in row


def test_summary_lists_other_texts_and_comments_and_filters_apply(app, staff_client):
    answer_in(app, "fr", comment="Plus d'infos sur le logement svp")
    answer_in(app, "uk", comment="Дякую за допомогу")
    html = staff_client.get("/staff/forms/survey/summary?lang=uk").get_data(as_text=True)
    assert "Дякую за допомогу" in html
    assert "Plus d&#39;infos" not in html
    assert "Permis de conduire" in html  # the "other" text of the topics question


def test_failed_emails_wait_on_the_overview_until_marked_as_handled(app, staff_client):
    from surveys.models import OutboxMessage

    with app.app_context():
        message = OutboxMessage(
            kind="confirmed",
            recipient="lost@example.be",
            subject="Inscription",
            message_id="<lost@x>",
            status="failed",
            last_error="550 no such user",
        )
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    assert "lost@example.be" in staff_client.get("/staff/").get_data(as_text=True)
    staff_client.post(f"/staff/outbox/{message_id}/handled", data=csrf_of(staff_client, "/staff/"))
    assert "lost@example.be" not in staff_client.get("/staff/").get_data(as_text=True)


def test_the_list_names_languages_and_shows_each_persons_main_answers(app, staff_client):
    answer_in(app, "uk", comment="Дякую за допомогу")
    html = staff_client.get("/staff/forms/survey/answers").get_data(as_text=True)
    row = html.split("<tbody>")[1].split("</tr>")[0]
    assert ">Ukrainien<" in row  # the language by its name, in the staff member's language
    # The first answers, by their labels, without opening the answer.
    assert translated(app, "fr", "French courses") in row
    assert "WhatsApp" in row


def test_words_in_the_answers_find_them_in_any_language(app, staff_client):
    answer_in(app, "fr", comment="Plus d'infos sur le LOGEMENT svp")
    answer_in(app, "uk", comment="Дякую за допомогу з житлом")
    answer_in(app, "en", comment="Nothing to add")
    found = staff_client.get("/staff/forms/survey/answers?q=logement").get_data(as_text=True)
    assert ">Français<" in found and ">Ukrainien<" not in found.split("<tbody>")[1]
    found = staff_client.get("/staff/forms/survey/answers?q=житлом").get_data(as_text=True)
    assert ">Ukrainien<" in found and ">Français<" not in found.split("<tbody>")[1]
    # Case is ignored in every alphabet, on SQLite as on PostgreSQL.
    found = staff_client.get("/staff/forms/survey/answers?q=ДЯКУЮ").get_data(as_text=True)
    assert ">Ukrainien<" in found and ">Français<" not in found.split("<tbody>")[1]
    # A question's code is not an answer: "comment" finds nobody by its key.
    none = staff_client.get("/staff/forms/survey/answers?q=comment").get_data(as_text=True)
    assert translated(app, "fr", "No answers match these filters.") in none
    # The export and the summary take the same words.
    rows = staff_client.get("/staff/forms/survey/export.csv?q=logement").get_data(as_text=True)
    assert rows.count("\r\n") == 2  # the header and one answer
    summary = staff_client.get("/staff/forms/survey/summary?q=житлом").get_data(as_text=True)
    assert "Дякую за допомогу з житлом" in summary
