"""CSV and XLSX exports that open correctly in (Belgian) Excel.

One column per question, a multiple-choice question as one 0/1 column per option; labels in
the staff member's language, or stable codes on request; times in ISO 8601, Europe/Brussels.
Rows are streamed from the database, so 100,000 answers take constant memory. Every cell,
headers included, is neutralised against formula injection as OWASP prescribes.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from ..forms.definition import FormDefinition, Kind
from ..models import BRUSSELS

# OWASP "CSV Injection": cells starting with these are read as formulas by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: Any) -> Any:
    """Prefix a single quote to any text cell that a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict], Any]


def iso_brussels(moment: datetime | None) -> str:
    return moment.astimezone(BRUSSELS).isoformat(timespec="seconds") if moment else ""


def answer_columns(definition: FormDefinition, *, codes: bool) -> list[Column]:
    """Columns for the answers of ``definition``; a row is a dict with an "answers" key."""
    columns = []
    for question in definition.questions:
        label = question.code if codes else str(question.label)
        code = question.code
        if question.kind == Kind.MULTIPLE:
            for choice in question.choices:
                header = f"{code}.{choice.code}" if codes else f"{label} — {choice.label}"

                def ticked(row, code=code, choice=choice.code):
                    chosen = row["answers"].get(code)
                    return "" if chosen is None else int(choice in chosen)

                columns.append(Column(header, ticked))
        elif question.is_choice:

            def chosen(row, code=code, question=question):
                value = row["answers"].get(code)
                if value is None:
                    return ""
                return value if codes else str(question.choice_label(value))

            columns.append(Column(label, chosen))
        elif question.kind == Kind.CONSENT:
            columns.append(
                Column(label, lambda row, code=code: int(bool(row["answers"].get(code))))
            )
        else:
            columns.append(Column(label, lambda row, code=code: row["answers"].get(code, "")))
    return columns


def submission_columns(definition: FormDefinition, *, codes: bool) -> list[Column]:
    meta = [
        Column("id", lambda row: row["id"]),
        Column(
            "submitted_at" if codes else _("Sent at"), lambda row: iso_brussels(row["created_at"])
        ),
        Column("locale" if codes else _("Language"), lambda row: row["locale"]),
        Column("form_version" if codes else _("Form version"), lambda row: row["form_version"]),
    ]
    return meta + answer_columns(definition, codes=codes)


def csv_stream(
    columns: list[Column], rows: Iterable[dict], *, delimiter: str = ";"
) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark (so Excel reads the accents and the Cyrillic right), every
    cell quoted, rows flushed in batches."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralise(c.header) for c in columns])
    yield "\ufeff".encode() + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, 1):
        writer.writerow([neutralise(c.value(row)) for c in columns])
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(
    columns: list[Column], rows: Iterable[dict], *, title: str
) -> tempfile.SpooledTemporaryFile:
    """A workbook written in openpyxl's write-only mode (rows go straight to disk), returned
    as a file positioned at its start."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([text_cell(sheet, c.header) for c in columns])
    for row in rows:
        sheet.append([text_cell(sheet, c.value(row)) for c in columns])
    # Handed to the caller, who streams and closes it (see ``file_chunks``).
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def text_cell(sheet, value):
    value = neutralise(value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    return value


def file_chunks(file, size: int = 64 * 1024) -> Iterator[bytes]:
    with file:
        while chunk := file.read(size):
            yield chunk
