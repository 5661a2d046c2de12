"""Forms as data: loading the seed files, publishing versions.

A published version is never changed: publishing writes the next one, and the answers given
under earlier versions keep pointing at theirs. Each change is one unit of work with its
audit event; the registry of this process is told at once, the others within
FORMS_RECHECK_SECONDS (forms.registry).
"""

import copy
import re
import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import begin_serialized, db
from ..forms import registry
from ..forms.document import missing_translations, problems
from ..forms.seed_files import Seed
from ..i18n import ENDONYMS
from ..models import Form, FormKind, FormVersion, utcnow
from . import audit


class InvalidDocument(Exception):
    """A form document that cannot be published; ``reasons`` says why, in plain words."""

    def __init__(self, code: str, reasons: list[str]):
        super().__init__(f"{code}: " + "; ".join(reasons))
        self.reasons = reasons


def check_publishable(code: str, document: dict) -> None:
    reasons = problems(document)
    reasons += [
        _(
            "%(where)s: no text in %(language)s. Write it, or choose to show another "
            "language's text there.",
            where=where,
            language=ENDONYMS[lang],
        )
        for where, lang in missing_translations(document)
    ]
    if reasons:
        raise InvalidDocument(code, reasons)


def latest_version(form: Form) -> FormVersion | None:
    if form.current_version is None:
        return None
    return db.session.scalar(
        select(FormVersion).where(
            FormVersion.form_id == form.id, FormVersion.number == form.current_version
        )
    )


def reused_codes(form: Form, document: dict) -> list[str]:
    """Question codes of ``document`` that an earlier version used for another type: the
    answers stored under them would be read as something they are not."""
    earlier = {}
    for (older,) in db.session.execute(
        select(FormVersion.document).where(FormVersion.form_id == form.id)
    ):
        earlier.update({q["code"]: q["type"] for q in older["questions"]})
    return [
        _(
            "%(code)s: an earlier version used this code for a question of another type; "
            "give the new question another code.",
            code=q["code"],
        )
        for q in document["questions"]
        if q["code"] in earlier and earlier[q["code"]] != q["type"]
    ]


def publish(form: Form, document: dict, *, actor: str) -> FormVersion:
    """Write the next version of ``form`` (in the caller's locked transaction)."""
    check_publishable(form.code, document)
    if reasons := reused_codes(form, document):
        raise InvalidDocument(form.code, reasons)
    number = (
        db.session.scalar(
            select(func.max(FormVersion.number)).where(FormVersion.form_id == form.id)
        )
        or 0
    ) + 1
    version = FormVersion(form=form, number=number, document=document, published_by=actor)
    db.session.add(version)
    form.current_version = number
    form.updated_at = utcnow()
    audit.record(actor, "form.publish", form=form.code, version=number)
    return version


def publish_version(code: str, document: dict, *, actor: str) -> int:
    """Publish ``document`` as the next version of form ``code``; returns its number."""
    begin_serialized()
    form = db.session.scalar(select(Form).where(Form.code == code).with_for_update())
    if form is None:
        db.session.rollback()
        raise LookupError(code)
    try:
        version = publish(form, document, actor=actor)
    except InvalidDocument:
        db.session.rollback()
        raise
    db.session.commit()
    registry.forget()
    return version.number


# Who published the versions that came from seed files (``FormVersion.published_by``).
SEED_FILE = "seed file"


@dataclass(frozen=True)
class SeedOutcome:
    code: str
    # "created"; "unchanged"; "published" (asked for, or a newer shipped file over a form
    # staff never changed: its next version); "differs" (left alone: staff changed it)
    result: str
    version: int


def staff_changed(form: Form, latest: FormVersion | None) -> bool:
    """Whether staff published the form's latest version, or have a draft in progress: a
    newer seed file must not replace their work, nor be lost under their next publish."""
    return form.draft is not None or latest is None or latest.published_by != SEED_FILE


