"""A small month-by-month compliance trend chart as inline SVG, rendered on the server.

A pure function of its points: no request, no queries, no JavaScript. The chart is an
image with a title and a text description; the page shows the same numbers as a table
too, so nothing is conveyed by the drawing alone.
"""

import datetime
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 52, 12, 16, 48
X_INSET = 20
Y_TICKS = (0, 25, 50, 75, 100)

LINE_COLOUR = "#005eb8"  # NHS blue
GRID_COLOUR = "#d8dde0"
TEXT_COLOUR = "#212b32"


def percent(met: int, applicable: int) -> int | None:
    """Whole per cent met, rounded half up; None when nothing applied."""
    if applicable <= 0:
        return None
    return (200 * met + applicable) // (2 * applicable)


def month_label(on: datetime.date) -> str:
    return f"{on:%B %Y}"


def _x(index: int, count: int) -> float:
    # Points sit a little inside the plot so the first and last month labels fit.
    start, plot = LEFT + X_INSET, WIDTH - LEFT - RIGHT - 2 * X_INSET
    if count <= 1:
        return start + plot / 2
    return start + plot * index / (count - 1)


def _y(value: int) -> float:
    plot = HEIGHT - TOP - BOTTOM
    value = max(0, min(100, value))
    return TOP + plot * (100 - value) / 100


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def describe(points: Sequence[tuple[datetime.date, int, int]]) -> str:
    """One or two sentences saying what the chart shows, for its <desc>."""
    if not points:
        return "No months to show."
    first, last = points[0][0], points[-1][0]
    text = (
        f"Percentage of requirement results met at the end of each month, "
        f"{month_label(first)} to {month_label(last)}."
    )
    known = [(on, percent(met, applicable)) for on, met, applicable in points]
    known = [(on, value) for on, value in known if value is not None]
    if not known:
        return text + " No requirement applied in any of these months."
    low = min(known, key=lambda item: item[1])
    high = max(known, key=lambda item: item[1])
    text += (
        f" Lowest {low[1]}% ({month_label(low[0])}), highest {high[1]}% "
        f"({month_label(high[0])}), latest {known[-1][1]}% ({month_label(known[-1][0])})."
    )
    missing = len(points) - len(known)
    if missing:
        text += f" {missing} month{'s' if missing != 1 else ''} with nothing to count."
    return text


def trend_svg(
    points: Sequence[tuple[datetime.date, int, int]],
    *,
    title: str = "Compliance trend",
    id_prefix: str = "trend",
) -> SafeString:
    """An inline <svg role="img"> of per cent met per month; every text in it is escaped.

    `points` are (month end, results met, applicable results), oldest first. A month with
    no applicable results has no point and breaks the line; its label stays on the axis.
    """
    count = len(points)
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coordinate-trend-chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" focusable="false">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(describe(points))}</desc>',
    ]
    # Axes and grid: per cent on the left, months along the bottom.
    parts.append(f'<g class="coordinate-trend-chart__y-axis" fill="{TEXT_COLOUR}" '
                 f'font-size="13" font-family="Arial, sans-serif" text-anchor="end">')
    for tick in Y_TICKS:
        y = _num(_y(tick))
        parts.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" '
            f'stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{LEFT - 8}" y="{y}" dy="4">{tick}%</text>'
        )
    parts.append("</g>")
    parts.append(f'<g class="coordinate-trend-chart__x-axis" fill="{TEXT_COLOUR}" '
                 f'font-size="13" font-family="Arial, sans-serif" text-anchor="middle">')
    for index, (on, _met, _applicable) in enumerate(points):
        x = _num(_x(index, count))
        parts.append(f'<text x="{x}" y="{HEIGHT - BOTTOM + 20}">{escape(f"{on:%b}")}</text>')
        if index == 0 or on.month == 1:
            parts.append(f'<text x="{x}" y="{HEIGHT - BOTTOM + 38}">{escape(f"{on:%Y}")}</text>')
    parts.append("</g>")
    # The line, broken where a month has nothing to count.
    segments, current = [], []
    for index, (_on, met, applicable) in enumerate(points):
        value = percent(met, applicable)
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{_num(_x(index, count))},{_num(_y(value))}")
    if current:
        segments.append(current)
    for segment in segments:
        if len(segment) > 1:
            parts.append(
                f'<polyline class="coordinate-trend-chart__line" fill="none" '
                f'stroke="{LINE_COLOUR}" stroke-width="3" points="{" ".join(segment)}"/>'
            )
    for index, (on, met, applicable) in enumerate(points):
        value = percent(met, applicable)
        if value is None:
            continue
        label = f"{month_label(on)}: {value}% ({met} of {applicable} met)"
        parts.append(
            f'<circle class="coordinate-trend-chart__point" cx="{_num(_x(index, count))}" '
            f'cy="{_num(_y(value))}" r="5" fill="{LINE_COLOUR}">'
            f"<title>{escape(label)}</title></circle>"
        )
    parts.append("</svg>")
    # Every value interpolated above is a number or escaped text.
    return mark_safe("".join(parts))


def trend_rows(points: Sequence[tuple[datetime.date, int, int]]) -> list[dict]:
    """The same numbers for the table alternative: month, met, applicable, per cent."""
    return [
        {"month": on, "met": met, "applicable": applicable, "percent": percent(met, applicable)}
        for on, met, applicable in points
    ]
