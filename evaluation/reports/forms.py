"""The report page's form: a target (chỉ tiêu)."""

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from .models import TargetSubject


class VietnameseDecimalField(DecimalField):
    """Accepts "78,3" as well as "78.3": Vietnamese writes decimals with a comma."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = Decimal(valuelist[0].strip().replace(",", "."))
            except InvalidOperation as exc:
                self.data = None
                raise ValueError(_("Hãy nhập một số, ví dụ 85 hoặc 78,3.")) from exc
        else:
            self.data = None


class TargetForm(FlaskForm):
    subject = SelectField(
        _l("Chỉ tiêu cho"),
        choices=lambda: [SelectChoice(s.value, s.label) for s in TargetSubject],
        coerce=TargetSubject,
    )
    min_percent = VietnameseDecimalField(
        _l("Tỷ lệ hoàn thành tốt nhiệm vụ trở lên tối thiểu (%), để trống để bỏ chỉ tiêu"),
        places=2,
        validators=[Optional(), NumberRange(0, 100, _l("Chỉ tiêu là một tỷ lệ từ 0 đến 100%%."))],
    )
