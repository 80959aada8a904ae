"""What the busiest requests ask of the database: a member's save, the member's form and a leader's rollup
page. bench/web.py measures what they cost; these keep the statements cut from them from coming back."""

import gc
import inspect
import re
import subprocess
import sys
import weakref
from contextlib import contextmanager
from pathlib import Path

import flask.app
import pytest
import sqlalchemy as sa
from babel import Locale
from sqlalchemy.sql.selectable import Select

from evaluation.auth.models import Role
from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.notices.operations import keep_unread, mark_read, notify, unread_count
from evaluation.org.models import OrgKind
from evaluation.reviews.models import Review, ReviewState
from evaluation.reviews.operations import LastYear, last_year
from tests.conftest import client_of
from tests.test_cell_meeting import propose
from tests.test_journey import write_and_submit

URL = "/my-review/"
FORM = {"political": "Chấp hành nghiêm.", "duties": "Hoàn thành.", "commitment": "Đã thực hiện.",
        "shortcomings": "Còn chậm.", "measures": "Khắc phục.", "score_general": "27", "score_tasks": "63",
        "self_level": "good", "action": "save"}  # fmt: skip


@contextmanager
def statements(engine=None):
    """The statements sent through `engine` (the tests' app's when not given) while the block runs."""
    engine, seen = engine or db.engine, []

    def remember(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    sa.event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", remember)


def _version(client, url: str = URL) -> str:
    """The version the page shows, which its form sends back."""
    return re.search(r'name="version" type="hidden" value="([0-9]*)"', client.get(url).get_data(as_text=True))[1]


def test_saving_a_drafts_text_reads_no_counter_no_cell_and_not_the_login_again(world, auth, client):
    auth.login("member")
    assert client.post(URL, data={**FORM, "version": _version(client)}).status_code == 302  # the draft made
    version = _version(client)
    with statements() as seen:
        response = client.post(URL, data={**FORM, "duties": "Hoàn thành tốt.", "version": version})
    assert response.status_code == 302
    updates = [i for i, statement in enumerate(seen) if statement.startswith("UPDATE review SET sections")]
    assert len(updates) == 1, seen
    # The text and the version are not what the counters count; the login's office decides nothing here.
    assert not [s for s in seen if " tally" in s or "FROM organization" in s], seen
    assert not seen[updates[0] + 1 :], "nothing is read after the write (the header needs no column)"
    assert not [s for s in seen if "review.sections FROM review JOIN period" in s], "last year's text: the page's"


def test_a_submission_still_counts_the_review(world, auth, client):
    auth.login("member")
    assert client.post(URL, data={**FORM, "version": _version(client)}).status_code == 302
    version = _version(client, "/my-review/confirm")
    with statements() as seen:
        assert client.post("/my-review/confirm", data={"version": version}).status_code == 302
    assert [s for s in seen if s.startswith(("INSERT INTO tally", "UPDATE tally"))], seen


def _in_a_worker(other_app, username: str, **settings):
    """The login in an app of its own, and that app's engine: each request gets its own session, as in a
    worker (the tests' app shares one across requests)."""
    app = other_app(**settings)
    with app.app_context():
        engine = db.engine
    return client_of(app, username), engine


def test_the_members_form_reads_the_members_cell_with_the_login(world, other_app):
    client, engine = _in_a_worker(other_app, "member")
    with statements(engine) as seen:
        page = client.get(URL).get_data(as_text=True)
    assert world.cell.name in page
    assert [s for s in seen if s.startswith("SELECT app_user.")], "the page was read through this engine"
    assert not [s for s in seen if s.startswith("SELECT organization.")], seen


def test_an_organizations_page_reads_it_once_and_a_secretarys_own_cell_not_again(world, other_app):
    """The organization a page is of is read by its id in one statement built once, or not at all when the
    login's statement has read it (the secretary's own cell); an unknown id is still a 404."""
    client, engine = _in_a_worker(other_app, "secretary")
    with statements(engine) as own:
        assert client.get(f"/cell/{world.cell.id}").status_code == 200
    assert [s for s in own if s.startswith("SELECT app_user.")], "the page was read through this engine"
    assert not [s for s in own if s.startswith("SELECT organization.")], own
    leader, engine = _in_a_worker(other_app, "leader")
    with statements(engine) as other:
        assert leader.get(f"/orgs/{world.upper.id}").status_code == 200
    by_id = [
        s for s in other if re.fullmatch(r"SELECT organization\..* WHERE organization\.id = (\?|%\(id\)s::INTEGER)", s)
    ]
    assert len(by_id) == 1, other
    assert leader.get("/orgs/987654321").status_code == 404


def test_the_rollup_page_reads_the_targets_and_the_years_before_once(world, auth, client):
    auth.login("leader")
    with statements() as seen:
        assert client.get(f"/orgs/{world.upper.id}?year=2025").status_code == 200
    assert len([s for s in seen if "FROM target" in s]) == 1, seen
    assert len([s for s in seen if "FROM tally JOIN period" in s]) == 1, seen


def test_a_stylesheet_asked_by_a_logged_in_browser_reads_nothing_from_the_database(world, other_app):
    client, engine = _in_a_worker(other_app, "member")
    with statements(engine) as for_the_sheet:
        with client.get("/static/css/app.css") as sheet:
            assert sheet.status_code == 200
    with statements(engine) as for_the_page:
        with client.get(URL) as page:
            assert page.status_code == 200
    assert not for_the_sheet, for_the_sheet
    assert [s for s in for_the_page if s.startswith("SELECT app_user.")], "the page reads its login"


def test_the_members_form_reads_the_year_before_once_for_its_shortcomings_and_its_level(world, make, auth, client):
    """The items to follow up and the repeated-failure warning come from the same review of the year before."""
    make.decided_last_year(world.m1, Level.NOT_COMPLETED, "- Có lúc chậm báo cáo.")
    auth.login("member")
    failing = {**FORM, "self_level": "not_completed", "version": _version(client)}
    assert client.post(URL, data=failing).status_code == 302
    with statements() as seen:
        page = client.get(URL).get_data(as_text=True)
    assert "1. Có lúc chậm báo cáo. — đã khắc phục / đang khắc phục / chưa khắc phục" in page
    assert "2 năm liền không hoàn thành nhiệm vụ" in page
    assert len([s for s in seen if "FROM review JOIN period" in s]) == 1, seen


def test_every_page_counts_the_unread_notices_with_the_login_in_one_statement(world, other_app):
    notify([world.member], "Chi bộ đã trả lại bản kiểm điểm.", {})
    db.session.commit()
    client, engine = _in_a_worker(other_app, "member")
    with statements(engine) as seen:
        page = client.get(URL).get_data(as_text=True)
    assert '<span class="badge submitted">1</span>' in page
    assert not [s for s in seen if "FROM notice" in s and not s.startswith("SELECT app_user.")], seen


def test_a_notice_written_or_read_during_the_request_is_counted_again(world, app):
    with app.test_request_context("/"):
        keep_unread(world.member, 0)  # what the login's read found
        notify([world.member], "Chi bộ đã trả lại bản kiểm điểm.", {})
        assert unread_count(world.member) == 1
        mark_read(world.member)
        assert unread_count(world.member) == 0
        keep_unread(world.secretary, 5)
        assert unread_count(world.member) == 0, "another login's count is not the member's"
    db.session.rollback()


@contextmanager
def statements_built(monkeypatch):
    """The functions of ours that build a SELECT while the block runs (SQLAlchemy's own lazy loads are
    cached by it and name none of ours)."""
    built, build = [], Select.__init__

    def remember(self, *args, **kwargs):
        frame = sys._getframe(1)
        while frame is not None and "/evaluation/" not in frame.f_code.co_filename:
            frame = frame.f_back
        if frame is not None:
            built.append(frame.f_code.co_name)
        build(self, *args, **kwargs)

    monkeypatch.setattr(Select, "__init__", remember)
    yield built


def test_the_busiest_pages_run_statements_built_once_not_built_per_request(world, other_app, monkeypatch):
    """Building a statement and its cache key costs about what running it does: the form, its save and the
    rollup page run statements built once, with bound parameters."""
    member, _ = _in_a_worker(other_app, "member")
    member.post(URL, data={**FORM, "version": _version(member)})  # whatever is built once, built now
    with statements_built(monkeypatch) as built:
        assert member.get(URL).status_code == 200
        assert (
            member.post(URL, data={**FORM, "duties": "Hoàn thành tốt.", "version": _version(member)}).status_code == 302
        )
    assert built == [], built
    leader, _ = _in_a_worker(other_app, "leader", KEPT_PAGES_BYTES=0, KEPT_COUNTS=0)  # counted, written each time
    leader.get(f"/orgs/{world.upper.id}?year=2025")
    with statements_built(monkeypatch) as built:
        assert leader.get(f"/orgs/{world.upper.id}?year=2025").status_code == 200
    assert set(built) <= {"load_org"}, built  # the organization, looked up by key


def test_the_members_form_reads_its_history_and_who_did_each_step_with_the_review(world, auth, client, other_app):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "return", "r-reason": "Bổ sung"})
    member, engine = _in_a_worker(other_app, "member")
    with statements(engine) as seen:
        page = member.get(URL).get_data(as_text=True)
    assert "Bổ sung" in page and world.m2.full_name in page  # the reason, and who returned it
    assert not [s for s in seen if s.startswith("SELECT review_event.")], seen
    assert len([s for s in seen if "FROM app_user" in s]) == 1, "the login's; the history's people come with it"


