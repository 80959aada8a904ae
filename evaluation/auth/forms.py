from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..text import form_text
from .passwords import MIN_LENGTH


class LoginForm(FlaskForm):
    username = StringField(
        "Tên đăng nhập", filters=[form_text], validators=[DataRequired("Nhập tên đăng nhập."), Length(max=80)]
    )
    password = PasswordField("Mật khẩu", validators=[DataRequired("Nhập mật khẩu.")])
    remember = BooleanField("Ghi nhớ đăng nhập")


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Mật khẩu hiện tại", validators=[DataRequired("Nhập mật khẩu hiện tại.")])
    new = PasswordField(
        "Mật khẩu mới",
        description=f"Ít nhất {MIN_LENGTH} ký tự; một câu ngắn dễ nhớ là mật khẩu tốt.",
        validators=[DataRequired("Nhập mật khẩu mới."), Length(max=200)],
    )
    confirm = PasswordField(
        "Nhập lại mật khẩu mới",
        validators=[DataRequired("Nhập lại mật khẩu mới."), EqualTo("new", "Hai lần nhập mật khẩu mới không khớp.")],
    )
