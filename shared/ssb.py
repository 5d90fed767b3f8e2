"""Import a newer municipality and county classification from Statistics Norway (SSB).

SSB publishes the classifications in KLASS: 131 (kommuneinndeling) and 104 (fylkesinndeling).
Both the JSON of ``.../classifications/<id>/codesAt.json?date=YYYY-MM-DD`` (an object with a
``codes`` list) and the CSV of ``codesAt.csv`` (``;``-separated, quoted, usually ISO-8859-1) are
accepted. The import checks the two lists against each other and against the regions before it
writes anything, so a bad download never replaces good data.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from shared.areas import (
    COUNTIES_FILE,
    MUNICIPALITIES_FILE,
    PACKAGED_DATA_DIR,
    REGIONS_FILE,
    ReferenceData,
    read_regions,
)

MUNICIPALITY_CODE = re.compile(r"^\d{4}$")
COUNTY_CODE = re.compile(r"^\d{2}$")
# SSB lists "Uoppgitt" (unknown) entries such as 9999 and 99; they are not areas.
UNKNOWN_NAMES = {"uoppgitt", "ukjent"}


class ClassificationError(ValueError):
    """The downloaded classification is unusable; nothing was written."""


@dataclass(frozen=True)
class ImportResult:
    municipalities: int
    counties: int
    directory: Path


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ClassificationError("the file is neither UTF-8 nor Windows-1252/ISO-8859-1 text")


def parse_klass(raw: bytes) -> dict[str, str]:
    """Return ``{code: name}`` from a KLASS JSON or CSV download."""
    text = _decode(raw).strip()
    if not text:
        raise ClassificationError("the file is empty")
    rows = _json_rows(text) if text.startswith("{") else _csv_rows(text)
    codes: dict[str, str] = {}
    for row in rows:
        if not isinstance(row, dict) or "code" not in row or "name" not in row:
            raise ClassificationError("every row needs a 'code' and a 'name'")
        code, name = str(row["code"]).strip(), str(row["name"]).strip()
        if name.lower() in UNKNOWN_NAMES:
            continue
        if code in codes:
            raise ClassificationError(f"code {code} occurs twice")
        codes[code] = name
    if not codes:
        raise ClassificationError("the file holds no codes")
    return codes


def _json_rows(text: str) -> list[object]:
    try:
        rows = json.loads(text)["codes"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ClassificationError(f"not a KLASS JSON code list: {exc}") from None
    if not isinstance(rows, list):
        raise ClassificationError("not a KLASS JSON code list: 'codes' is not a list")
    return rows


def _csv_rows(text: str) -> list[object]:
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0], delimiters=";,")
    except csv.Error:
        raise ClassificationError("neither KLASS JSON nor a ';'- or ','-separated CSV") from None
    return list(csv.DictReader(io.StringIO(text), dialect=dialect))


def import_classification(
    municipalities_raw: bytes, counties_raw: bytes, out_dir: Path
) -> ImportResult:
    """Validate SSB's two code lists and write them as the project's reference data files."""
    municipalities = parse_klass(municipalities_raw)
    counties = parse_klass(counties_raw)
    bad = [c for c in municipalities if not MUNICIPALITY_CODE.match(c)]
    bad += [c for c in counties if not COUNTY_CODE.match(c)]
    if bad:
        raise ClassificationError(f"malformed codes: {', '.join(sorted(bad)[:10])}")
    with_county = {code: (name, code[:2]) for code, name in municipalities.items()}
    regions_path = out_dir / REGIONS_FILE
    regions = read_regions(
        regions_path if regions_path.exists() else PACKAGED_DATA_DIR / REGIONS_FILE
    )
    try:
        ReferenceData(with_county, counties, regions)
    except ValueError as exc:
        raise ClassificationError(f"{exc}; update the regions file first") from None
    empty = sorted(set(counties) - {county for _, county in with_county.values()})
    if empty:
        raise ClassificationError(f"counties without municipalities: {', '.join(empty)}")

    out_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(
        out_dir / MUNICIPALITIES_FILE,
        ["code", "name", "county_code"],
        [(code, name, county) for code, (name, county) in sorted(with_county.items())],
    )
    _write_csv(out_dir / COUNTIES_FILE, ["code", "name"], sorted(counties.items()))
    return ImportResult(len(municipalities), len(counties), out_dir)


def _write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> None:
    # Write beside the target and rename, so a reader never sees half a file.
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    tmp.replace(path)
