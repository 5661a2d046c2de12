"""Managing trainings (staff): create, edit, duplicate, open, close, publish, cancel a
registration. Used by ``flask trainings …`` now and by the staff dashboard later."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db, serialized_transaction
from ..forms.values import fits_in_header
from ..i18n import LANGUAGES
from ..models import (
    BRUSSELS,
    Registration,
    RegistrationStatus,
    Training,
    TrainingSession,
    utcnow,
)
from . import audit, outbox
from .calendar import RemovedSession
from .notifications import queue as outbox_queue
from .trainings import (
    CancelOutcome,
    Seats,
    cancel,
    confirm_from_waiting_list,
    fill_free_seats,
    find_registration,
    lock_training,
    seats_of,
)

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")
SESSION_LINE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})(?:\s+(.*))?$"
)
# Under a session's line, its part of the programme in one language: "fr: Jour 2 : …".
SESSION_TOPIC = re.compile(rf"^\s*(?P<lang>{'|'.join(LANGUAGES)})\s*:\s*(?P<text>.*)$")
TEXT_FIELDS = ("title", "description", "audience", "programme", "objectives")


class TrainingError(ValueError):
    """A request staff can correct: the message says what is wrong."""


class SlugTaken(TrainingError):
    """Another training has this slug (perhaps created a moment ago by someone else)."""


@dataclass(frozen=True)
class SessionSpec:
    date: date
    start: time
    end: time
    place: str = ""
    # This session's line of the programme, per language ({"fr": "Jour 2 : …", …}).
    topic: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple:
        """What makes it the same session (a calendar file already sent refers to it)."""
        return (self.date, self.start, self.end, self.place.strip())


def parse_session_line(text: str) -> "SessionSpec":
    """'2027-09-03 09:30-16:30 Namur, rue de Bruxelles 20' → a SessionSpec (ValueError if not)."""
    match = SESSION_LINE.match(text.strip())
    if not match:
        raise ValueError(text)
    day, start, end, place = match.groups()
    return SessionSpec(
        date.fromisoformat(day),
        time.fromisoformat(start.zfill(5)),
        time.fromisoformat(end.zfill(5)),
        (place or "").strip(),
    )


def check_slug(slug: str) -> None:
    if not SLUG.match(slug):
        raise TrainingError(
            f"invalid slug {slug!r}: use lower-case letters, digits and hyphens (at most 80)"
        )
    if db.session.scalar(select(Training.id).where(Training.slug == slug)) is not None:
        raise SlugTaken(f"a training with the slug {slug!r} already exists")


def check_texts(texts: dict[str, dict[str, str]]) -> None:
    for name, values in texts.items():
        unknown = set(values) - set(LANGUAGES)
        if unknown:
            raise TrainingError(f"{name}: unknown language(s) {sorted(unknown)}")
    if not (texts.get("title") or {}).get("fr", "").strip():
        raise TrainingError("a French title is required")
    for lang, title in (texts.get("title") or {}).items():
        # A title is the subject of every e-mail about the training.
        if not fits_in_header(title):
            raise TrainingError(f"title ({lang}): write it on one line, without '=?' or '?='")


def make_sessions(specs: list[SessionSpec]) -> list[TrainingSession]:
    for spec in specs:
        if spec.end <= spec.start:
            raise TrainingError(f"session {spec.date}: the end must be after the start")
    return [
        TrainingSession(
            date=s.date,
            start_time=s.start,
            end_time=s.end,
            place=s.place.strip(),
            topic=filled(s.topic),
        )
        for s in sorted(specs, key=lambda s: (s.date, s.start))
    ]


def filled(texts: dict[str, str] | None) -> dict[str, str]:
    """Only the languages that have a text (a missing one falls back to French)."""
    return {lang: text.strip() for lang, text in (texts or {}).items() if text and text.strip()}


def check_capacity(capacity: int | None) -> None:
    if capacity is not None and capacity < 1:
        raise TrainingError("the capacity must be at least 1 (or none for no limit)")


def get_training(slug: str) -> Training:
    training = db.session.scalar(
        select(Training).where(Training.slug == slug).options(selectinload(Training.sessions))
    )
    if training is None:
        raise TrainingError(f"no training with the slug {slug!r}")
    return training


def create_training(
    slug: str,
    *,
    title: dict[str, str],
    description: dict[str, str] | None = None,
    audience: dict[str, str] | None = None,
    programme: dict[str, str] | None = None,
    objectives: dict[str, str] | None = None,
    trainer: str = "",
    trainer_organisation: str = "",
    capacity: int | None = None,
    registration_deadline: date | None = None,
    every_date_required: bool = False,
    reminder_days: int | None = 2,
    is_open: bool = True,
    is_published: bool = False,
    sessions: list[SessionSpec] = (),
    actor: str | None = None,
) -> Training:
    """Create a training in one transaction, with its audit event when ``actor`` is given
    (the CLI's changes are logged by the shell, not here)."""
    with serialized_transaction():
        training = add_training(
            slug,
            title=title,
            description=description,
            audience=audience,
            programme=programme,
            objectives=objectives,
            trainer=trainer,
            trainer_organisation=trainer_organisation,
            capacity=capacity,
            registration_deadline=registration_deadline,
            every_date_required=every_date_required,
            reminder_days=reminder_days,
            is_open=is_open,
            is_published=is_published,
            sessions=sessions,
        )
        if actor:
            audit.record(actor, "training.create", training=slug)
    return training


def add_training(slug: str, *, sessions, **fields) -> Training:
    """Check and add a training to the caller's transaction (which holds the write lock, so
    that the slug stays free until it commits). Its texts are ``TEXT_FIELDS``, by language."""
    check_slug(slug)
    texts = {name: filled(fields.pop(name, None)) for name in TEXT_FIELDS}
    check_texts(texts)
    check_capacity(fields.get("capacity"))
    training = Training(slug=slug, sessions=make_sessions(list(sessions)), **texts, **fields)
    db.session.add(training)
    return training


UNSET = object()


def update_training(
    slug: str,
    *,
    texts: dict[str, dict[str, str]] | None = None,
    capacity=UNSET,
    sessions: list[SessionSpec] | None = None,
    actor: str | None = None,
    action: str = "training.edit",
    **fields,
) -> list[int]:
    """Change a training, in one transaction with its audit event (when ``actor`` is given).
    Texts are merged per language (an empty string removes one); ``sessions``, when given,
    replace the dates. When the change frees seats (more capacity, or none), the waiting
    list moves up and those people are e-mailed. Returns the ids of the queued e-mails."""
    allowed = {
        "trainer",
        "trainer_organisation",
        "registration_deadline",
        "every_date_required",
        "reminder_days",
        "is_open",
        "is_published",
    }
    if set(fields) - allowed:
        raise TrainingError(f"unknown field(s): {sorted(set(fields) - allowed)}")
    training_id = get_training(slug).id
    try:
        training = lock_training(training_id)
        merged = {}
        for name, values in (texts or {}).items():
            merged[name] = filled({**(getattr(training, name) or {}), **values})
        check_texts({"title": merged.get("title", training.title), **merged})
        for name, value in merged.items():
            setattr(training, name, value)
        if capacity is not UNSET:
            check_capacity(capacity)
            training.capacity = capacity
        for name, value in fields.items():
            setattr(training, name, value)
        change = set_sessions(training, sessions) if sessions is not None else DateChange()
        db.session.flush()
        # Those just given a seat get one e-mail that says so and gives the new dates (and
        # cancels the removed ones); everyone else of the new dates, the "new dates" one.
        waiting = waitlisted_ids(training)
        message_ids = fill_free_seats(training, payload=change.payload() if change else None)
        promoted = waiting - waitlisted_ids(training)
        message_ids += announce_date_change(training, change, skip=promoted)
        if actor:
            detail = {"notified": len(message_ids)} if change else {}
            audit.record(actor, action, training=slug, **detail)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    outbox.deliver_after_commit(message_ids)
    return message_ids


@dataclass
class DateChange:
    """What a new list of dates changed: the e-mail to registrants says it."""

    added: int = 0
    moved: int = 0  # same day, another time or place: same calendar event, updated
    removed: list[RemovedSession] = field(default_factory=list)
    first_date_moved: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.moved or self.removed)

    def payload(self) -> dict:
        """What the e-mails of this change carry: the removed dates (their rows are gone)."""
        return {"removed": [session.to_json() for session in self.removed], "dates_changed": True}


