"""Calendar files (.ics) for training registrations."""

from urllib.parse import urlsplit

from icalendar import Calendar, Event

from ..i18n import localized
from ..models import Registration, RegistrationStatus, utcnow

# Calendar status of the events for each kind of message.
EVENT_STATUS = {
    "confirmed": "CONFIRMED",
    "promoted": "CONFIRMED",
    "waitlisted": "TENTATIVE",
    "cancelled": "CANCELLED",
}


def registration_calendar(registration: Registration, kind: str, public_url: str) -> bytes:
    """Every session of the training as an event in Europe/Brussels time. The UIDs are stable
    per registration and session, so a later file (a promotion, a cancellation, or a duplicate
    delivery) updates the same events instead of adding new ones."""
    training = registration.training
    title = localized(training.title, registration.locale).text
    description = localized(training.description, registration.locale).text
    host = urlsplit(public_url).hostname or "surveys"
    cancelled = registration.status == RegistrationStatus.CANCELLED

    calendar = Calendar()
    calendar.add("prodid", "-//surveys//trainings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    stamp = utcnow()
    for session in training.sessions:
        event = Event()
        event.add("uid", f"registration-{registration.id}-session-{session.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("sequence", registration.calendar_sequence)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", title)
        if session.place:
            event.add("location", session.place)
        if description:
            event.add("description", description)
        event.add("status", EVENT_STATUS[kind])
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
