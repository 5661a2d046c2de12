"""Each question type on its own: its field and widget, what it stores, its messages in the
three languages, its summary, its export columns and how staff read an answer back."""

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from surveys.extensions import db
from surveys.forms.definition import Choice, FormDefinition, Kind, Question
from surveys.forms.engine import form_class
from surveys.forms.types import TYPES
from surveys.models import Submission
from surveys.services.answers import Filters
from surveys.services.exports import AnswerColumns
from surveys.services.forms import current_version_id
from surveys.services.summaries import summarize
from surveys.staff.views import answer_text

LANGUAGES = ("fr", "en", "uk")
DEMO = FormDefinition(
    code="types_demo",
    version=1,
    questions=(
        Question(
            "channel",
            Kind.SINGLE,
            "Channel",
            choices=(Choice("sms", "SMS"), Choice("mail", "Mail")),
        ),
        Question(
            "town",
            Kind.SELECT,
            "Town",
            choices=(Choice("namur", "Namur"), Choice("ciney", "Ciney")),
        ),
        Question(
            "topics",
            Kind.MULTIPLE,
            "Topics",
            choices=(Choice("work", "Work"), Choice("home", "Home")),
        ),
        Question("name", Kind.TEXT, "Name"),
        Question("comment", Kind.TEXTAREA, "Comment"),
        Question("email", Kind.EMAIL, "E-mail"),
        Question("phone", Kind.PHONE, "Phone"),
        Question("site", Kind.URL, "Website"),
        Question("people", Kind.NUMBER, "People", min_value=1, max_value=500),
        Question("day", Kind.DATE, "Day"),
        Question("useful", Kind.SCALE, "Useful", low_label="Not at all", high_label="Very"),
        Question("agree", Kind.CONSENT, "I agree"),
    ),
)
REQUIRED = FormDefinition(
    code="types_required",
    version=1,
    questions=tuple(
        Question(q.code, q.kind, q.label, choices=q.choices, required=True) for q in DEMO.questions
    ),
)
GOOD = {
    "channel": "sms",
    "town": "ciney",
    "topics": ["home", "work"],
    "name": "  Olena  ",
    "comment": "Merci\r\npour tout",
    "email": "Olena@Example.BE",
    "phone": "0470 12 34 56",
    "site": "www.example.be",
    "people": "120",
    "day": "1/3/2027",
    "useful": "4",
    "agree": "y",
}
STORED = {
    "channel": "sms",
    "town": "ciney",
    "topics": ["work", "home"],  # in the definition's order
    "name": "Olena",
    "comment": "Merci\r\npour tout",
    "email": "olena@example.be",
    "phone": "+32470123456",
    "site": "https://www.example.be",
    "people": 120,
    "day": "2027-03-01",
    "useful": 4,
    "agree": True,
}


def posted(app, definition, data: dict, lang: str = "fr"):
    """The form as the engine builds it from a POST in ``lang``, validated."""
    context = app.test_request_context(
        f"/{lang}/survey",
        method="POST",
        data=MultiDict(
            [
                (k, v)
                for k, values in data.items()
                for v in (values if isinstance(values, list) else [values])
            ]
        ),
    )
    context.push()
    form = form_class(definition)(meta={"csrf": False})
    form.validate()
    return form, context


def errors_of(app, definition, data, lang="fr") -> dict[str, str]:
    form, context = posted(app, definition, data, lang)
    try:
        return {q.code: message for q, message in form.question_errors()}
    finally:
        context.pop()


def test_every_kind_has_its_type():
    assert set(TYPES) == set(Kind)


def test_each_type_stores_its_normalised_value(app):
    form, context = posted(app, DEMO, GOOD)
    try:
        assert form.question_errors() == []
        assert form.answers() == STORED
    finally:
        context.pop()


UNREADABLE = "This text contains characters that could not be read. Please type it again."
A_DATE = ("Enter a date, for example %(example)s.", {"example": "31/12/2026"})
FROM_THE_OPTIONS = ("Choose from the options offered.", {})


def message_in(app, lang: str, msgid: str, variables: dict) -> str:
    from flask_babel import gettext, ngettext

    with app.test_request_context(f"/{lang}/"):
        if "plural" in variables:
            variables = dict(variables)
            plural, number = variables.pop("plural"), variables.pop("n")
            return ngettext(msgid, plural, number, **variables)
        return gettext(msgid, **variables)


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("channel", "fax", FROM_THE_OPTIONS),
        ("topics", ["work", "cars"], FROM_THE_OPTIONS),
        (
            "name",
            "x" * 201,
            (
                "Use at most %(limit)s character (you typed %(typed)s).",
                {
                    "plural": "Use at most %(limit)s characters (you typed %(typed)s).",
                    "n": 200,
                    "limit": "200",
                    "typed": "201",
                },
            ),
        ),
        ("name", "Olena\nBcc: x@example.org", (UNREADABLE, {})),
        ("email", "olena@", ("Enter a valid e-mail address, for example name@example.be.", {})),
        (
            "people",
            "0",
            ("Enter a whole number between %(low)s and %(high)s.", {"low": "1", "high": "500"}),
        ),
        ("day", "31/02/2027", A_DATE),
        ("day", "soon", A_DATE),
        ("day", "1850-01-01", A_DATE),
        ("useful", "6", FROM_THE_OPTIONS),
        ("useful", "four", FROM_THE_OPTIONS),
    ],
)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_type_refuses_what_it_cannot_store_in_the_visitors_language(
    app, code, value, message, lang
):
    msgid, variables = message
    errors = errors_of(app, DEMO, {**GOOD, code: value}, lang)
    assert errors == {code: message_in(app, lang, msgid, variables)}
    if lang != "en":
        assert errors[code] != message_in(app, "en", msgid, variables)  # really translated


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_type_says_what_a_required_answer_needs(app, lang):
    from .support import translated

    errors = errors_of(app, REQUIRED, {}, lang)
    choose = translated(app, lang, "Choose an answer.")
    expected = {
        "channel": choose,
        "town": choose,
        "topics": translated(app, lang, "Choose at least one answer."),
        "useful": choose,
        "agree": translated(app, lang, "Tick this box to continue."),
    }
    fill = translated(app, lang, "Please fill in this field.")
    assert errors == {q.code: expected.get(q.code, fill) for q in REQUIRED.questions}


