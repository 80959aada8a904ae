"""Verbs of the quarterly evaluation (docs/quarterly.md): the year's rounds and framework, and each person's
quarter from the products registered to the committee's decision.

Like `reviews.operations`, every verb checks who acts, the round, the workflow table and the version the page
read, writes history, and flushes; the caller commits once.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from .. import framework as frameworks
from ..auth.models import User
from ..auth.permissions import deciding_org, is_committee_officer, require
from ..dbtypes import utcnow
from ..errors import DomainError
from ..extensions import db, read_columns
from ..formatting import format_score
from ..framework import MEASURES, Framework
from ..i18n import gettext as _
from ..levels import QUALITY_LEVELS, Level
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period, PeriodAction, PeriodState
from ..periods.operations import record_period
from .models import ReviewState
from .quarter_models import QUARTERS, QuarterReview, QuarterRound
from .workflow import Action, Capacity, StaleReview, WorkflowError, apply, permitted, record, transitioned

AUTHOR, ASSESSOR = Capacity.QUARTER_AUTHOR, Capacity.QUARTER_ASSESSOR
MAX_PRODUCTS = 30  # a quarter's products: more is a year's work plan, not a quarter's


class StaleQuarter(StaleReview):
    def __init__(self):
        super().__init__(
            _("Báo cáo quý vừa được người khác cập nhật. Trang hiển thị dữ liệu mới nhất; hãy xem lại rồi làm lại.")
        )


# ---- The year's framework and rounds --------------------------------------------------------------


def framework_of(period: Period) -> Framework:
    return frameworks.get(period.quarter_framework)


def is_evaluated(member: Member, period: Period) -> bool:
    """Whether the year's framework evaluates this member each quarter (Mẫu 2A, or a post it names)."""
    return framework_of(period).applies_to(member.form_type.value, member.position)


def choose_framework(period: Period, key: str, actor: User) -> None:
    """Choose the year's framework; refused once anyone has a quarter of that year (their scores follow it)."""
    if key == period.quarter_framework:
        return
    frameworks.get(key)  # an unknown key or a bad file is refused here, with its line
    if db.session.scalar(sa.select(QuarterReview.id).where(QuarterReview.period_id == period.id).limit(1)):
        raise DomainError(
            _("Năm %(year)s đã có báo cáo quý theo khung đang dùng: không đổi khung được nữa.", year=period.year)
        )
    old, period.quarter_framework = period.quarter_framework, key
    record_period(period, PeriodAction.QUARTER, actor, _("Khung đánh giá quý: %(old)s → %(new)s", old=old, new=key))


def rounds(period: Period) -> list[QuarterRound]:
    return list(
        db.session.scalars(
            sa.select(QuarterRound).where(QuarterRound.period_id == period.id).order_by(QuarterRound.quarter)
        )
    )


def find_round(period: Period, quarter: int) -> QuarterRound | None:
    if quarter not in QUARTERS:  # also keeps a number too large for the column away from the database
        return None
    return db.session.scalars(
        sa.select(QuarterRound).where(QuarterRound.period_id == period.id, QuarterRound.quarter == quarter)
    ).first()


def open_round() -> QuarterRound | None:
    """The latest round under way, whatever the annual period: Q1 opens while last year's round is finishing."""
    return db.session.scalars(
        sa.select(QuarterRound)
        .join(Period, QuarterRound.period_id == Period.id)
        .where(QuarterRound.state == PeriodState.OPEN)
        .order_by(Period.year.desc(), QuarterRound.quarter.desc())
    ).first()


def default_deadlines(year: int, quarter: int) -> tuple[date, date, date]:
    """Products registered by the 15th of the quarter's first month; results 5 days after it ends; the
    committee's rating 15 days after it ends (a province moves them on the rounds page)."""
    last_month = 3 * quarter
    end = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return date(year, last_month - 2, 15), end + timedelta(days=5), end + timedelta(days=15)


