"""change queries: change_version on plans, goals and measurements (and an id for each measurement), the
sequencer's sequence and the trigger that clears it on update, tombstones of deletes and each tenant's horizon

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from libs.common import changes_migration

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (table, the tombstones' resource, the column naming its school, its external ids); a district plan has no
# school, so its tombstone has none either
TRACKED = [("plans", "plan", "school_id", ()),
           ("goals", "goal", "school_id", ()),
           ("measurements", "measurement", "school_id", ("external_id",))]


def upgrade() -> None:
    # The sequencer and the tombstones name a row by `id`; a measurement was keyed by school, measure and
    # period alone. The database gives it (every existing row gets its own), so no writer has to.
    op.add_column("measurements", sa.Column("id", sa.Uuid, nullable=False,
                                            server_default=sa.text("gen_random_uuid()")))
    op.create_unique_constraint("uq_measurements__id", "measurements", ["id"])
    changes_migration.install(op)
    for table, resource, school, external in TRACKED:
        changes_migration.track(op, table, resource, school, external)


def downgrade() -> None:
    for table, _resource, _school, _external in TRACKED:
        changes_migration.untrack(op, table)
    changes_migration.uninstall(op)
    op.drop_constraint("uq_measurements__id", "measurements", type_="unique")
    op.drop_column("measurements", "id")
