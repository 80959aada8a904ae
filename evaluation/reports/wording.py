"""The results written in the sentences of the official reports (domain.md §9).

"13.886 trong tổng số 91.400 đảng viên được đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ
(chiếm 15,19%)", "619/674 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên (chiếm 91,84%)",
and "không có ..." for a zero. Shares of a level are of the classified; the not classified and
the not yet rated are shares of everyone.
"""

from ..formatting import format_number, format_percent
from ..levels import Level
from ..org.models import OrgKind
from .aggregation import GOOD_OR_BETTER, Rollup, Tally, percent

MEMBERS = "đảng viên"
ORG_NOUNS = {
    OrgKind.PROVINCE: "đảng bộ tỉnh",
    OrgKind.UPPER: "đảng bộ cấp trên cơ sở",
    OrgKind.GRASSROOTS: "tổ chức cơ sở đảng",
    OrgKind.SECTION: "đảng bộ bộ phận",
    OrgKind.CELL: "chi bộ",
}


def _level_phrase(level: Level) -> str:
    return level.label[0].lower() + level.label[1:]


def _share(tally: Tally, key, decimals: int) -> str:
    return f"(chiếm {format_percent(tally.percent(key, decimals))})"


def _count_with(tally: Tally, noun: str, level: Level, decimals: int) -> str:
    """ "8 đảng viên hoàn thành nhiệm vụ (chiếm 1,20%)", or "không có đảng viên ..." for none."""
    if not tally[level]:
        return f"không có {noun} {_level_phrase(level)}"
    return f"{format_number(tally[level])} {noun} {_level_phrase(level)} {_share(tally, level, decimals)}"


def _apart(tally: Tally, noun: str, decimals: int) -> list[str]:
    """The not classified and the not yet rated, each as a share of everyone."""
    lines = []
    for count, what in ((tally.not_classified, "không xếp loại"), (tally.pending, "chưa được đánh giá, xếp loại")):
        if count:
            share = format_percent(percent(count, tally.total, decimals))
            lines.append(f"{format_number(count)} {noun} {what} (chiếm {share} tổng số {noun}).")
    return lines


def _none_yet(tally: Tally, noun: str) -> str:
    if not tally.total:
        return f"Không có {noun} nào."
    return f"Chưa có {noun} nào trong tổng số {format_number(tally.total)} {noun} được đánh giá, xếp loại."


def _capitalized(text: str) -> str:
    return text[0].upper() + text[1:]


def members_sentences(tally: Tally, decimals: int = 2) -> list[str]:
    if not tally.classified:
        return [_none_yet(tally, MEMBERS)]
    total = format_number(tally.classified)
    excellent = tally[Level.EXCELLENT]
    if excellent:
        opening = (
            f"{format_number(excellent)} trong tổng số {total} {MEMBERS} được đánh giá, xếp loại "
            f"{_level_phrase(Level.EXCELLENT)} {_share(tally, Level.EXCELLENT, decimals)}"
        )
    else:
        opening = (
            f"Trong tổng số {total} {MEMBERS} được đánh giá, xếp loại, không có {MEMBERS} hoàn thành xuất sắc nhiệm vụ"
        )
    rest = [
        _count_with(tally, MEMBERS, level, decimals) for level in (Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)
    ]
    return [
        _capitalized("; ".join([opening, *rest])) + ".",
        _good_or_better(tally, MEMBERS, decimals) + ".",
        *_apart(tally, MEMBERS, decimals),
    ]


def _good_or_better(tally: Tally, noun: str, decimals: int) -> str:
    if not tally.good_or_better:
        return f"Không có {noun} hoàn thành tốt nhiệm vụ trở lên trong tổng số {format_number(tally.classified)} {noun}"
    return (
        f"{format_number(tally.good_or_better)}/{format_number(tally.classified)} {noun} hoàn thành tốt nhiệm vụ "
        f"trở lên {_share(tally, GOOD_OR_BETTER, decimals)}"
    )


def organizations_sentences(tally: Tally, kind: OrgKind, decimals: int = 2) -> list[str]:
    noun = ORG_NOUNS[kind]
    if not tally.classified:
        return [_none_yet(tally, noun)]
    parts = [_good_or_better(tally, noun, decimals)]
    if tally.good_or_better:
        parts[0] += ", trong đó " + _count_with(tally, noun, Level.EXCELLENT, decimals)
    parts += [_count_with(tally, noun, level, decimals) for level in (Level.COMPLETED, Level.NOT_COMPLETED)]
    return ["; ".join(parts) + ".", *_apart(tally, noun, decimals)]


def report_paragraphs(rollup: Rollup, decimals: int = 2) -> list[str]:
    """The report's paragraphs for a rollup: a heading line, members, then each kind of organization."""
    org = rollup.org
    paragraphs = [f"Kết quả đánh giá, xếp loại chất lượng năm {rollup.year} của {org.name}:"]
    paragraphs.append(" ".join(members_sentences(rollup.total.members, decimals)))
    for kind in rollup.kinds_below():
        paragraphs.append(" ".join(organizations_sentences(rollup.below(kind), kind, decimals)))
    if rollup.total.own_level is not None:
        paragraphs.append(f"{org.name} được xếp loại: {_level_phrase(rollup.total.own_level)}.")
    for exception in rollup.quota_exceptions:
        subject = "đảng viên" if exception.for_members else "tổ chức đảng"
        paragraphs.append(
            f"{exception.organization.name} vượt tỷ lệ {subject} hoàn thành xuất sắc nhiệm vụ, "
            f"lý do của cấp ủy: {exception.reason}"
        )
    return paragraphs
