"""Overview, answers, summaries, exports, posters, privacy tools and the audit log."""

import dataclasses
import json

from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import database
from ..forms import registry, values
from ..i18n import LANGUAGES
from ..models import BRUSSELS, utcnow
from ..services import answers as answer_service
from ..services import audit, exports, outbox, posters, privacy, summaries, training_admin
from . import bp
from .forms import ConfirmForm, PersonSearchForm, status_of
from .roles import may, role_of


def definition_or_404(form: str):
    definition = answer_service.definition_of(form)
    if definition is None:
        abort(404)
    return definition


@bp.get("/")
def overview():
    return render_template(
        "staff/overview.html",
        counts=answer_service.counts(),
        rows=training_admin.overview(),
        # Only those who may handle them see them (a reader sees no personal data).
        failed=outbox.failed_unhandled()
        if may("staff.outbox_handled", role_of(current_user))
        else [],
    )


@bp.post("/outbox/<int:message_id>/handled")
def outbox_handled(message_id):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not database.run(outbox.mark_handled, message_id, actor=current_user.email):
        abort(404)
    return redirect(url_for("staff.overview"))


@bp.get("/forms/<form>/answers")
def answers(form):
    definition = definition_or_404(form)
    filters = answer_service.Filters.from_args(request.args)
    page = answer_service.page_of(form, filters, request.args.get("page", 1, type=int))
    return render_template(
        "staff/answers.html", form_code=form, definition=definition, filters=filters, page=page
    )


@bp.get("/forms/<form>/answers/<int:submission_id>")
def answer(form, submission_id):
    definition = definition_or_404(form)
    submission = answer_service.get_submission(form, submission_id) or abort(404)
    return render_template(
        "staff/answer.html", form_code=form, definition=definition, submission=submission
    )


@bp.route("/forms/<form>/answers/<int:submission_id>/delete", methods=["GET", "POST"])
def delete_answer(form, submission_id):
    definition_or_404(form)
    submission = answer_service.get_submission(form, submission_id) or abort(404)
    confirm = ConfirmForm()
    if confirm.validate_on_submit():
        database.run(
            answer_service.delete_submission, form, submission.id, actor=current_user.email
        )
        return redirect(url_for("staff.answers", form=form))
    return render_template(
        "staff/confirm.html",
        form=confirm,
        title=_("Delete this answer?"),
        message=_("The answer will be deleted for good. This cannot be undone."),
        button=_("Delete the answer"),
        back=url_for("staff.answer", form=form, submission_id=submission.id),
    )


def summary_of(form: str):
    """The summary the page's arguments ask for: filters, and what it is broken down by
    (``by``; ``by_language=1`` is what the page's link said before)."""
    definition = definition_or_404(form)
    filters = answer_service.Filters.from_args(request.args)
    by = request.args.get("by") or ("language" if request.args.get("by_language") == "1" else "")
    breakdown = summaries.breakdown(definition, by)
    return definition, filters, summaries.summarize(definition, filters, by=breakdown)


@bp.get("/forms/<form>/summary")
def summary(form):
    definition, filters, result = summary_of(form)
    today = utcnow().astimezone(BRUSSELS).date()
    return render_template(
        "staff/summary.html",
        form_code=form,
        definition=definition,
        filters=filters,
        summary=result,
        breakdown_choices=summaries.breakdowns(definition),
        timeline=summaries.over_time(form, filters, today),
        today=today,
    )


@bp.get("/forms/<form>/summary.csv")
def summary_csv(form):
    """One question's table of the summary, as the page shows it, for a spreadsheet."""
    _definition, _filters, result = summary_of(form)
    item = next(
        (q for q in result.questions if q.question.code == request.args.get("question")), None
    )
    if item is None or not item.is_choice:
        abort(404)
    body = exports.summary_csv(item, result.groups)
    response = Response(body, mimetype="text/csv")
    name = export_name(f"{form}-{item.question.code}", "csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_name(prefix: str, extension: str) -> str:
    today = utcnow().astimezone(BRUSSELS).date()
    return f"{prefix}-{today.isoformat()}.{extension}"


def export_response(table, rows, *, name: str, extension: str, sheet: str):
    if extension == "csv":
        delimiter = "," if request.args.get("sep") == "comma" else ";"
        body = stream_with_context(exports.csv_stream(table, rows, delimiter=delimiter))
        mimetype = "text/csv"  # Werkzeug adds "; charset=utf-8" to a text type
    else:
        body = exports.xlsx_chunks(table, rows, title=sheet)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_name(name, extension)}"'
    )
    return response


