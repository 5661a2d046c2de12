"""Database models (SQLAlchemy 2 typed mappings), one module per capability."""

from .answers import Submission
from .base import BRUSSELS, JSONDocument, UTCDateTime, utcnow
from .forms import Form, FormKind, FormVersion
from .health import HealthCheck
from .outbox import OutboxMessage, OutboxStatus
from .staff import AuditEvent, LoginThrottle, StaffSession, StaffUser
from .trainings import Registration, RegistrationStatus, Training, TrainingSession

__all__ = [
    "BRUSSELS",
    "AuditEvent",
    "Form",
    "FormKind",
    "FormVersion",
    "HealthCheck",
    "JSONDocument",
    "LoginThrottle",
    "OutboxMessage",
    "OutboxStatus",
    "Registration",
    "RegistrationStatus",
    "StaffSession",
    "StaffUser",
    "Submission",
    "Training",
    "TrainingSession",
    "UTCDateTime",
    "utcnow",
]
