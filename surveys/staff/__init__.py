"""The staff dashboard, under /staff/: login required everywhere but the login page."""

from flask import Blueprint

from ..extensions import csrf
from ..forms import registry

bp = Blueprint("staff", __name__, url_prefix="/staff")
# Every POST here goes through a FlaskForm, which checks the token itself: an expired token
# then brings the form back with what was typed (see ``forms.status_of``), instead of the
# global protection's bare error page.
csrf.exempt(bp)


@bp.context_processor
def registered_forms():
    """The registered forms for the navigation, and what staff call a form by its code (one
    no longer registered keeps its code)."""

    def form_title(code: str):
        entry = registry.registered(code)
        return entry.staff_title if entry else code

    return {"registered_forms": list(registry.forms()), "form_title": form_title}


# auth before roles: the login check runs before the role check.
from . import auth, roles  # noqa: E402, F401, I001
from . import accounts, form_editor, trainings, two_factor, views  # noqa: E402, F401  (routes)
