"""Uploaded workbooks are XML: they are parsed with defusedxml, so entities and DTDs are refused."""

from __future__ import annotations

import io
import zipfile

import openpyxl.xml
import pytest

from services.registry.bulk.sheet import FatalSheetError, read_rows
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
