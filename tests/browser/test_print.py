"""Paper: the secretary prints the cell's pack for the meeting, one A4 page per document at least."""

import re

from playwright.sync_api import expect


def test_the_cell_meeting_pack_prints_on_a4_with_each_review_on_its_own_pages(visitor, tmp_path):
    page = visitor.page
    visitor.login("bithu")
    page.get_by_role("button", name="Theo dõi chi bộ").first.click()
    page.get_by_role("link", name="In hồ sơ họp chi bộ").click()
    expect(page.get_by_role("heading", name="DANH SÁCH ĐỀ XUẤT XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN")).to_be_visible()
    documents = page.locator("section.doc-page").count()
    assert documents >= 2
    page.emulate_media(media="print")
    visitor.shot("print-preview")
    assert not page.locator("header.site").is_visible() and not page.locator(".print-bar").is_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "ho-so.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages >= documents  # every document starts on a new sheet
    width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf).groups())
    assert (round(width), round(height)) == (595, 842)  # A4 in points
