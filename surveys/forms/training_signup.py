"""The sign-up form for one training. Two variants: with or without the pledge to attend
every date, which only trainings that require it ask for."""

from flask_babel import lazy_gettext as _l

from .choices import COMMUNES_OR_ELSEWHERE
from .definition import Choice, FormDefinition, Includes, Kind, Question

COMMON_QUESTIONS = (
    Question(
        "last_name",
        Kind.TEXT,
        _l("Last name"),
        required=True,
        max_length=100,
        autocomplete="family-name",
        header_safe=True,
    ),
    Question(
        "first_name",
        Kind.TEXT,
        _l("First name"),
        required=True,
        max_length=100,
        autocomplete="given-name",
        header_safe=True,
    ),
    Question(
        "email",
        Kind.EMAIL,
        _l("E-mail address"),
        required=True,
        hint=_l("We send the confirmation here."),
        autocomplete="email",
    ),
    Question(
        "phone",
        Kind.PHONE,
        _l("Phone number"),
        autocomplete="tel",
        max_length=32,
        hint=_l("In case of a last-minute change."),
    ),
    Question(
        "organisation_kind",
        Kind.SINGLE,
        _l("You come from"),
        required=True,
        choices=(
            Choice("ili", _l("An ILI (local integration initiative)")),
            Choice("association", _l("Another association")),
            Choice("public_service", _l("A public service (CPAS, commune…)")),
            Choice("none", _l("No organisation")),
        ),
    ),
    Question(
        "organisation",
        Kind.TEXT,
        _l("Name of your organisation"),
        required_if=Includes("organisation_kind", ("ili", "association", "public_service")),
        autocomplete="organization",
        follow_up=True,
    ),
    Question(
        "role",
        Kind.SINGLE,
        _l("You take part as"),
        required=True,
        choices=(
            Choice("professional", _l("A professional")),
            Choice("volunteer", _l("A volunteer")),
            Choice("citizen", _l("A citizen")),
        ),
    ),
    Question(
        "commune",
        Kind.SELECT,
        _l("Commune where you work or live"),
        required=True,
        choices=COMMUNES_OR_ELSEWHERE,
    ),
    Question(
        "heard_from",
        Kind.SINGLE,
        _l("How did you hear about this training?"),
        choices=(
            Choice("centre_website", _l("The centre's website")),
            Choice("newsletter", _l("The centre's newsletter")),
            Choice("social_networks", _l("Social networks")),
            Choice("colleague", _l("A colleague or a friend")),
            Choice("network_meeting", _l("A network meeting")),
            Choice("other", _l("Another way")),
        ),
    ),
    Question(
        "heard_from_other",
        Kind.TEXT,
        _l("If another way: which one?"),
        required_if=Includes("heard_from", ("other",)),
        follow_up=True,
    ),
    Question(
        "accessibility_needs",
        Kind.TEXTAREA,
        _l("Accessibility needs"),
        hint=_l("For example: wheelchair access, sign language, large print."),
        max_length=500,
    ),
    Question(
        "dietary_needs",
        Kind.TEXT,
        _l("Dietary needs"),
        hint=_l("For example: vegetarian, no pork, allergies."),
        max_length=200,
    ),
    Question("remark", Kind.TEXTAREA, _l("A remark or a question"), max_length=1000),
    Question(
        "consent",
        Kind.CONSENT,
        _l(
            "I agree that the centre processes these data to manage my registration, "
            "as described in the privacy notice."
        ),
        required=True,
        consent_version="training-registration-2026-11",
    ),
)

ATTEND_ALL = Question(
    "attend_all",
    Kind.CONSENT,
    _l("I will attend every date of this training."),
    required=True,
    required_message=_l("This training must be followed in full: tick this box to sign up."),
)

SIGNUP = FormDefinition(
    code="training_signup",
    version=1,
    email_question="email",
    phone_question="phone",
    questions=COMMON_QUESTIONS,
)
SIGNUP_EVERY_DATE = FormDefinition(
    code="training_signup",
    version=1,
    email_question="email",
    phone_question="phone",
    questions=(*COMMON_QUESTIONS[:-1], ATTEND_ALL, COMMON_QUESTIONS[-1]),
)


def signup_definition(every_date_required: bool) -> FormDefinition:
    return SIGNUP_EVERY_DATE if every_date_required else SIGNUP
