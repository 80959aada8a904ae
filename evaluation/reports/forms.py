"""The report page's form: a target (chỉ tiêu)."""

import re
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from ..i18n import Form
from .models import TargetSubject

# A share as people write it: up to three digits, and up to two decimals after a comma (or a point).
_SHARE = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,2})?")


class VietnameseDecimalField(DecimalField):
    """Accepts "78,3" as well as "78.3": Vietnamese writes decimals with a comma. Nothing else reaches
    Decimal, so "sNaN", "Infinity" or "1e-999999" are a clear error, not a crash."""

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text and not _SHARE.fullmatch(text):
            raise ValueError(_("Hãy nhập một số, ví dụ 85 hoặc 78,3."))
        if text:
            self.data = Decimal(text.replace(",", "."))


class TargetForm(Form):
    subject = SelectField(
        _l("Chỉ tiêu cho"),
        choices=lambda: [SelectChoice(s.value, s.label) for s in TargetSubject],
        coerce=TargetSubject,
    )
    comparison = SelectField(
        _l("Cách tính"),
        choices=lambda: [
            SelectChoice("at_least", _("Từ … trở lên (đạt khi bằng)")),
            SelectChoice("above", _("Trên … (phải vượt)")),
        ],  # fmt: skip
        default="at_least",
    )
    min_percent = VietnameseDecimalField(
        _l("Tỷ lệ hoàn thành tốt nhiệm vụ trở lên tối thiểu (%), để trống để bỏ chỉ tiêu"),
        places=2,
        validators=[Optional(), NumberRange(0, 100, _l("Chỉ tiêu là một tỷ lệ từ 0 đến 100%%."))],
    )