def set_sessions(training: Training, specs: list[SessionSpec]) -> DateChange:
    """Set the training's dates to ``specs``. Unchanged dates keep their identity (calendar
    files already sent refer to them); a date whose time or place changed (one session that
    day before and after) is updated in place, so its calendar event is updated too."""
    first_before = min((s.date for s in training.sessions), default=None)
    wanted = {spec.key: spec for spec in specs}
    unmatched = []
    for session in list(training.sessions):
        kept = wanted.pop((session.date, session.start_time, session.end_time, session.place), None)
        if kept is None:
            unmatched.append(session)
        else:
            session.topic = filled(kept.topic)
    change = DateChange()
    for session in unmatched:
        same_day = [spec for spec in wanted.values() if spec.date == session.date]
        if len(same_day) == 1 and sum(s.date == session.date for s in unmatched) == 1:
            spec = same_day[0]
            del wanted[spec.key]
            make_sessions([spec])  # checks the times
            session.start_time, session.end_time = spec.start, spec.end
            session.place, session.topic = spec.place.strip(), filled(spec.topic)
            change.moved += 1
        else:
            change.removed.append(RemovedSession.of(session))
            training.sessions.remove(session)
    added = make_sessions(list(wanted.values()))
    training.sessions.extend(added)
    change.added = len(added)
    change.first_date_moved = first_before != min((s.date for s in training.sessions), default=None)
    training.updated_at = utcnow()  # the public page shows the dates
    return change


