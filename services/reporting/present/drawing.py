"""The pyramid drawn: bands of offers per level, level 1 at the base, each as wide as its share
of the widest level and split by the kind of provider. Geometry only; the page's template
writes it as SVG and the data table beside it carries the same numbers for everyone."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.reports.pyramid import Pyramid
from services.reporting.reports.scope import LEVELS
from shared import vocab

WIDTH = 640
LABEL_WIDTH = 170
BAND_HEIGHT = 56
GAP = 8
MIN_BAND = 4.0  # an empty level still shows as a sliver


@dataclass(frozen=True)
class Segment:
    kind: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Band:
    level: int
    total: int
    y: float
    segments: list[Segment]

    @property
    def text_y(self) -> float:
        return self.y + BAND_HEIGHT / 2 + 6


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    label_width: int
    band_height: int
    bands: list[Band]


def pyramid_drawing(shape: Pyramid) -> Drawing:
    """Bands from level 3 at the top to level 1 at the base."""
    room = WIDTH - LABEL_WIDTH - 10
    widest = max((shape.level_total(level) for level in LEVELS), default=0) or 1
    centre = LABEL_WIDTH + room / 2
    bands = []
    for row, level in enumerate(sorted(LEVELS, reverse=True)):
        total = shape.level_total(level)
        width = max(MIN_BAND, room * total / widest)
        x = centre - width / 2
        segments = []
        for kind in vocab.ORGANISATION_KINDS.codes:
            n = shape.kinds[level][kind]
            if n:
                part = width * n / total
                segments.append(Segment(kind, n, round(x, 1), round(part, 1)))
                x += part
        bands.append(Band(level, total, row * (BAND_HEIGHT + GAP), segments))
    height = len(bands) * (BAND_HEIGHT + GAP)
    return Drawing(WIDTH, height, LABEL_WIDTH, BAND_HEIGHT, bands)
