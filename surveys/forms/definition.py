"""The vocabulary of form definitions: questions with stable codes, choices, conditions.

A definition says *what* is asked; each question's type (``types``) says how a question of
its kind is asked, checked, stored, summarised and exported; ``engine`` turns a definition
into a FlaskForm, one template macro renders any question, and the stored answers use the
codes defined here, so the dashboard, summaries and exports can walk the same definitions.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types import QuestionType


class Kind(StrEnum):
    SINGLE = "single"  # radio buttons
    SELECT = "select"  # a drop-down, for long single-choice lists
    MULTIPLE = "multiple"  # check boxes
    TEXT = "text"
    TEXTAREA = "textarea"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"
    NUMBER = "number"
    DATE = "date"
    SCALE = "scale"  # a point on a scale of whole numbers with labelled ends (evaluations)
    CONSENT = "consent"  # one check box that must be ticked to count


@dataclass(frozen=True)
class Choice:
    code: str
    label: Any  # a Text (document.Text): shown in the page's language
    # An answer such as "no internet access" that cannot be ticked together with others.
    exclusive: bool = False
    # No longer offered to people filling in the form; its earlier answers still count in
    # summaries and exports (a choice that has answers is hidden, never deleted).
    hidden: bool = False


@dataclass(frozen=True)
class Includes:
    """Holds when a choice question's answer includes one of ``codes``."""

    question: str
    codes: tuple[str, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        value = answers.get(self.question)
        chosen = set(value) if isinstance(value, list | tuple | set) else {value}
        return bool(chosen & set(self.codes))


@dataclass(frozen=True)
class AnyAnswered:
    """Holds when at least one of ``questions`` has an answer."""

    questions: tuple[str, ...]

    def holds(self, answers: Mapping[str, Any]) -> bool:
        return any(not is_empty(answers.get(code)) for code in self.questions)


Condition = Includes | AnyAnswered


@dataclass(frozen=True)
class Question:
    code: str
    kind: Kind
    label: Any
    hint: Any = None
    choices: tuple[Choice, ...] = ()
    required: bool = False
    # Required only when this holds; the answer is also dropped when it does not hold.
    required_if: Condition | None = None
    required_message: Any = None
    max_length: int | None = None
    # A number's limits, or a scale's ends (1 to 5 unless given).
    min_value: int | None = None
    max_value: int | None = None
    # A scale's end labels ("Not at all", "Completely").
    low_label: Any = None
    high_label: Any = None
    # Browser autofill token (https://html.spec.whatwg.org/#autofill).
    autocomplete: str | None = None
    # Shows a live character counter (JavaScript nicety; the limit is enforced on the server).
    counter: bool = False
    # Rendered indented under the question it depends on ("other, please specify").
    follow_up: bool = False
    # For a consent box: the version of its text, stored with the answer (bump it whenever
    # the wording or the privacy notice it refers to changes meaning).
    consent_version: str | None = None
    # The answer goes into an e-mail header (a person's name in "To:"): besides line breaks,
    # the markers of RFC 2047 encoded words are refused, which mail software would decode.
    header_safe: bool = False
    # Asked only where this setting of the page's context is on (a training's
    # "every_date_required"); see document.definition_of.
    only_if: str | None = None
    # The answer may reveal health or belief (GDPR Art. 9: an accessibility or a dietary
    # need): it is kept only until the training is over, then erased by the daily purge.
    special_category: bool = False

    def __post_init__(self):
        if self.header_safe and self.kind != Kind.TEXT:
            raise ValueError(f"question {self.code!r}: only a one-line text can be header-safe")
        if self.max_length is None and self.type.default_max_length is not None:
            object.__setattr__(self, "max_length", self.type.default_max_length)

    @property
    def type(self) -> "QuestionType":
        from .types import TYPES  # the types module uses this one's vocabulary

        return TYPES[self.kind]

    @property
    def is_choice(self) -> bool:
        return self.type.has_choices

    @cached_property
    def choice_codes(self) -> tuple[str, ...]:
        return tuple(choice.code for choice in self.choices)

    @cached_property
    def offered(self) -> tuple[Choice, ...]:
        """The choices a person can pick today (hidden ones are only read back)."""
        return tuple(choice for choice in self.choices if not choice.hidden)

    @cached_property
    def known_codes(self) -> frozenset[str]:
        """The codes a new answer may hold: the offered choices'."""
        return frozenset(choice.code for choice in self.offered)

    def choice_label(self, code: str) -> Any:
        for choice in self.choices:
            if choice.code == code:
                return choice.label
        return code

    def is_required(self, answers: Mapping[str, Any]) -> bool:
        if self.required_if is not None:
            return self.required_if.holds(answers)
        return self.required

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether an answer to this question is kept (a conditional one only when it holds)."""
        return self.required_if is None or self.required_if.holds(answers)


# Compared and hashed by identity: each published version's definitions are built once per
# process (forms.registry keeps them), and the engine caches a form class per definition.
@dataclass(frozen=True, eq=False)
class FormDefinition:
    code: str
    # The published version it was built from; stored with every answer.
    version: int
    questions: tuple[Question, ...]
    # Which question feeds the indexed contact columns used by the privacy tools.
    email_question: str | None = None
    phone_question: str | None = None
    # The id of that version's row (models.FormVersion), which answers point at.
    version_id: int | None = None
    # A training's sign-up form with its own questions: the version of those questions.
    extra_version_id: int | None = None
    # The form's own texts (title, lead, thanks_lead…: document.FORM_TEXTS), as Text.
    texts: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    _by_code: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)
    # Follow-ups drawn inside the question whose choice reveals them: {(question code, the
    # choice they come under, or None for the end of the group): follow-ups}.
    _inside: dict[tuple[str, str | None], list[Question]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self):
        codes = [q.code for q in self.questions]
        if len(codes) != len(set(codes)):
            raise ValueError(f"duplicate question codes in form {self.code!r}")
        self._by_code.update({q.code: q for q in self.questions})
        for position, q in enumerate(self.questions):
            trigger = self.trigger_of(q)
            if trigger is None or codes.index(trigger.code) > position:
                continue
            place = None
            if trigger.type.widget == "choices":
                # Under the last of the choices that reveal it ("ILI", "association" or
                # "public service": under the third), so it shows right below the one ticked.
                wanted = set(q.required_if.codes)
                place = next((c.code for c in reversed(trigger.offered) if c.code in wanted), None)
            self._inside.setdefault((trigger.code, place), []).append(q)

    def trigger_of(self, question: Question) -> Question | None:
        """The choice question a follow-up depends on ("other" → "which one?")."""
        condition = question.required_if
        if not (question.follow_up and isinstance(condition, Includes)):
            return None
        trigger = self._by_code.get(condition.question)
        return trigger if trigger is not None and trigger.is_choice else None

    def is_inside(self, question: Question) -> bool:
        """Whether ``question`` is drawn inside the question it depends on, not in its turn."""
        return any(question in follow_ups for follow_ups in self._inside.values())

    def revealed_by(self, question: Question, choice: str | None = None) -> list[Question]:
        """The follow-ups drawn inside ``question`` right after ``choice`` (None: after its
        input, for a list that has no place per choice)."""
        return self._inside.get((question.code, choice), [])

    def follow_ups_of(self, question: Question) -> list[Question]:
        return [
            q for (code, _place), qs in self._inside.items() if code == question.code for q in qs
        ]

    def __getitem__(self, code: str) -> Question:
        return self._by_code[code]

    def __contains__(self, code: str) -> bool:
        return code in self._by_code


def is_empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == [] or value == ()
