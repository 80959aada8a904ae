"""The sections of the official self-review forms (HD 43: Mẫu 2A, 2B, 2C; docs/domain.md §7).

Kept as data so the page, the print layout and the completeness check read the same list.
"""

import re
from dataclasses import dataclass

from ..i18n import N_
from ..members.models import FormType
from ..rules import RuleSet


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    hint: str = ""
    required: bool = True
    group: str = ""


STRENGTHS = N_("I. ƯU ĐIỂM, KẾT QUẢ ĐẠT ĐƯỢC")

_POLITICAL = Section(
    "political",
    N_("1. Về tư tưởng chính trị; phẩm chất đạo đức, lối sống; ý thức tổ chức kỷ luật; tác phong, lề lối làm việc"),
    N_(
        "Việc chấp hành chủ trương, đường lối của Đảng; giữ gìn đạo đức, lối sống; thực hiện trách nhiệm nêu gương; "
        "những điều đảng viên không được làm."
    ),
    group=STRENGTHS,
)
_DUTIES = Section(
    "duties",
    N_("2. Về thực hiện chức trách, nhiệm vụ được giao"),
    N_(
        "Kết quả thực hiện nhiệm vụ chuyên môn, các chỉ tiêu, nhiệm vụ được giao trong năm; tỷ lệ hoàn thành, vượt mức."
    ),
    group=STRENGTHS,
)
# Mẫu 2A asks a leader for what the unit they lead achieved, apart from their own duties (HD 43).
_LEADERSHIP = Section(
    "leadership",
    N_("3. Về kết quả lãnh đạo, quản lý; trách nhiệm người đứng đầu"),
    N_(
        "Kết quả thực hiện nhiệm vụ của cơ quan, đơn vị được giao lãnh đạo, quản lý và mức xếp loại của đơn vị; "
        "năng lực tổ chức thực hiện, xây dựng đoàn kết nội bộ; trách nhiệm người đứng đầu khi đơn vị có vi phạm."
    ),
    group=STRENGTHS,
)
_DUTIES_OUTSIDE = Section(
    "duties",
    N_("2. Về thực hiện nhiệm vụ được chi bộ phân công và nghĩa vụ công dân nơi cư trú"),
    N_(
        "Việc thực hiện nhiệm vụ chi bộ giao; tham gia sinh hoạt nơi cư trú; gương mẫu chấp hành chính sách, "
        "pháp luật tại địa phương, nơi làm việc."
    ),
    group=STRENGTHS,
)
_COMMITMENT = Section(
    "commitment",
    N_("3. Việc thực hiện cam kết tu dưỡng, rèn luyện, phấn đấu hằng năm"),
    N_("Kết quả thực hiện các nội dung đã đăng ký, cam kết nêu gương đầu năm."),
    group=STRENGTHS,
)
_COMMITMENT_LEADER = Section(
    "commitment",
    N_("4. Việc thực hiện cam kết tu dưỡng, rèn luyện, phấn đấu hằng năm"),
    _COMMITMENT.hint,
    group=STRENGTHS,
)
_TAIL = (
    Section(
        "shortcomings",
        N_("II. HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN"),
        N_("Nêu rõ hạn chế, khuyết điểm; nguyên nhân chủ quan, khách quan."),
    ),
    Section(
        "followup",
        N_("III. KẾT QUẢ KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM ĐÃ ĐƯỢC CHỈ RA Ở CÁC KỲ KIỂM ĐIỂM TRƯỚC"),
        N_("Với từng hạn chế đã được chỉ ra: đã khắc phục / đang khắc phục / chưa khắc phục, và vì sao."),
        required=False,
    ),
    Section(
        "explanations",
        N_("IV. GIẢI TRÌNH NHỮNG VẤN ĐỀ ĐƯỢC GỢI Ý KIỂM ĐIỂM (NẾU CÓ)"),
        N_("Trả lời từng vấn đề cấp trên gợi ý kiểm điểm; để trống nếu không có."),
        required=False,
    ),
    Section(
        "measures",
        N_("V. PHƯƠNG HƯỚNG, BIỆN PHÁP KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM"),
        N_("Biện pháp cụ thể, thời gian hoàn thành."),
    ),
)

FORMS: dict[FormType, tuple[Section, ...]] = {
    FormType.LEADER: (_POLITICAL, _DUTIES, _LEADERSHIP, _COMMITMENT_LEADER, *_TAIL),
    FormType.STAFF: (_POLITICAL, _DUTIES, _COMMITMENT, *_TAIL),
    FormType.OUTSIDE: (_POLITICAL, _DUTIES_OUTSIDE, _COMMITMENT, *_TAIL),
}

