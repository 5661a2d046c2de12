"""The form editor: staff create forms, edit their texts in three languages side by side,
add, reorder and edit questions and choices, preview a draft in each language with the
public renderer, and publish it as a new version. Settings (listed, open, dates, retention,
personal data) apply at once. Works without JavaScript: each button sends the whole page,
so nothing typed is lost whichever button is pressed.
"""

from datetime import date

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import database
from ..extensions import db
from ..forms import editing, registry
from ..forms.definition import Kind
from ..forms.document import FORM_TEXTS, definition_of, missing_translations, problems
from ..forms.engine import build_form_class
from ..models import Form, FormKind, Training
from ..services import forms as form_service
from . import bp, not_saved
from .forms import ConfirmForm, status_of

# The texts of the form page, in the order the editor shows them.
TEXT_NAMES = [name for name in FORM_TEXTS if name != "privacy_purpose"] + ["privacy_purpose"]
KINDS = [kind.value for kind in Kind]


EDITABLE_KINDS = (FormKind.PUBLIC, FormKind.TRAINING_QUESTIONS)


def editable_form(code: str) -> Form:
    """A public form, or a training's own questions (the sign-up form itself is a seed)."""
    form = db.session.scalar(select(Form).where(Form.code == code))
    if form is None or form.kind not in EDITABLE_KINDS:
        abort(404)
    return form


def training_of(form: Form) -> Training | None:
    """The training whose own questions ``form`` holds, if it does."""
    if form.kind != FormKind.TRAINING_QUESTIONS:
        return None
    return db.session.get(Training, registry.training_id_of(form.code))


def kind_names() -> dict[str, str]:
    return {
        "single": _("One answer among several (buttons)"),
        "select": _("One answer from a long list (drop-down)"),
        "multiple": _("Several answers (check boxes)"),
        "text": _("A short text"),
        "textarea": _("A longer text"),
        "email": _("An e-mail address"),
        "phone": _("A phone number"),
        "url": _("A website address"),
        "number": _("A whole number"),
        "date": _("A date"),
        "scale": _("A point on a scale (e.g. 1 to 5)"),
        "consent": _("A box to tick to agree"),
    }


@bp.get("/editor/")
def form_list():
    forms = db.session.scalars(select(Form).where(Form.kind == FormKind.PUBLIC).order_by(Form.id))
    return render_template("staff/editor_list.html", forms=list(forms))


@bp.route("/editor/new", methods=["GET", "POST"])
def form_new():
    confirm = ConfirmForm()
    name = editing.posted_text(request.form, "name")
    sources = db.session.scalars(
        select(Form).where(Form.kind == FormKind.PUBLIC).order_by(Form.id)
    ).all()
    notice = None
    if confirm.validate_on_submit():
        if name is None:
            notice = _("Give the form a name in at least one language.")
        else:
            copy_of = request.form.get("copy_of") or None
            code = database.run(
                form_service.create_form, name, actor=current_user.email, copy_of=copy_of
            )
            return redirect(url_for("staff.form_edit", code=code), code=303)
    page = render_template(
        "staff/editor_new.html", form=confirm, name=name or {}, sources=sources, notice=notice
    )
    return page, status_of(confirm, 422 if notice else 200)


