"""Counters kept per organization subtree, so a rollup reads one row per child instead of counting.

`KeptTally` counts the reviews of a period under each organization (itself and everything below),
by subject (`member`, or the kind of the organization rated), state, final level, the type of grassroots
organization the row belongs to (the statistical table's columns) and, for a result not completed or not
classified, its reason. A leader's quarter is one more subject (`quarter-1` … `quarter-4`): its overall
level is counted with reason "", and once decided each area of results again, banded into a level, with
the area's key as the reason. `SubtreeSize` counts what is under each organization now: members, and
organizations of each kind, by type. Readers that do not split by type or reason add the rows up. Both are
changed in the same transaction as the rows they count: a `before_flush` hook sees every ORM change to
reviews, members and organizations, and `after_flush` applies it once the rows are written (so a write
that loses a version race fails before it counts); increments are upserts (`count = count + n`), so
concurrent decisions never lose one. Bulk writes that bypass the ORM (the generator, moving a
subtree of organizations) call `recount`, which rebuilds both tables from the source rows and
reports any difference.
"""

import functools
import itertools
from collections import Counter
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from .. import stamps
from ..dbtypes import batches, keys_among, upsert_into
from ..extensions import Model
from ..levels import Level, NotClassifiedReason
from ..members.models import Member
from ..org.models import Organization, OrgKind
from ..rules import not_completed_reason
from .models import Review, ReviewState
from .quarter_models import QUARTERS, QuarterReview

MEMBER = "member"  # the subject of a member's review, and the size bucket of members
# A grassroots organization with cells or sections (đảng bộ cơ sở): its own review and its size are counted
# again under this subject, so the statistics tell đảng bộ cơ sở and chi bộ cơ sở apart without a walk.
# Whether it has any changes only when its first child arrives or its last leaves: both count again.
PARTY_COMMITTEE = "party_committee"
HOLDS_UNITS = (OrgKind.CELL, OrgKind.SECTION)
QUARTER_SUBJECTS = tuple(f"quarter-{quarter}" for quarter in QUARTERS)


# A counter below zero is a bug in whatever changed the rows: the database refuses it rather than report it.
def _not_negative() -> sa.CheckConstraint:
    return sa.CheckConstraint("count >= 0", name="count_not_negative")


class KeptTally(Model):
    __tablename__ = "tally"
    # The readers' columns with the count last: a rollup reads its counters from this index alone, where
    # the primary key's order (by type first) would send it to a table page per counter.
    __table_args__ = (
        _not_negative(),
        sa.Index("ix_tally_read", "organization_id", "period_id", "subject", "state", "level", "reason", "count"),
    )

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"), primary_key=True)
    subject: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "member" or an OrgKind value
    state: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "" until decided
    org_type: Mapped[str] = mapped_column(sa.String(30), primary_key=True, default="")  # "" when none is set
    reason: Mapped[str] = mapped_column(sa.String(30), primary_key=True, default="")  # see `_reason`
    count: Mapped[int] = mapped_column(default=0)


class SubtreeSize(Model):
    __tablename__ = "subtree_size"
    __table_args__ = (_not_negative(),)

    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "member" or an OrgKind value
    org_type: Mapped[str] = mapped_column(sa.String(30), primary_key=True, default="")
    count: Mapped[int] = mapped_column(default=0)


# The two tables as Core tables, for the statements written without the ORM.
TALLY: sa.Table = KeptTally.__table__  # type: ignore[assignment]
SIZE: sa.Table = SubtreeSize.__table__  # type: ignore[assignment]


def _ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _reason(state, level, conditions, category) -> str:
    """Why a decided result is not completed (the statistics' reason) or not classified (its category)."""
    if state is not ReviewState.DECIDED:
        return ""
    if level is Level.NOT_COMPLETED:
        return not_completed_reason(conditions)
    if level is Level.NOT_CLASSIFIED:
        return category or NotClassifiedReason.OTHER.value
    return ""


def _review_key(path: str | None, period_id: int, is_member: bool, kind, state, level, org_type, conditions,
                category) -> tuple | None:  # fmt: skip
    """Where a review is counted; None before it has a place in the tree."""
    if not path:
        return None
    subject = MEMBER if is_member else kind.value
    reason = _reason(state, level, conditions, category)
    return path, period_id, subject, state.value, level.value if level else "", org_type or "", reason


