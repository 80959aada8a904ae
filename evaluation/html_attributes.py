"""Form fields' HTML attributes written without `Markup.format`.

WTForms writes every attribute of every field through `Markup('{k}="{v}"').format(...)`, which runs
Python's pure-Python `string.Formatter`: about 33 µs per field, half a millisecond of the member's form.
`html_params` here writes the same text (same order, same escaping, `&quot;` for a quote in a value that
is already markup) with plain string operations, about ten times faster. `install` puts it where WTForms'
widgets look it up; `tests/test_html_attributes.py` holds it to WTForms' own output.

A select's options are written by the function WTForms picks for the widget's class, which it picks again at
every select, asking Python for `render_option`'s signature (12 µs where a lookup of the kept choice takes
0.1): a rollup page writes two, for its targets. `install` has WTForms pick once per class.
"""

from collections.abc import Callable

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.core import Flags
from wtforms.widgets import core

WTFORMS_HTML_PARAMS = core.html_params  # what ours must write the same as (the tests compare them)
_WTFORMS_PICK = core.Select._dispatch_render_option.__func__


_PICKED: dict[type, Callable] = {}


def _pick_once(select: type) -> Callable:
    """WTForms' choice for the class, kept: it tells an override of `render_option` written for WTForms 3.2
    by its signature, which does not change while a worker runs."""
    if (picked := _PICKED.get(select)) is None:
        picked = _PICKED[select] = _WTFORMS_PICK(select)
    return picked


def html_params(**kwargs) -> Markup:
    parts = []
    for name, value in sorted(kwargs.items()):
        if value is True:
            parts.append(core.clean_key(name))
        elif value is not False:
            parts.append(f'{core.clean_key(name)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(parts))


def install() -> None:
    """Every WTForms widget and label writes its attributes through `html_params` above, and a select's class
    has its way of writing options picked once (idempotent)."""
    core.html_params = widgets.html_params = html_params  # the widgets' module, and the labels' `widgets.`
    for widget in (core.Input, core.Button):  # these keep their own reference as a static method
        widget.html_params = staticmethod(html_params)
    Flags.__dir__ = _set_flags
    core.Select._dispatch_render_option = classmethod(_pick_once)


def _set_flags(flags: Flags) -> list[str]:
    """The flags a field's validators set (`required`, `maxlength`…), which every widget lists with `dir()` to
    write them as attributes: `object.__dir__` also walks and sorts the class's thirty-odd inherited names,
    about 60,000 instructions a field."""
    return list(vars(flags))
