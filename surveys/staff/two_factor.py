"""Setting up two-step login (required for administrators, optional for others): the QR code
for an authenticator app, a code to prove it works, then the recovery codes, shown once."""

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import database
from ..services import two_factor
from . import bp
from .forms import CodeForm, ConfirmForm, status_of


@bp.route("/account/two-factor", methods=["GET", "POST"])
def two_factor_setup():
    staff = current_user.staff
    if staff.totp_secret is not None:
        return render_template("staff/two_factor.html", enabled=True, confirm=ConfirmForm())
    # The secret waits in the signed session cookie until a code proves the app has it.
    secret = session.get("enrol_secret") or two_factor.new_secret()
    session["enrol_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = database.run(two_factor.enable, staff.id, secret, form.code.data)
        except two_factor.WrongCode:
            form.code.errors.append(
                _("This code does not match: type the code your app shows now.")
            )
        else:
            session.pop("enrol_secret", None)
            return render_template(
                "staff/two_factor.html", enabled=True, codes=codes, confirm=ConfirmForm()
            )
    uri = two_factor.provisioning_uri(secret, staff.email, current_app.config["ORGANISATION_NAME"])
    page = render_template(
        "staff/two_factor.html",
        enabled=False,
        form=form,
        secret=secret,
        qr=two_factor.qr_svg(uri),
        required=staff.role == "administrator",
    )
    return page, status_of(form)


@bp.post("/account/two-factor/<any(codes, off):action>")
def two_factor_change(action):
    staff = current_user.staff
    if not ConfirmForm().validate_on_submit() or staff.totp_secret is None:
        return redirect(url_for("staff.two_factor_setup"))
    if action == "codes":
        codes = database.run(two_factor.renew_recovery_codes, staff.id)
        return render_template(
            "staff/two_factor.html", enabled=True, codes=codes, confirm=ConfirmForm()
        )
    try:
        database.run(two_factor.disable, staff.id, actor=staff.email)
    except ValueError:  # required for administrators
        return redirect(url_for("staff.two_factor_setup"))
    return redirect(url_for("staff.login", next=request.path))