def _add(deltas: Counter, key: tuple | None, amount: int) -> None:
    if key is None:
        return
    path, *rest = key
    for org_id in _ids(path):
        deltas[("tally", org_id, *rest)] += amount


def _add_review(deltas: Counter, key: tuple | None, amount: int, party_committee: bool) -> None:
    _add(deltas, key, amount)
    if key is not None and party_committee:
        _add(deltas, (*key[:2], PARTY_COMMITTEE, *key[3:]), amount)


def _with_units(connection, org_ids) -> set[int]:
    """Of these organizations, those with cells or sections under them."""
    if not org_ids:
        return set()
    return set(
        connection.execute(
            sa.select(Organization.parent_id).where(
                Organization.parent_id.in_(org_ids), Organization.kind.in_(HOLDS_UNITS)
            )
        ).scalars()
    )


def _is_party_committee(is_member: bool, kind, org_id, with_units) -> bool:
    return not is_member and kind is OrgKind.GRASSROOTS and org_id in with_units


def _changed(session: Session, model) -> list:
    return [obj for obj in session.dirty if isinstance(obj, model) and session.is_modified(obj)]


# What a review is counted by (`_review_key`): a change of anything else, its text or its version on every
# save of a draft, leaves the counters alone, and spares reading where the review was counted.
COUNTED_BY = ("state", "final_level", "conditions", "not_classified_category", "organization", "organization_id",
              "period", "period_id", "member", "member_id")  # fmt: skip


def _recounted(review: Review) -> bool:
    attributes = sa.inspect(review).attrs
    return any(attributes[name].history.has_changes() for name in COUNTED_BY)


def _review_deltas(session: Session, deltas: Counter) -> None:
    new = [obj for obj in session.new if isinstance(obj, Review)]
    dirty = {review.id: review for review in _changed(session, Review) if _recounted(review)}
    grassroots = {
        r.organization.id
        for r in (*new, *dirty.values())
        if r.organization is not None and r.member_id is None and r.member is None
        and r.organization.kind is OrgKind.GRASSROOTS
    }  # fmt: skip
    with_units = _with_units(session.connection(), grassroots)
    for review in new:
        org = review.organization
        is_member = review.member is not None or review.member_id is not None
        key = _review_key(
            org.path if org else None,
            review.period_id or review.period.id,
            is_member,
            org.kind if org else None,
            review.state or ReviewState.DRAFT,  # the column default, not applied until the insert
            review.final_level,
            org.type_key if org else None,
            review.conditions,
            review.not_classified_category,
        )
        _add_review(deltas, key, +1, _is_party_committee(is_member, org and org.kind, org and org.id, with_units))
    if not dirty:
        return
    # The database still holds the values before this flush: the one reliable "before".
    before = session.connection().execute(
        sa.select(
            Review.id,
            Organization.path,
            Review.period_id,
            Review.member_id,
            Organization.kind,
            Review.state,
            Review.final_level,
            Organization.type_key,
            Review.conditions,
            Review.not_classified_category,
        )  # fmt: skip
        .join(Organization, Review.organization_id == Organization.id)
        .where(Review.id.in_(dirty))
    )
    for review_id, path, period_id, member_id, *counted in before:
        review = dirty[review_id]
        old = _review_key(path, period_id, member_id is not None, *counted)
        org = review.organization
        new_key = _review_key(org.path, review.period_id, review.member_id is not None, org.kind, review.state,
                              review.final_level, org.type_key, review.conditions,
                              review.not_classified_category)  # fmt: skip
        if old != new_key:
            party = _is_party_committee(member_id is not None, counted[0], org.id, with_units)
            _add_review(deltas, old, -1, party)
            _add_review(deltas, new_key, +1, party)