@bp.get("/forms/<form>/export.<any(csv, xlsx):extension>")
def export_answers(form, extension):
    definition = definition_or_404(form)
    filters = answer_service.Filters.from_args(request.args)
    codes = request.args.get("codes") == "1"
    database.run(
        audit.log,
        current_user.email,
        "export",
        form=form,
        format=extension,
        filters=filters.as_args(),
        codes=codes,
    )
    table = exports.submission_table(definition, codes=codes)
    return export_response(
        table, answer_service.export_rows(form, filters), name=form, extension=extension, sheet=form
    )


@bp.get("/posters")
def poster_list():
    items = [
        (name, page.title, lang, posters.poster_url(name, lang))
        for name, page in posters.poster_pages().items()
        for lang in LANGUAGES
    ]
    return render_template("staff/posters.html", items=items)


@bp.get("/posters/<page>-<lang>.<any(svg, png):kind>")
def poster_code(page, lang, kind):
    try:
        data = posters.qr_code(page, lang, kind)
    except KeyError:
        abort(404)
    mimetype = "image/svg+xml" if kind == "svg" else "image/png"
    response = Response(data, mimetype=mimetype)
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="qr-{page}-{lang}.{kind}"'
    return response


@bp.get("/privacy")
def privacy_search():
    search = PersonSearchForm(request.args)
    person = None
    invalid = False
    if request.args.get("q") and search.validate():
        try:
            person = privacy.find_person(search.q.data)
        except privacy.NotAnIdentifier:
            invalid = True
    last = privacy.last_purge()
    return render_template(
        "staff/privacy.html",
        search=search,
        person=person,
        invalid=invalid,
        confirm=ConfirmForm(),
        retention_forms=list(registry.with_own_retention()),
        last_purge=last,
        purge_days_ago=(utcnow() - last.at).days if last else None,
        next_purge=dataclasses.asdict(database.run(privacy.purge_preview)),
    )


@bp.post("/privacy/export")
def privacy_export():
    confirm = ConfirmForm()
    query = request.form.get("q", "")
    if not confirm.validate_on_submit() or not query:
        abort(400)
    try:
        data = database.run(privacy.export_person, query, actor=current_user.email)
    except privacy.NotAnIdentifier:
        abort(400)
    response = Response(
        json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json; charset=utf-8"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{export_name("personal-data", "json")}"'
    )
    return response


@bp.route("/privacy/erase", methods=["GET", "POST"])
def privacy_erase():
    confirm = ConfirmForm()
    query = request.values.get("q", "")
    try:
        if confirm.validate_on_submit():
            report = database.run(privacy.erase_person, query, actor=current_user.email)
            return render_template("staff/erased.html", report=report)
        person = privacy.find_person(query)
    except privacy.NotAnIdentifier:
        abort(400)
    page = render_template("staff/erase.html", form=confirm, person=person, query=query)
    return page, status_of(confirm)


@bp.get("/audit")
def audit_log():
    number = max(request.args.get("page", 1, type=int), 1)
    events, total = audit.recent(number)
    return render_template("staff/audit.html", events=events, total=total, number=number)


MAIN_ANSWERS = 6
MAIN_ANSWER_LENGTH = 80


@bp.app_template_global()
def main_answers(definition, submission) -> list:
    """The first answered questions of an answer, shortened, for its line in the list (the
    consent boxes and the "which one?" follow-ups are left for the full view)."""
    shown = []
    for question in definition.questions:
        if question.kind == "consent" or question.follow_up:
            continue
        value = submission.answers.get(question.code)
        if value is None or value == "" or value == []:
            continue
        text = answer_text(question, value)
        if len(text) > MAIN_ANSWER_LENGTH:
            text = text[: MAIN_ANSWER_LENGTH - 1].rstrip() + "…"
        shown.append((question, text))
        if len(shown) == MAIN_ANSWERS:
            break
    return shown


@bp.app_template_global()
def answer_text(question, value) -> str:
    """An answer in the staff member's language: labels for codes, yes/no for boxes."""
    if value is None or value == "" or value == []:
        return "—"
    return question.type.text(question, value)


bp.add_app_template_global(values.readable_phone, "readable_phone")
