"""The registry of forms: every place that lists or serves a form reads it from here.

Forms are data (``models.forms``): the public addresses and thank-you pages, the home page's
cards, the staff navigation, the answers, summaries and exports, the posters, the privacy
tools and the purge all walk ``forms()``, so a form published in the database is served and
read everywhere without a line of code.

Each process keeps the published forms (settings, and the definition of each one's current
version, built once) and checks at most every ``FORMS_RECHECK_SECONDS`` whether any changed:
one query on plain columns (code, version, last change). So a publish or a change of
settings shows on every worker and host within that time (and at once in the process that
made it, which checks again at once). If that check fails, the forms known so
far are served: a form being sent is never lost to a registry that could not be read.
"""

import logging
import math
import os
import pickle
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..database import ERRORS
from ..extensions import db
from ..models import BRUSSELS, Form, FormKind, FormVersion, utcnow
from .definition import FormDefinition, Kind
from .document import FORM_TEXTS, definition_of, merged

log = logging.getLogger(__name__)

SNAPSHOT = "surveys.forms"


@dataclass(frozen=True, eq=False)
class RegisteredForm:
    """A published form: its settings and its current version."""

    code: str
    kind: str
    slug: str
    short_address: bool
    listed: bool
    on_posters: bool
    is_open: bool
    opens_on: date | None
    closes_on: date | None
    personal_data: bool
    retention_months: int
    version: int
    version_id: int
    document: Mapping[str, Any]
    updated_at: datetime
    _variants: dict = field(default_factory=dict, repr=False)

    @cached_property
    def definition(self) -> FormDefinition:
        """Every question of the current version (what summaries and exports read)."""
        return definition_of(self.code, self.version, self.document, version_id=self.version_id)

    def definition_for(self, **context: bool) -> FormDefinition:
        """The questions asked in this context (a training's settings, for ``only_if``),
        built once per context."""
        key = tuple(sorted(context.items()))
        if key not in self._variants:
            self._variants[key] = definition_of(
                self.code, self.version, self.document, context, version_id=self.version_id
            )
        return self._variants[key]

    def reading_definition(self, **context: bool) -> FormDefinition:
        """The questions of every version, to read the answers given under any of them
        (answers, summaries, exports): the current wording first, a question or choice
        that only earlier versions had still there (document.merged). Built once per
        context; the versions before the current one never change."""
        key = ("reading", *sorted(context.items()))
        if key not in self._variants:
            documents = [self.document]
            if self.version > 1:
                documents += [
                    document
                    for (document,) in db.session.execute(
                        select(FormVersion.document)
                        .join(Form, FormVersion.form_id == Form.id)
                        .where(Form.code == self.code, FormVersion.number < self.version)
                        .order_by(FormVersion.number.desc())
                    )
                ]
            self._variants[key] = definition_of(
                self.code,
                self.version,
                merged(documents),
                context or None,
                version_id=self.version_id,
            )
        return self._variants[key]

    @property
    def path(self) -> str:
        """Its public address, after the language."""
        return self.slug if self.short_address else f"f/{self.slug}"

    @property
    def staff_title(self):
        return self.definition.texts.get("name") or self.code

    @property
    def staff_short_title(self):
        return self.definition.texts.get("short_name") or self.staff_title

    def __getattr__(self, name: str):
        # The form's own texts as attributes (page.title, page.thanks_lead…), None if unset.
        if name in FORM_TEXTS:
            return self.definition.texts.get(name)
        raise AttributeError(name)

    def accepting(self, now: datetime | None = None) -> bool:
        """Open, and today (in Brussels) within its dates if it has any."""
        today = (now or utcnow()).astimezone(BRUSSELS).date()
        if not self.is_open:
            return False
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)


@dataclass
class Snapshot:
    stamp: tuple
    forms: dict[str, RegisteredForm]
    checked_at: float

    @cached_property
    def by_path(self) -> dict[str, RegisteredForm]:
        return {entry.path: entry for entry in self.forms.values() if entry.kind == FormKind.PUBLIC}


