"""types of grassroots organization, and the kept tallies split by type and by reason

Organizations carry the type of the grassroots organization they are or belong to (the statistical
table's columns); the kept tallies gain that type and, for a result not completed or not classified, its
reason (and each đảng bộ cơ sở again under its own subject), so the statistics and the count by reason read a
few rows instead of counting (the partial index
on the not classified, which that count read, goes). Existing organizations have no type yet
(counted as "" until one is set); the reasons of existing decided results are worked out here.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 21:20:00

"""
import json
from collections import Counter

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

TYPES = (
    ("commune", "Xã"), ("ward", "Phường"), ("special_zone", "Đặc khu"), ("town", "Thị trấn"),
    ("party_agency", "Cơ quan Đảng, Mặt trận Tổ quốc và đoàn thể"), ("state_agency", "Cơ quan nhà nước"),
    ("public_service", "Đơn vị sự nghiệp công lập"), ("non_public_service", "Đơn vị sự nghiệp ngoài công lập"),
    ("army", "Quân đội"), ("police", "Công an"), ("state_enterprise", "Doanh nghiệp nhà nước"),
    ("other_enterprise", "Doanh nghiệp khác"), ("cooperative", "Hợp tác xã"), ("abroad", "Ngoài nước"),
    ("other", "Khác"),
)
NOT_CLASSIFIED = sa.text("final_level = 'not_classified'")
# As evaluation.rules.NOT_COMPLETED_REASONS on the day of this migration.
NOT_COMPLETED_REASONS = ("degeneration", "tasks_undone", "civil_servant_not_completed", "discipline")


def _reason(level, conditions, category):
    if level == "not_completed":
        if isinstance(conditions, str):
            conditions = json.loads(conditions or "[]")
        return next((c for c in NOT_COMPLETED_REASONS if c in (conditions or ())), "other")
    return category or "other"


