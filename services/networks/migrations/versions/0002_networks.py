"""networks, norms, memberships, problems of practice, meetings, the practice library, commitments,
PDSA cycles, and the collaboration graph (interactions and its measures)

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _created() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _updated() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("focus", sa.Text, nullable=False),
        sa.Column("school_ids", ARRAY(sa.Uuid), nullable=False),
        sa.Column("district_ids", ARRAY(sa.Uuid), nullable=False),
        sa.Column("cadence", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _created(),
        _updated(),
    )
    op.create_index("ix_networks__tenant", "networks", ["tenant_id"])
    op.create_table(
        "network_norms",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("network_id", sa.Uuid, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("norms", JSONB, nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("network_id", "number"),
    )
    op.create_table(
        "memberships",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("network_id", sa.Uuid, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("tags", ARRAY(sa.Text), nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("version", sa.Integer, nullable=False),
        _created(),
    )
    op.create_index("ix_memberships__network", "memberships", ["tenant_id", "network_id"])
    op.create_table(
        "problems_of_practice",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("network_id", sa.Uuid),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("theory_of_action", sa.Text, nullable=False),
        sa.Column("focusing_questions", JSONB, nullable=False),
        sa.Column("criteria", JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("aim", JSONB),
        sa.Column("driver_diagram", JSONB),
        sa.Column("version", sa.Integer, nullable=False),
        _created(),
        _updated(),
    )
    op.create_index("ix_problems_of_practice__tenant", "problems_of_practice", ["tenant_id", "school_id"])
    op.create_table(
        "problem_visits",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("problem_of_practice_id", sa.Uuid, nullable=False),
        sa.Column("visit_id", sa.Uuid, nullable=False),
        sa.Column("visit_date", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "problem_of_practice_id", "visit_id"),
    )
    op.create_table(
        "meetings",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("network_id", sa.Uuid, nullable=False),
        sa.Column("meeting_date", sa.Date, nullable=False),
        sa.Column("meeting_type", sa.Text, nullable=False),
        sa.Column("host_school_id", sa.Uuid),
        sa.Column("problem_of_practice_id", sa.Uuid),
        sa.Column("agenda", JSONB, nullable=False),
        sa.Column("attendee_ids", ARRAY(sa.Uuid), nullable=False),
        sa.Column("chair_id", sa.Uuid, nullable=False),
        sa.Column("chair_reason", sa.Text, nullable=False),
        sa.Column("norms_version", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
        _created(),
    )
    op.create_index("ix_meetings__network", "meetings", ["tenant_id", "network_id", "meeting_date"])
    op.create_table(
        "practices",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("network_id", sa.Uuid),
        sa.Column("origin_school_id", sa.Uuid, nullable=False),
        sa.Column("contributor_ids", ARRAY(sa.Uuid), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("evidence", JSONB, nullable=False),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("tags", ARRAY(sa.Text), nullable=False),
        sa.Column("visibility", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False),
        _created(),
    )
    op.create_index("ix_practices__tenant", "practices", ["tenant_id"])
    op.create_index("ix_practices__published", "practices", ["visibility", "published_at"])
    op.create_table(
        "adoptions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("practice_id", sa.Uuid, nullable=False),
        sa.Column("practice_tenant_id", sa.Text, nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("network_id", sa.Uuid),
        sa.Column("adopted_on", sa.Date, nullable=False),
        sa.Column("outcome_notes", sa.Text, nullable=False),
        _created(),
        sa.UniqueConstraint("tenant_id", "practice_id", "school_id", name="uq_adoptions__school_id"),
    )
    op.create_index("ix_adoptions__practice", "adoptions", ["practice_id"])
    op.create_table(
        "commitments",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("network_id", sa.Uuid),
        sa.Column("meeting_id", sa.Uuid),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("educator_id", sa.Uuid),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("horizon", sa.Text),
        sa.Column("level", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("follow_ups", JSONB, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("visit_id", sa.Uuid),
        sa.Column("source_item_id", sa.Uuid),
        sa.Column("problem_of_practice_id", sa.Uuid),
        sa.Column("overdue_reported", sa.Boolean, nullable=False, server_default="false"),
        sa.Column("version", sa.Integer, nullable=False),
        _created(),
        sa.UniqueConstraint("tenant_id", "source_item_id", name="uq_commitments__source_item_id"),
    )
    op.create_index("ix_commitments__school", "commitments", ["tenant_id", "school_id", "status"])
    op.create_table(
        "cycles",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("problem_of_practice_id", sa.Uuid, nullable=False),
        sa.Column("change_idea_id", sa.Uuid, nullable=False),
        sa.Column("school_id", sa.Uuid, nullable=False),
        sa.Column("plan", JSONB, nullable=False),
        sa.Column("do", JSONB),
        sa.Column("study", JSONB),
        sa.Column("decision", sa.Text),
        sa.Column("stage", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _created(),
    )
    op.create_index("ix_cycles__problem", "cycles", ["tenant_id", "problem_of_practice_id"])
    op.create_table(
        "interactions",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("source_id", sa.Uuid, nullable=False),
        sa.Column("a_id", sa.Uuid, nullable=False),
        sa.Column("b_id", sa.Uuid, nullable=False),
        sa.Column("network_id", sa.Uuid),
        sa.Column("school_id", sa.Uuid),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("ended_on", sa.Date),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "source_id", "a_id", "b_id"),
    )
    op.create_table(
        "graph_measures",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("scope_id", sa.Uuid, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("measures", JSONB, nullable=False),
        sa.Column("people", JSONB, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "scope", "scope_id", "period"),
    )
    op.create_table(
        "emerged_leaders",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("educator_id", sa.Uuid, nullable=False),
        sa.Column("scope_id", sa.Uuid, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("betweenness_percentile", sa.Float, nullable=False),
        _created(),
        sa.PrimaryKeyConstraint("tenant_id", "educator_id", "scope_id", "period"),
    )


def downgrade() -> None:
    for table in ("emerged_leaders", "graph_measures", "interactions", "cycles", "commitments", "adoptions",
                  "practices", "meetings", "problem_visits", "problems_of_practice", "memberships",
                  "network_norms", "networks"):
        op.drop_table(table)