def _quarter_keys(path: str | None, period_id: int, quarter: int, state, level, org_type, area_levels) -> list[tuple]:
    """Where a leader's quarter is counted: its level, and once decided each area's banded level."""
    if not path:
        return []
    subject, decided = QUARTER_SUBJECTS[quarter - 1], state is ReviewState.DECIDED
    keys = [(path, period_id, subject, state.value, level.value if decided and level else "", org_type or "", "")]
    if decided:
        keys += [(path, period_id, subject, state.value, area_level, org_type or "", area)
                 for area, area_level in sorted((area_levels or {}).items())]  # fmt: skip
    return keys


def _quarter_deltas(session: Session, deltas: Counter) -> None:
    for review in (obj for obj in session.new if isinstance(obj, QuarterReview)):
        org = review.organization
        for key in _quarter_keys(org.path, review.period_id or review.period.id, review.quarter,
                                 review.state or ReviewState.DRAFT, review.final_level, org.type_key,
                                 review.area_levels):  # fmt: skip
            _add(deltas, key, +1)
    dirty = {review.id: review for review in _changed(session, QuarterReview)}
    if not dirty:
        return
    before = session.connection().execute(
        sa.select(QuarterReview.id, *_QUARTER_COUNTED)
        .join(Organization, QuarterReview.organization_id == Organization.id)
        .where(QuarterReview.id.in_(dirty))
    )
    for review_id, *counted in before:
        review, org = dirty[review_id], dirty[review_id].organization
        old = _quarter_keys(*counted)
        new = _quarter_keys(org.path, review.period_id, review.quarter, review.state, review.final_level,
                            org.type_key, review.area_levels)  # fmt: skip
        if old != new:
            for key in old:
                _add(deltas, key, -1)
            for key in new:
                _add(deltas, key, +1)


_QUARTER_COUNTED = (Organization.path, QuarterReview.period_id, QuarterReview.quarter, QuarterReview.state,
                    QuarterReview.final_level, Organization.type_key, QuarterReview.area_levels)  # fmt: skip


def _size_deltas(session: Session, deltas: Counter) -> None:
    for obj in session.new:
        if isinstance(obj, Member) and obj.organization is not None:
            _add_size(deltas, obj.organization.path, MEMBER, obj.organization.type_key, +1)
    members = {m.id: m for m in _changed(session, Member)}
    if members:
        before = session.connection().execute(
            sa.select(Member.id, Organization.path, Organization.type_key)
            .join(Organization, Member.organization_id == Organization.id)
            .where(Member.id.in_(members))
        )
        for member_id, old_path, old_type in before:
            new = members[member_id].organization
            if (old_path, old_type) != (new.path, new.type_key):
                _add_size(deltas, old_path, MEMBER, old_type, -1)
                _add_size(deltas, new.path, MEMBER, new.type_key, +1)
    orgs = {o.id: o for o in _changed(session, Organization)}
    if orgs:
        paths = session.connection().execute(
            sa.select(Organization.id, Organization.path).where(Organization.id.in_(orgs))
        )
        for org_id, old_path in paths:
            org = orgs[org_id]
            if old_path == org.path:
                continue
            if not old_path:  # placed for the first time, right after its insert (the id is part of the path)
                _add_size(deltas, org.path, org.kind.value, org.type_key, +1)
                if _first_unit_of_grassroots(session, org):  # a chi bộ cơ sở becomes a đảng bộ cơ sở
                    session.info["recount"] = True


def _first_unit_of_grassroots(session: Session, org: Organization) -> bool:
    parent = org.parent
    if org.kind not in HOLDS_UNITS or parent is None or parent.kind is not OrgKind.GRASSROOTS:
        return False
    siblings = session.connection().execute(
        sa.select(sa.func.count(Organization.id)).where(
            Organization.parent_id == parent.id, Organization.id != org.id, Organization.kind.in_(HOLDS_UNITS)
        )
    )
    return not siblings.scalar()


def _add_size(deltas: Counter, path: str, kind: str, org_type: str | None, amount: int) -> None:
    for org_id in _ids(path):
        deltas[("size", org_id, kind, org_type or "")] += amount


