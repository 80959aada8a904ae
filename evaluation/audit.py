"""The append-only history (nhật ký): every change of a review's or a leader's quarter's state or level, of a
period, every move between cells, and every entry of the journal (logins, roles, targets, quota decisions,
imports).

Results decide people's standing, so their history must be believable: the ORM refuses to flush a
change to a history row, and the database refuses it too (triggers from migration 0008), so neither a
forgotten code path nor a hand-typed UPDATE rewrites what happened. The administrator reads it here, as
one UNION of the tables, filtered and paged by the database.
"""

import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from .auth.models import User
from .extensions import db
from .formatting import format_datetime
from .i18n import N_, gettext
from .i18n import gettext as _
from .journal import Change, JournalEntry, describe
from .levels import Level
from .members.models import Member, MembershipChange
from .org.models import Organization, in_subtree
from .periods.models import Period, PeriodAction, PeriodEvent
from .reviews.models import QuotaException, Review, ReviewEvent, ReviewState
from .reviews.quarter_models import QuarterEvent, QuarterReview
from .reviews.workflow import QUARTER_ACTION_LABELS, Action

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
HISTORY_MODELS = (ReviewEvent, QuarterEvent, PeriodEvent, JournalEntry, MembershipChange, QuotaException)

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


ACTION_KINDS = {
    **{f"review:{a.value}": a.label for a in Action if a is not Action.SAVE},
    **{f"quarter:{a.value}": QUARTER_ACTION_LABELS[a] for a in QUARTER_ACTION_LABELS},
    **{f"period:{a.value}": a.label for a in PeriodAction},
    **{f"journal:{c.value}": c.label for c in Change},
    "move": N_("Chuyển sinh hoạt"),
}
PAGE_SIZE = 100


@dataclass
class HistoryFilter:
    """What the administrator narrows the history to; every field optional."""

    year: int | None = None
    organization: Organization | None = None  # its subtree
    actor: str = ""  # a login name
    kind: str = ""  # a key of ACTION_KINDS
    since: date | None = None  # days in Vietnam's time, both ends included
    until: date | None = None


COLUMNS = ("id", "at", "year", "path", "other_path", "code", "name", "kind", "before", "after", "level", "note",
           "params", "actor_id")  # fmt: skip


def _row(*columns):
    """A SELECT of one history table's columns, named alike so each table can be filtered the same way."""
    return sa.select(*(column.label(name) for column, name in zip(columns, COLUMNS, strict=True)))


@functools.cache  # built once: five joined SELECTs cost about 11 ms of Python to build, twice a page
def _branches() -> dict:
    """Every history table as rows of the same columns, by the prefix of its kinds of change."""
    cell, moved_from, moved_to = aliased(Organization), aliased(Organization), aliased(Organization)
    reviews = (
        _row(
            ReviewEvent.id,
            ReviewEvent.at,
            Period.year,
            cell.path,
            sa.null(),
            sa.func.coalesce(Member.code, cell.code),
            sa.func.coalesce(Member.full_name, cell.name),
            sa.literal("review:").concat(ReviewEvent.action),
            sa.cast(ReviewEvent.from_state, sa.String),
            sa.cast(ReviewEvent.to_state, sa.String),
            sa.cast(ReviewEvent.level, sa.String),
            ReviewEvent.reason,
            sa.null(),
            ReviewEvent.actor_id,
        )
        .join(Review, Review.id == ReviewEvent.review_id)
        .join(Period, Period.id == Review.period_id)
        .join(cell, cell.id == Review.organization_id)
        .outerjoin(Member, Member.id == Review.member_id)
    )
    periods = _row(
        PeriodEvent.id,
        PeriodEvent.at,
        Period.year,
        sa.null(),
        sa.null(),
        sa.literal(""),
        sa.literal(""),
        sa.literal("period:").concat(sa.cast(PeriodEvent.action, sa.String)),
        sa.null(),
        sa.null(),
        sa.null(),
        PeriodEvent.note,
        sa.null(),
        PeriodEvent.actor_id,
    ).join(Period, Period.id == PeriodEvent.period_id)
    journal = _row(
        JournalEntry.id,
        JournalEntry.at,
        JournalEntry.year,
        Organization.path,
        sa.null(),
        JournalEntry.subject,
        sa.func.coalesce(Organization.name, ""),
        sa.literal("journal:").concat(sa.cast(JournalEntry.change, sa.String)),
        sa.null(),
        sa.null(),
        sa.null(),
        JournalEntry.detail,
        sa.cast(JournalEntry.params, sa.Text),
        JournalEntry.actor_id,
    ).outerjoin(Organization, Organization.id == JournalEntry.organization_id)
    moves = (
        _row(
            MembershipChange.id,
            MembershipChange.moved_at,
            sa.extract("year", MembershipChange.moved_at).cast(sa.Integer),
            moved_to.path,
            moved_from.path,
            Member.code,
            Member.full_name,
            sa.literal("move"),
            moved_from.name,
            moved_to.name,
            sa.null(),
            MembershipChange.reason,
            sa.null(),
            MembershipChange.actor_id,
        )
        .join(Member, Member.id == MembershipChange.member_id)
        .join(moved_from, moved_from.id == MembershipChange.from_org_id)
        .join(moved_to, moved_to.id == MembershipChange.to_org_id)
    )
    quarters = (
        _row(
            QuarterEvent.id,
            QuarterEvent.at,
            Period.year,
            cell.path,
            sa.null(),
            Member.code,
            Member.full_name.concat(" · Q").concat(sa.cast(QuarterReview.quarter, sa.String)),
            sa.literal("quarter:").concat(QuarterEvent.action),
            sa.cast(QuarterEvent.from_state, sa.String),
            sa.cast(QuarterEvent.to_state, sa.String),
            sa.cast(QuarterEvent.level, sa.String),
            QuarterEvent.reason,
            sa.null(),
            QuarterEvent.actor_id,
        )
        .join(QuarterReview, QuarterReview.id == QuarterEvent.review_id)
        .join(Period, Period.id == QuarterReview.period_id)
        .join(cell, cell.id == QuarterReview.organization_id)
        .join(Member, Member.id == QuarterReview.member_id)
    )
    return {"review:": reviews, "quarter:": quarters, "period:": periods, "journal:": journal, "move": moves}


