"""What makes each served form its visitor's own: the anti-CSRF token (whose secret half
lives in the session cookie), the signed time the form was served, and the submission key
that makes a double tap store once.

A blank form is rendered once with placeholders for these values (private-use characters:
never typed in a template, never escaped), and every request fills them in: inside Flask's
view, or before Flask (the page cache's fast lane) in a bare request context. Either way the
token is Flask-WTF's ``generate_csrf`` and the cookie is written by Flask's own session
interface: nothing here knows how either is made, so an upgrade of either cannot silently
break the forms.
"""

from collections.abc import Mapping

from flask import Flask, Response, session
from flask_wtf.csrf import generate_csrf

from ..forms.engine import new_stamp, new_submission_key

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
    Flask's full handling of the request may read and rewrite it."""


def values_before_flask(app: Flask, environ: Mapping) -> tuple[dict[str, str], list[str]]:
    """The placeholders' values and the ``Set-Cookie`` headers for a request that Flask does
    not dispatch: a request context is pushed (Flask opens the visitor's session as it always
    does), Flask-WTF makes the token, and the session interface writes the cookie exactly as
    at the end of a request (none when the session already held a token). No view, no hooks.
    Raises ``NotOurs`` when the session holds anything else."""
    with app.request_context(environ):
        if set(session) - {app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")}:
            raise NotOurs
        values = values_in_request()
        response = Response()
        app.session_interface.save_session(app, session._get_current_object(), response)
        return values, response.headers.getlist("Set-Cookie")
