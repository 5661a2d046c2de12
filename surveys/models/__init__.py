"""Database models (SQLAlchemy 2 typed mappings), one module per capability."""

from .answers import Submission
from .base import BRUSSELS, JSONDocument, UTCDateTime, utcnow
from .forms import Form, FormKind, FormVersion
from .health import HealthCheck
from .outbox import OutboxMessage, OutboxStatus
from .staff import AuditEvent, LoginThrottle, StaffRole, StaffSession, StaffUser
from .trainings import (
    Attendance,
    MessageAudience,
    Registration,
    RegistrationStatus,
    Training,
    TrainingMessage,
    TrainingSession,
)

__all__ = [
    "BRUSSELS",
    "Attendance",
    "AuditEvent",
    "Form",
    "FormKind",
    "FormVersion",
    "HealthCheck",
    "JSONDocument",
    "LoginThrottle",
    "MessageAudience",
    "OutboxMessage",
    "OutboxStatus",
    "Registration",
    "RegistrationStatus",
    "StaffRole",
    "StaffSession",
    "StaffUser",
    "Submission",
    "Training",
    "TrainingMessage",
    "TrainingSession",
    "UTCDateTime",
    "utcnow",
]
