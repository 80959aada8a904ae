"""Languages: Vietnamese by default, English on request (Flask-Babel).

The source strings are Vietnamese, as the users read them; `translations/en` holds their English.
A user's choice is kept in their session; nobody gets English because of their browser's settings.
"""

from functools import cache
from typing import Any

from babel import Locale
from flask import Flask, g, has_request_context, session
from flask.globals import _cv_app
from flask_babel import Babel, LazyString, get_locale, get_translations
from flask_wtf import FlaskForm
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

LANGUAGES = {"vi": "Tiếng Việt", "en": "English"}
DEFAULT = "vi"

babel = Babel()


def select_locale() -> Locale:
    chosen = session.get("lang") if has_request_context() else None
    return babel_locale(chosen if chosen in LANGUAGES else DEFAULT)


@cache
def babel_locale(language: str) -> Locale:
    """Babel's locale of a language, made once: given a language's name, Babel parses it into a new locale at
    every call (Flask-Babel once a request, each date written once more), and the new one reads its data anew."""
    return Locale.parse(language)


def current_language() -> str:
    # Read where Flask-Babel keeps the locale once chosen (force_locale sets it there too), through the
    # context variable itself: a report page asks hundreds of times, get_locale() walks the context stack
    # several times per call, and even `g` is a proxy that looks the context up again on every access.
    context = _cv_app.get(None)
    state = context.g.get("_flask_babel") if context is not None else None
    locale = getattr(state, "babel_locale", None) or get_locale()
    return locale.language if locale else DEFAULT


_catalogues: dict[str, Any] = {}


def translations():
    """The catalogue of the page's language, kept per language (the catalogues never change while running)."""
    language = current_language()
    if (catalogue := _catalogues.get(language)) is None:
        catalogue = get_translations()
        if _cv_app.get(None) is not None:  # outside the app, Flask-Babel answers with no catalogue at all
            _catalogues[language] = catalogue
    return catalogue


def gettext(string: str, **variables) -> str:
    """Flask-Babel's `gettext` through the catalogue kept per language: Flask-Babel looks the app, the locale
    and the domain up again for every string (8.6 µs a string against 0.5)."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def lazy_gettext(string: str, **variables) -> LazyString:
    """Flask-Babel's `lazy_gettext` (a label defined at import, read in the reader's language), through
    `gettext` above."""
    return LazyString(gettext, string, **variables)


def install_in_templates(app: Flask) -> None:
    """Templates translate through `translations()` instead of Flask-Babel's per-string lookup. `_` and
    `gettext` are `template_gettext` (Jinja's `_` looked `gettext` up in the context at each call); the
    plural and context forms stay Jinja's."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_catalogue_text,  # Jinja wants one; its `gettext` is then replaced below
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)


def _catalogue_text(string: str) -> str:
    return translations().ugettext(string)


@pass_eval_context
def template_gettext(context: EvalContext, string: str, **variables) -> str:
    """Jinja's newstyle `gettext`: the translation, as markup where the template escapes, always formatted
    (so "%%" is "%") with its variables, escaped. Jinja's own takes the whole context, and a call from
    inside a loop copies the context for it, globals and all (fifteen copies for the member's form's
    `_(section.title)`); whether the template escapes is all it needs."""
    text = _catalogue_text(string)
    return (Markup(text) if context.autoescape else text) % variables


def is_vietnamese() -> bool:
    return current_language() == "vi"


def N_(text: str) -> str:  # noqa: N802  (the gettext convention's name)
    """Marks a string for the translators where it is defined; it is translated where it is shown."""
    return text


# WTForms' own messages (a field too long, a number out of range...) in Vietnamese: WTForms ships no
# Vietnamese catalog, so the messages our forms can show are given here. English pages keep WTForms' own.
WTFORMS_VI = {
    "This field is required.": "Trường này là bắt buộc.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field cannot be longer than %(max)d character.": "Tối đa %(max)d ký tự.",
    "Field must be exactly %(max)d character long.": "Cần đúng %(max)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Cần từ %(min)d đến %(max)d ký tự.",
    "Field must be equal to %(other_name)s.": "Phải trùng với %(other_name)s.",
    "Number must be at least %(min)s.": "Số phải từ %(min)s trở lên.",
    "Number must be at most %(max)s.": "Số phải không quá %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Số phải từ %(min)s đến %(max)s.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Có lựa chọn không hợp lệ.",
    "'%(value)s' is not a valid choice for this field.": "“%(value)s” không phải một lựa chọn của trường này.",
    "Not a valid integer value.": "Hãy nhập một số nguyên.",
    "Not a valid decimal value.": "Hãy nhập một số.",
    "Not a valid float value.": "Hãy nhập một số.",
    "Not a valid date value.": "Ngày không hợp lệ (dùng dd/mm/yyyy).",
    "Not a valid datetime value.": "Thời điểm không hợp lệ.",
}


class FormMessages:
    """The translations WTForms asks for its own messages (see `Form`)."""

    def gettext(self, string: str) -> str:
        return WTFORMS_VI.get(string, string) if is_vietnamese() else string

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if is_vietnamese() and singular in WTFORMS_VI:
            return WTFORMS_VI[singular]
        return singular if n == 1 else plural


class Form(FlaskForm):
    """Every form of the app: Flask-WTF's, with WTForms' own messages in the page's language."""

    class Meta:
        def get_translations(self, form):
            return FormMessages()

    def validate(self, extra_validators=None) -> bool:
        # Remembered for the page's error summary (`failed_fields`), whichever form of the page it was.
        valid = super().validate(extra_validators)
        if not valid and has_request_context():
            g.setdefault("failed_forms", []).append(self)
        return valid


def failed_fields() -> list[tuple[str, str, str]]:
    """(anchor, label, message) for each visible field a form of this request refused: the summary at the top
    of the page links to each. Hidden fields (the version, the CSRF token) are said by a flash message."""
    return [
        (f"#{field.id}-0" if field.type == "RadioField" else f"#{field.id}", field.label.text, message)
        for form in g.get("failed_forms", [])
        for field in _leaves(form)
        if field.type not in ("HiddenField", "CSRFTokenField")
        for message in field.errors
    ]


def _leaves(fields):
    """The fields a person types in, through lists of rows (FieldList) and rows (FormField)."""
    for field in fields:
        if field.type in ("FieldList", "FormField"):
            yield from _leaves(field)
        else:
            yield field
