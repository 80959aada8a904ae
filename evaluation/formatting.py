"""How values are written for a Vietnamese reader: dd/mm/yyyy dates, 24-hour times, level names."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from .levels import Level

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


def level_label(value: Level | str | None) -> str:
    return Level(value).label if value else ""


FILTERS = {"date": format_date, "datetime": format_datetime, "level": level_label}


def action_label(value: str) -> str:
    from .reviews.workflow import Action

    return Action(value).label
