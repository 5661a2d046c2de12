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


# The line of the programme under each of the four dates of the legal-rights training.
LEGAL_RIGHTS_DAYS = [
    {"fr": f"Jour {n} — {fr}", "en": f"Day {n} — {en}", "uk": f"Заняття {n} — {uk}"}
    for n, (fr, en, uk) in enumerate(
        [
            ("les bases du séjour", "the basics of residence", "основи перебування"),
            ("les statuts de protection", "protection statuses", "статуси захисту"),
            ("le regroupement familial", "family reunification", "воззʼєднання сімʼї"),
            ("la jurisprudence récente", "recent case law", "нещодавня судова практика"),
        ],
        start=1,
    )
]


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
                "fr": "Le droit des étrangers change souvent, et les personnes que vous "
                "accompagnez en vivent directement les effets. En quatre vendredis, cette "
                "formation donne aux travailleurs sociaux et aux bénévoles les bases pour "
                "comprendre un dossier de séjour, orienter vers le bon service et lire une "
                "décision récente.",
                "en": "Foreigners' law changes often, and the people you support feel it "
                "directly. Over four Fridays, this training gives social workers and volunteers "
                "the basics to understand a residence file, refer a person to the right service "
                "and read a recent decision.",
                "uk": "Право іноземців часто змінюється, і людей, яких ви супроводжуєте, це "
                "зачіпає безпосередньо. За чотири пʼятниці соціальні працівники й волонтери "
                "отримають базові знання, щоб розібратися у справі щодо перебування, скерувати "
                "людину до потрібної служби та прочитати нещодавнє рішення.",
            },
            objectives={
                "fr": "- Connaître les principaux titres de séjour en Belgique et les droits "
                "qui y sont liés\n"
                "- Distinguer statut de réfugié, protection subsidiaire et protection "
                "temporaire\n"
                "- Savoir quand et vers qui orienter une personne (avocat, service juridique, "
                "CPAS)\n"
                "- Lire une décision du Conseil du contentieux des étrangers et en retenir "
                "l’essentiel",
                "en": "- Know the main residence permits in Belgium and the rights that come "
                "with them\n"
                "- Tell refugee status, subsidiary protection and temporary protection apart\n"
                "- Know when to refer a person, and to whom (a lawyer, a legal service, the "
                "CPAS)\n"
                "- Read a decision of the Council for Alien Law Litigation and keep what "
                "matters",
                "uk": "- Знати основні види дозволів на перебування в Бельгії та повʼязані з "
                "ними права\n"
                "- Розрізняти статус біженця, субсидіарний і тимчасовий захист\n"
                "- Знати, коли й до кого скерувати людину (адвокат, юридична служба, CPAS)\n"
                "- Читати рішення Ради з розгляду спорів щодо іноземців і виокремлювати "
                "головне",
            },
            programme={
                "fr": "## Jour 1 — Les bases du séjour\n"
                "- Qui est étranger au sens de la loi du 15 décembre 1980\n"
                "- Court séjour, long séjour, établissement\n"
                "- Les cartes de séjour et ce qu’elles permettent\n\n"
                "## Jour 2 — Les statuts de protection\n"
                "- La demande de protection internationale, étape par étape\n"
                "- Statut de réfugié, protection subsidiaire\n"
                "- La protection temporaire des personnes venues d’Ukraine\n\n"
                "## Jour 3 — Le regroupement familial\n"
                "- Qui peut rejoindre qui, et à quelles conditions\n"
                "- Les documents demandés et les délais\n\n"
                "## Jour 4 — La jurisprudence récente\n"
                "- Des décisions récentes, lues en petits groupes\n"
                "- Vos questions de terrain (apportez vos situations, sans nom)",
                "en": "## Day 1 — The basics of residence\n"
                "- Who is a foreign national under the Law of 15 December 1980\n"
                "- Short stay, long stay, settlement\n"
                "- Residence cards and what they allow\n\n"
                "## Day 2 — Protection statuses\n"
                "- Applying for international protection, step by step\n"
                "- Refugee status, subsidiary protection\n"
                "- Temporary protection for people who came from Ukraine\n\n"
                "## Day 3 — Family reunification\n"
                "- Who can join whom, and on what conditions\n"
                "- The documents asked for, and how long it takes\n\n"
                "## Day 4 — Recent case law\n"
                "- Recent decisions, read in small groups\n"
                "- Your questions from the field (bring your cases, without names)",
                "uk": "## Заняття 1 — Основи перебування\n"
                "- Хто є іноземцем у розумінні Закону від 15 грудня 1980 року\n"
                "- Короткострокове й довгострокове перебування, постійне проживання\n"
                "- Посвідки на проживання та права, які вони дають\n\n"
                "## Заняття 2 — Статуси захисту\n"
                "- Подання заяви про міжнародний захист: крок за кроком\n"
                "- Статус біженця, субсидіарний захист\n"
                "- Тимчасовий захист для людей, які приїхали з України\n\n"
                "## Заняття 3 — Воззʼєднання сімʼї\n"
                "- Хто до кого може приїхати й на яких умовах\n"
                "- Потрібні документи й строки\n\n"
                "## Заняття 4 — Нещодавня судова практика\n"
                "- Аналіз нещодавніх рішень у малих групах\n"
                "- Ваші запитання з практики (приносьте свої випадки, без імен)",
            },
            audience={
                "fr": "Travailleurs sociaux et bénévoles des ILI et des associations",
                "en": "Social workers and volunteers of ILIs and associations",
                "uk": "Соціальні працівники та волонтери ILI і громадських організацій",
            },
            trainer="Anne Lefèvre",
            trainer_organisation="Collectif Droits et Migrations",
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
                    topic=topic,
                )
                for day, topic in zip(
                    working_days(first_friday + timedelta(weeks=w) for w in range(4)),
                    LEGAL_RIGHTS_DAYS,
                    strict=True,
                )
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
                "d’autres cultures. Présence aux deux journées obligatoire.",
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
                "fr": "Séance d’information\u00a0: nouveaux services à Namur",
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
