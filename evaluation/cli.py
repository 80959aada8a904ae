"""Command-line entry points; they call the same operations as the pages and commit once."""

import json
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import NoReturn

import click

from . import journal
from .errors import DomainError
from .extensions import db
from .i18n import N_
from .members.operations import MEMBER_COLUMNS, OPTIONAL_MEMBER_COLUMNS, import_members
from .org.operations import import_orgs
from .reviews.imports import MEMBER_RATINGS, ORG_RATINGS, RatedSubject, import_quarter_ratings, import_ratings
from .tabular import TableError, read_rows


def _fail(message: str) -> NoReturn:
    db.session.rollback()
    click.echo(f"Lỗi: {message}", err=True)
    sys.exit(1)


def _counted(items, bar):
    for item in items:
        yield item
        bar.update(1)


def _run_import(path: str, required: set[str], optional: set[str], operation: Callable, what: str) -> None:
    """Read, import, and commit only if every row is good; otherwise list each bad row and exit 1."""
    try:
        rows = read_rows(path, required, optional)
        with click.progressbar(length=len(rows), label=f"Nhập {what}", file=sys.stderr) as bar:
            summary, errors = operation(rows, progress=lambda items: _counted(items, bar))
    except (TableError, DomainError) as exc:
        _fail(str(exc))
    if errors:
        db.session.rollback()
        click.echo(f"Không nhập gì: {len(errors.errors)} dòng lỗi trong {path}:", err=True)
        for line in errors.lines():
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    said = (
        f"Đã nhập {what}: {summary.created} mới, {summary.updated} cập nhật, "
        f"{summary.unchanged} không đổi ({len(rows)} dòng)."
    )
    journal.write(  # the command line acts as nobody
        journal.Change.IMPORT,
        None,
        Path(path).name,
        N_("%(what)s: %(created)s mới, %(updated)s cập nhật, %(unchanged)s không đổi (%(rows)s dòng)"),
        what=what,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        rows=len(rows),
    )
    db.session.commit()
    click.echo(said)
    for warning in summary.warnings:
        click.echo(f"Lưu ý: {warning}")


@click.command("import-orgs")
@click.argument("file", type=click.Path(dir_okay=False))
def import_orgs_command(file: str) -> None:
    """Import organizations from CSV/XLSX with columns code,parent_code,name,kind (optional: founded_on, type)."""
    _run_import(file, {"code", "parent_code", "name", "kind"}, {"founded_on", "type"}, import_orgs, "tổ chức đảng")


@click.command("import-members")
@click.argument("file", type=click.Path(dir_okay=False))
def import_members_command(file: str) -> None:
    """Import members from CSV/XLSX with columns code,full_name,org_code (+ email, phone, dates...)."""
    _run_import(file, MEMBER_COLUMNS, OPTIONAL_MEMBER_COLUMNS, import_members, "đảng viên")


def _ratings_command(name: str, subject: RatedSubject, what: str) -> click.Command:
    @click.command(
        name,
        help=f"Import a past year's results from CSV/XLSX with columns {subject.code_column},level "
        f"(optional: {', '.join(sorted(subject.optional_columns))}).",
    )
    @click.argument("file", type=click.Path(dir_okay=False))
    @click.option("--year", type=int, required=True, help="The year the results are for.")
    def command(file: str, year: int) -> None:
        operation = partial(import_ratings, subject, year=year)
        _run_import(file, subject.columns, subject.optional_columns, operation, f"kết quả xếp loại {what} năm {year}")

    return command


@click.command("import-quarter-ratings")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--year", type=int, required=True, help="The year of the quarter.")
@click.option("--quarter", type=click.IntRange(1, 4), required=True, help="The quarter (1-4).")
def import_quarter_ratings_command(file: str, year: int, quarter: int) -> None:
    """Import a quarter's decided levels of leaders and managers from CSV/XLSX with columns member_code,level."""
    operation = partial(import_quarter_ratings, year=year, quarter=quarter)
    _run_import(file, {"member_code", "level"}, set(), operation, f"kết quả xếp loại quý {quarter} năm {year}")


