"""Summaries that answer the centre's questions: broken down by the language or by a
single-choice question, long lists folded, each table as CSV, the answers over time."""

import csv
import io
import re
from datetime import timedelta

from surveys.extensions import db
from surveys.models import Submission

from .support import SURVEY_ANSWERS, submit, translated

SUMMARY = "/staff/forms/survey/summary"


def answer(app, lang="fr", **changes):
    assert (
        submit(app.test_client(), f"/{lang}/survey", {**SURVEY_ANSWERS, **changes}).status_code
        == 303
    )


def section(app, html: str, question: str) -> str:
    heading = f">{translated(app, 'fr', question)}</h2>"
    return html.split(heading)[1].split("</section>")[0]


def row_of(section_html: str, label: str) -> str:
    return next(r for r in section_html.split("<tr>") if label in r.split("</td>")[0])


def test_topics_broken_down_by_time_in_belgium(app, staff_client):
    answer(app, topics=["french_courses"], time_in_belgium="under_3_months")
    answer(app, topics=["french_courses", "housing"], time_in_belgium="under_3_months")
    answer(app, topics=["housing"], time_in_belgium="over_5_years")
    html = staff_client.get(f"{SUMMARY}?by=time_in_belgium").get_data(as_text=True)
    topics = section(app, html, "What would you like to receive information about?")
    header = topics.split("</thead>")[0]
    # One column per group that has answers, in the question's order; empty ones too.
    assert header.index(translated(app, "fr", "Less than 3 months")) < header.index(
        translated(app, "fr", "More than 5 years")
    )
    french = row_of(topics, translated(app, "fr", "French courses"))
    cells = re.findall(r'<td class="num pct">([^<]*)</td>', french)
    # All: 2 of 3; under 3 months: 2 of 2; 1 to 2 years: 0 of 0; over 5 years: 0 of 1.
    assert cells[0] == "66,7"
    assert "2 (100 %)" in cells and "0 (0 %)" in cells
    # The menu offers the language and every single-choice question, not the others.
    menu = html.split('id="f-by"')[1].split("</select>")[0]
    assert 'value="language"' in menu and 'value="time_in_belgium"' in menu
    assert 'value="topics"' not in menu and 'value="time_in_belgium" selected' in menu


def test_preferred_channel_by_language(app, staff_client):
    answer(app, "fr", preferred_channel="telegram")
    answer(app, "uk", preferred_channel="telegram")
    answer(app, "uk", preferred_channel="viber", channels=["viber"])
    html = staff_client.get(f"{SUMMARY}?by=language").get_data(as_text=True)
    channel = section(app, html, "Which channel would you prefer us to use (one only)?")
    telegram = row_of(channel, "Telegram")
    assert "1 (100 %)" in telegram and "1 (50 %)" in telegram
    assert 'lang="uk">Українська' in channel


def test_a_long_list_shows_what_was_chosen_and_folds_the_rest(app, staff_client):
    answer(app, commune="namur")
    answer(app, commune="namur")
    answer(app, commune="dinant")
    html = staff_client.get(SUMMARY).get_data(as_text=True)
    communes = section(app, html, "Which commune do you live in?")
    table, folded = communes.split("</table>")
    assert "Namur" in table and "Dinant" in table and "Andenne" not in table
    assert table.index("Namur") < table.index("Dinant")  # most chosen first
    assert '<details class="zero noprint">' in folded and "<li>Andenne</li>" in folded
    assert "Andenne" in folded.split("<details")[0]  # and listed on paper


def test_each_table_downloads_as_csv_as_the_page_shows_it(app, staff_client):
    answer(app, "fr", preferred_channel="telegram")
    answer(app, "uk", preferred_channel="telegram")
    response = staff_client.get(f"{SUMMARY}.csv?question=preferred_channel&by=language")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:]), delimiter=";"))
    assert rows[0][1:3] == [translated(app, "fr", "Count"), "%"]
    assert "Українська" in rows[0]
    telegram = next(r for r in rows if r[0] == "Telegram")
    assert telegram[1:3] == ["2", "100.0"]
    # A question that is not a choice, or not there, has no table.
    assert staff_client.get(f"{SUMMARY}.csv?question=comment").status_code == 404
    assert staff_client.get(f"{SUMMARY}.csv?question=nothing").status_code == 404


def test_answers_over_time_per_day_then_per_week(app, staff_client):
    for _ in range(3):
        answer(app)
    answer(app, "uk")
    with app.app_context():
        newest = db.session.scalars(db.select(Submission).order_by(Submission.id.desc())).first()
        newest.created_at -= timedelta(days=10)
        db.session.commit()
    html = staff_client.get(SUMMARY).get_data(as_text=True)
    chart = html.split('<svg class="chart"')[1].split("</svg>")[0]
    assert chart.count("<rect") == 11  # ten days ago to today, one bar a day, gaps included
    assert translated(app, "fr", "highest: %(num)d", num=3) in html
    # The language filter applies to the chart too.
    uk = staff_client.get(f"{SUMMARY}?lang=uk").get_data(as_text=True)
    assert translated(app, "fr", "highest: %(num)d", num=1) in uk
    # Over more than a month: a bar a week.
    with app.app_context():
        oldest = db.session.scalars(db.select(Submission).order_by(Submission.id)).first()
        oldest.created_at -= timedelta(days=100)
        db.session.commit()
    weekly = staff_client.get(SUMMARY).get_data(as_text=True)
    assert translated(app, "fr", "Per week (from Monday)") in weekly
    bars = weekly.split('<svg class="chart"')[1].split("</svg>")[0].count("<rect")
    assert 14 <= bars <= 16


def test_an_unknown_breakdown_shows_the_plain_summary(app, staff_client):
    answer(app)
    for by in ("nothing", "topics", "comment"):
        response = staff_client.get(f"{SUMMARY}?by={by}")
        assert response.status_code == 200
        assert "(100 %)" not in response.get_data(as_text=True)
