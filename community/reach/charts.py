"""Geometry of the server-rendered SVG charts (as moderation/stats.py draws its bars).

No chart library and no inline styles (the CSP forbids both): templates draw with SVG
presentation attributes, and every chart has a table with the same numbers next to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

BAR = "#1f4e9c"  # 3:1 or more against white
# Heat map steps, light to dark; the darkest holds white text at 7:1.
HEAT = ["#f4f4f4", "#d6e6f5", "#9ec3e6", "#5b93cc", "#2f6aae", "#1f4e9c"]


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int | None  # None: suppressed, drawn as a dash

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass
class BarChart:
    bars: list[Bar]
    ticks: list[tuple[float, int]]
    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_bottom: int
    label_every: int = 1


def bar_chart(values: list[tuple[str, int | None]], *, width: int = 720, height: int = 240,
              label_every: int = 1) -> BarChart:
    plot_left, plot_top, plot_bottom = 48, 16, height - 30
    top = max([v for _label, v in values if v] + [1])
    step = max(math.ceil(top / 4), 1)
    scale_max = step * 4
    plot_h = plot_bottom - plot_top
    slot = (width - plot_left - 10) / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(values):
        h = plot_h * (value or 0) / scale_max
        bars.append(Bar(x=plot_left + slot * i + slot * 0.15, y=plot_bottom - h, width=slot * 0.7, height=h,
                        label=label, value=value))
    ticks = [(plot_bottom - plot_h * (i * step) / scale_max, i * step) for i in range(5)]
    return BarChart(bars, ticks, width, height, plot_left, plot_top, plot_bottom, label_every)


@dataclass
class Cell:
    x: float
    y: float
    value: int
    fill: str
    title: str


@dataclass
class HeatMap:
    cells: list[Cell] = field(default_factory=list)
    rows: list[tuple[float, str]] = field(default_factory=list)  # y, weekday label
    columns: list[tuple[float, int]] = field(default_factory=list)  # x, hour
    legend: list[tuple[str, str]] = field(default_factory=list)  # fill, range text
    size: float = 26
    left: int = 40
    top: int = 22
    width: int = 0
    height: int = 0


def heat_step(value: int, top: int) -> int:
    """0 for no views, else 1..5 by share of the busiest cell."""
    if value <= 0 or top <= 0:
        return 0
    return min(max(math.ceil(5 * value / top), 1), 5)


def heat_map(grid: list[list[int]], weekday_labels: list[str], title) -> HeatMap:
    """grid[weekday][hour]; `title(weekday_label, hour, value)` names a cell for its tooltip."""
    hm = HeatMap()
    top = max([v for row in grid for v in row] + [0])
    for w, row in enumerate(grid):
        y = hm.top + w * hm.size
        hm.rows.append((y + hm.size / 2 + 4, weekday_labels[w]))
        for h, value in enumerate(row):
            x = hm.left + h * hm.size
            hm.cells.append(Cell(x, y, value, HEAT[heat_step(value, top)], title(weekday_labels[w], h, value)))
    hm.columns = [(hm.left + h * hm.size + hm.size / 2, h) for h in range(0, 24, 3)]
    hm.width = int(hm.left + 24 * hm.size + 4)
    hm.height = int(hm.top + 7 * hm.size + 4)
    if top:
        # Step i holds the values above bounds[i-1] up to bounds[i] (see heat_step).
        bounds = [top * i // 5 for i in range(6)]
        hm.legend = [(HEAT[0], "0")] + [
            (HEAT[i], f"{bounds[i - 1] + 1}–{bounds[i]}" if bounds[i] > bounds[i - 1] + 1 else str(bounds[i]))
            for i in range(1, 6) if bounds[i] > bounds[i - 1]
        ]
    return hm


@dataclass
class HBar:
    y: float
    width: float
    label: str
    value: int | None


@dataclass
class HBarChart:
    bars: list[HBar]
    width: int
    height: int
    plot_left: int
    row: int


def hbar_chart(values: list[tuple[str, int | None]], *, width: int = 720, plot_left: int = 190,
               row: int = 28) -> HBarChart:
    """Horizontal bars, for long labels such as age bands; the value is written after each bar."""
    top = max([v for _label, v in values if v] + [1])
    span = width - plot_left - 70
    bars = [HBar(y=8 + i * row, width=span * (v or 0) / top, label=label, value=v)
            for i, (label, v) in enumerate(values)]
    return HBarChart(bars, width, 16 + row * len(values), plot_left, row)
