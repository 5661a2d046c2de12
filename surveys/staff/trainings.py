"""Training management pages: list, create, edit, duplicate, open/close, registrants,
messages, attendance at the door and on paper, certificates, exports."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import database
from ..forms import registry
from ..i18n import LANGUAGES, localized
from ..models import MessageAudience, Registration, Training
from ..services import attendance as attendance_service
from ..services import audit, notifications, registrant_export, registrants, trainings
from ..services import forms as form_service
from ..services import registrant_messages as messages
from ..services import training_admin as admin
from . import bp, not_saved
from .forms import (
    AUDIENCE_LABELS,
    ConfirmForm,
    DuplicateForm,
    RegistrantMessageForm,
    TrainingForm,
    status_of,
)
from .views import export_response


def training_or_404(slug: str) -> Training:
    try:
        return admin.get_training(slug)
    except admin.TrainingError:
        abort(404)


@bp.get("/trainings")
def training_list():
    return render_template("staff/trainings.html", rows=admin.overview())


@bp.route("/trainings/new", methods=["GET", "POST"])
def training_new():
    form = TrainingForm()
    if form.validate_on_submit():
        try:
            database.run(
                admin.create_training,
                form.slug.data,
                **form.texts(),
                trainer=(form.trainer.data or "").strip(),
                trainer_organisation=(form.trainer_organisation.data or "").strip(),
                capacity=form.capacity.data,
                registration_deadline=form.registration_deadline.data,
                every_date_required=form.every_date_required.data,
                reminder_days=form.reminder_days.data or None,
                is_published=False,
                sessions=form.parsed_sessions,
                actor=current_user.email,
            )
        except admin.SlugTaken:  # by someone else, since the form was checked
            form.slug.errors.append(_("Another training already uses this address."))
        except database.DatabaseUnavailable:
            return not_saved.page_of("staff/training_form.html", form=form, training=None)
        else:
            return redirect(url_for("staff.training", slug=form.slug.data))
    return render_template("staff/training_form.html", form=form, training=None), status_of(form)


@bp.route("/trainings/<slug:slug>/edit", methods=["GET", "POST"])
def training_edit(slug):
    training = training_or_404(slug)
    form = TrainingForm(obj=None, existing_slug=training.slug)
    if request.method == "GET":
        form.slug.data = training.slug
        for name in admin.TEXT_FIELDS:
            for lang in LANGUAGES:
                getattr(form, f"{name}_{lang}").data = (getattr(training, name) or {}).get(lang, "")
        form.trainer.data = training.trainer
        form.trainer_organisation.data = training.trainer_organisation
        form.capacity.data = training.capacity
        form.registration_deadline.data = training.registration_deadline
        form.every_date_required.data = training.every_date_required
        form.reminder_days.data = training.reminder_days or 0
        form.sessions.data = TrainingForm.sessions_text(training.sessions)
    if form.validate_on_submit():
        if form.slug.data != training.slug:
            form.slug.errors.append(_("The address of a training cannot change: duplicate it."))
        else:
            try:
                database.run(
                    admin.update_training,
                    slug,
                    texts=form.texts(),
                    capacity=form.capacity.data,
                    trainer=(form.trainer.data or "").strip(),
                    trainer_organisation=(form.trainer_organisation.data or "").strip(),
                    registration_deadline=form.registration_deadline.data,
                    every_date_required=form.every_date_required.data,
                    reminder_days=form.reminder_days.data or None,
                    sessions=form.parsed_sessions,
                    actor=current_user.email,
                )
            except database.DatabaseUnavailable:
                return not_saved.page_of("staff/training_form.html", form=form, training=training)
            return redirect(url_for("staff.training", slug=slug))
    page = render_template("staff/training_form.html", form=form, training=training)
    return page, status_of(form)


@bp.route("/trainings/<slug:slug>/duplicate", methods=["GET", "POST"])
def training_duplicate(slug):
    training = training_or_404(slug)
    form = DuplicateForm()
    if form.validate_on_submit():
        try:
            database.run(admin.duplicate_training, slug, form.slug.data, actor=current_user.email)
        except admin.SlugTaken:
            form.slug.errors.append(_("Another training already uses this address."))
        except database.DatabaseUnavailable:
            return not_saved.page_of("staff/duplicate.html", form=form, training=training)
        else:
            return redirect(url_for("staff.training_edit", slug=form.slug.data))
    return render_template("staff/duplicate.html", form=form, training=training), status_of(form)


STATES = {
    "open": {"is_open": True},
    "close": {"is_open": False},
    "publish": {"is_published": True},
    "unpublish": {"is_published": False},
}


@bp.post("/trainings/<slug:slug>/<any(open, close, publish, unpublish):action>")
def training_state(slug, action):
    training_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    database.run(
        admin.update_training,
        slug,
        **STATES[action],
        actor=current_user.email,
        action=f"training.{action}",
    )
    return redirect(url_for("staff.training", slug=slug))


@bp.get("/trainings/<slug:slug>")
def training(slug):
    found = training_or_404(slug)
    registrations = admin.registrations_of(slug)
    by_status = {
        status: [r for r in registrations if r.status == status]
        for status in ("confirmed", "waitlisted", "cancelled")
    }
    seats = trainings.seats_of([found])[found.id]
    own = registry.training_questions(found.id)
    definition = registry.signup_definition(found.every_date_required, found.id, reading=True)
    return render_template(
        "staff/training.html",
        training=found,
        by_status=by_status,
        seats=seats,
        confirm=ConfirmForm(),
        own_questions=own.reading_definition().questions if own else (),
        needs=registrants.needs_of(definition, registrations),
        sent_messages=messages.history(found.id),
        audience_labels=AUDIENCE_LABELS,
        just_sent=request.args.get("sent") == "1",
        needs_of=lambda registration: registrants.needs_line(definition, registration),
    )


@bp.route("/trainings/<slug:slug>/message", methods=["GET", "POST"])
def training_message(slug):
    """Write to the registrants: the form, then a preview in each language with the number
    of people, then "Send"."""
    found = training_or_404(slug)
    form = RegistrantMessageForm()
    audience = MessageAudience(form.audience.data or MessageAudience.CONFIRMED)
    counts = messages.registrants_by_status(found.id)
    by_language = messages.readers(counts, audience)
    context = {
        "form": form,
        "training": found,
        "by_language": by_language,
        "readers_by_audience": {
            a.value: sum(messages.readers(counts, a).values()) for a in MessageAudience
        },
        "preview": False,
    }
    if form.validate_on_submit():
        subject, body = form.texts("subject"), form.texts("body")
        missing = messages.missing_languages({"subject": subject, "body": body}, by_language)
        if not by_language:
            form.audience.errors = [*form.audience.errors, _("Nobody to write to in this group.")]
        elif missing:
            form.flag_missing(missing)
        elif "send" in request.form:
            try:
                database.run(
                    messages.send, found.id, audience, subject, body, actor=current_user.email
                )
            except messages.MessageError as error:  # the group changed since the preview
                form.flag_missing(error.missing)
            except database.DatabaseUnavailable:
                return not_saved.page_of("staff/training_message.html", **context)
            else:
                return redirect(url_for("staff.training", slug=slug, sent=1), code=303)
        else:
            context["preview"] = True
    page = render_template("staff/training_message.html", **context)
    return page, status_of(form)


@bp.post("/trainings/<slug:slug>/questions")
def training_questions(slug):
    """The editor of the training's own questions (made the first time)."""
    found = training_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("staff.training", slug=slug), code=303)
    # Its name is the training's title, in every language (French where one is missing).
    name = {lang: localized(found.title, lang).text for lang in LANGUAGES}
    code = database.run(
        form_service.training_questions_form, found.id, name, actor=current_user.email
    )
    return redirect(url_for("staff.form_edit", code=code), code=303)


