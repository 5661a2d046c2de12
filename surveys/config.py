"""Settings: defaults here, overrides from ``SURVEYS_*`` environment variables.

Every setting is documented in the README. Production (neither debug nor testing) refuses to
start without a real secret key or without the identity of the data controller shown in the
privacy notice: a fallback would silently weaken sessions or publish an unlawful notice.
"""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    # An SQLite file in the instance folder (Flask-SQLAlchemy resolves the relative path there).
    "SQLALCHEMY_DATABASE_URI": "sqlite:///surveys.sqlite3",
    # Every pooled connection is checked before use ("pessimistic" disconnect handling, as
    # SQLAlchemy's documentation calls it): one the server closed (a restart, a failover, an
    # idle timeout) is replaced before a visitor meets it. A connection lost during a unit
    # of work is handled by running the unit again (surveys.database). Its cost is measured
    # in docs/benchmarks.md.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    # The whole request body; larger bodies get the 413 page.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "MAX_FORM_MEMORY_SIZE": 1024 * 1024,
    "MAX_FORM_PARTS": 10_000,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
    # A form may stay open for a whole afternoon; an expired token keeps the answers anyway.
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "WTF_I18N_ENABLED": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "application/javascript",
        "text/javascript",
        "application/json",
        "image/svg+xml",
    ],
    # Static files are streamed; Flask-Compress leaves gzip out of streaming by default, but
    # gzip is what every phone browser accepts over plain HTTP.
    "COMPRESS_ALGORITHM_STREAMING": ["zstd", "br", "gzip"],
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 256,
    # /healthz answers 503 when an SQLite database has less room than this for new rows.
    "HEALTH_MIN_FREE_BYTES": 16 * 1024 * 1024,
    # Anti-bot: a submission sent faster than this after the page was served is not stored.
    "MIN_FILL_SECONDS": 3,
    # Deliverability checks query DNS while the person waits; off unless asked for.
    "EMAIL_CHECK_DELIVERABILITY": False,
    # Retention periods, shown in the privacy notice (enforced by the purge of the dashboard issue).
    "RETENTION_ANSWERS_MONTHS": 24,
    "RETENTION_REGISTRATIONS_MONTHS": 12,
    # The data controller named in the privacy notice.
    "ORGANISATION_NAME": None,
    "ORGANISATION_ADDRESS": None,
    "CONTACT_EMAIL": None,
    # The privacy notice (GDPR Art. 13) names these when set: the data protection officer's
    # address (none: the notice says the centre has none), the hosting and e-mail providers
    # that process data on the centre's behalf (none: it names them by their role), and any
    # transfer outside the European Union (none: it says there is none). Staff write them
    # once, in ORGANISATION_LANGUAGE.
    "DPO_EMAIL": None,
    "HOSTING_PROVIDER": None,
    "EMAIL_PROVIDER": None,
    "TRANSFERS_OUTSIDE_EU": None,
    # The site's public address, used in e-mails (never taken from the request's Host header).
    "PUBLIC_URL": None,
    # E-mail. "smtp" in production; elsewhere "folder" (one .eml file per message in
    # MAIL_FOLDER) or "console", so that a local installation needs no mail server.
    "MAIL_BACKEND": None,
    "MAIL_FOLDER": None,
    "MAIL_FROM": None,  # defaults to CONTACT_EMAIL
    "SMTP_HOST": "localhost",
    "SMTP_PORT": 25,
    "SMTP_SECURITY": "none",  # "none", "starttls" or "ssl"
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "SMTP_TIMEOUT": 10,
    # A request writing to SQLite without begin_serialized() first: "warn" (log it), "raise"
    # (the tests), or "off".
    "SQLITE_WRITE_LOCK_CHECK": "warn",
    # What a request does with the e-mails it queued, once its change is committed:
    # "send": write them, then try them at once in a background thread (needs no worker);
    # "write": write them, and leave them to the outbox worker;
    # "queue": nothing more: the outbox worker writes and sends them (docs/deploy.md). The
    # request then holds nothing but the decision, which is what keeps sign-ups quick when
    # a training opens (bench/run.py); the e-mail follows within the worker's interval.
    "OUTBOX_AFTER_COMMIT": "send",
    # A message still "sending" after this long is taken to belong to a crashed process.
    "OUTBOX_STUCK_SECONDS": 300,
    # Repeated sign-ups with the same address re-send the confirmation at most this often.
    "RESEND_INTERVAL_SECONDS": 600,
    # Rate limit of the public POST endpoints, per client address. Generous on purpose: a
    # whole class may answer from one Wi-Fi (one address) within minutes.
    "PUBLIC_POST_LIMIT": "60 per minute; 600 per hour",
    "STAFF_LOGIN_LIMIT": "20 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    # No X-RateLimit-* headers on every POST: no browser reads them, and in Redis they cost a
    # round trip each time. A refused request gets Retry-After (errors.py).
    "RATELIMIT_HEADERS_ENABLED": False,
    # If Redis is unreachable, serve people rather than refuse them (limits are a safeguard).
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    # A training page (seats left, dates, open or not) is served from each process's page
    # cache for up to this many seconds before its state is read again; a sign-up itself is
    # always decided on the database, under a lock.
    "TRAINING_PAGE_MAX_AGE": 1.0,
    # Each process checks this often (one query) whether a form was published or changed
    # elsewhere, and serves a form page from its cache for as long: a publish shows on every
    # worker and host within twice this time, at once in the process that made it.
    "FORMS_RECHECK_SECONDS": 5.0,
    # Behind a reverse proxy: how many proxies set X-Forwarded-For / -Proto (0 = none).
    "PROXY_FIX_COUNT": 0,
    # Staff sessions end after this much inactivity, and in any case after the second value.
    "STAFF_IDLE_MINUTES": 30,
    "STAFF_SESSION_HOURS": 12,
    # Retention of the outbox's traces (recipient, subject) and of the audit log.
    "RETENTION_OUTBOX_DAYS": 90,
    "RETENTION_AUDIT_MONTHS": 24,
    # How long a backup lives before a newer one replaces it: docs/deploy.md's cron line
    # writes one file per weekday. The privacy notice states it.
    "RETENTION_BACKUP_DAYS": 7,
    # The language staff write the texts they give once (the organisation's name, a
    # training's trainer and places): pages in another language mark them with it.
    "ORGANISATION_LANGUAGE": "fr",
}

