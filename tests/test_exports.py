"""Exports that open right in Excel: CSV (BOM, ';'), XLSX, formula injection neutralised."""

import csv
import io
import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from surveys.services.exports import Table, neutralise, unique, xlsx_chunks

from .support import (
    ILI_ANSWERS,
    SURVEY_ANSWERS,
    as_shown,
    make_training,
    sign_up,
    submit,
    translated,
)

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "\nx", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("value", HOSTILE)
def test_cells_that_spreadsheets_take_for_formulas_are_neutralised(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Namur", "1-2", "e-mail", 42, "", "'quoted"])
def test_ordinary_cells_are_left_alone(value):
    assert neutralise(value) == value


def rows_of(response, delimiter=";"):
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_csv_is_utf8_with_bom_semicolons_and_labels_in_the_staff_language(app, staff_client):
    submit(app.test_client(), "/uk/survey", SURVEY_ANSWERS)
    response = staff_client.get("/staff/forms/survey/export.csv")
    assert response.get_data().startswith("\ufeff".encode())
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="survey-') and disposition.endswith('.csv"')
    header, row = rows_of(response)
    assert header[:3] == ["id", translated(app, "fr", "Sent at"), translated(app, "fr", "Language")]
    topic = translated(app, "fr", "What would you like to receive information about?")
    housing = header.index(f"{topic} — {translated(app, 'fr', 'Housing')}")
    health = header.index(f"{topic} — {translated(app, 'fr', 'Health')}")
    assert (row[housing], row[health]) == ("1", "0")
    assert row[2] == "uk"
    assert "T" in row[1] and row[1].endswith(("+01:00", "+02:00"))  # ISO 8601, Brussels
    assert (
        row[
            header.index(
                translated(app, "fr", "Which channel would you prefer us to use (one only)?")
            )
        ]
        == "Telegram"
    )


def test_csv_with_commas_and_codes_on_request(app, staff_client):
    submit(app.test_client(), "/fr/survey", SURVEY_ANSWERS)
    response = staff_client.get("/staff/forms/survey/export.csv?sep=comma&codes=1")
    header, row = rows_of(response, delimiter=",")
    assert "topics.housing" in header and "preferred_channel" in header
    assert row[header.index("preferred_channel")] == "telegram"
    assert row[header.index("commune")] == "namur"


def test_hostile_answers_are_neutralised_in_csv_and_xlsx(app, staff_client):
    submit(
        app.test_client(),
        "/fr/survey",
        {**SURVEY_ANSWERS, "comment": "=1+1", "topics_other": "@SUM(A1)"},
    )
    _header, row = rows_of(staff_client.get("/staff/forms/survey/export.csv"))
    assert "'=1+1" in row and "'@SUM(A1)" in row
    assert not any(cell.startswith(("=", "+", "@")) for cell in row)

    # In a workbook a text cell is never a formula: shown as typed, without a quote.
    response = staff_client.get("/staff/forms/survey/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    cells = next(sheet.iter_rows(min_row=2, max_row=2))
    typed = {cell.value: cell for cell in cells if isinstance(cell.value, str)}
    assert typed["=1+1"].data_type == "s" and typed["@SUM(A1)"].data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_xlsx_has_the_same_columns_as_csv(app, staff_client):
    submit(app.test_client(), "/en/ili", ILI_ANSWERS)
    csv_header, _row = rows_of(staff_client.get("/staff/forms/ili/export.csv"))
    response = staff_client.get("/staff/forms/ili/export.xlsx")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))] == csv_header


