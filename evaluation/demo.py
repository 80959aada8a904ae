"""A believable small province for trying the product: ~300 members, one login per role.

It goes through the same import operations as a real province's spreadsheets; only the
earlier progress of other members' reviews is written directly, as a snapshot.
"""

import random
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

from .auth.models import Role, User
from .auth.operations import create_user, grant_role
from .auth.permissions import deciding_org
from .extensions import db
from .formatting import today_in_vietnam
from .framework import MEASURES
from .levels import QUALITY_LEVELS, Level
from .members.models import FormType, Member
from .members.operations import import_members
from .org.models import Organization, OrgKind
from .org.operations import find_org, import_orgs
from .periods.models import PeriodState
from .periods.operations import create_period, december_deadlines, evaluation_year, open_period
from .reports.models import TargetSubject
from .reports.operations import set_target
from .reviews import formspec, quarterly
from .reviews.imports import MEMBER_RATINGS, ORG_RATINGS, import_quarter_ratings, import_ratings
from .reviews.models import Review, ReviewState
from .reviews.workflow import Action, Capacity, apply, record
from .rules import quota_excess
from .tabular import Row

DEMO_PASSWORD = "thu-nghiem-2025"
PROVINCE = "TN"

# (code, parent, name, kind); a grassroots org listed with cells is a đảng bộ cơ sở, without is a chi bộ cơ sở.
TREE = [
    ("TN", "", "Đảng bộ tỉnh Thái Nguyên", "province"),
    ("TN-PDP", "TN", "Đảng ủy phường Phan Đình Phùng", "upper"),
    ("TN-DT", "TN", "Đảng ủy xã Đại Từ", "upper"),
    ("TN-CQD", "TN", "Đảng ủy Các cơ quan Đảng tỉnh", "upper"),
    ("PDP-THPT", "TN-PDP", "Đảng bộ Trường THPT Chuyên Thái Nguyên", "grassroots"),
    ("PDP-THPT-TOAN", "PDP-THPT", "Chi bộ Tổ Toán – Tin", "cell"),
    ("PDP-THPT-VAN", "PDP-THPT", "Chi bộ Tổ Ngữ văn", "cell"),
    ("PDP-THPT-HC", "PDP-THPT", "Chi bộ Hành chính – Văn phòng", "cell"),
    ("PDP-TDP1", "TN-PDP", "Chi bộ Tổ dân phố số 1", "grassroots"),
    ("PDP-TDP5", "TN-PDP", "Chi bộ Tổ dân phố số 5", "grassroots"),
    ("PDP-YT", "TN-PDP", "Chi bộ Trạm Y tế phường", "grassroots"),
    ("DT-DONG", "TN-DT", "Chi bộ thôn Đồng Khánh", "grassroots"),
    ("DT-LAC", "TN-DT", "Chi bộ thôn Lạc Thanh", "grassroots"),
    ("DT-THCS", "TN-DT", "Đảng bộ Trường THCS Đại Từ", "grassroots"),
    ("DT-THCS-GV", "DT-THCS", "Chi bộ Giáo viên", "cell"),
    ("DT-THCS-HC", "DT-THCS", "Chi bộ Hành chính", "cell"),
    ("CQD-VP", "TN-CQD", "Đảng bộ Văn phòng Tỉnh ủy", "grassroots"),
    ("CQD-VP-TH", "CQD-VP", "Đảng bộ bộ phận Khối tổng hợp", "section"),
    ("CQD-VP-TH1", "CQD-VP-TH", "Chi bộ Phòng Tổng hợp", "cell"),
    ("CQD-VP-TH2", "CQD-VP-TH", "Chi bộ Phòng Hành chính – Lưu trữ", "cell"),
    ("CQD-VP-QT", "CQD-VP", "Chi bộ Phòng Quản trị – Tài vụ", "cell"),
    ("CQD-BTC", "TN-CQD", "Chi bộ Ban Tổ chức Tỉnh ủy", "grassroots"),
    ("CQD-BTG", "TN-CQD", "Chi bộ Ban Tuyên giáo và Dân vận", "grassroots"),
    ("TN-BV", "TN", "Đảng bộ Bệnh viện Đa khoa tỉnh", "grassroots"),
    ("TN-BV-NOI", "TN-BV", "Chi bộ Khoa Nội", "cell"),
    ("TN-BV-NGOAI", "TN-BV", "Chi bộ Khoa Ngoại", "cell"),
    ("TN-BV-HC", "TN-BV", "Chi bộ Hành chính", "cell"),
    ("TN-NH", "TN", "Chi bộ Ngân hàng Chính sách xã hội tỉnh", "grassroots"),
]
FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Lương Mai".split()
MIDDLE = "Văn Thị Hữu Đức Minh Thanh Ngọc Quang Thu Hồng Xuân Kim Thế Bảo Diệu".split()
GIVEN = (
    "An Anh Bình Châu Cường Dũng Đạt Điệp Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long Mai "
    "Minh Nam Nga Ngọc Nhung Phong Phương Quân Quyên Sơn Tâm Thảo Thắng Thủy Trang Trung Tuấn Vân Việt Yến"
).split()

