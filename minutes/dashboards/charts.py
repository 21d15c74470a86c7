"""Bar charts drawn on the server as SVG: no build step and no JavaScript.

Each chart carries a short description for assistive technology (role="img" and an
aria-label) and the page shows its numbers in a table beside it.
"""

from dataclasses import dataclass

WIDTH, HEIGHT = 620, 260
TOP, BOTTOM = 24, 44  # room for the value above each bar and the month below
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Point:
    label: str  # the month, e.g. "Mar"
    note: str  # a second line under it, e.g. the year, or ""
    value: float | None  # None: nothing to measure that month
    value_text: str  # what the table and the bar's label say
    name: str  # the month in full for the table, e.g. "March 2026"


@dataclass(frozen=True)
class Bar:
    point: Point
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def value_y(self) -> float:
        return round(self.y - 6, 1)

    @property
    def label(self) -> str:
        """Short enough to sit over a bar; the table beside the chart says it in full."""
        return self.point.value_text if self.point.value is not None else "–"


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    unit: str  # the heading of the table's value column
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = TOP + PLOT_HEIGHT

    @property
    def label_y(self) -> float:
        return self.baseline + 18

    @property
    def note_y(self) -> float:
        return self.baseline + 36


def bar_chart(
    title: str, points: list[Point], *, unit: str, maximum: float | None = None
) -> BarChart:
    """Bars scaled to `maximum` (100 for percentages) or to the largest value."""
    top = maximum or max((p.value or 0 for p in points), default=0) or 1
    slot = WIDTH / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        height = PLOT_HEIGHT * (point.value or 0) / top
        bars.append(
            Bar(
                point=point,
                x=round(index * slot + slot * 0.2, 1),
                y=round(TOP + PLOT_HEIGHT - height, 1),
                width=round(slot * 0.6, 1),
                height=round(height, 1),
            )
        )
    first, last = (points[0], points[-1]) if points else (None, None)
    span = f", {first.name} to {last.name}" if first and last else ""
    description = (
        f"Bar chart: {title}, by month{span}. The table beside the chart gives each figure."
    )
    return BarChart(title=title, description=description, unit=unit, bars=tuple(bars))
