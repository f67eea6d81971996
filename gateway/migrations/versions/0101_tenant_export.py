"""full tenant exports: the job and its archive

Revision ID: 0101
Revises: 0100
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0101"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_export",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("requested_by", sa.Text, nullable=False),
        sa.Column("personal_data", sa.Boolean, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("manifest", JSONB),
        sa.Column("error", sa.Text),
        sa.Column("archive", sa.LargeBinary),
        sa.Column("archive_bytes", sa.BigInteger),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("tenant_export_by_tenant", "tenant_export", ["tenant_id", "created_at"])
    op.create_index("tenant_export_waiting", "tenant_export", ["status", "created_at"])


def downgrade() -> None:
    op.drop_table("tenant_export")
