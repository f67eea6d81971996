"""change queries: change_version on networks, memberships and practices, their sequencer's sequence and the
trigger that clears it on update, tombstones of deletes and each tenant's horizon

Revision ID: 0003
Revises: 0002
"""
from alembic import op

from libs.common import changes_migration

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# (table, resource, the column naming its school, its external ids). A network spans many schools: its
# tombstone names none (so only whole-tenant tokens see it). None of the three has an external id.
TRACKED = [("networks", "network", "", ()),
           ("memberships", "membership", "school_id", ()),
           ("practices", "practice", "origin_school_id", ())]


def upgrade() -> None:
    changes_migration.install(op)
    for table, resource, school, external in TRACKED:
        changes_migration.track(op, table, resource, school, external)


def downgrade() -> None:
    for table, _resource, _school, _external in TRACKED:
        changes_migration.untrack(op, table)
    changes_migration.uninstall(op)
