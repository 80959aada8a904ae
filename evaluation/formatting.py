"""How values are written: for a Vietnamese reader dd/mm/yyyy dates, 24-hour times, `91.400`, `15,19%`;
for an English one `5 Dec 2025`, `91,400`, `15.19%`. Exports and printed documents stay Vietnamese."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from .levels import Level

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _english() -> bool:
    from .i18n import current_language

    return current_language() == "en"


def format_date(value: date | None) -> str:
    return value.strftime("%d %b %Y" if _english() else "%d/%m/%Y") if value else ""


def _in_vietnam(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM)


def format_datetime(value: datetime | None) -> str:
    return _in_vietnam(value).strftime("%d %b %Y %H:%M" if _english() else "%H:%M %d/%m/%Y") if value else ""


def format_time(value: datetime | None) -> str:
    """Hours, minutes and seconds in Vietnam's time: when a draft was last saved."""
    return _in_vietnam(value).strftime("%H:%M:%S") if value else ""


def format_document_date(value: date | datetime) -> str:
    """A document's date as party documents write it: "ngày 05 tháng 12 năm 2025" (a zero before a day
    under 10 and before January and February, so the date cannot be altered by hand)."""
    if isinstance(value, datetime):
        value = _in_vietnam(value).date()
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def level_label(value: Level | str | None) -> str:
    return Level(value).label if value else ""


# Vietnamese writes the thousands with "." and the decimals with ",": the opposite of Python's.
_VIETNAMESE_SEPARATORS = str.maketrans(",.", ".,")


def vietnamese_number(value: int | Decimal | None) -> str:
    """91400 → "91.400"; Decimal("15.19") → "15,19" (keeps the decimals it was rounded to)."""
    if value is None:
        return ""
    return f"{value:,}".translate(_VIETNAMESE_SEPARATORS)


def format_number(value: int | Decimal | None) -> str:
    """A number in the reader's language: "91.400" in Vietnamese, "91,400" in English."""
    if value is None or not _english():
        return vietnamese_number(value)
    return f"{value:,}"


def format_percent(value: Decimal | None) -> str:
    return f"{format_number(value)}%" if value is not None else "–"


def format_points(value: Decimal | None) -> str:
    """A change in percentage points, always signed: "+1,25", "−0,50", "0,00"."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + format_number(abs(value))


FILTERS = {
    "document_date": format_document_date,
    "date": format_date,
    "datetime": format_datetime,
    "level": level_label,
    "number": format_number,
    "percent": format_percent,
    "points": format_points,
}
