"""A rollup as the JSON contract, as table rows, and as CSV or XLSX streams.

The counts come from `aggregation`; this module only shapes them. CSV is UTF-8 with a BOM so
Excel shows Vietnamese, with Vietnamese headers and Vietnamese decimals (`15,19`). Both formats
are written row by row from a streamed query, so a province of 100,000 members never sits in memory.
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..formatting import format_document_date, vietnamese_number
from ..framework import Framework
from ..levels import ABBREVIATIONS, QUALITY_LEVELS, Level, NotClassifiedReason
from ..org.models import Organization, OrgKind
from ..periods.models import Period
from ..reviews.counts import GOOD_OR_BETTER, SHARE_KEYS, Tally, UnitResult
from ..reviews.models import NOT_STARTED_LABEL, STATE_LABELS
from . import statistics
from .aggregation import QuarterRollup, Rollup, member_results
from .statistics import Statistics

Cell = str | int | Decimal | None


def tally_json(tally: Tally) -> dict:
    """The counts block of the JSON contract (README, "JSON report"); shares are null when none is classified."""
    counts = {level.value: tally[level] for level in Level}
    pct = {str(key): _two_decimals(tally.percent(key)) for key in SHARE_KEYS}
    return counts | {"classified": tally.classified, "good_or_better": tally.good_or_better, "pct": pct}


def _two_decimals(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def rollup_json(rollup: Rollup) -> dict:
    def unit(result: UnitResult) -> dict:
        by_reason = {reason.value: result.not_classified_by_reason[reason.value] for reason in NotClassifiedReason}
        return {
            "members": tally_json(result.members) | {"not_classified_by_reason": by_reason},
            "grassroots": tally_json(result.org_tally(OrgKind.GRASSROOTS)),
        }

    children = [{"org": c.org.code, "name": c.org.name} | unit(c) for c in rollup.children]
    return {"org": rollup.org.code, "year": rollup.year} | unit(rollup.total) | {"children": children}


_SHORT = {level: level.abbreviation for level in QUALITY_LEVELS}
ROLLUP_HEADERS = [
    "Mã tổ chức",
    "Tổ chức đảng",
    "Tổng số đảng viên",
    "Đảng viên được xếp loại",
    *[f"{_SHORT[level]} {what}" for level in QUALITY_LEVELS for what in ("(số)", "(%)")],
    "HTT trở lên (số)",
    "HTT trở lên (%)",
    "Không xếp loại",
    "Chưa đánh giá",
    "TCCSĐ được xếp loại",
    "TCCSĐ HTT trở lên (số)",
    "TCCSĐ HTT trở lên (%)",
    "Xếp loại tổ chức",
]


def _rollup_row(code: str, name: str, result: UnitResult, decimals: int) -> list[Cell]:
    members, grassroots = result.members, result.org_tally(OrgKind.GRASSROOTS)
    shares = [
        cell for key in (*QUALITY_LEVELS, GOOD_OR_BETTER) for cell in (members[key], members.percent(key, decimals))
    ]
    return [
        code,
        name,
        members.total,
        members.classified,
        *shares,
        members.not_classified,
        members.pending,
        grassroots.classified,
        grassroots.good_or_better,
        grassroots.percent(GOOD_OR_BETTER, decimals),
        result.own_level.label if result.own_level else "",
    ]


def rollup_rows(rollup: Rollup, decimals: int = 2) -> list[list[Cell]]:
    """One row per direct child, then the total row."""
    rows = [_rollup_row(c.org.code, c.org.name, c, decimals) for c in rollup.children]
    rows.append(_rollup_row(rollup.org.code, f"Tổng cộng: {rollup.org.name}", rollup.total, decimals))
    return rows


MEMBER_HEADERS = [
    "Mã đảng viên",
    "Họ và tên",
    "Mã chi bộ",
    "Chi bộ",
    "Trạng thái",
    "Tự xếp loại",
    "Chi bộ đề xuất",
    "Xếp loại",
    "Lý do không xếp loại",
    "Xếp loại lại (Mẫu 03)",
]


def member_rows(root: Organization, period: Period) -> Iterator[list[Cell]]:
    # Each level's label translated once, not three times a row: at 100,000 rows, a third of the export's time.
    states: dict = STATE_LABELS | {None: NOT_STARTED_LABEL}
    levels: dict = {level: level.label for level in Level} | {None: ""}
    for row in member_results(root, period):
        yield [
            row.code,
            row.full_name,
            row.org_code,
            row.org_name,
            states[row.state],
            levels[row.self_level],
            levels[row.proposed_level],
            levels[row.final_level],
            row.not_classified_reason or "",
            row.rerated_by or "",
        ]


def neutralized(value: Cell) -> Cell:
    """Text a spreadsheet would run as a formula ("=cmd|...") is kept as text by a leading apostrophe."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def in_vietnamese(rows: Iterable[list[Cell]]) -> Iterator[list[Cell]]:
    """Exports are the official exchange format (docs/domain.md §11): Vietnamese whatever the page's language."""
    with force_locale("vi"):
        yield from rows


