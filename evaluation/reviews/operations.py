"""Verbs that change reviews. They check permission and state, apply, write history and flush;
the caller (a request or a CLI command) commits once, so a failure leaves nothing half done.
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from .. import journal
from ..auth.models import CELL_ROLES, Role, User
from ..auth.permissions import (
    deciding_org,
    is_cell_officer,
    is_committee_officer,
    is_rating_committee,
    officers,
    rating_org,
    require,
    writes_collective_review,
)
from ..dbtypes import utcnow
from ..extensions import db, read_columns
from ..formatting import format_score, today_in_vietnam
from ..i18n import N_
from ..i18n import gettext as _
from ..levels import QUALITY_LEVELS, Level, NotClassifiedReason
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period, PeriodState
from ..rules import Condition, conditions_for
from . import bulk, checks, confirmations, formspec
from .models import CellMeeting, Commitment, QuotaException, Review, ReviewEvent, ReviewState, organization_review_in
from .workflow import (
    WHEN_CLOSED,
    Action,
    Capacity,
    StaleReview,
    WorkflowError,
    apply,
    permitted,
    record,
    transitioned,
)


def _member_roles(user: User, member: Member) -> set[Capacity]:
    held = set()
    if user.member_id == member.id:
        held.add(Capacity.MEMBER)
    if not user.grants:  # most logins: a member's own, with no office to look up the tree for
        return held
    if is_cell_officer(user, member.organization):
        held.add(Capacity.CELL)
    if is_committee_officer(user, deciding_org(member.organization)):
        held.add(Capacity.COMMITTEE)
    return held


def _organization_roles(user: User, org: Organization) -> set[Capacity]:
    held = set()
    if writes_collective_review(user, org):
        held.add(Capacity.COLLECTIVE)
    rater = rating_org(org)
    if rater is not None and is_rating_committee(user, rater):
        held.add(Capacity.RATING)
    return held


def own_case(held: set[Capacity]) -> set[Capacity]:
    """The capacities a person holds but may not use because the case is their own: nobody proposes,
    decides or reopens their own review, and no officer rates the organization whose review they write."""
    if Capacity.MEMBER in held:
        return held & {Capacity.CELL, Capacity.COMMITTEE}
    if Capacity.COLLECTIVE in held:
        return held & {Capacity.RATING}
    return set()


def capacities(user: User, member: Member) -> set[Capacity]:
    """Every capacity in which `user` may act on `member`'s review."""
    held = _member_roles(user, member)
    return held - own_case(held)


def organization_capacities(user: User, org: Organization) -> set[Capacity]:
    """Every capacity in which `user` may act on an organization's review."""
    held = _organization_roles(user, org)
    return held - own_case(held)


def _roles_on(user: User, review: Review) -> set[Capacity]:
    return _member_roles(user, review.member) if review.member else _organization_roles(user, review.organization)


def _capacities_on(user: User, review: Review) -> set[Capacity]:
    held = _roles_on(user, review)
    return held - own_case(held)


def _given(org: Organization | None) -> Organization:
    """The organization a caller passed instead of a member: one of the two is always given."""
    if org is None:
        raise TypeError("pass the member or the organization")
    return org


def may(user: User, period: Period, review: Review | None, *, member: Member | None = None,
        org: Organization | None = None) -> set[Action]:  # fmt: skip
    """What `user` may do now on a review, asked of the workflow table: what the pages offer. Before the
    review exists, pass the member or the organization it will be of."""
    if not period.is_open:
        return _after_closing(user, period, review)
    if review is not None:
        held = _capacities_on(user, review)
    else:
        held = capacities(user, member) if member is not None else organization_capacities(user, _given(org))
    state = review.state if review else None
    return set().union(*(permitted(state, capacity) for capacity in held))


_ROLES_ACTING_AS = {Capacity.CELL: CELL_ROLES, Capacity.COMMITTEE: (Role.COMMITTEE,)}


def _after_closing(user: User, period: Period, review: Review | None) -> set[Action]:
    """A closed year's decided review may still be re-rated by its deciding level; nothing else."""
    if period.state is not PeriodState.CLOSED or review is None:
        return set()
    return WHEN_CLOSED & set().union(*(permitted(review.state, c) for c in _capacities_on(user, review)))


def who_else(user: User, capacity: Capacity, subject: Member | Organization) -> list[User]:
    """The other people who may act in `capacity` on the review of `subject` (a member or an organization):
    the page names them when the case is the user's own."""
    if isinstance(subject, Member):
        cell = subject.organization
        people = officers(cell if capacity is Capacity.CELL else deciding_org(cell), _ROLES_ACTING_AS[capacity])
    else:
        writers = {u.id for u in officers(subject, (*CELL_ROLES, Role.COMMITTEE))}
        people = [u for u in officers(rating_org(subject), (Role.COMMITTEE,)) if u.id not in writers]
    return [person for person in people if person.id != user.id]


