"""Goals: a measure, polarity, baseline, target, due; progress and status computed from measurements."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest
from libs.common.problems import field_error
from libs.common.repository import get_or_404
from libs.contracts.base import EventPayload
from libs.contracts.strategy import GoalMet, GoalMissed
from services.strategy import common
from services.strategy.goals import progress
from services.strategy.goals.schemas import GoalCreate, GoalPublic, GoalRecord, TrendPublic
from services.strategy.models import Goal, utcnow
from services.strategy.settings import SERVICE
from services.strategy.trajectories.service import series

G = Goal.__table__  # type: ignore[attr-defined]


async def create(session: AsyncSession, principal: Principal, plan_id: uuid.UUID, body: GoalCreate) -> GoalPublic:
    tenant = principal.tenant_id
    await common.plan_row(session, principal, plan_id)
    common.school_scope(principal, "school_id", body.school_id)
    why = progress.target_contradiction(body.polarity, body.baseline, body.target)
    if why:
        raise field_error("target", why)
    if body.due_period < body.baseline_period:
        raise field_error("due_period", "the due period comes before the baseline period")
    await common.check(session, tenant, common.school("school_id", body.school_id),
                       common.owner("owner_id", body.owner_id))
    now = utcnow()
    goal_id = uuid.uuid4()
    await session.execute(insert(G).values(id=goal_id, tenant_id=tenant, plan_id=plan_id, status="open", version=1,
                                           created_at=now, updated_at=now, **body.model_dump()))
    await refresh(session, tenant, [goal_id])
    from services.strategy.reciprocity.service import reassess  # the ledger counts this goal's demand

    await reassess(session, tenant, body.school_id)
    return await view(session, principal, goal_id)


async def refresh(session: AsyncSession, tenant: str, goal_ids: list[uuid.UUID]) -> None:
    """Recompute open goals' status; a change to met or missed is an event."""
    rows = (await session.execute(select(G).where(G.c.tenant_id == tenant, G.c.id.in_(goal_ids),
                                                  G.c.status == "open").with_for_update())).mappings().all()
    payloads: list[EventPayload] = []
    for g in rows:
        periods, values = await series(session, tenant, g["school_id"], g["measure"])
        status, period = progress.status(g["polarity"], g["target"], g["due_period"],
                                         [(p, v) for p, v in zip(periods, values, strict=True) if v is not None])
        if status == "open" or period is None:
            continue
        await session.execute(update(G).where(G.c.id == g["id"]).values(status=status, version=G.c.version + 1,
                                                                         updated_at=utcnow()))
        event = GoalMet if status == "met" else GoalMissed
        payloads.append(event(goal_id=g["id"], plan_id=g["plan_id"], school_id=g["school_id"], period=period))
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant)


async def refresh_for(session: AsyncSession, tenant: str, pairs: set[tuple[uuid.UUID, str]]) -> None:
    if not pairs:
        return
    schools = {s for s, _ in pairs}
    rows = (await session.execute(select(G.c.id, G.c.school_id, G.c.measure).where(
        G.c.tenant_id == tenant, G.c.school_id.in_(schools), G.c.status == "open"))).all()
    ids = [r[0] for r in rows if (r[1], r[2]) in pairs]
    if ids:
        await refresh(session, tenant, ids)


async def view(session: AsyncSession, principal: Principal, goal_id: uuid.UUID) -> GoalPublic:
    g: Any = await get_or_404(session, Goal, goal_id, principal.tenant_id, label="goal")
    if not principal.may_see_school(g["school_id"]):
        raise field_error("goal_id", "not found", status=404, title="Not found", slug="not-found")
    periods, values = await series(session, principal.tenant_id, g["school_id"], g["measure"])
    known = [v for v in values if v is not None]
    latest = known[-1] if known else None
    trend = progress.current_trend(known) if known else None
    return GoalPublic(**{k: g[k] for k in GoalPublic.model_fields if k in g},
                      latest=latest, latest_period=periods[-1] if periods else None,
                      progress=progress.progress(g["baseline"], g["target"], latest),
                      variance_from_target=None if latest is None else round(latest - g["target"], 6),
                      trend=None if trend is None else TrendPublic(direction=trend.direction, periods=trend.periods))


async def list_goals(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow,
                     filters: dict[str, Any]) -> tuple[list[GoalRecord], str | None]:
    """A school-limited client sees its schools' goals, as `GET /goals/{goal_id}`."""
    where = [] if (schools := common.reachable_schools(principal)) is None else [G.c.school_id.in_(schools)]
    rows, token = await common.listing(session, principal, G, page, changes, filters, where)
    return [GoalRecord(**{k: r[k] for k in GoalRecord.model_fields}) for r in rows], token