def _add_to_counters(connection, table, changes: list[tuple[tuple, int]]) -> None:
    """Add each amount to its counter (a key in `COLUMNS` order), in the order given, as one statement whose
    rows are sent at once: whatever their signs, so a large import is not thousands of round trips.

    The database checks an upsert's proposed row against `count >= 0` before it finds the existing one, so a
    decrement proposes 0 and only the existing row takes the amount. A decrement must never make a counter
    (one that was never kept is a bug to report, not a row to make): those counters are looked up first."""
    add, (kept, keys) = _statements(table, connection.dialect.name)
    taken = [key for key, amount in changes if amount < 0]
    found = {tuple(row) for part in batches(taken) for row in connection.execute(kept, keys(part))}
    if missing := [key for key in taken if key not in found]:
        raise RuntimeError(f"{table.name}: {len(missing)} of these were never kept, to be taken from: {missing[:20]}")
    names = [f"key_{column}" for column in COLUMNS[table.name]]
    rows = [dict(zip(names, key, strict=True)) | {"amount": n, "proposed": max(n, 0)} for key, n in changes]
    if rows:
        connection.execute(add, rows)


@functools.cache
def _statements(table: sa.Table, dialect: str) -> tuple[sa.Insert, tuple[sa.Select, Callable]]:
    """The upsert that adds an amount to a counter, and the lookup of the counters that exist among some keys,
    built once: building a statement cost more than running it, a thousand times over in a large import. The
    upsert's parameters are the key's columns prefixed (an UPDATE's may not share the names of the columns it
    sets), the amount, and the count of the row it proposes."""
    columns = COLUMNS[table.name]
    values: dict[str, sa.BindParameter] = {name: sa.bindparam(f"key_{name}") for name in columns}
    values["count"] = sa.bindparam("proposed")
    add = upsert_into(table, dialect).values(values)
    add = add.on_conflict_do_update(
        index_elements=list(columns), set_={"count": table.c.count + sa.bindparam("amount")}
    )
    return add, keys_among([table.c[name] for name in columns], dialect)


# The key columns of each table, in the order its deltas and `expected` spell a key.
COLUMNS = {
    "tally": ("organization_id", "period_id", "subject", "state", "level", "org_type", "reason"),
    "subtree_size": ("organization_id", "kind", "org_type"),
}


def _before_flush(session: Session, _context, _instances) -> None:
    """Work out what the flush will change, from the rows as they are in the database now."""
    deltas: Counter = Counter()
    _review_deltas(session, deltas)
    _quarter_deltas(session, deltas)
    _size_deltas(session, deltas)
    session.info["tally_deltas"] = deltas


def _after_flush(session: Session, _context) -> None:
    """Apply the changes once the flush has written its rows. After, not before: a review's UPDATE checks
    its version, so a decision that lost a race fails there, before it touches a counter another
    transaction just decremented (which the CHECK would refuse, hiding the stale write behind it)."""
    _apply(session.connection(), session.info.pop("tally_deltas", Counter()))


def _apply(connection, deltas: Counter) -> None:
    # The pages of these organizations and years change, no other. Counters that end where they started count
    # too: a member moved between two cells leaves their committee's as they were, but its page shows both.
    scopes = {(key[1], key[2]) for key in deltas if key[0] == "tally"}
    changes = sorted((key, amount) for key, amount in deltas.items() if amount)  # a fixed order: no deadlock
    with stamps.counters_of(connection, scopes):
        for tag, counters in itertools.groupby(changes, key=lambda change: change[0][0]):
            _add_to_counters(connection, TALLY if tag == "tally" else SIZE, [(key[1:], n) for key, n in counters])


def counted_at(review: Review) -> tuple | None:
    """Where a loaded review is counted, as its attributes stand."""
    return review_key(review.organization, review.period_id, review.member_id is not None, review.state,
                      review.final_level, review.conditions, review.not_classified_category)  # fmt: skip


def review_key(org: Organization, period_id: int, is_member: bool, state, level, conditions, category) -> tuple | None:
    """Where a review with these values is counted: a member's in `org`, their cell; an organization's own
    in `org` itself."""
    return _review_key(org.path, period_id, is_member, org.kind, state, level, org.type_key, conditions, category)


