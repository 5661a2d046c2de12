"""Per-question summaries of a form's answers, all languages counted together."""

from collections import Counter
from dataclasses import dataclass, field

from ..extensions import db
from ..forms.definition import FormDefinition, Question
from ..models import Submission
from .answers import Filters, submissions_query


@dataclass
class OptionCount:
    code: str
    label: object
    count: int = 0
    by_language: Counter = field(default_factory=Counter)

    def percent(self, base: int) -> float:
        return 100 * self.count / base if base else 0.0


@dataclass
class QuestionSummary:
    question: Question
    answered: int = 0
    answered_by_language: Counter = field(default_factory=Counter)
    options: list[OptionCount] = field(default_factory=list)
    # "Other, please specify" texts and free comments: (locale, text), newest first.
    texts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_choice(self) -> bool:
        return bool(self.options)


@dataclass
class Summary:
    respondents: int
    by_language: Counter
    questions: list[QuestionSummary]


def summarize(definition: FormDefinition, filters: Filters, *, text_limit: int = 200) -> Summary:
    """One pass over the filtered answers. Percentages of a choice question are over the
    people who answered it; several boxes may be ticked in a multiple-choice question, so its
    percentages can add up to more than 100."""
    summaries = {}
    indexes = {}  # question code -> {stored value: index of its OptionCount}
    keeps_texts = set()
    for question in definition.questions:
        summary = QuestionSummary(question)
        options = question.type.summary_options(question)
        if options is not None:
            summary.options = [OptionCount(value, label) for value, label in options]
            indexes[question.code] = {value: i for i, (value, _) in enumerate(options)}
        elif question.type.keeps_texts(question):
            keeps_texts.add(question.code)
        summaries[question.code] = summary
    respondents = 0
    by_language: Counter = Counter()
    query = submissions_query(definition.code, filters).with_only_columns(
        Submission.locale, Submission.answers
    )
    for locale, answers in db.session.execute(query.execution_options(yield_per=1000)):
        respondents += 1
        by_language[locale] += 1
        for code, value in answers.items():
            summary = summaries.get(code)
            if summary is None:
                continue
            summary.answered += 1
            summary.answered_by_language[locale] += 1
            if code in indexes:
                for chosen in value if isinstance(value, list) else [value]:
                    index = indexes[code].get(chosen)
                    if index is not None:
                        option = summary.options[index]
                        option.count += 1
                        option.by_language[locale] += 1
            elif code in keeps_texts and len(summary.texts) < text_limit:
                summary.texts.append((locale, value))
    return Summary(respondents, by_language, list(summaries.values()))
