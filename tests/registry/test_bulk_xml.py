"""Workbooks as XML: uploads are parsed with defusedxml (entities refused), and the template's
list values are written as text, never as formulas."""

from __future__ import annotations

import io
import zipfile

import openpyxl.xml
import pytest
from openpyxl import load_workbook

from services.registry.bulk import sheet as bulk
from services.registry.bulk.sheet import FatalSheetError, SheetLanguage, read_rows, write_template
from tests.registry.test_bulk_limits import HEADERS, sheet_of, workbook

# The start of "billion laughs": each entity expands to ten of the one before.
ENTITIES = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def with_entities(data: bytes) -> bytes:
    """``data`` with a DTD declaring entities in its sheet, and one used in a cell."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            member = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                sheet_xml = member.decode().replace("For alle", "&lol2;", 1)
                member = (ENTITIES + sheet_xml).encode()
            target.writestr(item, member)
    return out.getvalue()


def test_openpyxl_parses_with_defusedxml() -> None:
    # openpyxl picks defusedxml up when it is installed; it is a runtime dependency for this.
    assert openpyxl.xml.DEFUSEDXML


def test_a_workbook_declaring_entities_is_refused() -> None:
    good = workbook(sheet_of({"name": "Åpen barnehage", "description": "For alle"}))
    assert read_rows(good, HEADERS)[1][0][1]["description"] == "For alle"
    with pytest.raises(FatalSheetError, match="not-a-workbook"):
        read_rows(with_entities(good), HEADERS)


def test_list_values_in_the_template_stay_text() -> None:
    # An agency is named by a member; a name starting with "=" must not become a formula in the
    # template's hidden list sheet (where a spreadsheet program would evaluate it).
    hostile = "=cmd|' /C calc'!A0"
    choices = {
        column.key: [("x", hostile), ("y", "Helsestasjon")]
        for column in bulk.COLUMNS
        if column.kind == "choice"
    }
    headers = {column.key: column.key for column in bulk.COLUMNS}
    book = load_workbook(io.BytesIO(write_template(SheetLanguage(headers, choices, "Ja", "Nei"))))
    cells = [cell for row in book[bulk.LISTS_TITLE].iter_rows() for cell in row if cell.value]
    assert {cell.value for cell in cells} >= {hostile, "Helsestasjon", "Ja", "Nei"}
    assert {cell.data_type for cell in cells} == {"s"}
