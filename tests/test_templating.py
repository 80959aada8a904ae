"""Templates compiled per language with their constant translations in them give the very text that
translating at each render gives, in both languages, and keep one compiled copy per language."""

import re
import sys

import jinja2
import pytest
from flask_babel import force_locale, refresh

from evaluation import templating
from evaluation.i18n import translations
from tests.test_i18n import PAGES, english
from tests.test_journey import write_and_submit

CASES = {
    "constant.html": '<a title="{{ _("Đăng xuất") }}">{{ _("Đăng xuất") }}</a>',
    "variables.html": '{{ _("Bản tự kiểm điểm năm %(year)s", year=year) }} '
    '{{ _("Đồng chí <strong>%(name)s</strong> · mã %(code)s", name=name, code="<b>") }}',
    "percent.html": '{{ _("Tỷ lệ xuất sắc: đánh giá kết quả nổi trội (25%%) hoặc ghi lý do vượt tỷ lệ") }}',
    "unformattable.html": '{% if false %}{{ _("%(missing)s") }}{% endif %}ok',
    "values.html": '{% macro say(text) %}[{{ text }}]{% endmacro %}{{ say(_("Đăng xuất")) }} {{ _(title) }}',
    "bound.html": '{% macro _(text) %}<{{ text }}>{% endmacro %}{{ _("Đăng xuất") }}',
    "looped.html": "{% for _ in [1, 2] %}{{ _ }}{% endfor %}",
    "no_escape.txt": '{{ _("Đồng chí <strong>%(name)s</strong> · mã %(code)s", name=name, code="<b>") }}',
}
VALUES = {"year": 2025, "name": "<Lê & Văn>", "title": "Thông báo"}


def _install(environment: jinja2.Environment) -> jinja2.Environment:
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s), ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
    )  # fmt: skip
    return environment


def _environments(app):
    options = {"loader": jinja2.DictLoader(CASES), "extensions": ["jinja2.ext.i18n"],
               "autoescape": jinja2.select_autoescape(["html"])}  # fmt: skip
    return _install(templating.Environment(app, **options)), _install(jinja2.Environment(**options))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_folded_template_says_what_translating_at_render_time_says(app, language):
    folded, at_render_time = _environments(app)
    with app.test_request_context("/"), force_locale(language):
        for name in CASES:
            assert folded.get_template(name).render(VALUES) == at_render_time.get_template(name).render(VALUES), name
        percent = folded.get_template("percent.html").render()
        assert "(25%)" in percent and "%%" not in percent


def test_the_constant_translations_are_in_the_compiled_template_and_calls_on_values_stay_calls(app):
    folded, _ = _environments(app)
    with app.test_request_context("/"), force_locale("en"):
        code = folded.compile(CASES["values.html"] + CASES["constant.html"], raw=True)
        assert "'Log out'" in code and "Đăng xuất" not in code
        assert code.count("resolve('_')") == 1, "only `_(title)` is left to run"
        bound = folded.compile(CASES["bound.html"], raw=True)
        assert "Đăng xuất" in bound, "a template that defines `_` itself is compiled as written"


def test_each_language_has_its_own_compiled_copy_of_a_template(app):
    folded, _ = _environments(app)
    with app.test_request_context("/"):
        with force_locale("en"):
            assert folded.get_template("constant.html").render() == '<a title="Log out">Log out</a>'
        with force_locale("vi"):
            assert folded.get_template("constant.html").render() == '<a title="Đăng xuất">Đăng xuất</a>'
        with force_locale("en"):
            assert folded.get_template("constant.html").render() == '<a title="Log out">Log out</a>'


def _without_tokens(html: str) -> str:
    return re.sub(r'(name="csrf_token" type="hidden" value=")[^"]+', r"\1", html)


@pytest.mark.parametrize("username", sorted(PAGES))
def test_every_page_reads_the_same_folded_as_translated_at_render_time(world, auth, client, app, monkeypatch,
                                                                       username):  # fmt: skip
    auth.login("member")
    write_and_submit(client)
    auth.login(username)

    def pages() -> list[str]:
        return [_without_tokens(client.get(path.format(w=world)).get_data(as_text=True)) for path in PAGES[username]]

    client.get("/")  # the notice flashed at login, shown once
    folded = {"vi": pages()}
    english(client)
    folded["en"] = pages()
    monkeypatch.setattr(templating, "_constant_text", lambda call: None)
    app.jinja_env.cache.clear()
    assert pages() == folded["en"]
    client.get("/language/vi")
    refresh()
    assert pages() == folded["vi"]


GLOBALS = {
    "page.html": '{% import "parts.html" as parts %}{{ parts.name() }} {{ shared }} {{ own }}',
    "parts.html": "{% macro name() %}{{ shared }}{% endmacro %}",
}


def _globals_environments(app):
    options = {"loader": jinja2.DictLoader(GLOBALS), "autoescape": True}
    return templating.Environment(app, **options), jinja2.Environment(**options)


