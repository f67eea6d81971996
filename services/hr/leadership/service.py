"""Use cases of leadership: responsibilities recorded by hr or arriving from networks, and signals."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import Problem
from libs.contracts.networks import LeaderEmerged, MeetingHeld
from services.hr.educators import service as educators
from services.hr.ladder.config import load
from services.hr.leadership import rules
from services.hr.leadership.schemas import ResponsibilityPublic, SignalPublic
from services.hr.models import Educator, LeadershipSignal, Responsibility, utcnow

EDUCATORS = Educator.__table__  # type: ignore[attr-defined]
RESPONSIBILITIES = Responsibility.__table__  # type: ignore[attr-defined]
SIGNALS = LeadershipSignal.__table__  # type: ignore[attr-defined]


async def record(session: AsyncSession, principal: Principal, educator_id: uuid.UUID,
                 values: dict[str, Any]) -> ResponsibilityPublic:
    row = await educators.locked(session, principal, educator_id)
    ladder, _ = await load(session, principal.tenant_id)
    stage = row["stage"] or row["career_stage"]
    if ladder.rank(stage) < ladder.rank(rules.MINIMUM_STAGE):
        raise Problem(409, "Below the stage for responsibilities",
                      f"leadership responsibilities are for intermediate teachers and up; this educator is {stage}",
                      slug="stage-too-low", errors=[{"field": "educator_id", "message": f"stage {stage}"}])
    if values.get("ends_on") and values["ends_on"] < values["starts_on"]:
        raise Problem(409, "Invalid dates", "ends_on: before starts_on", slug="date-order",
                      errors=[{"field": "ends_on", "message": "before starts_on"}])
    new = {"id": uuid.uuid4(), "tenant_id": principal.tenant_id, "educator_id": educator_id,
           "title": values["title"], "domains": [str(d) for d in values["domains"]], "starts_on": values["starts_on"],
           "ends_on": values.get("ends_on"), "source": "recorded", "source_id": None, "created_at": utcnow()}
    await session.execute(pg_insert(RESPONSIBILITIES).values(**new))
    return ResponsibilityPublic.model_validate(new)


async def list_for(session: AsyncSession, principal: Principal, educator_id: uuid.UUID) -> list[ResponsibilityPublic]:
    await educators.locked(session, principal, educator_id)
    rows = (await session.execute(select(RESPONSIBILITIES).where(
        RESPONSIBILITIES.c.tenant_id == principal.tenant_id, RESPONSIBILITIES.c.educator_id == educator_id)
        .order_by(RESPONSIBILITIES.c.starts_on, RESPONSIBILITIES.c.created_at))).mappings().all()
    return [ResponsibilityPublic.model_validate(dict(r)) for r in rows]


async def signals_for(session: AsyncSession, principal: Principal, educator_id: uuid.UUID) -> list[SignalPublic]:
    await educators.locked(session, principal, educator_id)
    rows = (await session.execute(select(SIGNALS).where(
        SIGNALS.c.tenant_id == principal.tenant_id, SIGNALS.c.educator_id == educator_id)
        .order_by(SIGNALS.c.created_at))).mappings().all()
    return [SignalPublic.model_validate(dict(r)) for r in rows]


async def _known(session: AsyncSession, tenant_id: str, educator_id: uuid.UUID) -> bool:
    return await session.scalar(select(EDUCATORS.c.id).where(EDUCATORS.c.tenant_id == tenant_id,
                                                             EDUCATORS.c.id == educator_id)) is not None


async def meeting_held(session: AsyncSession, tenant_id: str, payload: MeetingHeld) -> bool:
    """The chair's responsibility (once per meeting); a chair hr does not know is skipped."""
    if not await _known(session, tenant_id, payload.chair_id):
        return False
    stmt = pg_insert(RESPONSIBILITIES).values(
        id=uuid.uuid4(), tenant_id=tenant_id, educator_id=payload.chair_id,
        title=rules.chair_title(payload.meeting_type, payload.chair_reason),
        domains=[str(d) for d in rules.CHAIR_DOMAINS], starts_on=payload.meeting_date,
        ends_on=payload.meeting_date, source="network_meeting", source_id=payload.meeting_id, created_at=utcnow())
    await session.execute(stmt.on_conflict_do_nothing(constraint="uq_responsibility__source"))
    return True


async def leader_emerged(session: AsyncSession, tenant_id: str, payload: LeaderEmerged) -> bool:
    if not await _known(session, tenant_id, payload.educator_id):
        return False
    await session.execute(pg_insert(SIGNALS).values(
        id=uuid.uuid4(), tenant_id=tenant_id, educator_id=payload.educator_id, network_id=payload.network_id,
        period=payload.period, periods=payload.periods, betweenness_percentile=payload.betweenness_percentile,
        created_at=utcnow()))
    return True
