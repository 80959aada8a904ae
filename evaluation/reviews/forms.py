"""Forms for the review pages. Text is NFC-normalized on the way in (docs/domain.md §11)."""

import re

from flask_babel import LazyString
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..fields import CommaDecimalField, WholeNumberField
from ..formatting import format_number
from ..i18n import Form
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from ..levels import QUALITY_LEVELS, Level, NotClassifiedReason
from ..rules import conditions_for
from ..text import form_text
from .formspec import SECTION_MAX_CHARS


def _section(label: str = ""):
    return TextAreaField(
        label,
        filters=[form_text],
        validators=[
            Length(
                max=SECTION_MAX_CHARS,
                # Lazy: the form is built at import, the message is read in the reader's language.
                message=LazyString(
                    lambda: _(
                        "Mỗi mục tối đa %(section_max_chars)s ký tự.",
                        section_max_chars=format_number(SECTION_MAX_CHARS),
                    )
                ),
            )
        ],
    )


def _score(label, validators):
    """Points out of 30 or 70, to a half point as rubrics give them ("28,5")."""
    return CommaDecimalField(label, places=1, example=_l("28 hoặc 28,5"), validators=validators)


def _reason(label: str, required: bool = True):
    validators = [DataRequired(_l("Cần ghi rõ lý do."))] if required else [Optional()]
    return TextAreaField(label, filters=[form_text], validators=[*validators, Length(max=5000)])


def level_choices(levels) -> list[SelectChoice]:
    return [SelectChoice(level.value, level.label) for level in levels]


def _level_or_none(value):
    return Level(value) if value else None


# ASCII digits that fit an integer column ("²".isdigit() is True, and 4,300 digits would not fit).
VERSION = re.compile(r"[0-9]{1,9}")


class VersionedForm(Form):
    """Carries the review version the page showed, for the optimistic lock.

    Every write must name it: without it a save could not tell what the person has seen, so a
    missing or malformed one refuses the form (0 means the page showed no review yet).
    """

    version = HiddenField()

    def validate_version(self, field) -> None:
        if not VERSION.fullmatch(str(field.data or "")):
            raise ValidationError(
                _("Trang thiếu số phiên bản của bản kiểm điểm hoặc số đó không hợp lệ; hãy tải lại trang.")
            )

    @property
    def version_read(self) -> int:
        """The version named by a validated form."""
        return int(self.version.data)


class ConfirmSubmissionForm(VersionedForm):
    """The submission itself, from the page that shows what will be sent: only the version it showed."""


class _WrittenReviewForm(VersionedForm):
    """A self-review's text, one field per section key in formspec, and the self-rating.

    `client` names the page that typed it (static/js/app.js), so its own late save is not a conflict.
    """

    client = HiddenField(validators=[Optional(), Regexp(r"^[A-Za-z0-9]{8,40}$")])

    shortcomings = _section()
    followup = _section()
    explanations = _section()
    measures = _section()
    commitment = _section()
    self_level = RadioField(
        _l("Tự nhận mức xếp loại"),
        choices=lambda: level_choices(QUALITY_LEVELS),
        coerce=_level_or_none,
        validators=[Optional()],
    )

    def section_data(self) -> dict[str, str]:
        return {name: field.data or "" for name, field in self._fields.items() if isinstance(field, TextAreaField)}


class SelfReviewForm(_WrittenReviewForm):
    # The page shows only the sections of the member's form (2A / 2B / 2C).
    political = _section()
    duties = _section()
    leadership = _section()  # Mẫu 2A only
    score_general = _score(
        _l("Tiêu chí chung (tối đa 30 điểm)"),
        validators=[Optional(), NumberRange(0, 30, _l("Điểm tiêu chí chung từ 0 đến 30."))],
    )
    score_tasks = _score(
        _l("Kết quả thực hiện nhiệm vụ (tối đa 70 điểm)"),
        validators=[Optional(), NumberRange(0, 70, _l("Điểm kết quả nhiệm vụ từ 0 đến 70."))],
    )


class OnBehalfForm(SelfReviewForm):
    """The cell types in a member's signed paper self-review (nhập hộ): the paper's date, and its word that
    the text is the paper's."""

    paper_signed_on = DateField(_l("Ngày đảng viên ký bản giấy"), validators=[DataRequired(_l("Ghi ngày ký."))])
    attest = BooleanField(
        _l("Tôi đã nhận bản tự kiểm điểm trên giấy có chữ ký của đảng viên và nhập đúng nội dung đó"),
        validators=[DataRequired(_l("Cần xác nhận đã nhận bản giấy có chữ ký."))],
    )


class CollectiveReviewForm(_WrittenReviewForm):
    """An organization's collective review (Mẫu 01)."""

    tasks = _section()
    building = _section()


def all_outcomes() -> list[SelectChoice]:
    """Every outcome, labelled in the reader's language when the form is drawn."""
    return [SelectChoice("", _("— Chọn mức —")), *level_choices(Level)]


