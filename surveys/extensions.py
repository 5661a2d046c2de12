"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

import sqlite3

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


def begin_serialized() -> None:
    """Start the session's transaction so that it holds the write lock from its first
    statement on SQLite; on PostgreSQL callers lock rows with ``with_for_update()``."""
    db.session.rollback()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