def own_case_note(user: User, capacity: Capacity, subject: Member | Organization) -> dict[Capacity, list[User]]:
    """{capacity: who acts instead} when the user holds `capacity` on the review of `subject` but the case
    is their own, else {}."""
    held = _member_roles(user, subject) if isinstance(subject, Member) else _organization_roles(user, subject)
    if capacity not in own_case(held):
        return {}
    return {capacity: who_else(user, capacity, subject)}


def _refuse_own_case(user: User, review: Review, capacity: Capacity, action: Action) -> None:
    others = who_else(user, capacity, review.member or review.organization)
    names = ", ".join(person.name for person in others) or _("một đồng chí khác được cấp ủy phân công")
    raise WorkflowError(
        _(
            "Không ai tự “%(action)s” cho trường hợp của chính mình. Việc này do %(others)s thực hiện.",
            action=action.label,
            others=names,
        )
    )


def author(review: Review) -> Capacity:
    """Who writes the review: the member, or the organization's own officers."""
    return Capacity.MEMBER if review.is_of_member else Capacity.COLLECTIVE


def decider(review: Review) -> Capacity:
    """Who decides its level: the grassroots committee, or the committee one level up."""
    return Capacity.COMMITTEE if review.is_of_member else Capacity.RATING


def _apply(
    review: Review, actor: User, capacity: Capacity, action: Action, *, level=None, reason: str = "", **fields
) -> None:
    """A transition of the table with the fields it changes, then the word that it happened (the
    notices package tells whoever acts next).

    The fields are set before anything can flush (a receiver's query), so no flush ever sees a review
    half-way, e.g. decided without its level.
    """
    event = apply(review, actor, capacity, action, level=level, reason=reason)
    for name, value in fields.items():
        setattr(review, name, value)
    transitioned.send(review, event=event)


# Refusals worded for the person who meets them, where the generic one would puzzle.
REFUSALS = {
    Action.SAVE: N_("Bản kiểm điểm đã nộp, không sửa được nữa. Nếu cần sửa, đề nghị chi bộ trả lại."),
    Action.PROPOSE: N_("Chỉ ghi ý kiến và đề xuất cho bản kiểm điểm đảng viên đã nộp."),
    Action.CONDITIONS: N_("Chỉ ghi điều kiện xếp loại khi bản kiểm điểm đang chờ quyết định."),
}


def member_reviews_in(root: Organization, ids: list[int]) -> list[Review]:
    """The members' reviews among `ids` whose member is in `root`'s subtree, in one query, with what
    every decision reads loaded alongside instead of once per review."""
    return list(
        db.session.scalars(
            db.select(Review)
            .join(Member, Review.member_id == Member.id)
            .join(Organization, Member.organization_id == Organization.id)
            .where(Review.id.in_(ids), root.subtree_clause())
            .options(contains_eager(Review.member).contains_eager(Member.organization), selectinload(Review.period))
        )
    )


def _check(
    review: Review,
    user: User,
    capacity: Capacity,
    action: Action,
    expected_version: int | None,
    checked: set | None = None,
) -> None:
    """Who, when, what and on which version: the one gate every change of a review passes. A caller moving
    many reviews passes `checked` (an empty set it keeps): the confirmations are then read once per place.

    :raise PermissionDenied: when the user does not hold `capacity` on this review at all.
    """
    if capacity not in _capacities_on(user, review):
        if capacity in _roles_on(user, review):
            _refuse_own_case(user, review, capacity, action)
        require(False)
    if not review.period.is_open and not (action in WHEN_CLOSED and review.period.state is PeriodState.CLOSED):
        raise WorkflowError(_("Kỳ đánh giá năm %(year)s không mở: không thể thay đổi.", year=review.period.year))
    if action not in permitted(review.state, capacity):
        if action in REFUSALS:
            raise WorkflowError(_(REFUSALS[action]))
        raise WorkflowError(
            _(
                "Không thể thực hiện “%(action)s” khi bản kiểm điểm ở trạng thái “%(state)s”.",
                action=action.label,
                state=review.state_label,
            )
        )
    if expected_version is not None and not _read(review, expected_version):
        raise StaleReview()
    place = (review.organization_id, review.is_of_member)  # what a confirmation locks
    if checked is None or place not in checked:
        _check_unlocked(review, action)
        if checked is not None:
            checked.add(place)


def _check_unlocked(review: Review, action: Action) -> None:
    """Whether a confirmation of the figures above the review holds `action` back (one query)."""
    if action in CHANGES_FIGURES and (
        confirmed := confirmations.locked_by(review.period, review.organization, itself=review.is_of_member)
    ):
        raise WorkflowError(
            _(
                "Số liệu năm %(year)s của %(name)s đã được xác nhận: cấp trên phải trả lại xác nhận trước khi "
                "thay đổi.",
                year=review.period.year,
                name=confirmed.name,
            )
        )


# What changes a confirmed organization's figures, and so waits until the level above returns its confirmation.
CHANGES_FIGURES = {Action.DECIDE, Action.REOPEN, Action.RERATE, Action.CONDITIONS, Action.SEND_BACK}


