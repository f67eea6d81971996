"""change queries: change_version on districts, schools and educators, their sequencer's sequence and the
trigger that clears it on update, tombstones of deletes and each tenant's horizon

Revision ID: 0004
Revises: 0003
"""
from alembic import op

from libs.common import changes_migration

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# (table, the column naming its school, its external ids)
TRACKED = [("district", "", ("ed_fi_id", "sourced_id")),
           ("school", "id", ("ed_fi_id", "sourced_id")),
           ("educator", "school_id", ("staff_unique_id", "sourced_id"))]


def upgrade() -> None:
    changes_migration.install(op)
    for table, school, external in TRACKED:
        changes_migration.track(op, table, table, school, external)


def downgrade() -> None:
    for table, _school, _external in TRACKED:
        changes_migration.untrack(op, table)
    changes_migration.uninstall(op)
