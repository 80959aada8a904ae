"""Opening and closing the year's evaluation."""

import functools
from datetime import date

import sqlalchemy as sa
from blinker import Namespace
from flask import g
from sqlalchemy.orm import aliased

from .. import stamps
from ..errors import DomainError
from ..extensions import db
from ..i18n import gettext as _
from ..rules import rule_set_for_year
from .models import Period, PeriodAction, PeriodEvent, PeriodState

# Sent inside the reopening's transaction, so whatever a closed year kept apart can follow the present
# (members who moved while it was closed) and lands, or not, with the reopening.
reopened = Namespace().signal("period-reopened")
# Asked before a year closes: each receiver answers what is left, as phrases ("còn 5 đảng viên … chưa được
# xếp loại", "2 cấp ủy chưa xác nhận số liệu"). The reviews package answers; periods sit below it and
# cannot count reviews themselves.
closing = Namespace().signal("period-closing")


# The statements nearly every page runs are built once, with bound parameters: building a statement and its
# cache key costs about as much as running it (docs/performance.md).
_CURRENT = db.select(Period).order_by((Period.state == PeriodState.OPEN).desc(), Period.year.desc()).limit(1)
_OF_YEAR = db.select(Period).where(Period.year == sa.bindparam("year"))
_YEARS = db.select(Period.year).order_by(Period.year.desc())


@functools.cache  # made at first use: an alias configures the mappers, which importing this module must not
def current_of_login() -> type[Period]:
    """The current period as a selectable of one row (none before the first period is made): the login's
    statement reads it with the login (views/auth.py), a statement fewer on nearly every page."""
    return aliased(Period, _CURRENT.subquery("current_period"))


def keep_current(period: Period | None) -> None:
    """The current period as the login's statement read it, for the rest of the transaction that read it."""
    if period is not None:
        _kept()["current"] = period


def current_period() -> Period | None:
    """The open period, else the most recent one (so results stay visible after closing)."""
    return _kept().get("current") or db.session.scalars(_CURRENT).first()


def period_for_year(year: int) -> Period | None:
    # The year under way is the one most pages show: the login's statement has read it already. Another year's
    # is kept once read: a past year's rollup page asks for it twice (the page, then its rollup).
    kept = _kept()
    if (current := kept.get("current")) is not None and current.year == year:
        return current
    if (period := kept.get(year)) is None:
        period = db.session.scalars(_OF_YEAR, {"year": year}).first()
        if period is not None:
            _kept()[year] = period  # asked again: the statement may have begun the transaction
    return period


def _kept() -> dict:
    """The periods this transaction has read ("current", and each year's), while it still is the one that read
    them and has written nothing: a period it opened or closed would not be the one read. None is not kept."""
    transaction = db.session().get_transaction()  # the session needs an app context, and so does `g`
    kept = g.get("periods")
    if kept is None or kept[0] is not transaction or _writing():
        kept = g.periods = (transaction, {})
    return kept[1]


def _writing() -> bool:
    """Whether this transaction has written, or is about to write, anything."""
    session = db.session
    return bool(session.new or session.dirty or session.deleted) or stamps.uncommitted(session.connection())


def all_periods() -> list[Period]:
    """Every period, newest first."""
    return list(db.session.scalars(db.select(Period).order_by(Period.year.desc())))


def years() -> list[int]:
    """Years with a period (open, closed or imported), newest first."""
    return list(db.session.scalars(_YEARS))


def evaluation_year(today: date) -> int:
    """The year whose annual round is under way or comes next: rounds run in December (docs/domain.md §8) and
    finish early in the next year, so from July on it is this year's, before July last year's."""
    return today.year if today.month >= 7 else today.year - 1


def december_deadlines(year: int) -> dict[str, date]:
    """The usual calendar (docs/domain.md §8): open early December, everything decided before the 31st."""
    return {
        "opens_on": date(year, 12, 1),
        "submit_by": date(year, 12, 10),
        "propose_by": date(year, 12, 18),
        "decide_by": date(year, 12, 28),
        "rate_orgs_by": date(year, 12, 30),
    }


def create_period(
    year: int,
    *,
    opens_on: date,
    submit_by: date,
    propose_by: date,
    decide_by: date,
    rate_orgs_by: date,
    actor=None,
) -> Period:
    if db.session.scalars(db.select(Period).where(Period.year == year)).first():
        raise DomainError(_("Đã có kỳ đánh giá năm %(year)s.", year=year))
    _check_order(opens_on, submit_by, propose_by, decide_by, rate_orgs_by)
    period = Period(
        year=year,
        rule_set=rule_set_for_year(year),
        opens_on=opens_on,
        submit_by=submit_by,
        propose_by=propose_by,
        decide_by=decide_by,
        rate_orgs_by=rate_orgs_by,
    )
    db.session.add(period)
    record_period(period, PeriodAction.CREATE, actor)
    db.session.flush()
    return period