def _read(review: Review, version: int) -> bool:
    """Whether a page that read `version` saw the review as it is. Version 0 is a page that saw no review:
    it matches an empty draft just started (version 1, by this request or a moment before)."""
    return version == review.version or (version == 0 and review.version == 1 and review.state is ReviewState.DRAFT)


def sent_back_among(reviews: Iterable[Review | None]) -> set[int]:
    """The ids of those reviews the committee sent back to the cell and the cell has not proposed again: one
    query for a whole list (`Review.sent_back_reason` reads one review's history)."""
    waiting = [review.id for review in reviews if review is not None and review.state is ReviewState.SUBMITTED]
    if not waiting:
        return set()
    latest = (
        db.select(sa.func.max(ReviewEvent.id)).where(ReviewEvent.review_id.in_(waiting)).group_by(ReviewEvent.review_id)
    )
    return set(
        db.session.scalars(
            db.select(ReviewEvent.review_id).where(ReviewEvent.id.in_(latest), ReviewEvent.action == Action.SEND_BACK)
        )
    )


# Built once with bound parameters, as the pages that run them are the busiest (see periods.operations).
_REVIEW_OF = db.select(Review).where(
    Review.period_id == sa.bindparam("period"), Review.member_id == sa.bindparam("member")
)
# A page that shows the review's history reads it in the same statement, with who did each step.
_REVIEW_WITH_HISTORY = _REVIEW_OF.options(joinedload(Review.events).joinedload(ReviewEvent.actor))


def find_review(period: Period, member: Member, *, with_history: bool = False) -> Review | None:
    statement = _REVIEW_WITH_HISTORY if with_history else _REVIEW_OF
    return db.session.scalars(statement, {"period": period.id, "member": member.id}).unique().first()


def start_review(period: Period, member: Member, actor: User) -> Review:
    """The member's review for the period, created as a draft on first use."""
    review = find_review(period, member)
    if review is None:
        if not period.is_open:
            raise WorkflowError(_("Kỳ đánh giá năm %(year)s không mở.", year=period.year))
        review = Review(period=period, member=member, form_type=member.form_type, sections={})
        db.session.add(review)
        record(review, actor, Action.CREATE)
        db.session.flush()
    return review


class EditConflict(StaleReview):
    """The review changed since the page was loaded, and what the person typed differs from it.

    `stored` holds, for each differing field, what is stored now: the page shows it beside what was
    typed, so nothing is overwritten unseen. `version` is the version that page then names.
    """

    def __init__(self, version: int, stored: dict):
        super().__init__(
            _(
                "Bản kiểm điểm vừa được cập nhật ở nơi khác (một thẻ hoặc một máy khác). Mỗi mục khác nhau hiện cả "
                "nội dung đang lưu và nội dung đồng chí vừa gõ: hãy chọn giữ bản nào (hoặc gộp cả hai) rồi lưu lại."
            ),
        )
        self.version, self.stored = version, stored


KEEP_CHOICES = ("mine", "stored", "both")  # what the person keeps of a field that changed under them


def written_values(review: Review) -> dict:
    """The fields of a written review a person types, as stored: sections, self-level and scores."""
    values = {s.key: review.sections.get(s.key, "") for s in formspec.review_sections(review)}
    values["self_level"] = review.self_level
    if review.period.rule_set.score and review.is_of_member:
        values["score_general"], values["score_tasks"] = review.self_score_general, review.self_score_tasks
    return values


def _same(stored, typed) -> bool:
    if isinstance(stored, str) or isinstance(typed, str):
        return (stored or "").strip() == (typed or "").strip()
    return stored == typed


def _reconcile(review: Review, typed: dict, expected_version: int | None, client: str) -> int | None:
    """The version a save of the written review may go ahead on, or EditConflict.

    A stale version is no conflict when nothing can be lost: the newer version is this page's own
    earlier save (a save sent as the page was left lands after the reload), or every field typed equals
    what is stored.
    """
    if expected_version is None or _read(review, expected_version):
        return expected_version
    if client and review.saved_by_client == client:
        return review.version
    differing = {key: value for key, value in written_values(review).items()
                 if key in typed and not _same(value, typed[key])}  # fmt: skip
    if differing:
        raise EditConflict(review.version, differing)
    return review.version


def _kept(stored, typed, choice: str | None):
    """A field after the person chose what to keep of it on the conflict page."""
    if choice == "stored":
        return stored
    if choice == "both" and isinstance(stored, str) and stored.strip() and not _same(stored, typed):
        return f"{stored.strip()}\n\n{(typed or '').strip()}".strip()
    return typed


def save_self_review(
    review: Review,
    actor: User,
    *,
    sections: dict,
    self_level: Level | None,
    score_general: Decimal | None = None,
    score_tasks: Decimal | None = None,
    expected_version: int | None = None,
    client: str = "",
    keep: dict | None = None,
) -> None:
    """Save the self-review as a draft; allowed as often as its authors like while it is theirs.

    `keep` carries the choices made on a conflict page (field → one of KEEP_CHOICES).
    """
    _check(review, actor, author(review), Action.SAVE, None)
    typed = {**sections, "self_level": self_level, "score_general": score_general, "score_tasks": score_tasks}
    if (version := _reconcile(review, typed, expected_version, client)) is not None and not _read(review, version):
        raise StaleReview()
    if keep:
        stored = written_values(review)
        typed = {key: _kept(stored[key], value, keep.get(key)) if key in stored else value
                 for key, value in typed.items()}  # fmt: skip
    _write(review, typed)
    review.saved_by_client = client
    db.session.flush()


