"""Whatever comes in: never a 500, always a clear message, nothing changed when it is refused.

Hypothesis throws arbitrary, huge and hostile text, wrong levels and broken files at the forms, the
search boxes and the imports; every text that is stored comes back escaped on the page and
neutralized in the exports.
"""

import io
import re

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.members.models import Member
from evaluation.reviews.forms import VERSION
from evaluation.reviews.formspec import SECTION_MAX_CHARS
from evaluation.reviews.models import Review
from tests.test_authorization import fingerprint
from tests.test_journey import write_and_submit

# Hypothesis warns that function-scoped fixtures are not reset between examples: these tests share the
# world on purpose, and compare it before and after each example where a refusal must leave it as it was.
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "=cmd|' /C calc'!A0",
    "+SUM(A1:A9)",
    '@HYPERLINK("http://evil")',
    "-2+3",
    "Robert'); DROP TABLE review;--",
    "\x00NUL\x00",
    "dòng 1\r\ndòng 2\rdòng 3",
    "\u202eLTR override",
    "Nguyễn Văn An" * 500,
]
texts = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
too_long = st.text(min_size=1, max_size=20).map(lambda s: (s * SECTION_MAX_CHARS)[: SECTION_MAX_CHARS + 7] + "đủ dài")
SECTIONS = ("political", "duties", "commitment", "shortcomings", "measures")


def _escaped_everywhere(page: str, text: str) -> None:
    """A stored text with markup in it is on the page only escaped: no tag of the user's runs."""
    if "<" in text:
        assert "<script>alert" not in page and "<img src=x" not in page


@FUZZ
@given(section=st.sampled_from(SECTIONS), text=texts | too_long, level=st.one_of(st.none(), st.text(max_size=20)))
def test_the_self_review_form_takes_any_text_or_says_why(world, auth, client, section, text, level):
    auth.login("member")
    before = fingerprint()
    data = {section: text, "action": "save"}
    if level is not None:
        data["self_level"] = level
    response = client.submit("/my-review/", data=data)
    assert response.status_code in (200, 302, 400), response.status_code
    page = (
        response.get_data(as_text=True)
        if response.status_code != 302
        else client.get("/my-review/").get_data(as_text=True)
    )
    _escaped_everywhere(page, text)
    if response.status_code != 302:  # refused: the page says why and nothing was written
        assert fingerprint() == before
        if response.status_code == 200:
            assert 'class="error"' in page or "flash error" in page
    review = db.session.scalars(sa.select(Review).where(Review.member_id == world.m1.id)).first()
    if review is not None:
        stored = review.sections.get(section, "")
        assert "\x00" not in stored and "\r" not in stored and len(stored) <= SECTION_MAX_CHARS


@FUZZ
@given(level=st.text(max_size=30), reason=texts, version=st.text(max_size=12))
def test_the_secretary_and_committee_forms_refuse_wrong_levels_clearly(world, auth, client, level, reason, version):
    if db.session.scalar(sa.select(sa.func.count(Review.id))) == 0:  # a submitted review, once for all examples
        auth.login("member")
        write_and_submit(client)
    auth.login("secretary")
    before = fingerprint()
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    response = client.post(url, data={"action": "propose", "p-level": level, "p-reason": reason, "p-version": version})
    assert response.status_code in (200, 302, 400)  # 400: a NUL, refused at the door
    landed = fingerprint() != before
    # Only a known level, on the version the page showed, reaches the review; anything else changes nothing.
    assert not landed or (level.strip() in {lv.value for lv in Level} | {""} and VERSION.fullmatch(version.strip()))
    auth.login("committee")
    before = fingerprint()
    forged = {"review": [f"{version}:{level}", level]}
    bulk = client.post(f"/committee/{world.grassroots.id}/decide", data=forged)
    assert bulk.status_code in (302, 400, 404)
    assert fingerprint() == before  # the review is with the cell, not proposed: no bulk decision can land


@FUZZ
@given(username=st.text(max_size=100), password=st.text(max_size=100), query=st.text(max_size=100))
def test_login_and_search_boxes_never_fail(world, auth, client, username, password, query):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code in (200, 302, 400)
    auth.login("secretary")
    assert client.get(f"/cell/{world.cell.id}", query_string={"q": query}).status_code in (200, 400)
    auth.login("admin")
    for url in ("/admin/members", "/admin/users"):
        assert client.get(url, query_string={"q": query}).status_code in (200, 400)
    assert client.get("/admin/history", query_string={"year": query}).status_code in (200, 400)


@FUZZ
@given(content=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)), suffix=st.sampled_from(
    [".csv", ".xlsx"]))  # fmt: skip
def test_an_import_of_a_broken_file_reports_and_lands_nothing(world, runner, tmp_path_factory, content, suffix):
    path = tmp_path_factory.mktemp("in") / f"dang-vien{suffix}"
    path.write_bytes(content)
    before = fingerprint()
    for command in (["import-members"], ["import-member-ratings", "--year", "2020"], ["import-orgs"]):
        result = runner.invoke(args=[*command, str(path)])
        assert isinstance(result.exception, SystemExit | None), result.exception
        if result.exit_code != 0:
            assert "Lỗi" in result.output or "dòng" in result.output
            assert fingerprint() == before


@FUZZ
@given(name=st.text(min_size=1, max_size=40).map(lambda s: s.strip() or "x"), lead=st.sampled_from("=+-@"))
def test_exported_names_never_run_as_formulas(world, auth, client, name, lead):
    member = Member(code="DV-FUZZ", full_name=lead + name, organization=world.cell, form_type=world.m1.form_type)
    db.session.add(member)
    db.session.commit()
    stored = member.full_name
    auth.login("leader")
    csv_text = client.get(f"/orgs/{world.grassroots.id}/export/members.csv?year=2025").get_data(as_text=True)
    cells = re.findall(r"(?:^|,)\"?('?[=+\-@][^,\"]*)", csv_text, re.M)
    assert all(cell.startswith("'") for cell in cells)
    response = client.get(f"/orgs/{world.grassroots.id}/export/members.xlsx?year=2025")
    sheet = load_workbook(io.BytesIO(response.data))
    response.close()  # the workbook is a temporary file sent from disk
    values = [cell for row in sheet.active.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert "'" + stored in values
    assert not any(value[:1] in "=+-@" for value in values)
    db.session.delete(member)
    db.session.commit()
