"""Use cases of the ladder: its configuration, transitions (with history) and readiness estimates."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.concurrency import stale
from libs.common.outbox import record_events
from libs.common.problems import Problem
from libs.common.repository import check_version
from libs.contracts.hr import CareerStage, StageChanged
from services.hr.educators import service as educators
from services.hr.ladder import rules
from services.hr.ladder.config import LADDERS, load
from services.hr.ladder.schemas import LadderPublic, ReadinessPublic, TransitionPublic
from services.hr.models import Educator, LeadershipPost, Posting, ReadinessEstimate, StageTransition, utcnow
from services.hr.pipeline import projection
from services.hr.settings import SERVICE

EDUCATORS = Educator.__table__  # type: ignore[attr-defined]
TRANSITIONS = StageTransition.__table__  # type: ignore[attr-defined]
READINESS = ReadinessEstimate.__table__  # type: ignore[attr-defined]
POSTINGS = Posting.__table__  # type: ignore[attr-defined]
POSTS = LeadershipPost.__table__  # type: ignore[attr-defined]


def not_on_ladder(field: str, code: str, allowed: list[str]) -> Problem:
    return Problem(409, "Not on the ladder",
                   f"{code} is not a move this ladder allows from here; allowed: {', '.join(allowed) or 'none'}",
                   slug="transition-not-allowed", errors=[{"field": field, "message": f"allowed: {allowed}"}],
                   extra={"allowed": allowed})


async def get_ladder(session: AsyncSession, principal: Principal) -> LadderPublic:
    ladder, version = await load(session, principal.tenant_id)
    return LadderPublic(**ladder.model_dump(), version=version)


async def put_ladder(session: AsyncSession, principal: Principal, expected: int,
                     ladder: rules.LadderConfig) -> LadderPublic:
    if principal.schools is not None:
        raise Problem(403, "Forbidden", "a client limited to some schools cannot change the ladder",
                      slug="outside-school-scope")
    current = (await session.execute(select(LADDERS.c.version).where(LADDERS.c.tenant_id == principal.tenant_id)
                                     .with_for_update())).scalar()
    check_version(current or 0, expected)
    if errors := rules.config_errors(ladder):  # well-formed, but the ladder contradicts itself
        raise Problem(409, "Inconsistent ladder", f"{len(errors)} problem(s) in the ladder", slug="invalid-ladder",
                      errors=errors)
    in_use: set[str] = set()
    for table, column in ((EDUCATORS, "stage"), (POSTINGS, "stage"), (POSTS, "stage"), (READINESS, "target_stage")):
        in_use |= set((await session.execute(select(table.c[column]).distinct().where(
            table.c.tenant_id == principal.tenant_id, table.c[column].is_not(None)))).scalars())
    if gone := sorted(in_use - set(ladder.codes())):
        raise Problem(409, "Stages in use", f"educators, postings or posts are at {', '.join(gone)}: keep them",
                      slug="stage-in-use", errors=[{"field": "stages", "message": f"still in use: {gone}"}])
    version = (current or 0) + 1
    stmt = pg_insert(LADDERS).values(tenant_id=principal.tenant_id, config=ladder.model_dump(mode="json"),
                                     version=version, updated_at=utcnow())
    await session.execute(stmt.on_conflict_do_update(
        index_elements=[LADDERS.c.tenant_id], set_={"config": stmt.excluded.config, "version": version,
                                                    "updated_at": stmt.excluded.updated_at}))
    return LadderPublic(**ladder.model_dump(), version=version)


async def transition(session: AsyncSession, principal: Principal, educator_id: uuid.UUID, expected: int | None,
                     to_stage: str, criteria_met: list[str], evidence: str | None, approver_id: uuid.UUID,
                     on: date | None) -> tuple[TransitionPublic, int]:
    """Move an educator on the ladder; one of two concurrent moves waits on the row lock, then fails."""
    tenant_id = principal.tenant_id
    row = await educators.locked(session, principal, educator_id, for_update=True)
    if expected is not None and row["version"] != expected:
        raise stale(row["version"])
    await educators.locked(session, principal, approver_id, field="approver_id")
    ladder, _ = await load(session, tenant_id)
    current = row["stage"] or row["career_stage"]
    try:
        rules.check_transition(ladder, current, to_stage, criteria_met)
    except rules.IllegalTransition as exc:
        raise not_on_ladder("to_stage", to_stage, exc.allowed) from None
    except rules.CriteriaNotMet as exc:
        raise Problem(422, "Criteria not met", str(exc), slug="criteria-not-met",
                      errors=[{"field": "criteria_met", "message": f"missing: {m}"} for m in exc.missing]) from None
    band = str(ladder.band(to_stage))
    on = on or utcnow().date()
    move = await educators.record_move(session, tenant_id, row, to_stage, band, criteria_met=criteria_met,
                                       evidence=evidence, approver_id=approver_id, on=on)
    after = await educators.update_row(session, tenant_id, row, {"career_stage": band, "stage": to_stage,
                                                                  "stage_since": on})
    await session.execute(delete(READINESS).where(READINESS.c.educator_id == row["id"]))  # for the old next stage
    await record_events(session, [StageChanged(
        educator_id=row["id"], school_id=row["school_id"], from_stage=current, to_stage=to_stage,
        career_stage=CareerStage(band), seq=move["seq"], transitioned_on=on, version=after["version"])],
        service=SERVICE, tenant_id=tenant_id)
    return TransitionPublic.model_validate(move), after["version"]


async def history(session: AsyncSession, principal: Principal, educator_id: uuid.UUID) -> list[TransitionPublic]:
    """Every move, in order. Once the educator is removed the history stays (the forecast counts the exit)
    but is no longer served."""
    await educators.locked(session, principal, educator_id)
    rows = (await session.execute(select(TRANSITIONS).where(
        TRANSITIONS.c.tenant_id == principal.tenant_id, TRANSITIONS.c.educator_id == educator_id)
        .order_by(TRANSITIONS.c.seq))).mappings().all()
    return [TransitionPublic.model_validate(dict(r)) for r in rows]


async def set_readiness(session: AsyncSession, principal: Principal, educator_id: uuid.UUID, target_stage: str,
                        estimate: rules.Readiness, approver_id: uuid.UUID, on: date | None) -> ReadinessPublic:
    row = await educators.locked(session, principal, educator_id, for_update=True)
    await educators.locked(session, principal, approver_id, field="approver_id")
    ladder, _ = await load(session, principal.tenant_id)
    allowed = ladder.allowed_from(row["stage"] or row["career_stage"])
    if target_stage not in allowed:
        raise not_on_ladder("target_stage", target_stage, allowed)
    values: dict[str, Any] = {"educator_id": row["id"], "tenant_id": principal.tenant_id,
                              "target_stage": target_stage, "estimate": str(estimate), "approver_id": approver_id,
                              "set_on": on or utcnow().date(), "version": 1, "updated_at": utcnow()}
    stmt = pg_insert(READINESS).values(**values)
    saved = (await session.execute(stmt.on_conflict_do_update(
        index_elements=[READINESS.c.educator_id],
        set_={k: stmt.excluded[k] for k in ("target_stage", "estimate", "approver_id", "set_on", "updated_at")}
        | {"version": READINESS.c.version + 1}).returning(*READINESS.c))).mappings().one()
    await projection.changed(session, principal.tenant_id)
    return ReadinessPublic.model_validate(dict(saved))


async def get_readiness(session: AsyncSession, principal: Principal, educator_id: uuid.UUID) -> ReadinessPublic:
    await educators.locked(session, principal, educator_id)
    saved = (await session.execute(select(READINESS).where(READINESS.c.educator_id == educator_id,
                                                           READINESS.c.tenant_id == principal.tenant_id)
                                   )).mappings().first()
    if saved is None:
        return ReadinessPublic(educator_id=educator_id, target_stage=None, estimate=None, approver_id=None,
                               set_on=None, version=0)
    return ReadinessPublic.model_validate(dict(saved))
