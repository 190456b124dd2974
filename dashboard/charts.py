"""Geometry of the attendance chart, drawn as inline SVG by a template.

Rendered on the server: no chart library, nothing to download, readable without JavaScript.
Drawn at one unit per CSS pixel, SLOT per session: the words stay at their
12 px on a phone (the chart scrolls sideways in its own box) and never overlap.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 20, 36  # room for the axis labels and a 100% value
GRID_STEPS = (0, 25, 50, 75, 100)
SLOT = 84  # pixels per session: room for its label ("22 Nov" over "14:36") and value
MIN_SLOTS = 3  # a chart of one session is as wide as one of three, and fits a phone


@dataclass(frozen=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list  # StackedBar
    grid: list[GridLine]
    baseline: float
    left: int

    @property
    def axis_label_x(self) -> int:
        return self.left - 6

    @property
    def bar_label_y(self) -> float:
        return self.baseline + 16


@dataclass(frozen=True)
class StackedBar:
    """One session: on-time (bottom) and late (on top) shares, with their labels."""

    x: float
    width: float
    present_y: float
    present_height: float
    late_y: float
    late_height: float
    label: str
    value: str  # the whole value (title, description); `total` is written over the bar
    total: str
    label_x: float
    value_y: float

    @property
    def label_lines(self) -> list[str]:
        """The label on two lines under the bar ("22 Nov", "14:41"): sessions sit close."""
        return self.label.rsplit(" ", 1)


def present_late_chart(points: list[tuple[str, float | None, float]]) -> BarChart:
    """(label, present fraction or None, late fraction): late drawn on top, in its own colour."""
    width = LEFT + RIGHT + SLOT * max(len(points), MIN_SLOTS)
    plot_width = width - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = plot_width / max(len(points), 1)
    bar_width = min(slot * 0.7, 48)
    bars = []
    for index, (label, present, late) in enumerate(points):
        x = LEFT + slot * index + (slot - bar_width) / 2
        present_height = plot_height * (present or 0)
        late_height = plot_height * (late if present is not None else 0)
        if present is None:
            value = total = "no data"
        else:
            total = f"{present + late:.0%}"
            value = total + (f" ({late:.0%} late)" if late else "")
        top = baseline - present_height - late_height
        bars.append(
            StackedBar(
                x=round(x, 1),
                width=round(bar_width, 1),
                present_y=round(baseline - present_height, 1),
                present_height=round(present_height, 1),
                late_y=round(top, 1),
                late_height=round(late_height, 1),
                label=label,
                value=value,
                total=total,
                label_x=round(x + bar_width / 2, 1),
                value_y=round(top - 4, 1),
            )
        )
    grid = [
        GridLine(
            y=round(baseline - plot_height * s / 100, 1), label=_("%(percent)s%%") % {"percent": s}
        )
        for s in GRID_STEPS
    ]
    return BarChart(width, HEIGHT, bars, grid, baseline, LEFT)
