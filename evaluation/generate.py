"""A synthetic province for benchmarks and load tests, written with bulk inserts.

province → upper committees → grassroots organizations → cells of 5–40 members (a few grassroots
organizations over 1,000), decided results in realistic proportions for the years asked, and the
kept tallies rebuilt once at the end. Rows go in by `executemany` batches (COPY on PostgreSQL),
never one ORM object at a time.
"""

import json
import random
import sys
from collections.abc import Callable, Iterable

import click
import sqlalchemy as sa

from .extensions import db
from .levels import Level, NotClassifiedReason
from .org.models import DEFAULT_TYPES
from .periods.operations import create_period, december_deadlines, open_period
from .reviews.tallies import recount
from .text import fold

NOT_CLASSIFIED_REASONS = [reason.value for reason in NotClassifiedReason]
TYPES = [key for key, _name in DEFAULT_TYPES]
CONDITIONS = ["degeneration", "tasks_undone", "discipline", "prohibited"]
LEVEL_WEIGHTS = {
    Level.EXCELLENT: 15,
    Level.GOOD: 75,
    Level.COMPLETED: 8,
    Level.NOT_COMPLETED: 1,
    Level.NOT_CLASSIFIED: 1,
}
CELLS_PER_GRASSROOTS = [1, 1, 2, 3, 4, 6, 8, 12, 60]  # chi bộ cơ sở, small đảng bộ, and a few over 1,000 members
BATCH = 10_000


class Province:
    """The tree in memory (a few hundred thousand organizations at most); members and results are
    produced cell by cell, so millions of them stream to the database without being held."""

    def __init__(self, members: int, seed: int, uppers: int):
        self.rng = random.Random(seed)
        self.orgs: list[dict] = []
        self.cells: list[tuple[int, int]] = []  # (cell id, members in it)
        self.province = self._org("province", None, "Đảng bộ tỉnh Mẫu")
        upper_rows = [self._org("upper", self.province, f"Đảng ủy xã {i + 1}") for i in range(uppers)]
        planned = 0
        while planned < members:
            grassroots = self._org("grassroots", self.rng.choice(upper_rows), f"Đảng bộ cơ sở {len(self.orgs)}",
                                   self.rng.choice(TYPES))  # fmt: skip
            for _ in range(self.rng.choice(CELLS_PER_GRASSROOTS)):
                size = min(self.rng.randint(5, 40), members - planned)
                if size <= 0:
                    break
                cell = self._org("cell", grassroots, f"Chi bộ {len(self.orgs)}", grassroots["type_key"])
                self.cells.append((cell["id"], size))
                planned += size
        self.member_count = planned

    def _org(self, kind: str, parent: dict | None, name: str, type_key: str | None = None) -> dict:
        org_id = len(self.orgs) + 1
        path = f"{parent['path'] if parent else '/'}{org_id}/"
        row = dict(id=org_id, code=f"G{org_id:06d}", name=name, search_name=fold(name), kind=kind,
                   parent_id=parent and parent["id"], path=path, depth=path.count("/") - 2,
                   type_key=type_key)  # fmt: skip
        self.orgs.append(row)
        return row

    def members(self):
        number = 0
        for cell_id, size in self.cells:
            for _ in range(size):
                number += 1
                yield dict(id=number, code=f"M{number:08d}", full_name=f"Nguyễn Văn {number}",
                           name_sort_key=f"{number:08d}", search_name=f"nguyen van {number}", organization_id=cell_id,
                           form_type="2B", position="", workplace="")  # fmt: skip

    def results(self, period_id: int, stamp):
        levels, weights = list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values())
        base = dict(period_id=period_id, state="decided", sections={}, cell_comments="", not_classified_reason="",
                    not_classified_category="", conditions=[], exception_reason="", updated_at=stamp,
                    version=1)  # fmt: skip
        number = 0
        for cell_id, size in self.cells:
            for _ in range(size):
                number += 1
                level = self.rng.choices(levels, weights)[0]
                reason = self.rng.choice(NOT_CLASSIFIED_REASONS) if level is Level.NOT_CLASSIFIED else ""
                conditions = [self.rng.choice(CONDITIONS)] if level is Level.NOT_COMPLETED else []
                yield dict(base, member_id=number, organization_id=cell_id, form_type="2B", final_level=level.value,
                           not_classified_category=reason, conditions=conditions)  # fmt: skip
        for org in self.orgs:
            if org["kind"] != "province":
                yield dict(base, member_id=None, organization_id=org["id"], form_type=None,
                           final_level=self.rng.choices(levels[:4], weights[:4])[0].value)  # fmt: skip


def _batches(rows: Iterable[dict]):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(table: str, rows: Iterable[dict], progress: Callable[[int], None]) -> None:
    connection = db.session.connection()
    for batch in _batches(rows):
        if connection.dialect.name == "postgresql":
            _copy(connection, table, batch)
        else:
            db.session.execute(db.metadata.tables[table].insert(), batch)
        progress(len(batch))


def _copy(connection, table: str, rows: list[dict]) -> None:
    """PostgreSQL's COPY: an order of magnitude faster than INSERT batches for millions of rows."""
    columns = list(rows[0])
    jsons = {name for name in columns if isinstance(db.metadata.tables[table].c[name].type, sa.JSON)}
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in jsons else row[c] for c in columns])


def _move_sequences_past_given_ids(connection) -> None:
    """The generator gives ids itself; later inserts must start after them."""
    if connection.dialect.name == "postgresql":
        for table in ("organization", "member"):
            connection.execute(
                sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )


def generate(members: int, seed: int, years: list[int], open_year: int | None, uppers: int = 20) -> dict:
    """Fill an empty, migrated database. Returns a summary for the caller to print."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(db.metadata.tables["organization"])):
        raise click.ClickException("Cơ sở dữ liệu đã có dữ liệu: chỉ sinh dữ liệu mẫu vào cơ sở dữ liệu trống.")
    province = Province(members, seed, uppers)
    periods = []
    for year in years:
        period = create_period(year, **december_deadlines(year))
        period.state = period.state.CLOSED
        periods.append(period)
    db.session.flush()
    total = len(province.orgs) + province.member_count * (1 + len(periods)) + len(periods) * len(province.orgs)
    with click.progressbar(length=total, label="Sinh dữ liệu", file=sys.stderr) as bar:
        _insert("organization", province.orgs, bar.update)
        _insert("member", province.members(), bar.update)
        for period in periods:
            _insert("review", province.results(period.id, period.created_at), bar.update)
    _move_sequences_past_given_ids(db.session.connection())
    if open_year:
        open_period(create_period(open_year, **december_deadlines(open_year)))
    db.session.flush()
    recount(db.session())
    # Fresh statistics after a bulk load, on either backend: without them the planner reads all of a period's
    # reviews where a small index (the not classified, a subtree's) would do.
    db.session.execute(sa.text("ANALYZE"))
    return {"organizations": len(province.orgs), "members": province.member_count, "province": province.province["id"]}