def _history(wanted: HistoryFilter, keep: int | None = None):
    """The filtered history as one subquery.

    A table whose kind of change the filter excludes is left out. Without a narrowing filter (organization,
    person, kind), a page cuts each table to its newest `keep` rows before the union, so each answers from its
    index on the time instead of sorting the whole history; with one, the database starts from that filter.
    """
    narrow = wanted.organization is not None or wanted.actor or wanted.kind
    selects = []
    for prefix, branch in _branches().items():
        if wanted.kind and not wanted.kind.startswith(prefix):
            continue
        rows = branch.subquery()
        query = sa.select(rows).where(*_conditions(rows.c, wanted))
        if keep is not None and not narrow:
            query = sa.select(query.order_by(rows.c.at.desc(), rows.c.id.desc()).limit(keep).subquery())
        selects.append(query)
    if not selects:  # a kind no table holds: an empty history of the same shape
        selects.append(sa.select(_branches()["move"].subquery()).where(sa.false()))
    return sa.union_all(*selects).subquery("history")


def _conditions(c, wanted: HistoryFilter) -> list:
    conditions = []
    if wanted.year is not None:
        conditions.append(c.year == wanted.year)
    if wanted.organization is not None:
        path = wanted.organization.path
        conditions.append(in_subtree(c.path, path) | in_subtree(c.other_path, path))
    if wanted.actor:
        actor = sa.select(User.id).where(sa.func.lower(User.username) == wanted.actor.lower()).scalar_subquery()
        conditions.append(c.actor_id == actor)
    if wanted.kind:
        conditions.append(c.kind == wanted.kind)
    if wanted.since:
        conditions.append(c.at >= _start_of(wanted.since))
    if wanted.until:
        conditions.append(c.at < _start_of(wanted.until + timedelta(days=1)))
    return conditions


def _start_of(day: date) -> datetime:
    """Midnight in Vietnam, where the people who read the history live."""
    return datetime.combine(day, time(), VIETNAM).astimezone(UTC)


def history_rows(wanted: HistoryFilter, page: int | None = None) -> Iterator[list]:
    """The filtered history, newest first: one page of it, or all of it (page None) for the export."""
    history = _history(wanted, keep=None if page is None else page * PAGE_SIZE)
    query = (
        sa.select(history, User.username)
        .outerjoin(User, User.id == history.c.actor_id)
        .order_by(history.c.at.desc(), history.c.kind, history.c.id.desc())
    )
    if page is None:
        query = query.execution_options(yield_per=1000)
    else:
        query = query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    for row in db.session.execute(query):
        yield _shown(row)


def history_size(wanted: HistoryFilter) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(_history(wanted))) or 0


def _shown(row) -> list:
    kind, note = row.kind, row.note
    before, after = row.before, row.after
    if kind.startswith(("review:", "quarter:")):
        before, after = (ReviewState(s).label if s else "" for s in (before, after))
    if kind.startswith("journal:"):
        note = describe(note, json.loads(row.params) if row.params else {})
    return [
        format_datetime(row.at),  # a UNION's timestamps come back from SQLite naive: format_datetime reads UTC
        row.year or "",
        row.code,
        row.name,
        gettext(ACTION_KINDS[kind]) if kind in ACTION_KINDS else kind,
        before or "",
        after or "",
        Level(row.level).label if row.level else "",
        note,
        row.username or _("hệ thống"),
    ]