def count_moved(session: Session, moved: list[tuple[tuple | None, tuple | None]]) -> None:
    """The counters of reviews written by set-based statements, which the flush hooks do not see: each (where
    it was counted, `counted_at` now), applied as one statement for all the counters that change."""
    connection = session.connection()
    rated = {key[0]: _ids(key[0])[-1] for pair in moved for key in pair if key and key[2] == OrgKind.GRASSROOTS.value}
    with_units = _with_units(connection, set(rated.values()))
    deltas: Counter = Counter()
    for before, after in moved:
        if before != after:
            for key, amount in ((before, -1), (after, +1)):
                _add_review(deltas, key, amount, key is not None and rated.get(key[0]) in with_units)
    _apply(connection, deltas)


def retype(org: Organization, *, old: str | None, new: str | None) -> None:
    """A grassroots organization's subtree changed type: its counts move from the old column to the new.

    Under it every counter is of its one type, so the rows change their type in place; above it, its own
    counters are taken from the old type and added to the new, as any other change is. Counters back at zero
    may be of another type (a cell moved in from another type left them): they go first, or the new type's
    row would meet one.
    """
    session = Session.object_session(org)
    assert session is not None
    connection = session.connection()
    for table in (TALLY, SIZE):
        inside = table.c.organization_id.in_(sa.select(Organization.id).where(org.subtree_clause()))
        own = list(connection.execute(sa.select(table).where(table.c.organization_id == org.id, table.c.count != 0)))
        connection.execute(sa.delete(table).where(inside, table.c.count == 0))
        connection.execute(sa.update(table).where(inside).values(org_type=new or ""))
        type_at = COLUMNS[table.name].index("org_type")
        changes = []
        for _org_id, *key, count in own:
            for ancestor in _ids(org.path)[:-1]:
                for org_type, amount in ((old, -count), (new, count)):
                    changes.append(((ancestor, *key[: type_at - 1], org_type or "", *key[type_at:]), amount))
        _add_to_counters(connection, table, changes)


def follow_move(org: Organization, *, old_path: str) -> None:
    """A subtree moved: its root's own counters (the subtree's totals) leave the old ancestors and join the
    new, whatever the size of the subtree; the counters inside it do not change.

    A cell or section that leaves its grassroots organization without units (a chi bộ cơ sở now) or gives
    one its first (a đảng bộ cơ sở now) changes what is counted as a party committee: that rare move is
    counted again whole at commit.
    """
    session = Session.object_session(org)
    assert session is not None
    connection = session.connection()
    before, after = _ids(old_path)[:-1], _ids(org.path)[:-1]
    deltas: Counter = Counter()
    for tag, table in (("tally", TALLY), ("size", SIZE)):
        own = connection.execute(sa.select(table).where(table.c.organization_id == org.id, table.c.count != 0))
        for _org_id, *rest, count in own:
            for ancestor in before:
                deltas[(tag, ancestor, *rest)] -= count
            for ancestor in after:
                deltas[(tag, ancestor, *rest)] += count
    _apply(connection, deltas)
    if org.kind in HOLDS_UNITS and _changes_party_committees(connection, org, before[-1:] + after[-1:]):
        session.info["recount"] = True


def _changes_party_committees(connection, unit: Organization, parents: list[int]) -> bool:
    """Whether one of the grassroots organizations `unit` left or joined has no other cell or section."""
    grassroots = connection.execute(
        sa.select(Organization.id).where(Organization.id.in_(parents), Organization.kind == OrgKind.GRASSROOTS)
    ).scalars()
    others = sa.select(sa.func.count(Organization.id)).where(Organization.id != unit.id,
                                                             Organization.kind.in_(HOLDS_UNITS))  # fmt: skip
    return any(not connection.execute(others.where(Organization.parent_id == g)).scalar() for g in grassroots)


def _before_commit(session: Session) -> None:
    if session.info.pop("recount", False):
        session.flush()
        recount(session)


def listen() -> None:
    if not sa.event.contains(Session, "before_flush", _before_flush):
        sa.event.listen(Session, "before_flush", _before_flush)
        sa.event.listen(Session, "after_flush", _after_flush)
        sa.event.listen(Session, "before_commit", _before_commit)


# ---- Rebuilding from the source rows --------------------------------------------------------------


