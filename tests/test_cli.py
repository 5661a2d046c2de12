"""``flask`` commands."""

from datetime import date, timedelta

from sqlalchemy import func, select

from surveys.cli.demo import demo_trainings
from surveys.extensions import db
from surveys.models import Training


def test_demo_load_adds_three_published_trainings_once(app, runner, client):
    assert "3 demonstration" in runner.invoke(args=["demo", "load"]).output
    assert "0 demonstration" in runner.invoke(args=["demo", "load"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Training)) == 3
    html = client.get("/uk/trainings").get_data(as_text=True)
    assert html.count('<article class="training">') == 3


# Belgian public holidays, written out (not computed as the code does).
PUBLIC_HOLIDAYS = {
    date(year, month, day)
    for year in (2026, 2027, 2028)
    for month, day in ((1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25))
} | {
    date(2026, 4, 6),
    date(2026, 5, 14),
    date(2026, 5, 25),  # Easter Monday, Ascension, Whit Monday
    date(2027, 3, 29),
    date(2027, 5, 6),
    date(2027, 5, 17),
    date(2028, 4, 17),
    date(2028, 5, 25),
    date(2028, 6, 5),
}


def test_demo_trainings_are_never_on_a_public_holiday_whatever_the_day_they_are_loaded():
    today = date(2026, 11, 1)
    while today <= date(2027, 12, 31):
        trainings = demo_trainings(today)
        days = {t.slug: [s.date for s in t.sessions] for t in trainings}
        assert [len(d) for d in days.values()] == [4, 2, 1], today
        for training in trainings:
            dates = days[training.slug]
            assert not set(dates) & PUBLIC_HOLIDAYS, (today, training.slug, dates)
            assert dates == sorted(set(dates))
            assert {d.weekday() for d in dates} == {dates[0].weekday()}  # Fridays stay Fridays
            deadline = training.registration_deadline
            assert deadline is None or today <= deadline <= dates[0]
        today += timedelta(days=1)
