"""GDPR tools: everything held on one person, its export and erasure; retention purge."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy import Text, cast, delete, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import begin_serialized, db, serialized_transaction
from ..forms.values import InvalidValue, normalise_email, normalise_phone
from ..models import (
    BRUSSELS,
    Attendance,
    AuditEvent,
    Form,
    FormKind,
    FormVersion,
    LoginThrottle,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    StaffSession,
    Submission,
    TrainingSession,
    utcnow,
)
from . import audit, outbox, trainings
from .exports import iso_brussels


@dataclass
class PersonData:
    email: str | None
    phone: str | None
    registrations: list[Registration] = field(default_factory=list)
    submissions: list[Submission] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.registrations or self.submissions or self.messages)


class NotAnIdentifier(ValueError):
    """The search was neither an e-mail address nor a phone number."""


def identifier(text: str) -> tuple[str | None, str | None]:
    text = text.strip()
    if "@" in text:
        try:
            return normalise_email(text), None
        except InvalidValue:
            return text.lower(), None  # search for it anyway, as stored (lower-cased)
    try:
        return None, normalise_phone(text)
    except InvalidValue:
        raise NotAnIdentifier(text) from None


def forms_collecting_personal_data() -> list[Form]:
    return list(db.session.scalars(select(Form).where(Form.personal_data.is_(True))))


def find_person(text: str) -> PersonData:
    email, phone = identifier(text)
    person = PersonData(email, phone)
    registration_match = Registration.email == email if email else Registration.phone == phone
    person.registrations = list(
        db.session.scalars(
            select(Registration)
            .where(registration_match)
            .options(selectinload(Registration.training))
            .order_by(Registration.created_at)
        )
    )
    submission_match = (
        Submission.contact_email == email if email else Submission.contact_phone == phone
    )
    # In the forms that collect personal data, the address or number may also have been
    # typed in any answer ("how to reach you", a remark): those answers are the person's too.
    personal = [form.code for form in forms_collecting_personal_data()]
    if personal:
        typed = func.lower(cast(Submission.answers, Text)).contains(email or phone, autoescape=True)
        submission_match = or_(submission_match, Submission.form.in_(personal) & typed)
    person.submissions = list(
        db.session.scalars(
            select(Submission).where(submission_match).order_by(Submission.created_at)
        )
    )
    conditions = []
    if email:
        conditions.append(OutboxMessage.recipient == email)
    registration_ids = [r.id for r in person.registrations]
    if registration_ids:
        conditions.append(OutboxMessage.registration_id.in_(registration_ids))
    if conditions:
        person.messages = list(
            db.session.scalars(
                select(OutboxMessage).where(or_(*conditions)).order_by(OutboxMessage.created_at)
            )
        )
    return person


def attended_dates(registration_id: int) -> list[str]:
    """The sessions the person was marked present at, as dates."""
    return [
        day.isoformat()
        for day in db.session.scalars(
            select(TrainingSession.date)
            .join(Attendance, Attendance.session_id == TrainingSession.id)
            .where(Attendance.registration_id == registration_id)
            .order_by(TrainingSession.date)
        )
    ]


def export_person(text: str, *, actor: str) -> dict:
    """Everything held on the person, as plain data (the file given to them on request)."""
    person = find_person(text)
    data = {
        "exported_at": iso_brussels(utcnow()),
        "registrations": [
            {
                "training": r.training.slug,
                "status": r.status,
                "language": r.locale,
                "registered_at": iso_brussels(r.created_at),
                "confirmed_at": iso_brussels(r.confirmed_at),
                "waitlisted_at": iso_brussels(r.waitlisted_at),
                "cancelled_at": iso_brussels(r.cancelled_at),
                "consents": r.consents,
                "answers": r.answers,
                "attended": attended_dates(r.id),
            }
            for r in person.registrations
        ],
        "form_answers": [
            {
                "form": s.form,
                "language": s.locale,
                "sent_at": iso_brussels(s.created_at),
                "consents": s.consents,
                "answers": s.answers,
            }
            for s in person.submissions
        ],
        "emails": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "status": m.status,
                "created_at": iso_brussels(m.created_at),
                "sent_at": iso_brussels(m.sent_at),
            }
            for m in person.messages
        ],
    }
    audit.log(
        actor,
        "person.export",
        registrations=len(person.registrations),
        answers=len(person.submissions),
        emails=len(person.messages),
    )
    return data


@dataclass(frozen=True)
class ErasureReport:
    registrations: int
    answers: int
    emails: int
    promoted: int


def erase_person(text: str, *, actor: str) -> ErasureReport:
    """Delete everything held on the person in one transaction per training. A confirmed seat
    in an upcoming training is passed to the waiting list (those people are e-mailed; the
    erased person is not)."""
    person = find_person(text)
    message_ids = {m.id for m in person.messages}
    promoted_messages: list[int] = []
    for registration in person.registrations:
        training = trainings.lock_training(registration.training_id)
        current = db.session.get(Registration, registration.id)
        if current is None:
            db.session.rollback()
            continue
        was_confirmed = current.status == RegistrationStatus.CONFIRMED
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.registration_id == current.id))
        db.session.delete(current)
        db.session.flush()
        if was_confirmed:
            promoted_messages += trainings.fill_free_seats(training)
        db.session.commit()
    begin_serialized()
    if message_ids:
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(message_ids)))
    for submission in person.submissions:
        db.session.delete(db.session.merge(submission))
    report = ErasureReport(
        len(person.registrations), len(person.submissions), len(message_ids), len(promoted_messages)
    )
    audit.record(
        actor,
        "person.erase",
        registrations=report.registrations,
        answers=report.answers,
        emails=report.emails,
        promoted=report.promoted,
    )
    db.session.commit()
    outbox.deliver_after_commit(promoted_messages)
    return report


@dataclass(frozen=True)
class PurgeReport:
    answers: int
    registrations: int
    emails: int
    audit_events: int
    other: int
    needs: int = 0  # registrations whose needs (special categories) were erased

    def __str__(self) -> str:
        return (
            f"{self.answers} answers, {self.registrations} registrations, {self.emails} "
            f"e-mail traces, {self.audit_events} audit events, {self.other} sessions and "
            f"login counters deleted; the needs of {self.needs} registrations erased"
        )


def special_category_codes() -> set[str]:
    """The questions, in any version of the sign-up form or of a training's own questions,
    whose answers may reveal health or belief (``special_category``)."""
    documents = db.session.scalars(
        select(FormVersion.document)
        .join(Form, Form.id == FormVersion.form_id)
        .where(Form.kind.in_([FormKind.TRAINING_SIGNUP, FormKind.TRAINING_QUESTIONS]))
    )
    return {
        question["code"]
        for document in documents
        for question in document.get("questions", ())
        if question.get("special_category")
    }


def erase_needs_after_trainings(today: date) -> int:
    """Erase the answers that may reveal health or belief (an accessibility or a dietary
    need) from the registrations of every training whose last date has passed: they were
    asked only to organise it (GDPR Art. 9). The rest of the registration stays for its own
    retention period. Returns how many registrations changed."""
    codes = special_category_codes()
    if not codes:
        return 0
    ended = (
        select(TrainingSession.training_id)
        .group_by(TrainingSession.training_id)
        .having(func.max(TrainingSession.date) < today)
    )
    changed = 0
    for registration in db.session.scalars(
        select(Registration).where(Registration.training_id.in_(ended))
    ):
        if codes & registration.answers.keys():
            registration.answers = {
                code: value for code, value in registration.answers.items() if code not in codes
            }
            changed += 1
    return changed


def purge(now: datetime | None = None, *, actor: str = "system") -> PurgeReport:
    """Delete what is older than its retention period (``flask purge``, daily), with its
    audit entry, in one transaction."""
    now = now or utcnow()
    # The write lock first: the web app may be writing to the same SQLite file.
    with serialized_transaction():
        report = delete_expired(now)
        audit.record(
            actor,
            "purge",
            answers=report.answers,
            registrations=report.registrations,
            emails=report.emails,
            audit_events=report.audit_events,
            needs=report.needs,
        )
    return report


def purge_preview(now: datetime | None = None) -> PurgeReport:
    """What the purge would remove if it ran now: the same statements, rolled back, so the
    staff's privacy page gives the purge's own counts."""
    begin_serialized()
    try:
        return delete_expired(now or utcnow())
    finally:
        db.session.rollback()


def last_purge() -> AuditEvent | None:
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "purge")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    )


def delete_expired(now: datetime) -> PurgeReport:
    """The purge's statements, in the caller's transaction."""
    config = current_app.config
    today = now.astimezone(BRUSSELS).date()
    # Each form keeps its answers for its own number of months; answers to a form that no
    # longer exists, for the default number.
    forms = db.session.execute(select(Form.code, Form.kind, Form.retention_months)).all()
    months = {code: kept for code, _kind, kept in forms}
    answers = 0
    for form, kept in months.items():
        answers += db.session.execute(
            delete(Submission).where(
                Submission.form == form, Submission.created_at < now - relativedelta(months=kept)
            )
        ).rowcount
    answers_before = now - relativedelta(months=config["RETENTION_ANSWERS_MONTHS"])
    answers += db.session.execute(
        delete(Submission).where(
            Submission.form.not_in(list(months)), Submission.created_at < answers_before
        )
    ).rowcount
    # Registrations: the sign-up form's months, counted from the training's last date.
    signup_months = next(
        (kept for _code, kind, kept in forms if kind == FormKind.TRAINING_SIGNUP),
        config["RETENTION_REGISTRATIONS_MONTHS"],
    )
    trainings_before: date = today - relativedelta(months=signup_months)

    last_dates = (
        select(TrainingSession.training_id)
        .group_by(TrainingSession.training_id)
        .having(db.func.max(TrainingSession.date) < trainings_before)
    )
    old_ids = list(
        db.session.scalars(select(Registration.id).where(Registration.training_id.in_(last_dates)))
    )
    emails = 0
    if old_ids:
        emails += db.session.execute(
            delete(OutboxMessage).where(OutboxMessage.registration_id.in_(old_ids))
        ).rowcount
        db.session.execute(delete(Registration).where(Registration.id.in_(old_ids)))
    emails += db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
            OutboxMessage.created_at < now - timedelta(days=config["RETENTION_OUTBOX_DAYS"]),
        )
    ).rowcount
    audit_events = db.session.execute(
        delete(AuditEvent).where(
            AuditEvent.at < now - relativedelta(months=config["RETENTION_AUDIT_MONTHS"])
        )
    ).rowcount
    idle_limit = now - timedelta(hours=config["STAFF_SESSION_HOURS"])
    other = db.session.execute(
        delete(StaffSession).where(StaffSession.created_at < idle_limit)
    ).rowcount
    other += db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - timedelta(days=1))
    ).rowcount
    needs = erase_needs_after_trainings(today)
    return PurgeReport(answers, len(old_ids), emails, audit_events, other, needs)