def settings_posted(form: Form) -> dict:
    """The settings as posted (checkboxes absent when unticked); errors as ``EditError``."""
    posted = request.form

    def day(name):
        value = posted.get(name, "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise editing.EditError(name, _("Enter a date as year-month-day.")) from None

    months = editing.whole_number(
        posted, "retention_months", lambda: _("Enter a whole number of months.")
    )
    if months is None or not 1 <= months <= 120:
        raise editing.EditError("retention_months", _("Keep answers between 1 and 120 months."))
    settings = {
        "listed": bool(posted.get("listed")),
        "on_posters": bool(posted.get("on_posters")),
        "is_open": bool(posted.get("is_open")),
        "personal_data": bool(posted.get("personal_data")),
        "opens_on": day("opens_on"),
        "closes_on": day("closes_on"),
        "retention_months": months,
    }
    if form.current_version is None and posted.get("slug"):
        slug = posted["slug"].strip().lower()
        if not form_service.SLUG.fullmatch(slug):
            raise editing.EditError(
                "slug", _("Use lower-case letters, digits and hyphens, for example my-form.")
            )
        taken = db.session.scalar(select(Form.id).where(Form.slug == slug, Form.id != form.id))
        if taken is not None:
            raise editing.EditError("slug", _("Another form already has this address."))
        settings["slug"] = slug
    return settings


@bp.route("/editor/<code>", methods=["GET", "POST"])
def form_edit(code):
    form = editable_form(code)
    confirm = ConfirmForm()
    document = form_service.working_document(form)
    error = None
    if confirm.validate_on_submit():
        action = request.form.get("action", "save")
        try:
            editing.set_form_texts(document, request.form)
            # A training's own questions have no page or settings of their own.
            settings = settings_posted(form) if form.kind == FormKind.PUBLIC else {}
            if action == "add":
                label = editing.posted_text(request.form, "new_label")
                kind = request.form.get("new_type")
                if label is None or kind not in KINDS:
                    raise editing.EditError(
                        "new_label", _("Choose a type and write the question in one language.")
                    )
                taken = form_service.taken_question_codes(form, document)
                editing.add_question(document, kind, label, form_service.derive_code(label, taken))
            elif action.startswith(("up:", "down:", "remove:")):
                verb, question = action.split(":", 1)
                if verb == "remove":
                    editing.remove_question(document, question)
                else:
                    editing.move_question(document, question, -1 if verb == "up" else 1)
        except editing.EditError as problem:
            error = problem
        except KeyError:
            abort(400)
        if error is None:
            if not draft_saved(code, document, "edit", settings=settings):
                shown = {"posted": request.form, "notice": not_saved.notice()}
                return not_saved.response(editor_page(confirm, form, document, **shown))
            if action == "publish":
                return publish(code)
            if action == "discard":
                database.run(form_service.discard_draft, code, actor=current_user.email)
            if action.startswith("edit:"):
                target = url_for("staff.question_edit", code=code, question=action[5:])
                return redirect(target, code=303)
            anchor = "#questions" if action != "save" else ""
            return redirect(url_for("staff.form_edit", code=code) + anchor, code=303)
    db.session.refresh(form)
    posted = request.form if request.method == "POST" else None
    page = editor_page(confirm, form, document, posted=posted, error=error)
    return page, status_of(confirm, 422 if error else 200)


def draft_saved(code: str, document: dict, action: str, **settings) -> bool:
    """The draft stored, with its audit entry; False when the database could not store it
    (the page then comes back with what was posted)."""
    try:
        database.run(
            form_service.save_draft,
            code,
            document,
            actor=current_user.email,
            action=action,
            **settings,
        )
    except database.DatabaseUnavailable:
        return False
    return True


def editor_page(confirm, form: Form, document: dict, **shown) -> str:
    """The page of a form in the editor; ``shown``: what was posted, an error, the reasons
    a publish was refused."""
    return render_template(
        "staff/editor_form.html",
        form=confirm,
        record=form,
        document=document,
        text_names=TEXT_NAMES,
        kinds=kind_names(),
        missing=missing_translations(document),
        problems=problems(document),
        training=training_of(form),
        **{"posted": None, "error": None, **shown},
    )


def publish(code: str):
    try:
        number = database.run(form_service.publish_draft, code, actor=current_user.email)
    except form_service.InvalidDocument as invalid:
        form = editable_form(code)
        document = form_service.working_document(form)
        return editor_page(ConfirmForm(), form, document, refused=invalid.reasons), 422
    target = url_for("staff.form_edit", code=code, published=number)
    return redirect(target, code=303)


@bp.route("/editor/<code>/questions/<question>", methods=["GET", "POST"])
def question_edit(code, question):
    form = editable_form(code)
    confirm = ConfirmForm()
    document = form_service.working_document(form)
    try:
        target = editing.find(document, question)
    except KeyError:
        abort(404)
    error = unsaved = None
    if confirm.validate_on_submit():
        taken = form_service.used_choice_codes(form, question)
        taken |= {c["code"] for c in target.get("choices", ())}

        def new_choice_code(label):
            made = form_service.derive_code(label, taken, prefix="choice")
            taken.add(made)
            return made

        try:
            editing.update_question(
                target,
                request.form,
                new_choice_code=new_choice_code,
                not_a_number=lambda: _("Enter a whole number, or leave it empty."),
                one_question=lambda: _("Tick one or more choices, all of the same question."),
            )
        except editing.EditError as problem:
            error = problem
        if error is None:
            if draft_saved(code, document, "question"):
                return redirect(url_for("staff.form_edit", code=code) + "#questions", code=303)
            unsaved = not_saved.notice()
    others = [q for q in document["questions"] if q["code"] != question]
    page = render_template(
        "staff/editor_question.html",
        form=confirm,
        record=form,
        question=target,
        others=others,
        posted=request.form if request.method == "POST" else None,
        error=error,
        kinds=kind_names(),
        choice_kinds=editing.CHOICE_KINDS,
        extra_texts=editing.EXTRA_TEXTS.get(target["type"], ()),
        limits=editing.LIMITS.get(target["type"], ()),
        blank_rows=3,
        notice=unsaved,
    )
    if unsaved:
        return not_saved.response(page)
    return page, status_of(confirm, 422 if error else 200)


@bp.route("/editor/<code>/preview/<any(fr, en, uk):preview_lang>", methods=["GET", "POST"])
def form_preview(code, preview_lang):
    """The draft as the public will see it, drawn by the public renderer in ``preview_lang``;
    sending it checks the answers and stores nothing."""
    form = editable_form(code)
    document = form_service.working_document(form)
    if problems(document):
        return redirect(url_for("staff.form_edit", code=code), code=303)
    definition = definition_of(code, (form.current_version or 0) + 1, document)
    banner = _("Preview of the draft: nothing sent from this page is stored.")
    back = _("Back to the editor")
    accepted_text = _("These answers would be accepted.")
    staff_lang = str(get_locale())
    accepted = None
    with force_locale(preview_lang):
        g.lang = preview_lang
        answers = build_form_class(definition)(meta={"csrf": False})
        answers.prepare()
        errors = []
        if request.method == "POST":
            answers.validate()
            errors = answers.question_errors()
            accepted = not errors
        return render_template(
            "staff/editor_preview.html",
            page=definition.texts,
            definition=definition,
            form=answers,
            errors=errors,
            notice=None,
            fresh=False,
            draft_key="",
            banner=banner,
            back=back,
            accepted=accepted,
            accepted_text=accepted_text,
            code=code,
            staff_lang=staff_lang,
            preview_lang=preview_lang,
        )
