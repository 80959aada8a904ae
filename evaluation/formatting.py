"""How values are written, by Babel from CLDR's data: for a Vietnamese reader dd/mm/yyyy dates, 24-hour
times, `91.400`, `15,19%`; for an English one `05 Dec 2025`, `91,400`, `15.19%` (month names from CLDR,
not from the server's locale). Exports and printed documents stay Vietnamese. The document date
("ngày 05 tháng 12 năm 2025") follows the party's own rule, which no locale has, so it is written here."""

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import dates, numbers
from markupsafe import Markup, escape

from .i18n import babel_locale, current_language, gettext
from .levels import Level

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Babel's patterns (CLDR), per language: Vietnamese dd/mm/yyyy and 24-hour times, as documents write them.
DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "dd MMM yyyy"}
DATETIME_PATTERNS = {"vi": "HH:mm dd/MM/yyyy", "en": "dd MMM yyyy HH:mm"}


def reader_language() -> str:
    """The language numbers and dates are written in for this page's reader."""
    return "en" if current_language() == "en" else "vi"


def format_date(value: date | None) -> str:
    if not value:
        return ""
    language = reader_language()
    return dates.format_date(value, DATE_PATTERNS[language], locale=babel_locale(language))


def _in_vietnam(value: datetime) -> datetime:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM)


def format_datetime(value: datetime | None) -> str:
    if not value:
        return ""
    language = reader_language()
    return dates.format_datetime(_in_vietnam(value), DATETIME_PATTERNS[language], locale=babel_locale(language))


def today_in_vietnam() -> date:
    """Today's date where the users are: a deadline passes at midnight in Vietnam, not in UTC."""
    return datetime.now(VIETNAM).date()


def deadline_status(day: date, today: date | None = None) -> tuple[str, str]:
    """(kind, words) of a deadline seen today: "quá hạn 3 ngày", "hạn là hôm nay", "còn 5 ngày"; kind is
    overdue, today, soon (a week or less) or "" for a page's styling."""
    days = (day - (today or today_in_vietnam())).days
    if days < 0:
        return "overdue", gettext("quá hạn %(days)s ngày", days=format_number(-days))
    if days == 0:
        return "today", gettext("hạn là hôm nay")
    return ("soon" if days <= 7 else ""), gettext("còn %(days)s ngày", days=format_number(days))


def format_time(value: datetime | None) -> str:
    """Hours, minutes and seconds in Vietnam's time: when a draft was last saved."""
    return dates.format_time(_in_vietnam(value), "HH:mm:ss", locale=babel_locale(reader_language())) if value else ""


def format_document_date(value: date | datetime) -> str:
    """A document's date as party documents write it: "ngày 05 tháng 12 năm 2025" (a zero before a day
    under 10 and before January and February, so the date cannot be altered by hand)."""
    if isinstance(value, datetime):
        value = _in_vietnam(value).date()
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def level_label(value: Level | str | None) -> str:
    return Level(value).label if value else ""


def level_short(value: Level | str | None) -> Markup:
    """A level as a table writes it: its abbreviation, the whole label on hover (`<abbr title="Hoàn thành tốt
    nhiệm vụ">HTTNV</abbr>`); the label where there is no abbreviation; nothing for no level. Kept per level
    and language: a cell's list writes one per member, and the template macro it replaces cost about five
    times as much (45,000 instructions a row on a province's page)."""
    if not value:
        return Markup()
    return _level_short(value if isinstance(value, Level) else Level(value), current_language())


@lru_cache(maxsize=16)
def _level_short(level: Level, _language: str) -> Markup:
    """`_language` is in the key only: the label and abbreviation are read in it."""
    if level.abbreviation:
        return Markup('<abbr title="{}">{}</abbr>').format(level.label, level.abbreviation)
    return escape(level.label)


def _places(value: int | Decimal) -> int:
    """Exactly the decimals the value was rounded to (15,19 stays 15,19; 20,00 stays)."""
    exponent = value.as_tuple().exponent if isinstance(value, Decimal) else 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


@lru_cache(maxsize=8)
def _symbols(language: str) -> tuple[str, str]:
    """The language's thousands and decimal separators, from its CLDR data."""
    locale = babel_locale(language)
    return numbers.get_group_symbol(locale), numbers.get_decimal_symbol(locale)


def _write(value: int | Decimal, language: str) -> str:
    """Thousands grouped, the value's own decimals, in the language's separators. Python's formatting with
    the symbols swapped in: Babel's pattern formatting cost a report page a quarter of its time (hundreds of
    numbers), and writes the same (tests/test_text_and_levels.py compares the two)."""
    group, decimal = _symbols(language)
    text = f"{value:,.{_places(value)}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def vietnamese_number(value: int | Decimal | None) -> str:
    """91400 → "91.400"; Decimal("15.19") → "15,19": exports and printed documents stay Vietnamese."""
    return "" if value is None else _write(value, "vi")


def format_number(value: int | Decimal | None, language: str | None = None) -> str:
    """A number in the reader's language: "91.400" in Vietnamese, "91,400" in English. A page writing
    hundreds of numbers passes the language it read once."""
    return "" if value is None else _write(value, language or reader_language())


def format_score(value: int | Decimal | None) -> str:
    """A score as people write it: "28" for a whole one, "28,5" for a half point (never "28,0")."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return format_number(value)


def format_percent(value: Decimal | None, language: str | None = None) -> str:
    """A share already in percent: "15,19%" in Vietnamese, "15.19%" in English; "–" when there is none."""
    if value is None:
        return "–"
    return _write(value, language or reader_language()) + "%"


def format_points(value: Decimal | None) -> str:
    """A change in percentage points, always signed: "+1,25", "−0,50", "0,00"."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "−" if value < 0 else ""
    return sign + format_number(abs(value))


def format_iso_date(text: str) -> str:
    """A date kept as ISO text in a JSON column (a quarter's product), as the reader writes dates."""
    return format_date(date.fromisoformat(text))


FILTERS = {
    "document_date": format_document_date,
    "date": format_date,
    "isodate": format_iso_date,
    "datetime": format_datetime,
    "level": level_label,
    "number": format_number,
    "percent": format_percent,
    "points": format_points,
    "score": format_score,
}
