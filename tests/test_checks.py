"""The regulation's checks where the committee decides: refused, warned, recorded."""

from datetime import date

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.org.models import Organization
from evaluation.reviews.checks import quota_findings
from evaluation.reviews.counts import quota_groups
from evaluation.reviews.models import QuotaException, Review, ReviewEvent, ReviewState

E, G, C, N, X = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED, Level.NOT_CLASSIFIED


def review(period, member, state: ReviewState, level: Level, score=(27, 63)) -> Review:
    """A review already at `state`: proposed with `level`, or decided at it."""
    made = Review(period=period, member=member, form_type=member.form_type, state=state, proposed_level=level)
    made.self_score_general, made.self_score_tasks = score
    made.final_level = level if state is ReviewState.DECIDED else None
    db.session.add(made)
    db.session.commit()
    return made


def committee_page(world, client, member) -> str:
    return client.get(f"/committee/{world.grassroots.id}/members/{member.id}").get_data(as_text=True)


def decide(world, client, member, level: str):
    url = f"/committee/{world.grassroots.id}/members/{member.id}"
    data = {"action": "decide", "d-level": level, "d-version": db.session.get(Review, member_review(member).id).version}
    return client.submit(url, data=data, follow_redirects=True).get_data(as_text=True)


def member_review(member) -> Review:
    return db.session.scalars(db.select(Review).where(Review.member_id == member.id)).one()


def group_of_five_good_and_one_excellent(world, make):
    for i in range(5):
        review(world.period, make.member(world.cell2, f"Đảng viên Tốt {i}"), ReviewState.DECIDED, G)
    review(world.period, world.m3, ReviewState.DECIDED, E)


def test_an_excellent_over_the_quota_is_refused_until_the_committee_writes_why(world, make, auth, client):
    group_of_five_good_and_one_excellent(world, make)  # quota: 20% of 5 = 1 excellent, already used
    review(world.period, world.m1, ReviewState.PROPOSED, E, score=(29, 66))
    auth.login("committee")
    assert "2 hoàn thành xuất sắc, vượt 20% của 5 hoàn thành tốt (tối đa 1)" in committee_page(world, client, world.m1)
    page = decide(world, client, world.m1, "excellent")
    assert "Vượt tỷ lệ" in page and member_review(world.m1).state is ReviewState.PROPOSED
    reason = "Chi bộ dẫn đầu phong trào thi đua của trường"
    client.post(f"/committee/{world.grassroots.id}/quota", data={"reason": reason})
    decide(world, client, world.m1, "excellent")
    assert member_review(world.m1).final_level is E
    exception = db.session.scalars(db.select(QuotaException)).one()
    assert exception.reason == reason and exception.for_members
    auth.login("leader")
    assert reason in client.get(f"/orgs/{world.grassroots.id}").get_data(as_text=True)


def test_outstanding_results_raise_the_quota_to_25_percent(world, make, auth, client):
    for i in range(8):
        review(world.period, make.member(world.cell2, f"Đảng viên Tốt {i}"), ReviewState.DECIDED, G)
    review(world.period, world.m3, ReviewState.DECIDED, E)
    review(world.period, world.m1, ReviewState.PROPOSED, E, score=(29, 66))  # 2 of 8 good: 25%, not 20%
    auth.login("committee")
    assert "Vượt tỷ lệ" in decide(world, client, world.m1, "excellent")
    client.post(f"/committee/{world.grassroots.id}/quota", data={"outstanding": "y", "reason": ""})
    decide(world, client, world.m1, "excellent")
    assert member_review(world.m1).final_level is E


def test_a_bulk_decision_over_the_quota_lands_nothing(world, make, auth, client):
    group_of_five_good_and_one_excellent(world, make)
    first = review(world.period, world.m1, ReviewState.PROPOSED, G)
    second = review(world.period, world.m2, ReviewState.PROPOSED, E, score=(29, 66))
    auth.login("committee")
    selection = {"review": [f"{first.id}:{first.version}", f"{second.id}:{second.version}"]}
    confirm = client.post(f"/committee/{world.grassroots.id}/confirm", data=selection).get_data(as_text=True)
    assert "Tỷ lệ xuất sắc của đảng bộ sau khi quyết định" in confirm and "(tối đa 1)" in confirm
    page = client.post(f"/committee/{world.grassroots.id}/decide", data=selection, follow_redirects=True)
    assert "Vượt tỷ lệ" in page.get_data(as_text=True)
    assert {r.state for r in db.session.scalars(db.select(Review).where(Review.id.in_([first.id, second.id])))} == {
        ReviewState.PROPOSED
    }


def test_good_decisions_pass_even_when_the_group_is_already_over(world, make, auth, client):
    review(world.period, world.m3, ReviewState.DECIDED, E)  # 1 excellent, 0 good: over, from earlier
    review(world.period, world.m1, ReviewState.PROPOSED, G)
    auth.login("committee")
    decide(world, client, world.m1, "good")
    assert member_review(world.m1).final_level is G


