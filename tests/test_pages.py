"""Public URLs, languages and error pages."""

import re

import pytest
from flask import abort

from .support import LANGUAGES, make_training, translated

ENDONYMS = ("Français", "English", "Українська")
PAGES = [
    "/",
    "/survey",
    "/trainings",
    "/trainings/droit-des-etrangers",
    "/ili",
    "/privacy",
    "/accessibility",
    "/survey/thanks",
    "/ili/thanks",
    "/trainings/droit-des-etrangers/thanks",
]


@pytest.fixture
def training(app):
    return make_training(app)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("uk-UA,uk;q=0.9,ru;q=0.8", "/uk/"),
        ("uk", "/uk/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("fr-BE,fr;q=0.9,en;q=0.5", "/fr/"),
        ("de-DE,de;q=0.9", "/fr/"),
        (None, "/fr/"),
    ],
)
def test_root_redirects_to_the_best_language(client, accept, expected):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == expected
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/ua/survey", "/uk/survey"),
        ("/ua/", "/uk/"),
        ("/ua", "/uk/"),
        ("/ua/trainings/x?a=1", "/uk/trainings/x?a=1"),
    ],
)
def test_country_code_ua_redirects_to_ukrainian(client, url, expected):
    response = client.get(url)
    assert response.status_code == 301
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_is_in_its_language_with_a_switcher(client, training, lang, page):
    response = client.get(f"/{lang}{page}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert response.headers["Content-Language"] == lang
    for name in ENDONYMS:
        assert name in html
    for other in set(LANGUAGES) - {lang}:
        # Links on plain pages; on form pages, buttons that carry the answers along.
        assert f'href="/{other}{page}"' in html or f'formaction="/{other}{page}"' in html


# The supervisory authority, where the privacy notice tells people they can complain.
EXTERNAL_LINKS = {
    "https://www.autoriteprotectiondonnees.be",
    "https://www.dataprotectionauthority.be",
}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_no_page_loads_anything_from_another_host(client, training, lang, page):
    html = client.get(f"/{lang}{page}").get_data(as_text=True)
    loaded = re.findall(r'(?:src|action|formaction)="([^"]*)"', html)
    loaded += re.findall(r'<link [^>]*href="([^"]*)"', html)
    for attribute in loaded:
        assert not re.match(r"^(?:[a-z]+:)?//", attribute), attribute
    # A link elsewhere loads nothing until it is followed; only the ones people need.
    for link in re.findall(r'<a [^>]*href="((?:[a-z]+:)?//[^"]*)"', html):
        assert link in EXTERNAL_LINKS, link


def test_home_presents_the_three_forms(client):
    html = client.get("/en/").get_data(as_text=True)
    for url in ("/en/survey", "/en/trainings", "/en/ili"):
        assert f'href="{url}"' in html


def test_privacy_notice_names_the_controller_contact_and_retention(app, client):
    html = client.get("/en/privacy").get_data(as_text=True)
    assert app.config["CONTACT_EMAIL"] in html
    assert app.config["ORGANISATION_NAME"] in html
    assert "24 months" in html and "12 months" in html


@pytest.mark.parametrize("lang", LANGUAGES)
def test_privacy_retention_uses_the_right_plural(app, client, lang):
    html = client.get(f"/{lang}/privacy").get_data(as_text=True)
    if lang == "uk":
        assert "24 місяці" in html  # "few" form
        assert "12 місяців" in html  # "many" form


@pytest.fixture
def failing_routes(app):
    def crash():
        raise RuntimeError("boom")

    def limited():
        abort(429)

    def bad():
        abort(400)

    for lang in LANGUAGES:
        app.add_url_rule(f"/{lang}/test-crash", f"crash_{lang}", crash)
        app.add_url_rule(f"/{lang}/test-limited", f"limited_{lang}", limited)
        app.add_url_rule(f"/{lang}/test-bad", f"bad_{lang}", bad)
    return app


ERRORS = [
    ("/test-bad", "get", 400, "This request could not be understood"),
    ("/no-such-page", "get", 404, "Page not found"),
    ("/privacy", "post", 405, "This action is not possible here"),
    ("/survey", "big", 413, "What you sent is too large"),
    ("/test-limited", "get", 429, "Too many attempts"),
    ("/test-crash", "get", 500, "Something went wrong on our side"),
]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("path", "method", "status", "title"), ERRORS)
def test_error_pages_exist_in_every_language(
    app, client, failing_routes, lang, path, method, status, title
):
    url = f"/{lang}{path}"
    if method == "big":
        response = client.post(url, data={"x": "y" * (2 * 1024 * 1024)})
    else:
        response = getattr(client, method)(url)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert f'<html lang="{lang}">' in html
    assert translated(app, lang, title) in html
    for name in ENDONYMS:
        assert name in html


def test_error_page_outside_a_language_is_negotiated(app, client):
    response = client.get("/nothing-here", headers={"Accept-Language": "uk"})
    assert response.status_code == 404
    assert '<html lang="uk">' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", ["privacy", "accessibility"])
