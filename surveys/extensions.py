"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

import sqlite3
import time

from flask import request
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
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase

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


@event.listens_for(Engine, "begin")
def begin_sqlite(connection):
    """Emit BEGIN ourselves. A unit of work that must not race (a sign-up counting seats)
    asks for ``BEGIN IMMEDIATE`` through the ``sqlite_begin`` execution option: the write lock
    is then taken before the first read, so concurrent sign-ups run one after the other."""
    if connection.dialect.name == "sqlite":
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


# A pooled connection left unused this long is checked before it is used again: the server
# may have restarted or dropped it meanwhile. One in constant use is not, which spares a round
# trip to the database on every request under load (SQLAlchemy's pool_pre_ping checks them
# all, and that round trip was about a tenth of a submission's time on PostgreSQL). The price:
# when the server drops connections that were used less than that long ago (a restart or a
# failover under traffic), the requests that meet them fail once; SQLAlchemy then discards
# the pool's connections and the next requests get fresh ones. (A form's answers are still in
# the browser's draft, see static/site.js.)
PING_AFTER_IDLE_SECONDS = 2.0


def ping_idle_connections(engine: Engine) -> None:
    """Pool events on ``engine`` implementing the check above (the "checkout" event may raise
    DisconnectionError: SQLAlchemy then discards the connection and takes a fresh one)."""

    @event.listens_for(engine, "checkin")
    def note_idle_since(dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection, record, proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # a connection just made, or just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError() from error


def begin_serialized() -> None:
    """Start the session's transaction so that it holds the write lock from its first
    statement on SQLite; on PostgreSQL callers lock rows with ``with_for_update()``."""
    db.session.rollback()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
