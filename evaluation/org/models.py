"""The organization tree of a province, of any depth (docs/domain.md §6)."""

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from sqlalchemy.sql.functions import FunctionElement

from ..dbtypes import enum_column, upper_code_index
from ..extensions import Model
from ..i18n import N_, gettext
from ..text import fold

# Paths compare byte by byte on every database (SQLite's default), so a subtree's paths sort together. On
# PostgreSQL the "C" collation lets one index answer both a subtree (`LIKE '/1/7/%'`) and tree order (`ORDER BY
# path`), whatever the database's own collation, which might ignore the "/" and put '/1/22/' between '/1/2/'
# and its child '/1/2/3/'.
PATH = sa.String(400).with_variant(sa.String(400, collation="C"), "postgresql")


class in_subtree(FunctionElement):
    """`in_subtree(column, path)`: the path in `column` is `path` or lies under it. `path` may be a value or a
    bound parameter of a statement built once. Written per database so that each answers from its index of
    paths: PostgreSQL's index of the paths in the "C" collation answers a LIKE on a prefix, while SQLite's
    LIKE ignores case and reads the whole table, but its index answers a range."""

    type = sa.Boolean()
    inherit_cache = True
    name = "in_subtree"
    _is_implicitly_boolean = True  # a condition already: SQLite is not to compare it with 1


@compiles(in_subtree)
def _prefix_match(element, compiler, **kw):
    column, path = element.clauses
    # PostgreSQL folds the bound path and its wildcard into one prefix before it plans, so the index applies.
    return compiler.process(column.like(sa.type_coerce(path, sa.String).concat(sa.literal_column("'%'"))), **kw)


@compiles(in_subtree, "sqlite")
def _prefix_range(element, compiler, **kw):
    column, path = element.clauses
    # A path holds only digits and "/", so every path under '/1/6/' sorts before '/1/6/~', and only those.
    path = sa.type_coerce(path, sa.String)
    return compiler.process(sa.and_(column >= path, column < path.concat(sa.literal_column("'~'"))).self_group(), **kw)


class OrgKind(StrEnum):
    PROVINCE = "province"  # tỉnh ủy / thành ủy (đảng bộ tỉnh)
    UPPER = "upper"  # đảng bộ cấp trên cơ sở: đảng ủy xã/phường, huyện ủy (before 2025), đảng ủy trực thuộc
    GRASSROOTS = "grassroots"  # tổ chức cơ sở đảng: đảng bộ cơ sở, or chi bộ cơ sở with members directly
    SECTION = "section"  # đảng bộ bộ phận
    CELL = "cell"  # chi bộ (trực thuộc)

    @property
    def label(self) -> str:
        return gettext(KIND_LABELS[self])

    @property
    def holds_members(self) -> bool:
        """Members belong to a cell, or directly to a chi bộ cơ sở."""
        return self in (OrgKind.CELL, OrgKind.GRASSROOTS)


KIND_LABELS = {
    OrgKind.PROVINCE: N_("Đảng bộ tỉnh"),
    OrgKind.UPPER: N_("Đảng bộ cấp trên cơ sở"),
    OrgKind.GRASSROOTS: N_("Tổ chức cơ sở đảng"),
    OrgKind.SECTION: N_("Đảng bộ bộ phận"),
    OrgKind.CELL: N_("Chi bộ"),
}

# Which kinds may sit directly under which: the shape of the tree, before and after 2025.
ALLOWED_PARENTS = {
    OrgKind.PROVINCE: (),
    OrgKind.UPPER: (OrgKind.PROVINCE, OrgKind.UPPER),
    OrgKind.GRASSROOTS: (OrgKind.PROVINCE, OrgKind.UPPER),
    OrgKind.SECTION: (OrgKind.GRASSROOTS,),
    OrgKind.CELL: (OrgKind.GRASSROOTS, OrgKind.SECTION),
}


# The types of grassroots organization the statistical tables have a column for (loại hình tổ chức cơ sở
# đảng, docs/domain.md §12), in their order. The migration writes them into `organization_type`; a province
# refines the table there (a row more, a name changed), the keys stay.
DEFAULT_TYPES = (
    ("commune", "Xã"),
    ("ward", "Phường"),
    ("special_zone", "Đặc khu"),
    ("town", "Thị trấn"),
    ("party_agency", "Cơ quan Đảng, Mặt trận Tổ quốc và đoàn thể"),
    ("state_agency", "Cơ quan nhà nước"),
    ("public_service", "Đơn vị sự nghiệp công lập"),
    ("non_public_service", "Đơn vị sự nghiệp ngoài công lập"),
    ("army", "Quân đội"),
    ("police", "Công an"),
    ("state_enterprise", "Doanh nghiệp nhà nước"),
    ("other_enterprise", "Doanh nghiệp khác"),
    ("cooperative", "Hợp tác xã"),
    ("abroad", "Ngoài nước"),
    ("other", "Khác"),
)
OTHER_TYPE = "other"  # where an organization whose type nobody set is counted


class OrganizationType(Model):
    """A type of grassroots organization (loại hình: xã, phường, cơ quan, doanh nghiệp…), kept as data."""

    __tablename__ = "organization_type"

    key: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)


class Organization(Model):
    """A party organization (tổ chức đảng) at any level.

    `path` lists the ids from the root down to this node ("/1/7/42/"), so a subtree is one
    indexed prefix match (`in_subtree`) whatever the depth, never a Python loop.
    """

    __tablename__ = "organization"
    __table_args__ = (sa.Index("ix_organization_path", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(255))
    # The name in lower case without diacritics, set with the name: what the search matches, in the database.
    # Only SQL reads it, so loading an organization leaves it out (deferred).
    search_name: Mapped[str] = mapped_column(sa.String(255), default="", deferred=True)
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organization.id"), index=True)
    path: Mapped[str] = mapped_column(PATH, default="")
    depth: Mapped[int] = mapped_column(default=0)
    founded_on: Mapped[date | None] = mapped_column(sa.Date)  # ngày thành lập: HD 21 does not classify the new
    # The type of the grassroots organization it is or belongs to: set on a grassroots organization, its
    # sections and cells carry the same, so every row counts under its column without a walk up the tree.
    type_key: Mapped[str | None] = mapped_column(sa.ForeignKey("organization_type.key"))

    parent: Mapped["Organization | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Organization"]] = relationship(back_populates="parent", order_by="Organization.name")

    def __repr__(self) -> str:
        return f"<Organization {self.code} {self.kind.value}>"

    @validates("name")
    def _derive_search_name(self, _key, value: str) -> str:
        self.search_name = fold(value)
        return value

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to and including this organization."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def contains(self, other: "Organization") -> bool:
        """True when `other` is this organization or lies in its subtree."""
        return other.path.startswith(self.path)

    @property
    def signing_body(self) -> str:
        """Who signs the organization's documents ("T/M …"), as the party's documents name it: the standing
        committee (ban thường vụ) above the grassroots, the committee (đảng ủy) of a đảng bộ, the cell itself
        for a chi bộ. Vietnamese whatever the page's language: it is printed on the document."""
        if self.kind in (OrgKind.PROVINCE, OrgKind.UPPER):
            return "Ban Thường vụ"
        if self.kind is OrgKind.SECTION or (self.kind is OrgKind.GRASSROOTS and self.children):
            return "Đảng ủy"
        return "Chi bộ"

    def subtree_clause(self):
        """SQL condition selecting this organization and everything under it."""
        return in_subtree(Organization.path, self.path)


upper_code_index("ix_organization_code_upper", Organization.__table__.c.code)
