"""A level confirms its year's figures to the level above (xác nhận số liệu), as DHIS2's data approval does.

Each grassroots and upper committee confirms once everything under it is decided and every confirming
organization under it has confirmed; confirmed figures are locked: no decision under it changes until a
committee above returns the confirmation with a reason. Each act is a new row (the latest is in force), so
the register reads like a history.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import journal
from ..auth.models import User
from ..auth.permissions import holds_committee_above, holds_committee_of, require
from ..dbtypes import Timestamp, enum_column, utcnow
from ..errors import DomainError
from ..extensions import Model, db
from ..formatting import today_in_vietnam
from ..i18n import N_
from ..i18n import gettext as _
from ..org.models import Organization, OrgKind
from ..periods.models import Period
from .checks import unit_level
from .counts import unit_results

CONFIRMING_KINDS = (OrgKind.GRASSROOTS, OrgKind.UPPER)


class ConfirmationAction(StrEnum):
    CONFIRM = "confirm"  # cấp ủy xác nhận số liệu của năm
    RETURN = "return"  # cấp trên trả lại xác nhận, kèm lý do


class FiguresConfirmation(Model):
    __tablename__ = "figures_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("period.id"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organization.id"))
    action: Mapped[ConfirmationAction] = mapped_column(enum_column(ConfirmationAction))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    __table_args__ = (sa.Index("ix_figures_confirmation_period_org", "period_id", "organization_id"),)

    organization: Mapped[Organization] = relationship()
    actor: Mapped[User | None] = relationship()


@dataclass(frozen=True)
class Status:
    """Where an organization's confirmation stands: the act in force, if any."""

    org: Organization
    latest: FiguresConfirmation | None
    late: bool

    @property
    def confirmed(self) -> bool:
        return self.latest is not None and self.latest.action is ConfirmationAction.CONFIRM


def _latest(period: Period, org_ids) -> dict[int, FiguresConfirmation]:
    newest = (
        db.select(sa.func.max(FiguresConfirmation.id))
        .where(FiguresConfirmation.period_id == period.id, FiguresConfirmation.organization_id.in_(org_ids))
        .group_by(FiguresConfirmation.organization_id)
    )
    rows = db.session.scalars(db.select(FiguresConfirmation).where(FiguresConfirmation.id.in_(newest)))
    return {row.organization_id: row for row in rows}


def confirmed_ids(period: Period, org_ids) -> set[int]:
    return {org_id for org_id, row in _latest(period, org_ids).items() if row.action is ConfirmationAction.CONFIRM}


def confirming_under(org: Organization) -> list[Organization]:
    """The organizations strictly under `org` that confirm their own figures."""
    return list(
        db.session.scalars(
            db.select(Organization)
            .where(org.subtree_clause(), Organization.id != org.id, Organization.kind.in_(CONFIRMING_KINDS))
            .order_by(Organization.path)
        )
    )


def statuses(period: Period, orgs: list[Organization], today=None) -> list[Status]:
    """Each organization's confirmation, and whether it is late against the period's last deadline."""
    latest = _latest(period, [o.id for o in orgs])
    overdue = (today or today_in_vietnam()) > period.rate_orgs_by
    return [Status(o, latest.get(o.id), overdue and not _is_confirm(latest.get(o.id))) for o in orgs]


def _is_confirm(row: FiguresConfirmation | None) -> bool:
    return row is not None and row.action is ConfirmationAction.CONFIRM


def can_confirm(user: User, org: Organization) -> bool:
    """The organization's own committee, for an organization that confirms its figures."""
    return org.kind in CONFIRMING_KINDS and holds_committee_of(user, org)


def can_return(user: User, org: Organization) -> bool:
    """A committee above it, or the administrator."""
    return user.is_admin or holds_committee_above(user, org)


