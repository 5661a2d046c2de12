"""A form added as data is served and read everywhere, with no code: a seed file loaded by
``flask forms load`` gives its page and thank-you page, the home page's card, the staff
navigation, answers, summary, export and posters."""

import csv
import io

from .support import submit

FEEDBACK = """
code = "feedback"
kind = "public"
slug = "feedback"

[name]
fr = "Avis sur l’atelier"
en = "Workshop feedback"
uk = "Відгук про семінар"

[title]
fr = "Parlez-nous de l’atelier"
en = "Tell us about the workshop"
uk = "Розкажіть нам про семінар"

[lead]
fr = "Deux questions, une minute."
en = "Two questions, one minute."
uk = "Два запитання, одна хвилина."

[submit_label]
fr = "Envoyer mon avis"
en = "Send my feedback"
uk = "Надіслати відгук"

[card_title]
fr = "Avis sur l’atelier"
en = "Workshop feedback"
uk = "Відгук про семінар"

[card_text]
fr = "Après un atelier : vous a-t-il été utile ?"
en = "After a workshop: was it useful?"
uk = "Після семінару: чи був він корисним?"

[thanks_lead]
fr = "Votre avis a bien été enregistré."
en = "Your feedback has been recorded."
uk = "Ваш відгук збережено."

[[questions]]
code = "useful"
type = "single"
label.fr = "L’atelier vous a-t-il été utile ?"
label.en = "Was the workshop useful?"
label.uk = "Чи був семінар корисним?"
required = true
choices = [
  { code = "yes", label = { fr = "Oui", en = "Yes", uk = "Так" } },
  { code = "no", label = { fr = "Non", en = "No", uk = "Ні" } },
]

[[questions]]
code = "remark"
type = "textarea"
label = { fr = "Autre chose ?", en = "Anything else?", uk = "Ще щось?" }
"""


def test_a_form_added_as_a_seed_file_is_served_and_read_everywhere(
    app, staff_client, runner, tmp_path
):
    (tmp_path / "feedback.toml").write_text(FEEDBACK, encoding="utf-8")
    loaded = runner.invoke(args=["forms", "load", "--from", str(tmp_path)])
    assert loaded.exit_code == 0, loaded.output
    assert "feedback: created, version 1" in loaded.output

    visitor = app.test_client()
    assert "/en/f/feedback" in visitor.get("/en/").get_data(as_text=True)
    page = visitor.get("/en/f/feedback").get_data(as_text=True)
    assert "Tell us about the workshop" in page and "Send my feedback" in page
    assert "Розкажіть нам про семінар" in visitor.get("/uk/f/feedback").get_data(as_text=True)

    response = submit(visitor, "/en/f/feedback", {"useful": "yes", "remark": "Дякую"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/en/f/feedback/thanks")
    thanks = visitor.get("/en/f/feedback/thanks").get_data(as_text=True)
    assert "Your feedback has been recorded." in thanks
    assert visitor.get("/en/f/unregistered").status_code == 404
    assert visitor.get("/en/feedback").status_code == 404  # not a short address

    nav = staff_client.get("/staff/").get_data(as_text=True)
    assert "/staff/forms/feedback/answers" in nav and "Avis sur l’atelier" in nav
    answers = staff_client.get("/staff/forms/feedback/answers").get_data(as_text=True)
    assert "Avis sur l’atelier" in answers and "Дякую" in answers
    summary = staff_client.get("/staff/forms/feedback/summary").get_data(as_text=True)
    assert "L’atelier vous a-t-il été utile ?" in summary
    export = staff_client.get("/staff/forms/feedback/export.csv")
    text = export.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][-2:] == ["L’atelier vous a-t-il été utile ?", "Autre chose ?"]
    assert any("Дякую" in cell for row in rows[1:] for cell in row)
    posters = staff_client.get("/staff/posters").get_data(as_text=True)
    assert "Avis sur l’atelier" in posters and "/en/f/feedback" in posters

    again = runner.invoke(args=["forms", "load", "--from", str(tmp_path)])
    assert "feedback: unchanged (version 1)" in again.output


def test_a_release_updates_a_shipped_form_staff_never_changed_and_leaves_theirs(
    app, runner, tmp_path
):
    from surveys.extensions import db
    from surveys.models import Form
    from surveys.services import forms as form_service

    seed = tmp_path / "feedback.toml"
    seed.write_text(FEEDBACK, encoding="utf-8")
    assert (
        "feedback: created, version 1"
        in runner.invoke(args=["forms", "load", "--from", str(tmp_path)]).output
    )

    # A release adds a choice: the form is still as its seed file left it, so it is updated.
    maybe = '  { code = "no", label = { fr = "Non", en = "No", uk = "Ні" } },\n'
    maybe += (
        '  { code = "partly", label = { fr = "En partie", en = "Partly", uk = "Частково" } },\n'
    )
    seed.write_text(
        FEEDBACK.replace(
            '  { code = "no", label = { fr = "Non", en = "No", uk = "Ні" } },\n', maybe
        ),
        encoding="utf-8",
    )
    loaded = runner.invoke(args=["forms", "load", "--from", str(tmp_path)])
    assert "feedback: published as version 2" in loaded.output
    assert "Partly" in app.test_client().get("/en/f/feedback").get_data(as_text=True)

    # Staff publish their own wording; the next release's file does not replace it.
    with app.app_context():
        document = form_service.latest_version(
            db.session.scalar(db.select(Form).where(Form.code == "feedback"))
        ).document
        document = {**document, "title": {**document["title"], "en": "How was the workshop?"}}
        assert form_service.publish_version("feedback", document, actor="staff@example.org") == 3
    seed.write_text(FEEDBACK.replace("Two questions", "Three questions"), encoding="utf-8")
    kept = runner.invoke(args=["forms", "load", "--from", str(tmp_path)])
    assert kept.exit_code == 0, kept.output
    assert "feedback: its seed file differs from version 3, which staff published" in kept.output
    page = app.test_client().get("/en/f/feedback").get_data(as_text=True)
    assert "How was the workshop?" in page and "Three questions" not in page

    # Asked for by name, the file goes over staff's version.
    forced = runner.invoke(args=["forms", "load", "--from", str(tmp_path), "--publish", "feedback"])
    assert "feedback: published as version 4" in forced.output
    assert "Three questions" in app.test_client().get("/en/f/feedback").get_data(as_text=True)


def test_a_release_leaves_a_shipped_form_whose_draft_staff_are_editing(app, runner, tmp_path):
    from surveys.extensions import db
    from surveys.models import Form

    seed = tmp_path / "feedback.toml"
    seed.write_text(FEEDBACK, encoding="utf-8")
    runner.invoke(args=["forms", "load", "--from", str(tmp_path)])
    with app.app_context():
        form = db.session.scalar(db.select(Form).where(Form.code == "feedback"))
        form.draft = form.versions[-1].document
        db.session.commit()
    seed.write_text(FEEDBACK.replace("Two questions", "Three questions"), encoding="utf-8")
    kept = runner.invoke(args=["forms", "load", "--from", str(tmp_path)])
    assert "feedback: its seed file differs from version 1" in kept.output
    assert "Three questions" not in app.test_client().get("/en/f/feedback").get_data(as_text=True)