def registration_or_404(registration_id: int) -> Registration:
    try:
        return admin.get_registration(registration_id)
    except admin.TrainingError:
        abort(404)


@bp.get("/registrations/<int:registration_id>")
def registration(registration_id):
    """One person's registration: every answer, the needs first, and its history."""
    found = registration_or_404(registration_id)
    training = found.training
    definition = registry.signup_definition(training.every_date_required, training.id, reading=True)
    return render_template(
        "staff/registration.html",
        registration=found,
        training=training,
        definition=definition,
        needs=registrants.needs_line(definition, found),
        status=registrant_export.status_label(found.status),
        waiting_rank=notifications.waitlist_place(found),
        confirm=ConfirmForm(),
    )


@bp.route("/registrations/<int:registration_id>/cancel", methods=["GET", "POST"])
def registration_cancel(registration_id):
    registration = registration_or_404(registration_id)
    slug = registration.training.slug
    confirm = ConfirmForm()
    if confirm.validate_on_submit():
        database.run(trainings.cancel, registration.id, actor=current_user.email)
        return redirect(url_for("staff.training", slug=slug))
    return render_template(
        "staff/confirm.html",
        form=confirm,
        title=_("Cancel this registration?"),
        message=_(
            "%(name)s will receive a cancellation e-mail, and the seat goes to the first "
            "person on the waiting list.",
            name=registration.full_name,
        ),
        button=_("Cancel the registration"),
        back=url_for("staff.training", slug=slug),
    )


