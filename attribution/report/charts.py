"""Inline SVG charts for the HTML report: the source mix and the loaded terms by actor (no JavaScript, no URL).

Each chart is a horizontal bar chart drawn with ``<rect>`` and ``<text>``; every bar carries a ``<title>``
(the browser's tooltip) and links to the table row behind it. Every label comes from the report and goes
through :func:`html.escape`, so an actor named ``<script>`` is shown, never run.

Example:
    >>> svg = bar_chart("Demo", [BarRow("a <b>", "#row-0", (Segment(2, "#111", "two"), Segment(1, "#999", "one")))])
    >>> svg.startswith('<svg') and "a &lt;b&gt;" in svg and svg.count("<rect") == 2
    True

"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["BarRow", "Segment", "bar_chart"]

LABEL_WIDTH = 190
BAR_WIDTH = 320
ROW_HEIGHT = 24
BAR_HEIGHT = 16
#: Hatched fills (``hatch:<colour>``, for anonymous sources) use a pattern defined once per chart and colour.
HATCH = "hatch"
_STROKE = 'stroke="#495057" stroke-width=".5"'


@dataclass(frozen=True, slots=True)
class Segment:
    """One part of a bar: its value, fill colour (or ``hatch:<colour>``), and tooltip."""

    value: int
    fill: str
    title: str


@dataclass(frozen=True, slots=True)
class BarRow:
    """One bar: its label, the link it leads to (``#id``), and its segments left to right."""

    label: str
    href: str
    segments: tuple[Segment, ...]


def _truncate(text: str, limit: int = 28) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def bar_chart(title: str, rows: Sequence[BarRow], legend: Sequence[tuple[str, str]] = (), chart_id: str = "") -> str:
    """A horizontal stacked bar chart as an inline ``<svg>`` element.

    Args:
        title: The chart's accessible name (also its ``<title>``).
        rows: One bar per row, in order.
        legend: ``(fill, label)`` pairs drawn above the bars.
        chart_id: The ``id`` of the ``<svg>`` element.

    """
    largest = max((sum(s.value for s in row.segments) for row in rows), default=0) or 1
    scale = BAR_WIDTH / largest
    width = LABEL_WIDTH + BAR_WIDTH + 40
    # Legend entries left to right, wrapping to a new line when the next one would not fit.
    places, x, line = [], 8, 0
    for _, label in legend:
        size = 24 + 7 * len(label)
        if x + size > width and x > 8:
            x, line = 8, line + 1
        places.append((x, 6 + 18 * line))
        x += size
    top = 6 + 18 * (line + 1) + 4 if legend else 6
    height = top + ROW_HEIGHT * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-label="{escape(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    fills = [s.fill for row in rows for s in row.segments] + [fill for fill, _ in legend]
    for colour in dict.fromkeys(f.split(":", 1)[1] for f in fills if f.startswith("hatch:")):
        parts.append(
            f'<defs><pattern id="{_pattern_id(chart_id, colour)}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
            f'<rect width="3" height="6" fill="{escape(colour)}"/></pattern></defs>'
        )
    for (fill, label), (x, y) in zip(legend, places, strict=True):
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{_fill(fill, chart_id)}" {_STROKE}/>'
            f'<text x="{x + 16}" y="{y + 10}" class="chart-legend">{escape(label)}</text>'
        )
    for number, row in enumerate(rows):
        y = top + ROW_HEIGHT * number
        total = sum(s.value for s in row.segments)
        parts.append(f'<a href="{escape(row.href)}" class="chart-row">')
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 3}" text-anchor="end" class="chart-label">'
            f"<title>{escape(row.label)}</title>{escape(_truncate(row.label))}</text>"
        )
        left = float(LABEL_WIDTH)
        for segment in row.segments:
            if segment.value <= 0:
                continue
            w = segment.value * scale
            parts.append(
                f'<rect x="{left:.1f}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{_fill(segment.fill, chart_id)}" {_STROKE}><title>{escape(segment.title)}</title></rect>'
            )
            left += w
        parts.append(f'<text x="{left + 5:.1f}" y="{y + BAR_HEIGHT - 3}" class="chart-value">{total}</text></a>')
    parts.append("</svg>")
    return "".join(parts)


def _pattern_id(chart_id: str, colour: str) -> str:
    """A pattern id unique to the chart and colour (ids are page-wide)."""
    return f"{re.sub(r'[^A-Za-z0-9-]', '', chart_id) or 'chart'}-{HATCH}-{re.sub(r'[^A-Za-z0-9]', '', colour)}"


def _fill(fill: str, chart_id: str) -> str:
    if fill.startswith("hatch:"):
        return f"url(#{_pattern_id(chart_id, fill.split(':', 1)[1])})"
    return escape(fill)
