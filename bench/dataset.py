"""A province-shaped database for benchmarks, written with bulk inserts (not one ORM object at a time).

province → `uppers` upper committees → grassroots organizations → cells of 5–40 members, with one
closed past year of decided member and organization results in realistic proportions.
"""

import random

import sqlalchemy as sa

from evaluation.extensions import db
from evaluation.levels import Level
from evaluation.periods.operations import period_for_history

LEVEL_WEIGHTS = {
    Level.EXCELLENT: 15,
    Level.GOOD: 75,
    Level.COMPLETED: 8,
    Level.NOT_COMPLETED: 1,
    Level.NOT_CLASSIFIED: 1,
}


def _insert(table: str, rows: list[dict]) -> None:
    if rows:
        db.session.execute(db.metadata.tables[table].insert(), rows)


def build(members: int, year: int = 2024, seed: int = 1, uppers: int = 20) -> dict:
    """Fill an empty, migrated database; return the province's id."""
    rng = random.Random(seed)
    levels, weights = list(LEVEL_WEIGHTS), list(LEVEL_WEIGHTS.values())
    orgs, people = [], []
    next_id = iter(range(1, 10**9))

    def org(kind: str, parent: dict | None, name: str) -> dict:
        org_id = next(next_id)
        path = f"{parent['path'] if parent else '/'}{org_id}/"
        row = dict(
            id=org_id,
            code=f"O{org_id}",
            name=name,
            kind=kind,
            parent_id=parent and parent["id"],
            path=path,
            depth=path.count("/") - 2,
        )
        orgs.append(row)
        return row

    province = org("province", None, "Đảng bộ tỉnh Benchmark")
    upper_rows = [org("upper", province, f"Đảng ủy xã {i}") for i in range(uppers)]
    while len(people) < members:
        grassroots = org("grassroots", rng.choice(upper_rows), f"Đảng bộ cơ sở {len(orgs)}")
        for _ in range(rng.choice([1, 2, 3, 5, 8, 12, 40])):
            cell = org("cell", grassroots, f"Chi bộ {len(orgs)}")
            for _ in range(rng.randint(5, 40)):
                number = len(people) + 1
                people.append(
                    dict(
                        id=number,
                        code=f"DV{number:07d}",
                        full_name=f"Nguyễn Văn {number}",
                        name_sort_key=f"{number:07d}",
                        search_name=f"nguyen van {number}",
                        organization_id=cell["id"],
                        form_type="2B",
                        position="",
                        workplace="",
                    )
                )
    people = people[:members]
    _insert("organization", orgs)
    for start in range(0, len(people), 10_000):
        _insert("member", people[start : start + 10_000])
    period = period_for_history(year)
    reviews = [
        dict(
            period_id=period.id,
            member_id=p["id"],
            organization_id=p["organization_id"],
            form_type="2B",
            state="decided",
            sections={},
            cell_comments="",
            final_level=rng.choices(levels, weights)[0].value,
            not_classified_reason="",
            updated_at=period.created_at,
            version=1,
        )
        for p in people
    ]
    reviews += [
        dict(
            period_id=period.id,
            member_id=None,
            organization_id=o["id"],
            form_type=None,
            state="decided",
            sections={},
            cell_comments="",
            final_level=rng.choices(levels[:4], weights[:4])[0].value,
            not_classified_reason="",
            updated_at=period.created_at,
            version=1,
        )
        for o in orgs
        if o["kind"] != "province"
    ]
    for start in range(0, len(reviews), 10_000):
        _insert("review", reviews[start : start + 10_000])
    db.session.commit()
    biggest = db.session.execute(
        sa.text(
            "SELECT o.id FROM organization o JOIN member m ON m.organization_id IN "
            "(SELECT id FROM organization c WHERE c.parent_id = o.id) WHERE o.kind = 'grassroots' "
            "GROUP BY o.id ORDER BY count(*) DESC LIMIT 1"
        )
    ).scalar()
    return {"province": province["id"], "grassroots": biggest, "year": year, "orgs": len(orgs)}