def test_dates_are_understood_as_typed_in_belgium_or_sent_by_a_date_picker(app):
    for typed in ("2027-03-01", "1/3/2027", "01.03.2027", "1-3-2027", " 01/03/2027 "):
        form, context = posted(app, DEMO, {"day": typed})
        try:
            assert form.answers() == {"day": "2027-03-01"}, typed
        finally:
            context.pop()


def test_each_widget_draws_its_input(app):
    template = (
        '{% from "macros/forms.html" import question with context %}'
        "{% for q in d.questions %}{{ question(form, q, d) }}{% endfor %}"
    )
    form, context = posted(app, DEMO, {**GOOD, "useful": "4"})
    try:
        html = render_template_string(template, form=form, d=DEMO)
    finally:
        context.pop()
    assert 'type="radio" id="q-channel-0" name="channel" value="sms" checked' in html
    assert '<option value="ciney" selected>' in html
    assert 'type="checkbox" id="q-topics-1" name="topics" value="home" checked' in html
    assert '<textarea id="q-comment"' in html
    assert 'type="email"' in html and 'type="tel"' in html and 'inputmode="url"' in html
    assert 'name="people" type="text" value="120" inputmode="numeric"' in html
    assert 'name="day" type="date" value="1/3/2027"' in html  # as typed, when shown again
    points = [f'name="useful" value="{n}"' for n in range(1, 6)]
    assert all(point in html for point in points) and 'name="useful" value="6"' not in html
    assert 'value="4" checked' in html
    assert '<span class="end">Not at all</span>' in html and '<span class="end">Very</span>' in html
    assert 'id="q-agree" name="agree" value="y" checked' in html


def test_summaries_count_choices_and_scale_points_and_keep_texts(app):
    with app.app_context():
        for number, answers in enumerate(
            [STORED, {**STORED, "useful": 5, "topics": ["home"]}, {"useful": 4, "comment": "Bien"}]
        ):
            db.session.add(
                Submission(
                    form=DEMO.code,
                    form_version=1,
                    version_id=current_version_id("survey"),
                    locale="uk" if number else "fr",
                    answers=answers,
                    submission_key=f"types-demo-{number:04d}-key",
                    consents={},
                )
            )
        db.session.commit()
    with app.test_request_context("/staff/"):
        summary = summarize(DEMO, Filters())
    by_code = {item.question.code: item for item in summary.questions}
    assert summary.respondents == 3
    useful = {option.code: option.count for option in by_code["useful"].options}
    assert useful == {1: 0, 2: 0, 3: 0, 4: 2, 5: 1}
    assert [str(o.label) for o in by_code["useful"].options][0::4] == ["1 — Not at all", "5 — Very"]
    assert {o.code: o.count for o in by_code["topics"].options} == {"work": 1, "home": 2}
    assert by_code["topics"].answered == 2
    assert [text for _, text in by_code["comment"].texts] == ["Bien"] + [
        "Merci\r\npour tout"
    ] * 2  # newest first
    assert by_code["name"].options == [] and by_code["name"].texts == []


def test_export_columns_of_each_type(app):
    with app.test_request_context("/staff/"):
        labels = AnswerColumns(DEMO, codes=False)
        codes = AnswerColumns(DEMO, codes=True)
        assert codes.headers == [
            "channel",
            "town",
            "topics.work",
            "topics.home",
            "name",
            "comment",
            "email",
            "phone",
            "site",
            "people",
            "day",
            "useful",
            "agree",
        ]
        assert labels.headers[2:4] == ["Topics — Work", "Topics — Home"]
        assert codes.values(STORED) == [
            "sms",
            "ciney",
            1,
            1,
            "Olena",
            "Merci\r\npour tout",
            "olena@example.be",
            "'+32470123456",  # typed, and starting with "+": neutralised
            "https://www.example.be",
            120,
            "2027-03-01",
            4,
            1,
        ]
        assert labels.values(STORED)[:2] == ["SMS", "Ciney"]
        empty = codes.values({})
        assert empty == [None, None, None, None, None, None, None, None, None, None, None, None, 0]
        assert codes.values({"name": "=HYPERLINK(1)"})[4] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("lang", "day", "useful", "people"),
    [
        ("fr", "1 mars 2027", "4 / 5", "1 200"),
        ("en", "1 Mar 2027", "4 / 5", "1,200"),
        ("uk", "1 бер. 2027 р.", "4 / 5", "1 200"),
    ],
)
def test_answers_read_back_in_the_staff_language(app, lang, day, useful, people):
    with app.test_request_context("/staff/"):
        from flask import session

        session["staff_lang"] = lang
        read = {
            q.code: answer_text(q, {**STORED, "people": 1200}.get(q.code)) for q in DEMO.questions
        }
    assert read["day"].replace("\u202f", " ") == day
    assert read["useful"] == useful
    assert read["people"].replace("\u202f", " ").replace("\xa0", " ") == people
    assert read["topics"] == "Work, Home" and read["channel"] == "SMS"
    assert read["agree"] != "True" and read["email"] == "olena@example.be"
