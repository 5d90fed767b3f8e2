"""Step 5 against the whole area: the organisation's own offers (:mod:`.assessment`) together
with those of the other providers that cover it (the county, regions, the state, voluntary
organisations, neighbours), as national search lists them.

A gap of the organisation's own may be filled by another provider, and a gap of the whole area
is one nobody fills: the coordination group answers the step-5 questions against both.
Statutory duties and the quality shares stay the organisation's own (another provider's offer
does not fulfil the municipality's duty). Flask-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.registry.coordination.assessment import LEVELS, Assessment
from services.registry.national.services import AreaOffer, AreaPicture

OWN = "own"


@dataclass
class WholePicture:
    picture: AreaPicture
    # level -> column -> count; the columns are "own", then each kind of other provider.
    pyramid: dict[int, dict[str, int]] = field(default_factory=dict)
    kinds: list[tuple[str, str]] = field(default_factory=list)  # (code, label) of the columns
    uncovered_risk_groups: list[str] = field(default_factory=list)
    filled_by_others: list[tuple[str, list[AreaOffer]]] = field(default_factory=list)
    uncovered_age_bands: list[tuple[int, int]] = field(default_factory=list)
    ages_filled_by_others: list[tuple[tuple[int, int], list[AreaOffer]]] = field(
        default_factory=list
    )

    def total(self, level: int) -> int:
        return sum(self.pyramid[level].values())

    @property
    def base_is_widest(self) -> bool:
        return all(self.total(1) >= self.total(level) for level in LEVELS)


def _ages_meet(offer: AreaOffer, band: tuple[int, int]) -> bool:
    return offer.age_min <= band[1] and band[0] <= offer.age_max


def whole_picture(own: Assessment, picture: AreaPicture) -> WholePicture:
    """The pyramid and the gaps of the area: the organisation's offers (not withdrawn) and
    the other providers' published offers."""
    others = picture.offers
    result = WholePicture(picture)
    result.kinds = sorted({(o.kind, o.kind_label) for o in others})
    for level in LEVELS:
        counts = {OWN: sum(own.pyramid[level].values())}
        for kind, _label in result.kinds:
            counts[kind] = sum(1 for o in others if o.level == level and o.kind == kind)
        result.pyramid[level] = counts
    for code in own.uncovered_risk_groups:
        filling = [o for o in others if code in o.risk_groups]
        if filling:
            result.filled_by_others.append((code, filling))
        else:
            result.uncovered_risk_groups.append(code)
    for band in own.uncovered_age_bands:
        filling = [o for o in others if _ages_meet(o, band)]
        if filling:
            result.ages_filled_by_others.append((band, filling))
        else:
            result.uncovered_age_bands.append(band)
    return result