def make_rounds(period: Period, actor: User | None) -> list[QuarterRound]:
    """The year's four rounds, in preparation, with the default deadlines (those already made stay)."""
    if period.state is PeriodState.CLOSED:
        raise DomainError(_("Năm %(year)s đã đóng.", year=period.year))
    made = []
    for quarter in QUARTERS:
        if find_round(period, quarter) is None:
            register_by, report_by, decide_by = default_deadlines(period.year, quarter)
            made.append(QuarterRound(period=period, quarter=quarter, register_by=register_by, report_by=report_by,
                                     decide_by=decide_by))  # fmt: skip
    db.session.add_all(made)
    if made:
        record_period(period, PeriodAction.QUARTER, actor, _("Tạo %(count)s đợt đánh giá quý", count=len(made)))
    db.session.flush()
    return made


def set_round_state(round_: QuarterRound, state: PeriodState, actor: User | None) -> None:
    """Open or close a round. A closed year's rounds stay closed; a closed round keeps its undecided
    quarters as they are (read-only), as a closed period does."""
    if round_.period.state is PeriodState.CLOSED and state is PeriodState.OPEN:
        raise DomainError(_("Năm %(year)s đã đóng: không mở lại đợt quý được.", year=round_.period.year))
    if round_.state is state:
        return
    round_.state = state
    record_period(round_.period, PeriodAction.QUARTER, actor,
                  _("Quý %(quarter)s: %(state)s", quarter=round_.quarter, state=state.label))  # fmt: skip
    db.session.flush()


def change_round_deadlines(
    round_: QuarterRound, actor: User, reason: str, register_by: date, report_by: date, decide_by: date
) -> None:
    """Move a round's deadlines with the reason; the old and new dates go into the year's history."""
    if round_.state is PeriodState.CLOSED:
        raise DomainError(_("Đợt quý %(quarter)s đã đóng: không đổi thời hạn.", quarter=round_.quarter))
    if not reason.strip():
        raise DomainError(_("Ghi lý do đổi thời hạn (sẽ lưu vào lịch sử)."))
    if not register_by <= report_by <= decide_by:
        raise DomainError(_("Các thời hạn phải theo thứ tự: đăng ký, báo cáo, xếp loại."))
    before = f"{round_.register_by:%d/%m/%Y}, {round_.report_by:%d/%m/%Y}, {round_.decide_by:%d/%m/%Y}"
    round_.register_by, round_.report_by, round_.decide_by = register_by, report_by, decide_by
    after = f"{register_by:%d/%m/%Y}, {report_by:%d/%m/%Y}, {decide_by:%d/%m/%Y}"
    record_period(round_.period, PeriodAction.QUARTER, actor,
                  _("Quý %(quarter)s, thời hạn: %(before)s → %(after)s. Lý do: %(reason)s", quarter=round_.quarter,
                    before=before, after=after, reason=reason.strip()))  # fmt: skip
    db.session.flush()


# ---- Who acts on a quarter --------------------------------------------------------------------------


def capacities(user: User, member: Member) -> set[Capacity]:
    """The person themself; and the committee deciding their annual level, unless the case is its officer's own."""
    if user.member_id == member.id:
        return {AUTHOR}
    return {ASSESSOR} if is_committee_officer(user, deciding_org(member.organization)) else set()


def may(user: User, round_: QuarterRound, review: QuarterReview | None, member: Member) -> set[Action]:
    """What `user` may do now on `member`'s quarter: what the pages offer."""
    if not round_.is_open:
        return set()
    state = review.state if review else None
    return set().union(*(permitted(state, capacity) for capacity in capacities(user, member)))


def _check(review: QuarterReview, user: User, capacity: Capacity, action: Action, version: int | None) -> None:
    require(capacity in capacities(user, review.member))
    round_ = find_round(review.period, review.quarter)
    if round_ is None or not round_.is_open:
        raise WorkflowError(_("Đợt đánh giá quý %(quarter)s không mở: không thể thay đổi.", quarter=review.quarter))
    if action not in permitted(review.state, capacity):
        raise WorkflowError(
            _("Không thể “%(action)s” khi báo cáo quý ở trạng thái “%(state)s”.", action=action.label,
              state=review.state_label)
        )  # fmt: skip
    if version is not None and version != review.version and not (version == 0 and review.version == 1):
        raise StaleQuarter()


def _move(review: QuarterReview, actor: User, capacity: Capacity, action: Action, *, level=None, reason="", **fields):
    event = apply(review, actor, capacity, action, level=level, reason=reason)
    for name, value in fields.items():
        setattr(review, name, value)
    transitioned.send(review, event=event)
    db.session.flush()


