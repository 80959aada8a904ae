"""Vietnamese by default, English complete: every extracted string is translated, and the English pages
hold no Vietnamese beyond the data people typed (names, review text)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

from evaluation import framework as frameworks
from tests.test_journey import TEXT, write_and_submit

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
PAGES = {
    "member": ["/", "/my-review/", "/account/password"],
    "secretary": ["/cell/{w.cell.id}", "/cell/{w.cell.id}/members/{w.m1.id}", "/collective/{w.cell.id}",
                  "/my-quarters/", "/my-quarters/2025/1"],
    "committee": ["/committee/{w.grassroots.id}", "/committee/{w.grassroots.id}?show=all",
                  "/committee/{w.grassroots.id}/members/{w.m1.id}", "/rating/{w.grassroots.id}",
                  "/rating/{w.grassroots.id}/orgs/{w.cell.id}", "/committee/{w.grassroots.id}/quarters",
                  "/committee/{w.grassroots.id}/quarters/{w.m2.id}?quarter=1"],
    "leader": ["/orgs/", "/orgs/{w.upper.id}", "/orgs/{w.cell.id}"],
    "admin": ["/admin/", "/admin/users", "/admin/users/{w.secretary.id}", "/admin/members?q=a",
              "/admin/members/{w.m1.id}/move", "/admin/history", "/admin/periods/{w.period.id}/quarters"],
}  # fmt: skip


# A province's quarterly framework is its own guide's wording, in Vietnamese like the names people typed.
_FRAMEWORK = frameworks.get(frameworks.DEFAULT)
FRAMEWORK_TEXT = [_FRAMEWORK.name, _FRAMEWORK.general_title, _FRAMEWORK.tasks_title,
                  *(g.title for g in _FRAMEWORK.groups), *(c.text for c in _FRAMEWORK.criteria),
                  *(a.title for a in _FRAMEWORK.areas)]  # fmt: skip


def _catalog(read, path: Path):
    with path.open("rb") as file:
        return read(file)


def test_every_string_marked_in_the_code_has_its_english(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "extract", "--ignore-dirs=.* __pycache__ .venv", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "N_", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    wanted = {m.id for m in _catalog(read_po, pot) if m.id}
    english = {m.id: m.string for m in _catalog(read_po, PO) if m.id}
    untranslated = sorted(m for m in wanted if not english.get(m))
    assert untranslated == [], "run scripts/translations.sh and translate these"
    compiled = {m.id: m.string for m in _catalog(read_mo, PO.with_suffix(".mo")) if m.id}
    assert compiled == {k: v for k, v in english.items() if k in compiled} and set(wanted) <= set(compiled), (
        "messages.mo is older than messages.po: run scripts/translations.sh"
    )


def english(client) -> None:
    """Switch to English. The tests keep one app context for all their requests, so Flask-Babel's
    locale cached on `g` is dropped too (in production every request has its own)."""
    client.get("/language/en")
    refresh()


def _visible(html: str) -> str:
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("username", sorted(PAGES))
def test_the_english_pages_hold_no_vietnamese_but_the_data(world, auth, client, username):
    auth.login("member")
    write_and_submit(client)
    data = [*TEXT.values(), *(o.name for o in (world.province, world.upper, world.upper2, world.grassroots,
            world.cell, world.cell2, world.small, world.grassroots2, world.cell3)),
            *(m.full_name for m in (world.m1, world.m2, world.m3, world.m4, world.m5)), *FRAMEWORK_TEXT]  # fmt: skip
    auth.login(username)
    client.get("/")  # shows the "logged out" notice flashed in Vietnamese before the switch
    english(client)
    for path in PAGES[username]:
        page = client.get(path.format(w=world))
        assert page.status_code == 200, path
        text = _visible(page.get_data(as_text=True))
        for value in sorted(data, key=len, reverse=True):
            text = text.replace(value, " ")
        text = text.replace("Tiếng Việt", " ")  # the link back to Vietnamese
        text = re.sub(r"\b(QĐ|\d+-QĐ/TW,?)(?=\s)", " ", text)  # a regulation's number is a proper name
        leftovers = sorted({w for w in text.split() if VIETNAMESE.search(w)})
        assert leftovers == [], f"{path}: {leftovers}"


def test_vietnamese_is_the_default_whatever_the_browser_asks(world, client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="vi"' in page and "Đăng nhập" in page and ">English<" in page
    client.get("/language/en")
    refresh()
    in_english = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in in_english and "Log in" in in_english and ">Tiếng Việt<" in in_english
    assert client.get("/language/en?next=//evil.example/").location == "/"  # same site only


def test_numbers_and_dates_follow_the_language_and_exports_stay_vietnamese(world, auth, client):
    auth.login("leader")
    vietnamese = client.get(f"/orgs/{world.upper.id}").get_data(as_text=True)
    english(client)
    in_english = client.get(f"/orgs/{world.upper.id}").get_data(as_text=True)
    assert "evaluation period 2025" not in vietnamese and "evaluation period 2025" in in_english
    csv = client.get(f"/orgs/{world.grassroots.id}/export/members.csv?year=2025").get_data(as_text=True)
    assert csv.lstrip("\ufeff").startswith("Mã đảng viên,Họ và tên") and "Chưa bắt đầu" in csv
    auth.login("admin")
    english(client)
    periods = client.get("/admin/").get_data(as_text=True)
    assert "Opens 01 Dec 2025" in periods and "Mở 01/12/2025" not in periods


def test_a_notice_reads_in_the_readers_language(world, auth, client):
    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.submit(f"/cell/{world.cell.id}/members/{world.m1.id}", data={"action": "return", "r-reason": "Bổ sung"})
    auth.login("member")
    vietnamese = client.get("/notices/").get_data(as_text=True)
    assert "Bản kiểm điểm năm 2025 của đồng chí Nguyễn Văn An được trả lại để sửa: Bổ sung" in vietnamese
    english(client)
    in_english = client.get("/notices/").get_data(as_text=True)
    assert "The 2025 review of comrade Nguyễn Văn An was returned for revision: Bổ sung" in in_english


def test_the_form_librarys_own_messages_speak_the_pages_language(world, auth, client):
    auth.login("admin")
    data = {"username": "ab", "password": "mot cau rat dai va kho doan"}
    page = client.post("/admin/users", data=data).get_data(as_text=True)
    assert "Cần từ 3 đến 80 ký tự." in page and "Field must be" not in page
    english(client)
    assert "Field must be between 3 and 80 characters long." in client.post("/admin/users", data=data).get_data(
        as_text=True
    )


def test_answers_to_a_post_speak_english_too(world, auth, client):
    """Flashes, form errors and refusals, not only the pages a GET shows."""
    from tests.test_journey import proposed

    proposed(world, auth, client)
    auth.login("committee")
    english(client)
    url = f"/committee/{world.grassroots.id}/members/{world.m1.id}"
    refused = client.submit(url, data={"action": "send_back", "s-reason": ""}).get_data(as_text=True)
    assert "A reason is required." in refused and "Cần ghi rõ lý do" not in refused
    done = client.submit(url, data={"action": "decide", "d-level": "good"}, follow_redirects=True)
    assert "Level decided." in done.get_data(as_text=True)


@pytest.mark.parametrize(
    ("username", "path", "status"),
    [("member", "/admin/", 403), ("leader", "/orgs/99999999", 404), ("member", "/notices/1/open", 405)],
)
def test_error_pages_speak_english_too(world, auth, client, username, path, status):
    auth.login(username)
    client.get("/")  # shows the "logged out" notice flashed in Vietnamese before the switch
    english(client)
    page = client.get(path)
    assert page.status_code == status
    text = _visible(page.get_data(as_text=True)).replace("Tiếng Việt", " ")
    assert sorted({w for w in text.split() if VIETNAMESE.search(w)}) == [], path


def test_a_workflow_refusal_speaks_english(world, auth, client):
    """A transition the workflow table refuses (the review is not with the cell yet), worded in English."""
    from tests.test_journey import review_of

    auth.login("member")
    write_and_submit(client)
    auth.login("secretary")
    client.get("/")
    english(client)
    url = f"/cell/{world.cell.id}/members/{world.m1.id}"
    data = {"action": "return", "r-reason": "Thiếu số liệu", "r-version": review_of(world).version}
    client.submit(url, data=data)  # returned: the member has it now
    refused = client.submit(url, data={**data, "r-version": review_of(world).version}).get_data(as_text=True)
    flashes = " ".join(re.findall(r'class="flash error"[^>]*>(.*?)<', refused, flags=re.S))
    assert flashes and not VIETNAMESE.search(flashes.replace("Thiếu số liệu", "")), flashes
