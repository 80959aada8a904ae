"""Lighthouse's accessibility score of the pages people use most, on the demo province.

    .venv/bin/python bench/lighthouse.py [--lighthouse PATH]

Builds the demo on a fresh SQLite file, serves it on 127.0.0.1, logs each person in with Playwright in a
Chromium that Lighthouse then drives (its debugging port), and prints `lighthouse_<page>_<desktop|mobile>:
score` lines. Lighthouse is Node software, not part of the stack: install it apart, e.g.
`npm i -E lighthouse@12.2.3` (13 wants Node 22). The tests audit the same pages with axe-core, the engine
of this score (tests/browser/test_accessibility.py); this script gives the figure the README quotes.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {"member_form": ("dangvien", "/my-review/"), "cell": ("bithu", "/cell/{cell}"),
         "committee": ("danguy", "/committee/{school}"), "province": ("lanhdao", "/orgs/{province}")}  # fmt: skip
OWN_PASSWORD = "mot cau de nho cho lighthouse"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_ids(database_url: str) -> dict[str, int]:
    from evaluation import create_app, demo
    from evaluation.extensions import db
    from evaluation.members.models import Member
    from evaluation.org.models import Organization

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        import flask_migrate

        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        demo.seed()
        db.session.commit()
        member = db.session.scalars(db.select(Member).where(Member.code == "DV-DEMO-1")).one()
        org = lambda code: db.session.scalars(db.select(Organization).where(Organization.code == code)).one().id  # noqa: E731
        return {"cell": member.organization_id, "school": org("PDP-THPT"), "province": org("TN")}


def log_in(page, base: str, username: str) -> None:
    from evaluation.demo import DEMO_PASSWORD

    page.goto(base + "/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    if "/account/password" in page.url:  # the demo's password is changed at first login
        page.get_by_label("Mật khẩu hiện tại").fill(DEMO_PASSWORD)
        page.get_by_label("Mật khẩu mới", exact=True).fill(OWN_PASSWORD)
        page.get_by_label("Nhập lại mật khẩu mới").fill(OWN_PASSWORD)
        page.get_by_role("button", name="Đổi mật khẩu").click()
        page.wait_for_load_state()


def score(lighthouse: str, url: str, port: int, preset: str) -> tuple[float, str]:
    args = [lighthouse, url, "--only-categories=accessibility", "--output=json", "--quiet", f"--port={port}",
            "--disable-storage-reset", *(["--preset=desktop"] if preset == "desktop" else [])]  # fmt: skip
    report = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)
    return report["categories"]["accessibility"]["score"], report["finalDisplayedUrl"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE", "lighthouse"))
    args = parser.parse_args()
    database_url = f"sqlite:///{tempfile.mkdtemp()}/lighthouse.sqlite"
    ids = demo_ids(database_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": database_url, "RATELIMIT_ENABLED": "0"}
    server = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "run", "-p", str(port)], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(100):  # until it answers
            try:
                urllib.request.urlopen(base + "/login")
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as playwright:
            for name, (username, path) in PAGES.items():
                debugging = free_port()
                browser = playwright.chromium.launch_persistent_context(
                    tempfile.mkdtemp(), executable_path="/usr/bin/chromium", headless=True,
                    args=[f"--remote-debugging-port={debugging}"],
                )  # fmt: skip
                log_in(browser.new_page(), base, username)
                for preset in ("desktop", "mobile"):
                    value, seen = score(args.lighthouse, base + path.format(**ids), debugging, preset)
                    assert "/login" not in seen, f"{username} was not logged in"
                    print(f"lighthouse_{name}_{preset}: {value:.2f}")
                browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
