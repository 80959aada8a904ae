"""Reading the spreadsheets provinces already keep (CSV in UTF-8 with or without BOM, or XLSX).

Every value comes back as NFC text with its line number, so imports can name each bad row.
"""

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .i18n import gettext as _
from .text import clean


class TableError(Exception):
    """The file as a whole cannot be read (encoding, format, missing columns)."""


@dataclass
class Row:
    line: int  # as a spreadsheet shows it: the header is line 1
    values: dict[str, str]

    def get(self, column: str) -> str:
        return self.values.get(column, "")


@dataclass
class ImportSummary:
    """What an import did, and what it noticed without refusing (old results are facts)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class RowErrors:
    errors: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def lines(self) -> list[str]:
        return [_("dòng %(line)s: %(message)s", line=line, message=message) for line, message in sorted(self.errors)]


def _read_xlsx(path: Path) -> pd.DataFrame:
    """A broken workbook fails deep inside zipfile or openpyxl with any of a dozen errors; all mean the same."""
    try:
        return pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    except FileNotFoundError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ValueError(_("không phải tệp XLSX đọc được (%(error)s)", error=type(exc).__name__)) from exc


def read_rows(path: str | Path, required: set[str], optional: AbstractSet[str] = frozenset()) -> list[Row]:
    path = Path(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = _read_xlsx(path)
        else:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TableError(_("Tệp không ở mã UTF-8; hãy lưu lại dưới dạng “CSV UTF-8” hoặc XLSX.")) from exc
    except FileNotFoundError as exc:
        raise TableError(_("Không tìm thấy tệp %(path)s.", path=path)) from exc
    except (ValueError, pd.errors.ParserError, OSError) as exc:
        raise TableError(_("Không đọc được tệp %(name)s: %(error)s", name=path.name, error=exc)) from exc
    frame.columns = [clean(str(c)).lower() for c in frame.columns]
    if missing := sorted(required - set(frame.columns)):
        raise TableError(
            _(
                "Thiếu cột: %(missing)s (cần có: %(required)s).",
                missing=", ".join(missing),
                required=", ".join(sorted(required)),
            )
        )
    wanted = [c for c in frame.columns if c in required | set(optional)]
    return [
        Row(line=index + 2, values={c: clean(str(record[c])) for c in wanted})
        for index, record in enumerate(frame[wanted].to_dict("records"))
    ]


# Spreadsheets write dates every way: the Vietnamese dd/mm/yyyy, ISO, and what Excel exports.
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%d-%m-%Y")


def parse_date(text: str) -> date:
    """:raise ValueError: naming the text, when it is no date in any of DATE_FORMATS."""
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("ngày không hợp lệ: %(text)s (dùng dd/mm/yyyy)", text=repr(text)))
