"""Past years' results from the spreadsheets provinces kept, so year-over-year works from day one.

An imported result is a decided review whose history says it was imported, with the year's facts that
cap a level (`conditions`, the self-report `exception`) and why a member was not classified. Old results
are facts: the regulation's checks warn about them (`flask check` lists them) but never refuse them. A
bad row (unknown code, unreadable level or condition, a condition the year's rules do not have, a
duplicate) refuses the whole file, as every import does. A file's results are written as a bulk decision
writes (`reviews.bulk`): a few statements whatever its length, the history and the counters included.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import load_only, selectinload

from ..dbtypes import batches, insert_numbered, utcnow
from ..errors import DomainError
from ..extensions import db
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..levels import Level, NotClassifiedReason, parse_level, parse_not_classified_reason
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period, PeriodAction, PeriodState
from ..periods.operations import period_for_history, period_for_year, record_period
from ..rules import RuleSet, conditions_for, parse_condition
from ..tabular import ImportSummary, Row, RowErrors
from . import bulk, checks, quarterly, tallies
from .bulk import EVENTS, Move, history_row
from .models import Review, ReviewState
from .quarter_models import QUARTERS, QuarterReview, QuarterRound
from .workflow import Action, Capacity, apply

REVIEWS: sa.Table = Review.__table__  # type: ignore[assignment]


# What an import compares and where it counts a review: a review's text, scores and comments are not read.
COMPARED = (Review.member_id, Review.organization_id, Review.period_id, Review.state, Review.version,
            Review.final_level, Review.conditions, Review.exception_reason, Review.not_classified_category)  # fmt: skip


def _member_reviews(period: Period, members: list[Member]) -> dict[int | None, Review]:
    """The year's reviews of these members, by member id, a few queries for the whole file."""
    return {review.member_id: review for review in _reviews(period, Review.member_id, [m.id for m in members])}


def _org_reviews(period: Period, orgs: list[Organization]) -> dict[int, Review]:
    """The year's own reviews of these organizations, by organization id."""
    reviews = _reviews(period, Review.organization_id, [o.id for o in orgs], Review.member_id.is_(None))
    return {review.organization_id: review for review in reviews}


def _reviews(period: Period, column, ids: list[int], *where) -> list[Review]:
    found: list[Review] = []
    for batch in batches(ids):
        query = db.select(Review).where(Review.period_id == period.id, column.in_(batch), *where)
        found += db.session.scalars(query.options(load_only(*COMPARED)))
    return found


def _member_row(member: Member) -> dict:
    return {"member_id": member.id, "organization_id": member.organization_id, "form_type": member.form_type}


def _org_row(org: Organization) -> dict:
    return {"member_id": None, "organization_id": org.id, "form_type": None}


@dataclass(frozen=True)
class RatedSubject:
    """What a ratings file rates: how to find each row's subject, its review, and its quota group."""

    model: type[Member] | type[Organization]
    code_column: str
    reviews_of: Callable[[Period, list], dict[Any, Review]]  # the existing ones, by the `model` instance's id
    new_row: Callable[[Any], dict]  # a new review's columns that name whose it is
    counted_in: Callable[[Any], Organization]  # where its review is counted
    members: bool
    noun: str  # in the quota warning
    loaded_with: tuple = ()  # what writing a row reads of its subject, loaded with the subjects in one query

    @property
    def columns(self) -> set[str]:
        return {self.code_column, "level"}

    @property
    def optional_columns(self) -> set[str]:
        return {"conditions", "exception", *(["not_classified_reason"] if self.members else [])}


@dataclass
class Result:
    """One row's result: the level, the conditions recorded, the exception's reason, why not classified."""

    level: Level
    conditions: list[str]
    exception: str
    not_classified: str


def _parse_result(row: Row, rule_set: RuleSet) -> Result:
    """:raise ValueError: with the reason, for the first value of the row that cannot be taken."""
    level = parse_level(row.get("level"))
    conditions = []
    for text in filter(None, (part.strip() for part in row.get("conditions").split(";"))):
        condition = parse_condition(text)
        if condition is None:
            raise ValueError(_("không có điều kiện %(text)s", text=repr(text)))
        if condition not in conditions_for(rule_set):
            raise ValueError(_("điều kiện %(key)s không có trong %(rules)s", key=condition.value, rules=rule_set.label))
        conditions.append(condition.value)
    category = ""
    if text := row.get("not_classified_reason"):
        if level is not Level.NOT_CLASSIFIED:
            raise ValueError(_("not_classified_reason chỉ đi với mức not_classified"))
        category = parse_not_classified_reason(text).value
    elif level is Level.NOT_CLASSIFIED:
        category = NotClassifiedReason.OTHER.value
    return Result(level, sorted(set(conditions), key=conditions.index), row.get("exception"), category)


