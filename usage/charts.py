"""Server-rendered bar charts: the geometry of an inline SVG, no script, no library.

`bar_chart` lays out one bar per point in a fixed viewBox that the page scales to its
width; the template draws it (templates/usage/_chart.html) and shows the same figures
as a table for screen readers and for anyone who wants the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 400, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 26  # room for the axis labels
MAX_X_LABELS = 7


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # the point's name (a day), shown on the axis and in its tooltip
    text: str  # the value as people read it


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]  # the value axis: 0, half and the top
    x_labels: list[tuple[float, str]]  # (centre x, text) of every few bars
    left: int
    bottom: float  # y of the baseline
    right: float


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (> 0)."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def bar_chart(points: list[tuple[str, Decimal, str]], *, axis_text) -> Chart | None:
    """Bars for (label, value, text) points; `axis_text(Decimal)` writes the axis values.

    None when there is nothing to draw. Negative values (credits) draw as zero-height
    bars; their figures are still in the table.
    """
    if not points:
        return None
    top = nice_ceiling(max((value for _, value, _ in points), default=Decimal(0)))
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = plot_width / len(points)
    gap = min(2.0, slot * 0.2)
    bars = []
    for index, (label, value, text) in enumerate(points):
        height = float(max(value, Decimal(0)) / top) * plot_height
        bars.append(
            Bar(
                x=round(LEFT + index * slot + gap / 2, 2),
                y=round(baseline - height, 2),
                width=round(slot - gap, 2),
                height=round(height, 2),
                label=label,
                text=text,
            )
        )
    ticks = [
        Tick(y=round(baseline - fraction * plot_height, 2), text=axis_text(top * Decimal(fraction)))
        for fraction in (0, 0.5, 1)
    ]
    every = max(1, math.ceil(len(points) / MAX_X_LABELS))
    x_labels = [
        (round(LEFT + index * slot + slot / 2, 2), label)
        for index, (label, _, _) in enumerate(points)
        if index % every == 0
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        ticks=ticks,
        x_labels=x_labels,
        left=LEFT,
        bottom=baseline,
        right=WIDTH - RIGHT,
    )
