"""A report as tables: the one shape the pages, the JSON API and the CSV and XLSX downloads all
render, so a number is the same wherever it is read.

Every count in a table can carry a :class:`Drill`: the scope and filter of the offers behind
it, which the page turns into a link to the offer list and the API into a URL of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.reporting.reports.scope import OfferFilter, Scope
from shared.vocab import Vocabulary

Value = str | int | float | None


@dataclass(frozen=True)
class Drill:
    """The offers behind a number: ``scope`` filtered by ``offers``."""

    scope: Scope
    offers: OfferFilter

    def params(self) -> dict[str, str]:
        return {**self.scope.params(), **self.offers.params()}


@dataclass(frozen=True)
class Cell:
    value: Value
    drill: Drill | None = None
    # An empty cell that marks a gap (no offer where one could be expected).
    gap: bool = False
    link: str | None = None  # an outside address, such as an offer's URI


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool = False


@dataclass
class Row:
    key: str
    cells: list[Cell]
    # A row of totals, or one that is a gap as a whole.
    total: bool = False
    gap: bool = False


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    # How many header cells start each row (the row's labels).
    header_cells: int = 1
    # What a reader must know to read the table right (e.g. how offers are counted).
    note: str | None = None

    def add(self, key: str, *cells: Cell | Value, total: bool = False, gap: bool = False) -> Row:
        row = Row(key, [c if isinstance(c, Cell) else Cell(c) for c in cells], total, gap)
        self.rows.append(row)
        return row

    def values(self) -> list[list[Value]]:
        """The table as plain values, header row first (for CSV and XLSX)."""
        return [[c.label for c in self.columns], *[[c.value for c in r.cells] for r in self.rows]]


@dataclass
class Report:
    """A report of one kind for one scope (two for a comparison), with its tables."""

    kind: str
    title: str
    scope: Scope
    tables: list[Table]
    summary: dict[str, Any] = field(default_factory=dict)
    other: Scope | None = None
    data: Any = None  # the report's own result, for drawings

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(name)


def label(vocabulary: Vocabulary, code: str, lang: str) -> str:
    return vocabulary.get(code).label(lang) if code in vocabulary else code


def count(scope: Scope, n: int, **offers: Any) -> Cell:
    """A count that drills down to the offers of ``scope`` that ``offers`` selects."""
    return Cell(n, Drill(scope, OfferFilter(**offers)))
