"""The whole evaluation through the browser's requests: write, submit, propose, decide, see."""

import re
from decimal import Decimal

from evaluation.auth.models import Role
from evaluation.extensions import db
from evaluation.formatting import format_time
from evaluation.levels import Level
from evaluation.reviews.models import Review, ReviewState

TEXT = {
    "political": "Luôn chấp hành nghiêm chủ trương của Đảng.",
    "duties": "Hoàn thành 100% nhiệm vụ, vượt 2 chỉ tiêu.",
    "leadership": "Đơn vị hoàn thành tốt nhiệm vụ; nội bộ đoàn kết.",  # read only on a leader's form (Mẫu 2A)
    "commitment": "Thực hiện đầy đủ cam kết đầu năm.",
    "shortcomings": "Đôi khi chậm báo cáo.",
    "measures": "Lập kế hoạch tuần.",
}


def review_of(world, member=None) -> Review:
    return db.session.scalars(db.select(Review).where(Review.member_id == (member or world.m1).id)).one()


def write_and_submit(client, **overrides):
    """Write, press "Nộp", and confirm on the page that shows what will be sent (when the form was complete)."""
    data = {**TEXT, "score_general": "27", "score_tasks": "63", "self_level": "good", "action": "submit", **overrides}
    response = client.submit("/my-review/", data=data, follow_redirects=True)
    if response.request.path != "/my-review/confirm":
        return response
    return client.submit("/my-review/confirm", data={}, follow_redirects=True)


def test_member_saves_a_draft_and_finds_it_after_reload(world, auth, client):
    auth.login("member")
    response = client.submit(
        "/my-review/", data={"political": "Bản nháp đầu tiên", "action": "save"}, follow_redirects=True
    )
    assert "Đã lưu nháp." in response.get_data(as_text=True)
    page = client.get("/my-review/").get_data(as_text=True)
    assert "Bản nháp đầu tiên" in page
    assert review_of(world).state is ReviewState.DRAFT


