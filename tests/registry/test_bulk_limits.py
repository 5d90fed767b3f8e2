"""What reading an uploaded workbook may cost: a zip bomb, a million empty formatted rows and a
sheet thousands of columns wide are refused or cut short before they cost memory or minutes."""

from __future__ import annotations

import io
import time
import zipfile

import pytest
from openpyxl import Workbook

from services.registry.bulk import sheet as bulk
from services.registry.bulk.sheet import FatalSheetError, read_rows
from tests.registry.conftest import ORG_A, audit_count
from tests.registry.pages import sign_in, text_of
from tests.registry.test_bulk_pages import GOOD, template

# Headers written as the column keys themselves, which the reader accepts like any language.
HEADERS = {column.key.lower(): column.key for column in bulk.COLUMNS}
REQUIRED = [column.key for column in bulk.COLUMNS if column.required]


def sheet_of(
    *rows: dict[str, object], header: list[str | None] | None = None
) -> list[list[object]]:
    """A header of every required column (or ``header``) and one row per dict."""
    names = header or list(REQUIRED)
    return [list(names), *[[row.get(str(name)) for name in names] for row in rows]]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = bulk.SHEET_TITLE
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_member(data: bytes, name: str, size: int) -> bytes:
    """``data`` with one more archive member of ``size`` zero bytes: tiny packed, huge unpacked."""
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_a_workbook_that_unpacks_past_the_limit_is_refused_unread(monkeypatch):
    monkeypatch.setattr(bulk, "MAX_UNPACKED_BYTES", 4 * 1024 * 1024)
    good = workbook(sheet_of({"name": "Åpen barnehage", "description": "For alle"}))
    assert read_rows(good, HEADERS)[1][0][1]["description"] == "For alle"
    bomb = with_member(good, "xl/media/padding.bin", 5 * 1024 * 1024)
    assert len(bomb) < 64 * 1024  # what arrives is small
    with pytest.raises(FatalSheetError, match="too-large"):
        read_rows(bomb, HEADERS)


def test_the_default_limit_refuses_a_real_bomb_at_once():
    good = workbook(sheet_of({"name": "Åpen barnehage"}))
    bomb = with_member(good, "xl/worksheets/sheet2.xml", bulk.MAX_UNPACKED_BYTES + 1024 * 1024)
    started = time.monotonic()
    with pytest.raises(FatalSheetError, match="too-large"):
        read_rows(bomb, HEADERS)
    assert time.monotonic() - started < 1.0


def test_rows_past_the_scanned_limit_are_refused_even_when_empty():
    header: list[str | None] = [*REQUIRED, None]
    rows = sheet_of({"name": "Åpen barnehage"}, header=header)
    # Only a cell under no header: ignored as data, yet every such row costs a read.
    rows += [[None] * len(REQUIRED) + ["x"] for _ in range(bulk.MAX_SCANNED_ROWS)]
    rows += sheet_of({"name": "Tilbud langt nede"})[1:]
    with pytest.raises(FatalSheetError, match="too-long"):
        read_rows(workbook(rows), HEADERS)


def test_cells_far_to_the_right_are_not_read():
    width = len(bulk.COLUMNS) + bulk.MAX_EXTRA_COLUMNS
    wide: list[str | None] = [*REQUIRED, *[None] * (width + 10 - len(REQUIRED))]
    wide[-1] = "Merknad"  # past the margin: this reader never looks that far
    rows = sheet_of({"name": "Åpen barnehage"}, header=wide)
    assert read_rows(workbook(rows), HEADERS)[1][0][1]["name"] == "Åpen barnehage"
    near: list[str | None] = [*REQUIRED, None, "Merknad"]
    with pytest.raises(FatalSheetError, match="unknown-column:Merknad"):
        read_rows(workbook(sheet_of({"name": "Åpen barnehage"}, header=near)), HEADERS)


def test_the_page_says_the_workbook_is_too_large_and_imports_nothing(client, db, world):
    token = sign_in(client, db, "a_registrar")
    book, columns = template(client)
    for header, value in GOOD.items():
        book["Tilbud"].cell(row=2, column=columns[header], value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    bomb = with_member(buffer.getvalue(), "xl/media/padding.bin", bulk.MAX_UNPACKED_BYTES + 2**20)
    audits = audit_count(db)
    data = {"csrf_token": token, "workbook": (io.BytesIO(bomb), "tilbud.xlsx")}
    response = client.post(f"/o/{ORG_A}/bulk", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Arbeidsboka er for stor til å lese." in text_of(response)
    assert "Ingenting ble importert" in text_of(response)
    assert audit_count(db) == audits
