"""The administrator's forms: periods, logins, role grants, moves."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..auth.models import Role
from ..text import form_text

_required = DataRequired(_l("Trường này là bắt buộc."))


class PeriodForm(FlaskForm):
    year = IntegerField(
        _l("Năm đánh giá"), validators=[_required, NumberRange(2019, 2100, _l("Năm từ 2019 đến 2100."))]
    )
    opens_on = DateField(_l("Ngày mở"), validators=[_required])
    submit_by = DateField(_l("Hạn đảng viên nộp bản tự kiểm điểm"), validators=[_required])
    propose_by = DateField(_l("Hạn chi bộ đề xuất"), validators=[_required])
    decide_by = DateField(_l("Hạn đảng ủy quyết định xếp loại đảng viên"), validators=[_required])
    rate_orgs_by = DateField(_l("Hạn cấp ủy cấp trên xếp loại tổ chức đảng"), validators=[_required])


class UserForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), filters=[form_text], validators=[_required, Length(3, 80)])
    member_code = StringField(
        _l("Mã đảng viên (để trống nếu không phải đảng viên)"),
        filters=[form_text],
        validators=[Optional(), Length(max=40)],
    )
    display_name = StringField(
        _l("Tên hiển thị (nếu không gắn với đảng viên)"), filters=[form_text], validators=[Optional(), Length(max=200)]
    )
    password = PasswordField(
        _l("Mật khẩu ban đầu"),
        description=_l("Người dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên."),
        validators=[_required, Length(max=200)],
    )


class GrantForm(FlaskForm):
    org_code = StringField(_l("Mã tổ chức"), filters=[form_text], validators=[_required, Length(max=40)])
    role = SelectField(_l("Vai trò"), choices=lambda: [SelectChoice(r.value, r.label) for r in Role], coerce=Role)


class MoveForm(FlaskForm):
    org_code = StringField(_l("Mã chi bộ chuyển đến"), filters=[form_text], validators=[_required, Length(max=40)])
    reason = TextAreaField(
        _l("Lý do (ví dụ: chuyển sinh hoạt đảng chính thức)"),
        filters=[form_text],
        validators=[Optional(), Length(max=2000)],
    )
