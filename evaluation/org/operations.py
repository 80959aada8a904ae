"""Changes to the organization tree: adding, renaming, re-parenting, and the import."""

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from .. import journal
from ..errors import DomainError
from ..extensions import db
from ..i18n import N_
from ..i18n import gettext as _
from ..levels import spelling_key
from ..tabular import ImportSummary, Row, RowErrors, parse_date
from ..text import fold
from .models import ALLOWED_PARENTS, Organization, OrganizationType, OrgKind, in_subtree

# Sent after a grassroots organization's subtree changed type: (organization, old=key or None, new=key or
# None). The kept tallies move their counts to the new column.
retyped = Namespace().signal("organization-retyped")
# Sent when an organization has moved under another parent, its subtree's paths written: (organization,
# old_path=its path before). The kept tallies move the subtree's counts from the old ancestors to the new.
moved = Namespace().signal("organization-moved")
INHERITS_TYPE = (OrgKind.SECTION, OrgKind.CELL)  # they carry their grassroots organization's type


def find_org(code: str) -> Organization | None:
    """The organization with this code, typed in any case."""
    return find_by_code(Organization, code)


def find_by_code(model, code: str):
    """The row of `model` (a member or an organization) whose code is `code`, case and surrounding spaces
    ignored. The exact code is tried first (the unique index answers); a code that matches only when case
    is ignored is taken when it is the only one."""
    code = code.strip()
    if (exact := db.session.scalars(db.select(model).where(model.code == code)).first()) is not None:
        return exact
    folded = db.session.scalars(db.select(model).where(sa.func.upper(model.code) == code.upper()).limit(2)).all()
    return folded[0] if len(folded) == 1 else None


def _place(org: Organization, parent: Organization | None) -> None:
    """Set path and depth from the parent, carrying the whole subtree along when it moves."""
    old_path = org.path
    org.parent = parent
    new_path = (parent.path if parent else "/") + f"{org.id}/"
    depth_change = (parent.depth + 1 if parent else 0) - org.depth
    if old_path and old_path != new_path:
        db.session.execute(
            sa.update(Organization)
            .where(in_subtree(Organization.path, old_path), Organization.id != org.id)
            .values(
                path=new_path + sa.func.substr(Organization.path, len(old_path) + 1),
                depth=Organization.depth + depth_change,
            )
            .execution_options(synchronize_session="fetch")
        )
    org.path, org.depth = new_path, org.depth + depth_change
    if not old_path or old_path == new_path:
        return
    db.session.flush()  # the kept tallies move what is written
    moved.send(org, old_path=old_path)
    if org.kind in INHERITS_TYPE and parent is not None and org.type_key != parent.type_key:
        # Moved under another grassroots organization: its type now.
        old_type = org.type_key
        _set_subtree_type(org, parent.type_key)
        retyped.send(org, old=old_type, new=parent.type_key)


def add_org(code: str, name: str, kind: OrgKind, parent: Organization | None) -> Organization:
    inherited = parent.type_key if parent is not None and kind in INHERITS_TYPE else None
    org = Organization(code=code, name=name, kind=kind, depth=0, path="", type_key=inherited)
    db.session.add(org)
    db.session.flush()  # the id is part of the path
    _place(org, parent)
    return org


def search_organizations(search: str, kinds: tuple[OrgKind, ...] = tuple(OrgKind), limit: int = 100):
    """Organizations of `kinds` whose code starts with `search` (any case) or whose name contains it (accents
    and case ignored), in tree order."""
    if not (search := search.strip()):
        return []
    name = Organization.search_name.contains(fold(search), autoescape=True)
    code = sa.func.upper(Organization.code).startswith(search.upper(), autoescape=True)
    query = db.select(Organization).where(name | code, Organization.kind.in_(kinds)).order_by(Organization.path)
    return list(db.session.scalars(query.limit(limit)))


