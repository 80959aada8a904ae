"""Who hears about what: a review returned, proposed or decided, and deadlines coming.

Notices are rows in the same transaction as the change, so a refused change notifies nobody.
E-mail (when MAIL_SERVER is set) is queued and sent only after the commit, for the same reason.
"""

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context, has_request_context, url_for
from flask_babel import force_locale
from flask_mail import Message

from ..auth.models import CELL_ROLES, Role, User
from ..auth.permissions import deciding_org, officers, rating_org
from ..dbtypes import utcnow
from ..extensions import db, mail
from ..i18n import N_
from ..members.models import Member
from ..org.models import Organization
from ..periods.models import Period
from ..reviews import quarterly
from ..reviews.models import Review, ReviewState
from ..reviews.quarter_models import QuarterReview, QuarterRound
from ..reviews.workflow import Action
from .models import Notice


def _authors(review: Review) -> list[User]:
    """The member, or the officers who write an organization's collective review."""
    if review.is_of_member:
        return list(db.session.scalars(db.select(User).where(User.member_id == review.member_id)))
    return officers(review.organization, (*CELL_ROLES, Role.COMMITTEE))


def _deciders(review: Review) -> list[User]:
    if review.is_of_member:
        return officers(deciding_org(review.organization), (Role.COMMITTEE,))
    return officers(rating_org(review.organization), (Role.COMMITTEE,))


def _link(endpoint: str, **values) -> str:
    return url_for(endpoint, **values) if has_request_context() else ""


# What notices say, (about a member, about an organization). A notice keeps the sentence and its values
# apart, so each reader sees it in their own language.
RETURNED = (
    N_("Bản kiểm điểm năm %(year)s của đồng chí %(name)s được trả lại để sửa: %(reason)s"),
    N_("Bản kiểm điểm năm %(year)s của %(name)s được trả lại để sửa: %(reason)s"),
)
REOPENED = (
    N_("Bản kiểm điểm năm %(year)s của đồng chí %(name)s được mở lại: %(reason)s"),
    N_("Bản kiểm điểm năm %(year)s của %(name)s được mở lại: %(reason)s"),
)
DECIDED = (
    N_("Bản kiểm điểm năm %(year)s của đồng chí %(name)s đã được xếp loại: %(level)s."),
    N_("Bản kiểm điểm năm %(year)s của %(name)s đã được xếp loại: %(level)s."),
)
WAITING = (
    N_("Có đề xuất xếp loại năm %(year)s của đồng chí %(name)s chờ quyết định."),
    N_("Có đề xuất xếp loại năm %(year)s của %(name)s chờ quyết định."),
)
SENT_BACK = N_("Đảng ủy trả đề xuất của đồng chí %(name)s về chi bộ: %(reason)s")
SUBMITTED = N_("Đồng chí %(name)s đã nộp bản tự kiểm điểm năm %(year)s.")
ENTERED = N_("Chi bộ đã nhập hộ và nộp bản tự kiểm điểm năm %(year)s của đồng chí %(name)s từ bản giấy có chữ ký.")
QUARTER_SUBMITTED = N_("Đồng chí %(name)s đã nộp báo cáo quý %(quarter)s năm %(year)s, chờ cấp ủy chấm điểm.")
QUARTER_RETURNED = N_("Báo cáo quý %(quarter)s năm %(year)s của đồng chí %(name)s được trả lại để sửa: %(reason)s")
QUARTER_REOPENED = N_("Kết quả quý %(quarter)s năm %(year)s của đồng chí %(name)s được mở lại: %(reason)s")
QUARTER_DECIDED = N_("Quý %(quarter)s năm %(year)s của đồng chí %(name)s đã được xếp loại: %(level)s.")
REMINDER = N_("Nhắc việc: %(stage)s trước ngày %(deadline)s.")  # fmt: skip