# The grassroots organizations' types (loại hình), the statistical table's columns.
TYPES = {
    "PDP-THPT": "public_service", "PDP-TDP1": "ward", "PDP-TDP5": "ward", "PDP-YT": "public_service",
    "DT-DONG": "commune", "DT-LAC": "commune", "DT-THCS": "public_service", "CQD-VP": "party_agency",
    "CQD-BTC": "party_agency", "CQD-BTG": "party_agency", "TN-BV": "public_service", "TN-NH": "state_agency",
}  # fmt: skip
DEMO_CELL = "PDP-THPT-TOAN"
RATED_CELL = "PDP-THPT-VAN"
# username -> (member code or None, role grants, description printed for the newcomer)
LOGINS = {
    "admin": (None, [], "Quản trị hệ thống: kỳ đánh giá, tài khoản, vai trò"),
    "dangvien": ("DV-DEMO-1", [], "Đảng viên Chi bộ Tổ Toán – Tin: viết và nộp bản tự kiểm điểm"),
    "bithu": ("DV-DEMO-2", [(DEMO_CELL, Role.SECRETARY)], "Bí thư Chi bộ Tổ Toán – Tin: góp ý, đề xuất, trả lại"),
    "danguy": (
        "DV-DEMO-3",
        [("PDP-THPT", Role.COMMITTEE)],
        "Cấp ủy Đảng bộ Trường THPT Chuyên: quyết định xếp loại đảng viên, xếp loại các chi bộ",
    ),
    "capuyphuong": (None, [("TN-PDP", Role.COMMITTEE)], "Cấp ủy Đảng ủy phường Phan Đình Phùng: xếp loại các TCCSĐ"),
    "lanhdao": (None, [(PROVINCE, Role.LEADER)], "Lãnh đạo Ban Tổ chức Tỉnh ủy: theo dõi toàn tỉnh"),
}
DEMO_MEMBERS = [
    ("DV-DEMO-1", "Nguyễn Thị Thu Hà", DEMO_CELL, FormType.STAFF, "Giáo viên Toán", "1988-03-14"),
    ("DV-DEMO-2", "Trần Văn Bình", DEMO_CELL, FormType.LEADER, "Tổ trưởng Tổ Toán – Tin", "1979-09-02"),
    ("DV-DEMO-3", "Lê Minh Quân", "PDP-THPT-HC", FormType.LEADER, "Phó Hiệu trưởng", "1975-11-20"),
]
DEMO_WORKPLACE = "Trường THPT Chuyên Phan Đình Phùng"


def already_seeded() -> bool:
    return find_org(PROVINCE) is not None