# An organization's collective review (Mẫu 01, HD 43 part 3): results of its political tasks and of
# party building, then the same shortcomings / follow-up / explanations / measures as a member's.
COLLECTIVE_RESULTS = N_("I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ")
ORGANIZATION_SECTIONS = (
    Section(
        "tasks",
        N_("1. Kết quả lãnh đạo thực hiện nhiệm vụ chính trị, các chỉ tiêu được giao trong năm"),
        N_("Các chỉ tiêu, nhiệm vụ chủ yếu của cơ quan, đơn vị, địa phương; tỷ lệ hoàn thành, vượt mức."),
        group=COLLECTIVE_RESULTS,
    ),
    Section(
        "building",
        N_("2. Công tác xây dựng Đảng về chính trị, tư tưởng, đạo đức, tổ chức và cán bộ"),
        N_(
            "Sinh hoạt chi bộ, học tập nghị quyết, phát triển đảng viên, công tác cán bộ, kiểm tra, giám sát, "
            "kỷ luật; kết quả xếp loại đảng viên và tổ chức trực thuộc."
        ),
        group=COLLECTIVE_RESULTS,
    ),
    Section(
        "commitment",
        N_("3. Việc thực hiện các nội dung đã đăng ký, cam kết đầu năm"),
        N_("Kết quả thực hiện từng nội dung tổ chức đã đăng ký đầu năm."),
        group=COLLECTIVE_RESULTS,
    ),
    *_TAIL,
)

SECTION_MAX_CHARS = 20_000


# The form each kind of member writes, by the year's guide (docs/domain.md §7): HD 21 had one form for
# everyone; HD 25 one for leaders (02B) and one for everyone else (02A); HD 43 adds one for members outside
# the political system (2C). A review keeps the form it began on (`sections_of`).
FORM_BY_RULE_SET: dict[RuleSet, dict[FormType, FormType]] = {
    RuleSet.HD21: {kind: FormType.STAFF for kind in FormType},
    RuleSet.QD124: {FormType.LEADER: FormType.LEADER, FormType.STAFF: FormType.STAFF, FormType.OUTSIDE: FormType.STAFF},
    RuleSet.QD366: {kind: kind for kind in FormType},
}
FORM_CODES = {
    RuleSet.HD21: {FormType.STAFF: "Mẫu 02-HD KĐ.ĐG 2019"},
    RuleSet.QD124: {FormType.LEADER: "Mẫu 02B", FormType.STAFF: "Mẫu 02A"},
    RuleSet.QD366: {kind: f"Mẫu {kind.value}" for kind in FormType},
}


def sections_for(form_type: FormType | None, rule_set: RuleSet) -> tuple[Section, ...]:
    """A member's form by its type and the year's guide; no type is an organization's collective review."""
    return FORMS[FORM_BY_RULE_SET[rule_set][form_type]] if form_type else ORGANIZATION_SECTIONS


def sections_of(member, period, review=None) -> tuple[Section, ...]:
    """A started review keeps the form it began on, even if the member's post changes later."""
    return sections_for(review.form_type if review else member.form_type, period.rule_set)


def review_sections(review) -> tuple[Section, ...]:
    return sections_for(review.form_type, review.period.rule_set)


def missing_sections(review) -> list[Section]:
    """Required sections still empty: a review is not submitted with them blank."""
    return [s for s in review_sections(review) if s.required and not (review.sections.get(s.key) or "").strip()]


def form_code(rule_set: RuleSet, form_type: FormType | None) -> str:
    """The code printed on a member's self-review, as the year's guide numbers its forms."""
    return FORM_CODES[rule_set][FORM_BY_RULE_SET[rule_set][form_type or FormType.STAFF]]


# Last year's shortcomings carried into this year's follow-up section, one line each, with the three answers
# HD 43 asks for; the member keeps one. A line still offering all three is an item not yet answered.
FOLLOWUP_CHOICES = "đã khắc phục / đang khắc phục / chưa khắc phục"
_BULLET = re.compile(r"^\s*(?:[-•+*]|\d+[.)])\s*")


def shortcoming_items(text: str) -> list[str]:
    """The items of a shortcomings section: its non-empty lines, without their bullets or numbers."""
    return [item for line in text.splitlines() if (item := _BULLET.sub("", line).strip())]


def followup_draft(items: list[str]) -> str:
    return "\n".join(f"{number}. {item} — {FOLLOWUP_CHOICES}" for number, item in enumerate(items, 1))


def unanswered_followups(text: str) -> int:
    return text.count(FOLLOWUP_CHOICES)
