"""Reading reports in tests: a table of a JSON report as {row key: {column key: value}}."""

from __future__ import annotations

from typing import Any


def grid(report: dict[str, Any], table: str) -> dict[str, dict[str, Any]]:
    [chosen] = [t for t in report["tables"] if t["name"] == table]
    keys = [c["key"] for c in chosen["columns"]]
    return {
        row["key"]: {k: cell["value"] for k, cell in zip(keys, row["cells"], strict=True)}
        for row in chosen["rows"]
    }


def column(report: dict[str, Any], table: str, key: str) -> dict[str, Any]:
    """One column of a table by row key."""
    return {row: values[key] for row, values in grid(report, table).items()}


def levels(row: dict[str, Any]) -> tuple[int, int, int, int]:
    """Level 1, 2, 3 and the total of a row of a matrix."""
    return row["level_1"], row["level_2"], row["level_3"], row["total"]


def get_report(api: Any, kind: str, **params: Any) -> dict[str, Any]:
    response = api.get(f"/api/v1/reports/{kind}", query_string={"lang": "en", **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()