def _org(code: str) -> Organization:
    """An organization the demo's own file created."""
    org = find_org(code)
    if org is None:
        raise LookupError(f"the demo has no organization {code}")
    return org


def _rows(dicts: list[dict]) -> list[Row]:
    return [Row(line=i + 2, values=d) for i, d in enumerate(dicts)]


def _member_rows(rng: random.Random) -> list[dict]:
    rows = [
        {"code": c, "full_name": n, "org_code": o, "form_type": f.value, "position": p, "workplace": DEMO_WORKPLACE,
         "birth_date": born, "joined_date": "2012-05-19"}
        for c, n, o, f, p, born in DEMO_MEMBERS
    ]  # fmt: skip
    holders = [
        code
        for code, _, _, kind in TREE
        if kind == "cell" or (kind == "grassroots" and not any(parent == code for _, parent, _, _ in TREE))
    ]
    for org_code in holders:
        for _ in range(rng.randint(12, 20)):
            joined = date(rng.randint(1975, 2023), rng.randint(1, 12), rng.randint(1, 28))
            rows.append(
                {
                    "code": f"DV{len(rows):05d}",
                    "full_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    "org_code": org_code,
                    "form_type": rng.choices(["2A", "2B", "2C"], weights=[2, 6, 2])[0],
                    "position": "",
                    "workplace": "",
                    "joined_date": joined.isoformat(),
                    # Drawn from the joining date, not from `rng`, so the rest of the demo stays as it was.
                    "birth_date": joined.replace(
                        year=joined.year - 22 - len(rows) % 9, day=min(joined.day, 28)
                    ).isoformat(),
                }
            )
    return rows


# Self-scores inside each level's band (QĐ 366: 90 / 70 / 50), so the demo's decisions pass the checks.
SCORES = {Level.EXCELLENT: (28, 64), Level.GOOD: (26, 56), Level.COMPLETED: (20, 40), Level.NOT_COMPLETED: (15, 25)}
SAMPLE_TEXT = "Luôn chấp hành nghiêm chủ trương, đường lối của Đảng; hoàn thành các nhiệm vụ được giao đúng hạn."


def _snapshot_review(period, member: Member, state: ReviewState, level: Level) -> None:
    """Another member's review already under way, so the lists look like a real December."""
    review = Review(
        period=period,
        member=member,
        form_type=member.form_type,
        state=ReviewState.DRAFT,
        sections={s.key: SAMPLE_TEXT for s in formspec.sections_of(member, period)},
        self_level=level,
        self_score_general=SCORES[level][0],
        self_score_tasks=SCORES[level][1],
    )
    db.session.add(review)
    record(review, None, Action.CREATE)
    # Through the workflow table, as the people would have: submitted, proposed, decided.
    steps = [
        (ReviewState.SUBMITTED, Capacity.MEMBER, Action.SUBMIT),
        (ReviewState.PROPOSED, Capacity.CELL, Action.FORWARD),
        (ReviewState.DECIDED, Capacity.COMMITTEE, Action.DECIDE),
    ]
    order = list(ReviewState)
    for target, capacity, action in steps[: order.index(state)]:
        if target is ReviewState.SUBMITTED:
            apply(review, None, capacity, action)
            review.cell_comments = "Chi bộ thống nhất với nội dung tự kiểm điểm."
        else:
            review.proposed_level = level
            apply(review, None, capacity, action, level=level)
    if state is ReviewState.DECIDED:
        review.final_level = level


