"""Setting the targets (chỉ tiêu) a committee holds its subtree to."""

from decimal import Decimal

from flask_babel import force_locale

from .. import journal
from ..auth.permissions import can_set_targets, require
from ..errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..i18n import gettext as _
from ..org.models import Organization
from ..periods.models import Period, PeriodState
from .models import Target, TargetSubject


def set_target(
    org: Organization,
    year: int,
    subject: TargetSubject,
    min_percent: Decimal | None,
    actor,
    strictly_above: bool = False,
) -> None:
    """Set, change or (with no percentage) remove an organization's target for a year: at least the share,
    or (`strictly_above`, "trên") more than it."""
    require(can_set_targets(actor, org), _("Chỉ cấp ủy hoặc lãnh đạo của tổ chức này mới đặt chỉ tiêu."))
    period = db.session.scalars(db.select(Period).where(Period.year == year)).first()
    if period is not None and period.state is PeriodState.CLOSED:
        raise DomainError(_("Kỳ đánh giá năm %(year)s đã đóng: không đổi được chỉ tiêu của năm đó.", year=year))
    if min_percent is not None and not Decimal(0) <= min_percent <= Decimal(100):
        raise DomainError(_("Chỉ tiêu là một tỷ lệ từ 0 đến 100%."))
    target = db.session.scalars(
        db.select(Target).where(Target.organization_id == org.id, Target.year == year, Target.subject == subject)
    ).first()
    before = _percent(target)
    if min_percent is None:
        if target is not None:
            db.session.delete(target)
            target = None
    elif target is None:
        target = Target(organization=org, year=year, subject=subject, min_percent=min_percent,
                        strictly_above=strictly_above, set_by=actor)  # fmt: skip
        db.session.add(target)
    else:
        target.min_percent, target.strictly_above, target.set_by = min_percent, strictly_above, actor
    after = _percent(target)
    with force_locale("vi"):  # labels are stored as the catalog's keys; the journal translates them
        whom = subject.label
    detail = N_("%(whom)s: %(before)s → %(after)s")
    journal.write(journal.Change.TARGET, actor, org.code, detail, organization=org, year=year, whom=whom,
                  before=before, after=after)  # fmt: skip
    db.session.flush()


def _percent(target: Target | None) -> str:
    if target is None:
        return N_("không có")
    return f"{'>' if target.strictly_above else '≥'} {str(target.shown_percent).replace('.', ',')}%"
