"""Login, logout, session checks and the staff language."""

import time
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin, current_user, login_user, logout_user

from .. import database
from ..extensions import limiter, login_manager
from ..i18n import LANGUAGES
from ..services import staff_accounts
from . import bp
from .forms import CodeForm, ConfirmForm, LoginForm, PasswordForm, status_of

OPEN_ENDPOINTS = {"staff.login", "staff.login_code", "staff.language"}
# How long the second step of a login waits for its code.
PENDING_SECONDS = 300

login_manager.login_view = "staff.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = None  # our sessions are checked on the server


class StaffIdentity(UserMixin):
    """What Flask-Login keeps: the random session token, never personal data."""

    def __init__(self, staff, token: str):
        self.staff = staff
        self.token = token

    def get_id(self) -> str:
        return self.token

    @property
    def email(self) -> str:
        return self.staff.email


@login_manager.user_loader
def load_identity(token: str):
    if database.failed_in_this_request():
        # The page that says so, or gives back what was typed, is rendered for nobody in
        # particular (Flask-Login puts the user into every template): no database needed.
        return None
    staff = database.run(staff_accounts.load_session, token)
    return StaffIdentity(staff, token) if staff is not None else None


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, never a scheme-relative URL."""
    if not target:
        return url_for("staff.overview")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
    ):
        return url_for("staff.overview")
    return target


@bp.before_request
def require_login():
    if request.endpoint not in OPEN_ENDPOINTS and not current_user.is_authenticated:
        return login_manager.unauthorized()


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["STAFF_LOGIN_LIMIT"], methods=["POST"])
def login():
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        result = database.run(
            staff_accounts.attempt_login, form.email.data, form.password.data, request.remote_addr
        )
        if result.ok:
            return logged_in(result)
        if result.needs_code:
            # Only the account's id and the time wait in the signed cookie for the code.
            session["pending_login"] = {"id": result.staff.id, "at": time.time()}
            return redirect(url_for("staff.login_code", next=request.args.get("next")))
        failed = True
    status = status_of(form, 401 if failed else 200)
    return render_template("staff/login.html", form=form, failed=failed), status


def logged_in(result):
    language = session.get("staff_lang") or result.staff.locale
    session.clear()  # a new session at login
    session["staff_lang"] = language
    login_user(StaffIdentity(result.staff, result.session_token))
    return redirect(safe_next(request.args.get("next")))


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["STAFF_LOGIN_LIMIT"], methods=["POST"])
def login_code():
    """The second step of a login: a code from the app, or a recovery code."""
    pending = session.get("pending_login")
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop("pending_login", None)
        return redirect(url_for("staff.login", next=request.args.get("next")))
    form = CodeForm()
    failed = False
    if form.validate_on_submit():
        result = database.run(
            staff_accounts.complete_login, pending["id"], form.code.data, request.remote_addr
        )
        if result.ok:
            return logged_in(result)
        failed = True
    status = status_of(form, 401 if failed else 200)
    return render_template("staff/login_code.html", form=form, failed=failed), status


@bp.post("/logout")
def logout():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    database.run(staff_accounts.end_session, current_user.token)
    language = session.get("staff_lang")
    logout_user()
    session.clear()
    if language:
        session["staff_lang"] = language
    return redirect(url_for("staff.login"))


@bp.get("/language/<code>")
def language(code):
    if code not in LANGUAGES:
        abort(404)
    session["staff_lang"] = code
    if current_user.is_authenticated:
        database.run(staff_accounts.set_locale, current_user.staff.id, code)
    return redirect(safe_next(request.args.get("next")))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        staff = current_user.staff
        if not staff_accounts.check_current_password(staff, form.current.data):
            form.current.errors.append(_("This is not your current password."))
        else:
            try:
                database.run(staff_accounts.set_password, staff, form.new.data, actor=staff.email)
            except staff_accounts.PasswordRejected as error:
                form.new.errors.append(password_message(error.reason))
            else:
                logout_user()
                session.clear()
                return redirect(url_for("staff.login"))
    return render_template("staff/password.html", form=form), status_of(form)


def password_message(reason: str) -> str:
    if reason == "too_short":
        return _("Use at least 12 characters; a sentence of several words is ideal.")
    return _("This password is too common or too easy to guess. Try a sentence of several words.")