# ---- The person's quarter ------------------------------------------------------------------------


def find_quarter(period: Period, quarter: int, member: Member) -> QuarterReview | None:
    return db.session.scalars(
        sa.select(QuarterReview).where(
            QuarterReview.period_id == period.id, QuarterReview.quarter == quarter, QuarterReview.member_id == member.id
        )
    ).first()


def start_quarter(round_: QuarterRound, member: Member, actor: User) -> QuarterReview:
    """The member's quarter, made as a draft on first use."""
    review = find_quarter(round_.period, round_.quarter, member)
    if review is not None:
        return review
    require(AUTHOR in capacities(actor, member))
    if not round_.is_open:
        raise WorkflowError(_("Đợt đánh giá quý %(quarter)s không mở.", quarter=round_.quarter))
    if not is_evaluated(member, round_.period):
        raise WorkflowError(_("Khung đánh giá năm %(year)s không đánh giá hằng quý chức vụ của đồng chí.",
                              year=round_.period.year))  # fmt: skip
    review = QuarterReview(period=round_.period, quarter=round_.quarter, member=member, state=ReviewState.DRAFT,
                           criteria={}, products=[])  # fmt: skip
    db.session.add(review)
    record(review, actor, Action.CREATE)
    db.session.flush()
    return review


def _measures(values: dict | None) -> dict[str, int | None]:
    """A product's measures as whole percentages 0–100 (None: not scored yet).

    :raise WorkflowError: for a value outside 0–100.
    """
    measures = {}
    for name in MEASURES:
        value = (values or {}).get(name)
        if value is not None and not (isinstance(value, int) and 0 <= value <= 100):
            raise WorkflowError(_("Số lượng, chất lượng, tiến độ chấm từ 0 đến 100 (%)."))
        measures[name] = value
    return measures


def clean_products(framework: Framework, typed: list[dict]) -> list[dict]:
    """The products as stored, from what was typed; rows left empty are dropped.

    :raise WorkflowError: naming the product at fault.
    """
    products = []
    for number, item in enumerate(typed, 1):
        task = (item.get("task") or "").strip()
        if not task and not (item.get("result") or "").strip():
            continue
        area, weight, due = item.get("area"), item.get("weight"), item.get("due_on")
        if not task or framework.area(area or "") is None or not isinstance(weight, int) or not 1 <= weight <= 100:
            raise WorkflowError(
                _("Sản phẩm %(number)s: ghi nhiệm vụ, chọn lĩnh vực và trọng số từ 1 đến 100.", number=number)
            )
        products.append({
            "task": task, "area": area, "weight": weight, "due_on": due.isoformat() if isinstance(due, date) else due,
            "result": (item.get("result") or "").strip(), "self": _measures(item.get("self")),
            "accepted": _measures(item.get("accepted")),
        })  # fmt: skip
    if len(products) > MAX_PRODUCTS:
        raise WorkflowError(_("Tối đa %(count)s sản phẩm một quý.", count=MAX_PRODUCTS))
    return products


def _scored(framework: Framework, criteria: dict, products: list[dict], side: str) -> frameworks.Score:
    return frameworks.score(framework, criteria, ((p["area"], p["weight"], p[side]) for p in products))


def save_quarter(
    review: QuarterReview,
    actor: User,
    *,
    criteria: dict[str, bool],
    products: list[dict],
    self_level: Level | None,
    register: bool = False,
    expected_version: int | None = None,
) -> None:
    """Save the person's products, results and self-score; `register` also records the list as registered."""
    _check(review, actor, AUTHOR, Action.REGISTER if register else Action.SAVE, expected_version)
    framework = framework_of(review.period)
    if self_level is not None and self_level not in QUALITY_LEVELS:
        raise WorkflowError(_("Mức tự xếp loại phải là một trong bốn mức chất lượng."))
    # A report the committee returned keeps the measures it gave each product still there (matched by task).
    kept = {p["task"]: p["accepted"] for p in review.products or []}
    cleaned = clean_products(framework, products)
    review.products = [{**p, "accepted": kept.get(p["task"], p["accepted"])} for p in cleaned]
    review.criteria = {c.key: bool(criteria.get(c.key)) for c in framework.criteria}
    review.self_level = self_level
    score = _scored(framework, review.criteria, review.products, "self")
    review.self_score_general, review.self_score_tasks = score.general, score.tasks
    if register:
        if not review.products:
            raise WorkflowError(_("Chưa có sản phẩm nào để đăng ký."))
        record(review, actor, Action.REGISTER, reason=_("%(count)s sản phẩm", count=len(review.products)),
               from_state=review.state)  # fmt: skip
        review.registered_at = utcnow()
    db.session.flush()


