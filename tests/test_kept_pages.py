"""The rollup page keeps its shared parts under the results' stamps (evaluation/stamps.py, kept.py): a second
look counts nothing, and no change of what it shows, from any worker, is ever missed."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from evaluation import stamps
from evaluation.auth.models import Role
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import Member
from evaluation.periods.operations import close_period
from evaluation.reports import aggregation
from evaluation.reports.aggregation import results_stamp
from evaluation.reports.models import TargetSubject
from evaluation.reports.operations import set_target
from evaluation.reviews.models import Review, ReviewState
from tests.conftest import PASSWORD, client_of
from tests.test_page_costs import statements
from tests.test_tallies import (
    archive,
    close_year,
    decide,
    join,
    move,
    move_cell,
    new_cell,
    record_conditions,
    reopen,
    reopen_year,
    retype,
    start,
)

CSRF = re.compile(r'value="[\w-]+\.[\w-]+\.[\w-]+"')  # a signed token: each session has its own


def _page(client, org, year: int = 2025, **args) -> str:
    response = client.get(f"/orgs/{org.id}", query_string={"year": year, **args})
    assert response.status_code == 200
    return CSRF.sub("", response.get_data(as_text=True))


def _counters_read(seen: list[str]) -> list[str]:
    return [statement for statement in seen if " FROM tally" in statement]


def _stamps() -> dict[tuple[int, int], int]:
    stamp = stamps.ResultsStamp
    found = db.session.execute(sa.select(stamp.organization_id, stamp.period_id, stamp.token))
    return {(org, period): token for org, period, token in found}


def _decide(member, period, level: Level) -> None:
    db.session.add(Review(period=period, member=member, form_type=member.form_type, state=ReviewState.DECIDED,
                          final_level=level))  # fmt: skip
    db.session.commit()


def test_a_second_look_counts_nothing_and_a_committed_decision_shows_at_once_in_every_worker(world, app, other_app):
    looking, other_worker = client_of(app, "leader"), client_of(other_app(), "leader")
    first = _page(looking, world.upper)
    assert _page(other_worker, world.upper) == first
    with statements() as seen:
        again = _page(looking, world.upper)
    assert again == first and not _counters_read(seen), "kept: no counter read"
    assert "1 trong tổng số 1 đảng viên được đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ" not in first

    _decide(world.m1, world.period, Level.EXCELLENT)  # committed by the test, as another worker's decision is
    with statements() as seen:
        changed = _page(looking, world.upper)
    assert changed != first and _counters_read(seen), "counted again after the change"
    for page in (changed, _page(other_worker, world.upper)):
        assert "1 trong tổng số 1 đảng viên được đánh giá, xếp loại hoàn thành xuất sắc nhiệm vụ" in page


def test_a_decision_changes_the_pages_above_the_member_and_leaves_the_others_kept(world, app, make):
    make.user("chief", grants=[(world.province, Role.LEADER)])
    looking = client_of(app, "chief")
    above, elsewhere = (world.province, world.upper2, world.grassroots2), (world.upper, world.grassroots)
    first = {org: _page(looking, org) for org in above + elsewhere}
    _decide(world.m5, world.period, Level.EXCELLENT)  # in the second district
    with statements() as seen:
        assert all(_page(looking, org) == first[org] for org in elsewhere)
    assert not _counters_read(seen), "the first district's pages stay kept"
    with statements() as seen:
        assert all(_page(looking, org) != first[org] for org in above)
    assert len(_counters_read(seen)) >= len(above), "each page above the member is counted again"


def test_after_a_decision_the_rollup_counts_again_only_what_it_changed(world, app, other_app, make, monkeypatch):
    """The province's page after a decision in the second district counts the province and that district again;
    the first district's counts are the ones kept, and the page is what a page counted afresh shows."""
    make.user("chief", grants=[(world.province, Role.LEADER)])
    looking = client_of(app, "chief")
    _page(looking, world.province)
    _decide(world.m5, world.period, Level.EXCELLENT)  # in the second district
    counted, count = [], aggregation.unit_results

    def spy(orgs, period):
        counted.extend(org.name for org in orgs)
        return count(orgs, period)

    monkeypatch.setattr(aggregation, "unit_results", spy)
    page = _page(looking, world.province)
    assert sorted(counted) == sorted([world.province.name, world.upper2.name])
    assert page == _page(client_of(other_app(KEPT_PAGES_BYTES=0, KEPT_COUNTS=0), "chief"), world.province)


def test_kept_parts_are_the_same_whoever_looks_and_follow_the_language(world, app, other_app, make):
    make.user("chief", grants=[(world.province, Role.LEADER)])
    leader, chief = client_of(app, "leader"), client_of(app, "chief")
    fresh_leader = client_of(other_app(KEPT_PAGES_BYTES=0, KEPT_COUNTS=0), "leader")
    _page(chief, world.grassroots)  # kept by one who may set the grassroots' targets...
    with statements() as seen:
        kept = _page(leader, world.grassroots)  # ...shown to one who may not: no form, the same figures
    assert not _counters_read(seen)
    assert kept == _page(fresh_leader, world.grassroots)
    assert _page(leader, world.grassroots, decimals=0) == _page(fresh_leader, world.grassroots, decimals=0)
    # Apps of their own: the tests' app keeps one app context, where Flask-Babel keeps the first language.
    reader = client_of(other_app(), "leader")
    assert _page(reader, world.grassroots) == kept  # kept in Vietnamese by this worker...
    for client in (reader, fresh_leader):
        client.get("/language/en")
    english = _page(reader, world.grassroots)  # ...and not shown to an English reader
    assert english == _page(fresh_leader, world.grassroots) != kept
    assert "Report" in english and "Báo cáo kết quả" in kept


