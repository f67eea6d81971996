"""Use cases of mentoring: assign and end (events), alerts, gaps and coverage."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.outbox import record_events
from libs.common.problems import Problem
from libs.common.repository import check_version, get_or_404
from libs.contracts.base import EventPayload
from libs.contracts.hr import MentorAssigned, MentorEnded, MentoringGapClosed, MentoringGapOpened
from services.hr import scope
from services.hr.educators import service as educators
from services.hr.ladder.config import load
from services.hr.mentoring import rules
from services.hr.mentoring.schemas import MentoringAlert, MentorshipPublic
from services.hr.models import Educator, MentoringGap, Mentorship, utcnow
from services.hr.pipeline import rules as figures
from services.hr.settings import SERVICE

EDUCATORS = Educator.__table__  # type: ignore[attr-defined]
MENTORSHIPS = Mentorship.__table__  # type: ignore[attr-defined]
GAPS = MentoringGap.__table__  # type: ignore[attr-defined]
NOVICE = "novice_teacher"


async def _emit(session: AsyncSession, tenant_id: str, payloads: list[EventPayload]) -> None:
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant_id)


def _conflict(field: str, message: str, slug: str) -> Problem:
    return Problem(409, "Conflict", message, slug=slug, errors=[{"field": field, "message": message}])


async def assign(session: AsyncSession, principal: Principal, mentor_id: uuid.UUID, mentee_id: uuid.UUID,
                 starts_on: date | None) -> MentorshipPublic:
    tenant_id = principal.tenant_id
    mentee = await educators.locked(session, principal, mentee_id, field="mentee_id", for_update=True)
    mentor = await educators.locked(session, principal, mentor_id, field="mentor_id", for_update=True)
    active = MENTORSHIPS.c.ends_on.is_(None)
    if await session.scalar(select(MENTORSHIPS.c.id).where(MENTORSHIPS.c.tenant_id == tenant_id,
                                                           MENTORSHIPS.c.mentee_id == mentee_id, active)):
        raise _conflict("mentee_id", "the mentee already has an active mentor", "already-mentored")
    load_now = int(await session.scalar(select(func.count()).where(
        MENTORSHIPS.c.tenant_id == tenant_id, MENTORSHIPS.c.mentor_id == mentor_id, active)) or 0)
    ladder, _ = await load(session, tenant_id)
    if why := rules.mentor_problem(ladder, mentor["stage"] or mentor["career_stage"],
                                   mentee["stage"] or mentee["career_stage"], load_now):
        raise _conflict("mentor_id", why, "mentor-not-eligible")
    now = utcnow()
    starts_on = starts_on or now.date()
    row = (await session.execute(insert(MENTORSHIPS).values(
        id=uuid.uuid4(), tenant_id=tenant_id, version=1, created_at=now, updated_at=now, mentor_id=mentor_id,
        mentee_id=mentee_id, school_id=mentee["school_id"], starts_on=starts_on).returning(*MENTORSHIPS.c)
    )).mappings().one()
    events: list[EventPayload] = [MentorAssigned(mentorship_id=row["id"], mentor_id=mentor_id, mentee_id=mentee_id,
                                                 school_id=mentee["school_id"], starts_on=starts_on)]
    gap = (await session.execute(update(GAPS).where(GAPS.c.tenant_id == tenant_id, GAPS.c.educator_id == mentee_id,
                                                    GAPS.c.closed_on.is_(None))
                                 .values(closed_on=starts_on).returning(GAPS.c.id))).scalars().all()
    events += [MentoringGapClosed(gap_id=g, educator_id=mentee_id, school_id=mentee["school_id"], closed_on=starts_on)
               for g in gap]
    await _emit(session, tenant_id, events)
    return MentorshipPublic.model_validate(dict(row))


async def end(session: AsyncSession, principal: Principal, mentorship_id: uuid.UUID, expected: int | None,
              ends_on: date | None) -> MentorshipPublic:
    row = await get_or_404(session, Mentorship, mentorship_id, principal.tenant_id, label="mentorship",
                           for_update=True)
    if not scope.may_see(principal, row["school_id"]):
        raise Problem(404, "Not found", "no such mentorship", slug="not-found")
    check_version(row["version"], expected)
    if row["ends_on"] is not None:
        raise _conflict("ends_on", "the mentorship has already ended", "already-ended")
    ends_on = ends_on or utcnow().date()
    if ends_on < row["starts_on"]:
        raise Problem(409, "Invalid date", "ends_on: before the mentorship started", slug="date-order",
                      errors=[{"field": "ends_on", "message": "before starts_on"}])
    after = (await session.execute(update(MENTORSHIPS).where(MENTORSHIPS.c.id == mentorship_id).values(
        ends_on=ends_on, version=MENTORSHIPS.c.version + 1, updated_at=utcnow()).returning(*MENTORSHIPS.c)
    )).mappings().one()
    await _emit(session, principal.tenant_id, [MentorEnded(mentorship_id=row["id"], mentor_id=row["mentor_id"],
                                                           mentee_id=row["mentee_id"], ends_on=ends_on)])
    return MentorshipPublic.model_validate(dict(after))


async def list_mentorships(session: AsyncSession, principal: Principal, *, mentee_id: uuid.UUID | None,
                           mentor_id: uuid.UUID | None, active: bool | None) -> list[MentorshipPublic]:
    stmt = select(MENTORSHIPS).where(MENTORSHIPS.c.tenant_id == principal.tenant_id)
    if (reachable := scope.school_ids(principal)) is not None:
        stmt = stmt.where(MENTORSHIPS.c.school_id.in_(reachable))
    if mentee_id:
        stmt = stmt.where(MENTORSHIPS.c.mentee_id == mentee_id)
    if mentor_id:
        stmt = stmt.where(MENTORSHIPS.c.mentor_id == mentor_id)
    if active is not None:
        stmt = stmt.where(MENTORSHIPS.c.ends_on.is_(None) if active else MENTORSHIPS.c.ends_on.is_not(None))
    rows = (await session.execute(stmt.order_by(MENTORSHIPS.c.starts_on, MENTORSHIPS.c.id))).mappings().all()
    return [MentorshipPublic.model_validate(dict(r)) for r in rows]


async def _novices(session: AsyncSession, principal: Principal) -> tuple[list[rules.Novice], set[uuid.UUID]]:
    stmt = select(EDUCATORS.c.id, EDUCATORS.c.school_id, EDUCATORS.c.stage_since, EDUCATORS.c.created_at).where(
        EDUCATORS.c.tenant_id == principal.tenant_id, EDUCATORS.c.career_stage == NOVICE)
    if (reachable := scope.school_ids(principal)) is not None:
        stmt = stmt.where(EDUCATORS.c.school_id.in_(reachable))
    novices = [rules.Novice(r.id, r.school_id, r.stage_since or r.created_at.date())
               for r in (await session.execute(stmt)).all()]
    mentored = set((await session.execute(select(MENTORSHIPS.c.mentee_id).where(
        MENTORSHIPS.c.tenant_id == principal.tenant_id, MENTORSHIPS.c.ends_on.is_(None)))).scalars())
    return novices, mentored


async def alerts(session: AsyncSession, principal: Principal, today: date | None = None) -> list[MentoringAlert]:
    ladder, _ = await load(session, principal.tenant_id)
    novices, mentored = await _novices(session, principal)
    due = rules.alerts(novices, mentored, ladder.mentoring_grace_days, today or utcnow().date())
    open_gaps = set((await session.execute(select(GAPS.c.educator_id).where(
        GAPS.c.tenant_id == principal.tenant_id, GAPS.c.closed_on.is_(None)))).scalars())
    return [MentoringAlert(educator_id=n.educator_id, school_id=n.school_id, novice_since=n.novice_since,
                           gap_open=n.educator_id in open_gaps) for n in due]


async def open_gaps(session: AsyncSession, principal: Principal) -> list[MentoringAlert]:
    """Open a gap (and its event) for every alert without one: run by a schedule or an operator."""
    today = utcnow().date()
    opened = []
    for alert in await alerts(session, principal, today):
        if alert.gap_open:
            continue
        gap_id = uuid.uuid4()
        await session.execute(insert(GAPS).values(id=gap_id, tenant_id=principal.tenant_id,
                                                  educator_id=alert.educator_id, school_id=alert.school_id,
                                                  opened_on=today))
        await _emit(session, principal.tenant_id, [MentoringGapOpened(
            gap_id=gap_id, educator_id=alert.educator_id, school_id=alert.school_id, opened_on=today)])
        opened.append(alert.model_copy(update={"gap_open": True}))
    return opened


async def coverage(session: AsyncSession, principal: Principal) -> dict[str, dict[str, float]]:
    novices, mentored = await _novices(session, principal)
    per_school: dict[Any, list[int]] = {}
    for n in novices:
        counts = per_school.setdefault(n.school_id, [0, 0])
        counts[0] += 1
        counts[1] += n.educator_id in mentored
    return figures.coverage_by_school((s, c[0], c[1]) for s, c in per_school.items())
