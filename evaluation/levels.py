"""The four quality levels, one source of truth for keys, names and spellings.

The same levels rate members and organizations (domain.md §2). "Not classified" is kept in
the same column because a review ends in exactly one outcome, but it is never a quality level:
reports count it apart and percentages of levels are taken over the classified only.
"""

from enum import StrEnum

from .text import fold


class Level(StrEnum):
    EXCELLENT = "excellent"  # hoàn thành xuất sắc nhiệm vụ (HTXSNV)
    GOOD = "good"  # hoàn thành tốt nhiệm vụ (HTTNV)
    COMPLETED = "completed"  # hoàn thành nhiệm vụ (HTNV)
    NOT_COMPLETED = "not_completed"  # không hoàn thành nhiệm vụ (KHTNV)
    NOT_CLASSIFIED = "not_classified"  # không xếp loại: miễn / đình chỉ sinh hoạt, mới kết nạp < 6 tháng

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def abbreviation(self) -> str:
        return ABBREVIATIONS.get(self, "")

    @property
    def is_quality_level(self) -> bool:
        return self is not Level.NOT_CLASSIFIED


QUALITY_LEVELS = (Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)

LABELS = {
    Level.EXCELLENT: "Hoàn thành xuất sắc nhiệm vụ",
    Level.GOOD: "Hoàn thành tốt nhiệm vụ",
    Level.COMPLETED: "Hoàn thành nhiệm vụ",
    Level.NOT_COMPLETED: "Không hoàn thành nhiệm vụ",
    Level.NOT_CLASSIFIED: "Không xếp loại",
}
ABBREVIATIONS = {
    Level.EXCELLENT: "HTXSNV",
    Level.GOOD: "HTTNV",
    Level.COMPLETED: "HTNV",
    Level.NOT_COMPLETED: "KHTNV",
}

# Every spelling a spreadsheet may use, folded (no accents, lower case) so that matching
# ignores accents, case and the keyboard the file was typed on.
_SPELLINGS = {fold(level.value): level for level in Level}
_SPELLINGS.update({fold(label): level for level, label in LABELS.items()})
_SPELLINGS.update({fold(abbr): level for level, abbr in ABBREVIATIONS.items()})
_SPELLINGS.update({fold(level.value.replace("_", " ")): level for level in Level})


def parse_level(text: str) -> Level:
    """Read a level from any accepted spelling; raise ValueError with the text otherwise."""
    key = fold(text or "").replace("_", " ")
    key = " ".join(key.split())
    if key in _SPELLINGS:
        return _SPELLINGS[key]
    raise ValueError(f"mức xếp loại không hợp lệ: {text!r}")
