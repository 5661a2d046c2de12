"""Error pages in the visitor's language, for every HTTP error and for crashes."""

import logging
import re

from flask import Flask, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from . import database
from .database import DatabaseUnavailable
from .extensions import db
from .i18n import language_from_path

log = logging.getLogger(__name__)


def explanation(code: int) -> tuple[str, str]:
    texts = {
        400: (
            _("This request could not be understood"),
            _("Something in what your browser sent was not valid. Go back and try again."),
        ),
        403: (
            _("This page is not open to your account"),
            _(
                "Your role in the dashboard does not include this page. If you need it, ask "
                "an administrator of the dashboard."
            ),
        ),
        404: (
            _("Page not found"),
            _("This address does not exist. It may have been mistyped or the page has moved."),
        ),
        405: (
            _("This action is not possible here"),
            _("This page cannot be used this way. Open it again from the home page."),
        ),
        409: (
            _("Registrations are closed"),
            _("This training no longer accepts registrations. See the other trainings."),
        ),
        413: (
            _("What you sent is too large"),
            _("The form you sent is larger than we accept. Shorten your answers and try again."),
        ),
        429: (
            _("Too many attempts"),
            _("You have sent too many requests in a short time. Wait a minute and try again."),
        ),
        503: (
            _("This page is not available just now"),
            _("We cannot reach our data at the moment. Please try again in a minute."),
        ),
    }
    return texts.get(
        code,
        (
            _("Something went wrong on our side"),
            _("The error has been recorded. Please try again in a few minutes."),
        ),
    )


# Fields whose values are never shown again: secrets, and the tokens forms carry.
UNSHOWN_FIELDS = ("password", "csrf", "token", "code", "secret", "key")
# A value like this was chosen, not typed (a button's action, a radio's code, a slug).
CHOSEN = re.compile(r"[a-z0-9_:.-]*")


def typed_texts() -> list[str]:
    """What a person typed in a form that could not be carried out, to show it back so that
    nothing is lost: the pages that know their form (public forms, training and editor
    pages) put it back in the form; a request that failed before its page could run (the
    staff member's session could not even be read) shows it here, to copy."""
    if request.method != "POST":
        return []
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return []  # sent from another site: its words are not shown as the person's own
    texts: list[str] = []
    for name, value in request.form.items(multi=True):
        value = value.strip()
        if any(part in name.lower() for part in UNSHOWN_FIELDS) or CHOSEN.fullmatch(value):
            continue
        if len(value) >= 3 and value not in texts:
            texts.append(value)
    return texts


def render_error(code: int, typed: list[str] = ()):
    title, message = explanation(code)
    response = render_template(
        "errors/error.html", code=code, title=title, message=message, typed=typed
    )
    response = (response, code)
    if language_from_path(request.path) is None:
        # The language was negotiated from Accept-Language.
        return (*response, {"Vary": "Accept-Language"})
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        title = _("This page has expired")
        message = _(
            "For your security, forms expire after a while. Go back, reload and send again."
        )
        return render_template("errors/error.html", code=400, title=title, message=message), 400

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error):
        # (A public form's sends never come here: they are counted in formflow.store.)
        response = make_response(render_error(429))
        # At the latest when the limit's window has passed.
        response.headers["Retry-After"] = str(error.limit.limit.get_expiry())
        return response

    def database_error(error):
        # Forms never come here with their answers (formflow.store keeps them on the page).
        if not isinstance(error, DatabaseUnavailable):
            log.error("database error on %s %s", request.method, request.path, exc_info=error)
        database.rollback()
        database.note_failure()
        typed = typed_texts()
        response = make_response(render_error(503, typed))
        response.headers["Retry-After"] = str(database.RETRY_AFTER_SECONDS)
        if typed:
            response.headers["Cache-Control"] = "no-store"
        return response

    for kind in (*database.ERRORS, DatabaseUnavailable):
        app.register_error_handler(kind, database_error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(InternalServerError.code)
