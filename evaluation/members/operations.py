"""Changes to members: moves between cells and the import from a province's spreadsheet."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from blinker import Namespace

from ..errors import DomainError
from ..extensions import db
from ..i18n import gettext as _
from ..org.models import Organization
from ..org.operations import find_by_code, find_org
from ..tabular import ImportSummary, Row, RowErrors, parse_date
from ..text import fold
from .models import FormType, Member, MembershipChange

MEMBER_COLUMNS = {"code", "full_name", "org_code"}
OPTIONAL_MEMBER_COLUMNS = {"email", "phone", "birth_date", "joined_date", "form_type", "position", "workplace", "leads"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class MoveError(DomainError):
    """A move between cells that cannot be made."""


# Sent inside the move's transaction: the member's reviews of the years still open follow them
# (reviews/moves.py), and land, or not, with the move.
moved = Namespace().signal("member-moved")


def find_member(code: str) -> Member | None:
    """The member with this code, typed in any case ("dv00019" finds DV00019)."""
    return find_by_code(Member, code)


def member_matches(search: str):
    """Members whose name contains `search` (accents and case ignored) or whose code is `search` (case ignored)."""
    return Member.search_name.contains(fold(search), autoescape=True) | (
        sa.func.upper(Member.code) == search.strip().upper()
    )


def search_members(search: str, limit: int = 100) -> list[Member]:
    """Members by code, or whose name contains `search` (accents and case ignored), in name order."""
    return list(
        db.session.scalars(db.select(Member).where(member_matches(search)).order_by(Member.name_sort_key).limit(limit))
    )


def moves_of(member: Member) -> list[MembershipChange]:
    """The member's moves between cells, latest first."""
    return list(
        db.session.scalars(
            db.select(MembershipChange)
            .where(MembershipChange.member_id == member.id)
            .order_by(MembershipChange.moved_at.desc())
        )
    )


def move_member(member: Member, to_org: Organization, actor, reason: str) -> MembershipChange:
    """Move a member to another cell; the move is recorded, with why, and their reviews go with them."""
    if not reason.strip():
        raise MoveError(_("Cần ghi lý do chuyển sinh hoạt (lưu vào lịch sử)."))
    if not to_org.kind.holds_members:
        raise MoveError(_("%(name)s không phải chi bộ: đảng viên chỉ sinh hoạt ở chi bộ.", name=to_org.name))
    if to_org.id == member.organization_id:
        raise MoveError(_("Đảng viên đã sinh hoạt ở chi bộ này."))
    change = MembershipChange(
        member_id=member.id,
        from_org_id=member.organization_id,
        to_org_id=to_org.id,
        actor_id=actor.id if actor else None,
        reason=reason.strip(),
    )
    db.session.add(change)
    member.organization = to_org
    moved.send(member, to_org=to_org)
    db.session.flush()
    return change


@dataclass
class _Parsed:
    values: dict
    org: Organization


def _parse_member_row(row: Row, orgs: dict[str, Organization | None]) -> _Parsed:
    """The row's values as model fields; ValueError with the reason when a value is wrong."""
    if not row.get("code") or len(row.get("code")) > 40:
        raise ValueError(_("thiếu mã đảng viên (code) hoặc mã dài quá 40 ký tự"))
    if not row.get("full_name") or len(row.get("full_name")) > 200:
        raise ValueError(_("thiếu họ và tên (full_name) hoặc tên quá dài"))
    code = row.get("org_code")
    if code not in orgs:
        orgs[code] = find_org(code)
    org = orgs[code]
    if org is None:
        raise ValueError(_("không có tổ chức mã %(code)s", code=repr(code)))
    if not org.kind.holds_members:
        raise ValueError(_("%(name)s (%(code)s) không phải chi bộ hay chi bộ cơ sở", name=org.name, code=code))
    values: dict[str, object] = {"full_name": row.get("full_name")}
    if email := row.get("email"):
        if not _EMAIL.match(email):
            raise ValueError(_("email không hợp lệ: %(email)s", email=repr(email)))
        values["email"] = email
    if phone := row.get("phone"):
        values["phone"] = phone[:40]
    for column in ("birth_date", "joined_date"):
        if text := row.get(column):
            values[column] = parse_date(text)
    if form := row.get("form_type").upper():
        if form not in set(FormType):
            raise ValueError(_("mẫu kiểm điểm không hợp lệ: %(form)s (dùng 2A, 2B hoặc 2C)", form=repr(form)))
        values["form_type"] = FormType(form)
    for column in ("position", "workplace"):
        if text := row.get(column):
            values[column] = text[:255]
    if code := row.get("leads"):  # the organization the member heads
        if code not in orgs:
            orgs[code] = find_org(code)
        if orgs[code] is None:
            raise ValueError(_("không có tổ chức mã %(code)s (cột leads)", code=repr(code)))
        values["leads"] = orgs[code]
    return _Parsed(values, org)


def import_members(rows: list[Row], actor=None, progress=iter) -> tuple[ImportSummary, RowErrors]:
    """Create or update members keyed by code. Blank optional cells leave stored values alone.

    A member whose org_code changed is moved (and the move recorded). The caller commits only
    when there are no errors.
    """
    errors, summary = RowErrors(), ImportSummary()
    seen: dict[str, int] = {}
    orgs: dict[str, Organization | None] = {}
    existing = {
        m.code: m
        for m in db.session.scalars(
            db.select(Member).where(Member.code.in_([r.get("code") for r in rows if r.get("code")]))
        )
    }
    for row in progress(rows):
        try:
            parsed = _parse_member_row(row, orgs)
        except ValueError as exc:
            errors.add(row.line, str(exc))
            continue
        if row.get("code") in seen:
            errors.add(
                row.line, _("mã %(code)s trùng với dòng %(line)s", code=row.get("code"), line=seen[row.get("code")])
            )
            continue
        seen[row.get("code")] = row.line
        _upsert_member(existing.get(row.get("code")), row.get("code"), parsed, actor, summary)
    db.session.flush()
    return summary, errors


def _upsert_member(member: Member | None, code: str, parsed: _Parsed, actor, summary: ImportSummary) -> None:
    if member is None:
        db.session.add(Member(code=code, organization=parsed.org, **parsed.values))
        summary.created += 1
        return
    changed = {k: v for k, v in parsed.values.items() if getattr(member, k) != v}
    for key, value in changed.items():
        setattr(member, key, value)
    moved = member.organization_id != parsed.org.id
    if moved:
        move_member(member, parsed.org, actor, _("Cập nhật từ tệp nhập danh sách đảng viên"))
    if changed or moved:
        summary.updated += 1
    else:
        summary.unchanged += 1