def what_is_left(period: Period, org: Organization) -> list[str]:
    """Why the organization cannot confirm yet, in words it can act on; empty when it can."""
    total = unit_results([org], period)[org.id]
    left = []
    pending_orgs = sum(t.pending for t in total.orgs.values()) - _own_pending(period, org)
    if total.members.pending:
        left.append(_("còn %(count)s đảng viên chưa được quyết định xếp loại", count=total.members.pending))
    if pending_orgs:
        left.append(_("còn %(count)s tổ chức đảng trực thuộc chưa được xếp loại", count=pending_orgs))
    below = confirming_under(org)
    waiting = len(below) - len(confirmed_ids(period, [o.id for o in below]))
    if waiting:
        left.append(_("còn %(count)s tổ chức cấp dưới chưa xác nhận số liệu", count=waiting))
    return left


def _own_pending(period: Period, org: Organization) -> int:
    """The organization's own rating is the level above's to decide, after this: not its to wait for."""
    return 0 if unit_level(org, period) is not None else 1


def confirm(period: Period, org: Organization, actor: User) -> FiguresConfirmation:
    require(can_confirm(actor, org), _("Chỉ cấp ủy của tổ chức này mới xác nhận số liệu của nó."))
    if not period.is_open:
        raise DomainError(_("Kỳ đánh giá năm %(year)s không mở.", year=period.year))
    if _is_confirm(_latest(period, [org.id]).get(org.id)):
        raise DomainError(_("Số liệu năm %(year)s của %(name)s đã được xác nhận.", year=period.year, name=org.name))
    if left := what_is_left(period, org):
        raise DomainError(_("Chưa xác nhận được số liệu: ") + "; ".join(left) + ".")
    return _record(period, org, actor, ConfirmationAction.CONFIRM, "")


def return_confirmation(period: Period, org: Organization, actor: User, reason: str) -> FiguresConfirmation:
    require(can_return(actor, org), _("Chỉ cấp ủy cấp trên mới trả lại xác nhận số liệu."))
    if not reason.strip():
        raise DomainError(_("Cần ghi rõ lý do trả lại."))
    if not _is_confirm(_latest(period, [org.id]).get(org.id)):
        raise DomainError(_("%(name)s chưa xác nhận số liệu năm %(year)s.", name=org.name, year=period.year))
    return _record(period, org, actor, ConfirmationAction.RETURN, reason.strip())


def _record(period, org, actor, action: ConfirmationAction, reason: str) -> FiguresConfirmation:
    row = FiguresConfirmation(period_id=period.id, organization=org, action=action, actor_id=actor.id, reason=reason)
    db.session.add(row)
    detail = (
        N_("Xác nhận số liệu năm %(year)s")
        if action is ConfirmationAction.CONFIRM
        else N_("Trả lại xác nhận số liệu năm %(year)s: %(reason)s")
    )
    journal.write(journal.Change.CONFIRMATION, actor, org.code, detail, organization=org, year=period.year,
                  reason=reason)  # fmt: skip
    db.session.flush()
    return row


def locked_by(period: Period, org: Organization, *, itself: bool) -> Organization | None:
    """The confirmed organization whose figures a change at `org` would alter (its ancestors, and itself
    when `itself`); None when nothing locks it. Only while the year is open: a closed year is changed by a
    re-rating decision, which is its own record."""
    if not period.is_open:
        return None
    ids = org.ancestor_ids if itself else org.ancestor_ids[:-1]
    confirmed = confirmed_ids(period, ids)
    return next((db.session.get(Organization, i) for i in ids if i in confirmed), None)


def unconfirmed(period: Period) -> list[str]:
    """For closing the year: how many committees have not confirmed their figures."""
    orgs = list(db.session.scalars(db.select(Organization.id).where(Organization.kind.in_(CONFIRMING_KINDS))))
    missing = len(orgs) - len(confirmed_ids(period, orgs))
    if not missing:
        return []
    return [_("%(count)s cấp ủy chưa xác nhận số liệu", count=missing)]
