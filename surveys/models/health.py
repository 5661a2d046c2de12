"""The row the health check writes, so that it reports whether the database takes writes."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime


class HealthCheck(db.Model):
    """One row per database, rewritten by every ``/healthz``: a read-only, full or refusing
    database fails that write where a ``SELECT 1`` would still succeed."""

    __tablename__ = "health_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