def test_xlsx_rows_hold_the_cells_of_the_csv_with_numbers_for_options(app, staff_client):
    submit(app.test_client(), "/fr/survey", SURVEY_ANSWERS)
    _header, csv_row = rows_of(staff_client.get("/staff/forms/survey/export.csv"))
    response = staff_client.get("/staff/forms/survey/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    xlsx_row = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    # The time is a date cell, in Brussels time; every other cell reads as in the CSV.
    sent_at = xlsx_row[1]
    assert isinstance(sent_at, datetime)
    assert csv_row[1].startswith(sent_at.isoformat(timespec="seconds"))
    as_text = ["" if value is None else str(as_shown(value)) for value in xlsx_row]
    assert as_text[:1] + as_text[2:] == csv_row[:1] + csv_row[2:]
    assert 0 in xlsx_row and 1 in xlsx_row  # an unticked option is a zero, not a blank


def test_xlsx_is_ready_to_read(app, staff_client):
    submit(
        app.test_client(),
        "/fr/survey",
        {**SURVEY_ANSWERS, "comment": "Un long commentaire. " * 10},
    )
    response = staff_client.get("/staff/forms/survey/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    header = next(sheet.iter_rows(max_row=1))
    assert all(cell.font.bold for cell in header)
    assert sheet.freeze_panes == "A2"  # the header stays in view
    assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}2"  # filter buttons
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    assert widths and all(8 <= width <= 60 for width in widths.values())
    row = next(sheet.iter_rows(min_row=2, max_row=2))
    by_header = {h.value: cell for h, cell in zip(header, row, strict=True)}
    sent_at = by_header[translated(app, "fr", "Sent at")]
    assert sent_at.is_date and "yyyy" in sent_at.number_format
    comment = next(cell for cell in row if str(cell.value).startswith("Un long commentaire"))
    assert comment.alignment.wrap_text
    # A Belgian number as it is dialled here, with no quote in front.
    assert "0470 12 34 56" in [cell.value for cell in row]


def test_filters_of_the_table_apply_to_the_export(app, staff_client):
    for lang in ("fr", "uk", "uk"):
        submit(app.test_client(), f"/{lang}/survey", SURVEY_ANSWERS)
    assert len(rows_of(staff_client.get("/staff/forms/survey/export.csv?lang=uk"))) == 3
    assert len(rows_of(staff_client.get("/staff/forms/survey/export.csv?lang=fr"))) == 2


def test_exports_are_audited_without_contents(app, staff_client):
    submit(app.test_client(), "/fr/survey", SURVEY_ANSWERS)
    staff_client.get("/staff/forms/survey/export.csv?lang=fr")
    html = staff_client.get("/staff/audit").get_data(as_text=True)
    assert "export" in html and "survey" in html
    assert "olena" not in html.lower()


def test_registrants_export(app, staff_client):
    make_training(app, capacity=1)
    sign_up(app.test_client(), "droit-des-etrangers", email="a@example.be")
    sign_up(app.test_client(), "droit-des-etrangers", email="b@example.be")
    header, first, second = rows_of(
        staff_client.get("/staff/trainings/droit-des-etrangers/export.csv")
    )
    status = header.index(translated(app, "fr", "Status"))
    assert [first[status], second[status]] == ["Confirmée", "Sur liste d’attente"]
    assert "a@example.be" in first


def test_xlsx_with_no_answers_still_has_its_header_row(app, staff_client):
    response = staff_client.get("/staff/forms/survey/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    header = next(sheet.iter_rows(max_row=1))
    assert header[0].value == "id" and header[1].value == translated(app, "fr", "Sent at")
    assert all(cell.font.bold for cell in header)
    assert not any(cell.value for row in sheet.iter_rows(min_row=2) for cell in row)


def test_two_columns_with_the_same_header_are_both_kept():
    table = Table(["Remarque", "Remarque", "Remarque"], lambda row: [row["a"], row["b"], None])
    body = b"".join(xlsx_chunks(table, [{"a": "première", "b": "seconde"}], title="Test"))
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Remarque", "Remarque (2)", "Remarque (3)"),
        ("première", "seconde", None),
    ]


def test_headers_are_told_apart_even_when_a_label_looks_like_a_renamed_one():
    assert unique(["A", "A (2)", "A", "A"]) == ["A", "A (2)", "A (3)", "A (4)"]
    assert unique(["A", "A", "A (2)"]) == ["A", "A (2)", "A (2) (2)"]


def export_folders() -> set[str]:
    return {path.name for path in Path(tempfile.gettempdir()).glob("surveys-export-*")}


def test_the_workbook_file_is_removed_once_sent_or_abandoned(app, staff_client):
    submit(app.test_client(), "/fr/survey", SURVEY_ANSWERS)
    before = export_folders()
    staff_client.get("/staff/forms/survey/export.xlsx").get_data()
    assert export_folders() == before
    # A download stopped after its first chunk (the browser's tab closed).
    response = staff_client.get("/staff/forms/survey/export.xlsx", buffered=False)
    next(iter(response.response))
    assert export_folders() != before
    response.close()
    assert export_folders() == before