def submission_problems(review: QuarterReview) -> list[str]:
    """What still stops the person from sending the quarter to the committee."""
    problems = []
    if not review.products:
        problems.append(_("Chưa đăng ký sản phẩm nào."))
    for number, product in enumerate(review.products or [], 1):
        if not product.get("result") or any(product["self"].get(name) is None for name in MEASURES):
            problems.append(_("Sản phẩm %(number)s: chưa báo cáo kết quả hoặc chưa tự chấm đủ số lượng, chất lượng, "
                              "tiến độ.", number=number))  # fmt: skip
    if review.self_level is None:
        problems.append(_("Chưa chọn mức tự xếp loại."))
    return problems


def submit_quarter(review: QuarterReview, actor: User, expected_version: int | None = None) -> None:
    _check(review, actor, AUTHOR, Action.SUBMIT, expected_version)
    if problems := submission_problems(review):
        raise WorkflowError(_("Chưa nộp được: ") + " ".join(problems))
    _move(review, actor, AUTHOR, Action.SUBMIT, level=review.self_level, submitted_at=utcnow())


# ---- The committee's side -------------------------------------------------------------------------


def assess_quarter(
    review: QuarterReview,
    actor: User,
    criteria: dict[str, bool],
    accepted: list[dict],
    comments: str,
    expected_version: int | None = None,
) -> None:
    """The committee's score: part A's criteria and each product's measures as it accepts them."""
    _check(review, actor, ASSESSOR, Action.SCORE, expected_version)
    framework = framework_of(review.period)
    if len(accepted) > len(review.products):  # rows of products that are not there any more
        raise StaleQuarter()
    accepted = [*accepted, *({} for _ in range(len(review.products) - len(accepted)))]
    review.products = [{**p, "accepted": _measures(a)} for p, a in zip(review.products, accepted, strict=True)]
    review.accepted_criteria = {c.key: bool(criteria.get(c.key)) for c in framework.criteria}
    review.comments = comments.strip()
    score = _scored(framework, review.accepted_criteria, _accepted_or_own(review.products), "accepted")
    before = review.accepted_score
    review.accepted_score_general, review.accepted_score_tasks = score.general, score.tasks
    if before != review.accepted_score:
        record(review, actor, Action.SCORE, reason=_("Điểm: %(score)s", score=format_score(review.accepted_score)),
               from_state=review.state)  # fmt: skip
    db.session.flush()


def _accepted_or_own(products: list[dict]) -> list[dict]:
    """Each product with the committee's measures, the person's own where the committee left one empty."""
    return [{**p, "accepted": {name: p["accepted"].get(name) if p["accepted"].get(name) is not None
                               else p["self"].get(name) for name in MEASURES}} for p in products]  # fmt: skip


def highest_level(review: QuarterReview) -> Level | None:
    """The highest level the judged score allows (the bands of the year's framework)."""
    judged = review.judged_score
    return framework_of(review.period).band(judged) if judged is not None else None


def decide_quarter(review: QuarterReview, actor: User, level: Level, expected_version: int | None = None) -> None:
    """Rate the quarter; a level above what the score allows is refused. Without a score of its own the
    committee accepts the person's."""
    _check(review, actor, ASSESSOR, Action.DECIDE, expected_version)
    framework = framework_of(review.period)
    if level not in QUALITY_LEVELS:
        raise WorkflowError(_("Chọn một trong bốn mức chất lượng."))
    if review.accepted_score is None:
        review.accepted_criteria = dict(review.criteria)
        review.accepted_score_general, review.accepted_score_tasks = review.self_score_general, review.self_score_tasks
    allowed = framework.band(review.accepted_score or Decimal(0))
    if QUALITY_LEVELS.index(level) < QUALITY_LEVELS.index(allowed):
        raise WorkflowError(
            _("Điểm %(score)s chỉ cho phép tối đa mức “%(allowed)s”.", score=format_score(review.accepted_score),
              allowed=allowed.label)
        )  # fmt: skip
    areas = _scored(framework, review.accepted_criteria, _accepted_or_own(review.products), "accepted").areas
    _move(review, actor, ASSESSOR, Action.DECIDE, level=level, final_level=level, decided_at=utcnow(),
          area_levels={area: framework.band(percent).value for area, percent in areas.items()})  # fmt: skip


