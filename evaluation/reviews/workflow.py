"""The review workflow, written once as data: (state, capacity, action) -> next state.

`reviews.operations` asks the table (`permitted`) before any change, a save inside a state included;
`apply` makes a transition, refusing what the table does not allow, and writes its history entry. The
pages ask the same table which actions to offer (`operations.may`).
"""

from enum import StrEnum

from blinker import Namespace
from sqlalchemy.orm import object_session

from ..errors import DomainError
from ..i18n import N_, gettext
from ..levels import Level
from .models import Review, ReviewEvent, ReviewState
from .quarter_models import QuarterEvent, QuarterReview

# Sent after each transition made by a person, inside its transaction, with the history entry as
# `event`: the notices package subscribes, so the workflow never needs to know who is told.
transitioned = Namespace().signal("review-transitioned")
# Many members' reviews moved alike by one request (reviews.bulk): sent with the action and the reviews.
transitioned_many = Namespace().signal("reviews-transitioned-in-bulk")


class Capacity(StrEnum):
    """In which capacity a user acts on a review (permissions decide who holds it)."""

    MEMBER = "member"  # the member whose review it is
    CELL = "cell"  # the secretary or deputy of the member's cell
    COMMITTEE = "committee"  # an officer of the committee that decides (đảng ủy cơ sở)
    # An organization's review (docs/domain.md §7, HD 43 part 3):
    COLLECTIVE = "collective"  # the organization's own officers, writing its collective self-review
    RATING = "rating"  # an officer of the committee one level up, which rates it
    ARCHIVE = "archive"  # the import of past years' results from a province's spreadsheet (no person)
    # A leader's quarter (docs/quarterly.md): the kind of subject that moves along the same states.
    QUARTER_AUTHOR = "quarter_author"  # the person evaluated that quarter
    QUARTER_ASSESSOR = "quarter_assessor"  # the committee that decides their annual level scores and rates it


class Action(StrEnum):
    CREATE = "create"
    SAVE = "save"  # lưu bản kiểm điểm (nháp): changes the text, not the state; no history entry
    SUBMIT = "submit"  # nộp bản tự kiểm điểm
    PROPOSE = "propose"  # chi bộ ghi đề xuất mức xếp loại (no state change)
    RETURN = "return"  # trả lại đảng viên để sửa
    FORWARD = "forward"  # chuyển đề xuất lên đảng ủy
    MARK_NOT_CLASSIFIED = "mark_not_classified"  # đề xuất không xếp loại (miễn, đình chỉ, mới kết nạp)
    SEND_BACK = "send_back"  # đảng ủy trả đề xuất về chi bộ
    DECIDE = "decide"  # đảng ủy quyết định xếp loại
    REOPEN = "reopen"  # đảng ủy mở lại một quyết định
    CONDITIONS = "conditions"  # đảng ủy ghi điều kiện xếp loại (kỷ luật, ...) hoặc ngoại lệ tự báo cáo
    RERATE = "rerate"  # xếp loại lại (Mẫu 03): cấp có thẩm quyền đổi mức đã quyết định, bằng một quyết định
    IMPORT = "import"  # kết quả của năm trước, nhập từ bảng tính lưu trữ
    # nhập hộ: the cell types in the signed paper self-review of a member who cannot use the app, and submits it
    ENTER_ON_BEHALF = "enter_on_behalf"
    REGISTER = "register"  # đăng ký sản phẩm của quý (no state change)
    SCORE = "score"  # cấp ủy chấm điểm quý (no state change)

    @property
    def label(self) -> str:
        return gettext(ACTION_LABELS[self])

    def label_for(self, of_member: bool, quarter: bool = False) -> str:
        """The label in a review's history: an organization's review has no cell, and the level above acts; a
        leader's quarter is a report the committee scores."""
        if quarter:
            return gettext(QUARTER_ACTION_LABELS.get(self, ACTION_LABELS[self]))
        return self.label if of_member else gettext(ORG_ACTION_LABELS.get(self, ACTION_LABELS[self]))


