"""Question types: everything that depends on the kind of a question lives in its type.

A type owns, for its kind: the form field and its checks (messages in the visitor's
language), how a posted value is normalised into what is stored, which widget of the one
form macro draws it and with which input attributes, how its answers are summarised, which
export columns it gives and what goes in them, and how an answer reads back in the staff
language. Nothing outside this module asks which kind a question is: adding a type is adding
a class here and registering it in ``TYPES``.
"""

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from flask import current_app
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError

from ..dates import format_date
from . import values
from .definition import Kind, is_empty

if TYPE_CHECKING:
    from .definition import Question

# Control characters other than tab and line breaks: never typed by a person, and PostgreSQL
# refuses NUL in text. U+FFFD marks bytes that were not valid UTF-8.
UNREADABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
LINE_BREAK = re.compile(r"[\r\n\x85\u2028\u2029]")
# OWASP "CSV Injection": cells starting with these are read as formulas by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def number_text(value: str) -> str:
    """Digits as typed on any keyboard, without the spaces that group thousands."""
    return "".join(unicodedata.normalize("NFKC", value).split())


def strip(value):
    return value.strip() if isinstance(value, str) else value


def typed_cell(value: Any) -> Any:
    """A cell typed by a respondent, neutralised against formula injection."""
    if value.__class__ is str and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value  # None (empty) when not answered


class Requirement:
    """First check of every question: an empty answer is an error when the question is
    required (or its condition holds), and ends the checks quietly otherwise."""

    def __init__(self, question: "Question"):
        self.question = question

    def __call__(self, form, field):
        if not is_empty(field.data):
            return
        field.errors[:] = []
        if self.question.is_required(form.raw_answers()):
            raise StopValidation(self.question.type.required_message(self.question))
        raise StopValidation()


class QuestionType:
    kind: ClassVar[Kind]
    # The widget of templates/macros/forms.html that draws it.
    widget: ClassVar[str] = "input"
    input_type: ClassVar[str] = "text"
    inputmode: ClassVar[str | None] = None
    # Whether the question is a list of coded choices (the definition's ``choices``).
    has_choices: ClassVar[bool] = False
    # A default ``max_length`` for text the person types (None: no text limit).
    default_max_length: ClassVar[int | None] = None

    # The form

    def required_message(self, question: "Question") -> str:
        """The question's own message, or the type's (``missing_answer``)."""
        if question.required_message:
            return str(question.required_message)
        return self.missing_answer(question)

    def missing_answer(self, question: "Question") -> str:
        if question.follow_up:
            return _("Please say what you mean by “other”.")
        return _("Please fill in this field.")

    def checks(self, question: "Question") -> list[Callable]:
        """The checks after ``Requirement``; each raises with a message for the visitor."""
        return []

    def field(self, question: "Question") -> Field:
        validators = [Requirement(question), *self.checks(question)]
        return self.field_class(question)(
            label=question.label,
            description=question.hint or "",
            validators=validators,
            **self.field_options(question),
        )

    def field_class(self, question: "Question") -> type[Field]:
        return StringField

    def field_options(self, question: "Question") -> dict[str, Any]:
        return {"filters": [strip]}

    def normalise(self, question: "Question", value: Any) -> Any:
        """The value stored for a valid, non-empty answer."""
        return value

    # The page

    # Drawn as a group of inputs (radio buttons, check boxes): an error links to the first.
    input_group: ClassVar[bool] = False

    def anchor(self, question: "Question") -> str:
        """The id of the element an error message links to."""
        return f"q-{question.code}-0" if self.input_group else f"q-{question.code}"

    def shows_length_limit(self, question: "Question") -> bool:
        return False

    # The dashboard

    def summary_options(self, question: "Question") -> list[tuple[Any, Any]] | None:
        """(stored value, label) of what is counted in a summary, or None when answers are
        not counted per value."""
        return None

    def keeps_texts(self, question: "Question") -> bool:
        """Whether the summary lists the texts people wrote."""
        return question.follow_up

    def several_answers(self) -> bool:
        return False

    def export_headers(self, question: "Question", *, codes: bool) -> list[str]:
        return [question.code if codes else str(question.label)]

    # Whether ``export_cells`` gives a list of cells (one per header), not one cell.
    several_columns: ClassVar[bool] = False

    def export_cells(
        self, question: "Question", *, codes: bool, typed: Callable[[Any], Any] = typed_cell
    ) -> Callable[[Any], Any]:
        """A function from a stored value (None when not answered) to the question's cell
        (to its list of cells, for a type with ``several_columns``). ``typed`` makes a cell
        of what the person typed: neutralised for CSV, as it is for XLSX (a text cell)."""
        return typed

    def export_width(self, question: "Question", header: str) -> float:
        """How wide its column is in an XLSX export, in characters: the header's words,
        within bounds; the types that hold long texts say more."""
        return min(max(len(header) * 0.6, 12), 30)

    def text(self, question: "Question", value: Any) -> str:
        """A stored answer as staff read it, in their language."""
        return str(value)