MEMBER_RATINGS = RatedSubject(Member, "member_code", _member_reviews, _member_row, lambda m: m.organization, True,
                              _l("đảng viên"), loaded_with=(selectinload(Member.organization),))  # fmt: skip
ORG_RATINGS = RatedSubject(Organization, "org_code", _org_reviews, _org_row, lambda org: org, False, _l("tổ chức"))


def import_ratings(
    subject: RatedSubject, rows: list[Row], year: int, actor=None, progress=iter
) -> tuple[ImportSummary, RowErrors]:
    """Set each member's (or organization's) final level for a past year (columns CODE, level)."""
    period = period_for_history(year)
    model = subject.model
    codes = [row.get(subject.code_column) for row in rows]
    query = db.select(model).where(model.code.in_(codes)).options(*subject.loaded_with)
    found = {item.code: item for item in db.session.scalars(query)}
    summary, errors = _import(progress(rows), period, subject, found, actor)
    if not errors:
        record_period(
            period,
            PeriodAction.IMPORT,
            actor,
            _(
                "Kết quả của %(noun)s: %(created)s mới, %(updated)s thay đổi, %(unchanged)s giữ nguyên.",
                noun=subject.noun,
                created=summary.created,
                updated=summary.updated,
                unchanged=summary.unchanged,
            ),
        )
        summary.warnings += [
            _("%(code)s: %(message)s; kết quả lưu trữ vẫn được nhập.", code=code, message=finding.message)
            for code, finding in checks.quota_findings(period, subjects=(subject.members,))
        ]
    return summary, errors


def _import(
    rows: Iterable[Row], period: Period, subject: RatedSubject, found: dict, actor
) -> tuple[ImportSummary, RowErrors]:
    summary, errors, seen = ImportSummary(), RowErrors(), dict[str, int]()
    results = []
    for row in rows:
        try:
            result = _parse_result(row, period.rule_set)
        except ValueError as exc:
            errors.add(row.line, str(exc))
            continue
        if (item := _subject_of(row, subject.code_column, found, seen, errors)) is not None:
            results.append((item, result))
    existing = subject.reviews_of(period, [item for item, _ in results])
    # Written as the bulk decision writes: one UPDATE per group of results that end alike, one INSERT for the
    # new ones, one for the history, and the counters in one.
    moves = []
    for item, result in results:
        if (review := existing.get(item.id)) is None:
            continue
        if _unchanged(review, result):
            summary.unchanged += 1
        else:
            moves.append(Move(review, _fields(result), level=result.level))
    db.session.flush()  # what the session holds is written before the statements that go past it
    bulk.store(moves, actor, Capacity.ARCHIVE, Action.IMPORT)
    summary.updated += len(moves)
    new = [(item, result) for item, result in results if item.id not in existing]
    _insert_decided(period, subject, new, actor)
    summary.created += len(new)
    return summary, errors


def _unchanged(review: Review, result: Result) -> bool:
    facts = (result.conditions, result.exception, result.not_classified)
    return (
        review.state is ReviewState.DECIDED
        and review.final_level is result.level
        and facts == (review.conditions or [], review.exception_reason, review.not_classified_category)
    )


def _fields(result: Result) -> dict:
    """The columns a result sets on a review."""
    return {
        "final_level": result.level,
        "conditions": result.conditions,
        "exception_reason": result.exception,
        "not_classified_category": result.not_classified,
        "not_classified_reason": _archived(result.level),
    }


def _insert_decided(period: Period, subject: RatedSubject, new: list[tuple[Any, Result]], actor) -> None:
    """New reviews of the year, decided as the file says, written as the bulk decision writes: one INSERT for
    the reviews, one for their history, the counters in one (an ORM object each cost 1 ms a row)."""
    if not new:
        return
    now = utcnow()
    rows = [subject.new_row(item) | _fields(result) | {"period_id": period.id, "sections": {},
            "state": ReviewState.DECIDED, "version": 1, "updated_at": now} for item, result in new]  # fmt: skip
    ids = insert_numbered(db.session, REVIEWS, rows)
    db.session.execute(sa.insert(EVENTS), [
        history_row(review_id, actor, Action.IMPORT, ReviewState.DRAFT, ReviewState.DECIDED, result.level)
        for review_id, (_item, result) in zip(ids, new, strict=True)])  # fmt: skip
    tallies.count_moved(db.session(), [(None, tallies.review_key(
        subject.counted_in(item), period.id, subject.members, ReviewState.DECIDED, result.level, result.conditions,
        result.not_classified,
    )) for item, result in new])  # fmt: skip


