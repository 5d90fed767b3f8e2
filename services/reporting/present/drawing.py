"""Drawings of reports: the pyramid (bands of offers per level, level 1 at the base, each as
wide as its share of the widest level and split by the kind of provider) and the trend (a line
per level over the month ends). Geometry only; the page's template writes it as SVG, and the
data table beside it carries the same numbers for everyone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.reporting.reports.pyramid import Pyramid
from services.reporting.reports.scope import LEVELS
from shared import vocab

WIDTH = 640
LABEL_WIDTH = 165
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


@dataclass(frozen=True)
class Line:
    level: int
    points: str  # SVG polyline points
    dots: list[tuple[float, float]]


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    bottom: float
    top: int
    lines: list[Line]
    ticks: list[tuple[float, int]]  # y, count
    labels: list[tuple[float, str]]  # x, month


def trend_chart(points: list[tuple[dt.date, dict[int, int]]]) -> Chart:
    """Lines of offers per level over the month ends, with the counts' axis from 0."""
    width, height, left, right, top, bottom = 640, 260, 44, 36, 12, 36
    highest = max((n for _, counts in points for n in counts.values()), default=0) or 1
    room_x = width - left - right
    room_y = height - top - bottom
    step = room_x / max(1, len(points) - 1)

    def x(i: int) -> float:
        return round(left + (i * step if len(points) > 1 else room_x / 2), 1)

    def y(n: int) -> float:
        return round(top + room_y * (1 - n / highest), 1)

    lines = []
    for level in LEVELS:
        dots = [(x(i), y(counts[level])) for i, (_, counts) in enumerate(points)]
        lines.append(Line(level, " ".join(f"{a},{b}" for a, b in dots), dots))
    ticks = sorted({(y(n), n) for n in (0, highest // 2, highest)}, key=lambda t: t[1])
    every = max(1, -(-len(points) // 8))  # at most about eight month labels
    labels = [(x(i), day.strftime("%Y-%m")) for i, (day, _) in enumerate(points) if i % every == 0]
    return Chart(width, height, left, height - bottom, top, lines, ticks, labels)
