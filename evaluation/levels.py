"""The four quality levels, one source of truth for keys, names and spellings.

The same levels rate members and organizations (docs/domain.md §2). "Not classified" is kept in
the same column because a review ends in exactly one outcome, but it is never a quality level:
reports count it apart and percentages of levels are taken over the classified only.
"""

import re
from enum import StrEnum

from .i18n import N_, gettext
from .i18n import gettext as _
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


class NotClassifiedReason(StrEnum):
    """Why a member is not classified (docs/domain.md §5); reports count each apart."""

    EXEMPT = "exempt"  # miễn công tác và sinh hoạt đảng
    SUSPENDED = "suspended"  # đình chỉ sinh hoạt đảng
    NEW_MEMBER = "new_member"  # mới kết nạp chưa đủ 6 tháng
    OTHER = "other"  # lý do khác, ghi rõ

    @property
    def label(self) -> str:
        return gettext(NOT_CLASSIFIED_LABELS[self])


NOT_CLASSIFIED_LABELS = {
    NotClassifiedReason.EXEMPT: N_("Miễn công tác và sinh hoạt đảng"),
    NotClassifiedReason.SUSPENDED: N_("Đình chỉ sinh hoạt đảng"),
    NotClassifiedReason.NEW_MEMBER: N_("Mới kết nạp chưa đủ 6 tháng"),
    NotClassifiedReason.OTHER: N_("Lý do khác"),
}
# The nouns the report's sentence uses ("đảng viên miễn sinh hoạt không phải kiểm điểm: 329 đồng chí").
NOT_CLASSIFIED_NOUNS = {
    NotClassifiedReason.EXEMPT: N_("đảng viên miễn công tác và sinh hoạt đảng"),
    NotClassifiedReason.SUSPENDED: N_("đảng viên bị đình chỉ sinh hoạt đảng"),
    NotClassifiedReason.NEW_MEMBER: N_("đảng viên mới kết nạp chưa đủ 6 tháng"),
    NotClassifiedReason.OTHER: N_("đảng viên không xếp loại vì lý do khác"),
}

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


def spelling_key(text: str) -> str:
    """Folded, without punctuation or extra spaces: matching ignores accents, case, commas, keyboards."""
    return " ".join(re.sub(r"[\W_]+", " ", fold(text or "")).split())


_SPELLINGS = {spelling_key(level.value): level for level in Level}
_SPELLINGS.update({spelling_key(label): level for level, label in LABELS.items()})
_SPELLINGS.update({spelling_key(abbr): level for level, abbr in ABBREVIATIONS.items()})
_SPELLINGS.update({spelling_key(name): level for name, level in LEGACY_NAMES.items()})


def parse_not_classified_reason(text: str) -> NotClassifiedReason:
    """A reason for not classifying, from its key or Vietnamese label; raise ValueError otherwise."""
    key = spelling_key(text)
    for reason in NotClassifiedReason:
        if key in (spelling_key(reason.value), spelling_key(NOT_CLASSIFIED_LABELS[reason])):
            return reason
    raise ValueError(_("lý do không xếp loại không hợp lệ: %(text)s (dùng exempt, suspended, new_member, other)",
                       text=repr(text)))  # fmt: skip


def parse_level(text: str) -> Level:
    """Read a level from any accepted spelling; raise ValueError with the text otherwise."""
    key = spelling_key(text)
    if key in _SPELLINGS:
        return _SPELLINGS[key]
    raise ValueError(_("mức xếp loại không hợp lệ: %(text)s", text=repr(text)))
