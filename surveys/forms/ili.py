"""The ILI valorisation form: an initiative describes an activity the centre should make known."""

from flask_babel import lazy_gettext as _l

from .choices import COMMUNES, LANGUAGES
from .definition import Choice, FormDefinition, Includes, Kind, Question

ILI = FormDefinition(
    code="ili",
    version=1,
    email_question="email",
    phone_question="phone",
    questions=(
        Question(
            "organisation",
            Kind.TEXT,
            _l("Name of the organisation"),
            required=True,
            autocomplete="organization",
        ),
        Question(
            "ili_status",
            Kind.SINGLE,
            _l("Is your organisation an ILI (local integration initiative)?"),
            required=True,
            choices=(
                Choice("approved", _l("Yes, approved")),
                Choice("pending", _l("Approval requested")),
                Choice("not_ili", _l("No")),
            ),
        ),
        Question(
            "communes",
            Kind.MULTIPLE,
            _l("Communes where you are active"),
            required=True,
            hint=_l("Tick all that apply."),
            choices=COMMUNES,
        ),
        Question(
            "contact_person",
            Kind.TEXT,
            _l("Contact person"),
            required=True,
            autocomplete="name",
            max_length=150,
        ),
        Question("email", Kind.EMAIL, _l("E-mail address"), required=True, autocomplete="email"),
        Question("phone", Kind.PHONE, _l("Phone number"), autocomplete="tel", max_length=32),
        Question(
            "website",
            Kind.URL,
            _l("Website"),
            hint=_l("For example www.example.be"),
            autocomplete="url",
            max_length=300,
        ),
        Question(
            "activity_kinds",
            Kind.MULTIPLE,
            _l("Kind of activity"),
            hint=_l("Tick all that apply."),
            required=True,
            choices=(
                Choice("fle", _l("French as a foreign language")),
                Choice("citizenship", _l("Citizenship")),
                Choice("socio_professional", _l("Socio-professional integration")),
                Choice("social_legal", _l("Social and legal support")),
                Choice("intercultural", _l("Intercultural activities")),
                Choice("homework", _l("Homework help")),
                Choice("leisure", _l("Leisure and conviviality")),
                Choice("other", _l("Something else")),
            ),
        ),
        Question(
            "activity_kinds_other",
            Kind.TEXT,
            _l("If something else: what?"),
            required_if=Includes("activity_kinds", ("other",)),
            follow_up=True,
        ),
        Question(
            "activity_title", Kind.TEXT, _l("Title of the activity"), required=True, max_length=150
        ),
        Question(
            "description",
            Kind.TEXTAREA,
            _l("Description of the activity"),
            hint=_l("What happens, where, with whom, and how to take part."),
            required=True,
            max_length=2000,
            counter=True,
        ),
        Question(
            "audience",
            Kind.TEXT,
            _l("Who is the activity for?"),
            required=True,
            hint=_l("For example: adults who are starting to learn French."),
            max_length=300,
        ),
        Question(
            "schedule",
            Kind.TEXT,
            _l("When does it take place?"),
            hint=_l("For example: every Tuesday, 14:00 to 16:00, except school holidays."),
            max_length=300,
        ),
        Question(
            "languages_used",
            Kind.MULTIPLE,
            _l("Languages used in the activity"),
            hint=_l("Tick all that apply."),
            choices=LANGUAGES,
        ),
        Question(
            "languages_used_other",
            Kind.TEXT,
            _l("If another language: which one?"),
            required_if=Includes("languages_used", ("other",)),
            follow_up=True,
        ),
        Question(
            "participants_per_year",
            Kind.NUMBER,
            _l("Participants per year (about)"),
            min_value=0,
            max_value=100_000,
            max_length=12,
        ),
        Question(
            "promotion",
            Kind.MULTIPLE,
            _l("How would you like the centre to make your activity known?"),
            hint=_l("Tick all that apply."),
            required=True,
            choices=(
                Choice("website", _l("On the centre's website")),
                Choice("newsletter", _l("In the centre's newsletter")),
                Choice("social_networks", _l("On the centre's social networks")),
                Choice("network_meetings", _l("At network meetings")),
            ),
        ),
        Question(
            "publication_consent",
            Kind.CONSENT,
            _l(
                "I agree that the centre publishes the description of this activity and the "
                "contact details of the organisation through the channels chosen above."
            ),
            required=True,
            consent_version="ili-publication-2026-11",
        ),
    ),
)
