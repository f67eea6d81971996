"""The partner consumer (bus -> partner_events + pending deliveries) and the queries on that store.

The consumer is an ordinary consumer group (`gateway.partners`, the inbox mechanism) over every topic
the contracts name, so it works on the embedded bus and on Kafka alike. It keeps only documented event
types and only their documented fields (the payload model drops anything else), so nothing a producer
added by mistake, personal data included, reaches a partner.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from libs.common.events import SPECVERSION, Event
from libs.common.inbox import Consumer
from libs.contracts import REGISTRY
from libs.contracts.base import SCHEMA_PATH

GROUP = "gateway.partners"
# One writer at a time assigns `seq`, so seq order is commit order: a feed reader that saw seq N can
# never later miss an event committed with a smaller seq (concurrent consumers would interleave).
SEQ_LOCK = 0x1A7E_0001
LOCK = text("SELECT pg_advisory_xact_lock(:key)")
INSERT_EVENT = text(
    "INSERT INTO partner_events (event_id, tenant_id, type, aggregate, time, cloudevent) "
    "VALUES (:id, :tenant, :type, :aggregate, :time, CAST(:cloudevent AS jsonb)) "
    "ON CONFLICT (event_id) DO NOTHING RETURNING seq")
FAN_OUT = text(
    "INSERT INTO partner_deliveries (subscription_id, event_seq, aggregate) "
    "SELECT s.id, :seq, :aggregate FROM partner_subscriptions s "
    "WHERE s.tenant_id = :tenant AND s.mode = 'webhook' AND :type = ANY(s.types) "
    "ON CONFLICT DO NOTHING")

# A polled batch at once, in its order (so seq order stays the order events were taken in).
INSERT_EVENTS = text(
    "INSERT INTO partner_events (event_id, tenant_id, type, aggregate, time, cloudevent) "
    "SELECT u.id, u.tenant, u.type, u.aggregate, u.time, CAST(u.ce AS jsonb) FROM unnest("
    "CAST(:ids AS uuid[]), CAST(:tenants AS text[]), CAST(:types AS text[]), CAST(:aggregates AS text[]), "
    "CAST(:times AS timestamptz[]), CAST(:ces AS text[])) WITH ORDINALITY AS u(id, tenant, type, aggregate, time, "
    "ce, n) ORDER BY u.n ON CONFLICT (event_id) DO NOTHING RETURNING seq")
FAN_OUT_MANY = text(
    "INSERT INTO partner_deliveries (subscription_id, event_seq, aggregate) "
    "SELECT s.id, e.seq, e.aggregate FROM partner_events e JOIN partner_subscriptions s "
    "ON s.tenant_id = e.tenant_id AND s.mode = 'webhook' AND e.type = ANY(s.types) "
    "WHERE e.seq = ANY(CAST(:seqs AS bigint[])) ORDER BY e.seq ON CONFLICT DO NOTHING")


def cloudevent(event: Event) -> dict[str, Any] | None:
    """The CloudEvent in structured JSON mode, with the payload reduced to its documented fields."""
    model = REGISTRY.get(event.type)
    if model is None:
        return None  # a type this build does not document is never delivered
    data = model.model_validate(event.data).model_dump(mode="json")
    return {
        "specversion": SPECVERSION,
        "id": str(event.id),
        "source": event.source,
        "type": event.type,
        "subject": event.subject,
        "time": event.time.isoformat(),
        "datacontenttype": "application/json",
        "dataschema": model.dataschema(),
        "data": data,
    }


def with_schema_base(ce: dict[str, Any], public_url: str | None) -> dict[str, Any]:
    """Point `dataschema` at the gateway that serves it (the stored event keeps the canonical URL)."""
    if not public_url:
        return ce
    model = REGISTRY.get(ce["type"])
    if model is None:
        return ce
    path = f"{SCHEMA_PATH}/{model.event_type}/v{model.schema_version}.json"
    return {**ce, "dataschema": public_url.rstrip("/") + path}


async def record(session: AsyncSession, event: Event) -> None:
    ce = cloudevent(event)
    if ce is None:
        return
    await session.execute(LOCK, {"key": SEQ_LOCK})
    seq = (await session.execute(INSERT_EVENT, {
        "id": event.id, "tenant": event.tenant_id, "type": event.type, "aggregate": event.subject,
        "time": event.time, "cloudevent": json.dumps(ce, separators=(",", ":"))})).scalar()
    if seq is None:
        return  # already stored (the event reached the bus twice)
    await session.execute(FAN_OUT, {"seq": seq, "aggregate": event.subject, "tenant": event.tenant_id,
                                    "type": event.type})


async def record_many(session: AsyncSession, events: Sequence[Event]) -> None:
    """`record` for a polled batch: two statements whatever its size (a district's bulk load is thousands)."""
    kept = [(e, ce) for e in events if (ce := cloudevent(e)) is not None]
    if not kept:
        return
    await session.execute(LOCK, {"key": SEQ_LOCK})
    seqs = (await session.execute(INSERT_EVENTS, {
        "ids": [e.id for e, _ in kept], "tenants": [e.tenant_id for e, _ in kept], "types": [e.type for e, _ in kept],
        "aggregates": [e.subject for e, _ in kept], "times": [e.time for e, _ in kept],
        "ces": [json.dumps(ce, separators=(",", ":")) for _, ce in kept]})).scalars().all()
    if seqs:
        await session.execute(FAN_OUT_MANY, {"seqs": list(seqs)})


def partners_consumer() -> Consumer:
    """The consumer group of partner delivery: every topic the contracts name."""
    topics = tuple(sorted({model.topic for model in REGISTRY.values()}))
    return Consumer(group=GROUP, topics=topics, handler=record, batch_handler=record_many)


PARTNERS_CONSUMER = partners_consumer()


# --- the feed --------------------------------------------------------------------------------

FEED = text(
    "SELECT seq, cloudevent FROM partner_events "
    "WHERE tenant_id = :tenant AND seq > :after AND type = ANY(:types) ORDER BY seq LIMIT :limit")


async def feed_page(conn: AsyncConnection, tenant: str, after: int, types: list[str],
                    limit: int) -> list[tuple[int, dict[str, Any]]]:
    rows = await conn.execute(FEED, {"tenant": tenant, "after": after, "types": types, "limit": limit})
    return [(int(r.seq), dict(r.cloudevent)) for r in rows]


# --- replay and re-enable --------------------------------------------------------------------

REPLAY = text(
    "INSERT INTO partner_deliveries (subscription_id, event_seq, aggregate) "
    "SELECT s.id, e.seq, e.aggregate FROM partner_subscriptions s "
    "JOIN partner_events e ON e.tenant_id = s.tenant_id AND e.type = ANY(s.types) "
    "WHERE s.id = :id AND e.time >= :since "
    "ON CONFLICT (subscription_id, event_seq) DO UPDATE SET delivered_at = NULL, attempts = 0, "
    "next_attempt_at = now(), first_failed_at = NULL, last_error = NULL, last_status = NULL")

RESUME = text(
    "UPDATE partner_deliveries SET next_attempt_at = now(), attempts = 0, first_failed_at = NULL "
    "WHERE subscription_id = :id AND delivered_at IS NULL")


async def replay(conn: AsyncConnection, subscription_id: uuid.UUID, since: datetime) -> int:
    """Deliver again every granted event of the tenant from `since` (event time), in order."""
    result = await conn.execute(REPLAY, {"id": subscription_id, "since": since})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def resume(conn: AsyncConnection, subscription_id: uuid.UUID) -> None:
    """After a re-enable: what was pending goes out now, with a fresh retry window."""
    await conn.execute(RESUME, {"id": subscription_id})


PRUNE = text("DELETE FROM partner_events WHERE received_at < now() - make_interval(secs => :secs)")


async def prune(conn: AsyncConnection, retention_seconds: float) -> int:
    """Forget events older than the retention (their deliveries go with them)."""
    result = await conn.execute(PRUNE, {"secs": retention_seconds})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
