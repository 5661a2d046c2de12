"""The audit log: who did what, when. Details never hold answer contents or the e-mail
address or phone number that was searched, exported or erased."""

from typing import Any

from sqlalchemy import func, select

from ..extensions import begin_serialized, db
from ..models import AuditEvent


def record(actor: str, action: str, **detail: Any) -> None:
    """Add an event to the caller's transaction (the caller commits)."""
    db.session.add(AuditEvent(actor=actor, action=action, detail=detail))


def log(actor: str, action: str, **detail: Any) -> None:
    """Record an event that goes with no other change (an export, a search), in a unit of
    work of its own; run it through ``database.run``."""
    begin_serialized()
    record(actor, action, **detail)
    db.session.commit()


def recent(page: int = 1, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    total = db.session.scalar(select(func.count()).select_from(AuditEvent))
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return list(events), total
