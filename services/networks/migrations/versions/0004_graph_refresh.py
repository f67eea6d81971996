"""graph_refresh: the scopes whose collaboration-graph measures wait to be recomputed by the worker

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "graph_refresh",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("scope_id", sa.Uuid, nullable=False),
        sa.Column("since", sa.Date),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="1"),
        sa.Column("claimed_until", sa.DateTime(timezone=True)),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "scope", "scope_id"),
    )


def downgrade() -> None:
    op.drop_table("graph_refresh")
