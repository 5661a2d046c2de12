"""The ILI valorisation form."""

import pytest

from .support import ILI_ANSWERS, LANGUAGES, error_summary, stored_submissions, submit


def stored(app):
    return stored_submissions(app, "ili")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ili_activity_is_stored_with_codes(app, client, lang):
    response = submit(client, f"/{lang}/ili", ILI_ANSWERS)

    assert response.status_code == 303
    assert response.headers["Location"] == f"/{lang}/ili/thanks"
    [submission] = stored(app)
    assert submission.locale == lang
    assert submission.answers["ili_status"] == "approved"
    assert submission.answers["communes"] == ["andenne", "namur"]
    assert submission.answers["website"] == "https://www.example.be"
    assert submission.answers["participants_per_year"] == 120
    assert submission.answers["phone"] == "+3281223344"
    assert submission.contact_email == "marie@example.be"


def test_description_has_a_counter_and_a_limit_of_2000_characters(app, client):
    html = client.get("/fr/ili").get_data(as_text=True)
    assert 'data-max="2000"' in html
    assert 'id="q-description-counter"' in html
    assert "2\u202f000 caractères" in html or "2\xa0000 caractères" in html

    response = submit(client, "/fr/ili", {**ILI_ANSWERS, "description": "é" * 2001})
    html = response.get_data(as_text=True)
    assert error_summary(html) == ["q-description"]
    assert "2\u202f001" in html or "2\xa0001" in html
    assert "é" * 2001 in html
    assert stored(app) == []


def test_publication_needs_consent(client):
    response = submit(client, "/en/ili", {**ILI_ANSWERS, "publication_consent": ""})
    assert error_summary(response.get_data(as_text=True)) == ["q-publication_consent"]


@pytest.mark.parametrize("value", ["douze", "-3", "1e9", "100001"])
def test_participants_must_be_a_whole_number_in_range(client, value):
    response = submit(client, "/en/ili", {**ILI_ANSWERS, "participants_per_year": value})
    assert error_summary(response.get_data(as_text=True)) == ["q-participants_per_year"]


def test_number_written_with_a_thousands_space_is_accepted(app, client):
    answers = {**ILI_ANSWERS, "participants_per_year": "1 200"}
    assert submit(client, "/fr/ili", answers).status_code == 303
    assert stored(app)[0].answers["participants_per_year"] == 1200


def test_website_must_look_like_a_web_address(client):
    response = submit(client, "/en/ili", {**ILI_ANSWERS, "website": "not a site"})
    assert error_summary(response.get_data(as_text=True)) == ["q-website"]
