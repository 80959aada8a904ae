"""The cell meeting (hội nghị chi bộ): the secretary records it and each proposal's votes; too few votes for
the proposed level is a warning the committee sees; the minutes print on A4."""

import re

from evaluation.extensions import db
from evaluation.journal import JournalEntry
from evaluation.reviews.models import CellMeeting
from tests.test_journey import review_of, write_and_submit


def record_meeting(world, client, **data):
    form = {"held_on": "2025-12-12", "official_members": "9", "present": "8"} | data
    return client.post(f"/cell/{world.cell.id}/meeting", data=form, follow_redirects=True).get_data(as_text=True)


def propose(world, client, level: str, votes: str):
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    data = {"action": "propose", "p-level": level, "p-votes": votes, "p-comments": "Nhất trí."}
    return client.submit(url, data=data, follow_redirects=True).get_data(as_text=True)


def test_the_meeting_and_the_votes_are_recorded_and_a_short_vote_is_flagged(world, auth, client):
    auth.login("member")
    write_and_submit(client, score_general="28", score_tasks="65", self_level="excellent")
    auth.login("secretary")
    assert "Đã ghi hội nghị kiểm điểm của chi bộ." in record_meeting(world, client)
    meeting = db.session.scalars(db.select(CellMeeting)).one()
    assert (meeting.official_members, meeting.present) == (9, 8)
    page = propose(world, client, "excellent", "5")  # 5 of 9: short of two thirds (6)
    assert review_of(world).votes_for == 5
    assert "5/9 phiếu tán thành mức “Hoàn thành xuất sắc nhiệm vụ”: chưa đạt 2/3" in page
    assert "6/9" not in propose(world, client, "excellent", "6")  # exactly two thirds is enough
    assert "chưa đạt 2/3" not in client.get(f"/cell/{world.cell.id}/members/{world.m1.id}").get_data(as_text=True)
    assert db.session.scalars(db.select(JournalEntry).where(JournalEntry.change == "meeting")).all()


def test_votes_for_good_must_be_more_than_half(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    record_meeting(world, client, official_members="8", present="8")
    assert "chưa đạt quá 1/2" in propose(world, client, "good", "4")  # exactly half is not more than half
    assert "chưa đạt quá 1/2" not in propose(world, client, "good", "5")


def test_a_wrong_meeting_is_refused_and_keeps_what_was_typed(world, auth, client):
    auth.login("secretary")
    page = record_meeting(world, client, official_members="5", present="7")
    assert "không quá số đảng viên chính thức" in page and 'value="7"' in page
    assert db.session.scalars(db.select(CellMeeting)).all() == []
    record_meeting(world, client, official_members="9", present="3")
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    assert "không thể âm hay nhiều hơn số đảng viên có mặt" in propose(world, client, "good", "4")


def test_the_minutes_print_the_meeting_and_each_proposal_with_its_votes(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    record_meeting(world, client)
    propose(world, client, "good", "7")
    page = client.get(f"/cell/{world.cell.id}/minutes").get_data(as_text=True)
    for text in ("BIÊN BẢN HỌP CHI BỘ", "ngày 12 tháng 12 năm 2025", "Tổng số đảng viên chính thức: 9; có mặt: 8",
                 world.m1.full_name, "Hoàn thành tốt nhiệm vụ", "77,78%"):  # fmt: skip
        assert text in page, text


def test_the_dossier_list_counts_what_the_organization_sends_up(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    record_meeting(world, client)
    auth.login("committee")
    page = client.get(f"/orgs/{world.grassroots.id}/dossier?year=2025").get_data(as_text=True)
    assert "Mẫu 04" in page and "DANH MỤC HỒ SƠ" in page
    cells = re.findall(r"<td>(\d)</td><td>([^<]+)</td><td>(\d+)</td>", page)
    counts = {name.strip(): int(count) for _, name, count in cells}
    assert counts["Biên bản họp chi bộ kiểm điểm đảng viên"] == 1
    assert counts["Bản tự kiểm điểm của đảng viên"] == 1
