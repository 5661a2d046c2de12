"""Flask's signed-cookie sessions, with the signing serializer built once per key.

Flask builds a new serializer twice per request (to read the cookie and to write it), and
building one derives the keys and test-serializes an empty dict: a noticeable share of a
form submission. The cookie, its signature and its attributes are Flask's, unchanged.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        # Keyed by the keys, so that a changed secret (or fallback) is never signed with stale.
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("surveys.session_serializer")
        if cached is None or cached[0] != keys:
            cached = (keys, super().get_signing_serializer(app))
            app.extensions["surveys.session_serializer"] = cached
        return cached[1]
