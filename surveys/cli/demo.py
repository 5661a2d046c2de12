"""``flask demo load``: demonstration trainings for a local installation."""

from collections.abc import Iterable
from datetime import date, time, timedelta

import click
from dateutil.easter import easter
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..models import Training, TrainingSession

demo = AppGroup("demo", help="Demonstration data for a local installation.")


# Belgium's fixed public holidays (month, day): New Year, Labour Day, National Day,
# Assumption, All Saints, Armistice, Christmas.
FIXED_HOLIDAYS = {(1, 1), (5, 1), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)}
# Easter Monday, Ascension and Whit Monday, in days after Easter Sunday.
AFTER_EASTER = (1, 39, 50)


def is_public_holiday(day: date) -> bool:
    """A Belgian public holiday: no training is given on one."""
    if (day.month, day.day) in FIXED_HOLIDAYS:
        return True
    return any(day == easter(day.year) + timedelta(days=n) for n in AFTER_EASTER)


def working_days(days: Iterable[date]) -> list[date]:
    """The days, each one that falls on a public holiday (or on a day already taken) moved a
    week later: the same weekday, as a course of four Fridays stays on Fridays."""
    taken: list[date] = []
    for day in days:
        while is_public_holiday(day) or day in taken:
            day += timedelta(weeks=1)
        taken.append(day)
    return sorted(taken)


def demo_trainings(today: date) -> list[Training]:
    """Three trainings modelled on real ones: a four-day course, a two-day workshop with
    limited seats that must be attended in full, an information session without limit. None
    on a public holiday (a demo seen in December put two on 25 December and 1 January)."""
    first_friday = today + timedelta(days=(4 - today.weekday()) % 7 + 21)
    return [
        Training(
            slug="droit-des-etrangers",
            title={
                "fr": "Droit des étrangers et jurisprudence",
                "en": "Foreigners' law and case law",
                "uk": "Право іноземців і судова практика",
            },
            description={
                "fr": "Quatre journées pour comprendre le séjour, la protection internationale "
                "et le regroupement familial, avec l'analyse de décisions récentes.",
                "en": "Four days to understand residence, international protection and family "
                "reunification, with a close look at recent decisions.",
                "uk": "Чотири дні, щоб розібратися в питаннях перебування, міжнародного захисту "
                "та воззʼєднання сімей, з аналізом нещодавніх рішень.",
            },
            audience={"fr": "Travailleurs sociaux et bénévoles des ILI"},
            trainer="Service juridique du centre",
            capacity=25,
            registration_deadline=first_friday - timedelta(days=7),
            every_date_required=False,
            is_open=True,
            is_published=True,
            sessions=[
                TrainingSession(
                    date=day,
                    start_time=time(9, 30),
                    end_time=time(16, 30),
                    place="Namur, rue de Bruxelles 20",
                )
                for day in working_days(first_friday + timedelta(weeks=w) for w in range(4))
            ],
        ),
        Training(
            slug="atelier-interculturel-ciney",
            title={
                "fr": "Atelier de communication interculturelle — Ciney",
                "en": "Intercultural communication workshop — Ciney",
            },
            description={
                "fr": "Deux journées de mises en situation pour mieux accueillir des personnes "
                "d'autres cultures. Présence aux deux journées obligatoire.",
                "en": "Two days of role play to welcome people from other cultures better. "
                "Both days must be attended.",
            },
            trainer="Équipe formation",
            capacity=20,
            registration_deadline=first_friday,
            every_date_required=True,
            is_open=True,
            is_published=True,
            sessions=[
                TrainingSession(
                    date=day,
                    start_time=time(9, 0),
                    end_time=time(16, 0),
                    place="Ciney, Maison des associations",
                )
                for day in working_days(first_friday + timedelta(days=n) for n in (3, 10))
            ],
        ),
        Training(
            slug="seance-information-nouveaux-services",
            title={
                "fr": "Séance d'information : nouveaux services à Namur",
                "en": "Information session: new services in Namur",
                "uk": "Інформаційна зустріч: нові послуги в Намюрі",
            },
            description={
                "fr": "Présentation des services ouverts cette année, ouverte à tous.",
            },
            trainer="",
            capacity=None,
            registration_deadline=None,
            every_date_required=False,
            is_open=True,
            is_published=True,
            sessions=[
                TrainingSession(
                    date=working_days([first_friday + timedelta(days=12)])[0],
                    start_time=time(18, 0),
                    end_time=time(19, 30),
                    place="Namur, Espace citoyen",
                )
            ],
        ),
    ]


@demo.command("load")
def demo_load():
    """Add the demonstration trainings (skips those already present)."""
    existing = set(db.session.scalars(select(Training.slug)))
    added = [t for t in demo_trainings(date.today()) if t.slug not in existing]
    db.session.add_all(added)
    db.session.commit()
    click.echo(f"{len(added)} demonstration training(s) added.")