def notify_transition(review: Review | QuarterReview, event) -> None:
    """Tell the people who now have to act, or who wait for the outcome of `event`, the transition just made."""
    if isinstance(review, QuarterReview):
        _notify_quarter(review, event)
        return
    action, person = Action(event.action), 0 if review.is_of_member else 1
    about = _about(review)
    own = _link("member.review") if review.is_of_member else _link("collective.review", org_id=review.organization_id)
    if action in (Action.RETURN, Action.REOPEN):
        said = RETURNED if action is Action.RETURN else REOPENED
        notify(_authors(review), said[person], about | {"reason": event.reason}, own)
    elif action is Action.DECIDE:
        notify(_authors(review), DECIDED[person], about | {"level": event.level.value}, own)
    elif action is Action.SEND_BACK:
        _tell_cell(review, SENT_BACK, about | {"reason": event.reason})
    elif action in (Action.FORWARD, Action.MARK_NOT_CLASSIFIED) or (
        action is Action.SUBMIT and not review.is_of_member
    ):
        notify(_deciders(review), WAITING[person], about)
    elif action is Action.SUBMIT:
        _tell_cell(review, SUBMITTED, about)
    elif action is Action.ENTER_ON_BEHALF:
        notify(_authors(review), ENTERED, about, own)


def notify_transitions(action: Action, *, reviews: list[Review]) -> None:
    """`notify_transition` for many members' reviews moved alike by one request (a bulk decision, a cell's
    forward): who hears is read once for the selection, and the notices go in as one INSERT."""
    if action is Action.DECIDE:
        logins: dict[int, list[User]] = {}
        member_ids = {review.member_id for review in reviews}
        for user in db.session.scalars(db.select(User).where(User.member_id.in_(member_ids))):
            logins.setdefault(user.member_id, []).append(user)
        link = _link("member.review")
        sent = [(user, DECIDED[0], _about(review) | {"level": str(review.final_level)}, link)
                for review in reviews for user in logins.get(review.member_id or 0, [])]  # fmt: skip
    elif action is Action.FORWARD:
        officers_of: dict[int, list[User]] = {}  # per deciding committee: a cell's reviews share one
        sent = []
        for review in reviews:
            committee = deciding_org(review.organization)
            if committee.id not in officers_of:
                officers_of[committee.id] = officers(committee, (Role.COMMITTEE,))
            sent += [(user, WAITING[0], _about(review), "") for user in officers_of[committee.id]]
    else:
        raise ValueError(f"no notices in bulk for {action}")
    _send(sent)


def _about(review: Review) -> dict:
    return {"year": review.period.year, "name": review.subject_name}


def _notify_quarter(review: QuarterReview, event) -> None:
    """A leader's quarter: the committee hears it is submitted; the person hears what came of it."""
    action = Action(event.action)
    about = {"year": review.period.year, "quarter": review.quarter, "name": review.member.full_name}
    if action is Action.SUBMIT:
        link = _link("committee.quarters", org_id=deciding_org(review.organization).id, year=review.period.year,
                     quarter=review.quarter)  # fmt: skip
        notify(officers(deciding_org(review.organization), (Role.COMMITTEE,)), QUARTER_SUBMITTED, about, link)
        return
    said = {Action.RETURN: QUARTER_RETURNED, Action.REOPEN: QUARTER_REOPENED, Action.DECIDE: QUARTER_DECIDED}
    if action in said:
        values = about | ({"level": event.level.value} if action is Action.DECIDE else {"reason": event.reason})
        person = db.session.scalars(db.select(User).where(User.member_id == review.member_id))
        notify(person, said[action], values, _link("quarter.show", year=review.period.year, quarter=review.quarter))


def _tell_cell(review: Review, text: str, values: dict) -> None:
    """The secretaries of the member's cell, with a link to its list."""
    link = _link("cell.index", org_id=review.organization_id)
    notify(officers(review.organization, CELL_ROLES), text, values, link)


