"""Plans and their theory of action; statement verdicts recomputed as data arrives, each change an event."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow
from libs.common.db import SessionFactory, unit_of_work
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest
from libs.common.problems import Problem, field_error
from libs.contracts.base import EventPayload
from libs.contracts.strategy import InitiativeStale, PlanAdopted, StatementVerdictChanged
from services.strategy import common
from services.strategy.initiatives import status as item_status
from services.strategy.models import Allocation, Goal, Initiative, Milestone, Plan, Statement, utcnow
from services.strategy.plans import scope, verdicts
from services.strategy.plans.schemas import (
    GoalRollup,
    ItemRollup,
    PlanCreate,
    PlanPublic,
    PlanRecord,
    ReviewPublic,
    StatementCreate,
    StatementPublic,
)
from services.strategy.settings import SERVICE
from services.strategy.trajectories.service import series

P, S = Plan.__table__, Statement.__table__  # type: ignore[attr-defined]
IN, MS, A, G = (Initiative.__table__, Milestone.__table__, Allocation.__table__,  # type: ignore[attr-defined]
               Goal.__table__)  # type: ignore[attr-defined]


async def create(session: AsyncSession, principal: Principal, body: PlanCreate) -> PlanPublic:
    """Checked before anything is written: the scope's rules (each refusal naming its field), the school
    the client may reach, every id known in the tenant, and a school and district that agree."""
    tenant = principal.tenant_id
    if errors := scope.scope_errors(body.level, body.district_id, body.school_id, body.period_start,
                                    body.period_end):
        raise Problem(422, "Invalid request", "; ".join(f"{f}: {m}" for f, m in errors), slug="validation-error",
                      errors=[{"field": f, "message": m} for f, m in errors])
    common.school_scope(principal, "school_id", body.school_id)
    await common.check(session, tenant, common.school("school_id", body.school_id),
                       common.owner("owner_id", body.owner_id), common.district("district_id", body.district_id))
    district = body.district_id
    if body.school_id is not None:
        of_school = await common.school_district(session, tenant, body.school_id)
        if why := scope.district_mismatch(body.district_id, of_school):
            raise field_error("district_id", why)
        district = scope.plan_district(body.district_id, of_school)
    now = utcnow()
    plan_id = uuid.uuid4()
    await session.execute(insert(P).values(id=plan_id, tenant_id=tenant, status="draft", version=1,
                                           created_at=now, updated_at=now, adopted_at=None,
                                           **{**body.model_dump(), "district_id": district}))
    return await view(session, principal, plan_id)


async def adopt(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> PlanPublic:
    row = await common.plan_row(session, principal, plan_id, for_update=True)
    if row["status"] == "adopted":
        raise Problem(409, "Conflict", "the plan is already adopted", slug="already-adopted")
    await session.execute(update(P).where(P.c.id == plan_id).values(
        status="adopted", adopted_at=utcnow(), updated_at=utcnow(), version=P.c.version + 1))
    await record_events(session, [PlanAdopted(plan_id=plan_id, school_id=row["school_id"],
                                              district_id=row["district_id"])],
                        service=SERVICE, tenant_id=principal.tenant_id)
    return await view(session, principal, plan_id)


async def add_statement(session: AsyncSession, principal: Principal, plan_id: uuid.UUID,
                        body: StatementCreate) -> StatementPublic:
    await common.plan_row(session, principal, plan_id, for_update=True)
    if body.lag <= 0:
        raise field_error("lag", "the lag window must be at least one period")
    if body.lag > 120:
        raise field_error("lag", "the lag window is at most 120 periods")
    count = await session.scalar(select(func.count()).select_from(S).where(S.c.plan_id == plan_id))
    statement_id = uuid.uuid4()
    now = utcnow()
    data = body.model_dump()
    data["position"] = data["position"] or int(count or 0) + 1
    await session.execute(insert(S).values(id=statement_id, tenant_id=principal.tenant_id, plan_id=plan_id,
                                           verdict="untested", evidence={}, version=1, created_at=now,
                                           updated_at=now, **data))
    await recompute(session, principal.tenant_id, [statement_id])
    return await statement_view(session, principal, statement_id)


def _statement(row: Any) -> StatementPublic:
    return StatementPublic(**{k: row[k] for k in StatementPublic.model_fields})


async def statement_view(session: AsyncSession, principal: Principal, statement_id: uuid.UUID) -> StatementPublic:
    row = (await session.execute(select(S).where(S.c.id == statement_id, S.c.tenant_id == principal.tenant_id))
           ).mappings().first()
    if row is None:
        raise Problem(404, "Not found", "statement not found", slug="not-found")
    await common.plan_row(session, principal, row["plan_id"])
    return _statement(row)


async def plan_schools(session: AsyncSession, tenant: str, plan: Any) -> list[uuid.UUID]:
    """A school plan's school; a district plan's schools are those its initiatives invest in."""
    if plan["school_id"] is not None:
        return [plan["school_id"]]
    rows = await session.execute(select(A.c.school_id).distinct().join_from(A, IN, IN.c.id == A.c.initiative_id)
                                 .where(IN.c.plan_id == plan["id"], IN.c.tenant_id == tenant))
    return sorted(rows.scalars().all())


async def _moved_at(session: AsyncSession, tenant: str, plan: Any, st: Any, school: uuid.UUID) -> str | None:
    if st["if_kind"] == "milestones":
        # the "if" moved when the first milestone of an initiative serving this statement was done
        return await session.scalar(select(func.min(MS.c.due_period)).join_from(MS, IN, IN.c.id == MS.c.initiative_id)
                                    .where(IN.c.statement_id == st["id"], IN.c.tenant_id == tenant,
                                           MS.c.status == "done"))
    periods, values = await series(session, tenant, school, st["if_measure"])
    baseline_end = verdicts.first_index_from(periods, plan["period_start"])
    if baseline_end < verdicts.MIN_BASELINE:
        baseline_end = min(6, len(periods))
    return verdicts.if_moved(periods, values, st["if_direction"], baseline_end)


async def recompute(session: AsyncSession, tenant: str, statement_ids: list[uuid.UUID]) -> None:
    """Judge each statement on each school of its plan; a changed verdict is an event."""
    rows = (await session.execute(select(S).where(S.c.tenant_id == tenant, S.c.id.in_(statement_ids))
                                  .order_by(S.c.id).with_for_update())).mappings().all()
    payloads: list[EventPayload] = []
    for st in rows:
        plan = (await session.execute(select(P).where(P.c.id == st["plan_id"]))).mappings().one()
        judgements, evidence = [], {}
        for school in await plan_schools(session, tenant, plan):
            moved = await _moved_at(session, tenant, plan, st, school)
            periods, values = await series(session, tenant, school, st["then_measure"])
            j = verdicts.judge(moved, periods, values, st["direction"], st["lag"])
            judgements.append(j)
            evidence[str(school)] = {"verdict": j.verdict, "reason": j.reason, **j.evidence}
        verdict = verdicts.overall(judgements)
        if verdict == st["verdict"] and evidence == st["evidence"]:
            continue
        await session.execute(update(S).where(S.c.id == st["id"]).values(
            verdict=verdict, evidence=evidence, updated_at=utcnow(), version=S.c.version + 1))
        if verdict != st["verdict"]:
            payloads.append(StatementVerdictChanged(plan_id=st["plan_id"], statement_id=st["id"], verdict=verdict,
                                                    previous=st["verdict"]))
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant)


async def recompute_plan(session: AsyncSession, tenant: str, plan_id: uuid.UUID) -> None:
    """Every statement of a plan: what an initiative added to it may change (its schools, its milestones)."""
    ids = (await session.execute(select(S.c.id).where(S.c.tenant_id == tenant, S.c.plan_id == plan_id))
           ).scalars().all()
    if ids:
        await recompute(session, tenant, list(ids))


async def recompute_for_measures(session: AsyncSession, tenant: str, measures: set[str]) -> None:
    if not measures:
        return
    ids = (await session.execute(select(S.c.id).where(S.c.tenant_id == tenant, (
        S.c.then_measure.in_(measures) | S.c.if_measure.in_(measures))))).scalars().all()
    if ids:
        await recompute(session, tenant, list(ids))


async def list_plans(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow,
                     filters: dict[str, Any]) -> tuple[list[PlanRecord], str | None]:
    """A school-limited client sees district plans and its schools' plans, as `GET /plans/{plan_id}`."""
    where = [] if (schools := common.reachable_schools(principal)) is None else [
        or_(P.c.school_id.is_(None), P.c.school_id.in_(schools))]
    rows, token = await common.listing(session, principal, P, page, changes, filters, where)
    return [PlanRecord(**{k: r[k] for k in PlanRecord.model_fields}) for r in rows], token