def test_incomplete_submission_keeps_the_text_and_says_what_is_missing(world, auth, client):
    auth.login("member")
    page = client.submit(
        "/my-review/", data={"political": "Chỉ mới viết mục này", "action": "submit"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "chưa nộp được" in page
    assert "Chưa chọn mức tự xếp loại" in page
    assert "Chỉ mới viết mục này" in page
    assert review_of(world).state is ReviewState.DRAFT


def test_rejected_form_keeps_what_the_user_typed(world, auth, client):
    auth.login("member")
    page = client.submit("/my-review/", data={**TEXT, "score_general": "45", "action": "save"}).get_data(as_text=True)
    assert "Điểm tiêu chí chung từ 0 đến 30." in page
    assert TEXT["duties"] in page
    assert db.session.scalars(db.select(Review)).first() is None  # nothing saved from a rejected form


def test_full_journey_member_to_committee(world, auth, client):
    auth.login("member")
    assert "Đã nộp bản tự kiểm điểm" in write_and_submit(client).get_data(as_text=True)

    auth.login("secretary")
    cell_page = client.get(f"/cell/{world.cell.id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in cell_page and "Đã nộp chi bộ" in cell_page
    review = review_of(world)
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    client.post(
        url,
        data={"action": "propose", "p-comments": "Chi bộ nhất trí.", "p-level": "good", "p-version": review.version},
    )
    client.post(f"/cell/{world.cell.id}/forward")
    assert review_of(world).state is ReviewState.PROPOSED

    auth.login("committee")
    listing = client.get(f"/committee/{world.grassroots.id}").get_data(as_text=True)
    assert "Nguyễn Văn An" in listing
    review = review_of(world)
    selection = {"review": [f"{review.id}:{review.version}"]}
    confirm = client.post(f"/committee/{world.grassroots.id}/confirm", data=selection).get_data(as_text=True)
    assert "Xác nhận quyết định" in confirm and "Hoàn thành tốt nhiệm vụ" in confirm
    assert review_of(world).state is ReviewState.PROPOSED  # the confirmation page decides nothing
    client.post(f"/committee/{world.grassroots.id}/decide", data=selection)
    review = review_of(world)
    assert (review.state, review.final_level) == (ReviewState.DECIDED, Level.GOOD)

    auth.login("member")
    page = client.get("/my-review/").get_data(as_text=True)
    assert "Đảng ủy quyết định: <strong>Hoàn thành tốt nhiệm vụ</strong>" in page
    assert "Chi bộ nhất trí." in page
    actions = [e.action for e in review.events]
    assert actions == ["create", "submit", "propose", "forward", "decide"]
    assert all(e.actor is not None for e in review.events)


def test_committee_decides_a_different_level_one_by_one(world, auth, client):
    proposed(world, auth, client, "excellent")
    auth.login("committee")
    client.submit(
        f"/committee/{world.grassroots.id}/members/{world.m1.id}",
        data={"action": "decide", "d-level": "good", "d-note": "Chưa đủ điều kiện xuất sắc"},
    )
    review = review_of(world)
    assert review.final_level is Level.GOOD
    assert review.events[-1].reason == "Chưa đủ điều kiện xuất sắc"


def test_secretary_returns_a_review_and_the_member_sees_why(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    page = client.submit(url, data={"action": "return", "r-reason": ""}).get_data(as_text=True)
    assert "Cần ghi rõ lý do." in page
    assert review_of(world).state is ReviewState.SUBMITTED
    client.submit(url, data={"action": "return", "r-reason": "Bổ sung phần hạn chế"})
    assert review_of(world).state is ReviewState.DRAFT
    auth.login("member")
    page = client.get("/my-review/").get_data(as_text=True)
    assert "Chi bộ đã trả lại bản kiểm điểm: <em>Bổ sung phần hạn chế</em>" in page
    assert "Nộp bản tự kiểm điểm" in page  # editable again
    assert "Đã nộp bản tự kiểm điểm" in write_and_submit(client).get_data(as_text=True)


def test_committee_sends_back_to_the_cell(world, auth, client):
    proposed(world, auth, client)
    auth.login("committee")
    client.submit(
        f"/committee/{world.grassroots.id}/members/{world.m1.id}",
        data={"action": "send_back", "s-reason": "Chi bộ họp lại"},
    )
    review = review_of(world)
    assert review.state is ReviewState.SUBMITTED
    assert review.events[-1].reason == "Chi bộ họp lại"


def proposed(world, auth, client, level: str = "good"):
    """The member submits and the cell proposes `level` and forwards it."""
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "propose", "p-level": level})
    client.post(f"/cell/{world.cell.id}/forward")
    assert review_of(world).state is ReviewState.PROPOSED


def decided(world, auth, client):
    proposed(world, auth, client)
    auth.login("committee")
    client.submit(
        f"/committee/{world.grassroots.id}/members/{world.m1.id}", data={"action": "decide", "d-level": "good"}
    )
    assert review_of(world).state is ReviewState.DECIDED


def test_decided_review_is_locked_for_member_and_cell(world, auth, client):
    decided(world, auth, client)
    auth.login("member")
    old_tab = {**TEXT, "political": "Sửa sau khi khóa", "action": "save", "version": review_of(world).version}
    page = client.post("/my-review/", data=old_tab, follow_redirects=True).get_data(as_text=True)
    assert "không sửa được nữa" in page
    assert review_of(world).sections["political"] == TEXT["political"]
    auth.login("secretary")
    client.submit(f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "propose", "p-level": "excellent"})
    client.submit(f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "return", "r-reason": "x"})
    review = review_of(world)
    assert (review.state, review.final_level, review.proposed_level) == (ReviewState.DECIDED, Level.GOOD, Level.GOOD)


