"""The results written in the sentences of the official reports (docs/domain.md §9).

"13.886 trong tổng số 91.400 đảng viên được đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ
(chiếm 15,19%)", "619 trong tổng số 674 tổ chức cơ sở đảng hoàn thành tốt nhiệm vụ trở lên (chiếm 91,84%)",
and "không có ..." for a zero. Shares of a level are of the classified; the not classified and
the not yet rated are shares of everyone. Percentages are written as the reports write them, without
trailing zeros ("chiếm 20%"), unless REPORT_FIXED_DECIMALS keeps the fixed form ("chiếm 20,00%").
"""

from collections import Counter
from decimal import Decimal
from functools import lru_cache

from flask import current_app, has_app_context
from markupsafe import Markup

from ..formatting import format_number, format_percent, reader_language
from ..i18n import N_, current_language, is_vietnamese
from ..i18n import gettext as _
from ..levels import NOT_CLASSIFIED_NOUNS, QUALITY_LEVELS, Level, NotClassifiedReason
from ..org.models import OrgKind
from ..reviews.counts import GOOD_OR_BETTER, PROGRESS_STATES, Progress, Tally, percent
from .aggregation import Rollup, YearResult, history, targets
from .models import Target, TargetSubject

# Nouns as the sentences use them (lower case, counted); translated where a sentence is written.
MEMBERS_NOUN = N_("đảng viên")
ORG_NOUNS = {
    OrgKind.PROVINCE: N_("đảng bộ tỉnh"),
    OrgKind.UPPER: N_("đảng bộ cấp trên cơ sở"),
    OrgKind.GRASSROOTS: N_("tổ chức cơ sở đảng"),
    OrgKind.SECTION: N_("đảng bộ bộ phận"),
    OrgKind.CELL: N_("chi bộ"),
}


def tally_cells(tally: Tally, decimals: int, people: bool = True) -> Markup:
    """A table row's cells for a tally: (everyone), classified, each quality level and good or better with
    its share of the classified, not classified, not yet rated. Written here, not by a template macro per
    cell: a results page has a few hundred of them."""
    return _cells(tally.key(), decimals, people, reader_language())


# Kept by what they show: after a decision in one district, the province's page writes the other districts'
# rows as it wrote them before (a row's cells cost more than its counting). Under a kilobyte each, per worker.
@lru_cache(maxsize=2048)
def _cells(key: tuple[int, ...], decimals: int, people: bool, language: str) -> Markup:
    tally = Tally.from_key(key)
    cells = [tally.total] if people else []
    cells.append(tally.classified)
    written = [format_number(n, language) for n in cells]
    for share_key in (*QUALITY_LEVELS, GOOD_OR_BETTER):
        share = f' <small class="muted">({format_percent(tally.percent(share_key, decimals), language)})</small>'
        written.append(format_number(tally[share_key], language) + (share if tally.classified else ""))
    written += [format_number(tally.not_classified, language), format_number(tally.pending, language)]
    return Markup("".join(f"<td>{text}</td>" for text in written))  # numbers only: nothing to escape


def progress_cells(progress: Progress) -> Markup:
    """A progress table row's cells: everyone, then how many have not started, are writing, have submitted, were
    proposed and were decided."""
    counts = tuple(progress[state] for state in PROGRESS_STATES)
    return _progress_cells((progress.total, *counts), reader_language())


@lru_cache(maxsize=2048)  # kept by what they show, as a tally's cells are
def _progress_cells(counts: tuple[int, ...], language: str) -> Markup:
    return Markup("".join(f"<td>{format_number(count, language)}</td>" for count in counts))


def _level_phrase(level: Level) -> str:
    return level.label[0].lower() + level.label[1:]


def _fixed_decimals() -> bool:
    return has_app_context() and current_app.config.get("REPORT_FIXED_DECIMALS", False)


