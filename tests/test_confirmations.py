"""Confirmation upward: a committee confirms its year's figures once everything under it is decided, the
figures are then locked until a committee above returns the confirmation with a reason, the level above sees
who has confirmed and who is late, and the year closes only when all have (or with a reason)."""

from datetime import timedelta

import pytest

from evaluation.auth.models import Role
from evaluation.errors import DomainError
from evaluation.extensions import db
from evaluation.journal import JournalEntry
from evaluation.levels import Level
from evaluation.periods.operations import close_period
from evaluation.reviews import confirmations
from evaluation.reviews import operations as ops
from evaluation.reviews.models import Review, ReviewState
from evaluation.reviews.workflow import WorkflowError
from tests.test_checks import member_review
from tests.test_statistics import decided

G = Level.GOOD


@pytest.fixture
def school_decided(world, make):
    """Everything under the grassroots organization decided: its members and its two cells."""
    for member in (world.m1, world.m2, world.m3):
        decided(world.period, member, G)
    for cell in (world.cell, world.cell2):
        decided(world.period, cell, G)
    world.upper_committee = make.user("uppercommittee", grants=[(world.upper, Role.COMMITTEE)])
    return world


def page(client, org) -> str:
    return client.get(f"/orgs/{org.id}/confirmations?year=2025").get_data(as_text=True)


def test_a_committee_cannot_confirm_while_anything_under_it_is_undecided(world, auth, client):
    decided(world.period, world.m1, G)
    auth.login("committee")
    shown = page(client, world.grassroots)
    assert "còn 2 đảng viên chưa được quyết định xếp loại" in shown
    assert "còn 2 tổ chức đảng trực thuộc chưa được xếp loại" in shown
    answer = client.post(f"/orgs/{world.grassroots.id}/confirmations/confirm?year=2025", follow_redirects=True)
    assert "Chưa xác nhận được số liệu" in answer.get_data(as_text=True)
    assert not confirmations.confirmed_ids(world.period, [world.grassroots.id])


def test_confirmed_figures_are_locked_until_the_level_above_returns_them_with_a_reason(school_decided, auth, client):
    world = school_decided
    auth.login("committee")
    answer = client.post(f"/orgs/{world.grassroots.id}/confirmations/confirm?year=2025", follow_redirects=True)
    assert "Đã xác nhận số liệu năm 2025" in answer.get_data(as_text=True)
    with pytest.raises(WorkflowError, match="đã được xác nhận: cấp trên phải trả lại xác nhận"):
        ops.reopen(member_review(world.m1), world.committee, "Sửa sai sót")
    db.session.rollback()
    auth.login("uppercommittee")
    upper = page(client, world.upper)
    assert "Đã xác nhận" in upper and "1/2 đã xác nhận." in upper  # the school yes, the chi bộ cơ sở not yet
    url = f"/orgs/{world.grassroots.id}/confirmations/return?year=2025"
    refused = client.post(url, data={"reason": ""}, follow_redirects=True).get_data(as_text=True)
    assert "Cần ghi rõ lý do" in refused and confirmations.confirmed_ids(world.period, [world.grassroots.id])
    client.post(url, data={"reason": "Kiểm tra phát hiện sai sót ở Chi bộ Giáo viên"})
    assert not confirmations.confirmed_ids(world.period, [world.grassroots.id])
    ops.reopen(member_review(world.m1), world.committee, "Sửa sai sót")  # unlocked again
    assert member_review(world.m1).state is ReviewState.PROPOSED
    auth.login("committee")
    assert "Cấp trên đã trả lại xác nhận: Kiểm tra phát hiện sai sót ở Chi bộ Giáo viên" in page(
        client, world.grassroots
    )
    changes = db.session.scalars(db.select(JournalEntry.detail).where(JournalEntry.change == "confirmation")).all()
    assert len(changes) == 2  # both acts in the history


def test_an_upper_committee_confirms_only_after_the_committees_under_it(school_decided, make):
    world = school_decided
    decided(world.period, world.m4, G)  # the chi bộ cơ sở's member
    for org in (world.grassroots, world.small):
        decided(world.period, org, G)
    assert "còn 2 tổ chức cấp dưới chưa xác nhận số liệu" in confirmations.what_is_left(world.period, world.upper)
    confirmations.confirm(world.period, world.grassroots, world.committee)
    small_committee = make.user("smallcommittee", grants=[(world.small, Role.COMMITTEE)])
    confirmations.confirm(world.period, world.small, small_committee)
    confirmations.confirm(world.period, world.upper, world.upper_committee)
    assert confirmations.confirmed_ids(world.period, [world.upper.id]) == {world.upper.id}
    with pytest.raises(DomainError, match="đã được xác nhận"):
        confirmations.confirm(world.period, world.upper, world.upper_committee)


def test_the_level_above_sees_who_is_late_after_the_deadline(school_decided):
    world = school_decided
    confirmations.confirm(world.period, world.grassroots, world.committee)
    after = world.period.rate_orgs_by + timedelta(days=1)
    rows = {s.org.id: s for s in confirmations.statuses(world.period, confirmations.confirming_under(world.upper),
                                                         today=after)}  # fmt: skip
    assert not rows[world.grassroots.id].late and rows[world.small.id].late
    rows = {s.org.id: s for s in confirmations.statuses(world.period, [world.small], today=world.period.rate_orgs_by)}
    assert not rows[world.small.id].late  # on the day itself, still in time


def test_the_year_closes_when_all_have_confirmed_or_with_the_reason(school_decided):
    world = school_decided
    with pytest.raises(DomainError, match="cấp ủy chưa xác nhận số liệu"):
        close_period(world.period)
    close_period(world.period, note="Ban Thường vụ cho phép đóng kỳ")
    assert world.period.closing_note == "Ban Thường vụ cho phép đóng kỳ"
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 5
