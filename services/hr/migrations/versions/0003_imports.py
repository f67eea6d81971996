"""imports: OneRoster and Ed-Fi jobs (job, upload); the source's dateLastModified on districts, schools and
educators

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("district", "school", "educator"):
        op.add_column(table, sa.Column("source_modified_at", sa.DateTime(timezone=True)))
    op.create_table(
        "import_job",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("submitted_by", sa.Text, nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_written", sa.Integer, nullable=False),
        sa.Column("rows_unchanged", sa.Integer, nullable=False),
        sa.Column("rows_failed", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("report", JSONB),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_import_job_tenant_id", "import_job", ["tenant_id"])
    op.create_index("ix_import_job_status", "import_job", ["status"])
    op.create_table(
        "import_upload",
        sa.Column("job_id", sa.Uuid, sa.ForeignKey("import_job.id", name="fk_import_upload__job_id",
                                                   ondelete="CASCADE"), primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary),
    )


def downgrade() -> None:
    op.drop_table("import_upload")
    op.drop_index("ix_import_job_status", "import_job")
    op.drop_index("ix_import_job_tenant_id", "import_job")
    op.drop_table("import_job")
    for table in ("district", "school", "educator"):
        op.drop_column(table, "source_modified_at")