def organization_types() -> list[OrganizationType]:
    return list(db.session.scalars(db.select(OrganizationType).order_by(OrganizationType.position)))


def find_type(text: str) -> OrganizationType | None:
    """A type from its key or its name, ignoring accents, case and punctuation."""
    wanted = spelling_key(text)
    return next((t for t in organization_types() if wanted in (spelling_key(t.key), spelling_key(t.name))), None)


def set_type(org: Organization, type_key: str | None) -> None:
    """Give a grassroots organization its type (loại hình); its sections and cells carry the same.

    :raise DomainError: for an organization of another kind (the statistics' columns are the grassroots
        organizations' types).
    """
    if org.kind is not OrgKind.GRASSROOTS:
        raise DomainError(_("Chỉ tổ chức cơ sở đảng có loại hình."))
    old = org.type_key
    if old == type_key:
        return
    db.session.flush()  # the kept tallies move what is written
    _set_subtree_type(org, type_key)
    retyped.send(org, old=old, new=type_key)


def change_type(org: Organization, type_key: str, actor) -> None:
    """The administrator sets a grassroots organization's type, in the history.

    :raise DomainError: for a type that does not exist or an organization that is not grassroots.
    """
    chosen = db.session.get(OrganizationType, type_key) if type_key else None
    if type_key and chosen is None:
        raise DomainError(_("Không có loại hình %(type)s.", type=type_key))
    set_type(org, type_key or None)
    journal.write(journal.Change.ORG_TYPE, actor, org.code, N_("%(name)s: %(type)s"), organization=org,
                  name=org.name, type=chosen.name if chosen else "—")  # fmt: skip


def _set_subtree_type(org: Organization, type_key: str | None) -> None:
    db.session.execute(
        sa.update(Organization)
        .where(org.subtree_clause())
        .values(type_key=type_key)
        .execution_options(synchronize_session="fetch")
    )


def _row_problem(row: Row, kind: OrgKind | None) -> str | None:
    if not row.get("code"):
        return _("thiếu mã tổ chức (code)")
    if len(row.get("code")) > 40 or len(row.get("name")) > 255:
        return _("mã hoặc tên quá dài")
    if not row.get("name"):
        return _("thiếu tên tổ chức (name)")
    if kind is None:
        return _(
            "loại tổ chức không hợp lệ: %(kind)s (dùng: %(kinds)s)",
            kind=repr(row.get("kind")),
            kinds=", ".join(k.value for k in OrgKind),
        )
    if kind is OrgKind.PROVINCE and row.get("parent_code"):
        return "đảng bộ tỉnh không có tổ chức cấp trên"
    if kind is not OrgKind.PROVINCE and not row.get("parent_code"):
        return _("thiếu mã tổ chức cấp trên (parent_code)")
    if row.get("founded_on"):
        try:
            parse_date(row.get("founded_on"))
        except ValueError as exc:
            return str(exc)
    if row.get("type"):
        return _type_problem(row.get("type"), kind)
    return None


def _type_problem(text: str, kind: OrgKind) -> str | None:
    if kind is not OrgKind.GRASSROOTS:
        return _("chỉ tổ chức cơ sở đảng có loại hình (type); chi bộ, đảng bộ bộ phận mang loại hình của nó")
    if find_type(text) is None:
        return _("loại hình không hợp lệ: %(type)s (dùng: %(types)s)", type=repr(text),
                 types=", ".join(t.key for t in organization_types()))  # fmt: skip
    return None


