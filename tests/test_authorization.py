"""Server-side scope: every route, every role. Built from the URL map so no route is forgotten."""

import pytest
import sqlalchemy as sa

from evaluation.extensions import db
from evaluation.reviews.models import Review
from tests.test_journey import write_and_submit

USERS = ["member", "member3", "secretary", "secretary2", "committee", "committee2", "leader", "leader2", "admin"]
MEMBERS = {"member", "member3", "secretary", "committee2"}  # logins linked to a party member

ALL = set(USERS)
# endpoint -> (url built from the world, the logins that may use it). The methods come from the URL map:
# every route is tried with GET and with POST, and a method it does not take must answer 405 to everyone.
VIEWERS = {"committee", "leader", "admin"}  # who reads an organization's results
ROUTES = {
    "home.index": (lambda w: "/", ALL),
    "orgs.roots": (lambda w: "/orgs/", ALL),
    "notices.index": (lambda w: "/notices/", ALL),
    "notices.read_all": (lambda w: "/notices/read", ALL),
    "notices.open_notice": (lambda w: "/notices/1/open", set()),  # the world has no notices; owners: test_period_runs
    "auth.change_password": (lambda w: "/account/password", ALL),
    "auth.end_all_sessions": (lambda w: "/account/sessions/end", ALL),
    "two_factor.setup": (lambda w: "/account/two-factor/", ALL),
    "two_factor.qr": (lambda w: "/account/two-factor/qr.svg", set()),  # only while a setup is under way
    "admin.two_factor_off": (lambda w: f"/admin/users/{w.member.id}/two-factor/off", {"admin"}),
    "member.review": (lambda w: "/my-review/", MEMBERS),
    "member.commitment": (lambda w: "/my-review/commitment", MEMBERS),
    "member.autosave": (lambda w: "/my-review/autosave", MEMBERS),
    "member.confirm": (lambda w: "/my-review/confirm", MEMBERS),
    "member.results": (lambda w: "/my-review/results", MEMBERS),
    "member.year_review": (lambda w: "/my-review/results/2025", set()),  # nothing decided in the world yet
    "member.cell_results": (lambda w: "/my-review/results/2025/cell", set()),
    "member.print_review": (lambda w: "/my-review/print", set()),  # nobody has a review in the world yet
    "cell.print_reviews": (lambda w: f"/cell/{w.cell.id}/print", {"secretary"}),
    "collective.autosave": (lambda w: f"/collective/{w.cell.id}/autosave", {"secretary"}),
    "collective.print_review": (lambda w: f"/collective/{w.cell.id}/print", set()),  # no collective review yet
    "cell.index": (lambda w: f"/cell/{w.cell.id}", {"secretary"}),
    "cell.forward_all": (lambda w: f"/cell/{w.cell.id}/forward", {"secretary"}),
    "cell.meeting": (lambda w: f"/cell/{w.cell.id}/meeting", {"secretary"}),
    "cell.minutes": (lambda w: f"/cell/{w.cell.id}/minutes", {"secretary"}),
    "cell.member": (lambda w: f"/cell/{w.cell.id}/members/{w.m1.id}", {"secretary"}),
    "cell.on_behalf": (lambda w: f"/cell/{w.cell.id}/members/{w.m1.id}/on-behalf", {"secretary"}),
    "committee.index": (lambda w: f"/committee/{w.grassroots.id}", {"committee"}),
    "committee.confirm": (lambda w: f"/committee/{w.grassroots.id}/confirm", {"committee"}),
    "committee.decide_bulk": (lambda w: f"/committee/{w.grassroots.id}/decide", {"committee"}),
    "committee.publish": (lambda w: f"/committee/{w.grassroots.id}/publish", {"committee"}),
    "committee.quota": (lambda w: f"/committee/{w.grassroots.id}/quota", {"committee"}),
    "committee.member": (lambda w: f"/committee/{w.grassroots.id}/members/{w.m1.id}", {"committee"}),
    "collective.review": (lambda w: f"/collective/{w.cell.id}", {"secretary"}),
    "collective.commitment": (lambda w: f"/collective/{w.cell.id}/commitment", {"secretary"}),
    "rating.index": (lambda w: f"/rating/{w.grassroots.id}", {"committee"}),
    "rating.quota": (lambda w: f"/rating/{w.grassroots.id}/quota", {"committee"}),
    "rating.organization": (lambda w: f"/rating/{w.grassroots.id}/orgs/{w.cell.id}", {"committee"}),
    "orgs.show": (lambda w: f"/orgs/{w.grassroots.id}", {"committee", "leader", "admin"}),
    "orgs.report_json": (lambda w: f"/orgs/{w.grassroots.id}/report.json", {"committee", "leader", "admin"}),
    "orgs.findings": (lambda w: f"/orgs/{w.grassroots.id}/findings?year=2025", {"committee", "leader", "admin"}),
    "orgs.dossier": (lambda w: f"/orgs/{w.grassroots.id}/dossier?year=2025", {"committee", "leader", "admin"}),
    "orgs.reratings": (lambda w: f"/orgs/{w.grassroots.id}/reratings?year=2025", {"committee", "leader", "admin"}),
    "orgs.statistics_page": (lambda w: f"/orgs/{w.grassroots.id}/statistics?year=2025", VIEWERS),
    "orgs.statistics_export": (lambda w: f"/orgs/{w.grassroots.id}/statistics.csv?year=2025", VIEWERS),
    "orgs.confirmations_page": (lambda w: f"/orgs/{w.grassroots.id}/confirmations?year=2025", VIEWERS),
    "orgs.confirm": (lambda w: f"/orgs/{w.grassroots.id}/confirmations/confirm?year=2025", {"committee"}),
    "orgs.return_confirmation": (lambda w: f"/orgs/{w.grassroots.id}/confirmations/return?year=2025", {"admin"}),
    "orgs.streaks_page": (lambda w: f"/orgs/{w.grassroots.id}/streaks?year=2025&years=3", VIEWERS),
    "orgs.streaks_export": (lambda w: f"/orgs/{w.grassroots.id}/streaks.csv?year=2025&years=3", VIEWERS),
    "orgs.export": (lambda w: f"/orgs/{w.grassroots.id}/export/members.csv", {"committee", "leader", "admin"}),
    "orgs.save_target": (lambda w: f"/orgs/{w.grassroots.id}/targets/2025", {"committee", "leader", "admin"}),
    "admin.periods": (lambda w: "/admin/", {"admin"}),
    "admin.organizations": (lambda w: "/admin/organizations?q=truong", {"admin"}),
    "admin.organizations_json": (lambda w: "/admin/organizations/search.json?q=mot", {"admin"}),
    "admin.members_json": (lambda w: "/admin/members/search.json?q=an", {"admin"}),
    "admin.member_logins": (lambda w: f"/admin/organizations/{w.cell2.id}/logins", {"admin"}),
    "admin.organization_type": (lambda w: f"/admin/organizations/{w.grassroots.id}/type", {"admin"}),
    "admin.change_period": (lambda w: f"/admin/periods/{w.period.id}/close", {"admin"}),
    "admin.deadlines": (lambda w: f"/admin/periods/{w.period.id}/deadlines", {"admin"}),
    "admin.users": (lambda w: "/admin/users", {"admin"}),
    "admin.user": (lambda w: f"/admin/users/{w.member.id}", {"admin"}),
    "admin.revoke": (lambda w: f"/admin/grants/{w.secretary.grants[0].id}/revoke", {"admin"}),
    "admin.set_active": (lambda w: f"/admin/users/{w.member.id}/disable", {"admin"}),
    "admin.reset_password": (lambda w: f"/admin/users/{w.member.id}/password", {"admin"}),
    "admin.end_sessions": (lambda w: f"/admin/users/{w.member.id}/sessions/end", {"admin"}),
    "admin.unlock": (lambda w: f"/admin/users/{w.member.id}/unlock", {"admin"}),
    "admin.members": (lambda w: "/admin/members?q=an", {"admin"}),
    "admin.move": (lambda w: f"/admin/members/{w.m1.id}/move", {"admin"}),
    "admin.history": (lambda w: "/admin/history", {"admin"}),
    "admin.history_csv": (lambda w: "/admin/history.csv?year=2025", {"admin"}),
    # The leaders' quarters: m2 (Mẫu 2A) is the "secretary" login; the others are not evaluated each quarter.
    "quarter.index": (lambda w: "/my-quarters/", MEMBERS),
    "quarter.show": (lambda w: "/my-quarters/2025/1", {"secretary"}),
    "committee.quarters": (lambda w: f"/committee/{w.grassroots.id}/quarters?quarter=1", {"committee"}),
    "committee.quarter": (lambda w: f"/committee/{w.grassroots.id}/quarters/{w.m2.id}?quarter=1", {"committee"}),
    "orgs.quarters": (lambda w: f"/orgs/{w.grassroots.id}/quarters?year=2025&quarter=1", VIEWERS),
    "orgs.quarters_export": (lambda w: f"/orgs/{w.grassroots.id}/quarters.csv?year=2025&quarter=1", VIEWERS),
    "orgs.quarters_print": (lambda w: f"/orgs/{w.grassroots.id}/quarters/print?year=2025&quarter=1", VIEWERS),
    "admin.quarters": (lambda w: f"/admin/periods/{w.period.id}/quarters", {"admin"}),
    "admin.round_deadlines": (lambda w: f"/admin/periods/{w.period.id}/quarters/1/deadlines", {"admin"}),
}
PUBLIC = {"auth.login", "auth.login_code", "auth.logout", "auth.set_language", "static", "home.favicon"}


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PUBLIC == set(ROUTES), "add the new route to ROUTES with who may use it"