def upgrade():
    types = op.create_table(
        'organization_type',
        sa.Column('key', sa.String(length=30), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_organization_type')),
    )
    op.bulk_insert(types, [dict(key=k, name=n, position=i) for i, (k, n) in enumerate(TYPES)])
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type_key', sa.String(length=30), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organization_type_key_organization_type'), 'organization_type',
                                    ['type_key'], ['key'])
    with op.batch_alter_table('tally', schema=None) as batch_op:
        batch_op.drop_constraint('pk_tally', type_='primary')
        batch_op.add_column(sa.Column('org_type', sa.String(length=30), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reason', sa.String(length=30), nullable=False, server_default=''))
        batch_op.create_primary_key('pk_tally', ['organization_id', 'period_id', 'subject', 'state', 'level',
                                                 'org_type', 'reason'])
    with op.batch_alter_table('subtree_size', schema=None) as batch_op:
        batch_op.drop_constraint('pk_subtree_size', type_='primary')
        batch_op.add_column(sa.Column('org_type', sa.String(length=30), nullable=False, server_default=''))
        batch_op.create_primary_key('pk_subtree_size', ['organization_id', 'kind', 'org_type'])
    _split_reasons()
    _party_committees()
    # The count by reason reads the tallies now: the partial index 0015 made for it has no reader left.
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index('ix_review_not_classified', sqlite_where=NOT_CLASSIFIED, postgresql_where=NOT_CLASSIFIED)


def _split_reasons():
    """The decided not completed and not classified, counted again with their reason."""
    bind = op.get_bind()
    paths = dict(bind.execute(sa.text("SELECT id, path FROM organization")).all())
    kinds = dict(bind.execute(sa.text("SELECT id, kind FROM organization")).all())
    rows = bind.execute(sa.text(
        "SELECT organization_id, period_id, member_id IS NOT NULL, final_level, conditions, "
        "not_classified_category FROM review WHERE state = 'decided' "
        "AND final_level IN ('not_completed', 'not_classified')"
    ))
    counts = Counter()
    for org_id, period_id, is_member, level, conditions, category in rows:
        subject = 'member' if is_member else kinds[org_id]
        for ancestor in (int(p) for p in paths[org_id].strip('/').split('/') if p):
            counts[(ancestor, period_id, subject, level, _reason(level, conditions, category))] += 1
    bind.execute(sa.text(
        "DELETE FROM tally WHERE state = 'decided' AND level IN ('not_completed', 'not_classified')"
    ))
    insert = sa.text(
        "INSERT INTO tally (organization_id, period_id, subject, state, level, org_type, reason, count) "
        "VALUES (:o, :p, :s, 'decided', :l, '', :r, :n)"
    )
    _insert(bind, insert, [dict(o=o, p=p, s=s, l=lv, r=r, n=n) for (o, p, s, lv, r), n in counts.items()])


def _insert(bind, statement, items):
    for start in range(0, len(items), 10_000):
        bind.execute(statement, items[start:start + 10_000])


def _party_committees():
    """Each grassroots organization with cells or sections (đảng bộ cơ sở) counted again, its own reviews and
    itself, under the subject the statistics read (evaluation.reviews.tallies.PARTY_COMMITTEE)."""
    bind = op.get_bind()
    paths = dict(bind.execute(sa.text("SELECT id, path FROM organization")).all())
    parties = set(bind.execute(sa.text(
        "SELECT DISTINCT g.id FROM organization g JOIN organization c ON c.parent_id = g.id "
        "WHERE g.kind = 'grassroots' AND c.kind IN ('cell', 'section')"
    )).scalars())
    tallies, sizes = Counter(), Counter()
    rows = bind.execute(sa.text(
        "SELECT organization_id, period_id, state, COALESCE(final_level, ''), conditions, not_classified_category "
        "FROM review WHERE member_id IS NULL"
    ))
    for org_id, period_id, state, level, conditions, category in rows:
        if org_id not in parties:
            continue
        reason = _reason(level, conditions, category) if state == 'decided' and level in (
            'not_completed', 'not_classified') else ''
        for ancestor in (int(p) for p in paths[org_id].strip('/').split('/') if p):
            tallies[(ancestor, period_id, state, level, reason)] += 1
    for org_id in parties:
        for ancestor in (int(p) for p in paths[org_id].strip('/').split('/') if p):
            sizes[ancestor] += 1
    insert = sa.text(
        "INSERT INTO tally (organization_id, period_id, subject, state, level, org_type, reason, count) "
        "VALUES (:o, :p, 'party_committee', :s, :l, '', :r, :n)"
    )
    _insert(bind, insert, [dict(o=o, p=p, s=st, l=lv, r=r, n=n) for (o, p, st, lv, r), n in tallies.items()])
    insert = sa.text("INSERT INTO subtree_size (organization_id, kind, org_type, count) "
                     "VALUES (:o, 'party_committee', '', :n)")
    _insert(bind, insert, [dict(o=o, n=n) for o, n in sizes.items()])


def downgrade():
    # Counted again as 0005 counted them: without types and reasons the rows would collide.
    op.execute("DELETE FROM tally")
    op.execute("DELETE FROM subtree_size")
    with op.batch_alter_table('subtree_size', schema=None) as batch_op:
        batch_op.drop_constraint('pk_subtree_size', type_='primary')
        batch_op.drop_column('org_type')
        batch_op.create_primary_key('pk_subtree_size', ['organization_id', 'kind'])
    with op.batch_alter_table('tally', schema=None) as batch_op:
        batch_op.drop_constraint('pk_tally', type_='primary')
        batch_op.drop_column('reason')
        batch_op.drop_column('org_type')
        batch_op.create_primary_key('pk_tally', ['organization_id', 'period_id', 'subject', 'state', 'level'])
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organization_type_key_organization_type'), type_='foreignkey')
        batch_op.drop_column('type_key')
    op.drop_table('organization_type')
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index('ix_review_not_classified',
                              ['period_id', 'organization_id', 'state', 'not_classified_category', 'member_id'],
                              unique=False, sqlite_where=NOT_CLASSIFIED, postgresql_where=NOT_CLASSIFIED)
    subject = "CASE WHEN r.member_id IS NULL THEN o.kind ELSE 'member' END"
    op.execute(
        "INSERT INTO tally (organization_id, period_id, subject, state, level, count) "
        f"SELECT a.id, r.period_id, {subject}, r.state, COALESCE(r.final_level, ''), count(*) "
        "FROM review r JOIN organization o ON o.id = r.organization_id "
        "JOIN organization a ON o.path LIKE a.path || '%' "
        f"GROUP BY a.id, r.period_id, {subject}, r.state, COALESCE(r.final_level, '')"
    )
    op.execute(
        "INSERT INTO subtree_size (organization_id, kind, count) "
        "SELECT a.id, 'member', count(*) FROM member m JOIN organization o ON o.id = m.organization_id "
        "JOIN organization a ON o.path LIKE a.path || '%' GROUP BY a.id"
    )
    op.execute(
        "INSERT INTO subtree_size (organization_id, kind, count) "
        "SELECT a.id, o.kind, count(*) FROM organization o "
        "JOIN organization a ON o.path LIKE a.path || '%' GROUP BY a.id, o.kind"
    )