def test_results_changed_but_not_committed_are_shown_to_their_own_transaction_and_never_kept(world, app, client):
    client.post("/login", data={"username": "leader", "password": PASSWORD})
    before = _page(client, world.upper)
    db.session.add(Review(period=world.period, member=world.m1, form_type=world.m1.form_type,
                          state=ReviewState.DECIDED, final_level=Level.EXCELLENT))  # fmt: skip
    db.session.flush()
    assert results_stamp(world.upper, 2025) is None
    db.session.rollback()
    assert results_stamp(world.upper, 2025) is not None
    assert _page(client, world.upper) == before


@pytest.mark.parametrize(
    ("change", "renewed"),
    [
        ("a draft's text", "none"),
        ("a decision", "the year's of the organizations above the member"),
        ("a rolled back decision", "none"),
        ("a renamed organization", "every year's"),
        ("a target", "every year's"),
        ("a closed year", "every year's"),
        ("a member who joins", "every year's"),
    ],
)
def test_each_change_renews_the_stamps_of_what_it_can_change(world, change, renewed):
    draft = Review(period=world.period, member=world.m3, form_type=world.m3.form_type, sections={"duties": "A"})
    db.session.add(draft)
    db.session.commit()
    before = _stamps()
    if change == "a draft's text":
        draft.sections = {"duties": "B"}
    elif change in ("a decision", "a rolled back decision"):
        draft.state, draft.final_level = ReviewState.DECIDED, Level.GOOD
    elif change == "a renamed organization":
        world.cell.name = "Chi bộ Giáo viên Một"
    elif change == "a target":
        set_target(world.upper, 2025, TargetSubject.MEMBERS, Decimal(85), world.leader, False)
    elif change == "a closed year":
        close_period(world.period, note="Đóng khi còn tồn đọng")
    else:
        db.session.add(Member(code="NEW1", full_name="Đảng viên Mới", organization=world.cell))
    if change.startswith("a rolled back"):
        db.session.flush()
        db.session.rollback()
        draft.sections = {"duties": "C"}  # the next transaction on the connection renews nothing for it
        db.session.commit()
    else:
        db.session.commit()
    after = _stamps()
    above = {(org.id, world.period.id) for org in (world.province, world.upper, world.grassroots, world.cell2)}
    expected = {"none": set(), "every year's": {stamps.EVERY_YEAR}}.get(renewed, above)
    assert {scope for scope in after if after[scope] != before.get(scope)} == expected


def test_the_kept_page_equals_a_page_counted_afresh_after_every_kind_of_change(world, app, other_app, make):
    """The tallies' operations, each committed: every write path the counters know (moves of members and of
    cells, types, imports of past years, closing and reopening, conditions, new cells and members)."""
    make.user("chief", grants=[(world.province, Role.LEADER)])
    kept, fresh = client_of(app, "chief"), client_of(other_app(KEPT_PAGES_BYTES=0, KEPT_COUNTS=0), "chief")
    steps = [(start, 2, 0), (start, 0, 0), (decide, 0, 1), (decide, 1, 2), (record_conditions, 0, 1),
             (retype, 0, 1), (move, 1, 3), (move_cell, 1, 1), (reopen, 0, 0), (join, 0, 2), (new_cell, 2, 0),
             (archive, 1, 0), (archive, 0, 1), (close_year, 0, 0), (move, 0, 1), (reopen_year, 0, 0),
             (retype, 1, 2)]  # fmt: skip
    pages = [(world.province, 2025), (world.grassroots, 2025), (world.province, 2020), (world.upper2, 2021)]
    for org, year in pages:
        _page(kept, org, year)  # kept before the first change
    for operation, a, b in steps:
        operation(world, a, b)
        db.session.commit()
        for org, year in pages:
            assert _page(kept, org, year) == _page(fresh, org, year), (operation.__name__, org.name, year)


def test_counts_made_for_an_open_year_are_not_kept_for_it_closed(world, app, other_app):
    """A rollup reads its period, then the stamps. A year another worker closes in between must not leave counts
    made the open year's way (members not started yet are pending) under the stamps of the closed year."""
    from evaluation.periods.models import Period, PeriodState

    period = world.period  # as this session read it: open
    other = other_app()
    with other.app_context():
        close_period(db.session.get(Period, period.id), note="Kết thúc theo chỉ đạo của cấp trên.")
        db.session.commit()
    assert period.state is PeriodState.OPEN
    aggregation._kept_unit_results([world.province], period)  # counted as open, the closed year's stamps read
    db.session.expire_all()
    assert period.state is PeriodState.CLOSED
    kept = aggregation._kept_unit_results([world.province], period)[world.province.id]
    fresh = aggregation.unit_results([world.province], period)[world.province.id]
    assert (kept.members, kept.progress) == (fresh.members, fresh.progress)
    db.session.rollback()