def return_quarter(review: QuarterReview, actor: User, reason: str, expected_version: int | None = None) -> None:
    _check(review, actor, ASSESSOR, Action.RETURN, expected_version)
    _move(review, actor, ASSESSOR, Action.RETURN, reason=reason)


def reopen_quarter(review: QuarterReview, actor: User, reason: str, expected_version: int | None = None) -> None:
    _check(review, actor, ASSESSOR, Action.REOPEN, expected_version)
    _move(review, actor, ASSESSOR, Action.REOPEN, reason=reason, final_level=None, decided_at=None, area_levels={})


# ---- Reading -------------------------------------------------------------------------------------------


# Built once with bound parameters: every member's form shows the quarters (see periods.operations).
_DECIDED_QUARTERS = sa.select(QuarterReview.quarter, QuarterReview.final_level).where(
    QuarterReview.period_id == sa.bindparam("period"),
    QuarterReview.member_id == sa.bindparam("member"),
    QuarterReview.state == ReviewState.DECIDED,
)


def quarter_levels(period: Period, member: Member) -> dict[int, Level | None]:
    """The member's decided level of each quarter of the year (None: not decided, or no quarter)."""
    decided = dict(read_columns(_DECIDED_QUARTERS, {"period": period.id, "member": member.id}).all())
    return {quarter: decided.get(quarter) for quarter in QUARTERS}


def year_quarters(period: Period, member: Member) -> dict[int, Level | None] | None:
    """The quarters an annual review shows: each quarter's decided level, for a member the year's framework
    evaluates each quarter or who has a quarter (imported); None for everyone else."""
    levels = quarter_levels(period, member)
    return levels if is_evaluated(member, period) or any(levels.values()) else None


def quarters_of(period: Period, member: Member) -> dict[int, QuarterReview]:
    found = db.session.scalars(
        sa.select(QuarterReview).where(QuarterReview.period_id == period.id, QuarterReview.member_id == member.id)
    )
    return {review.quarter: review for review in found}


def quarters_under(root: Organization, round_: QuarterRound) -> list[QuarterReview]:
    """The quarters of a round whose cell is in `root`'s subtree, by cell then name, each with its member (the
    lists and the printed summary name them: one query, not one per row)."""
    return list(
        db.session.scalars(
            sa.select(QuarterReview)
            .join(Organization, QuarterReview.organization_id == Organization.id)
            .join(Member, QuarterReview.member_id == Member.id)
            .where(
                QuarterReview.period_id == round_.period_id,
                QuarterReview.quarter == round_.quarter,
                root.subtree_clause(),
            )  # fmt: skip
            .options(contains_eager(QuarterReview.member))
            .order_by(Organization.path, Member.name_sort_key)
        )
    )


def chosen_round(rounds: list[QuarterRound], asked: int | None) -> QuarterRound | None:
    """Of `rounds`, the quarter a page asks for; without one, the round under way, else the latest."""
    if asked:
        return next((r for r in rounds if r.quarter == asked), None)
    return next((r for r in rounds if r.is_open), None) or (rounds[-1] if rounds else None)


def evaluated_members(root: Organization, period: Period) -> list[Member]:
    """The members under `root` the year's framework evaluates each quarter, by cell then name."""
    framework = framework_of(period)
    members = db.session.scalars(
        sa.select(Member)
        .join(Organization, Member.organization_id == Organization.id)
        .where(root.subtree_clause(), sa.or_(Member.form_type.in_(framework.forms), Member.position != ""))
        .options(contains_eager(Member.organization))  # the list names each one's cell
        .order_by(Organization.path, Member.name_sort_key)
    )  # the posts are compared folded, in Python: the database narrows to those with a post
    return [member for member in members if framework.applies_to(member.form_type.value, member.position)]