def import_orgs(rows: list[Row], progress=iter) -> tuple[ImportSummary, RowErrors]:
    """Create or update organizations keyed by code, parents before children in any file order.

    The caller commits only when the returned errors are empty, so a file lands whole or not at all.
    """
    errors, summary = RowErrors(), ImportSummary()
    pending: dict[str, tuple[Row, OrgKind]] = {}
    for row in progress(rows):
        kind = OrgKind(row.get("kind").lower()) if row.get("kind").lower() in set(OrgKind) else None
        if problem := _row_problem(row, kind):
            errors.add(row.line, problem)
        elif row.get("code") in pending:
            errors.add(
                row.line,
                _("mã %(code)s trùng với dòng %(line)s", code=row.get("code"), line=pending[row.get("code")][0].line),
            )
        elif kind is not None:  # _row_problem reports an unknown kind
            pending[row.get("code")] = (row, kind)
    while pending:
        placed = [
            code
            for code, (row, _kind) in pending.items()
            if not row.get("parent_code") or row.get("parent_code") not in pending
        ]
        if not placed:
            for row, _kind in pending.values():
                errors.add(row.line, _("vòng lặp tổ chức cấp trên"))
            break
        for code in placed:
            row, kind = pending.pop(code)
            if problem := _upsert_org(row, kind, summary):
                errors.add(row.line, problem)
    return summary, errors


def _upsert_org(row: Row, kind: OrgKind, summary: ImportSummary) -> str | None:
    parent = find_org(row.get("parent_code")) if row.get("parent_code") else None
    if row.get("parent_code") and parent is None:
        return _("không có tổ chức cấp trên mã %(code)s", code=row.get("parent_code"))
    if parent is not None and parent.kind not in ALLOWED_PARENTS[kind]:
        return _("%(kind)s không thể trực thuộc %(parent)s", kind=kind.label.lower(), parent=parent.kind.label.lower())
    org = find_org(row.get("code"))
    founded = parse_date(row.get("founded_on")) if row.get("founded_on") else None
    org_type = find_type(row.get("type")) if row.get("type") else None
    if org is None:
        org = add_org(row.get("code"), row.get("name"), kind, parent)
        org.founded_on = founded
        if org_type is not None:
            set_type(org, org_type.key)
        summary.created += 1
        return None
    if parent is not None and org.contains(parent):
        return _("tổ chức không thể trực thuộc chính nó hoặc tổ chức cấp dưới của nó")
    founded = founded or org.founded_on  # a blank cell keeps what is stored
    type_key = org_type.key if org_type else org.type_key
    if (org.name, org.kind, org.parent_id, org.founded_on, org.type_key) == (
        row.get("name"),
        kind,
        parent.id if parent else None,
        founded,
        type_key,
    ):
        summary.unchanged += 1
        return None
    if kind is not org.kind and org.kind is OrgKind.GRASSROOTS and org.type_key:
        set_type(org, None)  # no longer a grassroots organization: its subtree leaves the type's column
    org.name, org.kind, org.founded_on = row.get("name"), kind, founded
    if org.parent_id != (parent.id if parent else None):
        _place(org, parent)
    if org_type is not None:
        set_type(org, org_type.key)
    summary.updated += 1
    return None


# Words before the place in a province's or city's committee name: "Đảng bộ tỉnh Thái Nguyên".
_PLACE_PREFIXES = ("đảng bộ tỉnh ", "đảng bộ thành phố ", "tỉnh ", "thành phố ")


def document_place(org: Organization) -> str:
    """The place written before a document's date: DOCUMENT_PLACE, else the province in the root's name."""
    if place := current_app.config.get("DOCUMENT_PLACE"):
        return place
    root = db.session.get(Organization, org.ancestor_ids[0]) or org
    for prefix in _PLACE_PREFIXES:
        if root.name.lower().startswith(prefix):
            return root.name[len(prefix) :]
    return root.name


_BY_IDS_FROM_THE_ROOT = (
    db.select(Organization).where(Organization.id.in_(sa.bindparam("ids", expanding=True))).order_by(Organization.depth)
)


def ancestors(org: Organization) -> list[Organization]:
    """The organizations above `org`, from the root down."""
    above = org.ancestor_ids[:-1]
    # A province's page is the most looked at: it has nobody above it to ask for.
    return list(db.session.scalars(_BY_IDS_FROM_THE_ROOT, {"ids": above})) if above else []
