"""Number fields as Vietnamese users type them.

Vietnamese writes decimals with a comma ("82,5"), English with a point; people type either. A browser's
`<input type="number">` reads "82,5" by the page's locale and can turn it into 825 or nothing, so numbers are
plain text inputs (`inputmode` brings up the phone's number pad) read here, the same way for every field.
"""

import re
from decimal import Decimal

from wtforms import DecimalField, IntegerField
from wtforms.widgets import TextInput

from .formatting import format_score
from .i18n import gettext as _
from .i18n import lazy_gettext as _l

_WHOLE = re.compile(r"[0-9]{1,9}")
_PERCENT_EXAMPLE = _l("85 hoặc 78,3")


def _decimal_pattern(places: int) -> re.Pattern:
    return re.compile(rf"[0-9]{{1,6}}(?:[.,][0-9]{{1,{places}}})?")


class _NumberInput(TextInput):
    def __init__(self, inputmode: str):
        super().__init__()
        self.inputmode = inputmode

    def __call__(self, field, **kwargs):
        kwargs.setdefault("inputmode", self.inputmode)
        kwargs.setdefault("autocomplete", "off")
        return super().__call__(field, **kwargs)


class WholeNumberField(IntegerField):
    """A count or a year: digits only; "12,5" or "1e3" is a clear error, not a guess."""

    widget = _NumberInput("numeric")

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text and not _WHOLE.fullmatch(text):
            raise ValueError(_("Hãy nhập một số nguyên, ví dụ 12."))
        if text:
            self.data = int(text)


class CommaDecimalField(DecimalField):
    """Accepts "78,3" as well as "78.3", with at most `places` decimals. Nothing else reaches Decimal, so
    "sNaN", "Infinity" or "1e-999999" are a clear error, not a crash."""

    widget = _NumberInput("decimal")

    def __init__(self, *args, places: int = 2, example=_PERCENT_EXAMPLE, **kwargs):
        super().__init__(*args, places=places, **kwargs)
        self.pattern = _decimal_pattern(places)
        self.example = example

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text and not self.pattern.fullmatch(text):
            raise ValueError(_("Hãy nhập một số, ví dụ %(example)s.", example=self.example))
        if text:
            self.data = Decimal(text.replace(",", "."))

    def _value(self):
        # The number as it was typed, or as the reader writes it ("28,5" on a Vietnamese page).
        if self.raw_data:
            return self.raw_data[0]
        return format_score(self.data)
