"""The reciprocity ledger per school and period; flags raised and cleared as events, once each."""

from __future__ import annotations

import uuid

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.outbox import record_events
from libs.contracts.base import EventPayload
from libs.contracts.strategy import ReciprocityFlagCleared, ReciprocityFlagRaised
from services.strategy.models import Allocation, Goal, LearningHours, LedgerFlag, LedgerWeights
from services.strategy.reciprocity import ledger
from services.strategy.reciprocity.schemas import (
    CapacityParts,
    LedgerPublic,
    LedgerRowPublic,
    WeightsIn,
    WeightsPublic,
)
from services.strategy.settings import SERVICE

W, F = LedgerWeights.__table__, LedgerFlag.__table__  # type: ignore[attr-defined]
G, A, L = Goal.__table__, Allocation.__table__, LearningHours.__table__  # type: ignore[attr-defined]
FORMULA = (ledger.__doc__ or "").split("\n\n", 1)[1].strip()
SET_FLAG = text("INSERT INTO ledger_flags (tenant_id, school_id, period, raised) VALUES (:t, :s, :p, :r) "
                "ON CONFLICT (tenant_id, school_id, period) DO UPDATE SET raised = EXCLUDED.raised "
                "WHERE ledger_flags.raised IS DISTINCT FROM EXCLUDED.raised RETURNING (xmax = 0) AS inserted")
UPSERT_WEIGHTS = text(
    "INSERT INTO ledger_weights (tenant_id, learning, coaching, money_per_1000, people_time, version) "
    "VALUES (:t, :learning, :coaching, :money_per_1000, :people_time, 1) ON CONFLICT (tenant_id) DO UPDATE SET "
    "learning = EXCLUDED.learning, coaching = EXCLUDED.coaching, money_per_1000 = EXCLUDED.money_per_1000, "
    "people_time = EXCLUDED.people_time, version = ledger_weights.version + 1 "
    "RETURNING learning, coaching, money_per_1000, people_time, version")


async def weights(session: AsyncSession, tenant: str) -> WeightsPublic:
    row = (await session.execute(select(W).where(W.c.tenant_id == tenant))).mappings().first()
    if row is None:
        return WeightsPublic(version=0, **WeightsIn().model_dump())
    return WeightsPublic(**{k: row[k] for k in WeightsPublic.model_fields})


async def set_weights(session: AsyncSession, tenant: str, body: WeightsIn) -> WeightsPublic:
    row = (await session.execute(UPSERT_WEIGHTS, {"t": tenant, **body.model_dump()})).mappings().one()
    schools = set((await session.execute(select(G.c.school_id).where(G.c.tenant_id == tenant))).scalars())
    schools |= set((await session.execute(select(A.c.school_id).where(A.c.tenant_id == tenant))).scalars())
    for school in sorted(schools):
        await reassess(session, tenant, school)
    return WeightsPublic(**dict(row))


async def rows(session: AsyncSession, tenant: str, school: uuid.UUID) -> tuple[WeightsPublic, list[ledger.Row]]:
    w = await weights(session, tenant)
    demand: dict[str, float] = {}
    for baseline, target, due_on in (await session.execute(select(G.c.baseline, G.c.target, G.c.due_on).where(
            G.c.tenant_id == tenant, G.c.school_id == school))).all():
        period = ledger.school_year(due_on)
        demand[period] = demand.get(period, 0.0) + ledger.demanded_gain(baseline, target)
    parts: list[tuple[str, ledger.Capacity]] = []
    for hours, topic, completed_on in (await session.execute(select(L.c.hours, L.c.topic_code, L.c.completed_on)
                                                             .where(L.c.tenant_id == tenant, L.c.school_id == school))
                                       ).all():
        coaching = ledger.is_coaching(topic)
        parts.append((ledger.school_year(completed_on),
                      ledger.Capacity(learning_hours=0 if coaching else hours,
                                      coaching_hours=hours if coaching else 0)))
    for period, money, hours in (await session.execute(select(A.c.period, A.c.money, A.c.hours).where(
            A.c.tenant_id == tenant, A.c.school_id == school))).all():
        parts.append((period, ledger.Capacity(money=money, people_hours=hours)))
    weights_ = ledger.Weights(w.learning, w.coaching, w.money_per_1000, w.people_time)
    return w, ledger.ledger(demand, ledger.sum_capacity(parts), weights_)


async def reassess(session: AsyncSession, tenant: str, school: uuid.UUID) -> None:
    """Recompute the school's ledger; a flag that appears or disappears is an event."""
    _, found = await rows(session, tenant, school)
    payloads: list[EventPayload] = []
    for row in found:
        changed = (await session.execute(SET_FLAG, {"t": tenant, "s": school, "p": row.period, "r": row.flag})).first()
        if changed is None:  # as it was
            continue
        if row.flag:
            payloads.append(ReciprocityFlagRaised(school_id=school, period=row.period))
        elif not changed[0]:  # an update from raised to not raised; a first, unflagged row says nothing
            payloads.append(ReciprocityFlagCleared(school_id=school, period=row.period))
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant)


async def view(session: AsyncSession, tenant: str, school: uuid.UUID) -> LedgerPublic:
    w, found = await rows(session, tenant, school)
    return LedgerPublic(school_id=school, weights=w, formula=FORMULA, rows=[
        LedgerRowPublic(period=r.period, demand=r.demand, capacity=r.capacity, ratio=r.ratio, flag=r.flag,
                        parts=CapacityParts(learning_hours=r.parts.learning_hours,
                                            coaching_hours=r.parts.coaching_hours, money=r.parts.money,
                                            people_hours=r.parts.people_hours))
        for r in found])