def fingerprint() -> tuple:
    """Every table's row count and every review's version: a refused request must leave it as it was."""
    counts = tuple(db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables)
    return counts, tuple(db.session.execute(sa.select(Review.id, Review.version).order_by(Review.id)).all())


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_role_within_its_scope(endpoint, method, app, world, auth, client):
    url_for_world, allowed = ROUTES[endpoint]
    url = url_for_world(world)
    takes = method in next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint).methods
    client.post("/logout")
    anonymous = client.open(url, method=method)
    if not takes:
        assert anonymous.status_code == 405
    else:
        assert anonymous.status_code == 302 and "/login" in anonymous.location
    # Refusals first: an allowed POST may change what the next login would see.
    for username in sorted(ALL - allowed) + sorted(allowed):
        auth.login(username)
        before = fingerprint()
        status = client.open(url, method=method).status_code
        if not takes:
            assert status == 405, f"{method} {endpoint} by {username}: {status}"
        elif username in allowed:  # an empty POST may be a bad request (400), but not a refusal
            assert status < 400 or status in (400, 422) and method == "POST", (
                f"{username}: {method} {endpoint}, {status}"
            )
        else:
            assert status in (403, 404), f"{username} must not reach {method} {endpoint}, got {status}"
            assert fingerprint() == before, f"{username}'s refused {method} {endpoint} changed the database"


