"""the replica of hr's directory, and the mechanism tables

Revision ID: 0001
Revises:
"""
from alembic import op

from libs.common.directory import create_directory_replica
from libs.common.tables import create_mechanism_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_mechanism_tables(op.get_bind())
    create_directory_replica(op.get_bind())


def downgrade() -> None:
    for table in ("educator_directory", "school_directory", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
