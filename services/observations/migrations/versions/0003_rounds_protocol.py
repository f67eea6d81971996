"""the rounds protocol step by step, the practice-quality index that rates no one, problems of practice

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("visits", sa.Column("problem_of_practice_id", sa.Uuid(), nullable=True))
    op.create_index("ix_visits_problem_of_practice_id", "visits", ["problem_of_practice_id"], unique=False)
    op.add_column("visits", sa.Column("theory_of_action", sa.Text(), nullable=True))
    op.add_column("visits", sa.Column("focusing_questions", sa.ARRAY(sa.Text()), nullable=True))
    op.add_column("visits", sa.Column("sub_teams", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("visits", sa.Column("observer_roles", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("visits", sa.Column("prediction_pattern_ids", sa.ARRAY(sa.Uuid()), nullable=True))

    op.add_column("notes", sa.Column("verdict", sa.Text(), nullable=True))
    op.add_column("notes", sa.Column("quotes", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("notes", sa.Column("selected", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.add_column("notes", sa.Column("screening", sa.Text(), nullable=True))
    op.add_column("notes", sa.Column("screening_reason", sa.Text(), nullable=True))

    op.add_column("calibration_sessions", sa.Column("facilitator_id", sa.Uuid(), nullable=True))

    op.create_table(
        "patterns",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("quantifier", sa.Text(), nullable=False),
        sa.Column("note_ids", sa.ARRAY(sa.Uuid()), nullable=False),
        sa.Column("look_for_codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_patterns_visit_id", "patterns", ["visit_id"], unique=False)

    # The index is computed from the evidence when read; what was published is kept so that it is
    # published once per threshold and once at period close, never per submission.
    op.create_table(
        "quality_publications",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("protocol_version_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("observed_classrooms", sa.Integer(), nullable=False),
        sa.Column("overall", sa.Float(), nullable=True),
        sa.Column("shares", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "school_id", "period", "protocol_version_id", "reason"),
    )
    op.create_table(
        "quality_sums",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("protocol_version_id", sa.Uuid(), nullable=False),
        sa.Column("look_for_code", sa.Text(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "school_id", "period", "protocol_version_id", "look_for_code"),
    )
    op.create_table(
        "problems_of_practice",
        sa.Column("problem_of_practice_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("problem_of_practice_id"),
    )
    op.create_index("ix_problems_of_practice_tenant_id", "problems_of_practice", ["tenant_id"], unique=False)
    # the running-count projection is replaced: it counted any observer's tag and every note
    op.drop_table("classroom_look_fors")
    op.drop_table("quality_counts")


def downgrade() -> None:
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
        "classroom_look_fors",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("classroom_id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("codes", sa.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("classroom_id"),
    )
    op.drop_index("ix_problems_of_practice_tenant_id", table_name="problems_of_practice")
    op.drop_table("problems_of_practice")
    op.drop_table("quality_sums")
    op.drop_table("quality_publications")
    op.drop_index("ix_patterns_visit_id", table_name="patterns")
    op.drop_table("patterns")
    op.drop_column("calibration_sessions", "facilitator_id")
    for column in ("screening_reason", "screening", "selected", "quotes", "verdict"):
        op.drop_column("notes", column)
    op.drop_index("ix_visits_problem_of_practice_id", table_name="visits")
    for column in ("prediction_pattern_ids", "observer_roles", "sub_teams", "focusing_questions",
                   "theory_of_action", "problem_of_practice_id"):
        op.drop_column("visits", column)