def test_secretary_cannot_open_a_member_of_another_cell_by_id(world, auth, client):
    auth.login("secretary")
    assert client.get(f"/cell/{world.cell.id}/members/{world.m3.id}").status_code == 404
    assert client.get(f"/cell/{world.cell2.id}/members/{world.m3.id}").status_code == 403


def test_committee_cannot_reach_another_committees_member_or_review_by_id(world, auth, client):
    auth.login("committee2")
    client.submit("/my-review/", data={"political": "x", "action": "save"})  # m5's review, under grassroots2
    other = db.session.scalars(db.select(Review)).one()
    auth.login("committee")
    assert client.get(f"/committee/{world.grassroots.id}/members/{world.m5.id}").status_code == 404
    forged = {"review": [f"{other.id}:{other.version}"]}
    assert client.post(f"/committee/{world.grassroots.id}/decide", data=forged).status_code == 404
    assert client.post(f"/committee/{world.grassroots2.id}/decide", data=forged).status_code == 403


def test_leader_sees_only_their_subtree(world, auth, client):
    auth.login("leader")
    assert client.get(f"/orgs/{world.cell.id}").status_code == 200
    assert client.get(f"/orgs/{world.cell3.id}").status_code == 403
    assert client.get(f"/orgs/{world.province.id}").status_code == 403
    assert client.get("/orgs/999999").status_code == 404


def test_a_member_only_ever_sees_their_own_review(world, auth, client):
    auth.login("member3")
    client.submit("/my-review/", data={"political": "Của Lê Văn Cường", "action": "save"})
    auth.login("member")
    page = client.get("/my-review/").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "Của Lê Văn Cường" not in page


def test_posts_without_csrf_token_are_refused(app, world, client):
    app.config["WTF_CSRF_ENABLED"] = True
    from tests.conftest import PASSWORD, csrf_token

    assert client.post("/login", data={"username": "member", "password": PASSWORD}).status_code == 400
    token = csrf_token(client.get("/login").get_data(as_text=True))
    assert (
        client.post("/login", data={"username": "member", "password": PASSWORD, "csrf_token": token}).status_code == 302
    )
    assert client.submit("/my-review/", data={"political": "x", "action": "save"}).status_code == 400
    assert db.session.scalars(db.select(Review)).first() is None


def test_login_redirects_only_to_same_site_paths(world, client):
    from tests.conftest import PASSWORD

    evil = client.post("/login?next=//evil.example/x", data={"username": "member", "password": PASSWORD})
    assert evil.location == "/"
    client.post("/logout")
    ok = client.submit("/login?next=/my-review/", data={"username": "member", "password": PASSWORD})
    assert ok.location == "/my-review/"


def test_wrong_password_is_refused(world, auth):
    page = auth.login("member", "sai-mat-khau").get_data(as_text=True)
    assert "không đúng" in page


def test_a_committee_rates_only_the_organizations_under_it(world, auth, client):
    auth.login("committee")
    assert client.get(f"/rating/{world.grassroots.id}/orgs/{world.cell3.id}").status_code == 404  # another's cell
    assert client.get(f"/rating/{world.grassroots.id}/orgs/{world.grassroots.id}").status_code == 404  # itself
    assert client.get(f"/rating/{world.grassroots2.id}/orgs/{world.cell3.id}").status_code == 403
    auth.login("secretary2")
    assert client.get(f"/collective/{world.cell.id}").status_code == 403


@pytest.mark.parametrize("endpoint", sorted(e for e in ROUTES if ROUTES[e][1]))
def test_a_get_never_writes(endpoint, app, world, auth, client):
    """Reading a page changes nothing: no INSERT, UPDATE or DELETE reaches the database during a GET."""
    if "GET" not in next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint).methods:
        pytest.skip("takes no GET")
    url_for_world, allowed = ROUTES[endpoint]
    auth.login("member")
    write_and_submit(client)  # a review in flight, so the pages have something to show
    writes = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    for username in sorted(allowed):
        auth.login(username)
        sa.event.listen(db.engine, "before_cursor_execute", remember)
        try:
            client.get(url_for_world(world))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", remember)
    assert writes == [], f"GET {endpoint} wrote: {writes[0][:200]}"