def load_seed(seed: Seed, *, publish_changes: bool = False) -> SeedOutcome:
    """Create the form of a seed file that the database does not have, as its version 1.

    A release that ships a changed seed file (new choices, better wording) publishes it as
    the form's next version when the form is still as a seed file left it; a form staff
    have published or are editing is left as it is unless ``publish_changes`` (their
    edits win, and ``flask forms load`` says what differs)."""
    check_publishable(seed.code, seed.document)
    begin_serialized()
    form = db.session.scalar(select(Form).where(Form.code == seed.code))
    try:
        if form is None:
            form = Form(code=seed.code, **seed.settings)
            db.session.add(form)
            db.session.flush()
            version = publish(form, seed.document, actor=SEED_FILE)
            outcome = SeedOutcome(seed.code, "created", version.number)
        else:
            latest = latest_version(form)
            if latest is not None and latest.document == seed.document:
                db.session.rollback()
                return SeedOutcome(seed.code, "unchanged", latest.number)
            if staff_changed(form, latest) and not publish_changes:
                db.session.rollback()
                return SeedOutcome(seed.code, "differs", latest.number if latest else 0)
            version = publish(form, seed.document, actor=SEED_FILE)
            outcome = SeedOutcome(seed.code, "published", version.number)
    except InvalidDocument:
        db.session.rollback()
        raise
    db.session.commit()
    registry.forget()
    return outcome


def current_version_id(code: str) -> int | None:
    """The id of the current published version of form ``code`` (what a new answer points
    at), or None if it was never published."""
    return db.session.scalar(
        select(FormVersion.id)
        .join(Form, FormVersion.form_id == Form.id)
        .where(Form.code == code, FormVersion.number == Form.current_version)
    )


# The editor (staff): a form's draft is edited, previewed and published; its settings
# (listed, open, dates, retention, personal data) apply at once.

# A form's public address after /<lang>/f/ (as training slugs).
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
EDITABLE_SETTINGS = (
    "listed",
    "on_posters",
    "is_open",
    "opens_on",
    "closes_on",
    "personal_data",
    "retention_months",
)


def derive_code(texts: dict | str | None, taken: set[str], prefix: str = "q") -> str:
    """A stable code from a first label (English, else French, else Ukrainian), in plain
    ASCII: written once when the question or choice is made, never changed afterwards; a
    label without Latin letters gives ``<prefix>_<n>``."""
    if isinstance(texts, dict):
        source = next((texts.get(lang) for lang in ("en", "fr", "uk") if texts.get(lang)), "")
    else:
        source = texts or ""
    ascii_text = unicodedata.normalize("NFKD", source).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    base = "_".join(words)[:40].strip("_") or prefix
    number = 1
    code = f"{base}_1" if base == prefix else base
    while code in taken:
        number += 1
        code = f"{base}_{number}"
    return code


def form_for_update(code: str) -> Form:
    """The form, locked for the unit of work that changes it (LookupError if unknown)."""
    begin_serialized()
    form = db.session.scalar(select(Form).where(Form.code == code).with_for_update())
    if form is None:
        db.session.rollback()
        raise LookupError(code)
    return form


def working_document(form: Form) -> dict:
    """What the editor shows: the draft, or (no change in progress) the current version."""
    if form.draft is not None:
        return copy.deepcopy(form.draft)
    latest = latest_version(form)
    return copy.deepcopy(latest.document) if latest else {"questions": []}


def used_question_codes(form: Form) -> dict[str, str]:
    """{code: type} of every question any version had: a code is never given again."""
    codes = {}
    for (document,) in db.session.execute(
        select(FormVersion.document).where(FormVersion.form_id == form.id)
    ):
        codes.update({q["code"]: q["type"] for q in document["questions"]})
    return codes


def used_choice_codes(form: Form, question_code: str) -> set[str]:
    codes = set()
    for (document,) in db.session.execute(
        select(FormVersion.document).where(FormVersion.form_id == form.id)
    ):
        for question in document["questions"]:
            if question["code"] == question_code:
                codes |= {c["code"] for c in question.get("choices", ())}
    return codes