@bp.post("/registrations/<int:registration_id>/promote")
def registration_promote(registration_id):
    registration = registration_or_404(registration_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    database.run(admin.promote, registration.id, actor=current_user.email)
    return redirect(url_for("staff.training", slug=registration.training.slug))


def session_or_404(training: Training, session_id: int):
    session = next((s for s in training.sessions if s.id == session_id), None)
    if session is None:
        abort(404)
    return session


def session_page(slug: str, session_id: int) -> dict:
    """What the attendance sheet and the door page both show: the training, the session,
    "session n of count", the confirmed people in alphabetical order."""
    found = training_or_404(slug)
    session = session_or_404(found, session_id)
    number, count = attendance_service.session_number(found, session)
    return {
        "training": found,
        "session": session,
        "people": admin.attendance_list(found.id),
        "number": number,
        "count": count,
    }


@bp.get("/trainings/<slug:slug>/sessions/<int:session_id>/attendance")
def attendance(slug, session_id):
    """The sheet people sign, printed (A4): alphabetical, morning and afternoon columns for a
    full day, the trainer's signature, page numbers."""
    shown = session_page(slug, session_id)
    full_day = attendance_service.is_full_day(shown["session"])
    return render_template("staff/attendance.html", full_day=full_day, **shown)


@bp.get("/trainings/<slug:slug>/sessions/<int:session_id>/door")
def door(slug, session_id):
    """Who came, marked at the door from a tablet or a phone: one button per person."""
    shown = session_page(slug, session_id)
    present = attendance_service.present_ids(shown["session"].id)
    return render_template("staff/door.html", present=present, **shown)


@bp.post("/trainings/<slug:slug>/sessions/<int:session_id>/door/<int:registration_id>")
def door_mark(slug, session_id, registration_id):
    found = training_or_404(slug)
    session = session_or_404(found, session_id)
    back = url_for("staff.door", slug=slug, session_id=session.id) + f"#r{registration_id}"
    if not ConfirmForm().validate_on_submit():
        # The page was open too long: back to it, fresh, with the same person in view.
        return redirect(back, code=303)
    try:
        database.run(
            attendance_service.mark,
            session.id,
            registration_id,
            request.form.get("present") == "1",
            actor=current_user.email,
        )
    except attendance_service.NotMarkable:
        abort(404)
    return redirect(back, code=303)


@bp.get("/trainings/<slug:slug>/certificates")
def certificates(slug):
    """Certificates of attendance, one A4 page each, in each person's language; print them
    from the browser."""
    found = training_or_404(slug)
    every_session = request.args.get("sessions") != "attended"
    chosen = attendance_service.certificates(found, every_session=every_session)
    return render_template(
        "staff/certificates.html",
        training=found,
        pages=[attendance_service.certificate_html(c) for c in chosen],
        every_session=every_session,
        confirm=ConfirmForm(),
    )


@bp.post("/trainings/<slug:slug>/certificates")
def certificates_send(slug):
    """E-mail each person their certificate, in their language, through the outbox."""
    found = training_or_404(slug)
    every_session = request.form.get("sessions") != "attended"
    if ConfirmForm().validate_on_submit():
        database.run(
            attendance_service.send_certificates,
            found.id,
            every_session=every_session,
            actor=current_user.email,
        )
        flash(_("The certificates are on their way."))
    sessions = None if every_session else "attended"
    return redirect(url_for("staff.certificates", slug=slug, sessions=sessions), code=303)


@bp.get("/trainings/<slug:slug>/export.<any(csv, xlsx):extension>")
def training_export(slug, extension):
    found = training_or_404(slug)
    codes = request.args.get("codes") == "1"
    table = registrant_export.table(found, codes=codes)
    database.run(
        audit.log, current_user.email, "export", training=slug, format=extension, codes=codes
    )
    return export_response(
        table,
        registrant_export.rows(slug),
        name=f"registrations-{slug}",
        extension=extension,
        sheet=slug,
    )
