"""A form added to the registry is served and read everywhere, with no other code: its page
and thank-you page, the home page, the staff navigation, answers, summary, export and posters."""

import csv
import io

from surveys.forms import registry
from surveys.forms.definition import Choice, FormDefinition, Kind, Question

from .support import submit

FEEDBACK = FormDefinition(
    code="feedback",
    version=1,
    questions=(
        Question(
            "useful",
            Kind.SINGLE,
            "Was the workshop useful?",
            required=True,
            choices=(Choice("yes", "Yes"), Choice("no", "No")),
        ),
        Question("remark", Kind.TEXTAREA, "Anything else?"),
    ),
)
ENTRY = registry.RegisteredForm(
    definition=FEEDBACK,
    path="feedback",
    staff_title="Workshop feedback",
    staff_short_title="Feedback",
    title="Tell us about the workshop",
    lead="Two questions, one minute.",
    submit_label="Send my feedback",
    card_title="Workshop feedback",
    card_text="After a workshop: was it useful?",
    thanks_lead="Your feedback has been recorded.",
)


def test_a_registered_form_is_served_and_read_everywhere(app, staff_client, monkeypatch):
    monkeypatch.setitem(registry.FORMS, "feedback", ENTRY)
    monkeypatch.setitem(registry.BY_PATH, "feedback", ENTRY)
    visitor = app.test_client()
    assert "/en/feedback" in visitor.get("/en/").get_data(as_text=True)
    page = visitor.get("/en/feedback").get_data(as_text=True)
    assert "Tell us about the workshop" in page and "Send my feedback" in page

    response = submit(visitor, "/en/feedback", {"useful": "yes", "remark": "Дякую"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/feedback/thanks")
    thanks = visitor.get("/en/feedback/thanks").get_data(as_text=True)
    assert "Your feedback has been recorded." in thanks
    assert visitor.get("/en/unregistered").status_code == 404

    nav = staff_client.get("/staff/").get_data(as_text=True)
    assert "/staff/forms/feedback/answers" in nav and "Workshop feedback" in nav
    answers = staff_client.get("/staff/forms/feedback/answers").get_data(as_text=True)
    assert "Workshop feedback" in answers and "Дякую" in answers
    summary = staff_client.get("/staff/forms/feedback/summary").get_data(as_text=True)
    assert "Was the workshop useful?" in summary
    export = staff_client.get("/staff/forms/feedback/export.csv")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert any("Дякую" in cell for row in rows[1:] for cell in row)
    posters = staff_client.get("/staff/posters").get_data(as_text=True)
    assert "Workshop feedback" in posters and "/en/feedback" in posters
