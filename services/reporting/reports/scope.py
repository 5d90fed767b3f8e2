"""What a report is about: an area or an organisation, as of the end of a day.

Every report selects the offers of its :class:`Scope` with :func:`scoped`, so a report for
today and one for a past date are the same query with another instant, and a number on a page
and the list of offers it drills down to (:class:`OfferFilter`) are the same conditions.

An area's offers are those whose coverage reaches it, whoever provides them (ARCHITECTURE.md,
principle 5): in a municipality, its own offers and those of other bodies that cover it (the
county, a region, the state, voluntary organisations); in a county or a region, every offer
available somewhere in it; in the whole country, every offer. An organisation's offers are
those it provides, wherever they are available.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import cached_property

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from services.reporting.history.models import (
    DIAGNOSIS_GROUP,
    DUTY,
    RISK_GROUP,
    OfferVersion,
    VersionCoverage,
    VersionTerm,
)
from services.reporting.norway_time import end_of
from shared.areas import NATIONAL, Area, AreaKind, reference_data

# Pregnancy and infancy, school start, teenage years, young adults (to the contract's 25).
AGE_BANDS: tuple[tuple[int, int], ...] = ((0, 5), (6, 12), (13, 17), (18, 25))
LEVELS = (1, 2, 3)
QUALITY_FIELDS = ("user_participation", "evaluated", "good_practice", "evidence_based")


def band_code(band: tuple[int, int]) -> str:
    return f"{band[0]}-{band[1]}"


BANDS_BY_CODE = {band_code(band): band for band in AGE_BANDS}


@dataclass(frozen=True)
class Organisation:
    """A provider as its newest known version names it."""

    organisation_number: str
    name: str
    kind: str
    home_area: str


@dataclass(frozen=True)
class Scope:
    """An area (``area``) or an organisation (``organisation``), as of the end of ``at``."""

    at: dt.date
    area: Area | None = None
    organisation: Organisation | None = None

    @property
    def instant(self) -> dt.datetime:
        return end_of(self.at)

    @property
    def code(self) -> str:
        if self.area is not None:
            return self.area.code
        assert self.organisation is not None  # noqa: S101 - one of the two is always set
        return self.organisation.organisation_number

    def name(self, lang: str) -> str:
        if self.area is not None:
            return self.area.label(lang)
        assert self.organisation is not None  # noqa: S101
        return self.organisation.name

    @property
    def municipalities(self) -> frozenset[str]:
        """The municipalities the scope is about: the area's, or those of the organisation's
        home area (where its duties lie)."""
        areas = reference_data()
        if self.area is not None:
            return self.area.municipalities
        assert self.organisation is not None  # noqa: S101
        home = self.organisation.home_area
        return areas.get(home if home in areas else NATIONAL).municipalities

    def params(self) -> dict[str, str]:
        """The scope as query parameters."""
        return dict(self._params)

    @cached_property
    def _params(self) -> dict[str, str]:
        # Made once per scope: a national report links thousands of numbers to its offers.
        key = "area" if self.area is not None else "organisation"
        return {key: self.code, "at": self.at.isoformat()}

    def on(self, at: dt.date) -> Scope:
        return replace(self, at=at)


def area_scope(code: str, at: dt.date) -> Scope:
    """The scope of an area; :class:`UnknownAreaError` for a code not in the classification."""
    return Scope(at=at, area=reference_data().get(code))


def organisation_scope(session: Session, organisation_number: str, at: dt.date) -> Scope | None:
    """The scope of a provider the history knows, named as its newest version names it."""
    row = session.execute(
        select(
            OfferVersion.provider_name,
            OfferVersion.provider_kind,
            OfferVersion.provider_home_area,
        )
        .where(OfferVersion.provider_orgnr == organisation_number)
        .order_by(OfferVersion.valid_from.desc(), OfferVersion.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Scope(at=at, organisation=Organisation(organisation_number, *row))


def valid_at(instant: dt.datetime) -> list[ColumnElement[bool]]:
    """The published versions in force at ``instant`` (at most one per offer)."""
    return [
        OfferVersion.withdrawn.is_(False),
        OfferVersion.valid_from < instant,
        or_(OfferVersion.valid_to.is_(None), OfferVersion.valid_to >= instant),
    ]


def _coverage(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return OfferVersion.id.in_(select(VersionCoverage.version_pk).where(condition))


def area_condition(area: Area) -> ColumnElement[bool] | None:
    """Offers whose coverage reaches ``area`` (none needed for the whole country)."""
    if area.kind is AreaKind.NATIONAL:
        return None
    if area.kind is AreaKind.MUNICIPALITY:
        return _coverage(VersionCoverage.area.in_([area.code, area.county_code, NATIONAL]))
    counties = (
        [area.code]
        if area.kind is AreaKind.COUNTY
        else list(reference_data().region_counties[area.code])
    )
    return _coverage(or_(VersionCoverage.county.in_(counties), VersionCoverage.area == NATIONAL))


def placed(scope: Scope) -> list[ColumnElement[bool]]:
    """The conditions selecting the versions of the scope's area or organisation, any day."""
    if scope.area is not None:
        condition = area_condition(scope.area)
        return [] if condition is None else [condition]
    assert scope.organisation is not None  # noqa: S101
    return [OfferVersion.provider_orgnr == scope.organisation.organisation_number]


