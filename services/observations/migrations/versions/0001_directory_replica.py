"""the replica of hr's directory, and the mechanism tables

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

from libs.common.tables import create_mechanism_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_mechanism_tables(op.get_bind())
    op.create_table(
        "school_directory",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("district_id", sa.Uuid),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("replicated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "school_id"),
    )
    op.create_table(
        "educator_directory",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("school_id", sa.Uuid),
        sa.Column("career_stage", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("removed", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("replicated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "educator_id"),
    )


def downgrade() -> None:
    for table in ("educator_directory", "school_directory", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
