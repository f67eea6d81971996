"""partner delivery: subscriptions, the partner event store and the webhook deliveries

Revision ID: 0100
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0100"
down_revision = "0001"  # the lead re-chains this when merging concurrent gateway revisions
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner_subscriptions",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("client_id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("types", sa.ARRAY(sa.Text), nullable=False),
        sa.Column("mode", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("secret", sa.Text),
        sa.Column("previous_secret", sa.Text),
        sa.Column("previous_secret_expires_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'active'")),
        sa.Column("disabled_reason", sa.Text),
        sa.Column("disabled_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("partner_subscriptions_by_tenant", "partner_subscriptions", ["tenant_id", "client_id"])
    op.create_table(
        "partner_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("aggregate", sa.Text, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("cloudevent", JSONB, nullable=False),
    )
    op.create_index("partner_events_by_tenant", "partner_events", ["tenant_id", "seq"])
    op.create_index("partner_events_by_tenant_time", "partner_events", ["tenant_id", "time"])
    op.create_table(
        "partner_deliveries",
        sa.Column("subscription_id", sa.Uuid, sa.ForeignKey("partner_subscriptions.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("event_seq", sa.BigInteger, sa.ForeignKey("partner_events.seq", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("aggregate", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("first_failed_at", sa.DateTime(timezone=True)),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("subscription_id", "event_seq"),
    )
    op.create_index("partner_deliveries_due", "partner_deliveries", ["next_attempt_at"],
                    postgresql_where=sa.text("delivered_at IS NULL"))
    op.create_index("partner_deliveries_pending_by_aggregate", "partner_deliveries",
                    ["subscription_id", "aggregate", "event_seq"], postgresql_where=sa.text("delivered_at IS NULL"))
    op.create_index("partner_deliveries_by_event", "partner_deliveries", ["event_seq"])


def downgrade() -> None:
    op.drop_table("partner_deliveries")
    op.drop_table("partner_events")
    op.drop_table("partner_subscriptions")
