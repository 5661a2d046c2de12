"""Turns a ``FormDefinition`` into a FlaskForm, validates it, and extracts coded answers.

Every message is ours (gettext), so WTForms' English defaults never reach a visitor.
"""

import logging
import re
import secrets
import time
from functools import lru_cache
from typing import Any

from flask import Flask, current_app
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, Signer, URLSafeSerializer
from wtforms import HiddenField, StringField
from wtforms.meta import DefaultMeta

from .definition import FormDefinition, Question, is_empty

log = logging.getLogger(__name__)

HONEYPOT_FIELD = "website_url"
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def started_signer(app: Flask | None = None) -> Signer:
    """One per app (the current one by default): building it derives keys, and every form
    page needs it."""
    app = app or current_app
    signer = app.extensions.get("surveys.started_signer")
    if signer is None:
        signer = Signer(app.secret_key, salt="surveys.form-started.v2")
        app.extensions["surveys.started_signer"] = signer
    return signer


def new_stamp() -> str:
    """The signed time a form was served (for the minimum fill time), to the millisecond: in
    whole seconds, a page served at x.999 s and sent 2 ms later looked a second old. A plain
    signed string: itsdangerous' serializers add JSON and a compression attempt, which cost
    a blank form page about a tenth of its time (23 against 3 us)."""
    return started_signer().sign(f"{time.time():.3f}").decode()


def served_at(stamp: str) -> float:
    """The time in a stamp; ``BadSignature`` or ``ValueError`` when it is not one of ours.
    A page served before stamps were plain signed strings carries a serialized one."""
    try:
        return float(started_signer().unsign(stamp))
    except BadSignature:
        previous = URLSafeSerializer(current_app.secret_key, salt="surveys.form-started")
        return float(previous.loads(stamp))


def new_submission_key() -> str:
    return secrets.token_urlsafe(24)


class PublicForm(FlaskForm):
    """What every public form shares: anti-bot fields and a key against double submission."""

    definition: FormDefinition

    class Meta:
        # Every message of a public form is ours (gettext); WTForms' own catalog would be
        # loaded from disk on every request for nothing.
        locales = False

        def get_translations(self, form):
            return DefaultMeta.get_translations(self, form)

    website_url = StringField()  # honeypot: hidden from people, filled by naive bots
    started = HiddenField()
    submission_key = HiddenField()

    def prepare(self) -> None:
        """Stamp a freshly served form; a re-rendered form keeps its original stamps."""
        if not self.started.data:
            self.started.data = new_stamp()
        if not SUBMISSION_KEY.match(self.submission_key.data or ""):
            self.submission_key.data = new_submission_key()

    def timing_problem(self) -> str | None:
        """Why the form does not look filled in by a person ("missing-timestamp", "too-fast":
        it was not open long enough), or None. Formflow sends such forms back, filled in."""
        try:
            served = served_at(self.started.data or "")
        except (BadSignature, ValueError, TypeError):
            return "missing-timestamp"
        if time.time() - served < current_app.config["MIN_FILL_SECONDS"]:
            return "too-fast"
        return None

    def raw_answers(self) -> dict[str, Any]:
        return {q.code: self[q.code].data for q in self.definition.questions}

    def csrf_failed(self) -> bool:
        return bool(self.meta.csrf and self.csrf_token.errors)

    def question_errors(self) -> list[tuple[Question, str]]:
        return [
            (q, self[q.code].errors[0]) for q in self.definition.questions if self[q.code].errors
        ]

    def group_has_errors(self, question: Question) -> bool:
        """Whether ``question`` or a follow-up drawn inside it has an error: the group's
        error bar covers both."""
        within = (question, *self.definition.follow_ups_of(question))
        return any(self[q.code].errors for q in within)

    def consents(self) -> dict[str, str]:
        """{question code: consent text version} for every consent the person gave."""
        answers = self.answers()
        return {
            q.code: q.consent_version
            for q in self.definition.questions
            if q.consent_version and answers.get(q.code) is True
        }

    def validate(self, extra_validators=None) -> bool:
        self._answers = None
        return super().validate(extra_validators)

    def answers(self) -> dict[str, Any]:
        """The validated answers as stable codes and normalised values, in question order;
        empty answers and answers whose condition does not hold are left out. Worked out
        once per validation (normalising an e-mail address is not free)."""
        if getattr(self, "_answers", None) is None:
            self._answers = self.coded_answers()
        return self._answers

    def coded_answers(self) -> dict[str, Any]:
        raw = self.raw_answers()
        answers: dict[str, Any] = {}
        for q in self.definition.questions:
            value = raw[q.code]
            if is_empty(value) or not q.applies(raw):
                continue
            value = q.type.normalise(q, value)
            answers[q.code] = value
        return answers


def build_form_class(definition: FormDefinition) -> type[PublicForm]:
    """The FlaskForm of a definition (a draft's, in the editor's preview: not cached)."""
    fields = {q.code: q.type.field(q) for q in definition.questions}
    name = "".join(part.title() for part in definition.code.split("_")) + "Form"
    return type(name, (PublicForm,), {"definition": definition, **fields})


# One per published definition (the registry builds each version's definitions once).
form_class = lru_cache(maxsize=256)(build_form_class)


def log_bot(definition: FormDefinition, reason: str) -> None:
    log.info("bot submission discarded form=%s reason=%s", definition.code, reason)
