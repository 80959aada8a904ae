"""The report page's form: a target (chỉ tiêu)."""

from wtforms import SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from ..fields import CommaDecimalField
from ..i18n import Form
from ..i18n import gettext as _
from ..i18n import lazy_gettext as _l
from .models import TargetSubject


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
    min_percent = CommaDecimalField(
        _l("Tỷ lệ hoàn thành tốt nhiệm vụ trở lên tối thiểu (%), để trống để bỏ chỉ tiêu"),
        places=2,
        validators=[Optional(), NumberRange(0, 100, _l("Chỉ tiêu là một tỷ lệ từ 0 đến 100%%."))],
    )
