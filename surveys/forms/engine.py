"""Turns a ``FormDefinition`` into a FlaskForm, validates it, and extracts coded answers.

Every message is ours (gettext), so WTForms' English defaults never reach a visitor.
"""

import logging
import re
import secrets
import time
import unicodedata
from functools import cache
from typing import Any

from flask import Flask, current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.meta import DefaultMeta
from wtforms.validators import StopValidation, ValidationError

from . import values
from .definition import FormDefinition, Kind, Question, is_empty

log = logging.getLogger(__name__)

HONEYPOT_FIELD = "website_url"
SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# Control characters other than tab and line breaks: never typed by a person, and PostgreSQL
# refuses NUL in text. U+FFFD marks bytes that were not valid UTF-8.
UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
LINE_BREAK = re.compile(r"[\r\n\x85\u2028\u2029]")


def number_text(value: str) -> str:
    """Digits as typed on any keyboard, without the spaces that group thousands."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def strip(value):
    return value.strip() if isinstance(value, str) else value


def required_message(question: Question) -> str:
    if question.required_message:
        return str(question.required_message)
    if question.kind == Kind.MULTIPLE:
        return _("Choose at least one answer.")
    if question.kind in (Kind.SINGLE, Kind.SELECT):
        return _("Choose an answer.")
    if question.kind == Kind.CONSENT:
        return _("Tick this box to continue.")
    if question.follow_up:
        return _("Please say what you mean by “other”.")
    return _("Please fill in this field.")


class Requirement:
    """First validator of every question: an empty answer is an error when the question is
    required (or its condition holds), and ends validation quietly otherwise."""

    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form, field):
        if not is_empty(field.data):
            return
        field.errors[:] = []
        if self.question.is_required(form.raw_answers()):
            raise StopValidation(required_message(self.question))
        raise StopValidation()


class TextRules:
    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form, field):
        if not isinstance(field.data, str):
            return
        single_line = self.question.kind != Kind.TEXTAREA
        if UNREADABLE.search(field.data) or (single_line and LINE_BREAK.search(field.data)):
            # A one-line box cannot receive a line break from a browser: only forged posts
            # (or header injection attempts through names) carry one.
            raise StopValidation(
                _("This text contains characters that could not be read. Please type it again.")
            )
        if self.question.header_safe and not values.fits_in_header(field.data):
            raise StopValidation(
                _(
                    "Please type this without “=?” or “?=”: these characters cannot be used "
                    "in an e-mail."
                )
            )
        limit = self.question.max_length
        if limit and len(field.data) > limit:
            raise StopValidation(
                ngettext(
                    "Use at most %(limit)s character (you typed %(typed)s).",
                    "Use at most %(limit)s characters (you typed %(typed)s).",
                    limit,
                    limit=format_decimal(limit),
                    typed=format_decimal(len(field.data)),
                )
            )


class ChoiceRules:
    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form, field):
        chosen = field.data if isinstance(field.data, list) else [field.data]
        known = self.question.known_codes
        if any(code not in known for code in chosen):
            raise StopValidation(_("Choose from the options offered."))
        if len(chosen) > 1:
            for choice in self.question.choices:
                if choice.exclusive and choice.code in chosen:
                    message = _(
                        "“%(answer)s” cannot be combined with other answers.", answer=choice.label
                    )
                    raise StopValidation(message)


def check_email(form, field):
    try:
        values.normalise_email(
            field.data, check_deliverability=current_app.config["EMAIL_CHECK_DELIVERABILITY"]
        )
    except values.InvalidValue:
        raise ValidationError(
            _("Enter a valid e-mail address, for example name@example.be.")
        ) from None


def check_phone(form, field):
    try:
        values.normalise_phone(field.data)
    except values.InvalidValue:
        raise ValidationError(
            _(
                "Enter a valid phone number: for example 0470 12 34 56, or with the country "
                "code, +380 67 123 45 67."
            )
        ) from None


def check_url(form, field):
    try:
        values.normalise_url(field.data)
    except values.InvalidValue:
        raise ValidationError(_("Enter a web address, for example www.example.be.")) from None


class NumberRules:
    def __init__(self, question: Question):
        self.question = question

    def __call__(self, form, field):
        text = number_text(field.data)
        low, high = self.question.min_value or 0, self.question.max_value or 10**9
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValidationError(
                _(
                    "Enter a whole number between %(low)s and %(high)s.",
                    low=format_decimal(low),
                    high=format_decimal(high),
                )
            )


def make_field(question: Question) -> Field:
    checks: list = [Requirement(question)]
    kwargs: dict[str, Any] = {"label": question.label, "description": question.hint or ""}
    kind = question.kind
    if question.is_choice:
        checks.append(ChoiceRules(question))
        # Choices are validated and rendered from the definition, not by WTForms.
        field_class = {
            Kind.SINGLE: RadioField,
            Kind.SELECT: SelectField,
            Kind.MULTIPLE: SelectMultipleField,
        }[kind]
        return field_class(validate_choice=False, validators=checks, **kwargs)
    if kind == Kind.CONSENT:
        return BooleanField(validators=checks, **kwargs)
    checks.append(TextRules(question))
    checks += {
        Kind.EMAIL: [check_email],
        Kind.PHONE: [check_phone],
        Kind.URL: [check_url],
        Kind.NUMBER: [NumberRules(question)],
    }.get(kind, [])
    field_class = TextAreaField if kind == Kind.TEXTAREA else StringField
    return field_class(validators=checks, filters=[strip], **kwargs)


def started_serializer(app: Flask | None = None) -> URLSafeSerializer:
    """One per app (the current one by default): building it derives keys, and every form
    page needs it."""
    app = app or current_app
    serializer = app.extensions.get("surveys.started_serializer")
    if serializer is None:
        serializer = URLSafeSerializer(app.secret_key, salt="surveys.form-started")
        app.extensions["surveys.started_serializer"] = serializer
    return serializer


def new_stamp(serializer: URLSafeSerializer | None = None) -> str:
    """The signed time a form was served (for the minimum fill time)."""
    return (serializer or started_serializer()).dumps(int(time.time()))


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
            served_at = int(started_serializer().loads(self.started.data or ""))
        except (BadSignature, ValueError, TypeError):
            return "missing-timestamp"
        if time.time() - served_at < current_app.config["MIN_FILL_SECONDS"]:
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

    def consents(self) -> dict[str, str]:
        """{question code: consent text version} for every consent the person gave."""
        answers = self.answers()
        return {
            q.code: q.consent_version
            for q in self.definition.questions
            if q.consent_version and answers.get(q.code) is True
        }

    def answers(self) -> dict[str, Any]:
        """The validated answers as stable codes and normalised values, in question order;
        empty answers and answers whose condition does not hold are left out."""
        raw = self.raw_answers()
        answers: dict[str, Any] = {}
        for q in self.definition.questions:
            value = raw[q.code]
            if is_empty(value) or not q.applies(raw):
                continue
            if q.kind == Kind.EMAIL:
                value = values.normalise_email(value)
            elif q.kind == Kind.PHONE:
                value = values.normalise_phone(value)
            elif q.kind == Kind.URL:
                value = values.normalise_url(value)
            elif q.kind == Kind.NUMBER:
                value = int(number_text(value))
            elif q.kind == Kind.MULTIPLE:
                value = [code for code in q.choice_codes if code in value]
            elif q.kind == Kind.CONSENT:
                value = True
            answers[q.code] = value
        return answers


@cache
def form_class(definition: FormDefinition) -> type[PublicForm]:
    fields = {q.code: make_field(q) for q in definition.questions}
    name = "".join(part.title() for part in definition.code.split("_")) + "Form"
    return type(name, (PublicForm,), {"definition": definition, **fields})


def log_bot(definition: FormDefinition, reason: str) -> None:
    log.info("bot submission discarded form=%s reason=%s", definition.code, reason)