ACTION_LABELS = {
    Action.CREATE: N_("Bắt đầu viết"),
    Action.SAVE: N_("Lưu bản kiểm điểm"),
    Action.SUBMIT: N_("Nộp bản tự kiểm điểm"),
    Action.PROPOSE: N_("Chi bộ đề xuất mức xếp loại"),
    Action.RETURN: N_("Chi bộ trả lại để sửa"),
    Action.FORWARD: N_("Chi bộ chuyển đề xuất lên đảng ủy"),
    Action.MARK_NOT_CLASSIFIED: N_("Chi bộ đề xuất không xếp loại"),
    Action.SEND_BACK: N_("Đảng ủy trả đề xuất về chi bộ"),
    Action.DECIDE: N_("Đảng ủy quyết định xếp loại"),
    Action.REOPEN: N_("Đảng ủy mở lại quyết định"),
    Action.CONDITIONS: N_("Đảng ủy ghi điều kiện xếp loại"),
    Action.RERATE: N_("Xếp loại lại theo quyết định (Mẫu 03)"),
    Action.IMPORT: N_("Nhập kết quả từ bảng tính lưu trữ"),
    Action.ENTER_ON_BEHALF: N_("Chi bộ nhập hộ bản tự kiểm điểm từ bản giấy có chữ ký"),
    Action.REGISTER: N_("Đăng ký sản phẩm của quý"),
    Action.SCORE: N_("Cấp ủy chấm điểm"),
}
ORG_ACTION_LABELS = {
    Action.SUBMIT: N_("Nộp bản kiểm điểm tập thể lên cấp trên"),
    Action.RETURN: N_("Cấp trên trả lại để sửa"),
    Action.DECIDE: N_("Cấp trên quyết định xếp loại"),
    Action.REOPEN: N_("Cấp trên mở lại quyết định"),
    Action.CONDITIONS: N_("Cấp trên ghi điều kiện xếp loại"),
}

QUARTER_ACTION_LABELS = {
    Action.CREATE: N_("Bắt đầu báo cáo quý"),
    Action.SUBMIT: N_("Nộp báo cáo quý cho cấp ủy"),
    Action.SCORE: N_("Cấp ủy chấm điểm quý"),
    Action.RETURN: N_("Cấp ủy trả lại báo cáo quý để sửa"),
    Action.DECIDE: N_("Cấp ủy xếp loại quý"),
    Action.REOPEN: N_("Cấp ủy mở lại kết quả quý"),
    Action.IMPORT: N_("Nhập kết quả quý từ bảng tính"),
    Action.REGISTER: ACTION_LABELS[Action.REGISTER],
}

S = ReviewState
TRANSITIONS: dict[tuple[ReviewState, Capacity, Action], ReviewState] = {
    (S.DRAFT, Capacity.MEMBER, Action.SUBMIT): S.SUBMITTED,
    (S.DRAFT, Capacity.CELL, Action.ENTER_ON_BEHALF): S.SUBMITTED,
    (S.SUBMITTED, Capacity.CELL, Action.RETURN): S.DRAFT,
    (S.SUBMITTED, Capacity.CELL, Action.FORWARD): S.PROPOSED,
    (S.DRAFT, Capacity.CELL, Action.MARK_NOT_CLASSIFIED): S.PROPOSED,
    (S.SUBMITTED, Capacity.CELL, Action.MARK_NOT_CLASSIFIED): S.PROPOSED,
    (S.PROPOSED, Capacity.COMMITTEE, Action.SEND_BACK): S.SUBMITTED,
    (S.PROPOSED, Capacity.COMMITTEE, Action.DECIDE): S.DECIDED,
    (S.DECIDED, Capacity.COMMITTEE, Action.REOPEN): S.PROPOSED,
    # A decided level changed by a decision of the competent level, in an open or a closed year (Mẫu 03).
    (S.DECIDED, Capacity.COMMITTEE, Action.RERATE): S.DECIDED,
    # An organization's review goes from its officers straight to the committee one level up.
    (S.DRAFT, Capacity.COLLECTIVE, Action.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Capacity.RATING, Action.RETURN): S.DRAFT,
    (S.SUBMITTED, Capacity.RATING, Action.DECIDE): S.DECIDED,
    (S.DECIDED, Capacity.RATING, Action.REOPEN): S.SUBMITTED,
    (S.DECIDED, Capacity.RATING, Action.RERATE): S.DECIDED,
    # A past year's result, imported: whatever state the closed year left, it ends decided.
    **{(state, Capacity.ARCHIVE, Action.IMPORT): S.DECIDED for state in S},
    # A leader's quarter goes from the person straight to the committee that scores and rates it; a rating
    # file imported for a quarter ends decided like an archive's.
    (S.DRAFT, Capacity.QUARTER_AUTHOR, Action.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Capacity.QUARTER_ASSESSOR, Action.RETURN): S.DRAFT,
    (S.SUBMITTED, Capacity.QUARTER_ASSESSOR, Action.DECIDE): S.DECIDED,
    (S.DECIDED, Capacity.QUARTER_ASSESSOR, Action.REOPEN): S.SUBMITTED,
}

