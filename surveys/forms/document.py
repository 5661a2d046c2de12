"""A form as data: the document that a published version stores, and the definition the
engine builds from it.

A document is plain JSON (what ``seeds/*.toml`` hold, what the editor writes): the form's
texts, and its questions in order, each with a stable code, a type, its texts, its choices
(stable codes too), whether it is required, its condition and its limits. Every text is a
mapping ``{"fr": …, "en": …, "uk": …}``, or one string for a name that is the same in every
language ("WhatsApp", "Namur"). ``definition_of`` turns a document into the ``FormDefinition``
that the engine, the templates, the summaries and the exports read; its texts are ``Text``
objects, shown in the language of the page that prints them.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from .definition import AnyAnswered, Choice, Condition, FormDefinition, Includes, Kind, Question

# The form's own texts (the public page, its thank-you page, the home page's card, the names
# staff know it by, and what the privacy notice says its answers are for); every other text
# belongs to a question.
FORM_TEXTS = (
    "name",
    "short_name",
    "title",
    "lead",
    "intro",
    "submit_label",
    "card_title",
    "card_text",
    "thanks_lead",
    "thanks_more",
    "again_label",
    "privacy_purpose",
)
QUESTION_TEXTS = ("label", "hint", "required_message", "low_label", "high_label")
QUESTION_SETTINGS = (
    "max_length",
    "min_value",
    "max_value",
    "autocomplete",
    "counter",
    "follow_up",
    "consent_version",
    "header_safe",
    "only_if",
    "special_category",
)
# Conditions a question's "shown and required only if" may name outside the answers: the
# setting of the training whose page shows the sign-up form.
CONTEXT_CONDITIONS = ("every_date_required",)


def current_language() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else DEFAULT_LANGUAGE


class Text:
    """A text in each language, shown in the current one (``str``, or in a template).

    ``fallbacks`` maps a language whose text staff chose not to write to the language shown
    instead (``{"uk": "fr"}``); ``language_shown`` says which one a page shows, so that the
    element can carry its own ``lang`` attribute."""

    __slots__ = ("fallbacks", "values")

    def __init__(self, value: str | Mapping[str, str], fallbacks: Mapping[str, str] | None = None):
        if isinstance(value, str):
            self.values = dict.fromkeys(LANGUAGES, value)
        else:
            self.values = {lang: value[lang] for lang in LANGUAGES if value.get(lang)}
        self.fallbacks = dict(fallbacks or {})

    def language_shown(self, lang: str) -> str:
        if lang in self.values:
            return lang
        fallback = self.fallbacks.get(lang)
        if fallback in self.values:
            return fallback
        return next((other for other in LANGUAGES if other in self.values), lang)

    def in_language(self, lang: str) -> str:
        return self.values.get(self.language_shown(lang), "")

    def __str__(self) -> str:
        return self.in_language(current_language())

    def __html__(self) -> Markup:
        """In a page: the text, inside its own ``lang`` when staff chose to show another
        language's text here (screen readers then read it in the right voice). Where an
        element can hold no markup (<title>, <option>), print ``str`` of it."""
        lang = current_language()
        shown = self.language_shown(lang)
        text = self.values.get(shown, "")
        if shown == lang:
            return escape(text)
        return Markup('<span lang="{}">{}</span>').format(shown, text)

    def __bool__(self) -> bool:
        return bool(self.values)

    def __eq__(self, other) -> bool:
        if isinstance(other, Text):
            return self.values == other.values
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values.items())))

    def __repr__(self) -> str:
        return f"Text({self.values!r})"


def text_of(value, fallbacks: Mapping[str, str]) -> Text | None:
    return None if value is None else Text(value, fallbacks)


def condition_of(data: Mapping[str, Any] | None) -> Condition | None:
    if not data:
        return None
    if "any_answered" in data:
        return AnyAnswered(tuple(data["any_answered"]))
    return Includes(data["question"], tuple(data["includes"]))


def question_of(data: Mapping[str, Any], fallbacks: Mapping[str, str]) -> Question:
    texts = {name: text_of(data.get(name), fallbacks) for name in QUESTION_TEXTS}
    settings = {name: data[name] for name in QUESTION_SETTINGS if name in data}
    choices = tuple(
        Choice(
            choice["code"],
            Text(choice["label"], fallbacks),
            exclusive=choice.get("exclusive", False),
            hidden=choice.get("hidden", False),
        )
        for choice in data.get("choices", ())
    )
    return Question(
        data["code"],
        Kind(data["type"]),
        required=data.get("required", False),
        required_if=condition_of(data.get("required_if")),
        choices=choices,
        **texts,
        **settings,
    )


def definition_of(
    code: str,
    version: int,
    document: Mapping[str, Any],
    context: Mapping[str, bool] | None = None,
    *,
    version_id: int | None = None,
) -> FormDefinition:
    """The definition of version ``version`` of form ``code``. ``context``: the settings a
    question's ``only_if`` may name (a training's); a question whose setting is not on is
    left out (without a context, every question is kept: summaries and exports)."""
    fallbacks = document.get("fallbacks", {})
    questions = tuple(
        question_of(data, fallbacks)
        for data in document["questions"]
        if context is None or not data.get("only_if") or context.get(data["only_if"])
    )
    return FormDefinition(
        code=code,
        version=version,
        version_id=version_id,
        questions=questions,
        email_question=document.get("email_question"),
        phone_question=document.get("phone_question"),
        texts={name: Text(document[name], fallbacks) for name in FORM_TEXTS if document.get(name)},
    )


def texts_in(document: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every text of a document, with where it is ("topics.label", "topics.choices.other")."""
    for name in FORM_TEXTS:
        if name in document:
            yield name, document[name]
    for question in document.get("questions", ()):
        for name in QUESTION_TEXTS:
            if name in question:
                yield f"{question['code']}.{name}", question[name]
        for choice in question.get("choices", ()):
            yield f"{question['code']}.choices.{choice['code']}", choice["label"]


