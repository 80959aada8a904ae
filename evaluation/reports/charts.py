"""Charts drawn as inline SVG on the server: no CDN, no script, and they print.

Colours come from CSS classes (`lvl-excellent`...), so the page's stylesheet owns the palette and a
strict Content-Security-Policy needs no inline styles.
"""

from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup, escape

from ..formatting import format_percent, reader_language
from ..i18n import gettext as _
from ..levels import QUALITY_LEVELS
from ..reviews.counts import GOOD_OR_BETTER, Tally, percent
from .aggregation import YearResult

WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 18
ROW_GAP = 8


def _svg(height: int, body: list[str], title: str, kind: str) -> Markup:
    return Markup(
        f'<svg class="chart {kind}" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _short(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + _("…")


def stacked_levels(rows: list[tuple[str, Tally]], decimals: int = 2) -> Markup:
    """One horizontal bar per row, split into the four levels' shares of the classified."""
    language = reader_language()
    body = [_bar(index, label, tally.key(), decimals, language) for index, (label, tally) in enumerate(rows)]
    height = max(1, len(rows)) * (BAR_HEIGHT + ROW_GAP)
    return _svg(height, body, _("Tỷ lệ bốn mức xếp loại đảng viên theo tổ chức trực thuộc"), "bars")


# Kept by what it shows, as a table row's cells are (wording.tally_cells): a province's chart has a hundred bars,
# and a decision changes one.
@lru_cache(maxsize=2048)
def _bar(index: int, label: str, key: tuple[int, ...], decimals: int, language: str) -> str:
    """A row's label and its bar, split into the four levels' shares of the classified."""
    tally, span, y = Tally.from_key(key), WIDTH - LABEL_WIDTH - 4, index * (BAR_HEIGHT + ROW_GAP)
    parts = [f'<text x="0" y="{y + 13}" class="chart-label">{escape(_short(label))}</text>']
    x, classified = float(LABEL_WIDTH), tally.classified
    for level in QUALITY_LEVELS:
        if not (count := tally[level]):
            continue
        width = span * count / classified
        share = format_percent(percent(count, classified, decimals), language)
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" class="lvl-{level.value}">'
            f"<title>{escape(label)}: {escape(level.label)} {count} ({share})</title></rect>"
        )
        x += width
    return "".join(parts)


def _point(x: float, y: float, label: str, series: str, above: bool) -> str:
    """A dot with its value, above it or below it."""
    label_y = y - 9 if above else y + 20
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="trend-{series}"><title>{label}</title></circle>'
        f'<text x="{x:.1f}" y="{label_y:.1f}" class="chart-label" text-anchor="middle">{label}</text>'
    )


def _year_points(x: float, values: dict[str, Decimal], top: float, bottom: float) -> list[str]:
    """One year's dots. Of two, the higher value's label goes above both dots and the lower one's below
    both, so the labels of close values never sit on each other."""
    at = {name: bottom - (bottom - top) * float(value / Decimal(100)) for name, value in values.items()}
    ordered = sorted(at, key=lambda name: at[name])  # top of the chart first
    return [_point(x, at[name], format_percent(values[name]), name, above=name == ordered[0]) for name in ordered]


def trend(history: list[YearResult], decimals: int = 2) -> Markup:
    """The good-or-better share over the years: members, and grassroots organizations."""
    height, top, bottom, left = 210, 24, 170, 40
    step = (WIDTH - left - 40) / max(1, len(history) - 1)
    body = [f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 20}" y2="{bottom}" class="chart-axis"/>']
    series = {"members": lambda r: r.members, "grassroots": lambda r: r.grassroots}
    lines: dict[str, list[str]] = {name: [] for name in series}
    dots = []
    for index, result in enumerate(history):
        x = left + index * step
        body.append(
            f'<text x="{x:.1f}" y="{bottom + 34}" class="chart-label" text-anchor="middle">{result.year}</text>'
        )
        values = {name: v for name, pick in series.items() if (v := pick(result).percent(GOOD_OR_BETTER, decimals))
                  is not None}  # fmt: skip
        for name, value in values.items():
            lines[name].append(f"{x:.1f},{bottom - (bottom - top) * float(value / Decimal(100)):.1f}")
        dots += _year_points(x, values, top, bottom)
    body += [
        f'<polyline points="{" ".join(points)}" class="trend-{name}"/>' for name, points in lines.items() if points
    ]
    return _svg(height, body + dots, _("Tỷ lệ hoàn thành tốt nhiệm vụ trở lên qua các năm"), "trend")
