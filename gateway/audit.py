"""The platform's audit log: personal-data access recorded by the services, kept append-only here."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gateway.models import audit_log
from libs.common.events import Event
from libs.common.inbox import Consumer
from libs.common.pagination import PageRequest, page_of
from libs.contracts.audit import AUDIT_TOPIC, PersonalDataAccessed
from libs.contracts.base import REGISTRY, parse_payload


async def record(session: AsyncSession, event: Event) -> None:
    if event.type not in REGISTRY:
        return
    payload = parse_payload(event.type, event.data)
    if not isinstance(payload, PersonalDataAccessed):
        return
    await session.execute(insert(audit_log).values(
        event_id=event.id, tenant_id=event.tenant_id, at=event.time, service=event.source.rsplit("/", 1)[-1],
        actor=payload.actor, action=payload.action, object_type=payload.object_type,
        object_ids=[str(i) for i in payload.object_ids], fields=payload.fields, request_id=payload.request_id))


AUDIT_CONSUMER = Consumer(group="gateway.audit", topics=(AUDIT_TOPIC,), handler=record)


async def search(engine: AsyncEngine, tenant_id: str, page: PageRequest, *, actor: str | None = None,
                 object_id: uuid.UUID | None = None, action: str | None = None, service: str | None = None,
                 since: datetime | None = None, until: datetime | None = None
                 ) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first; filters combine."""
    stmt = select(audit_log).where(audit_log.c.tenant_id == tenant_id)
    if actor:
        stmt = stmt.where(audit_log.c.actor == actor)
    if object_id:
        stmt = stmt.where(audit_log.c.object_ids.any(str(object_id)))
    if action:
        stmt = stmt.where(audit_log.c.action == action)
    if service:
        stmt = stmt.where(audit_log.c.service == service)
    if since:
        stmt = stmt.where(audit_log.c.at >= since)
    if until:
        stmt = stmt.where(audit_log.c.at < until)
    if page.after:
        stmt = stmt.where(audit_log.c.seq < int(page.after.get("seq", 0)))
    stmt = stmt.order_by(audit_log.c.seq.desc()).limit(page.size + 1)
    async with engine.connect() as conn:
        rows = [dict(r._mapping) for r in await conn.execute(stmt)]
    kept, token = page_of(rows, page.size, lambda r: {"seq": r["seq"]})
    return [{k: v for k, v in r.items() if k not in ("seq", "tenant_id")} for r in kept], token
