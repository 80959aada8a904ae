"""The period runs itself: notices, reminders, commitments, and a close that refuses loose ends."""

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.notices.models import Notice
from evaluation.periods.models import Period, PeriodState
from evaluation.reviews.models import Commitment, ReviewEvent, ReviewState
from tests.test_checks import group_of_five_good_and_one_excellent, review
from tests.test_journey import proposed, review_of, write_and_submit


def notices_of(user) -> list[str]:
    return [
        n.message for n in db.session.scalars(db.select(Notice).where(Notice.user_id == user.id).order_by(Notice.id))
    ]


def test_the_people_who_act_next_are_notified(world, auth, client):
    proposed(world, auth, client)  # the member submits, the cell proposes and forwards
    assert notices_of(world.secretary)[0] == "Đồng chí Nguyễn Văn An đã nộp bản tự kiểm điểm năm 2025."
    assert notices_of(world.committee) == ["Có đề xuất xếp loại năm 2025 của đồng chí Nguyễn Văn An chờ quyết định."]
    auth.login("committee")
    client.submit(
        f"/committee/{world.grassroots.id}/members/{world.m1.id}",
        data={"action": "decide", "d-level": "good", "d-version": review_of(world).version},
    )
    assert notices_of(world.member)[-1].endswith("đã được xếp loại: Hoàn thành tốt nhiệm vụ.")
    assert notices_of(world.committee2) == [] and notices_of(world.secretary2) == []


