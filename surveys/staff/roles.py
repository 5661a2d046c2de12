"""Who may do what in the dashboard. Every staff page and action is checked here, before its
view runs (``require_role``); a page not listed needs an administrator, so a new page is
closed until someone decides who may use it."""

from flask import abort, redirect, request, url_for
from flask_login import current_user

from ..models import StaffRole
from . import bp

Role = StaffRole  # what each role may do is said below


# Open to anyone logged in (and the login page itself, before).
EVERYONE = {
    "staff.login",
    "staff.logout",
    "staff.language",
    "staff.password",
    "staff.two_factor_setup",
    "staff.two_factor_change",
    "staff.overview",
    "staff.summary",
    "staff.summary_csv",
    "staff.training_list",
    "staff.poster_list",
    "staff.poster_code",
}
COORDINATOR = EVERYONE | {
    "staff.answers",
    "staff.answer",
    "staff.delete_answer",
    "staff.export_answers",
    "staff.outbox_handled",
    "staff.form_list",
    "staff.form_new",
    "staff.form_edit",
    "staff.form_preview",
    "staff.question_edit",
    "staff.training",
    "staff.training_new",
    "staff.training_edit",
    "staff.training_duplicate",
    "staff.training_state",
    "staff.training_questions",
    "staff.training_message",
    "staff.training_export",
    "staff.registration",
    "staff.registration_cancel",
    "staff.registration_promote",
    "staff.attendance",
    "staff.door",
    "staff.door_mark",
    "staff.certificates",
    "staff.certificates_send",
}
ALLOWED = {Role.READER: EVERYONE, Role.COORDINATOR: COORDINATOR}
# What an administrator without two-step login can still do: set it up, or leave.
SETTING_UP = {
    "staff.two_factor_setup",
    "staff.two_factor_change",
    "staff.logout",
    "staff.language",
    "staff.login",
    "staff.login_code",
}


def role_of(user) -> Role:
    try:
        return Role(user.staff.role)
    except (AttributeError, ValueError):
        return Role.READER  # an unknown role gets the least


def may(endpoint: str | None, role: Role) -> bool:
    if role is Role.ADMINISTRATOR:
        return True
    return endpoint in ALLOWED[role]


@bp.before_request
def require_role():
    """Runs after the login check (registered after it): an anonymous visitor has already
    been sent to the login page."""
    if request.endpoint is None:  # no such page: the 404 follows
        return
    if not current_user.is_authenticated:
        return
    role = role_of(current_user)
    if (
        role is Role.ADMINISTRATOR
        and current_user.staff.totp_secret is None
        and request.endpoint not in SETTING_UP
    ):
        # Administrators log in in two steps: they set it up before anything else.
        return redirect(url_for("staff.two_factor_setup"))
    if not may(request.endpoint, role):
        abort(403)


@bp.app_context_processor
def staff_role():
    def allowed(endpoint: str) -> bool:
        return current_user.is_authenticated and may(endpoint, role_of(current_user))

    return {"staff_may": allowed}
