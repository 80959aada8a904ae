"""Nothing typed is lost to a second tab, a reload or an old page: conflicts are shown, never overwritten."""

import re

import pytest

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.reviews.models import Review, ReviewState
from tests.test_journey import TEXT, proposed, review_of, write_and_submit

URL = "/my-review/"


def version_on(page: str, name: str = "version") -> str:
    return re.search(rf'name="{name}" type="hidden" value="([0-9]*)"', page).group(1)


def open_tab(client, url: str = URL) -> str:
    """What a tab holds when the page is opened: the version it shows."""
    return version_on(client.get(url).get_data(as_text=True))


def stored(world) -> dict:
    db.session.expire_all()
    return review_of(world).sections


def test_a_second_tab_sees_both_versions_and_chooses_field_by_field(world, auth, client):
    auth.login("member")
    client.submit(URL, data={**TEXT, "action": "save"})
    tab_a, tab_b = open_tab(client), open_tab(client)
    client.post(URL, data={**TEXT, "political": "Tab A sửa mục 1", "action": "save", "version": tab_a})
    page = client.post(URL, data={**TEXT, "duties": "Tab B sửa mục 2", "action": "save", "version": tab_b})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "cập nhật ở nơi khác" in html
    # The stored text of the field that differs is on the page; what B typed stays in its box.
    assert html.count('name="conflict"') == 2  # political (A's newer text) and duties (B's change)
    assert "Tab A sửa mục 1" in html and "Tab B sửa mục 2" in html
    assert stored(world)["political"] == "Tab A sửa mục 1" and stored(world)["duties"] == TEXT["duties"]
    # Saving again without choosing is refused; nothing is written.
    again = {**TEXT, "duties": "Tab B sửa mục 2", "action": "save", "version": version_on(html)}
    refused = client.post(URL, data={**again, "conflict": ["political", "duties"]}).get_data(as_text=True)
    assert "Hãy chọn giữ nội dung nào" in refused and stored(world)["duties"] == TEXT["duties"]
    chosen = {"conflict": ["political", "duties"], "keep-political": "stored", "keep-duties": "mine"}
    client.post(URL, data={**again, **chosen})
    assert stored(world)["political"] == "Tab A sửa mục 1" and stored(world)["duties"] == "Tab B sửa mục 2"


def test_keeping_both_puts_the_stored_text_first(world, auth, client):
    auth.login("member")
    client.submit(URL, data={**TEXT, "action": "save"})
    tab_a, tab_b = open_tab(client), open_tab(client)
    client.post(URL, data={**TEXT, "political": "Ý của tab A", "action": "save", "version": tab_a})
    html = client.post(URL, data={**TEXT, "political": "Ý của tab B", "action": "save", "version": tab_b}).get_data(
        as_text=True
    )
    merged = {**TEXT, "political": "Ý của tab B", "action": "save", "version": version_on(html)}
    client.post(URL, data={**merged, "conflict": "political", "keep-political": "both"})
    assert stored(world)["political"] == "Ý của tab A\n\nÝ của tab B"


def test_an_old_page_that_typed_nothing_different_saves_without_a_conflict(world, auth, client):
    auth.login("member")
    client.submit(URL, data={**TEXT, "action": "save"})
    old = open_tab(client)
    client.post(URL, data={**TEXT, "political": "Mới", "action": "save", "version": old})
    page = client.post(URL, data={**TEXT, "political": "Mới", "action": "save", "version": old}, follow_redirects=True)
    assert "Đã lưu nháp" in page.get_data(as_text=True)


def test_a_save_sent_as_the_page_was_left_is_not_a_conflict_with_the_reloaded_page(world, auth, client):
    """F5 right after typing: the leave-page save lands after the reload, which shows the version before it."""
    auth.login("member")
    client.submit(URL, data={**TEXT, "action": "save"})
    before_reload = open_tab(client)
    reloaded = open_tab(client)  # the GET of the reload is served first...
    beacon = {**TEXT, "political": "Gõ ngay trước F5", "version": before_reload, "client": "tab0000000001"}
    assert client.post("/my-review/autosave", data=beacon).status_code == 200  # ...then the beacon lands
    # The reloaded page inherits the tab's token and puts back what the browser kept, then saves on.
    later = {**TEXT, "political": "Gõ ngay trước F5, rồi gõ thêm", "version": reloaded, "client": "tab0000000001"}
    assert client.post("/my-review/autosave", data=later).status_code == 200
    assert stored(world)["political"] == "Gõ ngay trước F5, rồi gõ thêm"
    # Another tab (another token) with the old version is a conflict, and changes nothing.
    other = {**TEXT, "political": "Tab khác", "version": reloaded, "client": "tab0000000002"}
    refused = client.post("/my-review/autosave", data=other)
    assert refused.status_code == 409 and refused.json["conflict"]
    assert stored(world)["political"] == "Gõ ngay trước F5, rồi gõ thêm"