def shown_percent(value: Decimal | None) -> str:
    """ "20%", "15,1%", "15,19%": the reports' form; the fixed number of decimals if configured."""
    if value is None or _fixed_decimals():
        return format_percent(value)
    trimmed = value.normalize()
    return format_percent(trimmed.quantize(Decimal(1)) if trimmed == trimmed.to_integral() else trimmed)


def _share(tally: Tally, key, decimals: int) -> str:
    return _("(chiếm %(percent)s)", percent=shown_percent(tally.percent(key, decimals)))


def _counted(count: int, noun: str) -> str:
    """The noun after `count`: "1 member", "2 members". Vietnamese nouns do not change; the catalog keeps
    no plural forms, so the English singular is the plural without its final s (every noun here is regular)."""
    if count == 1 and not is_vietnamese() and noun.endswith("s"):
        return noun[:-1]
    return noun


def _count_with(tally: Tally, noun: str, level: Level, decimals: int) -> str:
    """ "8 đảng viên hoàn thành nhiệm vụ (chiếm 1,20%)", or "không có đảng viên ..." for none."""
    if not tally[level]:
        return _("không có %(noun)s %(level)s", noun=noun, level=_level_phrase(level))
    return _(
        "%(count)s %(noun)s %(level)s %(share)s",
        count=format_number(tally[level]),
        noun=_counted(tally[level], noun),
        level=_level_phrase(level),
        share=_share(tally, level, decimals),
    )


def _apart(tally: Tally, noun: str, decimals: int) -> list[str]:
    """The not classified and the not yet rated, each as a share of everyone."""
    lines = []
    for count, what in (
        (tally.not_classified, _("không xếp loại")),
        (tally.pending, _("chưa được đánh giá, xếp loại")),
    ):
        if count:
            share = shown_percent(percent(count, tally.total, decimals))
            lines.append(
                _(
                    "%(count)s %(counted)s %(what)s (chiếm %(share)s tổng số %(noun)s).",
                    count=format_number(count),
                    counted=_counted(count, noun),
                    noun=noun,
                    what=what,
                    share=share,
                )
            )
    return lines


def _none_yet(tally: Tally, noun: str) -> str:
    if not tally.total:
        return _("Không có %(noun)s nào.", noun=noun)
    return _(
        "Chưa có %(noun)s nào trong tổng số %(total)s %(noun)s được đánh giá, xếp loại.",
        noun=noun,
        total=format_number(tally.total),
    )


def _capitalized(text: str) -> str:
    return text[0].upper() + text[1:]


def members_sentences(tally: Tally, decimals: int = 2, by_reason: Counter | None = None) -> list[str]:
    noun = _(MEMBERS_NOUN)
    if not tally.classified:
        return [_none_yet(tally, noun)]
    total = format_number(tally.classified)
    excellent = tally[Level.EXCELLENT]
    if excellent:
        opening = _(
            "%(count)s trong tổng số %(total)s %(noun)s được đánh giá, xếp loại %(level)s %(share)s",
            count=format_number(excellent),
            total=total,
            noun=noun,
            level=_level_phrase(Level.EXCELLENT),
            share=_share(tally, Level.EXCELLENT, decimals),
        )
    else:
        opening = _(
            "Trong tổng số %(total)s %(noun)s được đánh giá, xếp loại, không có %(noun)s %(level)s",
            total=total,
            noun=noun,
            level=_level_phrase(Level.EXCELLENT),
        )
    rest = [_count_with(tally, noun, level, decimals) for level in (Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED)]
    return [
        _capitalized("; ".join([opening, *rest])) + ".",
        _good_or_better(tally, noun, decimals) + ".",
        *_apart(tally, noun, decimals),
        *_not_classified_by_reason(tally, by_reason or Counter(), decimals),
    ]


