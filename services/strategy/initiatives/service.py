"""Initiatives: owner, the statement served, money and people-time per school, milestones, and status
only through dated updates."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import Problem, field_error
from libs.common.repository import get_or_404, reference
from services.strategy import common
from services.strategy.initiatives import status as item_status
from services.strategy.initiatives.schemas import (
    AllocationPublic,
    InitiativeCreate,
    InitiativePublic,
    MilestonePublic,
    StatusUpdateIn,
)
from services.strategy.models import Allocation, Goal, Initiative, Milestone, Statement, StatusUpdate, utcnow
from services.strategy.plans.schemas import ItemRollup

IN, MS, A, U = (Initiative.__table__, Milestone.__table__, Allocation.__table__,  # type: ignore[attr-defined]
               StatusUpdate.__table__)  # type: ignore[attr-defined]
G, S = Goal.__table__, Statement.__table__  # type: ignore[attr-defined]


async def create(session: AsyncSession, principal: Principal, plan_id: uuid.UUID,
                 body: InitiativeCreate) -> InitiativePublic:
    tenant = principal.tenant_id
    await common.plan_row(session, principal, plan_id)
    for n, a in enumerate(body.allocations):
        common.school_scope(principal, f"allocations[{n}].school_id", a.school_id)
    in_plan = [G.c.plan_id == plan_id]
    refs = [common.owner("owner_id", body.owner_id),
            reference(G, "goal of this plan", "goal_id", body.goal_id, where=in_plan),
            reference(S, "statement of this plan", "statement_id", body.statement_id, where=[S.c.plan_id == plan_id])]
    refs += [common.school(f"allocations[{n}].school_id", a.school_id) for n, a in enumerate(body.allocations)]
    refs += [common.owner(f"milestones[{n}].owner_id", m.owner_id) for n, m in enumerate(body.milestones)]
    await common.check(session, tenant, *refs)
    now = utcnow()
    initiative_id = uuid.uuid4()
    data = body.model_dump(exclude={"allocations", "milestones"})
    await session.execute(insert(IN).values(id=initiative_id, tenant_id=tenant, plan_id=plan_id, status="not_started",
                                           progress=0.0, last_update_on=None, stale=False, version=1,
                                           created_at=now, updated_at=now, **data))
    if body.allocations:
        await session.execute(insert(A), [{"id": uuid.uuid4(), "tenant_id": tenant, "initiative_id": initiative_id,
                                           **a.model_dump()} for a in body.allocations])
    if body.milestones:
        await session.execute(insert(MS), [{"id": uuid.uuid4(), "tenant_id": tenant, "initiative_id": initiative_id,
                                            "status": "not_started", "progress": 0.0, "last_update_on": None,
                                            "stale": False, **m.model_dump()} for m in body.milestones])
    from services.strategy.plans.service import recompute_plan
    from services.strategy.reciprocity.service import reassess  # the ledger counts what is invested

    for school in sorted({a.school_id for a in body.allocations}):
        await reassess(session, tenant, school)
    # its milestones may move the "if" of the statement it serves, and its allocations add schools to a
    # district plan's: the plan's verdicts are judged again
    await recompute_plan(session, tenant, plan_id)
    return await view(session, principal, initiative_id)


async def _row(session: AsyncSession, principal: Principal, initiative_id: uuid.UUID, *, for_update: bool = False
               ) -> Any:
    row = await get_or_404(session, Initiative, initiative_id, principal.tenant_id, label="initiative",
                           for_update=for_update)
    await common.plan_row(session, principal, row["plan_id"])
    return row


async def record_update(session: AsyncSession, principal: Principal, initiative_id: uuid.UUID,
                        body: StatusUpdateIn, today: date) -> InitiativePublic:
    """A dated update of the initiative, or of one of its milestones: the only way a status changes."""
    tenant = principal.tenant_id
    row = await _row(session, principal, initiative_id, for_update=True)
    target = row
    table = IN
    if body.milestone_id is not None:
        target = (await session.execute(select(MS).where(MS.c.id == body.milestone_id, MS.c.initiative_id ==
                                                         initiative_id, MS.c.tenant_id == tenant)
                                        .with_for_update())).mappings().first()
        if target is None:
            raise Problem(422, "Invalid reference", "milestone_id: no such milestone of this initiative",
                          slug="invalid-reference", errors=[{"field": "milestone_id", "message": "no such milestone"}])
        table = MS
    problem = item_status.update_error(body.as_of, today, target["last_update_on"])
    if problem:
        raise field_error(*problem)
    await session.execute(insert(U).values(id=uuid.uuid4(), tenant_id=tenant, initiative_id=initiative_id,
                                           created_at=utcnow(), **body.model_dump()))
    values: dict[str, Any] = {"status": body.status, "progress": body.progress, "last_update_on": body.as_of,
                              "stale": False}
    if table is IN:
        values.update(version=IN.c.version + 1, updated_at=utcnow())
    await session.execute(update(table).where(table.c.id == target["id"]).values(**values))
    if table is MS and row["statement_id"] is not None:
        from services.strategy.plans.service import recompute  # a milestone done may move a statement's "if"

        await recompute(session, tenant, [row["statement_id"]])
    return await view(session, principal, initiative_id)


async def view(session: AsyncSession, principal: Principal, initiative_id: uuid.UUID) -> InitiativePublic:
    row = await _row(session, principal, initiative_id)
    allocations = (await session.execute(select(A).where(A.c.initiative_id == initiative_id).order_by(
        A.c.period, A.c.school_id))).mappings().all()
    milestones = (await session.execute(select(MS).where(MS.c.initiative_id == initiative_id).order_by(
        MS.c.due_on, MS.c.id))).mappings().all()
    rolled = item_status.initiative_rollup(item_status.Item(row["status"], row["progress"], row["stale"]),
                                           [item_status.Item(m["status"], m["progress"], m["stale"])
                                            for m in milestones])
    return InitiativePublic(
        **{k: row[k] for k in InitiativePublic.model_fields if k in row},
        incoherent=row["statement_id"] is None,
        rollup=ItemRollup(status=rolled.status, progress=rolled.progress, stale=rolled.stale),
        next_update_due=item_status.next_update_due(row["last_update_on"], row["starts_on"], row["cadence_days"]),
        allocations=[AllocationPublic(**{k: a[k] for k in AllocationPublic.model_fields}) for a in allocations],
        milestones=[MilestonePublic(**{k: m[k] for k in MilestonePublic.model_fields}) for m in milestones])