def test_a_returned_review_tells_the_member_why_and_the_page_marks_it_read(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(
        f"/cell/{world.cell.id}/members/{world.m1.id}",
        data={"action": "return", "r-reason": "Bổ sung kết quả nhiệm vụ", "r-version": review_of(world).version},
    )
    auth.login("member")
    assert '<span class="badge submitted">1</span>' in client.get("/").get_data(as_text=True)
    page = client.get("/notices/").get_data(as_text=True)
    assert "được trả lại để sửa: Bổ sung kết quả nhiệm vụ" in page
    notice = db.session.scalars(db.select(Notice).where(Notice.user_id == world.member.id)).one()
    assert notice.read_at is None, "reading the list changes nothing"
    auth.login("secretary")
    assert client.post(f"/notices/{notice.id}/open").status_code == 404, "someone else's notice"
    auth.login("member")
    opened = client.post(f"/notices/{notice.id}/open")
    assert opened.status_code == 302 and opened.location == notice.link
    db.session.refresh(notice)
    assert notice.read_at is not None
    assert '<span class="badge submitted">' not in client.get("/").get_data(as_text=True)


def test_marking_all_read_marks_only_ones_own(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(
        f"/cell/{world.cell.id}/members/{world.m1.id}",
        data={"action": "return", "r-reason": "Bổ sung", "r-version": review_of(world).version},
    )
    auth.login("member")
    assert client.post("/notices/read").status_code == 302
    read = {
        user_id: [n.read_at is not None for n in db.session.scalars(db.select(Notice).where(Notice.user_id == user_id))]
        for user_id in (world.member.id, world.secretary.id)
    }
    assert read == {world.member.id: [True], world.secretary.id: [False]}


def test_a_refused_change_notifies_nobody_and_mails_nobody(app, world, make, auth, client):
    """Decisions made, their notices written and their e-mails queued, then the quota refuses the whole
    bulk decision: the rollback takes the notices and the e-mails with it."""
    from evaluation.extensions import mail

    app.config["MAIL_SERVER"] = "smtp.example.vn"
    world.m1.email, world.m2.email = "an@example.vn", "binh@example.vn"
    group_of_five_good_and_one_excellent(world, make)
    first = review(world.period, world.m1, ReviewState.PROPOSED, Level.GOOD)
    second = review(world.period, world.m2, ReviewState.PROPOSED, Level.EXCELLENT, score=(29, 66))
    auth.login("committee")
    selection = {"review": [f"{first.id}:{first.version}", f"{second.id}:{second.version}"]}
    with mail.record_messages() as outbox:
        page = client.post(f"/committee/{world.grassroots.id}/decide", data=selection, follow_redirects=True)
    assert "Vượt tỷ lệ" in page.get_data(as_text=True)
    assert db.session.scalars(db.select(ReviewEvent).where(ReviewEvent.action == "decide")).all() == []
    assert (notices_of(world.member), outbox) == ([], [])


def test_reminders_go_once_to_who_still_has_work_before_a_deadline(world, auth, client, runner):
    auth.login("member3")
    write_and_submit(client)
    result = runner.invoke(args=["remind", "--days", "3", "--today", "2025-12-08"])  # submit by 10/12
    assert result.exit_code == 0, result.output
    assert notices_of(world.member) == ["Nhắc việc: nộp bản tự kiểm điểm trước ngày 10/12/2025."]
    assert notices_of(world.member3) == []  # already submitted
    runner.invoke(args=["remind", "--days", "3", "--today", "2025-12-09"])
    assert len(notices_of(world.member)) == 1
    runner.invoke(args=["remind", "--days", "3", "--today", "2025-12-16"])  # the cell proposes by 18/12
    assert notices_of(world.secretary2)[-1] == "Nhắc việc: chi bộ đề xuất xếp loại trước ngày 18/12/2025."
    assert notices_of(world.secretary)[-1].startswith("Nhắc việc: nộp bản tự kiểm điểm")  # only as a member


def test_closing_refuses_while_results_are_undecided_unless_the_admin_writes_why(world, auth, client):
    auth.login("admin")
    page = client.post(f"/admin/periods/{world.period.id}/close", follow_redirects=True).get_data(as_text=True)
    assert "còn 5 đảng viên và 8 tổ chức đảng chưa được xếp loại" in page
    assert db.session.get(Period, world.period.id).state is PeriodState.OPEN
    note = "Ban Thường vụ cho phép đóng; chuyển tồn đọng sang năm sau"
    client.post(f"/admin/periods/{world.period.id}/close", data={"note": note})
    period = db.session.get(Period, world.period.id)
    assert period.state is PeriodState.CLOSED and period.closing_note == note
    assert note in client.get("/admin/").get_data(as_text=True)


def test_commitments_are_registered_early_shown_beside_the_form_and_kept_once_submitted(world, auth, client):
    auth.login("member")
    client.post("/my-review/commitment", data={"text": "Hoàn thành 100% nhiệm vụ; tham gia sinh hoạt nơi cư trú."})
    page = client.get("/my-review/").get_data(as_text=True)
    assert "Đã đăng ký đầu năm:" in page and "tham gia sinh hoạt nơi cư trú" in page
    write_and_submit(client)
    refused = client.post("/my-review/commitment", data={"text": "Sửa sau khi nộp"}, follow_redirects=True)
    assert "không sửa được nữa" in refused.get_data(as_text=True)
    assert db.session.scalars(db.select(Commitment.text)).one().startswith("Hoàn thành 100%")


def test_an_organization_registers_its_commitments(world, auth, client):
    auth.login("secretary")
    client.post(f"/collective/{world.cell.id}/commitment", data={"text": "Chi bộ đạt trong sạch, vững mạnh."})
    commitment = db.session.scalars(db.select(Commitment)).one()
    assert commitment.organization_id == world.cell.id and commitment.member_id is None
    assert "Chi bộ đạt trong sạch, vững mạnh." in client.get(f"/collective/{world.cell.id}").get_data(as_text=True)


def test_each_role_sees_what_to_do_next_on_the_home_page(world, auth, client):
    auth.login("committee")
    page = client.get("/").get_data(as_text=True)
    assert "cấp ủy xếp loại tổ chức đảng trực thuộc" in page and "Sẵn sàng để xếp loại: <strong>0</strong>" in page
    assert "Chưa xếp loại: 2" in page and "Kiểm điểm tập thể: Đảng bộ Trường Một" in page
    review(world.period, world.m3, ReviewState.DECIDED, Level.GOOD)  # Chi bộ Hành chính has all its members decided
    assert "Sẵn sàng để xếp loại: <strong>1</strong>" in client.get("/").get_data(as_text=True)
    auth.login("secretary")
    page = client.get("/").get_data(as_text=True)
    assert "Kiểm điểm tập thể: Chi bộ Giáo viên" in page and "Chi bộ Giáo viên</strong> · Bí thư chi bộ" in page
    assert "Chào đồng chí Trần Thị Bình" in page


def test_notices_go_by_email_after_the_commit_when_a_mail_server_is_set(app, world, auth, client):
    from evaluation.extensions import mail

    app.config["MAIL_SERVER"] = "smtp.example.vn"  # sending is suppressed under TESTING; messages are recorded
    world.m1.email = "an@example.vn"
    db.session.commit()
    with mail.record_messages() as outbox:
        auth.login("member")
        write_and_submit(client, self_level="")  # refused submission: no notice, no mail
        assert outbox == []
        write_and_submit(client)
        auth.login("secretary")
        client.submit(
            f"/cell/{world.cell.id}/members/{world.m1.id}",
            data={"action": "return", "r-reason": "Thiếu số liệu", "r-version": review_of(world).version},
        )
    assert [m.recipients for m in outbox] == [["an@example.vn"]]
    assert "Thiếu số liệu" in outbox[0].body