@pytest.mark.parametrize("office", ["secretary", "committee"])
def test_an_officers_page_of_a_member_reads_the_history_with_the_review(world, auth, client, other_app, office):
    auth.login("member")
    write_and_submit(client)
    officer, engine = _in_a_worker(other_app, office)
    page = {"secretary": f"/cell/{world.cell.id}", "committee": f"/committee/{world.grassroots.id}"}[office]
    with statements(engine) as seen:
        shown = officer.get(f"{page}/members/{world.m1.id}").get_data(as_text=True)
    assert "Lịch sử (2)" in shown, "written, submitted"
    assert not [s for s in seen if s.startswith("SELECT review_event.")], seen


def test_the_cells_whole_list_reads_its_members_once_and_a_filtered_list_still_counts_every_ready_one(
    world, auth, client
):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    propose(world, client, "good", "")
    for shown in ("", "?show=draft", "?q=Bình"):  # the whole cell; lists without the proposal in them
        with statements() as seen:
            page = client.get(f"/cell/{world.cell.id}{shown}").get_data(as_text=True)
        assert "Chuyển 1 đề xuất đã ghi lên đảng ủy" in page, shown
        members_read = [s for s in seen if "FROM member JOIN organization" in s]
        assert len(members_read) == (1 if not shown else 2), (shown, members_read)


