"""What makes each served form its visitor's own: the anti-CSRF token (whose secret half
lives in the session cookie), the signed time the form was served, and the submission key
that makes a double tap store once.

A blank form is rendered once with placeholders for these values (private-use characters:
never typed in a template, never escaped), and every request fills them in: inside Flask with
Flask-WTF's ``generate_csrf``, or before Flask (the page cache's fast lane) with
``VisitorTokens``, which makes the very same token and cookie without a request context.
"""

import hashlib
import os
from collections.abc import Mapping

from flask import Flask
from flask_wtf.csrf import generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.http import dump_cookie
from werkzeug.sansio.http import parse_cookie  # as Flask's request.cookies reads the header

from ..forms.engine import new_stamp, new_submission_key, started_serializer

PLACEHOLDERS = {
    "csrf_token": "\ue000csrf\ue000",
    "started": "\ue000started\ue000",
    "submission_key": "\ue000key\ue000",
}


def values_in_request() -> dict[str, str]:
    """The placeholders' values for this request (inside Flask: the session is Flask's)."""
    return {
        PLACEHOLDERS["csrf_token"]: generate_csrf(),
        PLACEHOLDERS["started"]: new_stamp(),
        PLACEHOLDERS["submission_key"]: new_submission_key(),
    }


class NotOurs(Exception):
    """The visitor's session holds more than a form token (a staff member's, say): only
    Flask may read and rewrite it."""


class VisitorTokens:
    """The placeholders' values without a request context, for one app.

    The token is Flask-WTF's (``generate_csrf``: a random SHA-1 hex secret kept in the
    session under ``WTF_CSRF_FIELD_NAME``, signed with the salt "wtf-csrf-token"), and the
    cookie is Flask's session cookie, signed by the app's own session interface with the
    attributes it would set. The token's serializer is built once here (Flask-WTF builds
    one per request); the session's is the app's own, cached in ``surveys.sessions``."""

    def __init__(self, app: Flask):
        interface = app.session_interface
        self.session_serializer = interface.get_signing_serializer(app)
        self.session_max_age = int(app.permanent_session_lifetime.total_seconds())
        self.cookie_name = interface.get_cookie_name(app)
        self.cookie_attributes = {
            "domain": interface.get_cookie_domain(app),
            "path": interface.get_cookie_path(app),
            "secure": interface.get_cookie_secure(app),
            "partitioned": interface.get_cookie_partitioned(app),
            "samesite": interface.get_cookie_samesite(app),
            "httponly": interface.get_cookie_httponly(app),
        }
        # Read as Flask-WTF reads them (_get_config: the setting if present, else the default).
        self.field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        self.csrf_serializer = URLSafeTimedSerializer(
            app.config.get("WTF_CSRF_SECRET_KEY", app.secret_key), salt="wtf-csrf-token"
        )
        self.started_serializer = started_serializer(app)

    def for_request(self, environ: Mapping) -> tuple[dict[str, str], str | None]:
        """The placeholders' values and the ``Set-Cookie`` value to send (None when the
        visitor's session already holds a token, as Flask would then send none). Raises
        ``NotOurs`` when the session holds anything else."""
        secret = self.secret_in_session(environ)
        cookie = None
        if secret is None:
            secret = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 (Flask-WTF's format)
            value = self.session_serializer.dumps({self.field: secret})
            cookie = dump_cookie(self.cookie_name, value, **self.cookie_attributes)
        values = {
            PLACEHOLDERS["csrf_token"]: self.csrf_serializer.dumps(secret),
            PLACEHOLDERS["started"]: new_stamp(self.started_serializer),
            PLACEHOLDERS["submission_key"]: new_submission_key(),
        }
        return values, cookie

    def secret_in_session(self, environ: Mapping) -> str | None:
        """The token's secret from the visitor's session cookie; None without a session (or
        with one Flask would discard: a bad signature, an expired or an empty one)."""
        header = environ.get("HTTP_COOKIE")
        if not header:
            return None
        value = parse_cookie(header).get(self.cookie_name)
        if not value:
            return None
        try:
            data = self.session_serializer.loads(value, max_age=self.session_max_age)
        except BadSignature:
            return None
        if not data:
            return None
        if data.keys() != {self.field} or not isinstance(data[self.field], str):
            raise NotOurs
        return data[self.field]