import_member_ratings_command = _ratings_command("import-member-ratings", MEMBER_RATINGS, "đảng viên")
import_org_ratings_command = _ratings_command("import-org-ratings", ORG_RATINGS, "tổ chức đảng")


@click.command("report")
@click.argument("org_code")
@click.option("--year", type=int, required=True)
@click.option("--format", "output", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("--decimals", type=click.IntRange(0, 4), default=None, help="Decimals of percentages (text, csv).")
def report_command(org_code: str, year: int, output: str, decimals: int | None) -> None:
    """Print an organization's results for a year, as the web page reports them."""
    from flask import current_app

    from .org.operations import find_org
    from .reports import exports, wording
    from .reports.aggregation import rollup

    org = find_org(org_code)
    if org is None:
        _fail(f"không có tổ chức mã {org_code!r}.")
    result = rollup(org, year)
    if result.period is None:
        _fail(f"chưa có kết quả năm {year}.")
    decimals = current_app.config["REPORT_DECIMALS"] if decimals is None else decimals
    if output == "json":
        click.echo(json.dumps(exports.rollup_json(result), ensure_ascii=False, indent=2))
    elif output == "csv":
        for chunk in exports.csv_stream(exports.ROLLUP_HEADERS, exports.rollup_rows(result, decimals)):
            click.echo(chunk.decode("utf-8"), nl=False)
    else:
        click.echo("\n\n".join(wording.report_paragraphs(result, decimals)))


@click.command("stats")
@click.argument("org_code")
@click.option("--year", type=int, required=True)
@click.option("--format", "output", type=click.Choice(["text", "csv", "xlsx", "json"]), default="text",
              show_default=True)  # fmt: skip
@click.option("--output", "path", type=click.Path(dir_okay=False, writable=True), help="Write to FILE (xlsx: needed).")
def stats_command(org_code: str, year: int, output: str, path: str | None) -> None:
    """Print the statistical table of an organization's subtree for a year: members and grassroots
    organizations, the total and a column per type of grassroots organization."""
    from .dbtypes import utcnow
    from .org.operations import document_place, find_org
    from .periods.operations import period_for_year
    from .reports import exports, statistics

    org, period = find_org(org_code), period_for_year(year)
    if org is None:
        _fail(f"không có tổ chức mã {org_code!r}.")
    if period is None:
        _fail(f"chưa có kết quả năm {year}.")
    found = statistics.statistics(org, period)
    if output == "xlsx":
        if not path:
            _fail("--format xlsx cần --output TỆP.")
        with exports.statistics_xlsx(found, document_place(org), utcnow().date()) as handle, open(path, "wb") as out:
            out.write(handle.read())
        return
    if output == "json":
        text = json.dumps(found.as_json(), ensure_ascii=False, indent=2) + "\n"
    elif output == "csv":
        rows = exports.statistics_rows(found)
        text = b"".join(exports.csv_stream(statistics.headers(found), rows)).decode("utf-8")
    else:
        text = statistics.as_text(found)
    if path:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        click.echo(text, nl=False)


@click.command("check")
@click.option("--year", type=int, required=True)
@click.argument("org_code", required=False)
def check_command(year: int, org_code: str | None) -> None:
    """List what breaks the regulation in a year's decided results, and the leaders whose quarters need the
    committee's attention; exit 1 when anything does."""
    from .org.models import Organization
    from .org.operations import find_org
    from .periods.operations import period_for_year
    from .reviews.checks import subtree_findings

    period = period_for_year(year)
    if period is None:
        _fail(f"chưa có kỳ đánh giá năm {year}.")
    roots = list(db.session.scalars(db.select(Organization).where(Organization.parent_id.is_(None))))
    if org_code:
        root = find_org(org_code)
        if root is None:
            _fail(f"không có tổ chức mã {org_code!r}.")
        roots = [root]
    findings = [found for root in roots for found in subtree_findings(root, period)]
    for code, finding in findings:
        click.echo(f"{code} {finding.rule}: {finding.message} ({finding.source})")
    violations = [f for _, f in findings if f.is_violation]
    click.echo(
        f"Năm {year} ({period.rule_set.label}): {len(violations)} vi phạm, {len(findings) - len(violations)} lưu ý."
    )
    sys.exit(1 if any(finding.needs_attention for _, finding in findings) else 0)


@click.command("remind")
@click.option("--days", type=int, default=3, show_default=True, help="Remind of deadlines this many days ahead.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="For testing a date (YYYY-MM-DD).")
def remind_command(days: int, today) -> None:
    """Send the reminders of the approaching deadlines of the open period and the open quarterly rounds (run
    daily, e.g. from cron)."""
    from datetime import date

    from .notices.operations import remind, remind_quarter
    from .periods.models import Period, PeriodState
    from .reviews.quarter_models import QuarterRound

    period = db.session.scalars(db.select(Period).where(Period.state == PeriodState.OPEN)).first()
    rounds = list(db.session.scalars(db.select(QuarterRound).where(QuarterRound.state == PeriodState.OPEN)))
    if period is None and not rounds:
        click.echo("Không có kỳ đánh giá hay đợt đánh giá quý nào đang mở.")
        return
    day = today.date() if today else date.today()
    sent = (remind(period, day, days) if period else 0) + sum(remind_quarter(r, day, days) for r in rounds)
    db.session.commit()
    click.echo(f"Đã gửi {sent} lời nhắc.")


@click.command("recount")
def recount_command() -> None:
    """Rebuild the kept tallies from the source rows and report how many counters were wrong."""
    from .reviews.tallies import recount

    wrong = recount(db.session())
    db.session.commit()
    click.echo(f"Đã đếm lại: {wrong} bộ đếm sai hoặc thiếu đã được sửa." if wrong else "Đã đếm lại: không sai lệch.")


@click.command("generate")
@click.option("--members", type=click.IntRange(1), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--year", "years", type=int, multiple=True, help="A past year with decided results (repeatable).")
@click.option("--open-year", type=int, default=None, help="Also open a period for this year, nothing written yet.")
def generate_command(members: int, seed: int, years: tuple[int, ...], open_year: int | None) -> None:
    """Build a synthetic province of N members (for benchmarks) in an empty database."""
    import time

    from .generate import generate

    start = time.perf_counter()
    summary = generate(members, seed, sorted(years), open_year)
    db.session.commit()
    click.echo(
        f"Đã sinh {summary['members']:,} đảng viên, {summary['organizations']:,} tổ chức, "
        f"{len(years)} năm kết quả trong {time.perf_counter() - start:.1f} s."
    )


@click.command("seed-demo")
def seed_demo_command() -> None:
    """Build a small demo province (once) and print the demo logins."""
    from . import demo

    if demo.already_seeded():
        click.echo("Dữ liệu mẫu đã có sẵn.")
    else:
        demo.seed()
        db.session.commit()
        click.echo("Đã tạo dữ liệu mẫu.")
    click.echo(demo.logins_text())


@click.command("create-admin")
@click.argument("username")
@click.password_option("--password", prompt="Mật khẩu")
def create_admin_command(username: str, password: str) -> None:
    """Create a system administrator login."""
    from .auth.operations import create_user

    try:
        create_user(username, password, display_name="Quản trị hệ thống", is_admin=True, must_change_password=False)
    except DomainError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Đã tạo tài khoản quản trị {username}.")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Copy the whole database to FILE while the app keeps running (SQLite file, or pg_dump archive)."""
    from .backup import backup

    try:
        backup(file)
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"Đã sao lưu vào {file} ({file.stat().st_size:,} byte).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="Toàn bộ dữ liệu hiện có sẽ được thay bằng bản sao lưu. Tiếp tục?")
def restore_command(file: Path) -> None:
    """Replace the whole database with the backup in FILE (stop the app servers first)."""
    from .backup import restore

    try:
        revision = restore(file)
    except DomainError as exc:
        _fail(str(exc))
    click.echo(f"Đã phục hồi từ {file} (lược đồ {revision}). Nếu bản sao lưu cũ hơn mã nguồn: flask db upgrade.")


commands = [
    import_orgs_command,
    import_members_command,
    import_member_ratings_command,
    import_org_ratings_command,
    import_quarter_ratings_command,
    report_command,
    check_command,
    remind_command,
    recount_command,
    stats_command,
    generate_command,
    seed_demo_command,
    create_admin_command,
    backup_command,
    restore_command,
]
