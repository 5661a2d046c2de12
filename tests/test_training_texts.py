"""A training's own texts: description, programme and objectives written in Markdown, a
line of programme under each session, the trainer and her organisation."""

import re

from sqlalchemy import select

from surveys.extensions import db
from surveys.models import Training

from .support import csrf_of, translated

FORM = {
    "slug": "droit-sejour",
    "title_fr": "Droit au séjour",
    "title_en": "Residence rights",
    "title_uk": "Право на перебування",
    "description_fr": "Une formation en **quatre vendredis**.\n\nPour les équipes des ILI.",
    "programme_fr": "## Jour 1\n- Les titres de séjour\n- Les cartes\n\n## Jour 2\n- La protection",
    "programme_en": "## Day 1\n- Residence permits\n- Cards\n\n## Day 2\n- Protection",
    "programme_uk": "## Заняття 1\n- Дозволи на перебування\n- Картки\n\n## Заняття 2\n- Захист",
    "objectives_fr": "1. Comprendre un dossier\n2. Orienter vers [le bon service](https://example.org/services)",
    "trainer": "Anne Lefèvre",
    "trainer_organisation": "Collectif Droits et Migrations",
    "capacity": "20",
    "reminder_days": "2",
    "sessions": (
        "2030-03-01 09:30-16:30 Namur\n"
        "  fr: Jour 1 — les bases du séjour\n"
        "  en: Day 1 — the basics of residence\n"
        "  uk: Заняття 1 — основи перебування\n"
        "2030-03-08 09:30-16:30 Namur\n"
        "  fr: Jour 2 — les statuts de protection\n"
    ),
}


def created(app, slug="droit-sejour"):
    with app.app_context():
        training = db.session.scalar(select(Training).filter_by(slug=slug))
        training.sessions  # noqa: B018
        return training


