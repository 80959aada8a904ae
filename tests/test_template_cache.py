"""Compiled templates kept on disk, so a new worker does not compile every page on its first request."""

import os

from evaluation import templating


def _render_login(app) -> str:
    with app.test_client() as client:
        return client.get("/login").get_data(as_text=True)


def test_a_worker_keeps_the_compiled_pages_and_the_next_one_renders_from_them(world, other_app, tmp_path):
    first = other_app(TEMPLATE_CACHE_DIR=str(tmp_path))
    page = _render_login(first)
    kept = sorted(tmp_path.iterdir())
    assert kept, "the rendered page's templates were not kept"
    for path in kept:
        os.utime(path, (0, 0))  # a worker that wrote them did so long ago
    later = other_app(TEMPLATE_CACHE_DIR=str(tmp_path))
    assert _render_login(later) == page
    assert sorted(tmp_path.iterdir()) == kept  # read back, nothing compiled again
    assert all(path.stat().st_mtime == 0 for path in kept)


def test_an_empty_setting_keeps_no_compiled_page(world, other_app):
    app = other_app(TEMPLATE_CACHE_DIR="")
    _render_login(app)
    assert app.jinja_env.bytecode_cache is None


def _render_login_in_both(app) -> list[str]:
    with app.test_client() as client:
        vietnamese = client.get("/login").get_data(as_text=True)
        client.get("/language/en")
        return [vietnamese, client.get("/login").get_data(as_text=True)]


def test_each_language_keeps_its_own_compiled_pages_named_by_its_translations(world, other_app, tmp_path):
    first = other_app(TEMPLATE_CACHE_DIR=str(tmp_path))
    vietnamese, english = _render_login_in_both(first)
    assert "Đăng nhập" in vietnamese and "Log in" in english
    kept = sorted(tmp_path.iterdir())
    later = other_app(TEMPLATE_CACHE_DIR=str(tmp_path))
    assert _render_login_in_both(later) == [vietnamese, english]
    assert sorted(tmp_path.iterdir()) == kept, "both languages read back, nothing compiled again"
    templating._fingerprints["en"] = "en:other translations"  # a release that changed the English
    try:
        _render_login_in_both(other_app(TEMPLATE_CACHE_DIR=str(tmp_path)))
    finally:
        del templating._fingerprints["en"]
    assert len(list(tmp_path.iterdir())) == len(kept) + len(kept) // 2, "the English pages compiled again"
