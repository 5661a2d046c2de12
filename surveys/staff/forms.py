"""Forms of the staff dashboard. Every message is ours, in the staff member's language."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..extensions import db
from ..forms.values import InvalidValue, fits_in_header, normalise_email
from ..i18n import ENDONYMS, LANGUAGES
from ..models import MessageAudience, Training
from ..services.training_admin import SESSION_TOPIC, SLUG, TEXT_FIELDS, parse_session_line


def status_of(form: FlaskForm, otherwise: int = 200) -> int:
    """400 when a form comes back because its token expired (the page says so), else
    ``otherwise``."""
    return 400 if form.csrf_token.errors else otherwise


class LoginForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=1024)],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("The 6 digits your app shows now, or one of your recovery codes."),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=32)],
        # The phone offers the code it received; letters are allowed (recovery codes).
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"},
    )


class PasswordForm(FlaskForm):
    current = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Please fill in this field."))]
    )
    new = PasswordField(
        _l("New password"), validators=[InputRequired(_l("Please fill in this field."))]
    )
    repeat = PasswordField(
        _l("New password again"), validators=[InputRequired(_l("Please fill in this field."))]
    )

    def validate_repeat(self, field):
        if field.data != self.new.data:
            raise ValidationError(_("The two new passwords are not the same."))


class ConfirmForm(FlaskForm):
    """A button that needs a CSRF token, for deletions and other irreversible actions."""


class PersonSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET); exporting and erasing are separate POSTs

    q = StringField(
        _l("E-mail address or phone number"),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=254)],
    )


def one_line_title(form, field):
    """A title is the subject of every e-mail about the training."""
    if field.data and not fits_in_header(field.data):
        raise ValidationError(_("Write the title on one line, without “=?” or “?=”."))


class TrainingForm(FlaskForm):
    slug = StringField(
        _l("Address (slug)"),
        description=_l("Lower-case letters, digits and hyphens; part of the public link."),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=80)],
    )
    title_fr = StringField(
        _l("Title in French"),
        validators=[
            InputRequired(_l("Please fill in this field.")),
            Length(max=200),
            one_line_title,
        ],
    )
    title_en = StringField(
        _l("Title in English"), validators=[Optional(), Length(max=200), one_line_title]
    )
    title_uk = StringField(
        _l("Title in Ukrainian"), validators=[Optional(), Length(max=200), one_line_title]
    )
    description_fr = TextAreaField(_l("Description in French"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=5000)])
    description_uk = TextAreaField(_l("Description in Ukrainian"), validators=[Length(max=5000)])
    programme_fr = TextAreaField(_l("Programme in French"), validators=[Length(max=5000)])
    programme_en = TextAreaField(_l("Programme in English"), validators=[Length(max=5000)])
    programme_uk = TextAreaField(_l("Programme in Ukrainian"), validators=[Length(max=5000)])
    objectives_fr = TextAreaField(_l("Objectives in French"), validators=[Length(max=5000)])
    objectives_en = TextAreaField(_l("Objectives in English"), validators=[Length(max=5000)])
    objectives_uk = TextAreaField(_l("Objectives in Ukrainian"), validators=[Length(max=5000)])
    audience_fr = StringField(_l("Audience in French"), validators=[Length(max=300)])
    audience_en = StringField(_l("Audience in English"), validators=[Length(max=300)])
    audience_uk = StringField(_l("Audience in Ukrainian"), validators=[Length(max=300)])
    trainer = StringField(
        _l("Trainer"),
        description=_l("The person who gives the training."),
        validators=[Length(max=200)],
    )
    trainer_organisation = StringField(_l("Trainer's organisation"), validators=[Length(max=200)])
    capacity = IntegerField(
        _l("Seats"),
        description=_l("Leave empty for no limit."),
        validators=[
            Optional(),
            NumberRange(min=1, max=100000, message=_l("Enter a number of seats of at least 1.")),
        ],
    )
    registration_deadline = DateField(_l("Registration deadline"), validators=[Optional()])
    every_date_required = BooleanField(_l("Participants must attend every session"))
    reminder_days = IntegerField(
        _l("Reminder e-mail, days before the first session"),
        description=_l("Sent to every confirmed person, with the calendar file. 0: no reminder."),
        default=2,
        validators=[
            InputRequired(_l("Please fill in this field.")),
            NumberRange(min=0, max=60, message=_l("Enter a number of days from 0 to 60.")),
        ],
    )
    sessions = TextAreaField(
        _l("Sessions"),
        description=_l(
            "One session per line: date, start and end time, place. For example: "
            "2027-09-03 09:30-16:30 Namur, rue de Bruxelles 20. Under a session, lines "
            "starting with fr:, en: or uk: give its part of the programme in that language, "
            "for example: en: Day 2 — protection statuses"
        ),
        validators=[InputRequired(_l("Please fill in this field."))],
    )

    def __init__(self, *args, existing_slug: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_slug = existing_slug

    def validate_slug(self, field):
        if not SLUG.match(field.data or ""):
            raise ValidationError(_("Use lower-case letters, digits and hyphens only."))
        if field.data != self.existing_slug and db.session.scalar(
            select(Training.id).where(Training.slug == field.data)
        ):
            raise ValidationError(_("Another training already uses this address."))

    def validate_sessions(self, field):
        self.parsed_sessions = []
        lines = [t for t in (field.data or "").splitlines() if t.strip()]
        for number, line in enumerate(lines, start=1):
            topic = SESSION_TOPIC.match(line)
            if topic and not self.parsed_sessions:
                raise ValidationError(
                    _(
                        "Line %(line)d: write the session's line first, then its programme.",
                        line=number,
                    )
                )
            if topic:
                self.parsed_sessions[-1].topic[topic["lang"]] = topic["text"].strip()
                continue
            try:
                self.parsed_sessions.append(parse_session_line(line))
            except ValueError:
                raise ValidationError(
                    _(
                        "Line %(line)d: write the date, the start and end times and the place, "
                        "for example 2027-09-03 09:30-16:30 Namur.",
                        line=number,
                    )
                ) from None
        for spec in self.parsed_sessions:
            if spec.end <= spec.start:
                raise ValidationError(
                    _("A date ends before it starts: %(date)s.", date=spec.date.isoformat())
                )
        if not self.parsed_sessions:
            raise ValidationError(_("Please fill in this field."))

    def texts(self) -> dict[str, dict[str, str]]:
        return {
            name: {
                lang: (getattr(self, f"{name}_{lang}").data or "").strip()
                for lang in ("fr", "en", "uk")
            }
            for name in TEXT_FIELDS
        }

    @staticmethod
    def sessions_text(sessions) -> str:
        lines = []
        for s in sessions:
            lines.append(f"{s.date.isoformat()} {s.start_time:%H:%M}-{s.end_time:%H:%M} {s.place}")
            topic = s.topic or {}
            lines += [f"  {lang}: {topic[lang]}" for lang in LANGUAGES if topic.get(lang)]
        return "\n".join(line.rstrip() for line in lines)


class DuplicateForm(FlaskForm):
    slug = StringField(
        _l("Address (slug) of the copy"),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=80)],
    )

    def validate_slug(self, field):
        TrainingForm.validate_slug(self, field)

    existing_slug = None


def one_line_subject(form, field):
    """A subject is an e-mail header: one line, no encoded word."""
    if field.data and not fits_in_header(field.data):
        raise ValidationError(_("Write the subject on one line, without “=?” or “?=”."))


# Who a message to registrants goes to, as staff read it (the form and the list of messages).
AUDIENCE_LABELS = {
    MessageAudience.CONFIRMED: _l("The confirmed people"),
    MessageAudience.WAITLISTED: _l("The people on the waiting list"),
    MessageAudience.BOTH: _l("Both"),
}


class RegistrantMessageForm(FlaskForm):
    """A message to a training's registrants: written once in each language that its
    readers signed up in (the view says which), sent after a preview."""

    audience = RadioField(
        _l("Recipients"),
        choices=[SelectChoice(value.value, label) for value, label in AUDIENCE_LABELS.items()],
        default=MessageAudience.CONFIRMED.value,
        validators=[InputRequired(_l("Choose who receives the message."))],
    )
    subject_fr = StringField(
        _l("Subject in French"), validators=[Length(max=150), one_line_subject]
    )
    subject_en = StringField(
        _l("Subject in English"), validators=[Length(max=150), one_line_subject]
    )
    subject_uk = StringField(
        _l("Subject in Ukrainian"), validators=[Length(max=150), one_line_subject]
    )
    body_fr = TextAreaField(_l("Message in French"), validators=[Length(max=5000)])
    body_en = TextAreaField(_l("Message in English"), validators=[Length(max=5000)])
    body_uk = TextAreaField(_l("Message in Ukrainian"), validators=[Length(max=5000)])

    def texts(self, name: str) -> dict[str, str]:
        return {lang: getattr(self, f"{name}_{lang}").data or "" for lang in LANGUAGES}

    def flag_missing(self, missing: tuple[str, ...]) -> None:
        """Say under each empty box that some readers need it."""
        for lang in missing:
            for name in ("subject", "body"):
                field = getattr(self, f"{name}_{lang}")
                if not (field.data or "").strip():
                    field.errors = [
                        *field.errors,
                        _("Some of the people you write to read this language: write it."),
                    ]


def role_choices():
    return [
        SelectChoice("coordinator", _l("Coordinator: trainings, forms, answers and exports")),
        SelectChoice("reader", _l("Reader: summaries only, no personal data")),
        SelectChoice("administrator", _l("Administrator: everything, accounts and privacy tools")),
    ]


class AccountForm(FlaskForm):
    email = StringField(
        _l("E-mail address"),
        validators=[InputRequired(_l("Please fill in this field.")), Length(max=254)],
    )
    role = RadioField(
        _l("Role"), choices=role_choices(), default="coordinator", validators=[InputRequired()]
    )
    locale = RadioField(
        _l("Language of the dashboard"),
        choices=[SelectChoice(code, name) for code, name in ENDONYMS.items()],
        default="fr",
        validators=[InputRequired()],
    )

    def validate_email(self, field):
        try:
            field.data = normalise_email(field.data or "")
        except InvalidValue:
            raise ValidationError(_("Enter an e-mail address such as name@example.be.")) from None


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices(), validators=[InputRequired()])