def test_the_form_offers_no_level_above_the_score_and_says_why(world, auth, client):
    review(world.period, world.m1, ReviewState.PROPOSED, G, score=(25, 50))  # 75 points: good at most
    auth.login("committee")
    page = committee_page(world, client, world.m1)
    assert 'value="excellent"' not in page and 'value="good"' in page and "75 điểm: tối đa" in page
    refused = decide(world, client, world.m1, "excellent")
    assert "Not a valid choice" in refused or "không hợp lệ" in refused
    assert member_review(world.m1).state is ReviewState.PROPOSED


def test_discipline_caps_at_not_completed_unless_the_self_report_exception_is_recorded(world, auth, client):
    proposal = review(world.period, world.m1, ReviewState.PROPOSED, G)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}/members/{world.m1.id}"
    client.post(url, data={"action": "conditions", "c-conditions": ["discipline"], "c-version": proposal.version})
    page = committee_page(world, client, world.m1)
    assert 'value="good"' not in page and 'value="not_completed"' in page
    assert "Bị kỷ luật từ khiển trách trở lên trong năm → tối đa “Không hoàn thành nhiệm vụ”" in page
    assert "không thể quyết định" in page  # the cell's proposal of good is flagged before deciding
    version = member_review(world.m1).version
    exception = "Tự phát hiện, báo cáo và khắc phục hậu quả"
    data = {
        "action": "conditions",
        "c-conditions": ["discipline"],
        "c-exception_reason": exception,
        "c-version": version,
    }
    client.submit(url, data=data)
    assert 'value="good"' in committee_page(world, client, world.m1)
    decide(world, client, world.m1, "good")
    assert member_review(world.m1).final_level is G
    actions = list(db.session.scalars(db.select(ReviewEvent.reason).where(ReviewEvent.action == "conditions")))
    assert any(exception in reason for reason in actions)


def test_a_member_admitted_in_the_last_six_months_is_not_classified_never_rated(world, auth, client):
    world.m1.joined_date = date(2025, 8, 1)
    db.session.commit()
    review(world.period, world.m1, ReviewState.PROPOSED, G)
    auth.login("committee")
    page = committee_page(world, client, world.m1)
    assert "chưa đủ 6 tháng đến ngày 31/12/2025: không xếp loại" in page
    decision = page[page.index('name="d-level"') : page.index("</select>", page.index('name="d-level"'))]
    assert 'value="not_classified"' in decision and 'value="good"' not in decision
    refused = decide(world, client, world.m1, "good")  # a forged post
    assert 'class="flash error"' in refused and member_review(world.m1).state is ReviewState.PROPOSED
    decide(world, client, world.m1, "not_classified")
    assert (member_review(world.m1).final_level, member_review(world.m1).not_classified_category) == (X, "new_member")


def test_the_reference_date_of_the_six_months_is_configurable(app, world, auth, client):
    world.m1.joined_date = date(2025, 6, 20)  # more than six months before 31/12, less before 15/12
    db.session.commit()
    review(world.period, world.m1, ReviewState.PROPOSED, G)
    auth.login("committee")
    assert "chưa đủ 6 tháng" not in committee_page(world, client, world.m1)
    app.config["NEW_MEMBER_REFERENCE"] = {"qd366": (15, 12)}
    assert "chưa đủ 6 tháng đến ngày 15/12/2025" in committee_page(world, client, world.m1)


def test_two_years_not_completed_are_flagged_to_the_committee(world, make, auth, client):
    review(make.period(2024, opened=False), world.m1, ReviewState.DECIDED, N, score=(10, 20))
    db.session.add(review_in_2025 := Review(period=world.period, member=world.m1, form_type=world.m1.form_type))
    review_in_2025.state, review_in_2025.proposed_level = ReviewState.PROPOSED, N
    db.session.commit()
    auth.login("committee")
    assert "2 năm liền không hoàn thành nhiệm vụ" in committee_page(world, client, world.m1)


def test_cli_check_lists_every_violation_in_the_subtree_and_exits_1(world, make, runner):
    group_of_five_good_and_one_excellent(world, make)
    review(world.period, world.m1, ReviewState.DECIDED, E, score=(25, 50))  # 75 points rated excellent
    result = runner.invoke(args=["check", "--year", "2025", world.upper.code])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{world.grassroots.code} quota: Đảng bộ Trường Một: 2 hoàn thành xuất sắc, vượt 20% của 5" in result.output
    assert any(line.startswith(f"{world.m1.code} score: 75 điểm") for line in lines)
    assert "2 vi phạm" in lines[-1]
    clean = runner.invoke(args=["check", "--year", "2025", world.upper2.code])
    assert clean.exit_code == 0 and "0 vi phạm" in clean.output


