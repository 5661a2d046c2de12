"""Running a unit of work so that the database's ordinary failures never lose it.

SQLAlchemy's advice for a connection lost in the middle of a transaction is to run the whole
operation again from its start (its FAQ, "How do I 'retry' a statement execution
automatically?"): ``run`` does that once for a connection the server had closed (a restart, a
failover, ``pg_terminate_backend``), and a few times, after a pause, for an SQLite write
lock that did not come within the busy timeout. Every other database error — refused
connections, a full or read-only disk — becomes ``DatabaseUnavailable``, logged with its
cause, after the transaction was rolled back: the caller tells the person, and keeps what
they typed.

A unit of work run here must be safe to run twice: ours are (a form's submission key, a
sign-up's e-mail address and key, a message's claim make the second run store nothing new).
"""

import contextlib
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Flask, g, has_request_context
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .extensions import db

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# After the busy timeout (extensions.configure_sqlite) ran out: try again this many times,
# after these pauses (seconds).
LOCKED_RETRY_PAUSES = (0.05, 0.2, 1.0)


# What a person whose request the database could not carry out is told to wait, in seconds.
RETRY_AFTER_SECONDS = 60

# What the driver or the pool raise when the database fails (not the ORM's usage errors).
ERRORS = (DBAPIError, PoolTimeout)


class DatabaseUnavailable(Exception):
    """The database could not carry out a unit of work just now; nothing of it was stored."""


def is_disconnect(error: Exception) -> bool:
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def is_locked(error: Exception) -> bool:
    """SQLite's "database is locked" / "database is busy" (the busy timeout ran out)."""
    if not isinstance(error, DBAPIError) or error.orig is None:
        return False
    name = getattr(error.orig, "sqlite_errorname", "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def rollback() -> None:
    with contextlib.suppress(DBAPIError):  # a dead connection is discarded all the same
        db.session.rollback()


def init_app(app: Flask) -> None:
    """At the end of every request, end its transaction here first: when the server closed
    the connection after the request's last query, ending it fails, and at Flask-SQLAlchemy's
    ``session.remove()`` (app context teardown) that failure would escape every error
    handler: a bare 500 from the WSGI server for a page already rendered. (Only requests:
    code in an app context of its own, a test or a command, keeps its loaded objects.)"""

    @app.teardown_request
    def end_transaction(error: BaseException | None) -> None:
        if db.session.registry.has():  # a request that never used the database has no session
            rollback()


def run(unit: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """``unit(*args, **kwargs)``, run again on a lost connection or a lock that did not come
    in time; ``DatabaseUnavailable`` when the database still cannot do it."""
    disconnects = 0
    locked = 0
    while True:
        try:
            return unit(*args, **kwargs)
        except ERRORS as error:
            rollback()
            name = getattr(unit, "__qualname__", repr(unit))
            if is_disconnect(error) and disconnects == 0:
                disconnects += 1
                log.warning("database connection lost during %s; running it again", name)
                continue
            if is_locked(error) and locked < len(LOCKED_RETRY_PAUSES):
                time.sleep(LOCKED_RETRY_PAUSES[locked])
                locked += 1
                log.warning("database locked during %s; attempt %d", name, locked + 1)
                continue
            log.error("database unavailable during %s: %s", name, error, exc_info=error)
            note_failure()
            raise DatabaseUnavailable(name) from error


def note_failure() -> None:
    """Remember, for the rest of the request, that the database failed: what still renders
    (the form with what the person typed, the error page) asks nothing more of it (the staff
    session check, which Flask-Login runs for every template, then sees nobody)."""
    if has_request_context():
        g.database_failed = True


def failed_in_this_request() -> bool:
    return has_request_context() and g.get("database_failed", False)
