"""The administrator's forms: periods, logins, role grants, moves, the history's filter."""

from wtforms import DateField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..auth.models import Role
from ..fields import WholeNumberField
from ..i18n import Form, gettext
from ..i18n import lazy_gettext as _l
from ..text import form_text

_required = DataRequired(_l("Trường này là bắt buộc."))
# A field that asks for a code offers matches by name as the person types (static/js/app.js, `data-picker`).
ORGANIZATION_PICKER = {"data-picker": "organizations", "autocomplete": "off"}
MEMBER_PICKER = {"data-picker": "members", "autocomplete": "off"}


class PeriodForm(Form):
    year = WholeNumberField(
        _l("Năm đánh giá"), validators=[_required, NumberRange(2019, 2100, _l("Năm từ 2019 đến 2100."))]
    )
    opens_on = DateField(_l("Ngày mở"), validators=[_required])
    submit_by = DateField(_l("Hạn đảng viên nộp bản tự kiểm điểm"), validators=[_required])
    propose_by = DateField(_l("Hạn chi bộ đề xuất"), validators=[_required])
    decide_by = DateField(_l("Hạn đảng ủy quyết định xếp loại đảng viên"), validators=[_required])
    rate_orgs_by = DateField(_l("Hạn cấp ủy cấp trên xếp loại tổ chức đảng"), validators=[_required])


class DeadlinesForm(Form):
    """An open or draft period's deadlines moved (usually extended), with the reason."""

    submit_by = DateField(_l("Hạn đảng viên nộp bản tự kiểm điểm"), validators=[_required])
    propose_by = DateField(_l("Hạn chi bộ đề xuất"), validators=[_required])
    decide_by = DateField(_l("Hạn đảng ủy quyết định xếp loại đảng viên"), validators=[_required])
    rate_orgs_by = DateField(_l("Hạn cấp ủy cấp trên xếp loại tổ chức đảng"), validators=[_required])
    reason = TextAreaField(
        _l("Lý do đổi thời hạn (lưu vào lịch sử)"), filters=[form_text], validators=[_required, Length(max=2000)]
    )


class UserForm(Form):
    username = StringField(_l("Tên đăng nhập"), filters=[form_text], validators=[_required, Length(3, 80)])
    member_code = StringField(
        _l("Mã đảng viên (để trống nếu không phải đảng viên)"),
        filters=[form_text],
        validators=[Optional(), Length(max=40)],
        render_kw=MEMBER_PICKER,
    )
    display_name = StringField(
        _l("Tên hiển thị (nếu không gắn với đảng viên)"), filters=[form_text], validators=[Optional(), Length(max=200)]
    )
    password = PasswordField(
        _l("Mật khẩu ban đầu"),
        description=_l("Người dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên."),
        validators=[_required, Length(max=200)],
    )


class GrantForm(Form):
    org_code = StringField(
        _l("Mã tổ chức"), filters=[form_text], validators=[_required, Length(max=40)], render_kw=ORGANIZATION_PICKER
    )
    role = SelectField(_l("Vai trò"), choices=lambda: [SelectChoice(r.value, r.label) for r in Role], coerce=Role)


class MoveForm(Form):
    org_code = StringField(
        _l("Mã chi bộ chuyển đến"),
        filters=[form_text],
        validators=[_required, Length(max=40)],
        render_kw=ORGANIZATION_PICKER,
    )
    reason = TextAreaField(
        _l("Lý do (ví dụ: chuyển sinh hoạt đảng chính thức)"),
        filters=[form_text],
        validators=[_required, Length(max=2000)],
    )


class ResetPasswordForm(Form):
    password = PasswordField(
        _l("Mật khẩu ban đầu mới"),
        description=_l("Người dùng phải đổi mật khẩu này ở lần đăng nhập tiếp theo."),
        validators=[_required, Length(max=200)],
    )


def _kinds() -> list[SelectChoice]:
    from ..audit import ACTION_KINDS  # the reader of the history knows its kinds

    return [SelectChoice("", _l("Mọi thao tác")), *(SelectChoice(k, gettext(v)) for k, v in ACTION_KINDS.items())]


class HistoryFilterForm(Form):
    """Read from the address (GET), so a filtered view can be bookmarked and downloaded as it is."""

    class Meta:
        csrf = False

    year = WholeNumberField(_l("Năm"), validators=[Optional(), NumberRange(1900, 2100, _l("Năm từ 1900 đến 2100."))])
    org = StringField(
        _l("Mã tổ chức (cả cấp dưới)"),
        filters=[form_text],
        validators=[Optional(), Length(max=40)],
        render_kw=ORGANIZATION_PICKER,
    )
    actor = StringField(
        _l("Người thực hiện (tên đăng nhập)"), filters=[form_text], validators=[Optional(), Length(max=80)]
    )
    kind = SelectField(_l("Thao tác"), choices=_kinds, validators=[Optional()])
    since = DateField(_l("Từ ngày"), validators=[Optional()])
    until = DateField(_l("Đến ngày"), validators=[Optional()])


class QuarterFrameworkForm(Form):
    """The framework of a year's quarterly evaluation: one of the files in evaluation/frameworks."""

    framework = SelectField(_l("Khung đánh giá hằng quý"), validators=[_required])


class RoundDeadlinesForm(Form):
    """A quarterly round's deadlines moved, with the reason."""

    register_by = DateField(_l("Hạn đăng ký sản phẩm"), validators=[_required])
    report_by = DateField(_l("Hạn báo cáo kết quả và tự chấm điểm"), validators=[_required])
    decide_by = DateField(_l("Hạn cấp ủy chấm điểm và xếp loại"), validators=[_required])
    reason = TextAreaField(
        _l("Lý do đổi thời hạn (lưu vào lịch sử)"), filters=[form_text], validators=[_required, Length(max=2000)]
    )
