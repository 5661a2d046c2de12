"""``flask trainings …``: staff manage trainings without touching the database."""

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Training

from .support import make_training, outbox_messages, registrations_by_email, sign_up


def training(app, slug):
    with app.app_context():
        found = db.session.scalar(select(Training).filter_by(slug=slug))
        found.sessions  # noqa: B018 (load them before the session closes)
        return found


def invoke(runner, *args):
    result = runner.invoke(args=["trainings", *args])
    return result


def test_create_a_four_day_course_and_publish_it(app, runner, client):
    result = invoke(
        runner,
        "create",
        "droit-des-etrangers-2027",
        "--title-fr",
        "Droit des étrangers",
        "--title-uk",
        "Право іноземців",
        "--description-fr",
        "Quatre vendredis.",
        "--capacity",
        "25",
        "--deadline",
        "2027-08-31",
        "--trainer",
        "Service juridique",
        "--session",
        "2027-09-03 09:30-16:30 Namur, rue de Bruxelles 20",
        "--session",
        "2027-09-10 09:30-16:30 Namur, rue de Bruxelles 20",
        "--session",
        "2027-09-17 9:30-16:30 Namur",
        "--session",
        "2027-09-24 09:30-16:30 Namur",
    )
    assert result.exit_code == 0, result.output
    created = training(app, "droit-des-etrangers-2027")
    assert created.is_published is False
    assert [s.date.isoformat() for s in created.sessions] == [
        "2027-09-03",
        "2027-09-10",
        "2027-09-17",
        "2027-09-24",
    ]
    assert client.get("/fr/trainings/droit-des-etrangers-2027").status_code == 404

    assert invoke(runner, "publish", "droit-des-etrangers-2027").exit_code == 0
    html = client.get("/uk/trainings/droit-des-etrangers-2027").get_data(as_text=True)
    assert "Право іноземців" in html
    assert '<div class="rich" lang="fr"><p>Quatre vendredis.</p></div>' in html
    assert "droit-des-etrangers-2027  [open]  0/25 confirmed" in invoke(runner, "list").output


def test_bad_input_gets_a_clear_message(app, runner):
    assert "French title is required" in invoke(runner, "create", "x", "--title-en", "X").output
    assert "invalid slug" in invoke(runner, "create", "Bad Slug", "--title-fr", "X").output
    result = invoke(runner, "create", "x", "--title-fr", "X", "--session", "tomorrow")
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
    result = invoke(
        runner, "create", "x", "--title-fr", "X", "--session", "2027-01-01 16:00-09:00 Namur"
    )
    assert "end must be after the start" in result.output


def test_a_title_with_a_line_break_or_an_encoded_word_is_refused(app, runner):
    for title in ("Atelier\nBcc: v@example.org", "Atelier =?utf-8?q?x?=", "Atelier\u2028x"):
        result = invoke(runner, "create", "atelier", "--title-fr", title)
        assert result.exit_code != 0 and "title (fr): write it on one line" in result.output
    make_training(app)
    result = invoke(runner, "edit", "droit-des-etrangers", "--title-en", "Law\r\nBcc: v@x.be")
    assert result.exit_code != 0 and "title (en)" in result.output
    assert training(app, "droit-des-etrangers").title["en"] == "Foreigners' law"


def test_raising_the_capacity_promotes_the_waiting_list_with_emails(app, runner, client):
    make_training(app, capacity=1)
    for i in range(3):
        sign_up(client, "droit-des-etrangers", email=f"p{i}@example.be")
    result = invoke(runner, "edit", "droit-des-etrangers", "--capacity", "2")
    assert "1 promoted" in result.output
    assert registrations_by_email(app)["p1@example.be"].status == "confirmed"
    assert [m.recipient for m in outbox_messages(app, "promoted")] == ["p1@example.be"]

    invoke(runner, "edit", "droit-des-etrangers", "--capacity", "none")
    assert registrations_by_email(app)["p2@example.be"].status == "confirmed"


def test_duplicate_for_another_place_and_dates(app, runner):
    make_training(app, slug="atelier-ciney", every_date_required=True, capacity=20)
    result = invoke(
        runner,
        "duplicate",
        "atelier-ciney",
        "atelier-dinant",
        "--session",
        "2027-03-01 09:00-16:00 Dinant",
        "--session",
        "2027-03-08 09:00-16:00 Dinant",
    )
    assert result.exit_code == 0, result.output
    copy = training(app, "atelier-dinant")
    assert copy.title == training(app, "atelier-ciney").title
    assert copy.capacity == 20 and copy.every_date_required is True
    assert copy.is_published is False
    assert [s.place for s in copy.sessions] == ["Dinant", "Dinant"]


def test_close_and_open_registrations(app, runner, client):
    make_training(app)
    invoke(runner, "close", "droit-des-etrangers")
    assert "<form" not in client.get("/fr/trainings/droit-des-etrangers").get_data(as_text=True)
    invoke(runner, "open", "droit-des-etrangers")
    assert "<form" in client.get("/fr/trainings/droit-des-etrangers").get_data(as_text=True)


def test_texts_can_be_edited_per_language(app, runner):
    make_training(app)
    invoke(runner, "edit", "droit-des-etrangers", "--title-en", "", "--description-uk", "Опис")
    edited = training(app, "droit-des-etrangers")
    assert "en" not in edited.title and edited.description["uk"] == "Опис"


def test_sessions_can_be_added_and_removed(app, runner):
    make_training(app, sessions=1)
    invoke(runner, "add-session", "droit-des-etrangers", "2030-01-04 13:00-17:00 Namur")
    assert len(training(app, "droit-des-etrangers").sessions) == 2
    assert (
        "1 session(s) removed"
        in invoke(runner, "remove-session", "droit-des-etrangers", "2030-01-04").output
    )


def test_staff_cancel_promotes_and_lists_registrations(app, runner, client):
    make_training(app, capacity=1)
    sign_up(client, "droit-des-etrangers", email="a@example.be")
    sign_up(client, "droit-des-etrangers", email="b@example.be")
    assert "waitlisted" in invoke(runner, "registrations", "droit-des-etrangers").output
    result = invoke(runner, "cancel-registration", "droit-des-etrangers", "A@example.be")
    assert "1 promoted" in result.output
    assert registrations_by_email(app)["b@example.be"].status == "confirmed"