def notify(users, text: str, values: dict, link: str = "", key: str = "") -> int:
    """One notice per user (skipping those who already have `key`); queue the e-mails. Returns how many."""
    sent = [
        (user, text, values, link)
        for user in {u.id: u for u in users}.values()
        if not key or not db.session.scalar(db.select(Notice.id).where(Notice.user_id == user.id, Notice.key == key))
    ]
    _send(sent, key)
    return len(sent)


NOTICES: sa.Table = Notice.__table__  # type: ignore[assignment]


def _send(sent: list[tuple[User, str, dict, str]], key: str = "") -> None:
    """Write the notices (user, sentence, values, link) in one INSERT and queue their e-mails."""
    if not sent:
        return
    _forget_unread()
    rows = [{"user_id": user.id, "text": text, "params": values, "link": link, "key": key, "created_at": utcnow()}
            for user, text, values, link in sent]  # fmt: skip
    db.session.execute(sa.insert(NOTICES), rows)  # Core: a third of the ORM's bulk insert's time
    if not current_app.config.get("MAIL_SERVER"):
        return
    with force_locale("vi"):  # e-mail goes out in the default language
        for user, text, values, _ in sent:
            _queue_email(user, Notice(text=text, params=values).message)


def _queue_email(user: User, text: str) -> None:
    address = user.member.email if user.member else None
    server = current_app.config.get("MAIL_SERVER")
    if address and server:
        sender = current_app.config.get("MAIL_DEFAULT_SENDER") or f"no-reply@{server}"
        message = Message(subject="Đánh giá, xếp loại chất lượng", sender=sender, recipients=[address], body=text)
        db.session.info.setdefault("outbox", []).append(message)


def send_outbox(session) -> None:
    """After a commit: the notices are saved, so their e-mails may go. A mail server that is down
    costs the e-mail, never the saved change (the notice is in the app either way)."""
    for message in session.info.pop("outbox", []):
        try:
            mail.send(message)
        except Exception as exc:  # noqa: BLE001  (any mail failure: the change is already saved)
            current_app.logger.warning("e-mail to %s not sent: %s", message.recipients, exc)


def drop_outbox(session) -> None:
    session.info.pop("outbox", None)


def latest(user: User, limit: int = 200) -> list[Notice]:
    return list(
        db.session.scalars(db.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id.desc()).limit(limit))
    )


def own_notice(user: User, notice_id: int) -> Notice | None:
    return db.session.scalars(db.select(Notice).where(Notice.user_id == user.id, Notice.id == notice_id)).first()


def mark_read(user: User, notice: Notice | None = None) -> None:
    """Mark one of the user's notices read, or all of them without one."""
    _forget_unread()
    if notice is not None:
        notice.read_at = notice.read_at or utcnow()
        return
    unread = sa.and_(Notice.user_id == user.id, Notice.read_at.is_(None))
    db.session.execute(db.update(Notice).where(unread).values(read_at=utcnow()))


# How many of a login's notices are unread, as a column of the login's own statement on every page (one
# statement fewer per page), and as a statement of its own where the login was read without it.
UNREAD_OF_LOGIN = (
    sa.select(sa.func.count(Notice.id))
    .where(Notice.user_id == User.id, Notice.read_at.is_(None))
    .correlate(User)
    .scalar_subquery()
)
_UNREAD = sa.select(UNREAD_OF_LOGIN).where(User.id == sa.bindparam("user_id"))


def keep_unread(user: User, count: int) -> None:
    """The count read with the login, for this request; writing notices or marking them read forgets it."""
    g.unread_notices = (user.id, count)


def _forget_unread() -> None:
    if has_app_context():
        g.pop("unread_notices", None)


def unread_count(user: User) -> int:
    kept = g.get("unread_notices") if has_app_context() else None
    if kept is not None and kept[0] == user.id:
        return kept[1]
    return db.session.scalar(_UNREAD, {"user_id": user.id}) or 0