def test_the_contact_address_is_a_link_to_write_to(app, client, lang, page):
    address = app.config["CONTACT_EMAIL"]
    html = client.get(f"/{lang}/{page}").get_data(as_text=True)
    assert f'<a href="mailto:{address}">{address}</a>' in html


def test_texts_staff_write_once_are_marked_with_their_language_on_other_pages(app, client):
    make_training(app)
    html = client.get("/uk/trainings/droit-des-etrangers").get_data(as_text=True)
    assert '<dd><span lang="fr">Service juridique</span></dd>' in html
    assert '<a class="brand" href="/uk/"><span lang="fr">' in html
    assert '<span lang="fr">Namur' in html  # the place of each date
    french = client.get("/fr/trainings/droit-des-etrangers").get_data(as_text=True)
    assert "<dd>Service juridique</dd>" in french


@pytest.mark.parametrize("path", ["/fr/", "/en/survey", "/uk/privacy"])
def test_a_local_installation_shows_visitors_no_developers_word(client, path):
    assert "development" not in client.get(path).get_data(as_text=True).lower()


def test_english_calls_a_trainings_meetings_sessions(app, client):
    make_training(app)
    page = client.get("/en/trainings/droit-des-etrangers").get_data(as_text=True)
    assert "<h2>Sessions</h2>" in page
    listing = client.get("/en/trainings").get_data(as_text=True)
    assert re.search(r'<p class="meta">\d+ sessions</p>', listing)


@pytest.mark.parametrize(
    ("lang", "site", "name"),
    [
        ("fr", "www.autoriteprotectiondonnees.be", "l’Autorité de protection des données"),
        ("en", "www.dataprotectionauthority.be", '(<span lang="fr">Autorité de protection'),
        ("uk", "www.dataprotectionauthority.be", 'Бельгії (<span lang="fr">Autorité de protection'),
    ],
)
def test_the_privacy_notice_names_the_complaint_authority_its_address_and_site(
    client, lang, site, name
):
    html = client.get(f"/{lang}/privacy").get_data(as_text=True)
    assert name in html
    assert "rue de la Presse 35, 1000 Bruxelles" in html
    assert f'<a href="https://{site}">{site}</a>' in html


def privacy_notice(client, lang: str) -> str:
    html = client.get(f"/{lang}/privacy").get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_privacy_notice_says_what_gdpr_article_13_asks_in_each_language(app, client, lang):
    notice = privacy_notice(client, lang)

    def says(english: str, **values) -> bool:
        return translated(app, lang, english, **values) in notice

    # No data protection officer is set: the notice says there is none.
    assert says(
        "The centre has no data protection officer: the address above answers every question "
        "about your data."
    )
    # A legal basis for each processing, stated with its article: the training sign-up is
    # a request to take part, the survey a public-interest task with a consent for contact
    # details, the ILI publication a consent, the contact person a legitimate interest.
    for basis in (
        ("6(1)(b)", "6(1)(e)", "6(1)(a)", "6(1)(f)")
        if lang != "fr"
        else (
            "6.1.b",
            "6.1.e",
            "6.1.a",
            "6.1.f",
        )
    ):
        assert basis in notice, basis
    # Special categories, automated decisions, recipients, transfers.
    assert says("Information about your health or beliefs") and "9(2)(a)" in notice.replace(
        "9.2.a", "9(2)(a)"
    )
    assert says("Decisions made automatically")
    assert says("our hosting provider") and says("our e-mail provider")
    assert says("Apart from that, your data do not leave the European Union.")
    # Every store's retention: answers, registrations, needs, e-mails, audit log, backups.
    assert says(
        "Accessibility and dietary needs given when signing up for a training: until the "
        "training is over."
    )
    for english, plural, num in (
        (
            "Records of the e-mails we send: %(num)d day.",
            "Records of the e-mails we send: %(num)d days.",
            90,
        ),
        (
            "The record of what staff did with the data: %(num)d month.",
            "The record of what staff did with the data: %(num)d months.",
            24,
        ),
        (
            "Backups of the database: %(num)d day, then a newer backup replaces them.",
            "Backups of the database: %(num)d days, then a newer backup replaces them.",
            7,
        ),
    ):
        with app.test_request_context(f"/{lang}/"):
            from flask_babel import ngettext

            assert ngettext(english, plural, num) in notice, english
    # Every right, the right to object among them, and what withdrawing a consent means.
    assert "21" in notice and says(
        "Where we rely on your consent, you can withdraw it at any time, as easily as you gave "
        "it. This does not make unlawful what we did with your data before."
    )


def test_the_privacy_notice_names_the_dpo_and_the_processors_when_they_are_set(app, client):
    app.config.update(
        DPO_EMAIL="dpo@example.be",
        HOSTING_PROVIDER="Hébergeur SA (Liège, Belgique)",
        EMAIL_PROVIDER="Courrier SRL (Namur, Belgique)",
    )
    notice = privacy_notice(client, "en")
    assert 'href="mailto:dpo@example.be"' in notice
    assert '<span lang="fr">Hébergeur SA (Liège, Belgique)</span>, which hosts' in notice
    assert "Courrier SRL (Namur, Belgique)" in notice
    assert "our hosting provider" not in notice