def _frozen_after(loading: str) -> int:
    """How many objects the garbage collector leaves alone once a new Python has run `loading`."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite://", "SECRET_KEY": "test"}
    code = f"import gc; {loading}; print(gc.get_freeze_count())"
    ran = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, env=env,
                         capture_output=True, text=True)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return int(ran.stdout)


def test_the_servers_entry_point_keeps_what_it_loaded_out_of_the_garbage_collector():
    # A worker's libraries and app live as long as it does; the collector's full passes over them stalled a
    # worker for 80-110 ms every few hundred pages. The app factory alone (the tests' apps) freezes nothing.
    assert _frozen_after("import app") > 50_000
    assert _frozen_after("from evaluation import create_app; create_app()") == 0


def test_the_app_asks_once_whether_a_function_is_a_coroutine_and_forgets_a_function_made_for_one_request(
    app, monkeypatch
):
    def hook(): ...

    async def coroutine(): ...

    monkeypatch.setattr(app, "async_to_sync", lambda func: ("run to its end", func))
    assert app.ensure_sync(hook) is hook and app.ensure_sync(coroutine) == ("run to its end", coroutine)
    assert app.ensure_sync(len) is len  # a builtin takes no weak reference: asked each time

    def made(): ...

    app.ensure_sync(made)
    forgotten = weakref.ref(made)
    del made
    gc.collect()
    assert forgotten() is None
    asked = []
    monkeypatch.setattr(inspect, "iscoroutinefunction", asked.append)
    monkeypatch.setattr(flask.app, "iscoroutinefunction", asked.append)  # Flask's own question
    assert app.ensure_sync(hook) is hook and app.ensure_sync(coroutine) == ("run to its end", coroutine)
    assert asked == []


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_page_writes_its_dates_without_parsing_a_language_into_a_babel_locale(
    world, auth, client, monkeypatch, language
):
    auth.login("member")
    client.get(f"/language/{language}")
    assert client.post(URL, data={**FORM, "version": _version(client)}).status_code == 302
    parsed, parse = [], Locale.parse
    monkeypatch.setattr(
        Locale,
        "parse",
        lambda identifier, *args, **kwargs: parsed.append(identifier) or parse(identifier, *args, **kwargs),
    )
    page = client.get(URL).get_data(as_text=True)
    assert re.search(r"[0-9]{2}[/ ][0-9A-Za-z]{2,3}[/ ][0-9]{4}", page)  # the time the draft was saved
    assert [identifier for identifier in parsed if isinstance(identifier, str)] == []


def test_a_column_read_past_the_orm_still_sees_what_the_session_has_not_written_yet(world, make):
    past = make.period(2024, opened=False)
    for loaded in (world.period, world.m1, past):
        db.session.refresh(loaded)  # loaded now: reading them later would flush the session by itself
    db.session.add(Review(period=past, member=world.m1, form_type=world.m1.form_type, state=ReviewState.DECIDED,
                          final_level=Level.GOOD, sections={"shortcomings": "Còn chậm"}))  # fmt: skip
    assert last_year(world.period, world.m1) == LastYear(["Còn chậm"], Level.GOOD), "flushed before the read"


def test_the_members_form_reads_the_current_period_with_the_login(world, other_app):
    client, engine = _in_a_worker(other_app, "member")
    with statements(engine) as seen:
        page = client.get(URL).get_data(as_text=True)
    assert f"Bản tự kiểm điểm năm {world.period.year}" in page
    login = [s for s in seen if s.startswith("SELECT app_user.")]
    assert len(login) == 1 and "current_period" in login[0], seen
    assert not [s for s in seen if s.startswith("SELECT period.")], seen


def test_the_rollup_page_of_the_year_under_way_reads_its_period_with_the_login(world, other_app):
    client, engine = _in_a_worker(other_app, "leader")
    with statements(engine) as seen:
        page = client.get(f"/orgs/{world.upper.id}?year={world.period.year}").get_data(as_text=True)
    assert f"kỳ đánh giá năm {world.period.year}: {world.period.state.label.lower()}" in page
    assert [s for s in seen if s.startswith("SELECT app_user.") and "current_period" in s], seen
    assert not [s for s in seen if s.startswith("SELECT period.") and "WHERE period.year" in s], seen


def test_the_rollup_page_of_another_year_reads_that_years_period(world, make, other_app):
    past = make.period(world.period.year - 1, opened=False)
    db.session.commit()
    client, engine = _in_a_worker(other_app, "leader")
    with statements(engine) as seen:
        page = client.get(f"/orgs/{world.upper.id}?year={past.year}").get_data(as_text=True)
    assert f"kỳ đánh giá năm {past.year}: {past.state.label.lower()}" in page, "that year's period, not this one"
    # Once: the page asks for it, and so does its rollup.
    assert len([s for s in seen if s.startswith("SELECT period.") and "WHERE period.year" in s]) == 1, seen


def test_a_years_period_is_read_again_once_the_transaction_writes_and_a_missing_one_is_not_kept(world, app):
    from evaluation.periods.operations import create_period, december_deadlines, period_for_year

    following = world.period.year + 1

    def reads() -> int:
        return len([s for s in seen if s.startswith("SELECT period.") and "WHERE period.year" in s])

    with app.test_request_context("/"), statements() as seen:
        assert period_for_year(following) is None
        made = create_period(following, **december_deadlines(following))
        assert period_for_year(following) is made, "a year found missing is asked again"
        db.session.commit()
        asked = reads()
        assert period_for_year(following) is made and period_for_year(following) is made
        assert reads() == asked + 1, "read once in the new transaction"
        made.closing_note = "Ghi chú."
        assert period_for_year(following) is made
        assert reads() == asked + 2, "a transaction that has written reads it again"
    db.session.rollback()


def test_a_root_organizations_page_asks_for_nobody_above_it(world, make, other_app):
    make.user("province_leader", grants=[(world.province, Role.LEADER)])
    db.session.commit()
    client, engine = _in_a_worker(other_app, "province_leader")
    with statements(engine) as at_the_root:
        assert client.get(f"/orgs/{world.province.id}").status_code == 200
    with statements(engine) as below:
        page = client.get(f"/orgs/{world.upper.id}").get_data(as_text=True)
    assert world.province.name in page, "the breadcrumb still names the province above"
    ancestors = "FROM organization WHERE organization.id IN"
    assert not [s for s in at_the_root if ancestors in s], at_the_root
    assert [s for s in below if ancestors in s], below


def test_a_period_opened_after_the_login_was_read_is_the_current_one_at_once(world, app):
    """The period read with the login answers only while its transaction has written nothing: one that closes
    the year and opens the next, or commits, reads the current period again."""
    from evaluation.periods.operations import (
        close_period,
        create_period,
        current_period,
        december_deadlines,
        open_period,
    )
    from evaluation.views.auth import load_user

    with app.test_request_context("/"):
        assert load_user(f"{world.member.id}:{world.member.session_epoch}") is not None
        assert current_period() is world.period
        close_period(world.period, note="Còn đảng viên chưa xếp loại: kết thúc theo chỉ đạo.")
        following = create_period(world.period.year + 1, **december_deadlines(world.period.year + 1))
        open_period(following)
        assert current_period() is following
        db.session.commit()
        assert current_period() is following
    db.session.rollback()


@pytest.mark.parametrize("module", ["evaluation.periods.operations", "evaluation.reports.aggregation"])
def test_a_module_the_login_or_the_rollup_reads_from_imports_on_its_own(module):
    """The statements built at import must not configure the mappers (an alias does): a script or a command that
    imports one of these first would stop on a model not imported yet."""
    ran = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
    assert ran.returncode == 0, ran.stderr


def test_the_list_of_logins_reads_as_many_statements_for_thirty_logins_as_for_a_few(world, make, auth, client):
    """Each login's member, roles and their organizations are read with the list, not one login at a time."""

    def read_for_the_list() -> int:
        db.session.expire_all()  # each count starts from what the database holds, not from the last page's objects
        with statements() as seen:
            page = client.get("/admin/users").get_data(as_text=True)
        assert "Tài khoản và vai trò" in page
        return len(seen)

    auth.login("admin")
    few = read_for_the_list()
    for i in range(30):
        member = make.member(world.cell if i % 2 else world.cell3, f"Đảng viên Thứ {i}")
        make.user(f"dang-vien-{i:02}", member=member, grants=[(world.cell if i % 2 else world.cell3, Role.SECRETARY)])
    page = client.get("/admin/users").get_data(as_text=True)
    assert "dang-vien-29" in page and world.cell3.name in page and "Đảng viên Thứ 28" in page
    assert read_for_the_list() == few


