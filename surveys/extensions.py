"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

import contextlib
import logging
import sqlite3
from collections.abc import Iterator

from flask import current_app, has_request_context, request
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

log = logging.getLogger(__name__)

# Marks, on a connection, a transaction begun with the write lock (``begin_serialized``).
SERIALIZED = "surveys_serialized"

# Named constraints, so that migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
compress = Compress()
login_manager = LoginManager()
# Limits live in Redis when REDIS_URL is set (shared by every worker and host), in memory
# otherwise; see config.py.
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def reading_is_never_limited() -> bool:
    """Only sending a form counts (every limit is on POST). Saying so up front also spares
    each page view the limiter's resolution of limits, a good part of a cached page's cost."""
    return request.method in ("GET", "HEAD", "OPTIONS")


@event.listens_for(Engine, "connect")
def configure_sqlite(dbapi_connection, connection_record):
    """WAL lets readers work while one writer writes; the busy timeout makes writers queue
    instead of failing with "database is locked"."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Python's driver would otherwise begin transactions itself, lazily, and a
        # "count, then insert" could overbook; ``begin_sqlite`` below takes over (this is
        # the recipe of SQLAlchemy's SQLite documentation, "Serializable isolation").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # SQLite's LIKE and lower() fold ASCII letters only: "житло" would not find
        # "Житло", nor "école" "École". PostgreSQL's ILIKE folds every alphabet.
        dbapi_connection.create_function("casefold", 1, casefold, deterministic=True)


def casefold(value):
    return value.casefold() if isinstance(value, str) else value


@event.listens_for(Engine, "begin")
def begin_sqlite(connection):
    """Emit BEGIN ourselves. A unit of work that writes asks for ``BEGIN IMMEDIATE`` through
    the ``sqlite_begin`` execution option (``begin_serialized``): the write lock is then taken
    before the first read, so writers queue within the busy timeout. A deferred transaction
    that read first and writes later cannot wait: when another writer committed meanwhile,
    SQLite refuses the upgrade at once ("database is locked"), busy timeout or not."""
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.info[SERIALIZED] = mode == "IMMEDIATE"
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


@event.listens_for(Engine, "before_cursor_execute")
def check_sqlite_write_lock(connection, cursor, statement, parameters, context, executemany):
    """A request that writes to SQLite without having taken the write lock first is a bug
    waiting for load (see ``begin_sqlite``): the tests make it an error
    (``SQLITE_WRITE_LOCK_CHECK = "raise"``), production logs it."""
    if (
        connection.dialect.name != "sqlite"
        or context is None
        or not (context.isinsert or context.isupdate or context.isdelete)
        or connection.info.get(SERIALIZED)
        or not has_request_context()
    ):
        return
    check = current_app.config.get("SQLITE_WRITE_LOCK_CHECK", "warn")
    if check == "raise":
        raise RuntimeError(f"write without begin_serialized(): {statement[:80]}")
    if check == "warn":
        log.warning("SQLite write without the write lock taken first: %s", statement[:80])


def begin_serialized(*, after_plain_reads: bool = False) -> None:
    """Make the session's transaction one that holds the write lock from its first statement
    on SQLite (on PostgreSQL callers lock rows with ``with_for_update()``). Within such a
    transaction already, nothing changes; otherwise the transaction open so far (reads only,
    by contract) ends.

    ``after_plain_reads``: the transaction so far read plain columns only, no ORM object that
    would stay loaded, stale, in the session. On PostgreSQL it then goes on, sparing the round
    trips that end it, check the next pooled connection and begin again (at READ COMMITTED
    each statement sees what was committed before it, and the rows it decides on are locked
    with ``FOR UPDATE``). SQLite ends it all the same: its write lock is taken at BEGIN."""
    if db.session().in_transaction():
        connection = db.session.connection()
        if connection.info.get(SERIALIZED):
            return
        if after_plain_reads and connection.dialect.name == "postgresql":
            connection.info[SERIALIZED] = True
            return
        db.session.rollback()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def execute_core(statement, parameters: dict | None = None):
    """Run a Core statement (plain rows, no ORM entity) on the session's connection, in its
    transaction. For the statements run under a training's lock: the ORM's execution layer
    adds nothing to plain rows, and skipping it takes about a fifth off a sign-up's decision
    on PostgreSQL (1.8 against 2.3 ms of CPU, measured in the session that added this)."""
    return db.session.connection().execute(statement, parameters)


@contextlib.contextmanager
def serialized_transaction() -> Iterator[None]:
    """``begin_serialized()``, then the block, then commit; any error rolls back, so a refused
    change never leaves SQLite's write lock held."""
    begin_serialized()
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
