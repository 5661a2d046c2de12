"""``/healthz`` for load balancers and monitoring: 200 when the app can store what people
send, 503 otherwise (see services.health), with the outbox's backlog."""

import logging

from flask import Blueprint

from . import database
from .services import health

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz():
    state = health.database_health()
    report = {
        "status": "ok" if state.writable else "error",
        "database": "ok" if state.writable else state.problem,
    }
    if state.free_bytes is not None:
        report["database_free_bytes"] = state.free_bytes
    if state.writable:
        try:
            report["outbox"] = health.outbox_backlog()
        except database.ERRORS:
            database.rollback()
    else:
        log.error("health check: database %s", state.problem)
    return report, 200 if state.writable else 503
