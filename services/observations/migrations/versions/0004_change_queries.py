"""change queries: change_version on protocols, visits and the quality index's running sums (which get an id:
the sequencer and the tombstones key on it), their sequencer's sequence and the trigger that clears it on
update, tombstones of deletes and each tenant's horizon

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

from libs.common import changes_migration

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, resource, the column naming its school, its external ids). A protocol is the tenant's, of no
# school: its tombstone names none (so only whole-tenant tokens see it). None has an external id.
TRACKED = [("protocols", "protocol", "", ()),
           ("visits", "visit", "school_id", ()),
           ("quality_sums", "quality_index", "school_id", ())]


def upgrade() -> None:
    # The index is computed on read from quality_sums, keyed (tenant, school, period, version, look-for):
    # an id per row, as the sequencer and the tombstone trigger need (existing rows get one here).
    op.add_column("quality_sums", sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"),
                                            nullable=False))
    op.create_unique_constraint("uq_quality_sums__id", "quality_sums", ["id"])
    changes_migration.install(op)
    for table, resource, school, external in TRACKED:
        changes_migration.track(op, table, resource, school, external)


def downgrade() -> None:
    for table, _resource, _school, _external in TRACKED:
        changes_migration.untrack(op, table)
    changes_migration.uninstall(op)
    op.drop_constraint("uq_quality_sums__id", "quality_sums", type_="unique")
    op.drop_column("quality_sums", "id")