def save_draft(
    code: str, document: dict, *, actor: str, action: str, settings: dict | None = None
) -> None:
    """Store the draft, and the form's settings when given: one unit of work with its audit
    events (``action``, and "settings")."""
    form = form_for_update(code)
    form.draft = document
    form.updated_at = utcnow()
    audit.record(actor, f"form.{action}", form=code)
    if settings:
        apply_settings(form, settings, actor=actor)
    db.session.commit()
    if settings:
        registry.forget()


def update_settings(code: str, settings: dict, *, actor: str) -> None:
    form = form_for_update(code)
    apply_settings(form, settings, actor=actor)
    db.session.commit()
    registry.forget()


def apply_settings(form: Form, settings: dict, *, actor: str) -> None:
    for name in EDITABLE_SETTINGS:
        if name in settings:
            setattr(form, name, settings[name])
    if "slug" in settings and form.current_version is None:
        form.slug = settings["slug"]  # fixed once published: it is printed on posters
    form.updated_at = utcnow()
    audit.record(actor, "form.settings", form=form.code)


def publish_draft(code: str, *, actor: str) -> int:
    """Publish the draft as the next version (InvalidDocument: nothing changes)."""
    form = form_for_update(code)
    if form.draft is None:
        db.session.rollback()
        return form.current_version or 0
    try:
        version = publish(form, form.draft, actor=actor)
    except InvalidDocument:
        db.session.rollback()
        raise
    form.draft = None
    db.session.commit()
    registry.forget()
    return version.number


def discard_draft(code: str, *, actor: str) -> None:
    form = form_for_update(code)
    form.draft = None
    form.updated_at = utcnow()
    audit.record(actor, "form.discard_draft", form=code)
    db.session.commit()


def create_form(name: dict, *, actor: str, copy_of: str | None = None) -> str:
    """A new public form, never published: its draft is blank but for its name, or a copy
    of another form's questions and texts. Returns its code."""
    begin_serialized()
    taken_codes = set(db.session.scalars(select(Form.code)))
    taken_slugs = set(db.session.scalars(select(Form.slug)))
    code = derive_code(name, taken_codes, prefix="form")
    slug = derive_code(name, taken_slugs, prefix="form").replace("_", "-")
    document: dict = {"questions": []}
    if copy_of is not None:
        source = db.session.scalar(select(Form).where(Form.code == copy_of))
        if source is None:
            db.session.rollback()
            raise LookupError(copy_of)
        document = working_document(source)
    document.update(name=name, short_name=name)
    form = Form(
        code=code,
        slug=slug,
        kind=FormKind.PUBLIC,
        short_address=False,
        listed=False,
        on_posters=False,
        draft=document,
    )
    db.session.add(form)
    audit.record(actor, "form.create", form=code, copy_of=copy_of)
    db.session.commit()
    return code


def training_questions_form(training_id: int, name: dict, *, actor: str) -> str:
    """The form of a training's own questions, made the first time staff ask for it (not
    published until they publish it); returns its code."""
    code = registry.training_questions_code(training_id)
    begin_serialized()
    if db.session.scalar(select(Form.id).where(Form.code == code)) is None:
        signup = db.session.scalar(select(Form).where(Form.kind == FormKind.TRAINING_SIGNUP))
        db.session.add(
            Form(
                code=code,
                kind=FormKind.TRAINING_QUESTIONS,
                slug=code.replace("_", "-"),
                listed=False,
                on_posters=False,
                personal_data=True,
                retention_months=signup.retention_months if signup else 12,
                draft={"name": name, "questions": []},
            )
        )
        audit.record(actor, "form.create", form=code)
    db.session.commit()
    return code


def taken_question_codes(form: Form, document: dict) -> set[str]:
    """Codes a new question of ``form`` may not take: every version's, the draft's, and for
    a training's own questions those of the sign-up form they are asked with."""
    taken = set(used_question_codes(form)) | {q["code"] for q in document["questions"]}
    if form.kind == FormKind.TRAINING_QUESTIONS:
        signup = db.session.scalar(select(Form).where(Form.kind == FormKind.TRAINING_SIGNUP))
        if signup is not None:
            taken |= set(used_question_codes(signup))
    return taken