def seed(year: int | None = None) -> None:
    """The demo province, its open year the one under way today (`evaluation_year`), the two before closed."""
    year = year or evaluation_year(today_in_vietnam())
    rng = random.Random(DEMO_SEED)  # the same people and levels whatever the year
    for operation, rows in (
        (
            import_orgs,
            [
                dict(zip(("code", "parent_code", "name", "kind"), t, strict=True), type=TYPES.get(t[0], ""))
                for t in TREE
            ],
        ),  # fmt: skip
        (import_members, _member_rows(rng)),
    ):
        _, errors = operation(_rows(rows))
        assert not errors, errors.lines()  # the demo data is ours: an error here is a bug
    period = create_period(year, **december_deadlines(year))
    open_period(period)
    for username, (member_code, grants, _) in LOGINS.items():
        member = db.session.scalars(db.select(Member).where(Member.code == member_code)).first()
        user = create_user(
            username,
            DEMO_PASSWORD,
            member=member,
            is_admin=username == "admin",
            display_name="" if member else _display_name(username),
        )
        for org_code, role in grants:
            grant_role(user, _org(org_code), role)
    demo_codes = {c for c, *_ in DEMO_MEMBERS}
    quota = _QuotaKeeper()
    states = [None, ReviewState.DRAFT, ReviewState.SUBMITTED, ReviewState.PROPOSED, ReviewState.DECIDED]
    for member in db.session.scalars(db.select(Member).order_by(Member.code)):
        in_demo_cell = member.organization.code == DEMO_CELL
        if member.code in demo_codes:
            continue
        # The demo cell has nothing decided yet, so the whole journey can be walked there; the
        # rated cell has everything decided, so its committee can rate it.
        state = rng.choices(states, weights=[2, 2, 3, 2, 0] if in_demo_cell else [1, 1, 1, 3, 4])[0]
        if member.organization.code == RATED_CELL:
            state = ReviewState.DECIDED
        if state is not None:
            level = rng.choices(QUALITY_LEVELS, weights=[15, 75, 8, 2])[0]
            _snapshot_review(
                period, member, state, quota.admit(member, level) if state is ReviewState.DECIDED else level
            )
    _collective_review_submitted(period, _org(RATED_CELL))
    _past_years(rng, year)
    _quarters(rng, period)
    db.session.flush()


class _QuotaKeeper:
    """Keeps the demo's decided members within each grassroots quota, as a committee would."""

    def __init__(self) -> None:
        self.counts: dict[int, Counter] = defaultdict(Counter)

    def admit(self, member: Member, level: Level) -> Level:
        group = self.counts[deciding_org(member.organization).id]
        if level is Level.EXCELLENT and quota_excess(group[Level.EXCELLENT] + 1, group[Level.GOOD]):
            level = Level.GOOD
        group[level] += 1
        return level


def _collective_review_submitted(period, cell: Organization) -> None:
    """A cell's collective review waiting for its committee, self-rated excellent: rating it so takes
    the committee's cells over the quota, and the committee must write why."""
    review = Review(
        period=period,
        organization=cell,
        state=ReviewState.DRAFT,
        sections={s.key: SAMPLE_TEXT for s in formspec.ORGANIZATION_SECTIONS},
        self_level=Level.EXCELLENT,
    )
    db.session.add(review)
    record(review, None, Action.CREATE)
    review.state = ReviewState.SUBMITTED
    record(review, None, Action.SUBMIT, level=Level.EXCELLENT, from_state=ReviewState.DRAFT)


DEMO_SEED = 2025
# Good-or-better shares the demo province's past years (so many years back) drift around, so year over year
# has a trend.
PAST_WEIGHTS = {2: [12, 74, 11, 3], 1: [14, 75, 9, 2]}


def _past_years(rng: random.Random, year: int) -> None:
    """Earlier years' results, loaded by the same import a province runs on its archived spreadsheets."""
    members = list(db.session.scalars(db.select(Member.code).order_by(Member.code)))
    rated_orgs = list(db.session.scalars(db.select(Organization.code).where(Organization.kind != OrgKind.PROVINCE)))
    levels = [level.value for level in QUALITY_LEVELS]
    province = _org(PROVINCE)
    leader = db.session.scalars(db.select(User).where(User.username == "lanhdao")).one()
    for back in (*PAST_WEIGHTS, 0):  # the province's targets, set at the start of each year
        set_target(province, year - back, TargetSubject.MEMBERS, Decimal(85), leader)
        set_target(province, year - back, TargetSubject.GRASSROOTS, Decimal("78.3"), leader)
    for back, weights in PAST_WEIGHTS.items():
        past = year - back
        for subject, codes in ((MEMBER_RATINGS, members), (ORG_RATINGS, rated_orgs)):
            rows = [{subject.code_column: code, "level": rng.choices(levels, weights=weights)[0]} for code in codes]
            _, errors = import_ratings(subject, _rows(rows), past)
            assert not errors, errors.lines()