def create(app, staff_client, **changes):
    url = "/staff/trainings/new"
    response = staff_client.post(url, data={**csrf_of(staff_client, url), **FORM, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        db.session.execute(db.update(Training).values(is_published=True))
        db.session.commit()


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_a_programme_written_in_markdown_shows_as_headings_and_lists_in_each_language(
    app, staff_client, client
):
    create(app, staff_client)
    html = main_of(client.get("/fr/trainings/droit-sejour").get_data(as_text=True))
    assert "<p>Une formation en <strong>quatre vendredis</strong>.</p>" in html
    assert "<p>Pour les équipes des ILI.</p>" in html  # two paragraphs, not one block
    # The page's <h1> is the title and its sections are <h2>: a heading staff wrote under
    # "Programme" comes a level below, so the outline stays in order.
    assert "<h2>Programme</h2>" in html
    assert "<h3>Jour 1</h3>\n<ul>\n<li>Les titres de séjour</li>\n<li>Les cartes</li>" in html
    assert "<h2>Objectifs</h2>" in html
    assert re.search(r'<li>Orienter vers <a href="https://example.org/services"[^>]*>', html)
    en = main_of(client.get("/en/trainings/droit-sejour").get_data(as_text=True))
    assert "<h3>Day 1</h3>" in en and "<li>Residence permits</li>" in en
    uk = main_of(client.get("/uk/trainings/droit-sejour").get_data(as_text=True))
    assert "<h3>Заняття 1</h3>" in uk and "<h2>Програма</h2>" in uk and "<h2>Цілі</h2>" in uk
    # Written in French only: shown in French, marked so (a screen reader switches voice).
    assert '<div class="rich" lang="fr"><ol>' in uk


def test_each_session_shows_its_line_of_the_programme_in_the_visitors_language(
    app, staff_client, client
):
    create(app, staff_client)
    en = main_of(client.get("/en/trainings/droit-sejour").get_data(as_text=True))
    assert '<span class="topic">Day 1 — the basics of residence</span>' in en
    # The second session has its line in French only: shown, marked French.
    assert '<span class="topic" lang="fr">Jour 2 — les statuts de protection</span>' in en
    uk = main_of(client.get("/uk/trainings/droit-sejour").get_data(as_text=True))
    assert "Заняття 1 — основи перебування" in uk
    # The trainer, and her organisation under her name.
    assert "Anne Lefèvre" in uk and "Collectif Droits et Migrations" in uk


def test_raw_html_scripts_and_other_links_never_reach_the_page(app, staff_client, client):
    create(
        app,
        staff_client,
        description_fr=(
            '<script>alert("x")</script> <b style="color:red">gras</b>\n\n'
            "[piège](javascript:alert(1)) [donnée](data:text/html,hi) "
            "[mail](mailto:formation@example.org) ![photo](https://tracker.example.com/p.png)\n\n"
            "<img src=x onerror=alert(1)>"
        ),
    )
    html = main_of(client.get("/fr/trainings/droit-sejour").get_data(as_text=True))
    assert "<script" not in html and "<b " not in html and "<img" not in html
    assert "&lt;script&gt;" in html  # typed, so shown as text
    assert "javascript:" not in html.replace("[piège](javascript:alert(1))", "")
    assert 'href="javascript' not in html and 'href="data' not in html
    assert 'href="mailto:formation@example.org"' in html
    # No picture is loaded from another host: the visitor's phone asks nothing of it.
    assert 'src="https://tracker.example.com' not in html


def test_the_edit_form_gives_back_what_staff_wrote_and_a_topic_change_keeps_the_session(
    app, staff_client
):
    create(app, staff_client)
    before = created(app)
    url = "/staff/trainings/droit-sejour/edit"
    html = staff_client.get(url).get_data(as_text=True)
    assert "## Jour 1\n- Les titres de séjour" in html
    assert "2030-03-01 09:30-16:30 Namur\n  fr: Jour 1 — les bases du séjour\n" in html
    assert 'value="Collectif Droits et Migrations"' in html
    # Changing a session's line of programme is not a new session (calendar files already
    # sent refer to it).
    sessions = FORM["sessions"].replace("les statuts de protection", "la protection")
    data = {**csrf_of(staff_client, url), **FORM, "sessions": sessions}
    assert staff_client.post(url, data=data).status_code == 302
    after = created(app)
    assert [s.id for s in after.sessions] == [s.id for s in before.sessions]
    assert after.sessions[1].topic == {"fr": "Jour 2 — la protection"}


def test_a_programme_line_before_any_session_is_explained(app, staff_client):
    url = "/staff/trainings/new"
    data = {**csrf_of(staff_client, url), **FORM, "sessions": "fr: Jour 1\n2030-03-01 09:30-16:30"}
    html = staff_client.post(url, data=data).get_data(as_text=True)
    message = translated(
        app, "fr", "Line %(line)d: write the session's line first, then its programme.", line=1
    )
    assert message in html


def test_a_copy_keeps_the_programme_the_objectives_and_each_sessions_line(app, staff_client):
    create(app, staff_client)
    url = "/staff/trainings/droit-sejour/duplicate"
    data = {**csrf_of(staff_client, url), "slug": "droit-sejour-ciney"}
    assert staff_client.post(url, data=data).status_code == 302
    source, copy = created(app), created(app, "droit-sejour-ciney")
    assert copy.programme == source.programme and copy.objectives == source.objectives
    assert copy.trainer_organisation == "Collectif Droits et Migrations"
    assert [s.topic for s in copy.sessions] == [s.topic for s in source.sessions]


def test_the_demo_legal_rights_training_reads_like_the_centres_own(app, runner, client):
    runner.invoke(args=["demo", "load"])
    for lang, heading, day in (
        ("fr", "Programme", "Jour 2 — les statuts de protection"),
        ("en", "Programme", "Day 2 — protection statuses"),
        ("uk", "Програма", "Заняття 2 — статуси захисту"),
    ):
        html = main_of(client.get(f"/{lang}/trainings/droit-des-etrangers").get_data(as_text=True))
        assert f"<h2>{heading}</h2>" in html
        assert html.count("<h3>") == 4  # one heading per day of the programme
        assert html.count('<span class="topic">') == 4 and day in html
        assert "Anne Lefèvre" in html and "Collectif Droits et Migrations" in html
        assert ' lang="fr"' not in html.split("<h2")[1]  # objectives in the visitor's language