def expected(session: Session) -> tuple[Counter, Counter]:
    """What the two tables should hold, counted from reviews, members and organizations."""
    orgs = {org_id: (path, kind, org_type) for org_id, path, kind, org_type in session.execute(
        sa.select(Organization.id, Organization.path, Organization.kind, Organization.type_key))}  # fmt: skip
    tallies: Counter = Counter()
    # Grouped by the database, but for the few not completed, whose reason is read from their conditions.
    not_completed = sa.and_(Review.state == ReviewState.DECIDED, Review.final_level == Level.NOT_COMPLETED)
    counted = (Review.organization_id, Review.period_id, Review.member_id.is_not(None), Review.state,
               Review.final_level, Review.not_classified_category)  # fmt: skip
    with_units = set(session.execute(sa.select(Organization.parent_id).where(Organization.kind.in_(HOLDS_UNITS))
                                     ).scalars())  # fmt: skip
    grouped = session.execute(sa.select(*counted, sa.func.count()).where(~not_completed).group_by(*counted))
    for org_id, period_id, is_member, state, level, category, count in grouped:
        path, kind, org_type = orgs[org_id]
        key = _review_key(path, period_id, is_member, kind, state, level, org_type, (), category)
        _add_review(tallies, key, count, _is_party_committee(is_member, kind, org_id, with_units))
    for org_id, period_id, is_member, state, level, category, conditions in session.execute(
        sa.select(*counted, Review.conditions).where(not_completed)
    ):
        path, kind, org_type = orgs[org_id]
        key = _review_key(path, period_id, is_member, kind, state, level, org_type, conditions, category)
        _add_review(tallies, key, 1, _is_party_committee(is_member, kind, org_id, with_units))
    quarters = session.execute(
        sa.select(*_QUARTER_COUNTED).join(Organization, QuarterReview.organization_id == Organization.id)
    )
    for counted in quarters:  # leaders only, a few rows per leader: read one by one (JSON cannot be grouped)
        for key in _quarter_keys(*counted):
            _add(tallies, key, 1)
    sizes: Counter = Counter()
    members = session.execute(sa.select(Member.organization_id, sa.func.count()).group_by(Member.organization_id))
    for org_id, count in members:
        path, _kind, org_type = orgs[org_id]
        _add_size(sizes, path, MEMBER, org_type, count)
    for org_id, (path, kind, org_type) in orgs.items():
        _add_size(sizes, path, kind.value, org_type, 1)
        if kind is OrgKind.GRASSROOTS and org_id in with_units:
            _add_size(sizes, path, PARTY_COMMITTEE, org_type, 1)
    return _without_tag(tallies), _without_tag(sizes)


def _without_tag(deltas: Counter) -> Counter:
    return Counter({key[1:]: n for key, n in deltas.items()})


def stored(session: Session) -> tuple[Counter, Counter]:
    """What the two tables hold, zeros left out (a counter back at zero is as good as none)."""

    def rows(model) -> Counter:
        return Counter({tuple(row[:-1]): row[-1] for row in session.execute(sa.select(*model.__table__.c)) if row[-1]})

    return rows(KeptTally), rows(SubtreeSize)


def recount(session: Session) -> int:
    """Rebuild both tables from the source rows; returns how many counters were wrong or missing."""
    (want_tallies, want_sizes), (have_tallies, have_sizes) = expected(session), stored(session)
    wrong = sum(1 for key in want_tallies.keys() | have_tallies.keys() if want_tallies[key] != have_tallies[key])
    wrong += sum(1 for key in want_sizes.keys() | have_sizes.keys() if want_sizes[key] != have_sizes[key])
    session.execute(sa.delete(KeptTally))
    session.execute(sa.delete(SubtreeSize))
    for model, want in ((KeptTally, want_tallies), (SubtreeSize, want_sizes)):
        columns = COLUMNS[model.__tablename__]
        _insert_all(session, model, [dict(zip(columns, key, strict=True), count=n) for key, n in want.items()])
    return wrong


def _insert_all(session: Session, model, rows: list[dict]) -> None:
    for batch in batches(rows, 10_000):
        session.execute(sa.insert(model), batch)
