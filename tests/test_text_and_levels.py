"""Vietnamese text rules and level spellings (no database)."""

import unicodedata

import pytest

from evaluation.levels import Level, parse_level
from evaluation.text import clean, fold, name_sort_key


def test_fold_ignores_accents_case_and_d_stroke():
    assert fold("Nguyễn Văn ĐỨC") == "nguyen van duc"


def test_clean_composes_decomposed_text():
    decomposed = unicodedata.normalize("NFD", "Trần Thị Bình")
    assert decomposed != "Trần Thị Bình" and clean(decomposed) == "Trần Thị Bình"


def sort(names):
    return sorted(names, key=name_sort_key)


def test_names_sort_by_given_name_first():
    assert sort(["Trần Thị Bình", "Nguyễn Văn An"]) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert sort(["Lê Văn An", "Hoàng Văn An"]) == ["Hoàng Văn An", "Lê Văn An"]


def test_vietnamese_alphabet_order_and_tones_after_the_base_letter():
    assert sort(["Lê Đức", "Lê Dũng", "Lê Em"]) == ["Lê Dũng", "Lê Đức", "Lê Em"]  # d < đ < e
    assert sort(["Lê Ân", "Lê Ăn", "Lê Anh", "Lê An"]) == ["Lê An", "Lê Anh", "Lê Ăn", "Lê Ân"]  # a < ă < â
    assert sort(["Lê Hà", "Lê Há", "Lê Ha"]) == ["Lê Ha", "Lê Hà", "Lê Há"]  # no tone, huyền, sắc
    assert sort(["Lê Ơn", "Lê Ôn", "Lê On"]) == ["Lê On", "Lê Ôn", "Lê Ơn"]


def test_sort_key_is_the_same_for_composed_and_decomposed_names():
    assert name_sort_key(unicodedata.normalize("NFD", "Đặng Thị Ánh")) == name_sort_key("Đặng Thị Ánh")


@pytest.mark.parametrize(
    "text,level",
    [
        ("excellent", Level.EXCELLENT),
        ("HTXSNV", Level.EXCELLENT),
        ("hoàn thành xuất sắc nhiệm vụ", Level.EXCELLENT),
        ("HOAN THANH TOT NHIEM VU", Level.GOOD),
        ("httnv", Level.GOOD),
        ("  Hoàn thành  nhiệm vụ ", Level.COMPLETED),
        ("not_completed", Level.NOT_COMPLETED),
        ("KHTNV", Level.NOT_COMPLETED),
        ("not classified", Level.NOT_CLASSIFIED),
        ("Không xếp loại", Level.NOT_CLASSIFIED),
    ],
)
def test_level_spellings(text, level):
    assert parse_level(text) is level


def test_unknown_level_is_refused_with_the_text():
    with pytest.raises(ValueError, match="Tốt lắm"):
        parse_level("Tốt lắm")


def test_documents_are_dated_the_way_party_documents_write_it():
    from datetime import date

    from evaluation.formatting import format_document_date

    assert format_document_date(date(2025, 12, 5)) == "ngày 05 tháng 12 năm 2025"
    assert format_document_date(date(2026, 2, 14)) == "ngày 14 tháng 02 năm 2026"
    assert format_document_date(date(2026, 3, 1)) == "ngày 01 tháng 3 năm 2026"


def test_bidirectional_overrides_are_dropped_so_text_reads_as_it_is_stored():
    assert clean("Nguyễn\u202e Văn\u2066 An\u2069") == "Nguyễn Văn An"
    assert clean("dòng 1\ndòng 2\tcột") == "dòng 1\ndòng 2\tcột"


# The template macro the tables wrote a level with, before `formatting.level_short` replaced it.
LEVEL_SHORT_MACRO = """{% macro level_short(level) %}
  {%- if level and level.abbreviation -%}<abbr title="{{ level.label }}">{{ level.abbreviation }}</abbr>
  {%- elif level -%}{{ level.label }}{%- endif -%}
{% endmacro %}{{ level_short(level) }}"""


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_level_is_written_short_as_the_tables_macro_wrote_it_in_the_readers_language(app, language):
    from flask_babel import force_locale

    from evaluation.formatting import level_short

    macro = app.jinja_env.from_string(LEVEL_SHORT_MACRO)
    with app.test_request_context(), force_locale(language):
        written = {level: level_short(level) for level in (*Level, None)}
        assert written == {level: macro.render(level=level) for level in (*Level, None)}
        assert level_short(Level.GOOD.value) == written[Level.GOOD]
    assert written[None] == ""
    good = "Hoàn thành tốt nhiệm vụ" if language == "vi" else "Completed tasks well"
    assert f'title="{good}"' in written[Level.GOOD]