def _write(review: Review, typed: dict) -> None:
    """The text, self-rating and self-score of a review, from what was typed (keys as in `written_values`)."""
    keys = {s.key for s in formspec.review_sections(review)}
    review.sections = {key: (typed.get(key) or "").strip() for key in keys}
    if typed["self_level"] is not None and typed["self_level"] not in QUALITY_LEVELS:
        raise WorkflowError(_("Mức tự xếp loại phải là một trong bốn mức chất lượng."))
    review.self_level = typed["self_level"]
    if review.period.rule_set.score and review.is_of_member:
        review.self_score_general, review.self_score_tasks = typed["score_general"], typed["score_tasks"]


def enter_on_behalf(
    period: Period,
    member: Member,
    actor: User,
    *,
    sections: dict,
    self_level: Level | None,
    score_general: Decimal | None = None,
    score_tasks: Decimal | None = None,
    paper_signed_on: date,
    expected_version: int | None = None,
) -> Review:
    """The cell types in the signed paper self-review of a member who cannot use the app, and submits it in
    the member's name (nhập hộ). The review says who typed it and the paper's date, on its page, in its
    history and in print; the member reads it when they log in."""
    review = start_review(period, member, actor)
    _check(review, actor, Capacity.CELL, Action.ENTER_ON_BEHALF, expected_version)
    if paper_signed_on > today_in_vietnam():
        raise WorkflowError(_("Ngày ký bản giấy không thể sau hôm nay."))
    _write(review, {**sections, "self_level": self_level, "score_general": score_general, "score_tasks": score_tasks})
    if problems := submission_problems(review):
        raise WorkflowError(_("Chưa nhập hộ được: ") + " ".join(problems))
    reason = _("Nhập từ bản giấy có chữ ký của đảng viên, ký ngày %(day)s", day=paper_signed_on.strftime("%d/%m/%Y"))
    _apply(review, actor, Capacity.CELL, Action.ENTER_ON_BEHALF, level=review.self_level, reason=reason,
           entered_by=actor, paper_signed_on=paper_signed_on, submitted_at=utcnow())  # fmt: skip
    return review


def save_written_review(
    review: Review, actor: User, *, sections: dict, self_level: Level | None, submit: bool, **kwargs
) -> list[str]:
    """Save the draft and, when asked, submit it; returns what still stops the submission (the draft is kept)."""
    save_self_review(review, actor, sections=sections, self_level=self_level, **kwargs)
    if not submit:
        return []
    if problems := submission_problems(review):
        return problems
    submit_self_review(review, actor)
    return []


def submission_problems(review: Review) -> list[str]:
    """What still stops the member from submitting, in words they can act on."""
    problems = [_("Chưa viết mục “%(title)s”.", title=s.title) for s in formspec.missing_sections(review)]
    if review.period.rule_set.score and review.is_of_member and review.self_score is None:
        problems.append(_("Chưa tự chấm điểm (tiêu chí chung /30 và kết quả nhiệm vụ /70)."))
    if review.self_level is None:
        problems.append(_("Chưa chọn mức tự xếp loại."))
    if unanswered := formspec.unanswered_followups(review.sections.get("followup", "")):
        problems.append(
            _("Mục III: còn %(count)s hạn chế năm trước chưa ghi đã khắc phục, đang khắc phục hay chưa khắc phục.",
              count=unanswered)
        )  # fmt: skip
    return problems


class LastYear(NamedTuple):
    """What the page of a member's review shows of the year before: the shortcomings it named, item by
    item (empty when none), and its decided level (None when not decided), for the repeated-failure flag."""

    shortcomings: list[str]
    level: Level | None


_LAST_YEAR = (
    db.select(Review.sections, Review.state, Review.final_level)
    .join(Period, Review.period_id == Period.id)
    .where(Review.member_id == sa.bindparam("member"), Period.year == sa.bindparam("year"))
    .where(Review.state != ReviewState.DRAFT)
)


def last_year(period: Period, member: Member) -> LastYear:
    """The member's review of the year before, read once for both (a member has one review a year)."""
    row = read_columns(_LAST_YEAR, {"member": member.id, "year": period.year - 1}).first()
    if row is None:
        return LastYear([], None)
    sections, state, level = row
    return LastYear(
        formspec.shortcoming_items((sections or {}).get("shortcomings", "")),
        level if state is ReviewState.DECIDED else None,
    )