def announce_date_change(
    training: Training, change: DateChange, *, skip: set[int] = frozenset()
) -> list[int]:
    """Queue the "new dates" e-mail (with the updated and the cancelled calendar events) for
    everyone confirmed or waiting but ``skip`` (told in another e-mail), in the caller's
    transaction; a reminder already sent goes again before the new first date."""
    if not change:
        return []
    db.session.flush()
    people = db.session.scalars(
        select(Registration).where(
            Registration.training_id == training.id,
            Registration.status.in_((RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)),
        )
    ).all()
    payload = change.payload()
    now = utcnow()
    message_ids = []
    for registration in people:
        if change.first_date_moved:
            registration.reminded_at = None
        if registration.id in skip:
            continue
        message_ids.append(
            outbox_queue(registration.id, registration.email, "changed", now, payload=payload)
        )
    return message_ids


def waitlisted_ids(training: Training) -> set[int]:
    return set(
        db.session.scalars(
            select(Registration.id).where(
                Registration.training_id == training.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
        )
    )


def change_sessions(slug: str, change_dates) -> tuple[int, list[int]]:
    """Lock the training, apply ``change_dates(training) -> DateChange``, e-mail its
    registrants, commit; returns what the function returned and the queued e-mails' ids."""
    training_id = get_training(slug).id
    with serialized_transaction():
        training = lock_training(training_id)
        change = change_dates(training)
        message_ids = announce_date_change(training, change)
    outbox.deliver_after_commit(message_ids)
    return change, message_ids


def replace_sessions(slug: str, specs: list[SessionSpec]) -> list[int]:
    return change_sessions(slug, lambda training: set_sessions(training, specs))[1]


def add_session(slug: str, spec: SessionSpec) -> list[int]:
    def add(training: Training) -> DateChange:
        return set_sessions(training, [*session_specs(training), spec])

    return change_sessions(slug, add)[1]


def remove_session(slug: str, day: date) -> int:
    def remove(training: Training) -> DateChange:
        if not any(s.date == day for s in training.sessions):
            raise TrainingError(f"{slug} has no session on {day.isoformat()}")
        return set_sessions(training, [s for s in session_specs(training) if s.date != day])

    change, _ = change_sessions(slug, remove)
    return len(change.removed)


def session_specs(training: Training) -> list[SessionSpec]:
    return [
        SessionSpec(s.date, s.start_time, s.end_time, s.place, dict(s.topic or {}))
        for s in training.sessions
    ]


def duplicate_training(
    slug: str,
    new_slug: str,
    *,
    sessions: list[SessionSpec] = (),
    actor: str | None = None,
    **overrides,
) -> Training:
    """A copy without registrations, as a draft: the same workshop in another place or on
    other dates. Sessions are replaced when given, copied otherwise."""
    with serialized_transaction():
        source = get_training(slug)
        copied = session_specs(source)
        values = {
            **{name: dict(getattr(source, name) or {}) for name in TEXT_FIELDS},
            "trainer": source.trainer,
            "trainer_organisation": source.trainer_organisation,
            "capacity": source.capacity,
            "registration_deadline": source.registration_deadline,
            "every_date_required": source.every_date_required,
            "reminder_days": source.reminder_days,
            "is_open": True,
            "is_published": False,
            "sessions": list(sessions) or copied,
        }
        values.update(overrides)
        copy = add_training(new_slug, **values)
        if actor:
            audit.record(actor, "training.duplicate", training=slug, copy=new_slug)
    return copy


def all_trainings() -> list[tuple[Training, Seats]]:
    trainings = db.session.scalars(
        select(Training).options(selectinload(Training.sessions)).order_by(Training.slug)
    ).all()
    seats = seats_of(list(trainings))
    return [(t, seats[t.id]) for t in trainings]


def registrations_of(slug: str) -> list[Registration]:
    training = get_training(slug)
    return db.session.scalars(
        select(Registration)
        .where(Registration.training_id == training.id)
        .order_by(
            Registration.status,
            Registration.waitlisted_at,
            Registration.created_at,
            Registration.id,
        )
    ).all()


def get_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise TrainingError(f"no registration {registration_id}")
    return registration


def attendance_list(training_id: int) -> list[Registration]:
    """The confirmed people of a training, by last name then first name, for its sheets."""
    people = db.session.scalars(
        select(Registration).where(
            Registration.training_id == training_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    return sorted(
        people,
        key=lambda r: (
            alphabetical(r.answers.get("last_name", "")),
            alphabetical(r.answers.get("first_name", "")),
        ),
    )


def alphabetical(name) -> str:
    """A name's place in a list: "Éric" with the e's, "van Damme" with the v's."""
    decomposed = unicodedata.normalize("NFKD", str(name or ""))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def promote(registration_id: int, *, actor: str) -> bool:
    """Staff give a waitlisted person a seat even when the training is full (a chair is
    added); the person gets the promotion e-mail."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return False
    lock_training(registration.training_id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status != RegistrationStatus.WAITLISTED:
        db.session.rollback()
        return False
    message_id = confirm_from_waiting_list(registration)
    audit.record(
        actor, "registration.promote", training=registration.training.slug, id=registration.id
    )
    db.session.commit()
    outbox.deliver_after_commit([message_id])
    return True


def cancel_registration(slug: str, email: str) -> CancelOutcome:
    registration = find_registration(get_training(slug).id, email.strip().lower())
    if registration is None:
        raise TrainingError(f"no registration of {email!r} for {slug}")
    return cancel(registration.id)


def overview(today: date | None = None) -> list[tuple[Training, Seats, date | None]]:
    """Trainings with their seats and next date; those still to come first."""
    today = today or utcnow().astimezone(BRUSSELS).date()
    rows = []
    for training, seats in all_trainings():
        upcoming = [s.date for s in training.sessions if s.date >= today]
        rows.append((training, seats, min(upcoming) if upcoming else None))
    return sorted(rows, key=lambda r: (r[2] is None, r[2] or date.max, r[0].slug))
