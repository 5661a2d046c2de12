"""Calendar files (.ics) for training registrations."""

from dataclasses import dataclass
from datetime import date, time
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from ..i18n import localized
from ..models import Registration, RegistrationStatus, TrainingSession, utcnow
from ..models.trainings import WallClockTimes

# Calendar status of the events for each kind of message; a change or a reminder shows the
# registration as it stands.
EVENT_STATUS = {
    "confirmed": "CONFIRMED",
    "promoted": "CONFIRMED",
    "waitlisted": "TENTATIVE",
    "cancelled": "CANCELLED",
}
STATUS_NOW = {
    RegistrationStatus.CONFIRMED: "CONFIRMED",
    RegistrationStatus.WAITLISTED: "TENTATIVE",
    RegistrationStatus.CANCELLED: "CANCELLED",
}


@dataclass(frozen=True)
class RemovedSession(WallClockTimes):
    """A date a change removed: what its e-mail says of it, and its calendar event's UID."""

    session_id: int
    date: date
    start_time: time
    end_time: time
    place: str

    @classmethod
    def of(cls, session: TrainingSession) -> "RemovedSession":
        return cls(session.id, session.date, session.start_time, session.end_time, session.place)

    def to_json(self) -> dict:
        return {
            "id": self.session_id,
            "date": self.date.isoformat(),
            "start": self.start_time.isoformat("minutes"),
            "end": self.end_time.isoformat("minutes"),
            "place": self.place,
        }

    @classmethod
    def from_json(cls, item: dict) -> "RemovedSession":
        return cls(
            item["id"],
            date.fromisoformat(item["date"]),
            time.fromisoformat(item["start"]),
            time.fromisoformat(item["end"]),
            item.get("place", ""),
        )


def event_uid(registration: Registration, session_id: int, public_url: str) -> str:
    host = urlsplit(public_url).hostname or "surveys"
    return f"registration-{registration.id}-session-{session_id}@{host}"


def registration_calendar(
    registration: Registration, kind: str, public_url: str, sequence: int
) -> bytes:
    """Every session of the training as an event in Europe/Brussels time. The UIDs are stable
    per registration and session, so a later file (a promotion, a cancellation, or a duplicate
    delivery) updates the same events instead of adding new ones; ``sequence`` (higher in
    each later file) says which one applies."""
    training = registration.training
    title = localized(training.title, registration.locale).text
    description = localized(training.description, registration.locale).text
    cancelled = kind == "cancelled"
    status = EVENT_STATUS.get(kind) or STATUS_NOW[RegistrationStatus(registration.status)]

    calendar = new_calendar("CANCEL" if cancelled else "PUBLISH")
    stamp = utcnow()
    for session in training.sessions:
        event = session_event(registration, session.id, session, public_url, stamp, sequence)
        event.add("summary", title)
        # This session's part of the programme first: it is what this date is about.
        topic = localized(session.topic, registration.locale).text
        text = "\n\n".join(part for part in (topic, description) if part)
        if text:
            event.add("description", text)
        event.add("status", status)
        calendar.add_component(event)
    return finished(calendar, [session.date for session in training.sessions])


def cancelled_sessions(
    registration: Registration, removed: list[RemovedSession], public_url: str, sequence: int
) -> bytes:
    """The events of dates a change removed, cancelled (METHOD:CANCEL, same UIDs, a higher
    SEQUENCE): calendars that added them take them out."""
    title = localized(registration.training.title, registration.locale).text
    calendar = new_calendar("CANCEL")
    stamp = utcnow()
    for session in removed:
        event = session_event(
            registration, session.session_id, session, public_url, stamp, sequence
        )
        event.add("summary", title)
        event.add("status", "CANCELLED")
        calendar.add_component(event)
    return finished(calendar, [session.date for session in removed])


def new_calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//surveys//trainings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar


def session_event(registration, session_id: int, session, public_url, stamp, sequence) -> Event:
    """A session's event: the same UID in every file sent to this registration, so a later
    file (with a higher ``sequence``) updates or cancels it."""
    event = Event()
    event.add("uid", event_uid(registration, session_id, public_url))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    if session.place:
        event.add("location", session.place)
    return event


def finished(calendar: Calendar, dates: list[date]) -> bytes:
    if dates:
        # The time zone's rules for the training's years only: icalendar's default writes
        # every change from 1970 to 2038, most of a message's rendering time and size.
        calendar.add_missing_timezones(
            first_date=date(min(dates).year, 1, 1), last_date=date(max(dates).year + 1, 1, 1)
        )
    return calendar.to_ical()
