"""When the database could not store what a member of staff sent (full, read-only, or gone
within the request): the same page again, everything typed still in it, a notice, 503 and
Retry-After. The public forms do the same in public/formflow."""

from flask import render_template
from flask_babel import gettext as _

from .. import database


def notice() -> str:
    return _(
        "We could not save your changes just now. They are still here: "
        "please save again in a minute."
    )


def response(page: str):
    return page, 503, {"Retry-After": str(database.RETRY_AFTER_SECONDS)}


def page_of(template: str, **context):
    """``template`` rendered with ``context`` (the form as posted) and the notice."""
    return response(render_template(template, notice=notice(), **context))