def _check_order(*deadlines: date) -> None:
    if list(deadlines) != sorted(deadlines):
        raise DomainError(
            _(
                "Các mốc thời hạn phải theo thứ tự: mở, nộp bản kiểm điểm, chi bộ đề xuất, đảng ủy quyết định, xếp "
                "loại tổ chức đảng."
            )
        )


DEADLINE_FIELDS = ("submit_by", "propose_by", "decide_by", "rate_orgs_by")


def change_deadlines(period: Period, actor, reason: str, **deadlines: date) -> None:
    """Move a period's deadlines (usually an extension), with the reason; the old and new dates go into its
    history. A closed year's deadlines are history and stay.

    :raise DomainError: for a closed period, no reason, or deadlines out of order.
    """
    if period.state is PeriodState.CLOSED:
        raise DomainError(_("Kỳ đánh giá năm %(year)s đã đóng: không đổi thời hạn.", year=period.year))
    if not reason.strip():
        raise DomainError(_("Ghi lý do đổi thời hạn (sẽ lưu vào lịch sử)."))
    _check_order(period.opens_on, *(deadlines[name] for name in DEADLINE_FIELDS))
    changes = [
        f"{label}: {getattr(period, name):%d/%m/%Y} → {deadlines[name]:%d/%m/%Y}"
        for (label, _old), name in zip(period.deadlines, DEADLINE_FIELDS, strict=True)
        if getattr(period, name) != deadlines[name]
    ]
    if not changes:
        raise DomainError(_("Các thời hạn không thay đổi."))
    for name in DEADLINE_FIELDS:
        setattr(period, name, deadlines[name])
    record_period(period, PeriodAction.DEADLINES, actor, f"{reason.strip()} ({'; '.join(changes)})")
    db.session.flush()


def period_for_history(year: int) -> Period:
    """The period that holds a past year's imported results, created closed when there is none.

    :raise DomainError: when the year's period is not closed: its results are decided here, not imported.
    """
    period = db.session.scalars(db.select(Period).where(Period.year == year)).first()
    if period is None:
        period = create_period(year, **december_deadlines(year))
        period.state = PeriodState.CLOSED
        db.session.flush()
    elif period.state is not PeriodState.CLOSED:
        raise DomainError(
            _(
                "Kỳ đánh giá năm %(year)s chưa đóng: kết quả năm đó được quyết định trên hệ thống, không nhập từ tệp.",
                year=year,
            )
        )
    return period


def record_period(period: Period, action: PeriodAction, actor=None, note: str = "") -> None:
    db.session.add(PeriodEvent(period=period, actor=actor, action=action, note=note))


def open_period(period: Period, actor=None, reason: str = "") -> None:
    """Open a period; only one is open at a time so every page knows which year it is about.

    Opening a closed year again unlocks published results, so it takes a written reason, kept in the
    period's history.
    """
    if period.state is PeriodState.OPEN:
        raise DomainError(_("Kỳ đánh giá năm %(year)s đang mở.", year=period.year))
    other = db.session.scalars(
        db.select(Period).where(Period.state == PeriodState.OPEN, Period.id != period.id)
    ).first()
    if other:
        raise DomainError(_("Kỳ đánh giá năm %(year)s đang mở; hãy đóng kỳ đó trước.", year=other.year))
    reopening = period.state is PeriodState.CLOSED
    if reopening and not reason.strip():
        raise DomainError(
            _("Kỳ đánh giá năm %(year)s đã đóng: ghi lý do mở lại (sẽ lưu vào lịch sử).", year=period.year)
        )
    period.state = PeriodState.OPEN
    record_period(period, PeriodAction.REOPEN if reopening else PeriodAction.OPEN, actor, reason.strip())
    if reopening:
        reopened.send(period)
    db.session.flush()


def close_period(period: Period, note: str = "", actor=None) -> None:
    """Close the year. With anything left (members or organizations undecided, committees that have not
    confirmed their figures: what the `closing` receivers answer) it refuses and says what, unless the
    administrator writes why it closes anyway (kept on the period)."""
    if period.state is not PeriodState.OPEN:
        raise DomainError(_("Chỉ đóng được kỳ đánh giá đang mở."))
    left = [item for _receiver, items in closing.send(period) for item in items]
    if left and not note.strip():
        raise DomainError(
            _(
                "Chưa đóng được kỳ đánh giá năm %(year)s: %(left)s. Hãy hoàn tất, hoặc ghi lý do đóng kỳ khi còn tồn "
                "đọng.",
                year=period.year,
                left="; ".join(left),
            )
        )
    period.closing_note = note.strip()
    period.state = PeriodState.CLOSED
    record_period(period, PeriodAction.CLOSE, actor, period.closing_note)
    db.session.flush()
