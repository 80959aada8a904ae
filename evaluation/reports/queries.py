"""Every count the pages show, computed by the database over an organization's subtree.

Views and templates never count; they call these.
"""

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..extensions import db
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period
from ..reviews.models import Review, ReviewState

NOT_STARTED = "not_started"
PROGRESS_KEYS = (NOT_STARTED, *(s.value for s in ReviewState))


@dataclass
class Progress:
    """How far the reviews of a set of members have come."""

    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    def add(self, other: "Progress") -> None:
        self.counts.update(other.counts)


def _review_join(period: Period):
    return sa.and_(Review.member_id == Member.id, Review.period_id == period.id)


def progress_by_org(root: Organization, period: Period) -> dict[str, Progress]:
    """Progress per member-holding organization in the subtree, keyed by that organization's path."""
    rows = db.session.execute(
        db.select(Organization.path, Review.state, sa.func.count(Member.id))
        .join(Member, Member.organization_id == Organization.id)
        .outerjoin(Review, _review_join(period))
        .where(root.subtree_clause())
        .group_by(Organization.path, Review.state)
    )
    result: dict[str, Progress] = {}
    for path, state, count in rows:
        result.setdefault(path, Progress()).counts[state.value if state else NOT_STARTED] += count
    return result


def progress(root: Organization, period: Period) -> Progress:
    total = Progress()
    for part in progress_by_org(root, period).values():
        total.add(part)
    return total


def progress_by_child(root: Organization, period: Period) -> list[tuple[Organization, Progress]]:
    """One row per direct child of `root`, with the progress of its whole subtree."""
    per_org = progress_by_org(root, period)
    rows = []
    for child in root.children:
        part = Progress()
        for path, counts in per_org.items():
            if path.startswith(child.path):
                part.add(counts)
        rows.append((child, part))
    return rows


def members_with_reviews(
    root: Organization,
    period: Period,
    *,
    subtree: bool = False,
    states: tuple[ReviewState, ...] | None = None,
    search: str = "",
):
    """(member, review or None) for the members of `root` (or its whole subtree), in list order.

    Sorted by cell then by given name the Vietnamese way; `search` ignores accents and case.
    """
    query = (
        db.select(Member, Review)
        .join(Organization, Member.organization_id == Organization.id)
        .outerjoin(Review, _review_join(period))
        .order_by(Organization.name, Member.name_sort_key)
    )
    query = query.where(root.subtree_clause() if subtree else Member.organization_id == root.id)
    if states:
        query = query.where(Review.state.in_(states))
    if search:
        from ..text import fold

        query = query.where(Member.search_name.contains(fold(search), autoescape=True))
    return db.session.execute(query).all()