# Shown only in development and tests, so a fresh clone runs without configuration.
DEVELOPMENT_IDENTITY = {
    # What visitors of a local installation read: no word of the developers' own.
    "ORGANISATION_NAME": "Centre interculturel",
    "ORGANISATION_ADDRESS": "Namur, Belgique",
    "CONTACT_EMAIL": "privacy@localhost",
    "PUBLIC_URL": "http://127.0.0.1:5000",
}

REQUIRED_IN_PRODUCTION = (
    "SECRET_KEY",
    "ORGANISATION_NAME",
    "ORGANISATION_ADDRESS",
    "CONTACT_EMAIL",
    "PUBLIC_URL",
)


# The values of OUTBOX_AFTER_COMMIT (see DEFAULTS).
OUTBOX_AFTER_COMMIT = ("send", "write", "queue")


class ConfigurationError(RuntimeError):
    """Raised at start-up when production settings are missing."""


def load(app, test_config=None):
    """Fill ``app.config`` from defaults, the environment and ``test_config``, then check it."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("SURVEYS")
    # DATABASE_URL is the conventional name hosting platforms set.
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if os.environ.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = os.environ["REDIS_URL"]
    if test_config:
        app.config.from_mapping(test_config)

    if "SURVEYS_OUTBOX_DELIVER_AFTER_COMMIT" in os.environ:
        raise ConfigurationError(
            "SURVEYS_OUTBOX_DELIVER_AFTER_COMMIT is replaced by SURVEYS_OUTBOX_AFTER_COMMIT: "
            "send (true before), write (false before) or queue (see README)."
        )
    if app.config["OUTBOX_AFTER_COMMIT"] not in OUTBOX_AFTER_COMMIT:
        raise ConfigurationError(
            f"SURVEYS_OUTBOX_AFTER_COMMIT must be one of {', '.join(OUTBOX_AFTER_COMMIT)}, "
            f"not {app.config['OUTBOX_AFTER_COMMIT']!r}."
        )
    production = not (app.debug or app.testing)
    app.config["PRODUCTION"] = production
    if production:
        missing = [key for key in REQUIRED_IN_PRODUCTION if not app.config.get(key)]
        if missing:
            names = ", ".join(f"SURVEYS_{key}" for key in missing)
            raise ConfigurationError(
                f"Missing required settings for production: {names}. "
                "Set them in the environment (see README), or run with FLASK_DEBUG=1 locally."
            )
        # Always over HTTPS in production; only a load test on plain-HTTP loopback may say
        # otherwise, explicitly.
        app.config["SESSION_COOKIE_SECURE"] = (
            os.environ.get("SURVEYS_SESSION_COOKIE_SECURE", "true").lower() != "false"
        )
    else:
        if not app.config.get("SECRET_KEY"):
            # A fresh secret per process: nothing guessable, and sessions simply restart.
            app.config["SECRET_KEY"] = secrets.token_hex(32)
        for key, value in DEVELOPMENT_IDENTITY.items():
            if not app.config.get(key):
                app.config[key] = value
    app.config["PUBLIC_URL"] = app.config["PUBLIC_URL"].rstrip("/")
    app.config["MAIL_FROM"] = app.config["MAIL_FROM"] or app.config["CONTACT_EMAIL"]
    app.config["MAIL_BACKEND"] = app.config["MAIL_BACKEND"] or ("smtp" if production else "folder")
    app.config["MAIL_FOLDER"] = app.config["MAIL_FOLDER"] or os.path.join(app.instance_path, "mail")


def normalise_database_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