def csv_stream(headers: list[str], rows: Iterable[list[Cell]], batch: int = 500) -> Iterator[bytes]:
    """UTF-8 with a BOM, written a batch of rows at a time."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(cell) for cell in row])
        if count % batch == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _csv_value(cell: Cell) -> Cell:
    """Shares in Vietnamese decimals (`15,19`); counts stay plain integers a spreadsheet can sum."""
    if isinstance(cell, Decimal):
        return vietnamese_number(cell)
    return neutralized(cell)


def _drain(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")


# Columns that hold names or sentences get room for them; a streamed sheet sets widths before its first row,
# so they come from the header, not from the data.
WIDE_COLUMNS = {"Họ và tên": 28, "Chi bộ": 36, "Tổ chức đảng": 40, "Lý do không xếp loại": 36,
                "Xếp loại lại (Mẫu 03)": 36}  # fmt: skip


def column_width(header: str) -> float:
    return WIDE_COLUMNS.get(header, min(max(len(header) + 4, 12), 30))


def xlsx_file(headers: list[str], rows: Iterable[list[Cell]], title: str):
    """A temporary XLSX file, written in openpyxl's streaming mode; the caller sends and closes it. The header
    row stays in view (frozen) and each column is wide enough to read."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for column, header in enumerate(headers, 1):
        sheet.column_dimensions[get_column_letter(column)].width = column_width(header)
    sheet.freeze_panes = "A2"
    sheet.append(headers)
    for row in rows:
        sheet.append([_xlsx_value(cell) for cell in row])
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle


def _xlsx_value(cell: Cell):
    if isinstance(cell, Decimal):
        return float(cell)
    return neutralized(cell)


def statistics_rows(stats: Statistics) -> list[list[Cell]]:
    """The statistical table as CSV rows: number, label, the total and a value per type."""
    return [[row.number, row.label, *row.values] for row in statistics.table(stats)]


def statistics_xlsx(stats: Statistics, place: str, day: date):
    """The statistical table in the form's layout: the document's header, the column headers merged over
    the types, widths, on A4 landscape. A temporary file; the caller sends and closes it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Thống kê {stats.period.year}"
    headers = statistics.headers(stats)
    width = len(headers)
    bold, centered = Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)
    parent = stats.org.parent.name if stats.org.parent else ""
    split = max(2, width // 2)
    for row, (left, right) in enumerate(((parent.upper(), "ĐẢNG CỘNG SẢN VIỆT NAM"),
                                         (stats.org.name.upper(), f"{place}, {format_document_date(day)}")),
                                        start=1):  # fmt: skip
        sheet.cell(row, 1, left).font = bold
        sheet.cell(row, split + 1, right).font = bold if row == 1 else Font(italic=True)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=split)
        sheet.merge_cells(start_row=row, start_column=split + 1, end_row=row, end_column=max(width, split + 1))
        for column in (1, split + 1):
            sheet.cell(row, column).alignment = centered
    title = f"THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG TỔ CHỨC ĐẢNG VÀ ĐẢNG VIÊN NĂM {stats.period.year}"
    sheet.cell(4, 1, title).font = Font(bold=True, size=13)
    sheet.cell(4, 1).alignment = centered
    sheet.merge_cells(start_row=4, start_column=1, end_row=4, end_column=width)
    for column, text in enumerate(headers[:3], start=1):  # STT, Chỉ tiêu, Tổng số: over both header rows
        sheet.cell(6, column, text)
        sheet.merge_cells(start_row=6, start_column=column, end_row=7, end_column=column)
    if width > 3:
        sheet.cell(6, 4, "Chia theo loại hình tổ chức cơ sở đảng")
        sheet.merge_cells(start_row=6, start_column=4, end_row=6, end_column=width)
        for column, text in enumerate(headers[3:], start=4):
            sheet.cell(7, column, text)
    for row in sheet.iter_rows(min_row=6, max_row=7, max_col=width):
        for cell in row:
            cell.font, cell.alignment = bold, centered
    for line in statistics.table(stats):
        sheet.append([line.number, ("    " * max(line.depth, 0)) + line.label, *line.values])
        if line.depth < 1:
            sheet.cell(sheet.max_row, 2).font = bold
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 58
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    sheet.row_dimensions[7].height = 45
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "6:7"
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(handle)
    handle.seek(0)
    return handle


QUARTER_HEADERS = [
    "Mã tổ chức",
    "Tổ chức",
    "Phạm vi",
    "Đã xếp loại",
    *(cell for level in QUALITY_LEVELS for cell in (ABBREVIATIONS[level], f"Tỷ lệ {ABBREVIATIONS[level]} (%)")),
    "Chưa xếp loại",
]


def _quarter_row(code: str, name: str, scope: str, tally: Tally, decimals: int) -> list[Cell]:
    shares = [cell for level in QUALITY_LEVELS for cell in (tally[level], tally.percent(level, decimals))]
    return [code, name, scope, tally.classified, *shares, tally.pending]


def quarter_rows(rollup: QuarterRollup, framework: Framework, decimals: int = 2) -> list[list[Cell]]:
    """Per child then the total: the leaders' levels of the quarter, then each area of results banded."""
    rows = []
    for unit, name in [*((c, c.org.name) for c in rollup.children), (rollup.total, f"Tổng cộng: {rollup.org.name}")]:
        rows.append(_quarter_row(unit.org.code, name, "Xếp loại quý", unit.levels, decimals))
        rows += [_quarter_row(unit.org.code, name, area.title, unit.area(area.key), decimals)
                 for area in framework.areas]  # fmt: skip
    return rows
