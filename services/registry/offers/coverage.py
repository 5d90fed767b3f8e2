"""The coverage of an offer chosen from the classification instead of typed as codes: the
whole country, the regions, and each county with a "the whole county" choice and its
municipalities (the 2024 classification of shared.areas). Codes still work in the API and the
spreadsheet, and in the form's field for other codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.areas import NATIONAL, AreaKind, reference_data


@dataclass(frozen=True)
class CountyChoices:
    code: str
    name: str
    municipalities: tuple[tuple[str, str], ...]  # (code, name)


@dataclass(frozen=True)
class AreaPicker:
    """What the coverage field offers to choose, in the reader's language."""

    national: str
    regions: tuple[tuple[str, str], ...]
    counties: tuple[CountyChoices, ...]

    def codes(self) -> frozenset[str]:
        """Every code offered as a choice."""
        found = {NATIONAL, *(c for c, _ in self.regions)}
        for county in self.counties:
            found.add(county.code)
            found.update(c for c, _ in county.municipalities)
        return frozenset(found)

    def others(self, chosen: Iterable[str]) -> list[str]:
        """The chosen codes that are not among the choices (retired by the classification)."""
        offered = self.codes()
        return [code for code in chosen if code not in offered]


def area_picker(lang: str) -> AreaPicker:
    """The choices of the coverage field, counties and municipalities by name."""
    data = reference_data()
    counties = []
    for county in sorted(data.of_kind(AreaKind.COUNTY), key=lambda a: a.label(lang)):
        members = (data.get(code) for code in county.municipalities)
        counties.append(
            CountyChoices(
                county.code,
                county.label(lang),
                tuple(sorted(((m.code, m.label(lang)) for m in members), key=lambda m: m[1])),
            )
        )
    regions = sorted((r.code, r.label(lang)) for r in data.of_kind(AreaKind.REGION))
    return AreaPicker(data.get(NATIONAL).label(lang), tuple(regions), tuple(counties))
