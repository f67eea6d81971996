"""The platform's audit log: personal-data access recorded by the services, kept append-only here
(the consumer), and read by tenant admins (the route)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gateway.identity.principal import Admin
from gateway.limits import BODY_TOO_LARGE
from gateway.models import audit_log
from gateway.routes import API_PREFIX
from libs.common.events import Event
from libs.common.inbox import Consumer
from libs.common.openapi_examples import example_id
from libs.common.pagination import Page, PageDep, PageRequest, page_of
from libs.common.problems import Problem, problem_responses
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
    async with engine.connect() as conn:
        await page.count_total(conn, stmt)
        if page.after:
            stmt = stmt.where(audit_log.c.seq < int(page.after.get("seq", 0)))
        stmt = stmt.order_by(audit_log.c.seq.desc()).limit(page.size + 1)
        rows = [dict(r._mapping) for r in await conn.execute(stmt)]
    kept, token = page_of(rows, page.size, lambda r: {"seq": r["seq"]})
    return [{k: v for k, v in r.items() if k not in ("seq", "tenant_id")} for r in kept], token


# --- the route ---------------------------------------------------------------------------------

class AuditRecord(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "event_id": example_id("event_id"), "at": "2026-10-05T13:20:00Z", "service": "hr",
        "actor": "riverside-sis-4f2a9c", "action": "read", "object_type": "educator",
        "object_ids": [example_id("educator_id")], "fields": ["date_of_birth", "email"],
        "request_id": "7b0c5e4f2d3a4b1c"}]})

    event_id: uuid.UUID
    at: datetime
    service: str
    actor: str
    action: str
    object_type: str
    object_ids: list[str]
    fields: list[str]
    request_id: str | None


router = APIRouter(tags=["audit"])


@router.get(API_PREFIX + "/audit", response_model=Page[AuditRecord],
            responses={**problem_responses(400, 401, 403, 404, 422, 429), **BODY_TOO_LARGE},
            summary="Who read or changed personal data, newest first",
            description="Tenant-wide: a school-limited token is refused (403), since records are not "
                        "attributed to schools.")
async def audit_route(request: Request, principal: Admin, page: PageDep,
                      actor: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
                      object_id: uuid.UUID | None = None,
                      action: Literal["read", "create", "update", "delete"] | None = None,
                      service: Literal["hr", "observations", "networks", "strategy"] | None = None,
                      since: datetime | None = None, until: datetime | None = None) -> Any:
    if principal.schools is not None:
        raise Problem(403, "Forbidden", "the audit log is tenant-wide; a school-limited token cannot read it",
                      slug="outside-school-scope")
    items, token = await search(request.app.state.engine, principal.tenant_id, page, actor=actor,
                                object_id=object_id, action=action, service=service, since=since, until=until)
    return {"items": items, "next_page_token": token}
