"""After a form is sent, on a shared phone: its pages are kept out of the browser's caches, the
session cookie changes (so Chromium drops the filled page from its back/forward cache), and
the old page sent again stores nothing twice nor shows its answers again."""

import pytest

from .support import (
    ILI_ANSWERS,
    SIGNUP_ANSWERS,
    SURVEY_ANSWERS,
    hidden_fields,
    make_training,
    outbox_messages,
    registrations_by_email,
    stored_submissions,
)

CHROMIUM = "gzip, deflate, br, zstd"
FORMS = [
    ("/fr/survey", SURVEY_ANSWERS, "/fr/survey/thanks"),
    ("/en/ili", ILI_ANSWERS, "/en/ili/thanks"),
    (
        "/uk/trainings/droit-des-etrangers",
        SIGNUP_ANSWERS,
        "/uk/trainings/droit-des-etrangers/thanks?result=confirmed",
    ),
]
IDS = ["survey", "ili", "training"]


def stored_count(app, path: str) -> int:
    if "trainings" in path:
        return len(registrations_by_email(app))
    return len(stored_submissions(app, path.rsplit("/", 1)[1]))


@pytest.mark.parametrize("path", [path for path, _answers, _thanks in FORMS], ids=IDS)
def test_every_form_page_is_kept_out_of_the_browsers_caches(app, path):
    make_training(app)
    seen = []
    app.before_request(lambda: seen.append(1))
    by_flask = app.test_client().get(path, headers={"Accept-Encoding": CHROMIUM})
    from_fast_lane = app.test_client().get(path, headers={"Accept-Encoding": CHROMIUM})
    assert len(seen) == 1, "the second visitor was answered by Flask"
    assert by_flask.headers["Cache-Control"] == from_fast_lane.headers["Cache-Control"]
    assert from_fast_lane.headers["Cache-Control"] == "no-store"
    # A page answering a POST holds the answers in its HTML: never kept either.
    client = app.test_client()
    fields = hidden_fields(client.get(path).get_data(as_text=True))
    refused = client.post(path, data={**fields, "comment": "Mon numéro est 0470 12 34 56"})
    assert refused.status_code == 422
    assert refused.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("path", "answers", "thanks"), FORMS, ids=IDS)
def test_the_sent_page_sent_again_stores_nothing_twice_nor_shows_its_answers(
    app, path, answers, thanks
):
    make_training(app)
    client = app.test_client()
    data = {**hidden_fields(client.get(path).get_data(as_text=True)), **answers}
    first = client.post(path, data=data)
    assert first.status_code == 303 and first.headers["Location"] == thanks
    # The form token is renewed: the cookie changes (Chromium then drops the filled page
    # from its back/forward cache), and the old page's token is no longer valid.
    assert "session=" in first.headers["Set-Cookie"]
    mails = len(outbox_messages(app))

    # The old page, sent again with its old token and key, or switched to another language.
    again = client.post(path, data=data)
    switched = client.post(path, data={**data, "switch_language": "fr"})
    for response in (again, switched):
        assert response.status_code == 303 and response.headers["Location"] == thanks
    assert stored_count(app, path) == 1
    assert len(outbox_messages(app)) == mails


def test_a_sign_up_sent_again_after_it_was_cancelled_is_not_taken_for_the_same(app):
    from surveys.services import trainings

    make_training(app)
    client = app.test_client()
    path = "/fr/trainings/droit-des-etrangers"
    data = {**hidden_fields(client.get(path).get_data(as_text=True)), **SIGNUP_ANSWERS}
    client.post(path, data=data)
    registration = registrations_by_email(app)[SIGNUP_ANSWERS["email"]]
    with app.test_request_context():
        key = registration.submission_key
        assert trainings.sign_up_sent_with(registration.training_id, key).status == "confirmed"
        trainings.cancel(registration.id)
        assert trainings.sign_up_sent_with(registration.training_id, key) is None
