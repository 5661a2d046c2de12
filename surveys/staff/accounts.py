"""Staff accounts in the dashboard (administrators): create one with a one-time password
shown once, set its role, disable or enable it, reset its password. The first account is
made with ``flask staff create``."""

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from .. import database
from ..services import staff_accounts as accounts
from . import bp, not_saved
from .forms import AccountForm, ConfirmForm, RoleForm, status_of


def accounts_page(form=None, *, shown_password=None, for_account=None, error=None, status=200):
    return render_accounts(form, shown_password, for_account, error), status


def render_accounts(form=None, shown_password=None, for_account=None, error=None, notice=None):
    return render_template(
        "staff/accounts.html",
        accounts=accounts.all_staff(),
        form=form or AccountForm(),
        role_form=RoleForm,
        confirm=ConfirmForm(),
        shown_password=shown_password,
        for_account=for_account,
        error=error,
        notice=notice,
    )


@bp.get("/accounts")
def account_list():
    return accounts_page()


@bp.post("/accounts")
def account_create():
    form = AccountForm()
    if not form.validate_on_submit():
        return accounts_page(form, status=status_of(form))
    password = accounts.generate_password()
    try:
        created = database.run(
            accounts.create_staff,
            form.email.data,
            password,
            form.locale.data,
            role=form.role.data,
            actor=current_user.email,
        )
    except accounts.AccountError:
        form.email.errors.append(_("An account already uses this address."))
        return accounts_page(form, status=200)
    except database.DatabaseUnavailable:
        return not_saved.response(render_accounts(form, notice=not_saved.notice()))
    return accounts_page(shown_password=password, for_account=created.email)


def account_or_404(staff_id: int):
    found = database.run(accounts.get_staff, staff_id)
    if found is None:
        abort(404)
    return found


@bp.post("/accounts/<int:staff_id>/role")
def account_role(staff_id):
    account_or_404(staff_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            database.run(accounts.set_role, staff_id, form.role.data, actor=current_user.email)
        except accounts.AccountError:
            return accounts_page(error=_("The dashboard needs an active administrator."))
    return accounts_page()


@bp.post("/accounts/<int:staff_id>/<any(disable, enable):action>")
def account_active(staff_id, action):
    account_or_404(staff_id)
    if ConfirmForm().validate_on_submit():
        try:
            database.run(
                accounts.set_active, staff_id, action == "enable", actor=current_user.email
            )
        except accounts.AccountError:
            return accounts_page(error=_("The dashboard needs an active administrator."))
    return accounts_page()


@bp.post("/accounts/<int:staff_id>/reset")
def account_reset(staff_id):
    account_or_404(staff_id)
    if not ConfirmForm().validate_on_submit():
        return accounts_page()
    account, password = database.run(accounts.reset_password, staff_id, actor=current_user.email)
    return accounts_page(shown_password=password, for_account=account.email)