def test_cli_check_sees_imported_results_and_a_recorded_reason(world, make, runner):
    group_of_five_good_and_one_excellent(world, make)
    review(world.period, world.m1, ReviewState.DECIDED, E)
    db.session.add(QuotaException(period_id=world.period.id, organization=world.grassroots, for_members=True,
                                  reason="Kết quả nổi bật"))  # fmt: skip
    db.session.commit()
    result = runner.invoke(args=["check", "--year", "2025"])
    assert result.exit_code == 0 and "lý do của cấp ủy: Kết quả nổi bật" in result.output
    assert runner.invoke(args=["check", "--year", "2019"]).exit_code == 1
    db.session.add(QuotaException(period_id=world.period.id, organization=world.grassroots, for_members=True,
                                  reason=""))  # fmt: skip
    db.session.commit()  # withdrawn: the latest decision is in force
    assert "Kết quả nổi bật" not in runner.invoke(args=["check", "--year", "2025"]).output


def test_the_bands_judge_the_score_the_committee_accepts(world, auth, client):
    """The self-score is the member's proposal: a committee that accepts 92 may decide excellent for a
    member who wrote 75, and one that accepts 80 may not for a member who wrote 95."""
    review(world.period, world.m1, ReviewState.PROPOSED, E, score=(25, 50))
    review(world.period, world.m3, ReviewState.PROPOSED, E, score=(28, 67))
    auth.login("committee")
    for member, accepted, allowed in ((world.m1, (28, 64), True), (world.m3, (25, 55), False)):
        url = f"/committee/{world.grassroots.id}/members/{member.id}"
        data = {"action": "conditions", "c-score_general": accepted[0], "c-score_tasks": accepted[1],
                "c-version": member_review(member).version}  # fmt: skip
        client.submit(url, data=data)
        stored = member_review(member)
        assert (stored.accepted_score, stored.self_score) == (sum(accepted), 75 if member is world.m1 else 95)
        assert ('value="excellent"' in committee_page(world, client, member)) is allowed
    page = committee_page(world, client, world.m3)
    assert "80 điểm: tối đa “Hoàn thành tốt nhiệm vụ”" in page and "data-score-out" in page
    events = db.session.scalars(db.select(ReviewEvent.reason).where(ReviewEvent.action == "conditions")).all()
    assert any("điểm chấp nhận: 92/100" in reason for reason in events)


def test_half_a_score_is_refused_and_nothing_is_recorded(world, auth, client):
    review(world.period, world.m1, ReviewState.PROPOSED, G)
    auth.login("committee")
    url = f"/committee/{world.grassroots.id}/members/{world.m1.id}"
    data = {
        "action": "conditions",
        "c-score_general": "28",
        "c-score_tasks": "",
        "c-version": member_review(world.m1).version,
    }
    page = client.submit(url, data=data, follow_redirects=True).get_data(as_text=True)
    assert "Ghi đủ cả hai phần điểm" in page and member_review(world.m1).accepted_score_general is None


def test_a_subtrees_quota_findings_are_the_provinces_for_its_committees(world, make):
    """A committee's quota groups hold only results under it, so a subtree's are counted from the subtree's
    results alone, and are those of the whole province for the committees in it."""
    for org, count in ((world.cell, 3), (world.cell2, 2), (world.small, 2), (world.cell3, 3)):
        for i in range(count):
            review(world.period, make.member(org, f"Đảng viên Xuất sắc {i}"), ReviewState.DECIDED, E)
    for org in (world.cell, world.cell2, world.grassroots, world.small, world.cell3):  # each group all excellent
        db.session.add(Review(period=world.period, organization=org, state=ReviewState.DECIDED, final_level=E))
    db.session.commit()
    everywhere = list(quota_findings(world.period))
    roots = (world.province, world.upper, world.upper2, world.grassroots, world.small, world.cell)
    for root in roots:
        under = {org.id: org.code for org in db.session.scalars(db.select(Organization).where(root.subtree_clause()))}
        for members in (True, False):
            groups = {
                key: tally.counts for key, tally in quota_groups(world.period, members=members, root=root).items()
            }
            province = quota_groups(world.period, members=members)
            assert {key: groups[key] for key in groups if key[0] in under} == {
                key: tally.counts for key, tally in province.items() if key[0] in under
            }, root.code
        expected = [(code, finding) for code, finding in everywhere if code in under.values()]
        assert list(quota_findings(world.period, root)) == expected, root.code
    # Not a comparison of empty lists: over the quota are the members of the grassroots organization and of the
    # chi bộ cơ sở, and the organizations the grassroots committee and the upper one rate.
    assert {world.grassroots.code, world.small.code, world.upper.code} <= {code for code, _ in everywhere}
