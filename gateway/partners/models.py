"""The partner delivery tables, in the gateway's database.

`partner_events` is the store of every event the gateway's partner consumer read from the bus, one row
per event, as the CloudEvent partners receive; the feed reads it by `seq` (the cursor) and replay
re-delivers from it without going back to the bus. `partner_deliveries` is one row per (webhook
subscription, event): pending until the receiver answered 2xx, with the attempt count, the next
attempt's time and the last error.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

# The tables live in this package's own metadata; the gateway's models copy them into theirs
# (`include_partner_tables(metadata)`), so the migration comparison sees them as gateway tables.
metadata = MetaData()

subscriptions = Table(
    "partner_subscriptions", metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Text, nullable=False),
    Column("client_id", Text, nullable=False),  # the partner's OAuth2 client (its tokens' subject)
    Column("name", Text, nullable=False),
    Column("types", ARRAY(Text), nullable=False),  # the event types the tenant granted
    Column("mode", Text, nullable=False),  # webhook | feed
    Column("url", Text),
    Column("secret", Text),  # whsec_...: signs webhooks (kept: HMAC needs the secret itself)
    Column("previous_secret", Text),  # still signs (a second signature) until it expires: rotation
    Column("previous_secret_expires_at", DateTime(timezone=True)),
    Column("status", Text, nullable=False, server_default=text("'active'")),  # active | disabled
    Column("disabled_reason", Text),
    Column("disabled_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("partner_subscriptions_by_tenant", "tenant_id", "client_id"),
)

events = Table(
    "partner_events", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("tenant_id", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("aggregate", Text, nullable=False),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("cloudevent", JSONB, nullable=False),
    Index("partner_events_by_tenant", "tenant_id", "seq"),
    Index("partner_events_by_tenant_time", "tenant_id", "time"),
)

deliveries = Table(
    "partner_deliveries", metadata,
    Column("subscription_id", Uuid, ForeignKey("partner_subscriptions.id", ondelete="CASCADE"), nullable=False),
    Column("event_seq", BigInteger, ForeignKey("partner_events.seq", ondelete="CASCADE"), nullable=False),
    Column("aggregate", Text, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("first_failed_at", DateTime(timezone=True)),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("subscription_id", "event_seq"),
    Index("partner_deliveries_due", "next_attempt_at", postgresql_where=text("delivered_at IS NULL")),
    Index("partner_deliveries_pending_by_aggregate", "subscription_id", "aggregate", "event_seq",
          postgresql_where=text("delivered_at IS NULL")),
    Index("partner_deliveries_by_event", "event_seq"),
)

PARTNER_TABLES: tuple[Table, ...] = (subscriptions, events, deliveries)


def include_partner_tables(target: MetaData) -> None:
    """Copy the partner tables into the gateway's metadata (for its migration comparison)."""
    for table in PARTNER_TABLES:
        if table.name not in target.tables:
            table.to_metadata(target)