def submit_self_review(review: Review, actor: User, expected_version: int | None = None) -> None:
    _check(review, actor, author(review), Action.SUBMIT, expected_version)
    if problems := submission_problems(review):
        raise WorkflowError(_("Chưa nộp được: ") + " ".join(problems))
    # Written by the member now, even if the cell once typed it in for them.
    _apply(review, actor, author(review), Action.SUBMIT, level=review.self_level, submitted_at=utcnow(),
           entered_by=None, paper_signed_on=None)  # fmt: skip
    db.session.flush()


def record_proposal(
    review: Review,
    actor: User,
    comments: str,
    level: Level | None,
    reason: str = "",
    category: str = "",
    votes: int | None = None,
    expected_version: int | None = None,
) -> None:
    """The cell's comments and proposed level, kept until the secretary forwards them, with the votes
    the meeting gave the level when they are recorded."""
    _check(review, actor, Capacity.CELL, Action.PROPOSE, expected_version)
    meeting = find_meeting(review.period, review.organization)
    if votes is not None and (votes < 0 or (meeting is not None and votes > meeting.present)):
        raise WorkflowError(_("Số phiếu tán thành không thể âm hay nhiều hơn số đảng viên có mặt."))
    review.cell_comments, review.votes_for = comments.strip(), votes
    if level is Level.NOT_CLASSIFIED:
        _set_not_classified(review, reason, category)
    else:
        _set_not_classified(review)
    if level is not None and level != review.proposed_level:
        record(review, actor, Action.PROPOSE, level=level, reason=review.not_classified_reason, from_state=review.state)
    review.proposed_level = level
    db.session.flush()


def find_meeting(period: Period, cell: Organization) -> CellMeeting | None:
    return db.session.scalars(
        db.select(CellMeeting).where(CellMeeting.period_id == period.id, CellMeeting.organization_id == cell.id)
    ).first()


def record_meeting(
    period: Period, cell: Organization, actor: User, held_on: date | None, official: int | None, present: int | None
) -> CellMeeting:
    """Record (or correct) the cell's review meeting of the year; the journal keeps each version.

    :raise WorkflowError: for a meeting without its date or counts, or more present than members.
    """
    require(is_cell_officer(actor, cell))
    if not period.is_open:
        raise WorkflowError(_("Kỳ đánh giá năm %(year)s không mở: không thể thay đổi.", year=period.year))
    if held_on is None or not official or present is None or not 0 <= present <= official:
        raise WorkflowError(
            _("Ghi ngày họp, số đảng viên chính thức và số có mặt (không quá số đảng viên chính thức).")
        )
    meeting = find_meeting(period, cell) or CellMeeting(period_id=period.id, organization_id=cell.id)
    meeting.held_on, meeting.official_members, meeting.present = held_on, official, present
    meeting.recorded_by_id = actor.id
    db.session.add(meeting)
    journal.write(journal.Change.MEETING, actor, cell.code, N_("%(day)s: %(present)s/%(official)s có mặt"),
                  organization=cell, year=period.year, day=f"{held_on:%d/%m/%Y}", present=present,
                  official=official)  # fmt: skip
    db.session.flush()
    return meeting


def return_to_member(review: Review, actor: User, reason: str, expected_version: int | None = None) -> None:
    _check(review, actor, Capacity.CELL, Action.RETURN, expected_version)
    _apply(review, actor, Capacity.CELL, Action.RETURN, reason=reason)
    db.session.flush()


def forward(review: Review, actor: User, expected_version: int | None = None) -> None:
    _check(review, actor, Capacity.CELL, Action.FORWARD, expected_version)
    if review.proposed_level is None:
        raise WorkflowError(
            _("Chưa có đề xuất mức xếp loại cho đồng chí %(full_name)s.", full_name=review.subject_name)
        )
    _apply(
        review, actor, Capacity.CELL, Action.FORWARD, level=review.proposed_level, reason=review.not_classified_reason
    )
    db.session.flush()


def forward_ready(reviews: Iterable[Review], actor: User) -> int:
    """Forward every submitted review that has a proposal; the rest stay with the cell. Set-based (bulk)."""
    ready = [r for r in reviews if r.state is ReviewState.SUBMITTED and r.proposed_level is not None]
    checked = set[tuple]()
    for review in ready:
        _check(review, actor, Capacity.CELL, Action.FORWARD, None, checked)
    moves = [bulk.Move(r, level=r.proposed_level, reason=r.not_classified_reason) for r in ready]
    bulk.write(moves, actor, Capacity.CELL, Action.FORWARD)
    return len(ready)


def mark_not_classified(
    period: Period, member: Member, actor: User, reason: str, category: str = "", expected_version: int | None = None
) -> Review:
    """Propose that a member is not classified (exempt, suspended, admitted < 6 months, other)."""
    review = start_review(period, member, actor)
    _check(review, actor, Capacity.CELL, Action.MARK_NOT_CLASSIFIED, expected_version)
    _set_not_classified(review, reason, category)
    _apply(review, actor, Capacity.CELL, Action.MARK_NOT_CLASSIFIED, level=Level.NOT_CLASSIFIED, reason=reason)
    review.proposed_level = Level.NOT_CLASSIFIED
    db.session.flush()
    return review


