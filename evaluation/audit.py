"""The append-only history (nhật ký): every change of a review's state or level, and of a period's.

Results decide people's standing, so their history must be believable: the ORM refuses to flush a
change to a history row, and the database refuses it too (triggers from migration 0008), so neither a
forgotten code path nor a hand-typed UPDATE rewrites what happened. The administrator reads it here.
"""

import heapq
import itertools
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import Session, aliased

from .auth.models import User
from .extensions import db
from .formatting import format_datetime
from .i18n import N_
from .members.models import Member
from .org.models import Organization
from .periods.models import Period, PeriodAction, PeriodEvent
from .reviews.models import Review, ReviewEvent, ReviewState
from .reviews.workflow import Action

HISTORY_MODELS = (ReviewEvent, PeriodEvent)

HEADERS = [N_("Thời điểm"), N_("Năm"), N_("Mã"), N_("Đối tượng"), N_("Thao tác"), N_("Từ trạng thái"),
           N_("Sang trạng thái"), N_("Mức"), N_("Lý do, ghi chú"), N_("Người thực hiện")]  # fmt: skip


class HistoryIsAppendOnly(RuntimeError):
    """A bug, not a user's mistake: some code tried to rewrite the history."""


def _refuse_history_changes(session: Session, flush_context, instances) -> None:
    for obj in session.deleted:
        if isinstance(obj, HISTORY_MODELS):
            raise HistoryIsAppendOnly(f"{type(obj).__name__} {obj.id} cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, HISTORY_MODELS) and session.is_modified(obj, include_collections=False):
            raise HistoryIsAppendOnly(f"{type(obj).__name__} {obj.id} cannot be changed")


def listen() -> None:
    if not sa.event.contains(Session, "before_flush", _refuse_history_changes):
        sa.event.listen(Session, "before_flush", _refuse_history_changes)


def _in_order(query, model, year: int | None, newest: int | None):
    """Oldest first for the export; the newest few, newest first, for the page."""
    if year is not None:
        query = query.where(Period.year == year)
    if newest is None:
        return query.order_by(model.at, model.id).execution_options(yield_per=1000)
    return query.order_by(model.at.desc(), model.id.desc()).limit(newest)


def _review_events(year: int | None, newest: int | None):
    cell = aliased(Organization)
    query = (
        sa.select(
            ReviewEvent.at,
            Period.year,
            sa.func.coalesce(Member.code, cell.code),
            sa.func.coalesce(Member.full_name, cell.name),
            ReviewEvent.action,
            ReviewEvent.from_state,
            ReviewEvent.to_state,
            ReviewEvent.level,
            ReviewEvent.reason,
            User.username,
        )
        .join(Review, Review.id == ReviewEvent.review_id)
        .join(Period, Period.id == Review.period_id)
        .join(cell, cell.id == Review.organization_id)
        .outerjoin(Member, Member.id == Review.member_id)
        .outerjoin(User, User.id == ReviewEvent.actor_id)
    )
    rows = db.session.execute(_in_order(query, ReviewEvent, year, newest))
    for at, year_, code, name, action, from_state, to_state, level, reason, username in rows:
        yield [at, year_, code, name, Action(action).label, _state(from_state), _state(to_state),
               level.label if level else "", reason, username or _("hệ thống")]  # fmt: skip


def _period_events(year: int | None, newest: int | None):
    query = (
        sa.select(PeriodEvent.at, Period.year, PeriodEvent.action, PeriodEvent.note, User.username)
        .join(Period, Period.id == PeriodEvent.period_id)
        .outerjoin(User, User.id == PeriodEvent.actor_id)
    )
    for at, year_, action, note, username in db.session.execute(_in_order(query, PeriodEvent, year, newest)):
        yield [at, year_, "", _("Kỳ đánh giá năm %(year)s", year=year_), PeriodAction(action).label, "", "", "",
               note, username or _("dòng lệnh")]  # fmt: skip


def _state(state: ReviewState | None) -> str:
    return state.label if state else ""


def history_rows(year: int | None = None, newest: int | None = None) -> Iterator[list]:
    """Every entry oldest first, periods' and reviews' together, the time in Vietnam's; or the newest few."""
    sources = (_review_events(year, newest), _period_events(year, newest))
    rows = heapq.merge(*sources, key=lambda row: row[0], reverse=newest is not None)
    for row in rows if newest is None else itertools.islice(rows, newest):
        yield [format_datetime(row[0]), *row[1:]]


def history_size(year: int | None = None) -> int:
    reviews = sa.select(sa.func.count(ReviewEvent.id)).join(Review).join(Period, Period.id == Review.period_id)
    periods = sa.select(sa.func.count(PeriodEvent.id)).join(Period, Period.id == PeriodEvent.period_id)
    if year is not None:
        reviews, periods = reviews.where(Period.year == year), periods.where(Period.year == year)
    return db.session.scalar(reviews) + db.session.scalar(periods)
