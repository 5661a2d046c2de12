"""Forms as data: loading the seed files, publishing versions.

A published version is never changed: publishing writes the next one, and the answers given
under earlier versions keep pointing at theirs. Each change is one unit of work with its
audit event; the registry of this process is told at once, the others within
FORMS_RECHECK_SECONDS (forms.registry).
"""

from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import begin_serialized, db
from ..forms import registry
from ..forms.document import missing_translations, problems
from ..forms.seed_files import Seed
from ..models import Form, FormVersion, utcnow
from . import audit


class InvalidDocument(Exception):
    """A form document that cannot be published; ``reasons`` says why, in plain words."""

    def __init__(self, code: str, reasons: list[str]):
        super().__init__(f"{code}: " + "; ".join(reasons))
        self.reasons = reasons


def check_publishable(code: str, document: dict) -> None:
    reasons = problems(document)
    reasons += [
        f"{where}: no text in {lang} (write it, or choose to show another language there)"
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
        f"{q['code']}: this code was a question of type {earlier[q['code']]!r} in an earlier "
        "version; give the new question a new code"
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


@dataclass(frozen=True)
class SeedOutcome:
    code: str
    # "created", "unchanged", "published" (a new version), or "differs" (left alone)
    result: str
    version: int


def load_seed(seed: Seed, *, publish_changes: bool = False, actor: str) -> SeedOutcome:
    """Create the form of a seed file that the database does not have, as its version 1.
    A form that exists is left as it is unless its seed file changed and ``publish_changes``
    (then the file becomes its next version): staff may have edited it since."""
    check_publishable(seed.code, seed.document)
    begin_serialized()
    form = db.session.scalar(select(Form).where(Form.code == seed.code))
    try:
        if form is None:
            form = Form(code=seed.code, **seed.settings)
            db.session.add(form)
            db.session.flush()
            version = publish(form, seed.document, actor=actor)
            outcome = SeedOutcome(seed.code, "created", version.number)
        else:
            latest = latest_version(form)
            if latest is not None and latest.document == seed.document:
                db.session.rollback()
                return SeedOutcome(seed.code, "unchanged", latest.number)
            if not publish_changes:
                db.session.rollback()
                return SeedOutcome(seed.code, "differs", latest.number if latest else 0)
            version = publish(form, seed.document, actor=actor)
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