@pytest.mark.parametrize("version", [None, "", "-1", " 1", "1.0", "²", "0x1", "9" * 4300])
def test_every_save_names_a_valid_version_or_is_refused_without_a_change(world, auth, client, version):
    auth.login("member")
    client.submit(URL, data={**TEXT, "action": "save"})
    before = review_of(world).version
    data = {**TEXT, "political": "Ghi đè mù"} | ({} if version is None else {"version": version})
    autosave = client.post("/my-review/autosave", data=data)
    assert autosave.status_code == 422 and "số phiên bản" in autosave.json["error"]
    page = client.post(URL, data={**data, "action": "save"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "số phiên bản" in html and "Ghi đè mù" in html  # what was typed stays
    for action in ("propose", "return", "forward"):
        auth.login("secretary")
        prefix = {"propose": "p", "return": "r", "forward": "f"}[action]
        fields = {"action": action, f"{prefix}-level": "good", f"{prefix}-reason": "x"}
        fields |= {} if version is None else {f"{prefix}-version": version}
        answer = client.post(f"/cell/{world.cell.id}/members/{world.m1.id}", data=fields)
        assert answer.status_code == 200
        auth.login("member")
    db.session.expire_all()
    assert review_of(world).version == before and stored(world)["political"] == TEXT["political"]


def test_the_cells_proposal_after_a_conflict_shows_the_stored_one_and_can_be_saved_again(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    tab_a, tab_b = (version_on(client.get(url).get_data(as_text=True), "p-version") for _ in range(2))
    client.post(url, data={"action": "propose", "p-comments": "Ý kiến từ tab A", "p-level": "good", "p-version": tab_a})
    typed = {"action": "propose", "p-comments": "Ý kiến từ tab B", "p-level": "excellent", "p-version": tab_b}
    html = client.post(url, data=typed).get_data(as_text=True)
    assert "Ý kiến từ tab A" in html and "Ý kiến từ tab B" in html  # stored, and what B typed
    assert review_of(world).cell_comments == "Ý kiến từ tab A"
    client.post(url, data={**typed, "p-version": version_on(html, "p-version")})  # a choice made on what was seen
    db.session.expire_all()
    assert review_of(world).cell_comments == "Ý kiến từ tab B" and review_of(world).proposed_level is Level.EXCELLENT


def test_a_committee_refused_for_a_stale_page_can_act_from_the_page_it_is_shown(world, auth, client):
    proposed(world, auth, client)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}/members/{world.m1.id}"
    old = version_on(client.get(url).get_data(as_text=True), "d-version")
    client.submit(url, data={"action": "conditions", "c-exception_reason": "Tự báo cáo"})  # another tab
    html = client.post(url, data={"action": "decide", "d-level": "good", "d-version": old}).get_data(as_text=True)
    assert "người khác cập nhật" in html and review_of(world).state is ReviewState.PROPOSED
    client.post(url, data={"action": "decide", "d-level": "good", "d-version": version_on(html, "d-version")})
    db.session.expire_all()
    assert review_of(world).state is ReviewState.DECIDED


def test_the_first_save_names_version_zero_and_a_review_started_elsewhere_is_a_conflict(world, auth, client):
    auth.login("member")
    assert open_tab(client) == "0"
    client.post(URL, data={**TEXT, "action": "save", "version": "0"})
    html = client.post(URL, data={**TEXT, "political": "Tab thứ hai", "action": "save", "version": "0"}).get_data(
        as_text=True
    )
    assert "cập nhật ở nơi khác" in html and stored(world)["political"] == TEXT["political"]
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 1


def test_logging_out_clears_what_the_browser_kept(world, auth, client):
    auth.login("member")
    assert client.post("/logout").headers["Clear-Site-Data"] == '"storage"'


def test_the_browser_keeps_each_logins_unsent_text_under_that_login(world, auth, client):
    """On a shared computer one login's unsent text is never offered to the next: the page names the login in
    the key the browser keeps the draft under (its macros are imported without the page's context)."""
    pages = {"member": URL, "secretary": f"/collective/{world.cell.id}"}
    for username, url in pages.items():
        auth.login(username)
        page = client.get(url).get_data(as_text=True)
        user = getattr(world, username)
        assert re.search(r'data-draft-key="([^"]*)"', page)[1] == f"{user.id}:{url}/autosave".replace("//", "/")
