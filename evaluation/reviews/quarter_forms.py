"""Forms of the quarterly evaluation: the person's products and self-score, the committee's score and decision."""

from wtforms import BooleanField, DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms import Form as RowForm
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..fields import WholeNumberField
from ..framework import MEASURES, Framework
from ..i18n import FormMessages
from ..i18n import lazy_gettext as _l
from ..levels import QUALITY_LEVELS
from ..text import form_text
from .forms import VersionedForm, _level_or_none, _reason, level_choices
from .quarterly import MAX_PRODUCTS

BLANK_ROWS = 3  # empty product rows offered below those registered: more appear after a save
MEASURE_LABELS = {"quantity": _l("Số lượng (%)"), "quality": _l("Chất lượng (%)"), "timeliness": _l("Tiến độ (%)")}


def _percent(label):
    return WholeNumberField(label, validators=[Optional(), NumberRange(0, 100, _l("Từ 0 đến 100."))])


class _Row(RowForm):
    class Meta:
        def get_translations(self, form):
            return FormMessages()


class ProductRow(_Row):
    """One product (sản phẩm): registered at the quarter's start, reported and self-scored at its end."""

    task = StringField(_l("Nhiệm vụ, sản phẩm"), filters=[form_text], validators=[Optional(), Length(max=500)])
    area = SelectField(_l("Lĩnh vực"), choices=[], validate_choice=False)
    due_on = DateField(_l("Thời hạn"), validators=[Optional()])
    weight = WholeNumberField(_l("Trọng số"), validators=[Optional(), NumberRange(1, 100, _l("Từ 1 đến 100."))])
    result = TextAreaField(_l("Kết quả thực hiện"), filters=[form_text], validators=[Optional(), Length(max=5000)])
    quantity = _percent(MEASURE_LABELS["quantity"])
    quality = _percent(MEASURE_LABELS["quality"])
    timeliness = _percent(MEASURE_LABELS["timeliness"])

    def product(self) -> dict:
        return {"task": self.task.data, "area": self.area.data, "due_on": self.due_on.data,
                "weight": self.weight.data, "result": self.result.data,
                "self": {name: self[name].data for name in MEASURES}}  # fmt: skip


class AcceptedRow(_Row):
    """The committee's measures of one product; empty keeps the person's own."""

    quantity = _percent(MEASURE_LABELS["quantity"])
    quality = _percent(MEASURE_LABELS["quality"])
    timeliness = _percent(MEASURE_LABELS["timeliness"])

    def measures(self) -> dict:
        return {name: self[name].data for name in MEASURES}


class _Criteria:
    """Part A's criteria as one checkbox each (`criterion_A1`...), made for the year's framework."""

    def criteria(self, framework: Framework) -> dict[str, bool]:
        return {c.key: bool(getattr(self, f"criterion_{c.key}").data) for c in framework.criteria}


def _with_criteria(base, framework: Framework):
    fields = {f"criterion_{c.key}": BooleanField(c.text) for c in framework.criteria}
    return type(base.__name__, (base, _Criteria), fields)


class _QuarterForm(VersionedForm):
    products = FieldList(FormField(ProductRow), max_entries=MAX_PRODUCTS + BLANK_ROWS)
    self_level = SelectField(_l("Tự nhận mức xếp loại"), choices=lambda: [("", "—"), *level_choices(QUALITY_LEVELS)],
                             coerce=_level_or_none, validators=[Optional()])  # fmt: skip


class _AssessForm(VersionedForm):
    accepted = FieldList(FormField(AcceptedRow), max_entries=MAX_PRODUCTS)
    comments = TextAreaField(_l("Nhận xét của cấp ủy"), filters=[form_text], validators=[Length(max=5000)])


class QuarterDecisionForm(VersionedForm):
    level = SelectField(_l("Xếp loại quý"), choices=lambda: level_choices(QUALITY_LEVELS), coerce=_level_or_none,
                        validators=[DataRequired(_l("Chọn mức xếp loại."))])  # fmt: skip


class QuarterReasonForm(VersionedForm):
    reason = _reason(_l("Lý do"))


def quarter_form(framework: Framework, **kwargs):
    """The person's form for the year's framework, its area choices filled in each row."""
    form = _with_criteria(_QuarterForm, framework)(**kwargs)
    choices = [("", "—"), *((area.key, area.title) for area in framework.areas)]
    for row in form.products:
        row.form.area.choices = choices
    return form


def assess_form(framework: Framework, **kwargs):
    return _with_criteria(_AssessForm, framework)(**kwargs)