class TextType(QuestionType):
    kind = Kind.TEXT
    default_max_length = 200

    def checks(self, question):
        return [TextRules(question)]

    def export_width(self, question, header):
        return 30


class TextareaType(TextType):
    kind = Kind.TEXTAREA
    widget = "textarea"
    default_max_length = 2000

    def field_class(self, question):
        return TextAreaField

    def shows_length_limit(self, question):
        return bool(question.max_length)

    def keeps_texts(self, question):
        return True

    def export_width(self, question, header):
        return 50  # wrapped: a paragraph reads in a tall cell


class EmailType(TextType):
    kind = Kind.EMAIL
    input_type = "email"
    default_max_length = 254

    def checks(self, question):
        return [TextRules(question), check_email]

    def normalise(self, question, value):
        return values.normalise_email(value)


class PhoneType(TextType):
    kind = Kind.PHONE
    input_type = "tel"
    default_max_length = 254

    def checks(self, question):
        return [TextRules(question), check_phone]

    def normalise(self, question, value):
        return values.normalise_phone(value)

    def text(self, question, value):
        return values.readable_phone(str(value))

    def export_cells(self, question, *, codes, typed=typed_cell):
        if codes:  # the stored form, +32470123456
            return typed

        def readable(value):
            return None if value is None else typed(values.readable_phone(str(value)))

        return readable

    def export_width(self, question, header):
        return 18


class UrlType(TextType):
    kind = Kind.URL
    input_type = "url"
    inputmode = "url"
    default_max_length = 254

    def checks(self, question):
        return [TextRules(question), check_url]

    def normalise(self, question, value):
        return values.normalise_url(value)


class NumberType(QuestionType):
    kind = Kind.NUMBER
    inputmode = "numeric"

    def checks(self, question):
        return [TextRules(question), NumberRules(question)]

    def normalise(self, question, value):
        return int(number_text(value))

    def text(self, question, value):
        return format_decimal(value)


class DateType(QuestionType):
    """A calendar date, stored as ISO 8601 (YYYY-MM-DD). Browsers with a date picker send
    that; others show a text box, where the Belgian day/month/year is understood too."""

    kind = Kind.DATE
    input_type = "date"
    EARLIEST = date(1900, 1, 1)
    LATEST = date(2100, 12, 31)

    def checks(self, question):
        return [TextRules(question), self.check_date]

    def check_date(self, form, field):
        try:
            parse_date(field.data, self.EARLIEST, self.LATEST)
        except ValueError:
            raise ValidationError(
                _("Enter a date, for example %(example)s.", example="31/12/2026")
            ) from None

    def normalise(self, question, value):
        return parse_date(value, self.EARLIEST, self.LATEST).isoformat()

    def text(self, question, value):
        try:
            return format_date(date.fromisoformat(value), "medium")
        except (TypeError, ValueError):
            return str(value)


class ChoiceType(QuestionType):
    has_choices = True

    def missing_answer(self, question):
        return _("Choose an answer.")

    def checks(self, question):
        return [ChoiceRules(question)]

    def field_options(self, question):
        # Choices are checked and drawn from the definition, not by WTForms.
        return {"validate_choice": False}

    def summary_options(self, question):
        return [(c.code, c.label) for c in question.choices]

    def keeps_texts(self, question):
        return False

    def export_cells(self, question, *, codes, typed=typed_cell):
        labels = {c.code: c.code if codes else str(c.label) for c in question.choices}
        return lambda value: None if value is None else labels.get(value, value)

    def export_width(self, question, header):
        longest = max((len(str(c.label)) for c in question.choices), default=10)
        return min(max(longest + 2, len(header) * 0.6, 12), 45)

    def text(self, question, value):
        return str(question.choice_label(value))


class SingleType(ChoiceType):
    kind = Kind.SINGLE
    widget = "choices"
    input_type = "radio"

    def field_class(self, question):
        return RadioField

    input_group = True


class SelectType(ChoiceType):
    kind = Kind.SELECT
    widget = "select"

    def field_class(self, question):
        return SelectField


