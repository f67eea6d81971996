"""protocols, visits, records, notes, calibration, quality projection

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 03:50:42.297170
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classroom_look_fors",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("classroom_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("classroom_id"),
    )
    op.create_table(
        "lexicon_terms",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("terms", sa.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "language", "kind"),
    )
    op.create_table(
        "protocols",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_protocols_tenant_id"), "protocols", ["tenant_id"], unique=False)
    op.create_table(
        "quality_counts",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("look_for_code", sa.Text(), nullable=False),
        sa.Column("classrooms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "school_id", "period", "look_for_code"),
    )
    op.create_table(
        "protocol_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("protocol_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("look_fors", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["protocol_id"],
            ["protocols.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("protocol_id", "number", name="uq_protocol_versions__number"),
    )
    op.create_table(
        "calibration_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("protocol_version_id", sa.Uuid(), nullable=False),
        sa.Column("items", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("codings", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["protocol_version_id"],
            ["protocol_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("protocol_version_id", sa.Uuid(), nullable=False),
        sa.Column("problem_of_practice", sa.Text(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=True),
        sa.Column("observer_ids", sa.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("prediction", sa.Text(), nullable=True),
        sa.Column("next_level_of_work", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["protocol_version_id"],
            ["protocol_versions.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_visits_school_id"), "visits", ["school_id"], unique=False)
    op.create_index(op.f("ix_visits_tenant_id"), "visits", ["tenant_id"], unique=False)
    op.create_table(
        "classrooms",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("grade", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("room", sa.Text(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_classrooms_visit_id"), "classrooms", ["visit_id"], unique=False)
    op.create_table(
        "records",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("classroom_id", sa.Uuid(), nullable=False),
        sa.Column("observer_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["classroom_id"],
            ["classrooms.id"],
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["visits.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "client_id", name="uq_records__client_id"),
    )
    op.create_index(op.f("ix_records_tenant_id"), "records", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_records_visit_id"), "records", ["visit_id"], unique=False)
    op.create_table(
        "notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("look_for_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("descriptive", sa.Boolean(), nullable=False),
        sa.Column("flags", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "client_id", name="uq_notes__client_id"),
    )
    op.create_index(op.f("ix_notes_record_id"), "notes", ["record_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notes_record_id"), table_name="notes")
    op.drop_table("notes")
    op.drop_index(op.f("ix_records_visit_id"), table_name="records")
    op.drop_index(op.f("ix_records_tenant_id"), table_name="records")
    op.drop_table("records")
    op.drop_index(op.f("ix_classrooms_visit_id"), table_name="classrooms")
    op.drop_table("classrooms")
    op.drop_index(op.f("ix_visits_tenant_id"), table_name="visits")
    op.drop_index(op.f("ix_visits_school_id"), table_name="visits")
    op.drop_table("visits")
    op.drop_table("calibration_sessions")
    op.drop_table("protocol_versions")
    op.drop_table("quality_counts")
    op.drop_index(op.f("ix_protocols_tenant_id"), table_name="protocols")
    op.drop_table("protocols")
    op.drop_table("lexicon_terms")
    op.drop_table("classroom_look_fors")