def test_only_the_committee_reopens_with_a_reason_visible_in_history(world, auth, client):
    decided(world, auth, client)
    url = f"/committee/{world.grassroots.id}/members/{world.m1.id}"
    client.submit(url, data={"action": "reopen", "o-reason": ""})
    assert review_of(world).state is ReviewState.DECIDED
    client.submit(url, data={"action": "reopen", "o-reason": "Phát hiện sai sót trong hồ sơ"})
    review = review_of(world)
    assert (review.state, review.final_level) == (ReviewState.PROPOSED, None)
    auth.login("member")
    assert "Phát hiện sai sót trong hồ sơ" in client.get("/my-review/").get_data(as_text=True)


def test_not_classified_member_is_recorded_with_reason_and_never_given_a_level(world, auth, client):
    auth.login("secretary")
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    page = client.submit(url, data={"action": "not_classified", "n-reason": "Miễn sinh hoạt"}).get_data(as_text=True)
    assert db.session.scalars(db.select(Review)).first() is None and "Trường hợp không xếp loại" in page
    data = {"action": "not_classified", "n-category": "exempt", "n-reason": "Miễn sinh hoạt đảng từ tháng 3"}
    client.submit(url, data=data)
    review = review_of(world)
    assert (review.state, review.proposed_level) == (ReviewState.PROPOSED, Level.NOT_CLASSIFIED)
    auth.login("committee")
    client.post(f"/committee/{world.grassroots.id}/decide", data={"review": [f"{review.id}:{review.version}"]})
    review = review_of(world)
    assert review.final_level is Level.NOT_CLASSIFIED and not review.final_level.is_quality_level
    assert (review.not_classified_reason, review.not_classified_category) == (
        "Miễn sinh hoạt đảng từ tháng 3",
        "exempt",
    )