def test_a_committees_list_to_rate_reads_as_many_statements_for_seven_organizations_as_for_four(world, make, other_app):
    """Each organization's review and what is left to decide under it are read for the list at once, on the
    rating page and on the committee's home page (the number it can rate now)."""
    section = make.org(OrgKind.SECTION, world.grassroots, "Đảng bộ bộ phận Khối Một")
    make.member(make.org(OrgKind.CELL, section, "Chi bộ Khối Một A"), "Đảng viên Khối Một A")
    committee, engine = _in_a_worker(other_app, "committee")

    def read_for(url: str) -> tuple[int, str]:
        with statements(engine) as seen:
            page = committee.get(url).get_data(as_text=True)
        return len(seen), page

    rating, home = f"/rating/{world.grassroots.id}", "/"
    few = read_for(rating)[0], read_for(home)[0]
    make.member(make.org(OrgKind.CELL, section, "Chi bộ Khối Một B"), "Đảng viên Khối Một B")
    make.member(make.org(OrgKind.CELL, world.grassroots, "Chi bộ Bảo vệ"), "Đảng viên Bảo vệ")
    count, page = read_for(rating)
    assert "Còn 2 tổ chức trực thuộc chưa được xếp loại: Chi bộ Khối Một A, Chi bộ Khối Một B." in page
    assert page.count("Còn 1 đảng viên chưa có quyết định xếp loại.") == 4  # the second cell and the three new
    assert page.count("Còn 2 đảng viên chưa có quyết định xếp loại.") == 2  # the first cell, the section
    assert (count, read_for(home)[0]) == few