def test_a_templates_own_globals_overlay_the_environments_as_in_jinja(app):
    with app.test_request_context("/"):
        for environment in _globals_environments(app):
            environment.globals["shared"] = "env"
            page = environment.get_template("page.html", globals={"own": "mine", "shared": "page"})
            environment.globals["later"] = "seen"  # the environment's changes still reach a loaded template
            assert page.render() == "env page mine", environment  # the import sees the environment's
            assert page.globals["shared"] == "page" and page.globals["later"] == "seen"
            assert "own" in page.globals and "later" in page.globals and "nothing" not in page.globals
            with pytest.raises(KeyError):
                page.globals["nothing"]


def test_an_import_looks_up_the_globals_without_raising_inside_them(app):
    """Each `{% import %}` asks the imported template's globals for every global name: with ChainMap's own
    membership test, each answer raised and caught a GeneratorExit (140 on the member's form)."""
    folded, _ = _globals_environments(app)
    folded.globals.update({f"global{number}": number for number in range(30)}, shared="g")
    raised = []

    def trace(frame, event, arg):
        if event == "exception" and frame.f_code.co_filename.endswith("collections/__init__.py"):
            raised.append(arg[0])
        return trace

    with app.test_request_context("/"):
        page, before = folded.get_template("page.html"), sys.gettrace()
        sys.settrace(trace)
        try:
            rendered = page.render(own="x")
        finally:
            sys.settrace(before)
    assert rendered == "g g x" and raised == []


def test_the_keys_and_the_order_of_a_templates_globals_are_jinjas(app):
    with app.test_request_context("/"):
        ours, jinjas = (
            environment.get_template("page.html", globals={"own": "mine", "shared": "page"})
            for environment in _globals_environments(app)
        )
        assert list(ours.globals) == list(jinjas.globals)
        assert set(ours.globals.keys()) == set(jinjas.globals.keys())
        assert {"own", "range", "nothing"} - ours.globals.keys() == {"nothing"}


def test_an_import_compares_the_globals_without_running_python(app):
    """At every `{% import %}` Jinja subtracts the imported template's global names from the page's: from a
    ChainMap's keys, that ran Python's generic set code and one membership test per name."""
    folded, _ = _globals_environments(app)
    folded.globals.update({f"global{number}": number for number in range(30)}, shared="g")
    ran = set()

    def profile(frame, event, arg):
        if event == "call" and "_collections_abc" in frame.f_code.co_filename:
            ran.add(frame.f_code.co_name)

    with app.test_request_context("/"):
        page, before = folded.get_template("page.html"), sys.getprofile()
        page.render(own="x")  # the imported module kept, as on any page after the first
        sys.setprofile(profile)
        try:
            rendered = page.render(own="x")
        finally:
            sys.setprofile(before)
    assert rendered == "g g x" and ran == set()


_LOOP = "{% for t in titles %}{% set shown = t %}{{ _(shown, name=name) }}|{% endfor %}"
_PLAIN = "{% for t in plain %}{{ _(t) }}{% endfor %}"
LOOPED = {"looped.html": _LOOP + _PLAIN + "{{ gettext(t) }}", "looped.txt": _LOOP + _PLAIN}
TITLES = ["Đăng xuất", "Đồng chí <strong>%(name)s</strong>", "Tỷ lệ (25%%)", "không có bản dịch: %(name)s"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_translation_of_a_value_in_a_loop_is_jinjas_without_copying_the_context(app, language, monkeypatch):
    """`_(value)` runs at render time: the same text as Jinja's newstyle gettext, escaped where the template
    escapes, and no copy of the context per call (Jinja's own took the whole context, and inside a loop that
    sets a variable copied it for each call)."""
    options = {"loader": jinja2.DictLoader(LOOPED), "extensions": ["jinja2.ext.i18n"],
               "autoescape": jinja2.select_autoescape(["html"])}  # fmt: skip
    jinjas = _install(jinja2.Environment(**options))
    ours = app.jinja_env.overlay(loader=jinja2.DictLoader(LOOPED))
    values = {"titles": TITLES, "plain": ["Đăng xuất", "Tỷ lệ (25%%)"], "name": "<Lê & Văn>", "t": "Thông báo"}
    with app.test_request_context("/"), force_locale(language):
        expected = {name: jinjas.get_template(name).render(values) for name in LOOPED}
        copies = []
        derived = jinja2.runtime.Context.derived
        monkeypatch.setattr(jinja2.runtime.Context, "derived", lambda *a, **k: copies.append(1) or derived(*a, **k))
        assert {name: ours.get_template(name).render(values) for name in LOOPED} == expected
    assert "&lt;Lê &amp; Văn&gt;" in expected["looped.html"] and "<Lê & Văn>" in expected["looped.txt"]
    assert ("Log out" in expected["looped.html"]) == (language == "en") and "(25%)" in expected["looped.txt"]
    assert copies == []