# ---- Reminders as deadlines approach (flask remind, run daily by cron) ----------------------------


def remind(period: Period, today: date, days: int) -> int:
    """Remind whoever still has work for each stage whose deadline is within `days`; once per stage."""
    sent = 0
    for stage, deadline, people, text in _stages(period):
        if today <= deadline <= today + timedelta(days=days):
            values = {"stage": text, "deadline": deadline.isoformat()}
            sent += notify(people(), REMINDER, values, key=f"remind:{period.year}:{stage}")
    return sent


def _stages(period: Period):
    review_in = lambda *states: db.select(Review.member_id).where(  # noqa: E731
        Review.period_id == period.id, Review.state.in_(states)
    )
    not_submitted = (
        db.select(User)
        .join(Member, User.member_id == Member.id)
        .where(Member.id.not_in(review_in(ReviewState.SUBMITTED, ReviewState.PROPOSED, ReviewState.DECIDED)))
    )
    return (
        ("submit", period.submit_by, lambda: db.session.scalars(not_submitted), N_("nộp bản tự kiểm điểm")),
        (
            "propose",
            period.propose_by,
            lambda: _officers_with(period, ReviewState.SUBMITTED, CELL_ROLES),
            N_("chi bộ đề xuất xếp loại"),
        ),
        (
            "decide",
            period.decide_by,
            lambda: _officers_with(period, ReviewState.PROPOSED, (Role.COMMITTEE,), grassroots=True),
            N_("đảng ủy quyết định xếp loại đảng viên"),
        ),
    )


def _officers_with(period: Period, state: ReviewState, roles, grassroots: bool = False) -> list[User]:
    """Officers of organizations that hold member reviews in `state` (for committees, anywhere under them)."""
    orgs = db.session.scalars(
        db.select(Organization)
        .join(Review, Review.organization_id == Organization.id)
        .where(Review.period_id == period.id, Review.member_id.is_not(None), Review.state == state)
        .distinct()
    )
    targets = {deciding_org(org) if grassroots else org for org in orgs}
    return [user for org in targets for user in officers(org, roles)]


def remind_quarter(round_: QuarterRound, today: date, days: int) -> int:
    """The reminders of a quarterly round's deadlines within `days`: the leaders who have not registered their
    products or reported, and the committees with reports waiting for their score; once per stage."""
    sent = 0
    for stage, deadline, people, text in _quarter_stages(round_):
        if today <= deadline <= today + timedelta(days=days):
            values = {"stage": text, "deadline": deadline.isoformat()}
            key = f"remind:{round_.period.year}:q{round_.quarter}:{stage}"
            sent += notify(people(), REMINDER, values, key=key)
    return sent


def _quarter_stages(round_: QuarterRound):
    period = round_.period
    quarters = {q.member_id: q for q in db.session.scalars(
        db.select(QuarterReview).where(QuarterReview.period_id == period.id, QuarterReview.quarter == round_.quarter)
    )}  # fmt: skip

    def leaders(still_to_do) -> list[User]:
        users = db.session.scalars(db.select(User).join(Member, User.member_id == Member.id))
        return [u for u in users if quarterly.is_evaluated(u.member, period) and still_to_do(quarters.get(u.member_id))]

    def committees() -> list[User]:
        waiting = {deciding_org(q.organization) for q in quarters.values() if q.state is ReviewState.SUBMITTED}
        return [user for org in waiting for user in officers(org, (Role.COMMITTEE,))]

    return (
        ("register", round_.register_by, lambda: leaders(lambda q: q is None or q.registered_at is None),
         N_("đăng ký sản phẩm của quý")),
        ("report", round_.report_by, lambda: leaders(lambda q: q is None or q.state is ReviewState.DRAFT),
         N_("báo cáo kết quả quý và tự chấm điểm")),
        ("decide", round_.decide_by, committees, N_("cấp ủy chấm điểm, xếp loại quý")),
    )  # fmt: skip
