"""What the form editor does to a document: plain functions on the JSON a draft holds.

The staff views parse what was posted and call these; the forms service stores the draft.
Codes are made once (``services.forms.derive_code``) and never changed here: labels may be
reworded, a choice hidden, a question left out, but what answers store stays as it was.
"""

from collections.abc import Callable, Mapping
from typing import Any

from ..i18n import LANGUAGES
from .definition import Kind
from .document import FORM_TEXTS

CHOICE_KINDS = {Kind.SINGLE.value, Kind.SELECT.value, Kind.MULTIPLE.value}
# The texts a question of each kind has, besides its label and hint.
EXTRA_TEXTS = {Kind.SCALE.value: ("low_label", "high_label")}
LIMITS = {
    Kind.TEXT.value: ("max_length",),
    Kind.TEXTAREA.value: ("max_length",),
    Kind.NUMBER.value: ("min_value", "max_value"),
    Kind.SCALE.value: ("min_value", "max_value"),
}


class EditError(ValueError):
    """What was posted cannot be applied; ``field`` names where, ``message`` says why (in
    the staff member's language, made by the caller's gettext)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def posted_text(posted: Mapping[str, str], prefix: str) -> dict[str, str] | None:
    """``{"fr": …, "en": …, "uk": …}`` from the fields ``<prefix>.<lang>``, trimmed; None
    when all three are empty."""
    texts = {lang: (posted.get(f"{prefix}.{lang}") or "").strip() for lang in LANGUAGES}
    return texts if any(texts.values()) else None


def set_text(target: dict, name: str, value: dict[str, str] | None) -> None:
    if value is None:
        target.pop(name, None)
    else:
        target[name] = value


def set_form_texts(document: dict, posted: Mapping[str, str]) -> None:
    """The form's own texts, and the languages staff chose to show where a text is
    missing in another (``fallbacks``: a form is never published with a text missing
    unless they chose)."""
    for name in FORM_TEXTS:
        set_text(document, name, posted_text(posted, name))
    fallbacks = {
        lang: posted[f"fallback.{lang}"]
        for lang in LANGUAGES
        if posted.get(f"fallback.{lang}") in LANGUAGES and posted[f"fallback.{lang}"] != lang
    }
    if fallbacks:
        document["fallbacks"] = fallbacks
    else:
        document.pop("fallbacks", None)


def find(document: dict, code: str) -> dict:
    for question in document["questions"]:
        if question["code"] == code:
            return question
    raise KeyError(code)


def add_question(document: dict, kind: str, label: dict[str, str], code: str) -> dict:
    if kind not in {k.value for k in Kind}:
        raise KeyError(kind)
    question: dict[str, Any] = {"code": code, "type": kind, "label": label}
    if kind in CHOICE_KINDS:
        question["choices"] = []
    document["questions"].append(question)
    return question


def move_question(document: dict, code: str, delta: int) -> None:
    questions = document["questions"]
    index = questions.index(find(document, code))
    target = min(max(index + delta, 0), len(questions) - 1)
    questions.insert(target, questions.pop(index))


def remove_question(document: dict, code: str) -> None:
    """Leave a question out of the next version (its earlier answers stay, read back under
    its last wording); conditions that named it are removed with it."""
    document["questions"].remove(find(document, code))
    for question in document["questions"]:
        condition = question.get("required_if") or {}
        if condition.get("question") == code or code in condition.get("any_answered", ()):
            question.pop("required_if", None)


def whole_number(posted: Mapping[str, str], name: str, message: Callable[[], str]) -> int | None:
    value = (posted.get(name) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise EditError(name, message()) from None


def update_question(
    question: dict,
    posted: Mapping[str, str],
    *,
    new_choice_code: Callable[[dict[str, str]], str],
    not_a_number: Callable[[], str],
    one_question: Callable[[], str],
) -> None:
    """Apply the question page: texts, required, condition, limits and choices. Existing
    choices keep their codes (a choice is hidden, never deleted); a label typed in a blank
    row makes a new choice, its code made once by ``new_choice_code``."""
    kind = question["type"]
    set_text(question, "label", posted_text(posted, "label"))
    set_text(question, "hint", posted_text(posted, "hint"))
    set_text(question, "required_message", posted_text(posted, "required_message"))
    for name in EXTRA_TEXTS.get(kind, ()):
        set_text(question, name, posted_text(posted, name))
    for name in LIMITS.get(kind, ()):
        value = whole_number(posted, name, not_a_number)
        if value is None:
            question.pop(name, None)
        else:
            question[name] = value
    condition = posted.get("condition", "none")
    question.pop("required_if", None)
    question.pop("follow_up", None)
    if condition == "includes":
        # Each box is "<question code>:<choice code>"; all of one question.
        picked = [value.split(":", 1) for value in posted.getlist("condition_choices")]
        picked = [pair for pair in picked if len(pair) == 2]
        questions = {code for code, _choice in picked}
        if len(questions) != 1:
            raise EditError("condition_choices", one_question())
        question["required_if"] = {
            "question": questions.pop(),
            "includes": [choice for _code, choice in picked],
        }
        question["follow_up"] = True
    elif condition == "any_answered":
        question["required_if"] = {"any_answered": posted.getlist("any_answered")}
    if posted.get("required") and "required_if" not in question:
        question["required"] = True
    else:
        question.pop("required", None)
    if posted.get("special_category"):
        question["special_category"] = True
    else:
        question.pop("special_category", None)
    if kind in CHOICE_KINDS:
        update_choices(question, posted, new_choice_code)


def update_choices(
    question: dict, posted: Mapping[str, str], new_choice_code: Callable[[dict[str, str]], str]
) -> None:
    choices = []
    for index, choice in enumerate(question.get("choices", [])):
        label = posted_text(posted, f"choice-{index}")
        updated = {"code": choice["code"], "label": label or choice["label"]}
        if posted.get(f"choice-{index}-hidden"):
            updated["hidden"] = True
        if posted.get(f"choice-{index}-exclusive"):
            updated["exclusive"] = True
        choices.append(updated)
    index = 0
    while f"new-{index}.fr" in posted or f"new-{index}.en" in posted:
        label = posted_text(posted, f"new-{index}")
        if label is not None:
            choices.append({"code": new_choice_code(label), "label": label})
        index += 1
    question["choices"] = choices
