"""Use cases of professional learning: each record is an event strategy counts as capacity invested."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.outbox import record_events
from libs.contracts.hr import ProfessionalLearningRecorded
from services.hr.educators import service as educators
from services.hr.learning.schemas import LearningPublic
from services.hr.models import ProfessionalLearning, utcnow
from services.hr.settings import SERVICE

LEARNING = ProfessionalLearning.__table__  # type: ignore[attr-defined]


async def record(session: AsyncSession, principal: Principal, values: dict[str, Any]) -> LearningPublic:
    educator = await educators.locked(session, principal, values["educator_id"], field="educator_id")
    new = {"id": uuid.uuid4(), "tenant_id": principal.tenant_id, **values, "created_at": utcnow()}
    await session.execute(insert(LEARNING).values(**new))
    await record_events(session, [ProfessionalLearningRecorded(
        learning_id=new["id"], educator_id=educator["id"], school_id=educator["school_id"], hours=values["hours"],
        topic_code=values.get("topic_code"), completed_on=values["completed_on"],
        initiative_id=values.get("initiative_id"))], service=SERVICE, tenant_id=principal.tenant_id)
    return LearningPublic.model_validate(new)


async def list_for(session: AsyncSession, principal: Principal, educator_id: uuid.UUID) -> list[LearningPublic]:
    await educators.locked(session, principal, educator_id)
    rows = (await session.execute(select(LEARNING).where(
        LEARNING.c.tenant_id == principal.tenant_id, LEARNING.c.educator_id == educator_id)
        .order_by(LEARNING.c.completed_on))).mappings().all()
    return [LearningPublic.model_validate(dict(r)) for r in rows]