def _set_not_classified(review: Review, reason: str | None = None, category: str = "") -> None:
    """Record why the review is not classified; with no reason, clear it (a level was chosen instead).

    :raise WorkflowError: without a written reason, or with a category that does not exist.
    """
    if reason is None:
        review.not_classified_reason, review.not_classified_category = "", ""
        return
    if not reason.strip():
        raise WorkflowError(_("Đề xuất không xếp loại cần ghi rõ lý do."))
    if category not in (*NotClassifiedReason, ""):
        raise WorkflowError(_("Lý do không xếp loại không hợp lệ."))
    review.not_classified_reason = reason.strip()
    review.not_classified_category = category or NotClassifiedReason.OTHER


def send_back(review: Review, actor: User, reason: str, expected_version: int | None = None) -> None:
    _check(review, actor, Capacity.COMMITTEE, Action.SEND_BACK, expected_version)
    _apply(review, actor, Capacity.COMMITTEE, Action.SEND_BACK, reason=reason)
    db.session.flush()


def _decision(review: Review, level: Level, note: str, previous: dict[int, Level] | None = None) -> dict:
    """The fields a final level sets, after the regulation's checks; the quota is checked by the caller, once.
    `previous`: the members' levels of the year before, when the caller read them for a whole selection."""
    fields: dict = {"final_level": level}
    if level is Level.NOT_CLASSIFIED:
        category = review.not_classified_category or checks.not_classified_category(review)
        reason = (
            note.strip()
            or review.not_classified_reason
            or (NotClassifiedReason(category).label if category == NotClassifiedReason.NEW_MEMBER else "")
        )  # a new member's case speaks for itself: the dates are on file
        if not reason:
            raise WorkflowError(_("Quyết định không xếp loại cần ghi rõ lý do."))
        fields |= {"not_classified_reason": reason, "not_classified_category": category}
    if blocking := [str(f) for f in checks.review_findings(review, level, previous) if f.blocking]:
        raise WorkflowError(_("Không thể quyết định mức này: ") + "; ".join(blocking) + ".")
    return fields


def _decide(review: Review, actor: User, capacity: Capacity, level: Level, note: str) -> None:
    fields = _decision(review, level, note)
    _apply(review, actor, capacity, Action.DECIDE, level=level, reason=note, decided_at=utcnow(), **fields)


def _enforce_quota(reviews: list[Review]) -> None:
    """After the decisions are flushed: excellent ratings that take a group over its quota need the
    committee's written reason. Other levels only lower the share, so they always pass."""
    db.session.flush()
    excellent = [r for r in reviews if r.final_level is Level.EXCELLENT]
    groups = {(checks.quota_group(r).id, r.is_of_member, checks.group_kind(r)): r for r in excellent}
    for review in groups.values():
        group, kind = checks.quota_group(review), checks.group_kind(review)
        finding = checks.quota_finding(review.period, group, review.is_of_member, kind=kind)
        if finding and finding.blocking:
            raise WorkflowError(
                _(
                    "Vượt tỷ lệ: %(message)s. Cấp ủy cần ghi lý do vượt tỷ lệ (hoặc đánh giá kết quả nổi trội) "
                    "trước khi quyết định.",
                    message=finding.message,
                )
            )


def decide(
    review: Review, actor: User, level: Level | None = None, note: str = "", expected_version: int | None = None
) -> None:
    """The committee's final level; without a level it confirms the cell's proposal."""
    _check(review, actor, Capacity.COMMITTEE, Action.DECIDE, expected_version)
    level = level or review.proposed_level
    if level is None:
        raise WorkflowError(_("Chưa chọn mức xếp loại."))
    _decide(review, actor, Capacity.COMMITTEE, level, note)
    _enforce_quota([review])


def decide_many(decisions: Iterable[tuple[Review, int]], actor: User) -> int:
    """Confirm many proposals at once: each (review, version read); all land or none. Set-based (bulk): what
    the checks read is read once for the selection, and the writes are a few statements."""
    decisions = list(decisions)
    previous = previous_levels_of([review for review, _ in decisions])
    decided_at, checked, moves = utcnow(), set[tuple](), list[bulk.Move]()
    for review, version in decisions:
        _check(review, actor, Capacity.COMMITTEE, Action.DECIDE, version, checked)
        if (level := review.proposed_level) is None:
            raise WorkflowError(_("Chưa có đề xuất cho đồng chí %(full_name)s.", full_name=review.subject_name))
        try:
            fields = _decision(review, level, "", previous)
        except WorkflowError as exc:
            raise WorkflowError(f"{review.subject_name}: {exc}") from exc
        moves.append(bulk.Move(review, fields | {"decided_at": decided_at}, level=level))
    bulk.write(moves, actor, Capacity.COMMITTEE, Action.DECIDE)
    _enforce_quota([move.review for move in moves])
    return len(moves)


def previous_levels_of(reviews: list[Review]) -> dict[int, Level] | None:
    """The year before's levels of a selection of one year's members' reviews, in one query (None: not one year)."""
    periods = {review.period for review in reviews}
    if len(periods) != 1:
        return None
    return checks.previous_levels(periods.pop(), [review.member_id for review in reviews if review.member_id])