def _not_classified_by_reason(tally: Tally, by_reason: Counter, decimals: int) -> list[str]:
    """ "Đảng viên miễn công tác và sinh hoạt đảng: 329 đồng chí, chiếm 0,36%." for each reason there is."""
    return [
        _(
            "%(who)s: %(count)s đồng chí, chiếm %(share)s.",
            who=_capitalized(_(NOT_CLASSIFIED_NOUNS[reason])),
            count=format_number(by_reason[reason.value]),
            share=shown_percent(percent(by_reason[reason.value], tally.total, decimals)),
        )
        for reason in NotClassifiedReason
        if by_reason[reason.value]
    ]


def _good_or_better(tally: Tally, noun: str, decimals: int) -> str:
    if not tally.good_or_better:
        return _(
            "Không có %(noun)s hoàn thành tốt nhiệm vụ trở lên trong tổng số %(total)s %(noun)s",
            noun=noun,
            total=format_number(tally.classified),
        )
    return _(
        "%(count)s trong tổng số %(total)s %(noun)s hoàn thành tốt nhiệm vụ trở lên %(share)s",
        count=format_number(tally.good_or_better),
        total=format_number(tally.classified),
        noun=noun,
        share=_share(tally, GOOD_OR_BETTER, decimals),
    )


def organizations_sentences(tally: Tally, kind: OrgKind, decimals: int = 2) -> list[str]:
    """The sentences of a kind of organization. Kept by what they are written from, as a row's cells are: a
    decision on a member, the review season's usual change, leaves the organizations' counts as they were, and
    the province's page, written again after it, writes these as before (a sixth of its report's cost)."""
    return list(_organizations_sentences(tally.key(), kind, decimals, current_language(), _fixed_decimals()))


@lru_cache(maxsize=1024)
def _organizations_sentences(
    key: tuple[int, ...], kind: OrgKind, decimals: int, _language: str, _fixed: bool
) -> tuple[str, ...]:
    """`_language` and `_fixed` are in the key only: the sentences read both where they are written."""
    tally = Tally.from_key(key)
    noun = _(ORG_NOUNS[kind])
    if not tally.classified:
        return (_none_yet(tally, noun),)
    parts = [_good_or_better(tally, noun, decimals)]
    if tally.good_or_better:  # each level's count, the good ones too ("9 … hoàn thành tốt nhiệm vụ")
        parts[0] += _(
            ", trong đó %(excellent)s, %(good)s",
            excellent=_count_with(tally, noun, Level.EXCELLENT, decimals),
            good=_count_with(tally, noun, Level.GOOD, decimals),
        )
    parts += [_count_with(tally, noun, level, decimals) for level in (Level.COMPLETED, Level.NOT_COMPLETED)]
    return ("; ".join(parts) + ".", *_apart(tally, noun, decimals))


def report_paragraphs(
    rollup: Rollup, decimals: int = 2, past: list[YearResult] | None = None, goals: dict | None = None
) -> list[str]:
    """The report's paragraphs for a rollup: a heading line, members, then each kind of organization; each
    with the change since the year before. While the year is open every figure is called provisional.
    `past` and `goals`: the organization's `history` and `targets` up to the year, when the caller has them."""
    org = rollup.org
    paragraphs = [_heading(rollup)]
    before = _year_before(rollup, decimals, past)
    goals = targets(org, rollup.year) if goals is None else goals
    members = members_sentences(rollup.total.members, decimals, rollup.total.not_classified_by_reason)
    members += _target_sentence(rollup, rollup.total.members, goals.get(TargetSubject.MEMBERS), MEMBERS_NOUN, decimals)
    paragraphs.append(" ".join([*members, *_change_sentence(rollup, before, "members", decimals)]))
    for kind in rollup.kinds_below():
        sentences = organizations_sentences(rollup.below(kind), kind, decimals)
        if kind is OrgKind.GRASSROOTS:
            goal = goals.get(TargetSubject.GRASSROOTS)
            sentences += _target_sentence(rollup, rollup.below(kind), goal, ORG_NOUNS[kind], decimals)
            sentences += _change_sentence(rollup, before, "grassroots", decimals)
        paragraphs.append(" ".join(sentences))
    if rollup.total.own_level is not None:
        paragraphs.append(
            _("%(org)s được xếp loại: %(level)s.", org=org.name, level=_level_phrase(rollup.total.own_level))
        )
    for exception in rollup.quota_exceptions:
        subject = _("đảng viên") if exception.for_members else _("tổ chức đảng")
        paragraphs.append(
            _(
                "%(org)s vượt tỷ lệ %(subject)s hoàn thành xuất sắc nhiệm vụ, lý do của cấp ủy: %(reason)s",
                org=exception.org_name,
                subject=subject,
                reason=exception.reason,
            )
        )
    return paragraphs