def _items(rows: list[Any]) -> list[item_status.Item]:
    return [item_status.Item(r["status"], r["progress"], r["stale"]) for r in rows]


async def view(session: AsyncSession, principal: Principal, plan_id: uuid.UUID) -> PlanPublic:
    plan = await common.plan_row(session, principal, plan_id)
    statements = (await session.execute(select(S).where(S.c.plan_id == plan_id).order_by(S.c.position, S.c.id))
                  ).mappings().all()
    goals = (await session.execute(select(G.c.id).where(G.c.plan_id == plan_id).order_by(G.c.created_at))
             ).scalars().all()
    initiatives = (await session.execute(select(IN).where(IN.c.plan_id == plan_id).order_by(IN.c.created_at))
                   ).mappings().all()
    milestones = (await session.execute(select(MS).join_from(MS, IN, IN.c.id == MS.c.initiative_id)
                                        .where(IN.c.plan_id == plan_id))).mappings().all()
    items = _items(list(initiatives)) + _items(list(milestones))
    # milestones roll up into their initiative, initiatives into their goal and the plan
    rolled = {i["id"]: item_status.initiative_rollup(
        _items([i])[0], _items([m for m in milestones if m["initiative_id"] == i["id"]])) for i in initiatives}
    rollup = item_status.roll_up(list(rolled.values()))
    by_goal = [(g, item_status.roll_up([rolled[i["id"]] for i in initiatives if i["goal_id"] == g])) for g in goals]
    return PlanPublic(
        **{k: plan[k] for k in PlanPublic.model_fields if k in plan},
        statements=[_statement(s) for s in statements], goal_ids=list(goals),
        initiative_ids=[i["id"] for i in initiatives],
        incoherent_initiative_ids=[i["id"] for i in initiatives if i["statement_id"] is None],
        rollup=ItemRollup(status=rollup.status, progress=rollup.progress, stale=rollup.stale),
        goal_rollups=[GoalRollup(goal_id=g, status=r.status, progress=r.progress, stale=r.stale) for g, r in by_goal],
        freshness=item_status.freshness(items))


