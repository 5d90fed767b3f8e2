"""Tables for spreadsheets: the one set of rules for every CSV and XLSX download (the offer
tables of :mod:`shared.offer_table`, the reports' tables).

CSV comes in two dialects (:data:`CSV_DIALECTS`). The default, ``semicolon``, is what Excel in
Norwegian splits into columns when the file is opened: fields separated by ``;`` (the list
separator of a locale whose decimal separator is the comma) and decimals written with a comma
(``2,5`` årsverk; a decimal point would be read as a date). ``comma`` is RFC 4180 as programs
read it: ``,`` between fields and a decimal point. Both are UTF-8 with a byte-order mark (so
spreadsheets read æ, ø and å right), CRLF line ends and quotes where RFC 4180 needs them;
booleans are ``true``/``false``, and nothing is written for no value.

Texts come from every node of the federation, so none may become a formula: in CSV a text a
spreadsheet would read as one (starting with =, +, -, @, a tab or a carriage return) gets a
leading ``'``, and in XLSX every text is stored as text (:func:`keep_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, fields, validate
from openpyxl.cell.cell import Cell

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Value = str | int | float | bool | None


@dataclass(frozen=True)
class CsvDialect:
    separator: str  # between fields
    decimal: str  # in a number with a fraction


CSV_DIALECTS = {"semicolon": CsvDialect(";", ","), "comma": CsvDialect(",", ".")}
DEFAULT_DIALECT = "semicolon"


def csv_value(value: Value, dialect: CsvDialect) -> Value:
    """``value`` as written in a CSV field of ``dialect``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, float):
        return repr(value).replace(".", dialect.decimal)
    return value


def csv_chunks(rows: Iterable[Sequence[Value]], dialect: str = DEFAULT_DIALECT) -> Iterator[str]:
    """``rows`` (the header first) as CSV text in ``dialect``, a row at a time, the byte-order
    mark before the first."""
    chosen = CSV_DIALECTS[dialect]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=chosen.separator, lineterminator="\r\n")
    start = BOM
    for row in rows:
        writer.writerow([csv_value(value, chosen) for value in row])
        yield start + buffer.getvalue()
        start = ""
        buffer.seek(0)
        buffer.truncate()


def csv_bytes(rows: Iterable[Sequence[Value]], dialect: str = DEFAULT_DIALECT) -> bytes:
    """``rows`` (the header first) as a CSV file in ``dialect``."""
    return "".join(csv_chunks(rows, dialect)).encode("utf-8")


def keep_text(cell: Cell | Any) -> None:
    """Store an XLSX cell's text as text, even one that starts with ``=``."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def with_separator(schema: type[Schema]) -> type[Schema]:
    """``schema`` with a CSV download's ``separator`` (the dialect; other formats have none)."""
    separator = fields.String(
        load_default=DEFAULT_DIALECT,
        validate=validate.OneOf(tuple(CSV_DIALECTS)),
        metadata={
            "description": "semicolon (default): ';' between fields and a decimal comma, as "
            "Excel in Norwegian reads it; comma: RFC 4180 commas and a decimal point. Both "
            "are UTF-8 with a byte-order mark."
        },
    )
    return type(f"Csv{schema.__name__}", (schema,), {"separator": separator})
