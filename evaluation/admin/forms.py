"""The administrator's forms: periods, logins, role grants, moves."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..auth.models import Role
from ..text import form_text

_required = DataRequired("Trường này là bắt buộc.")


class PeriodForm(FlaskForm):
    year = IntegerField("Năm đánh giá", validators=[_required, NumberRange(2019, 2100, "Năm từ 2019 đến 2100.")])
    opens_on = DateField("Ngày mở", validators=[_required])
    submit_by = DateField("Hạn đảng viên nộp bản tự kiểm điểm", validators=[_required])
    propose_by = DateField("Hạn chi bộ đề xuất", validators=[_required])
    decide_by = DateField("Hạn đảng ủy quyết định xếp loại đảng viên", validators=[_required])
    rate_orgs_by = DateField("Hạn cấp ủy cấp trên xếp loại tổ chức đảng", validators=[_required])


class UserForm(FlaskForm):
    username = StringField("Tên đăng nhập", filters=[form_text], validators=[_required, Length(3, 80)])
    member_code = StringField(
        "Mã đảng viên (để trống nếu không phải đảng viên)", filters=[form_text], validators=[Optional(), Length(max=40)]
    )
    display_name = StringField(
        "Tên hiển thị (nếu không gắn với đảng viên)", filters=[form_text], validators=[Optional(), Length(max=200)]
    )
    password = PasswordField(
        "Mật khẩu ban đầu",
        description="Người dùng phải đổi mật khẩu này ở lần đăng nhập đầu tiên.",
        validators=[_required, Length(max=200)],
    )


class GrantForm(FlaskForm):
    org_code = StringField("Mã tổ chức", filters=[form_text], validators=[_required, Length(max=40)])
    role = SelectField("Vai trò", choices=[SelectChoice(r.value, r.label) for r in Role], coerce=Role)


class MoveForm(FlaskForm):
    org_code = StringField("Mã chi bộ chuyển đến", filters=[form_text], validators=[_required, Length(max=40)])
    reason = TextAreaField(
        "Lý do (ví dụ: chuyển sinh hoạt đảng chính thức)",
        filters=[form_text],
        validators=[Optional(), Length(max=2000)],
    )
