"""Nobody decides their own case, and every page offers exactly what the workflow table allows."""

import re

import pytest

from evaluation.auth.models import Role
from evaluation.extensions import db
from evaluation.reviews.models import ReviewState
from tests.test_journey import decided, proposed, review_of, write_and_submit
from tests.test_organizations import decide_members, org_review, rate, submit_collective
from tests.test_workflow_table import EXPECTED

OWN = "trường hợp của chính"


def offered(page: str) -> set[str]:
    """The actions a page's forms post, and entry on behalf, which the page links to its own form."""
    linked = {"enter_on_behalf"} if re.search(r'href="[^"]*/on-behalf"', page) else set()
    return set(re.findall(r'name="action" value="([a-z_]+)"', page)) | linked


def unchanged(world, member, before) -> bool:
    db.session.expire_all()
    review = review_of(world, member)
    return (review.state, review.version, len(review.events)) == before


def snapshot(world, member):
    review = review_of(world, member)
    return review.state, review.version, len(review.events)


def test_a_secretary_does_not_propose_return_or_exempt_their_own_review(world, auth, client, make):
    make.user("deputy", grants=[(world.cell, Role.DEPUTY_SECRETARY)])
    auth.login("secretary")  # Trần Thị Bình: secretary of the cell, and a member of it (m2)
    write_and_submit(client)
    url = f"/cell/{world.cell.id}/members/{world.m2.id}"
    page = client.get(url).get_data(as_text=True)
    assert OWN in page and "deputy" in page  # who acts instead
    assert offered(page) == set()
    before = snapshot(world, world.m2)
    version = str(before[1])
    for action, prefix in (("propose", "p"), ("return", "r"), ("forward", "f"), ("not_classified", "n")):
        data = {"action": action, f"{prefix}-level": "excellent", f"{prefix}-reason": "x", f"{prefix}-version": version,
                f"{prefix}-category": "exempt"}  # fmt: skip
        answer = client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
        assert "Không ai tự" in answer and "deputy" in answer, action
        assert unchanged(world, world.m2, before), action
    auth.login("deputy")
    client.submit(url, data={"action": "propose", "p-level": "good"})
    assert review_of(world, world.m2).proposed_level is not None


def test_a_committee_officer_does_not_decide_send_back_or_reopen_their_own_review(world, auth, client, make):
    make.user("secretary3", grants=[(world.cell3, Role.SECRETARY)])
    make.user("committee3", grants=[(world.grassroots2, Role.COMMITTEE)])
    auth.login("committee2")  # Hoàng Văn Em: committee of grassroots2, and a member of cell3 (m5)
    write_and_submit(client)
    auth.login("secretary3")
    client.submit(f"/cell/{world.cell3.id}/members/{world.m5.id}", data={"action": "propose", "p-level": "good"})
    client.post(f"/cell/{world.cell3.id}/forward")
    auth.login("committee2")
    url = f"/committee/{world.grassroots2.id}/members/{world.m5.id}"
    page = client.get(url).get_data(as_text=True)
    assert OWN in page and "committee3" in page and offered(page) == set()
    before = snapshot(world, world.m5)
    for action, prefix in (("decide", "d"), ("send_back", "s"), ("conditions", "c")):
        data = {
            "action": action,
            f"{prefix}-level": "excellent",
            f"{prefix}-reason": "x",
            f"{prefix}-version": before[1],
        }
        assert "Không ai tự" in client.post(url, data=data, follow_redirects=True).get_data(as_text=True), action
        assert unchanged(world, world.m5, before), action
    selection = {"review": [f"{review_of(world, world.m5).id}:{before[1]}"]}
    bulk = client.post(f"/committee/{world.grassroots2.id}/decide", data=selection, follow_redirects=True)
    assert "Không ai tự" in bulk.get_data(as_text=True) and unchanged(world, world.m5, before)
    auth.login("committee3")
    client.submit(url, data={"action": "decide", "d-level": "good"})
    assert review_of(world, world.m5).state is ReviewState.DECIDED
    auth.login("committee2")
    reopen = {"action": "reopen", "o-reason": "Tự xem lại", "o-version": review_of(world, world.m5).version}
    assert "Không ai tự" in client.post(url, data=reopen, follow_redirects=True).get_data(as_text=True)
    assert review_of(world, world.m5).state is ReviewState.DECIDED


def test_an_officer_who_writes_an_organizations_review_does_not_rate_it(world, auth, client, make):
    make.user("both", grants=[(world.cell, Role.SECRETARY), (world.grassroots, Role.COMMITTEE)])
    for member in (world.m1, world.m2):  # members are decided before their cell can be rated
        auth.login("member" if member is world.m1 else "secretary")
        write_and_submit(client)
    auth.login("both")
    submit_collective(client, world.cell)
    url = f"/rating/{world.grassroots.id}/orgs/{world.cell.id}"
    page = client.get(url).get_data(as_text=True)
    assert OWN in page and "committee" in page and offered(page) == set()
    review = org_review(world.cell)
    data = {"action": "decide", "d-level": "excellent", "d-version": review.version}
    assert "Không ai tự" in client.post(url, data=data, follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert org_review(world.cell).state is ReviewState.SUBMITTED


@pytest.mark.parametrize("stage", ["draft", "submitted", "proposed", "decided"])
def test_each_roles_page_offers_what_the_table_allows_at_each_stage(world, auth, client, stage):
    if stage == "draft":
        auth.login("member")
        client.submit("/my-review/", data={"political": "Nháp", "action": "save"})
    elif stage == "submitted":
        auth.login("member")
        write_and_submit(client)
    elif stage == "proposed":
        proposed(world, auth, client)
    else:
        decided(world, auth, client)
    state = review_of(world).state.value
    assert state == stage
    pages = {
        "secretary": ("cell", f"/cell/{world.cell.id}/members/{world.m1.id}"),
        "committee": ("committee", f"/committee/{world.grassroots.id}/members/{world.m1.id}"),
    }
    for username, (capacity, url) in pages.items():
        auth.login(username)
        table = EXPECTED.get((state, capacity), {})  # the page posts "not_classified" for that action
        expected = {"not_classified" if action == "mark_not_classified" else action for action in table}
        assert offered(client.get(url).get_data(as_text=True)) == expected, (username, stage)
    auth.login("member")
    member_page = client.get("/my-review/").get_data(as_text=True)
    writes = {"save", "submit"} <= set(re.findall(r'name="action" value="([a-z_]+)"', member_page))
    assert writes == (stage == "draft")


@pytest.mark.parametrize("stage", ["draft", "submitted", "decided"])
def test_the_organization_pages_offer_what_the_table_allows_at_each_stage(world, auth, client, stage):
    decide_members(world, world.m1, world.m2)  # a cell is rated once its members are decided
    auth.login("secretary")
    if stage == "draft":
        client.submit(f"/collective/{world.cell.id}", data={"tasks": "Nháp", "action": "save"})
    else:
        submit_collective(client, world.cell)
    if stage == "decided":
        auth.login("committee")
        rate(client, world.grassroots, world.cell, "good")
    state = org_review(world.cell).state.value
    assert state == stage
    auth.login("committee")
    rating_page = client.get(f"/rating/{world.grassroots.id}/orgs/{world.cell.id}").get_data(as_text=True)
    assert offered(rating_page) == set(EXPECTED.get((state, "rating"), {}))
    auth.login("secretary")
    writes = {"save", "submit"} <= offered(client.get(f"/collective/{world.cell.id}").get_data(as_text=True))
    assert writes == (stage == "draft")
