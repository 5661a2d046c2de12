"""What staff see of a training's registrants to organise the day: each person's phone,
needs and remark on the page they use, the totals, and one person's whole registration."""

import re

from markupsafe import escape

from .support import csrf_of, make_training, registrations_by_email, sign_up, translated

PAGE = "/staff/trainings/droit-des-etrangers"


def registrants_with_needs(app):
    make_training(app, capacity=3)
    people = [
        ("a@example.be", {"dietary_needs": "Végétarien", "remark": "J’arrive à 10 h le jour 2."}),
        ("b@example.be", {"dietary_needs": "végétarien.", "accessibility_needs": ""}),
        ("c@example.be", {"dietary_needs": "Halal", "accessibility_needs": "Fauteuil roulant"}),
        ("d@example.be", {"dietary_needs": "Sans gluten"}),  # fourth: on the waiting list
    ]
    for email, answers in people:
        response = sign_up(app.test_client(), "droit-des-etrangers", email=email, **answers)
        assert response.status_code == 303
    return {e: r.id for e, r in registrations_by_email(app).items()}


def test_the_training_page_shows_each_persons_phone_needs_and_remark(app, staff_client):
    registrants_with_needs(app)
    html = staff_client.get(PAGE).get_data(as_text=True)
    confirmed = html[html.index(translated(app, "fr", "Confirmed") + " (3)") :]
    assert "+380 67 123 4567" in confirmed  # the phone, readable,, on the page, not only in the CSV
    assert "Fauteuil roulant" in confirmed
    assert str(escape("J’arrive à 10 h le jour 2.")) in confirmed
    assert translated(app, "fr", "Needs and remarks") in html
    # The language by its name in the staff member's language.
    assert '<td data-label="Langue">français</td>' in html.replace("Français", "français")


def test_the_totals_count_the_confirmed_people_and_the_same_need_once(app, staff_client):
    registrants_with_needs(app)
    html = staff_client.get(PAGE).get_data(as_text=True)
    prepare = html[html.index(translated(app, "fr", "To prepare")) :]
    prepare = prepare[: prepare.index("</ul>")]
    text = re.sub(r"<[^>]+>", "", prepare)
    # Three confirmed people wrote a diet: "Végétarien" twice (however written), "Halal";
    # the waitlisted person's "Sans gluten" is not among those to cook for.
    assert "3 personnes — Végétarien × 2, Halal" in text
    assert "1 personne — Fauteuil roulant" in text
    assert "Sans gluten" not in text
    assert "1 personne — J’arrive à 10 h le jour 2." in text.replace("&#39;", "'")


def test_the_totals_in_english_and_ukrainian(app, staff_client):
    registrants_with_needs(app)
    staff_client.get("/staff/language/en?next=/staff/")
    english = re.sub(r"<[^>]+>", "", staff_client.get(PAGE).get_data(as_text=True))
    assert "3 people — Végétarien × 2, Halal" in english
    staff_client.get("/staff/language/uk?next=/staff/")
    ukrainian = re.sub(r"<[^>]+>", "", staff_client.get(PAGE).get_data(as_text=True))
    assert "3 особи — Végétarien × 2, Halal" in ukrainian
    assert "1 особа — Fauteuil roulant" in ukrainian


def test_a_persons_page_has_every_answer_the_needs_first_and_the_history(app, staff_client):
    ids = registrants_with_needs(app)
    html = staff_client.get(f"/staff/registrations/{ids['c@example.be']}").get_data(as_text=True)
    assert "Olena Kovalenko" in html or "Kovalenko" in html
    assert html.index("Fauteuil roulant") < html.index(translated(app, "fr", "Answers"))
    assert "ILI Gembloux" in html and "+380 67 123 4567" in html
    assert translated(app, "fr", "Registered: %(when)s", when="")[:10] in html
    # The list links each name to this page.
    listing = staff_client.get(PAGE).get_data(as_text=True)
    assert f'href="/staff/registrations/{ids["c@example.be"]}"' in listing


def test_a_waitlisted_persons_page_gives_the_rank_and_a_seat_can_be_given_there(app, staff_client):
    ids = registrants_with_needs(app)
    url = f"/staff/registrations/{ids['d@example.be']}"
    html = staff_client.get(url).get_data(as_text=True)
    assert translated(app, "fr", "number %(rank)d on the waiting list", rank=1) in html
    promote = f"/staff/registrations/{ids['d@example.be']}/promote"
    assert f'action="{promote}"' in html
    staff_client.post(promote, data=csrf_of(staff_client, url))
    assert registrations_by_email(app)["d@example.be"].status == "confirmed"
    assert translated(app, "fr", "Seat confirmed: %(when)s", when="")[:12] in (
        staff_client.get(url).get_data(as_text=True)
    )


def test_an_unknown_registration_is_not_found(app, staff_client):
    assert staff_client.get("/staff/registrations/999999").status_code == 404


def test_the_attendance_sheet_is_in_alphabetical_order(app, staff_client):
    make_training(app, capacity=5)
    for email, last in (
        ("z@example.be", "Zelenska"),
        ("a@example.be", "àbrams"),
        ("m@e.be", "Martin"),
    ):
        sign_up(app.test_client(), "droit-des-etrangers", email=email, last_name=last)
    listing = staff_client.get(PAGE).get_data(as_text=True)
    sheet = re.search(
        r'href="(/staff/trainings/droit-des-etrangers/sessions/\d+/attendance)"', listing
    )
    html = staff_client.get(sheet.group(1)).get_data(as_text=True)
    # "àbrams" before "Martin": accents and capitals do not change a name's place.
    assert html.index("àbrams") < html.index("Martin") < html.index("Zelenska")
