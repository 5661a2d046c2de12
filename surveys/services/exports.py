"""CSV and XLSX exports that open correctly in (Belgian) Excel.

One column per question, a multiple-choice question as one 0/1 column per option; labels in
the staff member's language, or stable codes on request; times in ISO 8601, Europe/Brussels.
Rows are streamed from the database, so 100,000 answers take constant memory; CSV and XLSX
write the same lines (``Table.lines``). What respondents typed, and the headers, are
neutralised against formula injection as OWASP prescribes; the other cells are ours (ids,
times, codes, our labels) and never start like a formula.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from operator import itemgetter
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook

from ..forms.definition import FormDefinition
from ..forms.types import FORMULA_TRIGGERS
from ..models import BRUSSELS


def neutralise(value: Any) -> Any:
    """Prefix a single quote to any text cell that a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """A column that is not an answer (id, time, language…): its values are ours, never typed
    by a respondent, so they are not neutralised."""

    header: str
    value: Callable[[Mapping], Any]


def iso_brussels(moment: datetime | None) -> str:
    return moment.astimezone(BRUSSELS).isoformat(timespec="seconds") if moment else ""


class AnswerColumns:
    """The answer columns of a form, computed once per export: each question's type gives
    its headers and a function from its stored value to its cells, so that each row costs a
    few calls (labels are translated once, not per cell)."""

    def __init__(self, definition: FormDefinition, *, codes: bool):
        self.headers: list[str] = []
        self.plan: list[tuple[str, Callable[[Any], Any], bool]] = []
        for question in definition.questions:
            kind = question.type
            self.headers += kind.export_headers(question, codes=codes)
            cells = kind.export_cells(question, codes=codes)
            self.plan.append((question.code, cells, kind.several_columns))

    def values(self, answers: Mapping) -> list:
        row: list = []
        for code, cells, several in self.plan:
            if several:
                row += cells(answers.get(code))
            else:
                row.append(cells(answers.get(code)))
        return row


@dataclass(frozen=True)
class Table:
    """Headers and a function from a row (a mapping) to its cells, already neutralised: only
    what people typed can start like a formula, and it is prefixed where it is read."""

    headers: list[str]
    cells: Callable[[Mapping], list]

    def lines(self, rows: Iterable[Mapping]) -> Iterator[list]:
        """The header line, then the cells of each row: what both CSV and XLSX write."""
        yield [neutralise(header) for header in self.headers]
        yield from map(self.cells, rows)


def answers_table(
    meta: list[Column], definition: FormDefinition, *, codes: bool, after: list[Column] = ()
) -> Table:
    """``meta``'s columns, the answers', then ``after``'s."""
    answers = AnswerColumns(definition, codes=codes)
    getters = [column.value for column in meta]
    trailing = [column.value for column in after]

    def cells(row: Mapping) -> list:
        return (
            [get(row) for get in getters]
            + answers.values(row["answers"])
            + [get(row) for get in trailing]
        )

    headers = [c.header for c in meta] + answers.headers + [c.header for c in after]
    return Table(headers, cells)


def submission_table(definition: FormDefinition, *, codes: bool) -> Table:
    meta = [
        Column("id", itemgetter("id")),
        Column(
            "submitted_at" if codes else _("Sent at"), lambda row: iso_brussels(row["created_at"])
        ),
        Column("locale" if codes else _("Language"), itemgetter("locale")),
        Column("form_version" if codes else _("Form version"), itemgetter("form_version")),
    ]
    return answers_table(meta, definition, codes=codes)


def csv_stream(table: Table, rows: Iterable[Mapping], *, delimiter: str = ";") -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads the accents and the Cyrillic right), every
    cell quoted, rows written and flushed 500 at a time."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    lines = table.lines(rows)
    while batch := list(islice(lines, 500)):
        writer.writerows(batch)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


def xlsx_file(
    table: Table, rows: Iterable[Mapping], *, title: str
) -> tempfile.SpooledTemporaryFile:
    """A workbook written in openpyxl's write-only mode (rows go straight to disk), returned
    as a file positioned at its start. Neutralised cells never start with "=", so openpyxl
    never stores one as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for line in table.lines(rows):
        sheet.append(line)
    # Handed to the caller, who streams and closes it (see ``file_chunks``).
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def file_chunks(file, size: int = 64 * 1024) -> Iterator[bytes]:
    with file:
        while chunk := file.read(size):
            yield chunk


def summary_csv(item, groups) -> str:
    """A question's summary table as CSV (BOM, ";"): each answer's count and percentage,
    then those of each group it is broken down by. Labels are staff-written: neutralised."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    header = [neutralise(str(item.question.label)), _("Count"), "%"]
    for group in groups:
        header += [neutralise(str(group.label)), f"{neutralise(str(group.label))} %"]
    writer.writerow(header)
    for option in item.options:
        row = [neutralise(str(option.label)), option.count, f"{option.percent(item.answered):.1f}"]
        for group in groups:
            base = item.answered_by_group[group.value]
            share = 100 * option.by_group[group.value] / base if base else 0.0
            row += [option.by_group[group.value], f"{share:.1f}"]
        writer.writerow(row)
    return out.getvalue()