STAMP = select(Form.code, Form.current_version, Form.updated_at).order_by(Form.id)
PUBLISHED = (
    select(
        Form.code,
        Form.kind,
        Form.slug,
        Form.short_address,
        Form.listed,
        Form.on_posters,
        Form.is_open,
        Form.opens_on,
        Form.closes_on,
        Form.personal_data,
        Form.retention_months,
        Form.current_version,
        FormVersion.id,
        FormVersion.document,
        Form.updated_at,
    )
    .join(
        FormVersion,
        (FormVersion.form_id == Form.id) & (FormVersion.number == Form.current_version),
    )
    .order_by(Form.id)
)


SETTINGS = (
    "kind",
    "slug",
    "short_address",
    "listed",
    "on_posters",
    "is_open",
    "opens_on",
    "closes_on",
    "personal_data",
    "retention_months",
)


def load(connection, previous: Snapshot | None, stamp: tuple) -> Snapshot:
    """Every published form, keeping the entries (and their built definitions) of those
    that did not change."""
    rows = [tuple(row) for row in connection.execute(PUBLISHED)]
    return snapshot_of(rows, previous, stamp)


def snapshot_of(rows: list[tuple], previous: Snapshot | None, stamp: tuple) -> Snapshot:
    kept = previous.forms if previous else {}
    forms = {}
    for row in rows:
        code, *settings, number, version_id, document, updated_at = row
        old = kept.get(code)
        if old is not None and old.version_id == version_id and old.updated_at == updated_at:
            forms[code] = old
            continue
        forms[code] = RegisteredForm(
            code=code,
            version=number,
            version_id=version_id,
            document=document,
            updated_at=updated_at,
            **dict(zip(SETTINGS, settings, strict=True)),
        )
    return Snapshot(stamp, forms, time.monotonic())


def snapshot() -> Snapshot:
    app = current_app._get_current_object()
    current = app.extensions.get(SNAPSHOT)
    now = time.monotonic()
    if current is not None and now - current.checked_at < app.config["FORMS_RECHECK_SECONDS"]:
        return current
    try:
        # A connection of its own, not the request's session: its transaction stays as the
        # request left it (a form's INSERT may run in autocommit, a sign-up take its lock).
        with db.engine.connect() as connection:
            stamp = tuple(tuple(row) for row in connection.execute(STAMP))
            if current is not None and stamp == current.stamp:
                current.checked_at = now
                return current
            current = app.extensions[SNAPSHOT] = load(connection, current, stamp)
        save(app, current)
    except ERRORS:
        if current is None:
            current = saved(app)
        if current is None:
            raise
        app.extensions[SNAPSHOT] = current
        current.checked_at = now
        log.warning("forms: could not check for changes; serving the forms known", exc_info=True)
    return current


# The forms last read, kept on disk: a process started while the database is away still
# shows them, and so keeps what a person sends (formflow gives the form back, filled in).
SAVED = "published-forms.pickle"


def save(app, current: Snapshot) -> None:
    rows = [
        (
            entry.code,
            *(getattr(entry, name) for name in SETTINGS),
            entry.version,
            entry.version_id,
            dict(entry.document),
            entry.updated_at,
        )
        for entry in current.forms.values()
    ]
    path = Path(app.instance_path) / SAVED
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps((current.stamp, rows)))
        os.replace(temporary, path)
    except OSError:
        log.warning("forms: could not keep the forms on disk at %s", path, exc_info=True)


def saved(app) -> Snapshot | None:
    """The forms last read by any process of this instance, or None."""
    try:
        data = (Path(app.instance_path) / SAVED).read_bytes()
        stamp, rows = pickle.loads(data)  # noqa: S301 (written by this app, in its instance folder)
    except (OSError, pickle.UnpicklingError, ValueError, EOFError):
        return None
    return snapshot_of(rows, None, stamp)


