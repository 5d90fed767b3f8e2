"""The one set of rules for CSV and XLSX downloads (shared.spreadsheet)."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from shared import spreadsheet

ROWS = [
    ["Navn", "Årsverk", "Gratis", "Merknad"],
    ["Sorggruppe, for barn", 2.5, True, None],
    ["=SUM(A1)", 10, False, "-2"],
]


def test_semicolon_and_decimal_comma_by_default():
    assert (
        spreadsheet.csv_bytes(ROWS)
        == (
            "\ufeffNavn;Årsverk;Gratis;Merknad\r\n"
            "Sorggruppe, for barn;2,5;true;\r\n"
            "'=SUM(A1);10;false;'-2\r\n"
        ).encode()
    )


def test_comma_and_decimal_point_on_request():
    assert (
        spreadsheet.csv_bytes(ROWS, "comma")
        == (
            "\ufeffNavn,Årsverk,Gratis,Merknad\r\n"
            '"Sorggruppe, for barn",2.5,true,\r\n'
            "'=SUM(A1),10,false,'-2\r\n"
        ).encode()
    )


def test_the_byte_order_mark_comes_once_before_the_first_row():
    chunks = list(spreadsheet.csv_chunks(ROWS))
    assert len(chunks) == 3
    assert chunks[0].startswith("\ufeffNavn") and "\ufeff" not in "".join(chunks[1:])


def test_xlsx_text_stays_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["=1+1", 2.5])
    for cell in sheet[1]:
        spreadsheet.keep_text(cell)
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert (read["A1"].value, read["A1"].data_type) == ("=1+1", "s")
    assert read["B1"].value == 2.5