def _heading(rollup: Rollup) -> str:
    title = _("Kết quả đánh giá, xếp loại chất lượng năm %(year)s của %(org)s", year=rollup.year, org=rollup.org.name)
    if not rollup.is_open:
        return title + ":"
    return title + _(
        " (số liệu tạm tính, kỳ đánh giá chưa kết thúc: còn %(pending)s đảng viên chưa được đánh giá, xếp loại):",
        pending=format_number(rollup.total.members.pending),
    )


def _year_before(rollup: Rollup, decimals: int, past: list[YearResult] | None) -> tuple[YearResult, int] | None:
    """This year's results with their change since the latest earlier year, and that year; None without one."""
    past = (history(rollup.org, rollup.year, limit=2, decimals=decimals) if past is None else past)[-2:]
    return (past[1], past[0].year) if len(past) == 2 and past[1].year == rollup.year else None


def _change_sentence(rollup: Rollup, before: tuple[YearResult, int] | None, subject: str, decimals: int) -> list[str]:
    """ "Tỷ lệ đảng viên hoàn thành tốt nhiệm vụ trở lên tăng 1,2% so với năm 2024." """
    if before is None or (change := before[0].changes.get(f"{subject}.good_or_better")) is None:
        return []
    noun = _(MEMBERS_NOUN) if subject == "members" else _(ORG_NOUNS[OrgKind.GRASSROOTS])
    earlier = before[1]
    if change == 0:
        sentence = _("Tỷ lệ %(noun)s hoàn thành tốt nhiệm vụ trở lên bằng năm %(year)s", noun=noun, year=earlier)
    else:
        sentence = _(
            "Tỷ lệ %(noun)s hoàn thành tốt nhiệm vụ trở lên %(direction)s %(points)s so với năm %(year)s",
            noun=noun,
            direction=_("tăng") if change > 0 else _("giảm"),
            points=shown_percent(abs(change)),
            year=earlier,
        )
    return [sentence + (_(" (tạm tính).") if rollup.is_open else ".")]


def _target_sentence(rollup: Rollup, tally: Tally, target: Target | None, noun: str, decimals: int) -> list[str]:
    """ "Chỉ tiêu từ 85% đảng viên trở lên hoàn thành tốt nhiệm vụ: kết quả 91,78%, vượt chỉ tiêu." """
    meets = tally.meets(target)
    if target is None or meets is None:
        return []
    percent_text = shown_percent(target.shown_percent)
    if target.strictly_above:
        goal = _("trên %(percent)s %(noun)s hoàn thành tốt nhiệm vụ trở lên", percent=percent_text, noun=_(noun))
    else:
        goal = _("từ %(percent)s %(noun)s trở lên hoàn thành tốt nhiệm vụ", percent=percent_text, noun=_(noun))
    exactly = Decimal(tally.good_or_better) * 100 == target.min_percent * tally.classified
    verdict = _("chưa đạt chỉ tiêu") if not meets else _("đạt chỉ tiêu") if exactly else _("vượt chỉ tiêu")
    sentence = _("Chỉ tiêu %(goal)s: kết quả %(share)s, %(verdict)s", goal=goal,
                 share=shown_percent(tally.percent(GOOD_OR_BETTER, decimals)), verdict=verdict)  # fmt: skip
    return [sentence + (_(" (tạm tính).") if rollup.is_open else ".")]