def missing_translations(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(where, language) of every text that is empty in a language and not shown in another
    one by the document's explicit choice (``fallbacks``)."""
    fallbacks = document.get("fallbacks", {})
    missing = []
    for where, value in texts_in(document):
        if isinstance(value, str):
            if not value.strip():
                missing += [(where, lang) for lang in LANGUAGES]
            continue
        for lang in LANGUAGES:
            if not (value.get(lang) or "").strip() and lang not in fallbacks:
                missing.append((where, lang))
    return missing


def question_name(question: Mapping[str, Any]) -> str:
    """How a problem names a question: its text in the current language, as staff see it in
    the editor, or its code while it has no text."""
    label = question.get("label")
    return str(Text(label)) if label else question["code"]


def problems(document: Mapping[str, Any]) -> list[str]:
    """What makes a document unusable as a form, in plain words in the current language
    (empty when none): no question, unknown types, codes repeated, conditions on questions
    or choices that do not exist. (Texts missing in a language: ``missing_translations``.)"""
    found = []
    questions = document.get("questions") or []
    if not questions:
        found.append(_("The form has no question yet."))
    codes = [q.get("code") for q in questions]
    for code in sorted({c for c in codes if codes.count(c) > 1}, key=str):
        found.append(_("The code %(code)s is used by two questions.", code=code))
    by_code = {q.get("code"): q for q in questions}
    for question in questions:
        if not question.get("code"):
            found.append(_("A question has no code."))
            continue
        name = question_name(question)
        if question.get("type") not in {kind.value for kind in Kind}:
            found.append(
                _("%(question)s: unknown type %(type)s.", question=name, type=question.get("type"))
            )
            continue
        if not question.get("label"):
            found.append(_("%(question)s: the question has no text.", question=name))
        choice_codes = [c.get("code") for c in question.get("choices", ())]
        for repeated in sorted({c for c in choice_codes if choice_codes.count(c) > 1}, key=str):
            found.append(
                _(
                    "%(question)s: the choice code %(code)s is used twice.",
                    question=name,
                    code=repeated,
                )
            )
        has_choices = Kind(question["type"]) in (Kind.SINGLE, Kind.SELECT, Kind.MULTIPLE)
        if has_choices and not choice_codes:
            found.append(_("%(question)s: add at least one choice.", question=name))
        condition = question.get("required_if")
        unknown_question = _(
            "%(question)s: its condition names a question that is not in the form.", question=name
        )
        if condition and "any_answered" in condition:
            if any(other not in by_code for other in condition["any_answered"]):
                found.append(unknown_question)
        elif condition:
            target = by_code.get(condition.get("question"))
            if target is None:
                found.append(unknown_question)
            else:
                known = {c.get("code") for c in target.get("choices", ())}
                if not condition.get("includes") or any(
                    choice not in known for choice in condition["includes"]
                ):
                    found.append(
                        _(
                            "%(question)s: its condition needs one or more choices of the "
                            "question it depends on.",
                            question=name,
                        )
                    )
        if question.get("only_if") and question["only_if"] not in CONTEXT_CONDITIONS:
            found.append(
                _(
                    "%(question)s: unknown setting %(setting)s.",
                    question=name,
                    setting=question["only_if"],
                )
            )
    for name in ("email_question", "phone_question"):
        if document.get(name) and document[name] not in by_code:
            found.append(
                _("The contact question %(code)s is not in the form.", code=document[name])
            )
    return found


def merged(documents: list[Mapping[str, Any]]) -> dict[str, Any]:
    """One document that reads the answers of every version (``documents``, newest first):
    the newest version's questions, texts and choices, plus each question and choice that
    only earlier versions had — a question where it stood (after the question before it),
    a choice after the others, hidden (it is no longer offered). Answers are lined up by
    these codes, which are never reused for another meaning."""
    newest, *older = documents
    result = dict(newest)
    questions = [dict(q, choices=list(q.get("choices", ()))) for q in newest["questions"]]
    for document in older:
        by_code = {q["code"]: q for q in questions}
        previous_code = None
        for question in document["questions"]:
            kept = by_code.get(question["code"])
            if kept is None:
                kept = dict(question, choices=list(question.get("choices", ())))
                codes = [q["code"] for q in questions]
                at = codes.index(previous_code) + 1 if previous_code in codes else 0
                questions.insert(at, kept)
                by_code[kept["code"]] = kept
            else:
                known = {choice["code"] for choice in kept["choices"]}
                kept["choices"] += [
                    dict(choice, hidden=True)
                    for choice in question.get("choices", ())
                    if choice["code"] not in known
                ]
            previous_code = question["code"]
    result["questions"] = [
        {key: value for key, value in q.items() if key != "choices" or value} for q in questions
    ]
    return result
