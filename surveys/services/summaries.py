"""Per-question summaries of a form's answers, all languages counted together, optionally
broken down by the language or by the answer to a single-choice question ("preferred
channel by language", "topics by time in Belgium"), and the answers over time."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..extensions import db
from ..forms.definition import FormDefinition, Kind, Question
from ..i18n import ENDONYMS, LANGUAGES
from ..models import BRUSSELS, Submission
from .answers import Filters, submissions_query

LANGUAGE = "language"  # break down by the language the form was filled in
NOT_ANSWERED = ""  # the group of people who did not answer the question broken down by


@dataclass
class OptionCount:
    code: str
    label: object
    count: int = 0
    by_group: Counter = field(default_factory=Counter)

    def percent(self, base: int) -> float:
        return 100 * self.count / base if base else 0.0


@dataclass
class QuestionSummary:
    question: Question
    answered: int = 0
    answered_by_group: Counter = field(default_factory=Counter)
    options: list[OptionCount] = field(default_factory=list)
    # "Other, please specify" texts and free comments: (locale, text), newest first.
    texts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_choice(self) -> bool:
        return bool(self.options)

    @property
    def chosen(self) -> list[OptionCount]:
        """The options someone chose, most chosen first (the rest is folded on the page)."""
        return sorted((o for o in self.options if o.count), key=lambda o: -o.count)

    @property
    def never_chosen(self) -> list[OptionCount]:
        return [o for o in self.options if not o.count]


@dataclass(frozen=True)
class Group:
    value: str
    label: object
    lang: str | None = None  # the label's own language (a language's name in itself)


@dataclass
class Breakdown:
    """What the answers are broken down by: the language, or a single-choice question."""

    code: str
    label: object
    groups: list[Group]

    def group_of(self, locale: str, answers: dict) -> str:
        if self.code == LANGUAGE:
            return locale
        value = answers.get(self.code)
        return value if isinstance(value, str) and value else NOT_ANSWERED


def breakdowns(definition: FormDefinition) -> list[tuple[str, object]]:
    """What a summary can be broken down by: the language, then each single-choice
    question (a drop-down or buttons), as (code, label)."""
    from flask_babel import gettext as _

    choices = [(LANGUAGE, _("Language"))]
    for question in definition.questions:
        if question.kind in (Kind.SINGLE, Kind.SELECT) and question.choices:
            choices.append((question.code, question.label))
    return choices


def breakdown(definition: FormDefinition, code: str | None) -> Breakdown | None:
    from flask_babel import gettext as _

    if not code:
        return None
    if code == LANGUAGE:
        groups = [Group(lang, ENDONYMS[lang], lang) for lang in LANGUAGES]
        return Breakdown(LANGUAGE, _("Language"), groups)
    question = next(
        (
            q
            for q in definition.questions
            if q.code == code and q.kind in (Kind.SINGLE, Kind.SELECT) and q.choices
        ),
        None,
    )
    if question is None:
        return None
    options = question.type.summary_options(question) or []
    groups = [Group(value, label) for value, label in options]
    groups.append(Group(NOT_ANSWERED, _("Not answered")))
    return Breakdown(question.code, question.label, groups)


@dataclass
class Summary:
    respondents: int
    by_language: Counter
    questions: list[QuestionSummary]
    by: Breakdown | None = None
    by_group: Counter = field(default_factory=Counter)

    @property
    def groups(self) -> list[Group]:
        """The groups of the breakdown, without an empty "not answered" one."""
        if self.by is None:
            return []
        return [g for g in self.by.groups if g.value != NOT_ANSWERED or self.by_group[g.value]]


def summarize(
    definition: FormDefinition,
    filters: Filters,
    *,
    by: Breakdown | None = None,
    text_limit: int = 200,
) -> Summary:
    """One pass over the filtered answers. Percentages of a choice question are over the
    people who answered it (in the whole, or in each group); several boxes may be ticked in
    a multiple-choice question, so its percentages can add up to more than 100."""
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
    by_group: Counter = Counter()
    query = submissions_query(definition.code, filters).with_only_columns(
        Submission.locale, Submission.answers
    )
    for locale, answers in db.session.execute(query.execution_options(yield_per=1000)):
        respondents += 1
        by_language[locale] += 1
        group = by.group_of(locale, answers) if by is not None else None
        by_group[group] += 1
        for code, value in answers.items():
            summary = summaries.get(code)
            if summary is None:
                continue
            summary.answered += 1
            summary.answered_by_group[group] += 1
            if code in indexes:
                for chosen in value if isinstance(value, list) else [value]:
                    index = indexes[code].get(chosen)
                    if index is not None:
                        option = summary.options[index]
                        option.count += 1
                        option.by_group[group] += 1
            elif code in keeps_texts and len(summary.texts) < text_limit:
                summary.texts.append((locale, value))
    return Summary(respondents, by_language, list(summaries.values()), by, by_group)


@dataclass(frozen=True)
class Period:
    start: date
    count: int


@dataclass(frozen=True)
class Timeline:
    unit: str  # "day" or "week"
    periods: list[Period]

    @property
    def highest(self) -> int:
        return max((p.count for p in self.periods), default=0)


def over_time(form: str, filters: Filters, today: date) -> Timeline:
    """Answers per day when the period shown is a month or less, else per week (from
    Monday), in Brussels time. The period is the filters' dates, or from the first answer to
    today; days or weeks without answers count as zero, so the chart's gaps are real."""
    query = submissions_query(form, filters).with_only_columns(Submission.created_at)
    days = Counter(
        created.astimezone(BRUSSELS).date()
        for (created,) in db.session.execute(query.execution_options(yield_per=5000))
    )
    end = filters.end or today
    start = filters.start or min(days, default=end)
    if (end - start).days < 31:
        span = (end - start).days + 1
        periods = [Period(start + timedelta(days=i), 0) for i in range(span)]
        periods = [Period(p.start, days.get(p.start, 0)) for p in periods]
        return Timeline("day", periods)
    weeks: Counter = Counter()
    for day, count in days.items():
        weeks[day - timedelta(days=day.weekday())] += count
    periods = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        periods.append(Period(monday, weeks.get(monday, 0)))
        monday += timedelta(weeks=1)
    return Timeline("week", periods)
