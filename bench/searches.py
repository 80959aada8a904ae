"""The administrator's searches (the members' and organizations' pages and pickers) on a generated province.

    .venv/bin/python bench/searches.py [--members 100000] [--database-url URL [--reuse]]

Without --database-url it uses a fresh SQLite file; a PostgreSQL URL is wiped first, unless --reuse measures
what an earlier run (or `flask generate`) made there. The generated names are "Nguyễn Văn <number>" and
"Chi bộ <number>", so a search for "nguyen" matches every member (the picker's first letters) and one for a
whole name matches one. Prints one `name: value unit` line per search, the median of seven runs, with the
rows found.
"""

import argparse
import sys
import time
from pathlib import Path

import flask_migrate

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import bench_database, median_ms  # noqa: E402
from evaluation import create_app  # noqa: E402
from evaluation.extensions import db  # noqa: E402
from evaluation.generate import generate  # noqa: E402
from evaluation.members.operations import search_members  # noqa: E402
from evaluation.org.operations import search_organizations  # noqa: E402

GOAL_MS = 50  # a picker answers as the administrator types


def searches(members: int) -> dict:
    """name: (search function, what is typed): a rare and a common part of a name, and a code, of each."""
    number = members * 3 // 4
    return {
        "member_whole_name": (search_members, f"nguyen van {number}"),
        "member_common_name": (search_members, "nguyen"),
        "member_two_letters": (search_members, "va"),
        "member_code_any_case": (search_members, f"m{number:08d}"),
        "member_absent_name": (search_members, "tran thi"),
        "organization_whole_name": (search_organizations, f"chi bo {members // 40}"),
        "organization_common_name": (search_organizations, "chi bo"),
        "organization_code_start": (search_organizations, "g00012"),
        "organization_absent_name": (search_organizations, "phuong hai"),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="Measure the database an earlier run generated.")
    args = parser.parse_args()
    url = args.database_url if args.reuse else bench_database(args.database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        start = time.perf_counter()
        flask_migrate.upgrade()
        print(f"migrations: {time.perf_counter() - start:.1f} s")
        members = generate(args.members, seed=1, years=[], open_year=None)["members"] if not args.reuse else 0
        db.session.commit()
        members = members or db.session.scalar(db.text("SELECT count(*) FROM member"))
        for name, (search, typed) in searches(members).items():
            found = len(search(typed))
            took = median_ms(lambda s=search, t=typed: s(t))
            print(f"search_{name}: {took:.1f} ms ({found} found for {typed!r}; goal {GOAL_MS} ms)")
        db.engine.dispose()


if __name__ == "__main__":
    main()
