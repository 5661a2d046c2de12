"""What staff need to organise a training day, read from its registrations: each person's
needs and remarks, and the totals for the confirmed people ("vegetarian: 3")."""

from collections import Counter
from dataclasses import dataclass, field

from ..forms.definition import FormDefinition, Question
from ..models import Registration, RegistrationStatus

# What tells staff what to prepare: the questions marked sensitive (special_category: the
# sign-up form's accessibility and dietary needs, and any a training asks of its own), and
# the person's remark.
REMARK_CODE = "remark"


def need_questions(definition: FormDefinition) -> list[Question]:
    """The questions whose answers are needs or remarks, in the form's order."""
    return [q for q in definition.questions if q.special_category or q.code == REMARK_CODE]


def said(value) -> str:
    """A free-text answer as one trimmed line ("" when nothing was written)."""
    if value is None or isinstance(value, list | dict | bool):
        return ""
    return " ".join(str(value).split())


def same_need(text: str) -> str:
    """What makes two written needs the same one: "Végétarien." and "végétarien" count
    together; anything longer than a word or two stays as written."""
    return text.casefold().rstrip(".!;,")


@dataclass
class NeedTotal:
    question: Question
    people: int = 0
    # Identical answers counted together, most frequent first: [("Végétarien", 3), …].
    answers: list[tuple[str, int]] = field(default_factory=list)


def needs_of(definition: FormDefinition, registrations: list[Registration]) -> list[NeedTotal]:
    """For each need question, how many confirmed people answered it and what they wrote."""
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    totals = []
    for question in need_questions(definition):
        written = [said(r.answers.get(question.code)) for r in confirmed]
        written = [text for text in written if text]
        first_spelling: dict[str, str] = {}
        counts: Counter[str] = Counter()
        for text in written:
            key = same_need(text)
            first_spelling.setdefault(key, text)
            counts[key] += 1
        answers = sorted(
            ((first_spelling[key], n) for key, n in counts.items()),
            key=lambda pair: (-pair[1], pair[0].casefold()),
        )
        totals.append(NeedTotal(question, len(written), answers))
    return totals


def needs_line(definition: FormDefinition, registration: Registration) -> list[tuple[str, str]]:
    """A person's needs and remark, as (question label, answer) pairs, only those answered."""
    return [
        (q.label, text)
        for q in need_questions(definition)
        if (text := said(registration.answers.get(q.code)))
    ]
