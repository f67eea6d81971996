"""Use cases of residencies: placement in another school (events), end."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.outbox import record_events
from libs.common.problems import Problem, not_found
from libs.common.repository import check_version, get_or_404, reference, require_known
from libs.contracts.hr import ResidencyEnded, ResidencyStarted
from services.hr import scope
from services.hr.educators import service as educators
from services.hr.models import Educator, Residency, School, utcnow
from services.hr.residencies.rules import placement_problems
from services.hr.residencies.schemas import ResidencyPublic
from services.hr.settings import SERVICE

RESIDENCIES = Residency.__table__  # type: ignore[attr-defined]


async def place(session: AsyncSession, principal: Principal, values: dict[str, Any]) -> ResidencyPublic:
    tenant_id = principal.tenant_id
    scope.check_school(principal, "school_id", values["school_id"])
    await require_known(session, tenant_id,
                        reference(Educator, "educator", "resident_id", values["resident_id"]),
                        reference(School, "school", "school_id", values["school_id"]),
                        reference(Educator, "educator", "supervisor_id", values["supervisor_id"]))
    resident = await educators.locked(session, principal, values["resident_id"], for_update=True)
    supervisor = await educators.locked(session, principal, values["supervisor_id"])
    problems = placement_problems(resident["career_stage"], resident["school_id"], values["school_id"],
                                  supervisor["career_stage"], values["starts_on"], values.get("ends_on"))
    if problems:
        status = max(p[0] for p in problems)
        raise Problem(status, "Residency not possible", "; ".join(f"{f}: {m}" for _, f, m in problems),
                      slug="residency-not-possible", errors=[{"field": f, "message": m} for _, f, m in problems])
    if await session.scalar(select(RESIDENCIES.c.id).where(
            RESIDENCIES.c.tenant_id == tenant_id, RESIDENCIES.c.resident_id == values["resident_id"],
            RESIDENCIES.c.status == "active")):
        raise Problem(409, "Already in residency", "the resident has an active residency", slug="residency-active",
                      errors=[{"field": "resident_id", "message": "already in an active residency"}])
    now = utcnow()
    row = (await session.execute(insert(RESIDENCIES).values(
        id=uuid.uuid4(), tenant_id=tenant_id, version=1, created_at=now, updated_at=now, status="active", **values)
        .returning(*RESIDENCIES.c))).mappings().one()
    await record_events(session, [ResidencyStarted(residency_id=row["id"], resident_id=row["resident_id"],
                                                   school_id=row["school_id"], supervisor_id=row["supervisor_id"],
                                                   starts_on=row["starts_on"])],
                        service=SERVICE, tenant_id=tenant_id)
    return ResidencyPublic.model_validate(dict(row))


async def _residency(session: AsyncSession, principal: Principal, residency_id: uuid.UUID, *,
                     for_update: bool = False) -> Any:
    row = await get_or_404(session, Residency, residency_id, principal.tenant_id, label="residency",
                           for_update=for_update)
    if not scope.may_see(principal, row["school_id"]):
        raise not_found("residency")
    return row


async def get(session: AsyncSession, principal: Principal, residency_id: uuid.UUID) -> ResidencyPublic:
    return ResidencyPublic.model_validate(dict(await _residency(session, principal, residency_id)))


async def end(session: AsyncSession, principal: Principal, residency_id: uuid.UUID, expected: int | None,
              ends_on: date | None) -> ResidencyPublic:
    row = await _residency(session, principal, residency_id, for_update=True)
    check_version(row["version"], expected)
    if row["status"] != "active":
        raise Problem(409, "Already ended", "the residency has already ended", slug="residency-ended")
    ends_on = ends_on or utcnow().date()
    if ends_on < row["starts_on"]:
        raise Problem(409, "Invalid date", "ends_on: before starts_on", slug="date-order",
                      errors=[{"field": "ends_on", "message": "before starts_on"}])
    after = (await session.execute(update(RESIDENCIES).where(RESIDENCIES.c.id == residency_id).values(
        status="ended", ends_on=ends_on, version=RESIDENCIES.c.version + 1, updated_at=utcnow())
        .returning(*RESIDENCIES.c))).mappings().one()
    await record_events(session, [ResidencyEnded(residency_id=row["id"], resident_id=row["resident_id"],
                                                 school_id=row["school_id"], ends_on=ends_on)],
                        service=SERVICE, tenant_id=principal.tenant_id)
    return ResidencyPublic.model_validate(dict(after))


async def list_residencies(session: AsyncSession, principal: Principal,
                           resident_id: uuid.UUID | None) -> list[ResidencyPublic]:
    stmt = select(RESIDENCIES).where(RESIDENCIES.c.tenant_id == principal.tenant_id)
    if resident_id:
        stmt = stmt.where(RESIDENCIES.c.resident_id == resident_id)
    if (reachable := scope.school_ids(principal)) is not None:
        stmt = stmt.where(RESIDENCIES.c.school_id.in_(reachable))
    rows = (await session.execute(stmt.order_by(RESIDENCIES.c.starts_on))).mappings().all()
    return [ResidencyPublic.model_validate(dict(r)) for r in rows]