class ProposalForm(VersionedForm):
    comments = TextAreaField(
        _l("Ý kiến góp ý của chi bộ"), filters=[form_text], validators=[Length(max=SECTION_MAX_CHARS)]
    )
    level = SelectField(
        _l("Chi bộ đề xuất mức xếp loại"), choices=all_outcomes, coerce=_level_or_none, validators=[Optional()]
    )
    votes = WholeNumberField(
        _l("Số phiếu tán thành mức đề xuất (biểu quyết tại hội nghị chi bộ)"),
        validators=[Optional(), NumberRange(0, 10_000)],
    )
    category = SelectField(_l("Trường hợp không xếp loại"), choices=lambda: not_classified_choices(), default="")
    reason = _reason(_l("Lý do không xếp loại (nếu đề xuất không xếp loại)"), required=False)


def not_classified_choices() -> list[SelectChoice]:
    return [SelectChoice("", _("— Chọn trường hợp —")), *(SelectChoice(r.value, r.label) for r in NotClassifiedReason)]


class ReasonForm(VersionedForm):
    reason = _reason(_l("Lý do"))


class NotClassifiedForm(ReasonForm):
    category = SelectField(
        _l("Trường hợp không xếp loại"), choices=lambda: not_classified_choices()[1:], validators=[DataRequired()]
    )


class DecisionForm(VersionedForm):
    level = SelectField(
        _l("Mức xếp loại quyết định"),
        choices=all_outcomes,
        coerce=_level_or_none,
        validators=[DataRequired(_l("Chọn mức xếp loại."))],
    )
    note = _reason(_l("Ghi chú (bắt buộc nếu không xếp loại)"), required=False)


class RerateForm(VersionedForm):
    """A decision of the competent level that changes a decided level (Mẫu 03)."""

    level = SelectField(
        _l("Mức xếp loại mới"), choices=all_outcomes, coerce=_level_or_none, validators=[DataRequired(_l("Chọn mức."))]
    )
    decision = StringField(
        _l("Số quyết định"), filters=[form_text], validators=[DataRequired(_l("Ghi số quyết định.")), Length(max=80)]
    )
    decided_on = DateField(_l("Ngày quyết định"), validators=[DataRequired(_l("Ghi ngày quyết định."))])
    reason = _reason(_l("Lý do xếp loại lại (sai sót, báo cáo không trung thực được phát hiện…)"))


class MeetingForm(Form):
    """The cell's review meeting: its date, the cell's official members and how many came."""

    held_on = DateField(_l("Ngày họp chi bộ"), validators=[DataRequired(_l("Ghi ngày họp."))])
    official_members = WholeNumberField(
        _l("Số đảng viên chính thức của chi bộ"),
        validators=[DataRequired(_l("Ghi số đảng viên chính thức.")), NumberRange(1, 10_000)],  # fmt: skip
    )
    present = WholeNumberField(_l("Số đảng viên có mặt"), validators=[InputRequired(_l("Ghi số có mặt.")),
                                                                NumberRange(0, 10_000)])  # fmt: skip


class BulkForm(Form):
    """Only CSRF: the selected reviews come as repeated `review` fields (id:version)."""


class ReturnConfirmationForm(Form):
    """The level above returns a committee's confirmation of its figures: why."""

    reason = _reason(_l("Lý do trả lại"))


class ConditionsForm(VersionedForm):
    """Facts that cap the level (choices set from the period's rule set) and the self-report exception."""

    conditions = SelectMultipleField(
        _l("Điều kiện trong năm"), choices=[], widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )
    exception_reason = _reason(
        _l("Ngoại lệ: đảng viên tự phát hiện, tự báo cáo và chủ động khắc phục (ghi rõ lý do; để trống nếu không)"),
        required=False,
    )
    score_general = _score(
        _l("Điểm cấp ủy chấp nhận: tiêu chí chung (tối đa 30)"),
        validators=[Optional(), NumberRange(0, 30, _l("Điểm tiêu chí chung từ 0 đến 30."))],
    )
    score_tasks = _score(
        _l("Điểm cấp ủy chấp nhận: kết quả thực hiện nhiệm vụ (tối đa 70)"),
        validators=[Optional(), NumberRange(0, 70, _l("Điểm kết quả nhiệm vụ từ 0 đến 70."))],
    )

    def set_rule_set(self, rule_set, *, leader: bool, scored: bool = False) -> "ConditionsForm":
        """The conditions of the year's rule set; the leaders' ones only on a leader's review (Mẫu 2A); the
        accepted score only on a member's review in a year with the 100-point score."""
        self.conditions.choices = [SelectChoice(c.value, c.label) for c in conditions_for(rule_set, leader=leader)]
        if not (scored and rule_set.score):
            del self.score_general, self.score_tasks
        return self


class QuotaForm(Form):
    """A committee's decision on its group's quota (docs/domain.md §4)."""

    outstanding = BooleanField(_l("Kết quả của nhóm nổi trội: áp dụng tỷ lệ 25%"))
    reason = _reason(_l("Lý do vượt tỷ lệ (ghi vào báo cáo)"), required=False)


class CommitmentForm(Form):
    text = TextAreaField(
        _l("Nội dung đăng ký, cam kết đầu năm"),
        filters=[form_text],
        validators=[Length(max=10_000, message=_l("Nội dung đăng ký tối đa 10.000 ký tự."))],
    )
