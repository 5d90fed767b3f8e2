"""What the site's pages ask the index beyond one page of results: offers grouped by pyramid
level, counts by where offers come from, the ways out of an empty search, the municipalities
to choose from. Plain functions over a session; the views turn them into pages."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.search import present
from services.search.index import query as index
from services.search.index.models import IndexedOffer
from services.search.index.query import OfferQuery
from services.search.site.params import SearchParams
from shared import text
from shared.areas import Area, AreaKind, reference_data

LEVELS_TOP_DOWN = (3, 2, 1)
# How many offers of each level an overview lists; the rest are a search away.
LISTED_PER_LEVEL = 50


@dataclass(frozen=True)
class LevelGroup:
    level: int
    total: int
    offers: list[IndexedOffer]

    @property
    def more(self) -> int:
        return self.total - len(self.offers)


@dataclass(frozen=True)
class SourceRow:
    """How many offers come from one kind of source, per pyramid level."""

    source: str
    by_level: dict[int, int]

    @property
    def total(self) -> int:
        return sum(self.by_level.values())


def pyramid(session: Session, query: OfferQuery) -> list[LevelGroup]:
    """The offers ``query`` finds, level 3 at the top and level 1 (for all) at the base;
    the first few of each level, and how many there are."""
    groups = []
    for level in LEVELS_TOP_DOWN:
        page = index.search(
            session, dataclasses.replace(query, level=(level,)), 1, LISTED_PER_LEVEL, facets=False
        )
        groups.append(LevelGroup(level, page.total, page.offers))
    return groups


def sources(session: Session, query: OfferQuery, municipality: str | None) -> list[SourceRow]:
    """Counts by source and level. Seen from ``municipality`` its own offers are told apart
    from other municipalities'; without one, every municipality is just a municipality."""
    table: dict[str, dict[int, int]] = {
        source: dict.fromkeys(LEVELS_TOP_DOWN[::-1], 0)
        for source in present.SOURCES
        if municipality or source != present.SOURCE_OWN
    }
    rows = index.grouped_counts(
        session,
        query,
        IndexedOffer.provider_kind,
        IndexedOffer.provider_home_area,
        IndexedOffer.level,
    )
    for kind, home_area, level, count in rows:
        offer = IndexedOffer(provider_kind=kind, provider_home_area=home_area)
        table[present.source(offer, municipality)][level] += count
    return [SourceRow(source, by_level) for source, by_level in table.items()]


def widening(session: Session, params: SearchParams) -> list[tuple[str, object, int]]:
    """For a search that finds nothing: each chosen value and how many offers the search
    finds without it, the most first."""
    ways = [
        (name, value, index.count(session, params.without(name, value).query()))
        for name, value in params.filters()
    ]
    return sorted((w for w in ways if w[2]), key=lambda w: -w[2])


def everything(session: Session) -> int:
    return index.count(session, OfferQuery())


def organisation(session: Session, orgnr: str) -> IndexedOffer | None:
    """The newest published offer of an organisation: what the index knows about it."""
    return session.scalar(
        select(IndexedOffer)
        .where(IndexedOffer.provider_orgnr == orgnr)
        .order_by(IndexedOffer.published_at.desc(), IndexedOffer.id)
        .limit(1)
    )


def area(code: str, kind: AreaKind) -> Area | None:
    areas = reference_data()
    if code not in areas or areas.get(code).kind is not kind:
        return None
    return areas.get(code)


def counties() -> list[Area]:
    return sorted(reference_data().of_kind(AreaKind.COUNTY), key=lambda a: text.sort_key(a.name))


def regions() -> list[Area]:
    """Every region, in the order the reference data lists them (by the body they belong to)."""
    return reference_data().of_kind(AreaKind.REGION)


def regions_with(county: str) -> list[Area]:
    """The regions a county belongs to."""
    areas = reference_data()
    return [r for r in regions() if county in areas.region_counties[r.code]]


def counties_of(region: str) -> list[Area]:
    areas = reference_data()
    counties_ = (areas.get(code) for code in areas.region_counties[region])
    return sorted(counties_, key=lambda a: text.sort_key(a.name))


def municipalities_of(county: Area) -> list[Area]:
    areas = reference_data()
    return sorted(
        (areas.get(code) for code in county.municipalities), key=lambda a: text.sort_key(a.name)
    )


def municipalities_by_county() -> list[tuple[Area, list[Area]]]:
    """All municipalities, grouped by county, each group in Norwegian alphabetical order."""
    return [(county, municipalities_of(county)) for county in counties()]