def test_stale_version_is_refused_with_a_clear_message(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    review = review_of(world)
    old_version = review.version
    auth.login("secretary")
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    client.post(url, data={"action": "propose", "p-level": "good", "p-version": old_version})
    page = client.post(
        url, data={"action": "return", "r-reason": "Sửa lại", "r-version": old_version}, follow_redirects=True
    ).get_data(as_text=True)
    assert "vừa được người khác cập nhật" in page
    assert review_of(world).state is ReviewState.SUBMITTED


def test_bulk_decision_lands_whole_or_not_at_all(world, auth, client, make):
    for username in ("member", "secretary"):  # the secretary is a member of the cell too
        auth.login(username)
        write_and_submit(client)
    make.user("deputy", grants=[(world.cell, Role.DEPUTY_SECRETARY)])
    for username, member in (("secretary", world.m1), ("deputy", world.m2)):  # nobody proposes for themself
        auth.login(username)
        client.submit(f"/cell/{world.cell.id}/members/{member.id}", data={"action": "propose", "p-level": "good"})
    client.post(f"/cell/{world.cell.id}/forward")
    first, second = review_of(world, world.m1), review_of(world, world.m2)
    auth.login("committee")
    stale = {"review": [f"{first.id}:{first.version}", f"{second.id}:{second.version - 1}"]}
    page = client.post(f"/committee/{world.grassroots.id}/decide", data=stale, follow_redirects=True)
    assert "vừa được người khác cập nhật" in page.get_data(as_text=True)
    assert review_of(world, world.m1).state is ReviewState.PROPOSED  # the good one did not land alone


def test_nothing_changes_once_the_period_is_closed(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("admin")
    client.post(f"/admin/periods/{world.period.id}/close", data={"note": "Hết năm"})
    auth.login("secretary")
    page = client.post(  # from a page opened before the year was closed
        f"/cell/{world.cell.id}/members/{world.m1.id}",
        data={"action": "return", "r-reason": "Muộn", "r-version": review_of(world).version},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "không mở" in page
    assert review_of(world).state is ReviewState.SUBMITTED


def test_member_on_a_phone_gets_the_viewport_and_the_form_of_their_type(world, auth, client):
    auth.login("secretary")  # Trần Thị Bình fills Mẫu 2A (leader)
    page = client.get("/my-review/").get_data(as_text=True)
    assert 'name="viewport" content="width=device-width' in page
    assert "Mẫu 2A" in page and "kết quả lãnh đạo, quản lý" in page


def test_the_draft_saves_itself_and_names_the_next_version(world, auth, client):
    auth.login("member")
    first = client.post("/my-review/autosave", data={"political": "Viết dở, chưa bấm lưu", "version": 0})
    assert first.status_code == 200 and first.json["saved_at"]
    assert review_of(world).sections["political"] == "Viết dở, chưa bấm lưu"
    assert review_of(world).state is ReviewState.DRAFT
    version = first.json["version"]
    again = client.post("/my-review/autosave", data={"political": "Viết thêm", "version": version})
    assert again.status_code == 200 and again.json["version"] == version + 1
    # What the answer names is what was stored (read before the commit, not after it)
    assert again.json["version"] == review_of(world).version
    assert again.json["saved_at"] == format_time(review_of(world).updated_at)
    stale = client.post("/my-review/autosave", data={"political": "Từ thẻ cũ", "version": version})
    assert stale.status_code == 409 and "cập nhật ở nơi khác" in stale.json["error"] and stale.json["conflict"]
    too_long = client.post("/my-review/autosave", data={"political": "x" * 20_001, "version": version + 1})
    assert too_long.status_code == 422 and "tối đa" in too_long.json["error"]
    assert review_of(world).sections["political"] == "Viết thêm"
    save = client.submit("/my-review/", data={**TEXT, "action": "save", "version": version + 1}, follow_redirects=True)
    assert "Đã lưu nháp" in save.get_data(as_text=True)  # the page's own save follows the autosaves


def test_a_submitted_review_is_not_changed_by_a_late_autosave(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    late = client.post("/my-review/autosave", data={"political": "Gửi muộn khi rời trang", "version": 0})
    assert late.status_code == 409
    assert review_of(world).sections["political"] == TEXT["political"]


def test_a_member_prints_their_review_in_the_official_layout(world, auth, client):
    auth.login("member")
    assert client.get("/my-review/print").status_code == 404  # nothing written yet
    write_and_submit(client)
    page = client.get("/my-review/print").get_data(as_text=True)
    for text in ("ĐẢNG CỘNG SẢN VIỆT NAM", "BẢN KIỂM ĐIỂM CÁ NHÂN", "Mẫu 2B", "ĐẢNG BỘ TRƯỜNG MỘT", "CHI BỘ GIÁO VIÊN",
                 "Thử Nghiệm, ngày", TEXT["political"], "NGƯỜI TỰ KIỂM ĐIỂM", "Hoàn thành tốt nhiệm vụ"):  # fmt: skip
        assert text in page, text
    assert 'class="doc-page"' in page and "data-print" in page


def test_a_secretary_prints_the_cell_meeting_pack(world, auth, client):
    auth.login("secretary")
    empty = client.get(f"/cell/{world.cell.id}/print").get_data(as_text=True)
    assert "Chi bộ chưa có đảng viên nào nộp bản kiểm điểm" in empty
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "propose", "p-level": "good"})
    page = client.get(f"/cell/{world.cell.id}/print").get_data(as_text=True)
    assert "DANH SÁCH ĐỀ XUẤT XẾP LOẠI" in page
    assert page.count('class="doc-page"') == 2  # the list, and the one submitted review
    listing = page.split("</table>")[0]
    assert "Nguyễn Văn An" in listing and "Trần Thị Bình" in listing and "Chưa nộp bản tự kiểm điểm" in listing
    assert client.get(f"/cell/{world.cell2.id}/print").status_code == 403


def test_a_cell_where_nobody_has_submitted_says_so(world, auth, client):
    auth.login("secretary")
    assert "Chi bộ chưa có đảng viên nào nộp bản kiểm điểm." in client.get(f"/cell/{world.cell.id}").get_data(
        as_text=True
    )
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    assert "chưa có đảng viên nào nộp" not in client.get(f"/cell/{world.cell.id}").get_data(as_text=True)


def test_a_bulk_selection_is_bounded_and_each_review_counts_once(world, auth, client):
    proposed(world, auth, client)
    review = review_of(world)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}"
    copies = {"review": [f"{review.id}:{review.version}"] * 3}
    page = client.post(f"{url}/confirm", data=copies).get_data(as_text=True)
    assert page.count(f'value="{review.id}:{review.version}"') == 1  # duplicates collapse
    too_many = {"review": [f"{review.id}:{review.version}"] * 5_001}
    refused = client.post(f"{url}/decide", data=too_many, follow_redirects=True).get_data(as_text=True)
    assert "tối đa 5.000" in refused and review_of(world).state is ReviewState.PROPOSED
    two_versions = {"review": [f"{review.id}:{review.version}", f"{review.id}:{review.version + 1}"]}
    assert client.post(f"{url}/decide", data=two_versions).status_code == 400
    client.post(f"{url}/decide", data=copies)
    assert review_of(world).state is ReviewState.DECIDED and len(review_of(world).events) == 5


def test_submitting_shows_what_will_be_sent_and_only_the_confirmation_submits(world, auth, client):
    auth.login("member")
    data = {**TEXT, "score_general": "28,5", "score_tasks": "41.5", "self_level": "good", "action": "submit"}
    shown = client.submit("/my-review/", data=data, follow_redirects=True)
    page = shown.get_data(as_text=True)
    assert shown.request.path == "/my-review/confirm" and review_of(world).state is ReviewState.DRAFT
    assert TEXT["political"] in page and "28,5/30 + 41,5/70" in page and "<strong>70/100</strong>" in page
    assert "Xác nhận nộp cho chi bộ" in page
    done = client.submit("/my-review/confirm", data={}, follow_redirects=True).get_data(as_text=True)
    assert "Đã nộp bản tự kiểm điểm cho chi bộ." in done and review_of(world).state is ReviewState.SUBMITTED


def test_a_confirmation_from_a_page_older_than_the_draft_is_refused(world, auth, client):
    auth.login("member")
    client.submit("/my-review/", data={**TEXT, "score_general": "27", "score_tasks": "63", "self_level": "good",
                                       "action": "submit"})  # fmt: skip
    shown_version = review_of(world).version
    client.submit("/my-review/", data={**TEXT, "political": "Sửa ở tab khác", "self_level": "good",
                                       "score_general": "27", "score_tasks": "63", "action": "save"})  # fmt: skip
    page = client.post("/my-review/confirm", data={"version": shown_version}, follow_redirects=True)
    assert review_of(world).state is ReviewState.DRAFT
    assert "Sửa ở tab khác" in page.get_data(as_text=True)


def test_scores_typed_with_a_comma_or_a_point_are_the_same_half_points(world, auth, client):
    auth.login("member")
    for general, tasks in (("28,5", "60,5"), ("28.5", "60.5")):
        client.submit("/my-review/", data={**TEXT, "score_general": general, "score_tasks": tasks, "action": "save"})
        assert (review_of(world).self_score_general, review_of(world).self_score) == (Decimal("28.5"), Decimal(89))
    refused = client.submit("/my-review/", data={**TEXT, "score_general": "28,55", "action": "save"})
    assert "Hãy nhập một số, ví dụ 28 hoặc 28,5." in refused.get_data(as_text=True)
    assert review_of(world).self_score_general == Decimal("28.5")
    form = client.get("/my-review/").get_data(as_text=True)
    assert re.search(r'<input[^>]*inputmode="decimal"[^>]*name="score_general"[^>]*type="text"[^>]*value="28,5"', form)