class MultipleType(ChoiceType):
    kind = Kind.MULTIPLE
    widget = "choices"
    input_type = "checkbox"

    def missing_answer(self, question):
        return _("Choose at least one answer.")

    def field_class(self, question):
        return SelectMultipleField

    def normalise(self, question, value):
        return [code for code in question.choice_codes if code in value]

    input_group = True

    def several_answers(self):
        return True

    several_columns = True

    def export_headers(self, question, *, codes):
        label = str(question.label)
        return [
            f"{question.code}.{c.code}" if codes else f"{label} — {c.label}"
            for c in question.choices
        ]

    def export_width(self, question, header):
        return 12  # a 0 or a 1 under each option

    def export_cells(self, question, *, codes, typed=typed_cell):
        positions = {code: i for i, code in enumerate(question.choice_codes)}
        empty = [None] * len(positions)  # not answered: empty cells, not zeros

        def cells(value):
            if value is None:
                return empty
            ticks = [0] * len(positions)
            for option in value:
                if (position := positions.get(option)) is not None:
                    ticks[position] = 1
            return ticks

        return cells

    def text(self, question, value):
        return ", ".join(str(question.choice_label(code)) for code in value)


class ScaleType(QuestionType):
    """A point on a scale of whole numbers (1 to 5 unless the question says otherwise),
    with labelled ends; stored as the number."""

    kind = Kind.SCALE
    widget = "scale"
    input_type = "radio"

    def missing_answer(self, question):
        return _("Choose an answer.")

    def points(self, question) -> Sequence[int]:
        low, high = scale_range(question)
        return range(low, high + 1)

    def checks(self, question):
        return [self.check_point(question)]

    def check_point(self, question):
        allowed = {str(point) for point in self.points(question)}

        def check(form, field):
            if field.data not in allowed:
                raise StopValidation(_("Choose from the options offered."))

        return check

    def field_class(self, question):
        return RadioField

    def field_options(self, question):
        return {"validate_choice": False}

    def normalise(self, question, value):
        return int(value)

    input_group = True

    def summary_options(self, question):
        low, high = scale_range(question)
        return [(point, self.point_label(question, point)) for point in range(low, high + 1)]

    def point_label(self, question, point: int) -> str:
        low, high = scale_range(question)
        ends = {low: question.low_label, high: question.high_label}
        label = ends.get(point)
        return f"{point} — {label}" if label else str(point)

    def text(self, question, value):
        return f"{format_decimal(value)} / {format_decimal(scale_range(question)[1])}"


class ConsentType(QuestionType):
    """One box that must be ticked to count; stored as true."""

    kind = Kind.CONSENT
    widget = "consent"

    def missing_answer(self, question):
        return _("Tick this box to continue.")

    def field_class(self, question):
        return BooleanField

    def field_options(self, question):
        return {}

    def normalise(self, question, value):
        return True

    def export_cells(self, question, *, codes, typed=typed_cell):
        return lambda value: 1 if value else 0

    def text(self, question, value):
        return _("Yes")


TYPES: dict[Kind, QuestionType] = {
    kind_type.kind: kind_type()
    for kind_type in (
        SingleType,
        SelectType,
        MultipleType,
        TextType,
        TextareaType,
        EmailType,
        PhoneType,
        UrlType,
        NumberType,
        DateType,
        ScaleType,
        ConsentType,
    )
}


def type_of(kind: Kind) -> QuestionType:
    return TYPES[kind]


def scale_range(question: "Question") -> tuple[int, int]:
    low = 1 if question.min_value is None else question.min_value
    high = 5 if question.max_value is None else question.max_value
    return low, high


DATE_FORMATS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),  # ISO, as date pickers send
    re.compile(r"^(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})$"),  # 31/12/2026
)


def parse_date(text: str, earliest: date, latest: date) -> date:
    """A date typed as YYYY-MM-DD or day/month/year (with "/", "." or "-"); ValueError
    otherwise or outside [earliest, latest]."""
    text = number_text(text or "")
    for pattern in DATE_FORMATS:
        match = pattern.match(text)
        if match:
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            if not earliest <= day <= latest:
                raise ValueError(text)
            return day
    raise ValueError(text)


# Checks shared by several types


class TextRules:
    def __init__(self, question: "Question"):
        self.question = question

    def __call__(self, form, field):
        if not isinstance(field.data, str):
            return
        single_line = self.question.type.widget != "textarea"
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
    def __init__(self, question: "Question"):
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
    def __init__(self, question: "Question"):
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
