"""The information-needs survey: what newcomers want to hear about, and through which channel."""

from flask_babel import lazy_gettext as _l

from .choices import COMMUNES_OR_ELSEWHERE, LANGUAGES
from .definition import AnyAnswered, Choice, FormDefinition, Includes, Kind, Question

CHANNELS = (
    Choice("whatsapp", "WhatsApp"),
    Choice("facebook", "Facebook"),
    Choice("instagram", "Instagram"),
    Choice("telegram", "Telegram"),
    Choice("viber", "Viber"),
    Choice("signal", "Signal"),
    Choice("tiktok", "TikTok"),
    Choice("email", _l("E-mail")),
    Choice("sms", _l("Text message (SMS)")),
    Choice("website", _l("A website")),
    Choice("paper", _l("Paper leaflets and posters")),
    Choice("in_person", _l("In person, at a service or association")),
    Choice("other", _l("Another channel")),
)

SURVEY = FormDefinition(
    code="survey",
    version=1,
    email_question="contact_email",
    phone_question="contact_phone",
    questions=(
        Question(
            "topics",
            Kind.MULTIPLE,
            _l("What would you like to receive information about?"),
            hint=_l("Tick all that interest you."),
            required=True,
            choices=(
                Choice("french_courses", _l("French courses")),
                Choice("training_jobs", _l("Training and job search")),
                Choice("culture_leisure", _l("Cultural and leisure activities")),
                Choice("service_changes", _l("New addresses or opening hours of services")),
                Choice("new_services", _l("New services")),
                Choice("residence_rights", _l("Residence permits and legal rights")),
                Choice("health", _l("Health")),
                Choice("housing", _l("Housing")),
                Choice("school", _l("Children's school")),
                Choice("citizenship", _l("Citizenship and elections")),
                Choice("other", _l("Something else")),
            ),
        ),
        Question(
            "topics_other",
            Kind.TEXT,
            _l("If something else: what?"),
            required_if=Includes("topics", ("other",)),
            follow_up=True,
        ),
        Question(
            "channels",
            Kind.MULTIPLE,
            _l("Which of these do you use?"),
            hint=_l("Tick all that you use."),
            required=True,
            choices=CHANNELS,
        ),
        Question(
            "channels_other",
            Kind.TEXT,
            _l("If another channel: which one?"),
            required_if=Includes("channels", ("other",)),
            follow_up=True,
        ),
        Question(
            "preferred_channel",
            Kind.SINGLE,
            _l("Which one channel would you most like us to use to reach you?"),
            required=True,
            choices=CHANNELS,
        ),
        Question(
            "preferred_channel_other",
            Kind.TEXT,
            _l("If another channel: which one do you prefer?"),
            required_if=Includes("preferred_channel", ("other",)),
            follow_up=True,
        ),
        Question(
            "frequency",
            Kind.SINGLE,
            _l("How often would you like to receive news?"),
            required=True,
            choices=(
                Choice("as_it_comes", _l("As soon as there is something new")),
                Choice("weekly", _l("Once a week")),
                Choice("monthly", _l("Once a month")),
                Choice("important_only", _l("Only for important news")),
            ),
        ),
        Question(
            "languages",
            Kind.MULTIPLE,
            _l("In which languages can you read comfortably?"),
            hint=_l("Tick all that apply."),
            required=True,
            choices=LANGUAGES,
        ),
        Question(
            "languages_other",
            Kind.TEXT,
            _l("If another language: which one?"),
            required_if=Includes("languages", ("other",)),
            follow_up=True,
        ),
        Question(
            "commune",
            Kind.SELECT,
            _l("Which commune do you live in?"),
            required=True,
            choices=COMMUNES_OR_ELSEWHERE,
        ),
        Question(
            "time_in_belgium",
            Kind.SINGLE,
            _l("How long have you been living in Belgium?"),
            required=True,
            choices=(
                Choice("under_3_months", _l("Less than 3 months")),
                Choice("3_to_12_months", _l("3 to 12 months")),
                Choice("1_to_2_years", _l("1 to 2 years")),
                Choice("2_to_5_years", _l("2 to 5 years")),
                Choice("over_5_years", _l("More than 5 years")),
            ),
        ),
        Question(
            "age_range",
            Kind.SINGLE,
            _l("How old are you?"),
            choices=(
                Choice("under_18", _l("Under 18")),
                Choice("18_25", _l("18 to 25")),
                Choice("26_35", _l("26 to 35")),
                Choice("36_50", _l("36 to 50")),
                Choice("51_65", _l("51 to 65")),
                Choice("over_65", _l("Over 65")),
            ),
        ),
        Question(
            "smartphone",
            Kind.SINGLE,
            _l("Do you have a smartphone?"),
            required=True,
            choices=(
                Choice("own", _l("Yes, my own")),
                Choice("shared", _l("Yes, shared with someone else")),
                Choice("none", _l("No")),
            ),
        ),
        Question(
            "internet_access",
            Kind.MULTIPLE,
            _l("How do you get on the internet?"),
            hint=_l("Tick all that apply."),
            required=True,
            choices=(
                Choice("home", _l("Internet at home (Wi-Fi)")),
                Choice("mobile_data", _l("Mobile data on my phone")),
                Choice("public_wifi", _l("Free Wi-Fi in public places (library, association…)")),
                Choice("none", _l("I have no internet access"), exclusive=True),
            ),
        ),
        Question(
            "contact_email",
            Kind.EMAIL,
            _l("Your e-mail address"),
            hint=_l("Only if you want to receive information from us. Otherwise leave it empty."),
            autocomplete="email",
        ),
        Question(
            "contact_phone",
            Kind.PHONE,
            _l("Your phone number (WhatsApp, Signal, Telegram, SMS…)"),
            hint=_l(
                "Only if you want to receive information from us. A number from another "
                "country needs its code, for example +380."
            ),
            autocomplete="tel",
            max_length=32,
        ),
        Question(
            "contact_consent",
            Kind.CONSENT,
            _l(
                "I agree that the centre keeps my contact details to send me information. "
                "I can ask at any time for them to be deleted."
            ),
            required_if=AnyAnswered(("contact_email", "contact_phone")),
            required_message=_l(
                "To receive information, tick this box. Otherwise, empty the contact fields."
            ),
            consent_version="survey-contact-2026-11",
        ),
        Question(
            "comment",
            Kind.TEXTAREA,
            _l("Anything else you would like to tell us?"),
            max_length=2000,
        ),
    ),
)
