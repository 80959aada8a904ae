"""Charts drawn as inline SVG on the server: no CDN, no script, and they print.

Colours come from CSS classes (`lvl-excellent`...), so the page's stylesheet owns the palette and a
strict Content-Security-Policy needs no inline styles.
"""

from decimal import Decimal

from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..formatting import format_percent
from ..levels import QUALITY_LEVELS
from ..reviews.counts import GOOD_OR_BETTER, Tally
from .aggregation import YearResult

WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 18
ROW_GAP = 8


def _svg(height: int, body: list[str], title: str) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + _("…")


def stacked_levels(rows: list[tuple[str, Tally]], decimals: int = 2) -> Markup:
    """One horizontal bar per row, split into the four levels' shares of the classified."""
    body, span = [], WIDTH - LABEL_WIDTH - 4
    for index, (label, tally) in enumerate(rows):
        y = index * (BAR_HEIGHT + ROW_GAP)
        body.append(f'<text x="0" y="{y + 13}" class="chart-label">{escape(_short(label))}</text>')
        x = float(LABEL_WIDTH)
        for level in (level for level in QUALITY_LEVELS if tally[level]):
            width = span * tally[level] / tally.classified
            share = format_percent(tally.percent(level, decimals))
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" class="lvl-{level.value}">'
                f"<title>{escape(label)}: {escape(level.label)} {tally[level]} ({share})</title></rect>"
            )
            x += width
    height = max(1, len(rows)) * (BAR_HEIGHT + ROW_GAP)
    return _svg(height, body, _("Tỷ lệ bốn mức xếp loại đảng viên theo tổ chức trực thuộc"))


def _point(x: float, y: float, label: str, series: str) -> str:
    """A dot with its value: above the line for members, below for organizations, so they rarely collide."""
    label_y = y - 8 if series == "members" else y + 18
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="trend-{series}"><title>{label}</title></circle>'
        f'<text x="{x:.1f}" y="{label_y:.1f}" class="chart-label" text-anchor="middle">{label}</text>'
    )


def trend(history: list[YearResult], decimals: int = 2) -> Markup:
    """The good-or-better share over the years: members, and grassroots organizations."""
    height, top, bottom, left = 200, 16, 170, 40
    step = (WIDTH - left - 40) / max(1, len(history) - 1)
    body = [f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 20}" y2="{bottom}" class="chart-axis"/>']
    for index, result in enumerate(history):
        x = left + index * step
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 20}" class="chart-label" text-anchor="middle">{result.year}</text>'
        )
    for name, pick in (("members", lambda r: r.members), ("grassroots", lambda r: r.grassroots)):
        points = []
        for index, result in enumerate(history):
            value = pick(result).percent(GOOD_OR_BETTER, decimals)
            if value is not None:
                points.append((left + index * step, bottom - (bottom - top) * float(value / Decimal(100)), value))
        if points:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            body.append(f'<polyline points="{path}" class="trend-{name}"/>')
            body += [_point(x, y, format_percent(v), name) for x, y, v in points]
    return _svg(height, body, _("Tỷ lệ hoàn thành tốt nhiệm vụ trở lên qua các năm"))
