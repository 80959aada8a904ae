"""Publication of the results inside the organization: once the deciding committee publishes a year, each member
sees their cell's list (names and levels) and their own file over the years; nothing else of other members."""

from evaluation.extensions import db
from evaluation.journal import Change, JournalEntry
from evaluation.levels import Level
from evaluation.periods.models import PeriodState
from evaluation.reviews.models import Review, ReviewState
from evaluation.reviews.publication import Publication
from tests.test_checks import review


def decide_everyone(world):
    """Every member under the school's committee decided; m1 with the cell's comments."""
    first = review(world.period, world.m1, ReviewState.DECIDED, Level.GOOD)
    first.cell_comments, first.sections = "Chi bộ ghi nhận tinh thần trách nhiệm.", {"political": "Bản của An"}
    review(world.period, world.m2, ReviewState.DECIDED, Level.EXCELLENT)
    review(world.period, world.m3, ReviewState.DECIDED, Level.COMPLETED)
    db.session.commit()


def publish(world, client):
    url = f"/committee/{world.grassroots.id}/publish?year=2025"
    return client.post(url, follow_redirects=True).get_data(as_text=True)


def test_nothing_is_shown_to_members_until_the_committee_publishes(world, auth, client):
    decide_everyone(world)
    auth.login("member")
    file = client.get("/my-review/results").get_data(as_text=True)
    assert "Chưa công bố" in file and "Hoàn thành tốt nhiệm vụ" not in file
    assert client.get("/my-review/results/2025/cell").status_code == 404
    assert client.get("/my-review/results/2025").status_code == 404


def test_a_published_year_shows_the_cell_list_and_the_members_own_file(world, auth, client):
    decide_everyone(world)
    auth.login("committee")
    assert "Đã công bố kết quả năm 2025" in publish(world, client)
    assert db.session.scalars(db.select(JournalEntry).where(JournalEntry.change == Change.PUBLICATION)).one()
    auth.login("member")
    file = client.get("/my-review/results").get_data(as_text=True)
    assert "Hoàn thành tốt nhiệm vụ" in file and "Chưa công bố" not in file
    cell = client.get("/my-review/results/2025/cell").get_data(as_text=True)
    assert "Trần Thị Bình" in cell and "Hoàn thành xuất sắc nhiệm vụ" in cell  # a cell-mate: name and level
    assert "Lê Văn Cường" not in cell  # another cell of the same committee
    own = client.get("/my-review/results/2025").get_data(as_text=True)
    assert "Bản của An" in own and "Chi bộ ghi nhận tinh thần trách nhiệm." in own


def test_members_read_nothing_of_others_but_names_and_levels(world, auth, client):
    decide_everyone(world)
    mate = db.session.scalars(db.select(Review).where(Review.member_id == world.m2.id)).one()
    mate.sections, mate.cell_comments = {"political": "Điều riêng của Bình"}, "Góp ý riêng cho Bình"
    db.session.commit()
    auth.login("committee")
    publish(world, client)
    auth.login("member")
    cell = client.get("/my-review/results/2025/cell").get_data(as_text=True)
    assert "Điều riêng của Bình" not in cell and "Góp ý riêng cho Bình" not in cell
    assert client.get(f"/cell/{world.cell.id}/members/{world.m2.id}").status_code == 403


def test_a_year_with_a_member_still_undecided_cannot_be_published(world, auth, client):
    review(world.period, world.m1, ReviewState.DECIDED, Level.GOOD)
    auth.login("committee")
    page = publish(world, client)
    assert "Chưa công bố được: còn 2 đảng viên chưa có quyết định xếp loại." in page
    assert db.session.scalars(db.select(Publication)).first() is None
    for member in (world.m2, world.m3):
        review(world.period, member, ReviewState.DECIDED, Level.GOOD)
    assert "Đã công bố" in publish(world, client)
    assert "đã được công bố" in publish(world, client)


def test_a_closed_year_counts_as_published(world, auth, client):
    decide_everyone(world)
    world.period.state = PeriodState.CLOSED
    db.session.commit()
    auth.login("member")
    assert "Trần Thị Bình" in client.get("/my-review/results/2025/cell").get_data(as_text=True)