def _archived(level: Level) -> str:
    """Why an imported result is not classified: the archive says so."""
    return _("Theo kết quả lưu trữ.") if level is Level.NOT_CLASSIFIED else ""


def _subject_of(row: Row, column: str, found: dict, seen: dict[str, int], errors: RowErrors):
    """The member or organization a row names, or None with why recorded: no such code, none, or given before."""
    code = row.get(column)
    if code not in found:
        no_code = _("thiếu %(code_column)s", code_column=column)
        errors.add(row.line, _("không có mã %(code)s", code=repr(code)) if code else no_code)
        return None
    if code in seen:
        errors.add(row.line, _("mã %(code)s trùng với dòng %(line)s", code=code, line=seen[code]))
        return None
    seen[code] = row.line
    return found[code]


def import_quarter_ratings(
    rows: list[Row], year: int, quarter: int, actor=None, progress=iter
) -> tuple[ImportSummary, RowErrors]:
    """Set each member's decided level of a quarter (columns member_code, level), from a spreadsheet.

    The levels are spelled as in the annual import; a quarter has no "not classified". The year's period and
    the quarter's round are made (closed) when the database has none; a member the year's framework does not
    evaluate each quarter is imported with a warning (the spreadsheet is the fact).
    """
    if quarter not in QUARTERS:
        raise DomainError(_("Quý phải là 1, 2, 3 hoặc 4."))
    period = period_for_year(year) or period_for_history(year)
    round_ = quarterly.find_round(period, quarter) or QuarterRound(
        period=period, quarter=quarter, state=PeriodState.CLOSED,
        **dict(zip(("register_by", "report_by", "decide_by"), quarterly.default_deadlines(year, quarter), strict=True)),
    )  # fmt: skip
    db.session.add(round_)
    codes = [row.get("member_code") for row in rows]
    query = db.select(Member).where(Member.code.in_(codes)).options(selectinload(Member.organization))
    found = {m.code: m for m in db.session.scalars(query)}
    db.session.flush()  # the round, and the period if new: then nothing is left to flush before each row
    existing = _quarters(period, quarter, [m.id for m in found.values()])
    summary, errors, seen = ImportSummary(), RowErrors(), dict[str, int]()
    with db.session.no_autoflush:
        _set_quarters(progress(rows), period, quarter, found, existing, actor, summary, errors, seen)
    db.session.flush()
    if not errors:
        said = _(
            "Quý %(quarter)s, nhập kết quả: %(created)s mới, %(updated)s thay đổi, %(unchanged)s giữ nguyên.",
            quarter=quarter,
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
        record_period(period, PeriodAction.QUARTER, actor, said)
    return summary, errors


def _quarters(period: Period, quarter: int, member_ids: list[int]) -> dict[int, QuarterReview]:
    """The quarter's reviews of these members, by member id, a few queries for the whole file."""
    found: dict[int, QuarterReview] = {}
    for batch in batches(member_ids):
        query = db.select(QuarterReview).where(
            QuarterReview.period_id == period.id, QuarterReview.quarter == quarter, QuarterReview.member_id.in_(batch)
        )
        found |= {review.member_id: review for review in db.session.scalars(query)}
    return found


def _set_quarters(rows: Iterable[Row], period: Period, quarter: int, found: dict, existing: dict, actor,
                  summary: ImportSummary, errors: RowErrors, seen: dict[str, int]) -> None:  # fmt: skip
    for row in rows:
        try:
            level = parse_level(row.get("level"))
            if not level.is_quality_level:
                raise ValueError(_("một quý được xếp một trong bốn mức chất lượng"))
        except ValueError as exc:
            errors.add(row.line, str(exc))
            continue
        if (member := _subject_of(row, "member_code", found, seen, errors)) is None:
            continue
        if not quarterly.is_evaluated(member, period):
            summary.warnings.append(_("%(code)s: khung đánh giá năm %(year)s không đánh giá hằng quý đồng chí này.",
                                      code=member.code, year=period.year))  # fmt: skip
        _set_quarter(existing.get(member.id), period, quarter, member, level, actor, summary)


def _set_quarter(review, period, quarter, member, level: Level, actor, summary: ImportSummary) -> None:
    if review is not None and review.state is ReviewState.DECIDED and review.final_level is level:
        summary.unchanged += 1
        return
    if review is None:
        review = QuarterReview(period=period, quarter=quarter, member=member, state=ReviewState.DRAFT, criteria={},
                               products=[])  # fmt: skip
        db.session.add(review)
        summary.created += 1
    else:
        summary.updated += 1
    apply(review, actor, Capacity.ARCHIVE, Action.IMPORT, level=level)
    review.final_level, review.area_levels = level, {}