# What changes a review without moving it: in which state, and by whom.
EDITS: dict[tuple[ReviewState, Capacity], set[Action]] = {
    (S.DRAFT, Capacity.MEMBER): {Action.SAVE},
    (S.DRAFT, Capacity.COLLECTIVE): {Action.SAVE},
    (S.SUBMITTED, Capacity.CELL): {Action.PROPOSE},
    (S.PROPOSED, Capacity.COMMITTEE): {Action.CONDITIONS},
    (S.SUBMITTED, Capacity.RATING): {Action.CONDITIONS},
    (S.DRAFT, Capacity.QUARTER_AUTHOR): {Action.SAVE, Action.REGISTER},
    (S.SUBMITTED, Capacity.QUARTER_ASSESSOR): {Action.SCORE},
}

# Actions that must say why: the person on the other end needs to know what to change.
NEEDS_REASON = {Action.RETURN, Action.SEND_BACK, Action.REOPEN, Action.MARK_NOT_CLASSIFIED, Action.RERATE}
# What may still happen once a year is closed: only a decision that re-rates (its counts follow).
WHEN_CLOSED = {Action.RERATE}


class WorkflowError(DomainError):
    """A move the workflow table or the review's state does not allow."""


class StaleReview(WorkflowError):
    """Someone else changed the review since the page was loaded."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or gettext(
                "Bản kiểm điểm vừa được người khác cập nhật. Trang hiển thị dữ liệu mới nhất; vui lòng xem lại rồi "
                "thực hiện lại."
            )
        )


def permitted(state: ReviewState | None, capacity: Capacity) -> set[Action]:
    """Everything the table lets `capacity` do on a review in `state` (None: not started, a draft to be)."""
    state = state or ReviewState.DRAFT
    moves = {action for (s, c, action) in TRANSITIONS if s is state and c is capacity}
    return moves | EDITS.get((state, capacity), set())


# Each kind of subject and the table its history goes to.
HISTORY: dict[type, type] = {Review: ReviewEvent, QuarterReview: QuarterEvent}


def record(
    review: Review | QuarterReview,
    actor,
    action: Action,
    *,
    level: Level | None = None,
    reason: str = "",
    from_state: ReviewState | None = None,
) -> ReviewEvent | QuarterEvent:
    """Append a history entry; the only place ReviewEvent and QuarterEvent rows are made."""
    # Through the event's side: the review's loaded history is appended to, an unloaded one is not read
    # just to add a line (a bulk decision would otherwise load every review's history).
    event = HISTORY[type(review)](
        review=review, action=action.value, actor=actor, level=level, reason=reason, from_state=from_state,
        to_state=review.state,
    )  # fmt: skip
    if (session := object_session(review)) is not None:
        session.add(event)
    return event


def apply(
    review: Review | QuarterReview,
    actor,
    capacity: Capacity,
    action: Action,
    *,
    level: Level | None = None,
    reason: str = "",
) -> ReviewEvent | QuarterEvent:
    """Move the review along the table and write history; raise WorkflowError if not allowed."""
    from_state = review.state
    review.state = next_state(review, capacity, action, reason)
    return record(review, actor, action, level=level, reason=reason.strip(), from_state=from_state)


def next_state(review: Review | QuarterReview, capacity: Capacity, action: Action, reason: str = "") -> ReviewState:
    """Where the table moves the review; raise WorkflowError if it does not, or if the move needs a reason."""
    state = TRANSITIONS.get((review.state, capacity, action))
    if state is None:
        raise WorkflowError(
            gettext(
                "Không thể thực hiện “%(action)s” khi bản kiểm điểm ở trạng thái “%(state)s”.",
                action=action.label,
                state=review.state.label,
            )
        )
    if action in NEEDS_REASON and not reason.strip():
        raise WorkflowError(gettext("Cần ghi rõ lý do để “%(action)s”.", action=action.label))
    return state
