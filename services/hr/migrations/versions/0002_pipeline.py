"""the pipeline: ladder, transitions, readiness, recruitment, mentoring, responsibilities, feedback,
residencies, professional learning, leadership posts, the analytics projection; educators' stage

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("ladder", "stage_transition", "readiness", "posting", "application", "mentorship", "mentoring_gap",
          "responsibility", "leadership_signal", "feedback", "residency", "professional_learning",
          "leadership_post", "pipeline_snapshot")


def upgrade() -> None:
    op.add_column("educator", sa.Column("stage", sa.Text))
    op.add_column("educator", sa.Column("stage_since", sa.Date))
    op.create_table(
        "ladder",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("config", JSONB, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "stage_transition",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("school_id", sa.Uuid),
        sa.Column("from_stage", sa.Text),
        sa.Column("to_stage", sa.Text),
        sa.Column("from_career_stage", sa.Text),
        sa.Column("to_career_stage", sa.Text),
        sa.Column("criteria_met", JSONB, nullable=False),
        sa.Column("evidence", sa.Text),
        sa.Column("approver_id", sa.Uuid),
        sa.Column("transitioned_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "educator_id", "seq", name="uq_stage_transition__seq"),
    )
    op.create_table(
        "readiness",
        sa.Column("educator_id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("target_stage", sa.Text, nullable=False),
        sa.Column("estimate", sa.Text, nullable=False),
        sa.Column("approver_id", sa.Uuid),
        sa.Column("set_on", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_readiness_tenant_id", "readiness", ["tenant_id"])
    op.create_table(
        "posting",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.create_index("ix_posting_school_id", "posting", ["school_id"])
    op.create_index("ix_posting_tenant_id", "posting", ["tenant_id"])
    op.create_table(
        "application",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posting_id", sa.Uuid, nullable=False),
        sa.Column("given_name", sa.Text, nullable=False),
        sa.Column("family_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("qualifications", sa.Text),
        sa.Column("leadership_potential", sa.Integer),
        sa.Column("rubric_notes", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid),
    )
    op.create_index("ix_application_posting_id", "application", ["posting_id"])
    op.create_index("ix_application_tenant_id", "application", ["tenant_id"])
    op.create_table(
        "mentorship",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mentor_id", sa.Uuid, nullable=False),
        sa.Column("mentee_id", sa.Uuid, nullable=False),
        sa.Column("school_id", sa.Uuid),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
    )
    op.create_index("ix_mentorship_mentee_id", "mentorship", ["mentee_id"])
    op.create_index("ix_mentorship_mentor_id", "mentorship", ["mentor_id"])
    op.create_index("ix_mentorship_tenant_id", "mentorship", ["tenant_id"])
    op.create_table(
        "mentoring_gap",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("school_id", sa.Uuid),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("closed_on", sa.Date),
    )
    op.create_index("ix_mentoring_gap_educator_id", "mentoring_gap", ["educator_id"])
    op.create_index("ix_mentoring_gap_tenant_id", "mentoring_gap", ["tenant_id"])
    op.create_table(
        "responsibility",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("domains", JSONB, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_id", sa.Uuid),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("tenant_id", "educator_id", "source_id", name="uq_responsibility__source"),
    )
    op.create_index("ix_responsibility_educator_id", "responsibility", ["educator_id"])
    op.create_table(
        "leadership_signal",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("network_id", sa.Uuid),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("periods", sa.Integer, nullable=False),
        sa.Column("betweenness_percentile", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_leadership_signal_educator_id", "leadership_signal", ["educator_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("domain", sa.Text, nullable=False),
        sa.Column("source_role", sa.Text, nullable=False),
        sa.Column("author_id", sa.Uuid),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("given_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_educator_id", "feedback", ["educator_id"])
    op.create_table(
        "residency",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resident_id", sa.Uuid, nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("supervisor_id", sa.Uuid, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("goals", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
    )
    op.create_index("ix_residency_resident_id", "residency", ["resident_id"])
    op.create_index("ix_residency_tenant_id", "residency", ["tenant_id"])
    op.create_table(
        "professional_learning",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("hours", sa.Float, nullable=False),
        sa.Column("topic_code", sa.Text),
        sa.Column("provider", sa.Text),
        sa.Column("completed_on", sa.Date, nullable=False),
        sa.Column("initiative_id", sa.Uuid),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_professional_learning_educator_id", "professional_learning", ["educator_id"])
    op.create_table(
        "leadership_post",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("incumbent_id", sa.Uuid),
    )
    op.create_index("ix_leadership_post_school_id", "leadership_post", ["school_id"])
    op.create_index("ix_leadership_post_tenant_id", "leadership_post", ["tenant_id"])
    op.create_table(
        "pipeline_snapshot",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("as_of_seq", sa.BigInteger, nullable=False),
        sa.Column("stale", sa.Boolean, nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
    op.drop_column("educator", "stage_since")
    op.drop_column("educator", "stage")