def forget() -> None:
    """Check the forms again at the next request: this process changed one (the services
    that change forms call it once committed)."""
    current = current_app.extensions.get(SNAPSHOT)
    if current is not None:
        current.checked_at = -math.inf


def forms() -> Iterator[RegisteredForm]:
    """The published public forms, in the order they were created."""
    return (entry for entry in snapshot().forms.values() if entry.kind == FormKind.PUBLIC)


def with_own_retention() -> Iterator[RegisteredForm]:
    """The published forms whose answers are kept as such (public forms and the training
    sign-up form; a training's own questions are kept with its registrations)."""
    return (
        entry
        for entry in snapshot().forms.values()
        if entry.kind in (FormKind.PUBLIC, FormKind.TRAINING_SIGNUP)
    )


def registered(code: str) -> RegisteredForm | None:
    """A published form of any kind (the training sign-up form too), by its code."""
    return snapshot().forms.get(code)


def by_path(path: str) -> RegisteredForm | None:
    return snapshot().by_path.get(path)


def listed() -> Iterator[RegisteredForm]:
    return (entry for entry in forms() if entry.listed)


def on_posters() -> Iterator[RegisteredForm]:
    return (entry for entry in forms() if entry.on_posters)


def training_questions_code(training_id: int) -> str:
    return f"training_{training_id}"


def training_id_of(code: str) -> int:
    """The training whose own questions form ``code`` holds (``training_questions_code``)."""
    return int(code.removeprefix("training_"))


def training_questions(training_id: int) -> RegisteredForm | None:
    """A training's own questions, once published."""
    return snapshot().forms.get(training_questions_code(training_id))


def signup_definition(
    every_date_required: bool, training_id: int | None = None, *, reading: bool = False
) -> FormDefinition:
    """The sign-up form as a training's page asks it: the pledge to attend every date where
    the training requires it, and the training's own questions after the form's.
    ``reading``: every version of both, to read registrations back (staff, exports)."""
    base = training_signup()
    extra = training_questions(training_id) if training_id is not None else None
    key = ("signup", every_date_required, extra.version_id if extra else None, reading)
    if key not in base._variants:
        context = {"every_date_required": every_date_required}
        if reading:
            definition = base.reading_definition(**context)
        else:
            definition = base.definition_for(**context)
        if extra is not None:
            extra_definition = extra.reading_definition() if reading else extra.definition
            definition = with_questions_of(definition, extra_definition)
        base._variants[key] = definition
    return base._variants[key]


def signup_definition_for_posted(every_date_required: bool, names) -> FormDefinition:
    """The sign-up form when the training cannot be read (its id is not known): with the
    own questions of the training whose question codes were posted, so that the form comes
    back with every answer."""
    names = set(names)
    for entry in snapshot().forms.values():
        if entry.kind == FormKind.TRAINING_QUESTIONS and names & {
            q.code for q in entry.definition.questions
        }:
            return signup_definition(every_date_required, training_id_of(entry.code))
    return signup_definition(every_date_required)


def with_questions_of(base: FormDefinition, extra: FormDefinition) -> FormDefinition:
    """``base`` with ``extra``'s questions after its own, before the consent boxes that end
    it, if any (the pledge to attend, a consent box at the start, stays where it is)."""
    at = len(base.questions)
    while (
        at
        and base.questions[at - 1].kind == Kind.CONSENT
        and not base.questions[at - 1].required_if
    ):
        at -= 1
    return FormDefinition(
        code=base.code,
        version=base.version,
        version_id=base.version_id,
        extra_version_id=extra.version_id,
        questions=(*base.questions[:at], *extra.questions, *base.questions[at:]),
        email_question=base.email_question,
        phone_question=base.phone_question,
        texts=base.texts,
    )


def training_signup() -> RegisteredForm:
    """The sign-up form of every training."""
    entry = next((e for e in snapshot().forms.values() if e.kind == FormKind.TRAINING_SIGNUP), None)
    if entry is None:
        raise LookupError("no training sign-up form is published: run `flask forms load`")
    return entry
