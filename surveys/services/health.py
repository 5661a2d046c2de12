"""What ``/healthz`` reports: whether the database takes writes, and the outbox's backlog.

Reading is not enough: a database on a full or read-only disk, or a PostgreSQL server in
read-only mode, still answers ``SELECT 1`` while every form sent to it fails. So the check
writes and commits a row, and on SQLite also looks at the room left for new rows (a write
that rewrites an existing row needs no new page, so a nearly full file would pass it).
"""

import os
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select, text

from .. import database
from ..extensions import begin_serialized, db
from ..models import HealthCheck, OutboxMessage, OutboxStatus, utcnow


@dataclass(frozen=True)
class DatabaseHealth:
    writable: bool
    problem: str | None = None  # "unavailable", "read-only or refusing writes", "full"
    free_bytes: int | None = None  # SQLite: room left for new rows


def write_heartbeat() -> None:
    begin_serialized()
    row = db.session.get(HealthCheck, 1)
    if row is None:
        db.session.add(HealthCheck(id=1, checked_at=utcnow()))
    else:
        row.checked_at = utcnow()
    db.session.commit()


def sqlite_free_bytes() -> int | None:
    """Room for new rows: free pages inside the file, the pages it may still grow by
    (``max_page_count``), and the file system's free space."""
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return None

    def pragma(name: str) -> int:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

    page_size = pragma("page_size")
    free_inside = pragma("freelist_count") * page_size
    growth = (pragma("max_page_count") - pragma("page_count")) * page_size
    path = connection.engine.url.database
    if path and path != ":memory:":
        stats = os.statvfs(os.path.dirname(os.path.abspath(path)))
        growth = min(growth, stats.f_bavail * stats.f_frsize)
    return free_inside + max(growth, 0)


def database_health() -> DatabaseHealth:
    try:
        db.session.execute(text("SELECT 1"))
    except database.ERRORS:
        database.rollback()
        return DatabaseHealth(writable=False, problem="unavailable")
    try:
        write_heartbeat()
    except database.ERRORS:
        database.rollback()
        return DatabaseHealth(writable=False, problem="read-only or refusing writes")
    free = sqlite_free_bytes()
    db.session.rollback()
    if free is not None and free < current_app.config["HEALTH_MIN_FREE_BYTES"]:
        return DatabaseHealth(writable=False, problem="full", free_bytes=free)
    return DatabaseHealth(writable=True, free_bytes=free)


def outbox_backlog() -> dict[str, int]:
    """E-mails still to deliver (waiting or being sent) and failed ones no one handled."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(
            OutboxMessage.status.in_(
                [OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED]
            ),
            OutboxMessage.handled_at.is_(None),
        )
        .group_by(OutboxMessage.status)
    ).all()
    counts = dict(rows)
    db.session.rollback()
    return {
        "pending": counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0),
        "failed": counts.get(OutboxStatus.FAILED, 0),
    }
