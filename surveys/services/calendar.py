"""Calendar files (.ics) for training registrations."""

from datetime import date
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from ..i18n import localized
from ..models import Registration, utcnow

# Calendar status of the events for each kind of message.
EVENT_STATUS = {
    "confirmed": "CONFIRMED",
    "promoted": "CONFIRMED",
    "waitlisted": "TENTATIVE",
    "cancelled": "CANCELLED",
}


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
    host = urlsplit(public_url).hostname or "surveys"
    cancelled = kind == "cancelled"

    calendar = Calendar()
    calendar.add("prodid", "-//surveys//trainings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    stamp = utcnow()
    for session in training.sessions:
        event = Event()
        event.add("uid", f"registration-{registration.id}-session-{session.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("sequence", sequence)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", title)
        if session.place:
            event.add("location", session.place)
        # This session's part of the programme first: it is what this date is about.
        topic = localized(session.topic, registration.locale).text
        text = "\n\n".join(part for part in (topic, description) if part)
        if text:
            event.add("description", text)
        event.add("status", EVENT_STATUS[kind])
        calendar.add_component(event)
    if training.sessions:
        # The time zone's rules for the training's years only: icalendar's default writes
        # every change from 1970 to 2038, most of a message's rendering time and size.
        dates = [session.date for session in training.sessions]
        calendar.add_missing_timezones(
            first_date=date(min(dates).year, 1, 1), last_date=date(max(dates).year + 1, 1, 1)
        )
    return calendar.to_ical()
