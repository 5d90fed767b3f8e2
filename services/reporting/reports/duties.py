"""Statutory duties: for each duty in the catalogue that applies, whether offers fulfil it.

The catalogue is ``shared/data/statutory_duties.json``; each duty says which kinds of public
body carry it. Children live in municipalities, and every municipality is served by bodies of
every kind (itself, its county, a region, the state), so for an **area** every duty of the
catalogue applies, and it is assessed municipality by municipality: a duty is covered in a
municipality when at least one offer available there, from whoever, cites it. A municipality's
report says covered or not; a county's, a region's or the country's says in how many of its
municipalities. For an **organisation**, the duties of its kind apply, assessed over the
municipalities of its home area, counting only its own offers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from services.reporting.history.models import DUTY, OfferVersion, VersionCoverage, VersionTerm
from services.reporting.reports.scope import Scope, scoped
from shared.areas import PACKAGED_DATA_DIR, reference_data

CATALOGUE_FILE = PACKAGED_DATA_DIR / "statutory_duties.json"
PUBLIC_BODIES = ("municipality", "county", "region", "state")


@dataclass(frozen=True)
class Duty:
    code: str
    title: dict[str, str]
    law: str
    section: str
    url: str | None
    applies_to: tuple[str, ...]

    def label(self, lang: str) -> str:
        return self.title.get(lang) or self.title["nb"]


@lru_cache(maxsize=1)
def catalogue() -> tuple[Duty, ...]:
    """The duties of the shared catalogue, in its order."""
    entries: list[dict[str, Any]] = json.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    return tuple(
        Duty(
            code=e["code"],
            title=e["title"],
            law=e["law"]["short"],
            section=e["section"],
            url=e.get("section_url") or e["law"].get("url"),
            applies_to=tuple(e["applies_to"]),
        )
        for e in entries
    )


@dataclass
class DutyStatus:
    duty: Duty
    offers: int
    municipalities_covered: int
    municipalities: int

    @property
    def status(self) -> str:
        """``covered`` in every municipality, ``partly`` in some, ``missing`` in none."""
        if self.municipalities_covered == 0 or self.offers == 0:
            return "missing"
        return "covered" if self.municipalities_covered == self.municipalities else "partly"


def applicable(scope: Scope) -> list[Duty]:
    """The duties of the catalogue that apply to the scope (see the module's docstring)."""
    kinds = PUBLIC_BODIES if scope.organisation is None else (scope.organisation.kind,)
    return [d for d in catalogue() if set(d.applies_to) & set(kinds)]


def duties(session: Session, scope: Scope) -> list[DutyStatus]:
    """Every applicable duty with its offers and the municipalities where it is covered."""
    offers = dict(
        session.execute(
            select(VersionTerm.code, func.count(distinct(OfferVersion.id)))
            .join(OfferVersion, OfferVersion.id == VersionTerm.version_pk)
            .where(VersionTerm.facet == DUTY, *scoped(scope))
            .group_by(VersionTerm.code)
        ).all()
    )
    reached: dict[str, set[str]] = {}
    areas = reference_data()
    for code, area in session.execute(
        select(VersionTerm.code, VersionCoverage.area)
        .join(OfferVersion, OfferVersion.id == VersionTerm.version_pk)
        .join(VersionCoverage, VersionCoverage.version_pk == OfferVersion.id)
        .where(VersionTerm.facet == DUTY, *scoped(scope))
        .distinct()
    ):
        reached.setdefault(code, set()).update(areas.get(area).municipalities)
    units = scope.municipalities
    return [
        DutyStatus(
            duty,
            int(offers.get(duty.code, 0)),
            len(reached.get(duty.code, set()) & units),
            len(units),
        )
        for duty in applicable(scope)
    ]
