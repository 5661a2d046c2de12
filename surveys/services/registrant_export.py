"""A training's registrations as an export: the registration's own columns, the answers,
then who came to each session."""

from collections.abc import Iterator
from functools import partial

from flask_babel import gettext as _
from flask_babel import pgettext

from ..dates import format_date
from ..forms import registry
from ..models import Training
from . import attendance, exports
from .training_admin import registrations_of


def table(training: Training, *, codes: bool) -> exports.Table:
    definition = registry.signup_definition(training.every_date_required, training.id, reading=True)
    meta = [
        exports.Column("id", lambda row: row["id"]),
        exports.Column(
            "status" if codes else _("Status"),
            lambda row: row["status"] if codes else status_label(row["status"]),
        ),
        exports.time_column("registered_at" if codes else _("Registered at"), "created_at"),
        exports.Column("locale" if codes else _("Language"), lambda row: row["locale"], width=8),
    ]
    # Who came to each session: "yes", "no" where attendance was taken at that session,
    # empty where it was not (not taken is not absent).
    attended = attendance.sessions_attended(training.id)
    taken = {session_id for ids in attended.values() for session_id in ids}
    presence_columns = []
    ordered = sorted(training.sessions, key=lambda s: (s.date, s.start_time))
    for number, session in enumerate(ordered, start=1):
        header = (
            f"present_{number}"
            if codes
            else _(
                "Present, session %(number)d (%(date)s)",
                number=number,
                date=format_date(session.date, "short"),
            )
        )
        # Plain values: the rows are streamed once the request's view has returned.
        cell = partial(presence, attended, session.id, session.id in taken, codes)
        presence_columns.append(exports.Column(header, cell))
    return exports.answers_table(meta, definition, codes=codes, after=presence_columns)


def rows(slug: str) -> Iterator[dict]:
    """The registrations as plain rows, queried when streamed (no ORM object outlives the
    request's view)."""
    for registration in registrations_of(slug):
        yield {
            "id": registration.id,
            "status": registration.status,
            "created_at": registration.created_at,
            "locale": registration.locale,
            "answers": registration.answers,
        }


def presence(attended: dict, session_id: int, taken: bool, codes: bool, row) -> str:
    if session_id in attended.get(row["id"], ()):
        return "1" if codes else _("Yes")
    if not taken or row["status"] != "confirmed":
        return ""
    return "0" if codes else _("No")


def status_label(status: str) -> str:
    """The status of one registration, as a cell of the export and on its page."""
    return {
        "confirmed": pgettext("registration status", "Confirmed"),
        "waitlisted": pgettext("registration status", "On the waiting list"),
        "cancelled": pgettext("registration status", "Cancelled"),
    }.get(status, status)