def _reopen(review: Review, actor: User, capacity: Capacity, reason: str) -> None:
    _apply(
        review,
        actor,
        capacity,
        Action.REOPEN,
        level=review.final_level,
        reason=reason,
        final_level=None,
        decided_at=None,
    )
    db.session.flush()


def reopen(review: Review, actor: User, reason: str, expected_version: int | None = None) -> None:
    """Unlock a decided review; the decided level stays in the history, not in the counts."""
    _check(review, actor, Capacity.COMMITTEE, Action.REOPEN, expected_version)
    _reopen(review, actor, Capacity.COMMITTEE, reason)


def rerate(
    review: Review,
    actor: User,
    level: Level | None,
    decision: str,
    decided_on: date | None,
    reason: str,
    expected_version: int | None = None,
) -> None:
    """Change a decided level by a decision of the competent level (Mẫu 03), in an open or a closed year.

    The history keeps both levels (the decision's entry and the one before it); the counts follow; the
    regulation's checks and the quota apply to the new level as to any decision.
    """
    capacity = decider(review)
    _check(review, actor, capacity, Action.RERATE, expected_version)
    if level is None or level is review.final_level:
        raise WorkflowError(_("Chọn mức xếp loại mới, khác mức đã quyết định."))
    if not decision.strip() or decided_on is None:
        raise WorkflowError(_("Ghi số và ngày của quyết định xếp loại lại."))
    if blocking := [str(f) for f in checks.review_findings(review, level) if f.blocking]:
        raise WorkflowError(_("Không thể quyết định mức này: ") + "; ".join(blocking) + ".")
    # Stored as the record names it, in Vietnamese whatever the page's language: it is the decision's title.
    by = f"Quyết định số {decision.strip()} ngày {decided_on:%d/%m/%Y}"
    _apply(review, actor, capacity, Action.RERATE, level=level, reason=f"{by}: {reason.strip()}" if reason.strip()
           else "", final_level=level, rerated_by=by, decided_at=utcnow())  # fmt: skip
    _enforce_quota([review])


def record_conditions(
    review: Review,
    actor: User,
    conditions: list[str],
    exception_reason: str,
    scores: tuple[Decimal | None, Decimal | None] = (None, None),
    expected_version: int | None = None,
) -> None:
    """The facts of the year that cap the level, the self-report exception if the committee grants it, and
    (QĐ 366, a member) the score it accepts: (/30, /70), both or neither."""
    _check(review, actor, decider(review), Action.CONDITIONS, expected_version)
    valid = set(conditions_for(review.period.rule_set, leader=review.is_leaders))
    review.conditions = [c for c in conditions if c in valid]
    review.exception_reason = exception_reason.strip()
    summary = ", ".join(Condition(c).label for c in review.conditions) or _("không có")
    if review.exception_reason:
        summary += _("; ngoại lệ: %(exception_reason)s", exception_reason=review.exception_reason)
    if _accept_score(review, scores):
        summary += _("; điểm chấp nhận: %(score)s/100", score=format_score(review.accepted_score))
    record(review, actor, Action.CONDITIONS, reason=summary, from_state=review.state)
    db.session.flush()


def _accept_score(review: Review, scores: tuple[Decimal | None, Decimal | None]) -> bool:
    """Record the committee's score when one is given; whether it was.

    :raise WorkflowError: for half a score, or a score where the year or the review has none.
    """
    if scores == (None, None):
        return False
    if None in scores:
        raise WorkflowError(_("Ghi đủ cả hai phần điểm (tiêu chí chung và kết quả nhiệm vụ), hoặc để trống cả hai."))
    if not (review.period.rule_set.score and review.is_of_member):
        raise WorkflowError(_("Năm này không chấm điểm theo thang 100."))
    review.accepted_score_general, review.accepted_score_tasks = scores
    return True


def set_quota_exception(
    period: Period, group: Organization, for_members: bool, outstanding: bool, reason: str, actor: User
) -> QuotaException:
    """The committee marks its group's results outstanding (25%) and/or writes why it goes over the quota."""
    require(is_rating_committee(actor, group) if not for_members else is_committee_officer(actor, group))
    if not period.is_open:
        raise WorkflowError(_("Kỳ đánh giá năm %(year)s không mở: không thể thay đổi.", year=period.year))
    if outstanding and not period.rule_set.has_outstanding_quota:
        raise WorkflowError(_("%(rules)s không có tỷ lệ 25%% cho kết quả nổi trội.", rules=period.rule_set.label))
    reason = reason.strip()
    latest = checks.quota_exception(period, group, for_members)
    if latest is not None and (latest.outstanding, latest.reason) == (outstanding, reason):
        return latest
    # A new row each time, never an overwrite: the decisions read like a register.
    exception = QuotaException(
        period_id=period.id,
        organization=group,
        for_members=for_members,
        outstanding=outstanding,
        reason=reason,
        set_by_id=actor.id,
    )
    db.session.add(exception)
    journal.write(
        journal.Change.QUOTA,
        actor,
        group.code,
        N_("%(whose)s: %(rule)s; lý do vượt tỷ lệ: %(reason)s"),
        organization=group,
        year=period.year,
        whose=N_("đảng viên") if for_members else N_("tổ chức đảng"),
        rule=N_("kết quả nổi trội, tỷ lệ 25%") if outstanding else N_("tỷ lệ 20%"),
        reason=reason or N_("không có"),
    )
    db.session.flush()
    return exception


