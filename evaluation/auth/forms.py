from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..i18n import Form
from ..i18n import lazy_gettext as _l
from ..text import form_text
from .passwords import MIN_LENGTH


class LoginForm(Form):
    username = StringField(
        _l("Tên đăng nhập"), filters=[form_text], validators=[DataRequired(_l("Nhập tên đăng nhập.")), Length(max=80)]
    )
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(_l("Nhập mật khẩu."))])
    remember = BooleanField(_l("Ghi nhớ đăng nhập"))


class PasswordChangeForm(Form):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(_l("Nhập mật khẩu hiện tại."))])
    new = PasswordField(
        _l("Mật khẩu mới"),
        description=_l("Ít nhất %(min_length)s ký tự; một câu ngắn dễ nhớ là mật khẩu tốt.", min_length=MIN_LENGTH),
        validators=[DataRequired(_l("Nhập mật khẩu mới.")), Length(max=200)],
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(_l("Nhập lại mật khẩu mới.")),
            EqualTo("new", _l("Hai lần nhập mật khẩu mới không khớp.")),
        ],
    )


class CodeForm(Form):
    """A code from the authenticator app (6 digits) or a recovery code."""

    code = StringField(
        _l("Mã xác thực (6 chữ số trên ứng dụng, hoặc một mã dự phòng)"),
        filters=[form_text],
        validators=[DataRequired(_l("Nhập mã xác thực.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