async def review(session: AsyncSession, principal: Principal, plan_id: uuid.UUID, today: date) -> ReviewPublic:
    """Mark items past their update due date plus grace as stale (an event for each newly stale one)."""
    tenant = principal.tenant_id
    await common.plan_row(session, principal, plan_id, for_update=True)
    initiatives = (await session.execute(select(IN).where(IN.c.plan_id == plan_id).with_for_update())).mappings().all()
    payloads: list[EventPayload] = []
    stale_i, stale_m = [], []
    for i in initiatives:
        now_stale = item_status.is_stale(i["status"], i["last_update_on"], i["starts_on"], i["cadence_days"],
                                         i["grace_days"], today)
        if now_stale:
            stale_i.append(i["id"])
        if now_stale != i["stale"]:
            await session.execute(update(IN).where(IN.c.id == i["id"]).values(stale=now_stale))
            if now_stale:
                payloads.append(InitiativeStale(initiative_id=i["id"], plan_id=plan_id, milestone_id=None))
        for m in (await session.execute(select(MS).where(MS.c.initiative_id == i["id"]))).mappings().all():
            m_stale = item_status.is_stale(m["status"], m["last_update_on"], i["starts_on"], i["cadence_days"],
                                           i["grace_days"], today)
            if m_stale:
                stale_m.append(m["id"])
            if m_stale != m["stale"]:
                await session.execute(update(MS).where(MS.c.id == m["id"]).values(stale=m_stale))
                if m_stale:
                    payloads.append(InitiativeStale(initiative_id=i["id"], plan_id=plan_id, milestone_id=m["id"]))
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant)
    fresh = (await view(session, principal, plan_id)).freshness
    return ReviewPublic(plan_id=plan_id, freshness=fresh, stale_initiative_ids=stale_i, stale_milestone_ids=stale_m)


SWEEPER = "strategy-worker"  # the subject a swept review acts as (events carry ids, never a person)


async def sweep_stale(sessions: SessionFactory, today: date) -> int:
    """The plan review of every adopted plan of every tenant, one transaction per plan: an item past its
    update date plus grace turns stale (and says so in an event) without anyone asking. Returns how
    many plans were reviewed."""
    async with sessions() as session:
        plans = (await session.execute(select(P.c.id, P.c.tenant_id).where(P.c.status == "adopted")
                                       .order_by(P.c.tenant_id, P.c.id))).all()
    for plan_id, tenant_id in plans:
        principal = Principal(subject=SWEEPER, tenant_id=tenant_id, scopes=frozenset({"strategy:write"}),
                              schools=None)
        async with unit_of_work(sessions) as session:
            await review(session, principal, plan_id, today)
    return len(plans)
