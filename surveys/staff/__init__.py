"""The staff dashboard, under /staff/: login required everywhere but the login page."""

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")

from . import auth, trainings, views  # noqa: E402, F401  (routes register on bp)
