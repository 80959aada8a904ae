"""Command-line entry points; they call the same operations as the pages and commit once."""

import sys
from collections.abc import Callable

import click

from .errors import DomainError
from .extensions import db
from .members.operations import MEMBER_COLUMNS, OPTIONAL_MEMBER_COLUMNS, import_members
from .org.operations import import_orgs
from .tabular import TableError, read_rows


def _run_import(path: str, required: set[str], optional: set[str], operation: Callable, what: str) -> None:
    """Read, import, and commit only if every row is good; otherwise list each bad row and exit 1."""
    try:
        rows = read_rows(path, required, optional)
    except TableError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(1)
    summary, errors = operation(rows)
    if errors:
        db.session.rollback()
        click.echo(f"Không nhập gì: {len(errors.errors)} dòng lỗi trong {path}:", err=True)
        for line in errors.lines():
            click.echo(f"  {line}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(
        f"Đã nhập {what}: {summary.created} mới, {summary.updated} cập nhật, "
        f"{summary.unchanged} không đổi ({len(rows)} dòng)."
    )


@click.command("import-orgs")
@click.argument("file", type=click.Path(dir_okay=False))
def import_orgs_command(file: str) -> None:
    """Import organizations from CSV/XLSX with columns code,parent_code,name,kind."""
    _run_import(file, {"code", "parent_code", "name", "kind"}, set(), import_orgs, "tổ chức đảng")


@click.command("import-members")
@click.argument("file", type=click.Path(dir_okay=False))
def import_members_command(file: str) -> None:
    """Import members from CSV/XLSX with columns code,full_name,org_code (+ email, phone, dates...)."""
    _run_import(file, MEMBER_COLUMNS, OPTIONAL_MEMBER_COLUMNS, import_members, "đảng viên")


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
        create_user(username, password, display_name="Quản trị hệ thống", is_admin=True)
    except DomainError as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Đã tạo tài khoản quản trị {username}.")


commands = [import_orgs_command, import_members_command, seed_demo_command, create_admin_command]