def scoped(scope: Scope) -> list[ColumnElement[bool]]:
    """The conditions selecting the offers of ``scope`` from ``offer_versions``."""
    return [*valid_at(scope.instant), *placed(scope)]


def _has_term(facet: str, code: str) -> ColumnElement[bool]:
    return exists().where(
        VersionTerm.version_pk == OfferVersion.id,
        VersionTerm.facet == facet,
        VersionTerm.code == code,
    )


@dataclass(frozen=True)
class OfferFilter:
    """The offers behind one number of a report: every part is optional, all must hold."""

    level: int | None = None
    provider_kind: str | None = None
    provider: str | None = None
    agency: str | None = None
    category: str | None = None
    risk_group: str | None = None
    diagnosis_group: str | None = None
    duty: str | None = None
    age_band: str | None = None
    quality: str | None = None
    overdue: bool | None = None
    outside_home: bool | None = None
    measure_status: str | None = None

    def conditions(self, scope: Scope) -> list[ColumnElement[bool]]:
        """The filter as conditions on ``offer_versions`` (overdue is judged on the scope's day)."""
        conditions: list[ColumnElement[bool]] = []
        for name in ("level", "provider_kind", "category", "measure_status"):
            value = getattr(self, name)
            if value is not None:
                conditions.append(getattr(OfferVersion, name) == value)
        if self.provider is not None:
            conditions.append(OfferVersion.provider_orgnr == self.provider)
        if self.agency is not None:
            conditions.append(OfferVersion.agency_id == self.agency)
        for facet, code in (
            (RISK_GROUP, self.risk_group),
            (DIAGNOSIS_GROUP, self.diagnosis_group),
            (DUTY, self.duty),
        ):
            if code is not None:
                conditions.append(_has_term(facet, code))
        if self.age_band is not None:
            low, high = BANDS_BY_CODE[self.age_band]
            conditions.append(and_(OfferVersion.age_min <= high, OfferVersion.age_max >= low))
        if self.quality is not None:
            conditions.append(getattr(OfferVersion, self.quality).is_(True))
        if self.overdue is not None:
            late = OfferVersion.review_due < scope.at
            conditions.append(late if self.overdue else ~late)
        if self.outside_home is not None:
            conditions.append(OfferVersion.outside_home.is_(self.outside_home))
        return conditions

    def params(self) -> dict[str, str]:
        """The filter as query parameters (only the parts that are set)."""
        # The instance's own fields, in their order (no getattr per field: a national report
        # asks this of thousands of filters).
        return {
            name: (str(value).lower() if isinstance(value, bool) else str(value))
            for name, value in self.__dict__.items()
            if value is not None
        }

    def __bool__(self) -> bool:
        return bool(self.params())