# ---- An organization's review (docs/domain.md §7): its officers write, the committee above decides ----


def find_organization_review(period: Period, org: Organization) -> Review | None:
    return organization_reviews(period, [org]).get(org.id)


def organization_reviews(period: Period, orgs: list[Organization]) -> dict[int, Review]:
    """`find_organization_review` of each organization, by its id, in one statement."""
    found = db.session.scalars(
        db.select(Review).where(Review.organization_id.in_([org.id for org in orgs]), organization_review_in(period.id))
    )
    return {review.organization_id: review for review in found}


def start_organization_review(period: Period, org: Organization, actor: User) -> Review:
    """The organization's collective review for the period, created as a draft by its officers."""
    require(writes_collective_review(actor, org))
    review = find_organization_review(period, org)
    if review is None:
        if not period.is_open:
            raise WorkflowError(_("Kỳ đánh giá năm %(year)s không mở.", year=period.year))
        review = Review(period=period, organization=org, sections={})
        db.session.add(review)
        record(review, actor, Action.CREATE)
        db.session.flush()
    return review


def return_to_organization(review: Review, actor: User, reason: str, expected_version: int | None = None) -> None:
    _check(review, actor, Capacity.RATING, Action.RETURN, expected_version)
    _apply(review, actor, Capacity.RATING, Action.RETURN, reason=reason)
    db.session.flush()


def rate_organization(
    review: Review, actor: User, level: Level, note: str = "", expected_version: int | None = None
) -> None:
    """The committee one level up decides; only once everything under the organization is decided."""
    _check(review, actor, Capacity.RATING, Action.DECIDE, expected_version)
    if missing := checks.readiness_problems(review.organization, review.period):
        raise WorkflowError(_("Chưa xếp loại được tổ chức: ") + " ".join(missing))
    _decide(review, actor, Capacity.RATING, level, note)
    _enforce_quota([review])


def reopen_organization(review: Review, actor: User, reason: str, expected_version: int | None = None) -> None:
    _check(review, actor, Capacity.RATING, Action.REOPEN, expected_version)
    _reopen(review, actor, Capacity.RATING, reason)


# ---- Commitments made at the start of the year (đăng ký nêu gương, "5 rõ") ----------------------

COMMITMENT_MAX_CHARS = 10_000


def commitment_open(period: Period, review: Review | None) -> bool:
    """From the start of the year (the period may still be in preparation) until the review is submitted."""
    return period.state is not PeriodState.CLOSED and (review is None or review.state is ReviewState.DRAFT)


_COMMITMENTS = db.select(Commitment).where(Commitment.period_id == sa.bindparam("period"))
_MEMBERS_COMMITMENT = _COMMITMENTS.where(Commitment.member_id == sa.bindparam("subject"))
_ORGANIZATIONS_COMMITMENT = _COMMITMENTS.where(
    Commitment.organization_id == sa.bindparam("subject"), Commitment.member_id.is_(None)
)


def find_commitment(period: Period, subject: Member | Organization) -> Commitment | None:
    """The year's commitments (đăng ký) of a member, or of an organization."""
    statement = _MEMBERS_COMMITMENT if isinstance(subject, Member) else _ORGANIZATIONS_COMMITMENT
    return db.session.scalars(statement, {"period": period.id, "subject": subject.id}).first()


def save_commitment(period: Period, actor: User, text: str, subject: Member | Organization) -> Commitment:
    """Register (or amend) the year's commitments, until the self-review that answers them is submitted."""
    if isinstance(subject, Member):
        require(actor.member_id == subject.id)
        review = find_review(period, subject)
    else:
        require(writes_collective_review(actor, subject))
        review = find_organization_review(period, subject)
    if not commitment_open(period, review):
        raise WorkflowError(_("Kỳ đánh giá đã đóng hoặc bản kiểm điểm đã nộp: nội dung đăng ký không sửa được nữa."))
    if len(text) > COMMITMENT_MAX_CHARS:
        raise WorkflowError(
            _(
                "Nội dung đăng ký tối đa %(commitment_max_chars)s ký tự.",
                commitment_max_chars=format(COMMITMENT_MAX_CHARS, ","),
            ).replace(",", ".")
        )
    commitment = find_commitment(period, subject)
    if commitment is None:
        member = subject if isinstance(subject, Member) else None
        commitment = Commitment(
            period_id=period.id,
            member_id=member.id if member else None,
            organization_id=member.organization_id if member else subject.id,
        )
        db.session.add(commitment)
    commitment.text = text.strip()
    db.session.flush()
    return commitment
