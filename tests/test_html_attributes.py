"""The fields' attributes are written by our `html_params` exactly as WTForms writes them, only faster."""

from inspect import signature

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from wtforms import Form, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import core

from evaluation import create_app, html_attributes

names = st.sampled_from(["name", "id", "class_", "for_", "data_max_chars", "aria_invalid", "rows", "value", "type"])
values = st.one_of(
    st.booleans(),
    st.integers(),
    st.text(),
    st.text().map(Markup),  # already markup: a raw quote in it becomes &quot;
    st.sampled_from(['a "quoted" <b>&amp;</b>', Markup('x "y"'), "Hoàn thành tốt", "", 0]),
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # a busy machine is no failure
@given(st.dictionaries(names, values, max_size=6))
def test_the_same_text_as_wtforms(attributes):
    ours = html_attributes.html_params(**attributes)
    assert ours == html_attributes.WTFORMS_HTML_PARAMS(**attributes)
    assert isinstance(ours, Markup)


class Sample(Form):
    text = StringField("Tên", default='Nguyễn "A" <b>')
    body = TextAreaField("Nội dung")
    choice = SelectField("Mức", choices=[SelectChoice("good", "Tốt"), SelectChoice("x", 'A "b"')], default="x")


def test_every_widget_writes_through_it_once_installed():
    """create_app installs it: the widgets, the static html_params of inputs and buttons, and the labels."""
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})
    assert core.html_params is html_attributes.html_params
    assert core.Input.html_params is html_attributes.html_params
    assert core.Button.html_params is html_attributes.html_params
    form = Sample()
    assert str(form.text()) == '<input id="text" name="text" type="text" value="Nguyễn &#34;A&#34; &lt;b&gt;">'
    assert str(form.body(rows=6, maxlength=False)) == '<textarea id="body" name="body" rows="6">\r\n</textarea>'
    assert '<option selected value="x">A &#34;b&#34;</option>' in str(form.choice())
    assert str(form.text.label(class_="muted")) == '<label class="muted" for="text">Tên</label>'


class Limited(Form):
    name = StringField("Tên", validators=[InputRequired(), Length(max=5)])
    body = TextAreaField("Nội dung", validators=[Length(min=2)])


def test_a_fields_flags_are_listed_alone_and_still_written():
    """Every widget lists a field's flags with `dir()` to write them as attributes: only the flags are listed
    (not the class's methods), and the same attributes are written."""
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})
    form = Limited()
    assert dir(form.name.flags) == ["maxlength", "required"]
    assert str(form.name()) == '<input id="name" maxlength="5" name="name" required type="text" value="">'
    assert str(form.body()) == '<textarea id="body" minlength="2" name="body">\r\n</textarea>'
    assert form.body.flags.required is None and "minlength" in form.body.flags


def test_a_select_class_has_its_way_of_writing_options_picked_once(monkeypatch):
    """WTForms asks for `render_option`'s signature at every select it writes; once installed, once a class,
    and an override written for WTForms 3.2 is still adapted (and warned about) as WTForms does."""
    create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})

    class Levels(core.Select):  # made here: WTForms has picked nothing for it yet, however often this runs
        pass

    class Legacy(core.Select):
        @classmethod
        def render_option(cls, value, label, selected, **kwargs):  # WTForms 3.2's signature
            return Markup(f"<option>{label}{'*' if selected else ''}</option>")

    asked = []
    monkeypatch.setattr(core, "get_signature", lambda function: asked.append(function) or signature(function))
    choices = [SelectChoice("good", "Tốt"), SelectChoice("x", 'A "b"')]
    field = SelectField("Mức", choices=choices, default="x", widget=Levels()).bind(Form(), "level")
    field.process(None)
    written = [str(field()) for _ in range(3)]
    assert len(asked) == 1 and written == [written[0]] * 3
    assert '<option selected value="x">A &#34;b&#34;</option>' in written[0]
    old = SelectField("Mức", choices=choices, default="x", widget=Legacy()).bind(Form(), "old")
    old.process(None)
    with pytest.warns(DeprecationWarning, match="pre-3.3 signature"):
        assert '<option>A "b"*</option>' in str(old())
    assert str(old()).count("<option>") == 2 and len(asked) == 2
