"""Norwegian areas: municipalities, counties, regions and the whole country.

An *area code* is what Norwegians already use: a four-digit municipality number (``3301``),
a two-digit county number (``33``), a region code (``bufetat-sor``) or ``NO`` for the whole
country. Coverage of an offer is a list of area codes; :meth:`ReferenceData.expand` turns it into
the municipalities it reaches, which is how county, regional and state offers appear locally.

The classification is the one in force since 2024-01-01 (Statistics Norway, classifications 131
and 104), shipped in ``shared/data``; ``NETTUNGEN_REFDATA_DIR`` points at a newer copy made by
``nettungen refdata import``.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

NATIONAL = "NO"
PACKAGED_DATA_DIR = Path(__file__).parent / "data"
REFDATA_DIR_ENV = "NETTUNGEN_REFDATA_DIR"

MUNICIPALITIES_FILE = "municipalities.csv"
COUNTIES_FILE = "counties.csv"
REGIONS_FILE = "regions.json"


class AreaKind(StrEnum):
    MUNICIPALITY = "municipality"
    COUNTY = "county"
    REGION = "region"
    NATIONAL = "national"


@dataclass(frozen=True)
class Area:
    """One area with the municipalities inside it."""

    code: str
    kind: AreaKind
    name: str
    municipalities: frozenset[str]
    # Region names differ by language; municipality and county names are official and single.
    names: Mapping[str, str] = field(default_factory=dict)
    county_code: str | None = None

    def label(self, lang: str = "nb") -> str:
        return self.names.get(lang, self.name)


class UnknownAreaError(ValueError):
    """Raised for an area code that is not in the classification."""


class ReferenceData:
    """The classification in memory: every area by code, with O(1) look-ups."""

    def __init__(
        self,
        municipalities: Mapping[str, tuple[str, str]],
        counties: Mapping[str, str],
        regions: Iterable[Mapping],
    ) -> None:
        by_county: dict[str, set[str]] = {code: set() for code in counties}
        self.areas: dict[str, Area] = {}
        for code, (name, county_code) in sorted(municipalities.items()):
            if county_code not in counties:
                raise ValueError(f"municipality {code} names unknown county {county_code}")
            by_county[county_code].add(code)
            self.areas[code] = Area(
                code, AreaKind.MUNICIPALITY, name, frozenset({code}), county_code=county_code
            )
        for code, name in sorted(counties.items()):
            self.areas[code] = Area(code, AreaKind.COUNTY, name, frozenset(by_county[code]))
        for region in regions:
            missing = [c for c in region["counties"] if c not in counties]
            if missing:
                raise ValueError(f"region {region['code']} names unknown counties {missing}")
            members = frozenset().union(*(by_county[c] for c in region["counties"]))
            self.areas[region["code"]] = Area(
                region["code"],
                AreaKind.REGION,
                region["name"]["nb"],
                members,
                names=dict(region["name"]),
            )
        self.areas[NATIONAL] = Area(
            NATIONAL,
            AreaKind.NATIONAL,
            "Norge",
            frozenset(municipalities),
            names={"nb": "Hele landet", "nn": "Heile landet", "en": "All of Norway"},
        )
        self.region_counties = {r["code"]: tuple(r["counties"]) for r in regions}

    def __contains__(self, code: object) -> bool:
        return code in self.areas

    def get(self, code: str) -> Area:
        try:
            return self.areas[code]
        except KeyError:
            raise UnknownAreaError(f"Unknown area code: {code!r}") from None

    def of_kind(self, kind: AreaKind) -> list[Area]:
        return [a for a in self.areas.values() if a.kind is kind]

    def unknown(self, codes: Iterable[str]) -> list[str]:
        """The codes among ``codes`` that name no area, in their given order."""
        return [c for c in codes if c not in self.areas]

    def expand(self, coverage: Iterable[str]) -> frozenset[str]:
        """All municipality codes reached by a coverage list."""
        return frozenset().union(*(self.get(code).municipalities for code in coverage))

    def covers(self, coverage: Iterable[str], municipality: str) -> bool:
        return municipality in self.expand(coverage)


def read_municipalities(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: (r["name"], r["county_code"]) for r in csv.DictReader(f)}


def read_counties(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f)}


def read_regions(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["regions"]


def reference_data_directory() -> Path:
    """The folder the classification is read from: ``NETTUNGEN_REFDATA_DIR``, else the
    packaged data."""
    return Path(os.environ.get(REFDATA_DIR_ENV) or PACKAGED_DATA_DIR)


def load_reference_data(directory: Path | None = None) -> ReferenceData:
    """Load the classification from ``directory`` (default: the configured or packaged data).

    Regions are always read from the packaged file unless the directory has its own.
    """
    directory = directory or reference_data_directory()
    regions_path = directory / REGIONS_FILE
    if not regions_path.exists():
        regions_path = PACKAGED_DATA_DIR / REGIONS_FILE
    return ReferenceData(
        read_municipalities(directory / MUNICIPALITIES_FILE),
        read_counties(directory / COUNTIES_FILE),
        read_regions(regions_path),
    )


@lru_cache(maxsize=1)
def reference_data() -> ReferenceData:
    """The process-wide classification, loaded once."""
    return load_reference_data()


def coverage_grain(coverage: Iterable[str]) -> dict[str, str | None]:
    """An offer's coverage at the grain national services store it: area code → its county.

    Municipalities and counties stay as they are, a region becomes its counties and the whole
    country is ``NO`` alone (with no county). "Offers available in municipality 3301" is then
    the rows ``area IN ('3301', '33', 'NO')`` and "offers available in county 33" the rows
    ``county = '33' OR area = 'NO'``: the answer of expanding every coverage to all its
    municipalities, without 357 rows for each national offer. Codes a newer classification has
    retired are left out, so such an offer is still found nationally if it covers the country.
    """
    areas = reference_data()
    rows: dict[str, str | None] = {}
    for code in coverage:
        try:
            area = areas.get(code)
        except UnknownAreaError:
            continue
        if area.kind is AreaKind.NATIONAL:
            rows[NATIONAL] = None
        elif area.kind is AreaKind.REGION:
            rows.update({county: county for county in areas.region_counties[code]})
        elif area.kind is AreaKind.COUNTY:
            rows[code] = code
        else:
            rows[code] = area.county_code
    if NATIONAL in rows:
        return {NATIONAL: None}  # the rest adds nothing
    return rows
