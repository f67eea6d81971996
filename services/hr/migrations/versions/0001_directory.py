"""districts, schools, educators, and the mechanism tables

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _common() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False, index=True),
    ]


def _tail() -> list[sa.Column]:
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    # The mechanism tables (libs/common/tables.py), written out: a migration never calls live code.
    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("id", sa.Uuid, nullable=False, unique=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("aggregatetype", sa.Text, nullable=False),
        sa.Column("aggregateid", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("outbox_unpublished", "outbox", ["seq"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_index("outbox_unpublished_by_aggregate", "outbox", ["aggregatetype", "aggregateid", "seq"],
                    postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("consumer_group", sa.Text, nullable=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False, server_default=sa.text("'applied'")),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("consumer_group", "event_id"),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("body", JSONB, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "key"),
    )
    op.create_table(
        "district", *_common(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ed_fi_id", sa.Text), sa.Column("sourced_id", sa.Text), *_tail(),
        sa.UniqueConstraint("tenant_id", "ed_fi_id", name="uq_district__ed_fi_id"),
        sa.UniqueConstraint("tenant_id", "sourced_id", name="uq_district__sourced_id"),
    )
    op.create_table(
        "school", *_common(),
        sa.Column("district_id", sa.Uuid, sa.ForeignKey("district.id", name="fk_school__district_id"), index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ed_fi_id", sa.Text), sa.Column("sourced_id", sa.Text), *_tail(),
        sa.UniqueConstraint("tenant_id", "ed_fi_id", name="uq_school__ed_fi_id"),
        sa.UniqueConstraint("tenant_id", "sourced_id", name="uq_school__sourced_id"),
    )
    op.create_table(
        "educator", *_common(),
        sa.Column("school_id", sa.Uuid, sa.ForeignKey("school.id", name="fk_educator__school_id"), index=True),
        sa.Column("given_name", sa.Text, nullable=False),
        sa.Column("family_name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("position", sa.Text),
        sa.Column("career_stage", sa.Text, nullable=False),
        sa.Column("staff_unique_id", sa.Text), sa.Column("sourced_id", sa.Text), *_tail(),
        sa.UniqueConstraint("tenant_id", "staff_unique_id", name="uq_educator__staff_unique_id"),
        sa.UniqueConstraint("tenant_id", "sourced_id", name="uq_educator__sourced_id"),
    )


def downgrade() -> None:
    for table in ("educator", "school", "district", "idempotency_keys", "inbox", "outbox"):
        op.drop_table(table)
