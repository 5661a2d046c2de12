"""Reading the answers to the public forms (staff): filters, pages, counts, deletion."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from math import ceil

from sqlalchemy import Select, Text, cast, exists, func, select

from ..extensions import begin_serialized, db
from ..forms import registry
from ..forms.definition import FormDefinition
from ..i18n import LANGUAGES
from ..models import BRUSSELS, FormKind, Submission, utcnow
from . import audit


def definition_of(code: str) -> FormDefinition | None:
    """What reads the answers of a published public form, given under any of its versions
    (``RegisteredForm.reading_definition``), or None."""
    entry = registry.registered(code)
    if entry is None or entry.kind != FormKind.PUBLIC:
        return None
    return entry.reading_definition()


@dataclass(frozen=True)
class Filters:
    """A date range (inclusive, Brussels days), a language and words to find in the
    answers; empty means everything."""

    start: date | None = None
    end: date | None = None
    lang: str | None = None
    text: str = ""

    @classmethod
    def from_args(cls, args) -> "Filters":
        def day(name):
            try:
                return date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        lang = args.get("lang")
        text = " ".join((args.get("q") or "").split())[:100]
        return cls(day("from"), day("to"), lang if lang in LANGUAGES else None, text)

    def as_args(self) -> dict[str, str]:
        args = {}
        if self.start:
            args["from"] = self.start.isoformat()
        if self.end:
            args["to"] = self.end.isoformat()
        if self.lang:
            args["lang"] = self.lang
        if self.text:
            args["q"] = self.text
        return args

    def apply(self, query: Select, model=Submission) -> Select:
        if self.start:
            query = query.where(model.created_at >= start_of(self.start))
        if self.end:
            query = query.where(model.created_at < start_of(self.end + timedelta(days=1)))
        if self.lang:
            query = query.where(model.locale == self.lang)
        if self.text:
            query = query.where(answer_contains(model, self.text))
        return query


def answer_contains(model, text: str):
    """Some answer's text holds ``text`` (a choice's code too: answers store codes). Each
    value of the JSON document is compared, decoded: SQLite stores non-ASCII letters as
    escapes, and the keys (question codes) must not match. Case is ignored in every
    alphabet (on SQLite through ``casefold``, a function each connection gets)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    if db.engine.dialect.name == "postgresql":
        values = func.jsonb_each_text(model.answers).table_valued("key", "value").alias("v")
        return exists(
            select(1).select_from(values).where(values.c.value.ilike(pattern, escape="\\"))
        )
    values = func.json_each(model.answers).table_valued("key", "value", "type").alias("v")
    folded = func.casefold(values.c.value).like(pattern.casefold(), escape="\\")
    return exists(select(1).select_from(values).where(folded))


def start_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=BRUSSELS)


def submissions_query(form: str, filters: Filters) -> Select:
    query = select(Submission).where(Submission.form == form)
    return filters.apply(query).order_by(Submission.created_at.desc(), Submission.id.desc())


def export_rows(form: str, filters: Filters) -> Iterator[dict]:
    """The filtered answers as plain dicts, fetched 1,000 at a time (an export of 100,000 rows
    keeps a constant memory). The JSON documents come as text and are decoded one row at a
    time: decoded a batch at a time by the driver, they lived long enough for the garbage
    collector to promote them and then rescan every object of the process, again and again,
    which took half the time of a CSV export."""
    query = submissions_query(form, filters).with_only_columns(
        Submission.id,
        Submission.created_at,
        Submission.locale,
        Submission.form_version,
        cast(Submission.answers, Text),
    )
    for id_, created_at, locale, version, answers in db.session.execute(
        query.execution_options(yield_per=1000)
    ):
        yield {
            "id": id_,
            "created_at": created_at,
            "locale": locale,
            "form_version": version,
            "answers": json.loads(answers),
        }


@dataclass(frozen=True)
class Page:
    items: list[Submission]
    total: int
    number: int
    count: int


def page_of(form: str, filters: Filters, number: int, per_page: int = 50) -> Page:
    total = db.session.scalar(
        filters.apply(select(func.count()).select_from(Submission).where(Submission.form == form))
    )
    count = max(ceil(total / per_page), 1)
    number = min(max(number, 1), count)
    items = db.session.scalars(
        submissions_query(form, filters).offset((number - 1) * per_page).limit(per_page)
    ).all()
    return Page(list(items), total, number, count)


def get_submission(form: str, submission_id: int) -> Submission | None:
    submission = db.session.get(Submission, submission_id)
    return submission if submission is not None and submission.form == form else None


def delete_submission(form: str, submission_id: int, *, actor: str) -> bool:
    begin_serialized()
    submission = get_submission(form, submission_id)
    if submission is None:
        db.session.rollback()
        return False
    db.session.delete(submission)
    audit.record(actor, "answer.delete", form=form, id=submission_id)
    db.session.commit()
    return True


@dataclass(frozen=True)
class FormCounts:
    form: str
    total: int
    last_7_days: int
    last_30_days: int
    by_language: dict[str, int]


def counts(now: datetime | None = None) -> list[FormCounts]:
    now = now or utcnow()
    result = []
    for form in (entry.code for entry in registry.forms()):
        base = select(func.count()).select_from(Submission).where(Submission.form == form)
        by_language = dict(
            db.session.execute(
                select(Submission.locale, func.count())
                .where(Submission.form == form)
                .group_by(Submission.locale)
            ).all()
        )
        result.append(
            FormCounts(
                form=form,
                total=db.session.scalar(base),
                last_7_days=db.session.scalar(
                    base.where(Submission.created_at >= now - timedelta(days=7))
                ),
                last_30_days=db.session.scalar(
                    base.where(Submission.created_at >= now - timedelta(days=30))
                ),
                by_language={lang: by_language.get(lang, 0) for lang in LANGUAGES},
            )
        )
    return result