# The demo leader's quarters (the "bithu" login, Mẫu 2A): (task, area, weight, self-scored measures) each.
LEADER_PRODUCTS = [
    ("Xây dựng kế hoạch dạy học môn Toán – Tin của tổ", "economy", 2, (100, 90, 100)),
    ("Triển khai sổ điểm điện tử cho các lớp chuyên", "digital", 1, (100, 85, 90)),
    ("Tổ chức sinh hoạt chuyên đề của chi bộ", "party", 1, (100, 95, 100)),
]
DECIDED_QUARTERS = {1: Level.EXCELLENT, 2: Level.GOOD, 3: Level.GOOD}  # the fourth is under way


def _quarters(rng: random.Random, period) -> None:
    """The year's four rounds: the leader's first three quarters written, scored and rated through the same
    operations as the pages (the committee "danguy" rates), the fourth open with its products registered;
    the other leaders' quarters loaded as a province's spreadsheet would be."""
    bithu, danguy = (db.session.scalars(db.select(User).where(User.username == name)).one()
                     for name in ("bithu", "danguy"))  # fmt: skip
    rounds = quarterly.make_rounds(period, None)
    for round_ in rounds:
        quarterly.set_round_state(round_, PeriodState.OPEN, None)
        quarter = quarterly.start_quarter(round_, bithu.member, bithu)
        done = round_.quarter in DECIDED_QUARTERS
        products = [{"task": task, "area": area, "weight": weight, "due_on": round_.report_by,
                     "result": "Hoàn thành" if done else "", "self": dict(zip(MEASURES, measures, strict=True))
                     if done else {}} for task, area, weight, measures in LEADER_PRODUCTS]  # fmt: skip
        criteria = {c.key: True for c in quarterly.framework_of(period).criteria}
        quarterly.save_quarter(quarter, bithu, criteria=criteria, products=products, register=True,
                               self_level=DECIDED_QUARTERS.get(round_.quarter))  # fmt: skip
        if done:
            quarterly.submit_quarter(quarter, bithu)
            quarterly.decide_quarter(quarter, danguy, DECIDED_QUARTERS[round_.quarter])
            quarterly.set_round_state(round_, PeriodState.CLOSED, None)
    leaders = db.session.scalars(
        db.select(Member.code).where(Member.form_type == FormType.LEADER, Member.code.not_in([bithu.member.code]))
    ).all()
    levels = [level.value for level in QUALITY_LEVELS]
    for number in DECIDED_QUARTERS:
        rows = [{"member_code": code, "level": rng.choices(levels, weights=[20, 70, 8, 2])[0]} for code in leaders]
        _, errors = import_quarter_ratings(_rows(rows), period.year, number)
        assert not errors, errors.lines()


def _display_name(username: str) -> str:
    names = {"admin": "Quản trị hệ thống", "lanhdao": "Ban Tổ chức Tỉnh ủy", "capuyphuong": "Đảng ủy phường PĐP"}
    return names.get(username, username)


def logins_text() -> str:
    lines = ["Tài khoản mẫu (mật khẩu chung: " + DEMO_PASSWORD + "; mỗi người đổi mật khẩu ở lần đăng nhập đầu):"]
    lines += [f"  {username:<12} {description}" for username, (_, _, description) in LOGINS.items()]
    lines.append("Quản trị (admin) còn phải bật xác thực hai bước bằng một ứng dụng xác thực trên điện thoại.")
    return "\n".join(lines)
