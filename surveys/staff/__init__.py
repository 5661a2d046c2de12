"""The staff dashboard, under /staff/: login required everywhere but the login page."""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("staff", __name__, url_prefix="/staff")
# Every POST here goes through a FlaskForm, which checks the token itself: an expired token
# then brings the form back with what was typed (see ``forms.status_of``), instead of the
# global protection's bare error page.
csrf.exempt(bp)

from . import auth, trainings, views  # noqa: E402, F401  (routes register on bp)
