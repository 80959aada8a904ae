"""The four quality levels, one source of truth for keys, names and spellings.

The same levels rate members and organizations (docs/domain.md §2). "Not classified" is kept in
the same column because a review ends in exactly one outcome, but it is never a quality level:
reports count it apart and percentages of levels are taken over the classified only.
"""

import re
from enum import StrEnum

from flask_babel import gettext
from flask_babel import gettext as _

from .i18n import N_
from .text import fold


class Level(StrEnum):
    EXCELLENT = "excellent"  # hoàn thành xuất sắc nhiệm vụ (HTXSNV)
    GOOD = "good"  # hoàn thành tốt nhiệm vụ (HTTNV)
    COMPLETED = "completed"  # hoàn thành nhiệm vụ (HTNV)
    NOT_COMPLETED = "not_completed"  # không hoàn thành nhiệm vụ (KHTNV)
    NOT_CLASSIFIED = "not_classified"  # không xếp loại: miễn / đình chỉ sinh hoạt, mới kết nạp < 6 tháng

    @property
    def label(self) -> str:
        return gettext(LABELS[self])

    @property
    def abbreviation(self) -> str:
        return gettext(ABBREVIATIONS[self]) if self in ABBREVIATIONS else ""

    @property
    def is_quality_level(self) -> bool:
        return self is not Level.NOT_CLASSIFIED


QUALITY_LEVELS = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)

LABELS = {
    Level.EXCELLENT: N_("Hoàn thành xuất sắc nhiệm vụ"),
    Level.GOOD: N_("Hoàn thành tốt nhiệm vụ"),
    Level.COMPLETED: N_("Hoàn thành nhiệm vụ"),
    Level.NOT_COMPLETED: N_("Không hoàn thành nhiệm vụ"),
    Level.NOT_CLASSIFIED: N_("Không xếp loại"),
}
ABBREVIATIONS = {
    Level.EXCELLENT: N_("HTXSNV"),
    Level.GOOD: N_("HTTNV"),
    Level.COMPLETED: N_("HTNV"),
    Level.NOT_COMPLETED: N_("KHTNV"),
}

# Names older spreadsheets use (docs/domain.md §2), mapped onto today's four levels. The regulation
# leaves this mapping to provinces: a province that reads them differently edits this table.
LEGACY_NAMES = {
    "Đủ tư cách, hoàn thành xuất sắc nhiệm vụ": Level.EXCELLENT,
    "Đủ tư cách, hoàn thành tốt nhiệm vụ": Level.GOOD,
    "Đủ tư cách, hoàn thành nhiệm vụ": Level.COMPLETED,
    "Vi phạm tư cách hoặc không hoàn thành nhiệm vụ": Level.NOT_COMPLETED,
    "Trong sạch, vững mạnh tiêu biểu": Level.EXCELLENT,
    "Trong sạch, vững mạnh": Level.GOOD,
    "Yếu kém": Level.NOT_COMPLETED,
}


def _spelling_key(text: str) -> str:
    """Folded, without punctuation or extra spaces: matching ignores accents, case, commas, keyboards."""
    return " ".join(re.sub(r"[\W_]+", " ", fold(text or "")).split())


_SPELLINGS = {_spelling_key(level.value): level for level in Level}
_SPELLINGS.update({_spelling_key(label): level for level, label in LABELS.items()})
_SPELLINGS.update({_spelling_key(abbr): level for level, abbr in ABBREVIATIONS.items()})
_SPELLINGS.update({_spelling_key(name): level for name, level in LEGACY_NAMES.items()})


def parse_level(text: str) -> Level:
    """Read a level from any accepted spelling; raise ValueError with the text otherwise."""
    key = _spelling_key(text)
    if key in _SPELLINGS:
        return _SPELLINGS[key]
    raise ValueError(_("mức xếp loại không hợp lệ: %(text)s", text=repr(text)))
