"""The bulk-mapping workbook: its columns, the template with drop-down lists, and reading a
filled sheet back into one mapping-form dict per row.

A column is a field of the mapping form (``OfferInputSchema``), or one concept of a
multi-valued vocabulary as a yes/no column (risk groups, target groups, diagnosis groups), so
every vocabulary is a drop-down list. Headers and list values are written in the reader's
language and read back in any of bokmål, nynorsk and English, or as the codes themselves.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from shared import vocab

MAX_ROWS = 500
# What reading one upload may cost, whatever the file claims: a workbook is a zip archive, and a
# small upload can unpack to gigabytes or hold a million formatted but empty rows.
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_SCANNED_ROWS = 10 * MAX_ROWS
MAX_EXTRA_COLUMNS = 50
YES = {"ja", "yes", "x", "1", "true", "sann"}
NO = {"nei", "no", "0", "false", "usann", ""}
SHEET_TITLE = "Tilbud"
LISTS_TITLE = "Lister"


@dataclass(frozen=True)
class Column:
    """``key`` is where the value goes: a form field, or ``field:code`` for a yes/no flag."""

    key: str
    kind: str  # text, integer, decimal, choice, flag, date, weekly, dates
    vocabulary: vocab.Vocabulary | None = None
    required: bool = False
    width: int = 18

    @property
    def field(self) -> str:
        return self.key.split(":")[0]


def _flags(name: str, vocabulary: vocab.Vocabulary) -> list[Column]:
    return [Column(f"{name}:{c.code}", "flag", width=14) for c in vocabulary]


COLUMNS: tuple[Column, ...] = (
    Column("agency", "choice", required=True, width=28),
    Column("name", "text", required=True, width=32),
    Column("description", "text", required=True, width=48),
    Column("category", "choice", vocab.OFFER_CATEGORIES, required=True, width=28),
    Column("level", "choice", vocab.PYRAMID_LEVELS, required=True, width=30),
    Column("measure_status", "choice", vocab.MEASURE_STATUSES),
    Column("age_min", "integer", required=True, width=10),
    Column("age_max", "integer", required=True, width=10),
    *_flags("audiences", vocab.AUDIENCES),
    *_flags("risk_groups", vocab.RISK_GROUPS),
    *_flags("diagnosis_groups", vocab.DIAGNOSIS_GROUPS),
    Column("access", "choice", vocab.ACCESS, required=True, width=22),
    Column("free_of_charge", "flag", width=12),
    Column("cost_description", "text", width=24),
    Column("timetable.weekly", "weekly", width=30),
    Column("timetable.valid_from", "date", width=12),
    Column("timetable.valid_to", "date", width=12),
    Column("timetable.dates", "dates", width=30),
    Column("schedule", "text", width=24),
    Column("locations.name", "text", width=24),
    Column("locations.street_address", "text", width=24),
    Column("locations.postal_code", "text", width=10),
    Column("locations.postal_town", "text", width=16),
    Column("locations.latitude", "decimal", width=12),
    Column("locations.longitude", "decimal", width=12),
    Column("coverage", "text", width=16),
    Column("languages:1", "choice", vocab.OFFER_LANGUAGES),
    Column("languages:2", "choice", vocab.OFFER_LANGUAGES),
    Column("languages:3", "choice", vocab.OFFER_LANGUAGES),
    Column("contact.phone", "text", width=16),
    Column("contact.email", "text", width=24),
    Column("contact.url", "text", width=24),
    Column("no_contact_reason", "choice", vocab.NO_CONTACT_REASONS, width=40),
    Column("responsible_role", "text", width=24),
    Column("statutory_duties:1", "choice", width=40),
    Column("statutory_duties:2", "choice", width=40),
    Column("staff_fte", "decimal", width=10),
    Column("budget_nok", "integer", width=14),
    Column("user_participation", "flag", width=12),
    Column("evaluated", "flag", width=12),
    Column("good_practice", "flag", width=12),
    Column("evidence_based", "flag", width=12),
)
BY_KEY = {c.key: c for c in COLUMNS}


class FatalSheetError(Exception):
    """The workbook cannot be read as a whole; nothing in it is imported.

    ``kind`` says why (``not-a-workbook``, ``unknown-column``, ``missing-columns``,
    ``too-many-rows``, ``too-long``, ``too-large``, ``no-rows``) and ``details`` name the
    columns concerned.
    """

    def __init__(self, kind: str, *details: str) -> None:
        super().__init__(":".join((kind, ",".join(details))) if details else kind)
        self.kind = kind
        self.details = details


@dataclass(frozen=True)
class SheetLanguage:
    """What a person sees in one language: headers by column key, list values by column key."""

    headers: Mapping[str, str]
    choices: Mapping[str, Sequence[tuple[str, str]]]  # column key -> (code, label)
    yes: str
    no: str
    # Guidance on a column, shown as a note on its header (what a contact should be).
    notes: Mapping[str, str] = field(default_factory=dict)


def write_template(language: SheetLanguage) -> bytes:
    """An empty workbook: a header row, and a drop-down list on every vocabulary column."""
    book = Workbook()
    book.remove(book.worksheets[0])
    sheet = book.create_sheet(SHEET_TITLE)
    lists = book.create_sheet(LISTS_TITLE)
    lists.sheet_state = "hidden"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCEBF7")
    list_column = 0
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=language.headers[column.key])
        cell.font, cell.fill = bold, fill
        if column.key in language.notes:
            cell.comment = Comment(language.notes[column.key], "Nettungen")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind == "flag":
            values = [language.yes, language.no]
        elif column.kind == "choice":
            values = [label for _code, label in language.choices[column.key]]
        else:
            continue
        list_column += 1
        list_letter = get_column_letter(list_column)
        for row, value in enumerate(values, start=1):
            # Labels are text a member wrote (an agency's name): never a formula, even one
            # starting with "=".
            lists.cell(row=row, column=list_column, value=value).data_type = "s"
        rule = DataValidation(
            type="list",
            formula1=f"={LISTS_TITLE}!${list_letter}$1:${list_letter}${max(len(values), 1)}",
            allow_blank=True,
            showErrorMessage=True,
        )
        sheet.add_data_validation(rule)
        rule.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()  # a date typed into a cell Excel formats as a date
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()[:10] if isinstance(value, dt.date) else f"{value:%H:%M}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(
    data: bytes, header_keys: Mapping[str, str]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The sheet's column keys and its non-empty rows as ``(row number, {key: text})``.

    ``header_keys`` maps every known header text (lower case, any language) to a column key.
    Raises :class:`FatalSheetError` when the file is not a workbook, a required column is
    missing, a header is unknown, or there are no rows or too many.
    """
    _check_unpacked_size(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FatalSheetError("not-a-workbook") from exc
    try:
        sheet = book[SHEET_TITLE] if SHEET_TITLE in book.sheetnames else book.worksheets[0]
        # Only the template's columns and a margin are read; cells further right would sit under
        # headers this reader ignores anyway.
        rows = sheet.iter_rows(max_col=len(COLUMNS) + MAX_EXTRA_COLUMNS, values_only=True)
        keys = _column_keys([_cell_text(v) for v in next(rows, ())], header_keys)
        found = _filled_rows(rows, keys)
    finally:
        book.close()
    if not found:
        raise FatalSheetError("no-rows")
    return keys, found


def _column_keys(header: Sequence[str], header_keys: Mapping[str, str]) -> list[str]:
    """The column key under each header ("" under an empty one); every required one present."""
    keys = []
    for text in header:
        if not text:
            keys.append("")
            continue
        key = header_keys.get(text.lower())
        if key is None:
            raise FatalSheetError("unknown-column", text)
        keys.append(key)
    missing = [c.key for c in COLUMNS if c.required and c.key not in keys]
    if missing:
        raise FatalSheetError("missing-columns", *missing)
    return keys


def _filled_rows(
    rows: Iterator[tuple[Any, ...]], keys: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """The rows below the header that hold anything, numbered as the sheet numbers them."""
    found = []
    for number, values in enumerate(rows, start=2):
        texts = {k: _cell_text(v) for k, v in zip(keys, values, strict=False) if k}
        if any(texts.values()):
            found.append((number, texts))
        if len(found) > MAX_ROWS:
            raise FatalSheetError("too-many-rows")
        if number > MAX_SCANNED_ROWS:
            raise FatalSheetError("too-long")
    return found


def _check_unpacked_size(data: bytes) -> None:
    """Refuse an archive whose members unpack to more than :data:`MAX_UNPACKED_BYTES`.

    The sizes are the ones the archive declares; Python's zip reader never returns more than a
    member's declared size, so a lying archive cannot get past this by understating them.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FatalSheetError("not-a-workbook") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise FatalSheetError("too-large")


def label_lookup(languages: Iterable[SheetLanguage], key: str) -> dict[str, str]:
    """Every way a list value of column ``key`` may be written (label in any language, or
    code), lower case, to its code."""
    lookup: dict[str, str] = {}
    for language in languages:
        for code, label in language.choices.get(key, ()):
            lookup[label.lower()] = code
            lookup[code.lower()] = code
    return lookup
